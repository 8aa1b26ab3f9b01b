"""The service layer: one call per use case, recording its artifact with the author, the same from the CLI and the UI."""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from visitcoach.cli import app
from visitcoach.config import reset_settings
from visitcoach.review.store import ArtifactStore
from visitcoach.services import Services, place_upload

from .conftest import FIXTURE_CORPUS, ROOT, SHIPPED, make_settings

VIOLATION = "If you don't pay today you'll be arrested."


@pytest.fixture()
def data_dir(tmp_path, fixture_index_dir, monkeypatch):
    """The shared fixture index in this test's data dir (the one the CLI reads), every clean artifact sampled."""
    data = tmp_path / "data"
    shutil.copytree(fixture_index_dir / "index", data / "index")
    knowledge = tmp_path / "knowledge"
    shutil.copytree(FIXTURE_CORPUS, knowledge)
    shutil.copytree(ROOT / "knowledge" / "rules", knowledge / "rules")  # the checker's rules with the tiny corpus
    monkeypatch.setenv("VISITCOACH_KNOWLEDGE_DIR", str(knowledge))
    monkeypatch.setenv("VISITCOACH_REVIEW_SAMPLE_RATE", "1")
    monkeypatch.setenv("LOGNAME", "os-agent")  # what getpass.getuser() reads first
    reset_settings()
    return data


def cli(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code in (0, 1), (result.output, result.exception)
    return result.stdout


def test_cli_check_and_ask_reach_the_review_queue_with_their_authors(data_dir, tmp_path):
    script = tmp_path / "script.txt"
    script.write_text(VIOLATION, encoding="utf-8")
    assert json.loads(cli("check", str(script), "--no-semantic", "--as", "alice", "--json"))["verdict"] == "fail"
    assert json.loads(cli("ask", "When may I visit a borrower in the US?", "--json"))["citations"]
    queue = json.loads(cli("review", "queue", "--as", "reviewer", "--seed", "1", "--json"))
    by_kind = {item["kind"]: item for item in queue["items"]}
    assert by_kind["check"]["author"] == "alice" and by_kind["check"]["worst_severity"] == "violation"
    assert by_kind["answer"]["author"] == "os-agent"
    shown = json.loads(cli("review", "show", str(by_kind["check"]["id"]), "--json"))
    assert shown["artifact"]["content"] == VIOLATION and shown["artifact"]["hash_ok"]


def test_cli_batch_prep_and_plan_are_recorded(data_dir, tmp_path):
    batch = tmp_path / "batch.jsonl"
    batch.write_text(json.dumps({"id": "r1", "text": VIOLATION, "context": {}}) + "\n", encoding="utf-8")
    cli("check", "--batch", str(batch), "--no-semantic", "--as", "bob", "--json")
    kinds = {(a["kind"], a["user"]) for a in ArtifactStore.from_settings(make_settings(data_dir)).list()}
    assert {("batch", "bob"), ("batch_item", "bob")} <= kinds


def test_ask_reads_a_follow_up_with_its_history_and_records_the_query(fixture_index_dir, tmp_path):
    data = tmp_path / "d"
    shutil.copytree(fixture_index_dir / "index", data / "index")
    services = Services(make_settings(data))
    history = [{"role": "user", "content": "What hours can we visit in the US?"}, {"role": "assistant", "content": "…"}]
    answer = services.ask("and in the UK?", history, None, None, "carol")
    assert answer.answer
    [row] = services.store().list(kind="answer")
    assert row["user"] == "carol" and row["payload"]["query"].endswith("and in the UK?")
    assert row["payload"]["understood"]["jurisdiction"] == "UK"


def test_warm_loads_the_index_and_the_checker_and_stores_nothing(pack_index_dir, tmp_path):
    data = tmp_path / "d"
    shutil.copytree(pack_index_dir / "index", data / "index")
    services = Services(make_settings(data, SHIPPED))
    services.warm()
    assert services._checker is not None and "embedder" in vars(services._index)  # loaded once, shared by later calls
    assert services.store().list(kind="answer") == [] and services.store().list(kind="check") == []
    Services(make_settings(tmp_path / "empty")).warm()  # an empty index: nothing to warm, and no error


def test_an_empty_question_or_index_is_refused(tmp_path):
    from visitcoach.errors import IndexStoreError, VisitCoachError

    services = Services(make_settings(tmp_path / "empty"))
    with pytest.raises(VisitCoachError, match="empty"):
        services.ask("  ")
    with pytest.raises(IndexStoreError, match="visitcoach ingest"):
        services.ask("anything")


def test_an_upload_gets_front_matter_or_a_sidecar(tmp_path):
    md = tmp_path / "My Policy.md"
    md.write_text("## Hours\nVisit 8-20.\n", encoding="utf-8")
    target = place_upload(md, "My policy", "US", "en", tmp_path / "uploads")
    assert target.name == "my-policy.md" and target.read_text(encoding="utf-8").startswith("---\nid: upload-my-policy\n")
    pdf = tmp_path / "scan.pdf"
    pdf.write_bytes(b"%PDF-1.4\n")
    assert (place_upload(pdf, "Scan", None, None, tmp_path / "uploads").parent / "scan.pdf.meta.yaml").exists()
    with pytest.raises(Exception, match="only PDF, DOCX or Markdown"):
        place_upload(tmp_path / "x.txt", "X", None, None, tmp_path / "uploads")
