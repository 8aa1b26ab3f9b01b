"""The CLI contract: JSON shapes, one-line errors, non-zero exits. Runs the real console entry point."""

import json
import os
import subprocess
import sys

import pytest

from .conftest import FIXTURE_CORPUS, ROOT


def run(*args: str, env: dict[str, str] | None = None, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "visitcoach", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=cwd,
        timeout=600,
    )


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory):
    data = tmp_path_factory.mktemp("cli-data")
    env = {
        "VISITCOACH_DATA_DIR": str(data),
        "VISITCOACH_KNOWLEDGE_DIR": str(FIXTURE_CORPUS),
        "VISITCOACH_PROMPTS_DIR": str(ROOT / "prompts"),
    }
    result = run("ingest", "--json", env=env)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["chunks_total"] > 0 and len(report["added"]) == 7
    return env


def test_second_ingest_skips_everything(cli_env):
    report = json.loads(run("ingest", "--json", env=cli_env).stdout)
    assert report["unchanged"] == 7 and report["chunks_written"] == 0


def test_ask_json_contract(cli_env):
    result = run("ask", "When may I visit a borrower in the US?", "--jurisdiction", "US", "--json", env=cli_env)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) >= {"answer", "citations", "mode"} and data["mode"] == "offline"
    assert data["citations"]
    for c in data["citations"]:
        assert set(c) >= {"chunk_id", "doc_id", "title", "section", "citation", "source", "score"}


def test_ask_human_output_lists_sources(cli_env):
    result = run("ask", "外访需要几个人？", env=cli_env)
    assert result.returncode == 0
    sources = [line for line in result.stdout.splitlines() if line.startswith("[")]
    assert sources and any("外访管理制度 §5.1" in line for line in sources)
    assert all(" — " in line and line.rstrip().endswith(")") for line in sources)


def test_python_dash_m_and_console_script_agree(cli_env):
    exe = os.path.join(os.path.dirname(sys.executable), "visitcoach")
    out = subprocess.run([exe, "ask", "1692d", "--json"], capture_output=True, text=True, env={**os.environ, **cli_env})
    assert json.loads(out.stdout)["citations"][0]["citation"] == "15 U.S.C. 1692d"


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["ask", "x", "--jurisdiction", "FR"], {}, "--jurisdiction must be CN, US or UK"),
        (["ask", "x", "--lang", "fr"], {}, "--lang must be zh or en"),
        (["ask", "hello"], {"VISITCOACH_LLM": "gpt"}, "VISITCOACH_LLM"),
        (["ask", "hello"], {"VISITCOACH_TOP_KK": "3"}, "unknown setting VISITCOACH_TOP_KK"),
        (["ingest"], {"VISITCOACH_KNOWLEDGE_DIR": "/nonexistent/knowledge"}, "knowledge directory not found"),
    ],
)
def test_bad_input_is_one_line_and_non_zero(cli_env, args, env, message):
    result = run(*args, env={**cli_env, **env})
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and message in lines[0]


def test_ask_on_an_empty_index_says_to_ingest(tmp_path):
    result = run("ask", "anything", env={"VISITCOACH_DATA_DIR": str(tmp_path / "empty")})
    assert result.returncode != 0 and "run `visitcoach ingest` first" in result.stderr


def test_broken_knowledge_file_names_file_and_line(tmp_path):
    knowledge = tmp_path / "k" / "policy"
    knowledge.mkdir(parents=True)
    (knowledge / "bad.md").write_text("---\nid: bad\ntitle: [x\n---\nbody\n", encoding="utf-8")
    result = run(
        "ingest", env={"VISITCOACH_DATA_DIR": str(tmp_path / "d"), "VISITCOACH_KNOWLEDGE_DIR": str(tmp_path / "k")}
    )
    assert result.returncode == 1
    assert "bad.md:3: broken front matter" in result.stderr


def test_settings_command_masks_the_key(cli_env):
    result = run("settings", "--json", env={**cli_env, "OPENAI_API_KEY": "sk-secret"})
    rows = {r["name"]: r for r in json.loads(result.stdout)["settings"]}
    assert rows["OPENAI_API_KEY"]["value"] == "***"
    assert rows["VISITCOACH_LLM"]["value"] == "openai"
    assert "sk-secret" not in result.stdout


def test_validate_reports_problems_and_exit_code(tmp_path):
    good = run("validate", "--json", env={"VISITCOACH_KNOWLEDGE_DIR": str(ROOT / "knowledge")})
    assert good.returncode == 0 and json.loads(good.stdout)["ok"]
    bad = tmp_path / "k" / "legal"
    bad.mkdir(parents=True)
    (bad / "x.md").write_text(
        "---\nid: x\ntitle: X\ndoc_type: legal\njurisdiction: US\nlang: en\nconfidence: C\n---\n## s\ntext\n",
        encoding="utf-8",
    )
    result = run("validate", env={"VISITCOACH_KNOWLEDGE_DIR": str(tmp_path / "k")})
    assert result.returncode == 1
    assert "x.md:9: legal section without a cite attribute" in result.stderr
