"""Visit briefs over the shipped pack: go / no-go, windows, citations that resolve, a checked opening,
and post-visit follow-up."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from visitcoach.cli import app
from visitcoach.compliance import Checker
from visitcoach.evals import prep as prep_eval
from visitcoach.prep import build_brief, render_brief
from visitcoach.prep.windows import parse_inconvenient, windows
from visitcoach.retrieval.index import KnowledgeIndex

from .conftest import ROOT, make_settings

KNOWLEDGE = ROOT / "knowledge"
ROWS = prep_eval.load_cases(ROOT / "evals" / "datasets" / "prep.jsonl")
AT = dt.datetime(2026, 11, 30, 9, 0)


@pytest.fixture(scope="module")
def env(pack_index_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    data = tmp_path_factory.mktemp("prep-data")
    for name in ("index",):
        shutil.copytree(pack_index_dir / name, data / name)
    settings = make_settings(data, KNOWLEDGE)
    return settings, Checker.from_settings(settings), KnowledgeIndex(settings)


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.case_id)
def test_every_shipped_case_gets_a_cited_offline_brief(env, row):
    settings, checker, index = env
    brief = build_brief(settings, row.case_id, as_of=row.as_of, checker=checker, index=index)
    data = brief.as_dict()
    decision = data["decision"]
    assert prep_eval.compare_decision(row, decision) == []
    assert prep_eval.missing_elements(row, data) == []
    # Every citation points at a chunk of the index, and every reference points at a listed citation.
    numbers = {c["n"] for c in data["citations"]}
    assert all(index.chunk(c["chunk_id"]) is not None for c in data["citations"])
    refs = [n for section in (decision["reason_details"], decision["notes"], data["checklist"], data["rules"],
                              data["worth"]["lines"], data["negotiation"]["lines"]) for item in section for n in item["citations"]]
    assert refs and set(refs) <= numbers
    # The opening script passes the checker as an opening at this address.
    assert data["opening_check"]["verdict"] == "pass"
    report = checker.check(data["opening_script"], lang=brief.lang)
    assert not [f for f in report.findings if f.severity == "violation" and f.layer != "context"]
    assert brief.case.borrower.name in data["opening_script"]
    assert render_brief(brief).count("##") >= 9


def test_a_brief_in_the_other_language_cites_that_languages_policy(env):
    settings, checker, index = env
    zh = build_brief(settings, "US-001", as_of=AT, lang="zh", checker=checker, index=index).as_dict()
    assert any(c["citation"].startswith("外访管理制度 §") for c in zh["citations"])
    assert "债务催收方" in zh["opening_script"]
    en = build_brief(settings, "CN-001", as_of=AT, lang="en", checker=checker, index=index).as_dict()
    assert any(c["citation"].startswith("Field Visit Policy §") for c in en["citations"])


def test_no_go_reasons_name_the_flag_and_cite_the_law(env):
    settings, checker, index = env
    data = build_brief(settings, "US-004", as_of=AT, checker=checker, index=index).as_dict()
    assert data["decision"]["visit_allowed"] is False
    assert data["decision"]["reasons"] == ["dispute_pending"]
    cited = {data["citations"][n - 1]["citation"] for n in data["decision"]["reason_details"][0]["citations"]}
    assert "15 U.S.C. 1692g" in cited and "Field Visit Policy §2.3" in cited
    assert data["worth"]["recommendation"] == "no_visit" and data["decision"]["windows"] == []


def test_empty_index_is_one_clear_error(tmp_path):
    from visitcoach.errors import IndexStoreError

    with pytest.raises(IndexStoreError, match="visitcoach ingest"):
        build_brief(make_settings(tmp_path / "empty", KNOWLEDGE), "CN-001", as_of=AT)


# -- windows ------------------------------------------------------------------------------------------


def test_inconvenient_times_are_read():
    def read(text):
        return [(sorted(b.days), b.start, b.end) for b in parse_inconvenient(text)]

    assert read("weekdays 08:00-17:30 (at work)") == [([0, 1, 2, 3, 4], 480, 1050)]
    assert read("Sunday-Thursday 22:00-07:30") == [([0, 1, 2, 3, 6], 1320, 450)]
    assert read("每日11:00-13:30及17:00-20:30（营业高峰）") == [(list(range(7)), 660, 810), (list(range(7)), 1020, 1230)]
    assert read("每周二、周四上午（医院化疗）") == [([1, 3], 480, 720)]
    assert read("每日18:00以后") == [(list(range(7)), 1080, 1440)]
    assert read("when it suits her") == []


def test_overnight_busy_time_blocks_the_next_morning():
    busy = parse_inconvenient("Friday 20:00-10:00")
    got = [w.as_dict() for w in windows(dt.datetime(2026, 12, 4, 8, 0), 2, (8 * 60, 21 * 60), busy)]
    assert got == [
        {"date": "2026-12-04", "start": "08:00", "end": "20:00"},
        {"date": "2026-12-05", "start": "10:00", "end": "21:00"},
    ]


# -- follow-up -------------------------------------------------------------------------------------------

RECORD = """\
case_id: CN-001
visit_date: "2026-12-02"
time_in: "14:00"
time_out: "14:40"
attendees:
  - {name: "Zhang Wei", staff_number: "B-1024"}
  - {name: "Li Na", staff_number: "B-2048"}
