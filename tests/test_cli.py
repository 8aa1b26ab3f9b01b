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


# --- visitcoach check ------------------------------------------------------------------------------

RULES_ENV = {"VISITCOACH_KNOWLEDGE_DIR": str(ROOT / "knowledge")}


def test_check_json_contract_from_a_file_with_context(tmp_path):
    script = tmp_path / "script.txt"
    script.write_text("If you don't pay today you'll be arrested.", encoding="utf-8")
    ctx = tmp_path / "ctx.yaml"
    ctx.write_text("jurisdiction: US\nvisit_time: '2026-03-02T21:30:00'\n", encoding="utf-8")
    result = run("check", str(script), "--context", str(ctx), "--json", "--no-semantic", env=RULES_ENV)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["verdict"] == "fail"
    cats = {f["category"] for f in data["findings"]}
    assert {"threat_arrest", "visit_time"} <= cats
    for f in data["findings"]:
        assert set(f) >= {
            "rule_id",
            "category",
            "severity",
            "start",
            "end",
            "text",
            "citation",
            "explanation",
            "suggestion",
        }
    time_finding = next(f for f in data["findings"] if f["category"] == "visit_time")
    assert time_finding["start"] is None and time_finding["citation"] == "15 U.S.C. 1692c(a)(1)"


def test_check_reads_stdin_and_fail_on_sets_the_exit_code():
    ok = subprocess.run(
        [sys.executable, "-m", "visitcoach", "check", "-", "--fail-on", "violation", "--no-semantic"],
        input="我们不会报警，这是民事纠纷。",
        capture_output=True,
        text=True,
        env={**os.environ, **RULES_ENV},
    )
    assert ok.returncode == 0 and "verdict: pass" in ok.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "visitcoach", "check", "-", "--fail-on", "violation", "--no-semantic"],
        input="不还钱就抓你坐牢。",
        capture_output=True,
        text=True,
        env={**os.environ, **RULES_ENV},
    )
    assert bad.returncode == 1 and "THREAT-ARREST-001" in bad.stdout


@pytest.mark.parametrize(
    ("content", "context", "message"),
    [
        (b"", None, "the script is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", None, "binary"),
        ("x" * 50_001, None, "limit is 50,000"),
        ("Hello", "planet: mars\n", "field 'planet': unknown field"),
        ("Hello", "visit_time: tonight\n", "field 'visit_time'"),
    ],
)
def test_check_bad_input_is_one_line(tmp_path, content, context, message):
    script = tmp_path / "s.txt"
    script.write_bytes(content if isinstance(content, bytes) else content.encode())
    args = ["check", str(script), "--no-semantic"]
    if context:
        (tmp_path / "c.yaml").write_text(context, encoding="utf-8")
        args += ["--context", str(tmp_path / "c.yaml")]
    result = run(*args, env=RULES_ENV)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode != 0 and len(lines) == 1 and message in lines[0], result.stderr


def test_check_batch_jsonl_with_a_bad_row(tmp_path):
    rows = [
        {"id": "a", "text": "You will not be arrested.", "context": {"jurisdiction": "US"}},
        "not json",
        {"id": "c", "text": "不还钱就抓你坐牢。", "context": {"jurisdiction": "CN", "collectors": 1}},
        {"id": "d", "text": "", "context": {}},
        {"id": "e", "text": "Hi", "context": {"jurisdiction": "XX"}},
    ]
    path = tmp_path / "batch.jsonl"
    path.write_text(
        "\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8"
    )
    result = run(
        "check", "--batch", str(path), "--json", "--no-semantic", "--out", str(tmp_path / "out"), env=RULES_ENV
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    results = data["results"]
    assert [r["id"] for r in results] == ["a", "row-2", "c", "d", "e"]
    assert results[0]["verdict"] == "pass"
    assert "row 2" in results[1]["error"] and "row 4" in results[3]["error"] and "jurisdiction" in results[4]["error"]
    assert {f["category"] for f in results[2]["findings"]} >= {"threat_arrest", "visit_staffing"}
    assert data["summary"]["errors"] == 3 and data["summary"]["findings_by_category"]["threat_arrest"] == 1
    reports = sorted(p.suffix for p in (tmp_path / "out").iterdir())
    assert reports == [".csv", ".json"]


def test_check_batch_csv(tmp_path):
    path = tmp_path / "batch.csv"
    path.write_text(
        'id,text,context\n1,"Let me in, we\'ll talk inside.","{""jurisdiction"": ""UK""}"\n2,Good morning,\n',
        encoding="utf-8",
    )
    result = run("check", "--batch", str(path), "--json", "--no-semantic", "--out", str(tmp_path), env=RULES_ENV)
    data = json.loads(result.stdout)
    assert data["results"][0]["verdict"] == "fail" and data["results"][1]["verdict"] == "pass"
    assert (
        run(
            "check",
            "--batch",
            str(path),
            "--fail-on",
            "violation",
            "--no-semantic",
            "--out",
            str(tmp_path),
            env=RULES_ENV,
        ).returncode
        == 1
    )