customer_met: true
id_shown: true
identity_verified: true
recording_consent: true
outcome: plan_agreed
agreed: {kind: reduced_payment, instalment: "282.00", first_date: "2026-12-15", instalments: 6}
requests: [no_workplace_contact]
vulnerability_observed: false
"""


def run(*args: str):
    return CliRunner().invoke(app, list(args))


def test_followup_schedules_and_appends_to_the_case_history(env, tmp_path, monkeypatch):
    settings, checker, index = env
    monkeypatch.setenv("VISITCOACH_KNOWLEDGE_DIR", str(KNOWLEDGE))
    monkeypatch.setenv("VISITCOACH_DATA_DIR", str(settings.data_dir))
    record = tmp_path / "visit.yaml"
    record.write_text(RECORD, encoding="utf-8")
    before = build_brief(settings, "CN-001", as_of=AT, checker=checker, index=index)
    result = run("followup", "CN-001", "--record", str(record), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["valid"] and data["saved"] and data["problems"] == []
    actions = [(t["date"], t["action"]) for t in data["schedule"]]
    assert ("2026-12-12", "Send a discreet reminder of the first payment of 282.00.") in actions
    assert any(d == "2026-12-16" and a.startswith("Check payment 1 of 6") for d, a in actions)
    assert any(d == "2027-03-15" and a.startswith("Review the plan") for d, a in actions)  # review after 3 months
    assert any(a.startswith("Record the request: no contact at work") for _, a in actions)
    assert [t["date"] for t in data["schedule"]] == sorted(t["date"] for t in data["schedule"])
    after = build_brief(settings, "CN-001", as_of=AT, checker=checker, index=index)
    assert len(after.case.previous_visits) == len(before.case.previous_visits) + 1
    assert after.case.previous_visits[-1].result == "plan_agreed"


def test_a_record_that_breaks_the_policy_is_not_saved(tmp_path, monkeypatch):
    monkeypatch.setenv("VISITCOACH_KNOWLEDGE_DIR", str(KNOWLEDGE))
    monkeypatch.setenv("VISITCOACH_DATA_DIR", str(tmp_path / "d"))
    bad = RECORD.replace('  - {name: "Li Na", staff_number: "B-2048"}\n', "").replace('time_out: "14:40"', 'time_out: "22:30"')
    record = tmp_path / "visit.yaml"
    record.write_text(bad, encoding="utf-8")
    result = run("followup", "CN-001", "--record", str(record), "--json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert not data["valid"] and not data["saved"]
    texts = " ".join(p["text"] for p in data["problems"])
    assert "1 collector(s) attended" in texts and "outside the permitted 08:00–22:00" in texts
    assert not (tmp_path / "d" / "history.sqlite").exists()


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda t: t.replace('time_in: "14:00"', 'time_in: "2pm"'), r"visit\.yaml: field 'time_in': .*not a time like 14:30"),
        (lambda t: t + "mood: grumpy\n", r"visit\.yaml: field 'mood': unknown field"),
        (lambda t: t.replace("customer_met: true\n", ""), r"visit\.yaml: field 'customer_met': required field is missing"),
        (lambda t: t.replace("case_id: CN-001", "case_id: CN-002"), r"the record is for 'CN-002', not CN-001"),
        (lambda t: t + "  broken: [\n", r"visit\.yaml: broken YAML"),
        (lambda t: t.replace('time_out: "14:40"', 'time_out: "13:00"'), r"time_out 13:00 is not after time_in 14:00"),
    ],
)
def test_bad_records_are_one_clear_error(tmp_path, monkeypatch, mutate, message):
    monkeypatch.setenv("VISITCOACH_KNOWLEDGE_DIR", str(KNOWLEDGE))
    record = tmp_path / "visit.yaml"
    record.write_text(mutate(RECORD), encoding="utf-8")
    result = run("followup", "CN-001", "--record", str(record))
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    import re

    assert re.search(message, lines[0]), lines[0]


def test_cli_prep_json_has_the_contract_keys(env, monkeypatch):
    settings, _, _ = env
    monkeypatch.setenv("VISITCOACH_KNOWLEDGE_DIR", str(KNOWLEDGE))
    monkeypatch.setenv("VISITCOACH_DATA_DIR", str(settings.data_dir))
    result = run("prep", "UK-001", "--at", "2026-11-30T09:00", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {"case_id", "decision", "opening_script", "citations"} <= set(data)
    assert {"visit_allowed", "reasons", "windows"} <= set(data["decision"])
    assert data["decision"]["windows"] == next(r for r in ROWS if r.case_id == "UK-001").expected.windows
    bad = run("prep", "UK-999")
    assert bad.exit_code == 1 and "unknown case id 'UK-999'" in bad.output


@pytest.mark.server
def test_llm_opening_never_sees_the_borrower(env):
    from .openai_stub import OpenAIStub

    settings, checker, index = env
    with OpenAIStub() as server:
        server.replies.append(lambda body: body["messages"][-1]["content"].replace("Is now a good time", "Is this a good moment"))
        llm = settings.model_copy(update={"llm": "openai", "openai_base_url": server.base_url})
        brief = build_brief(llm, "US-001", as_of=AT, checker=checker, index=index)
    assert brief.opening_check["source"] == "llm" and "Is this a good moment" in brief.opening_script
    assert brief.case.borrower.name in brief.opening_script
    assert brief.case.borrower.name.split()[-1] not in server.bodies()
