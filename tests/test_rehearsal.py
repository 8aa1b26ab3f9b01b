"""The borrower simulator: scripted agents, live alerts, the scorecard, reproducibility."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from visitcoach.cli import app
from visitcoach.compliance import Checker
from visitcoach.errors import NotFoundError
from visitcoach.evals.rehearsal import load_cases as load_rehearsals
from visitcoach.rehearsal import Session, load_exercise, load_persona, replay
from visitcoach.rehearsal.intents import amounts, detect

from .conftest import ROOT, make_settings

KNOWLEDGE = ROOT / "knowledge"
SCRIPTS = ROOT / "tests" / "fixtures" / "rehearsal"


@pytest.fixture(scope="module")
def checker(tmp_path_factory):
    return Checker.from_settings(make_settings(tmp_path_factory.mktemp("rehearsal"), knowledge_dir=KNOWLEDGE))


def lines(name: str) -> list[str]:
    return (SCRIPTS / name).read_text(encoding="utf-8").splitlines()


def test_a_model_agent_reaches_an_affordable_agreement_and_passes(checker):
    persona = load_persona(KNOWLEDGE, "persona-us-01")
    result = replay(persona, checker, lines("good-us-01.txt"))
    card = result["scorecard"]
    assert result["ended_by"] == "agreement" and card["passed"] and card["total"] >= 0.9
    assert not [f for t in result["transcript"] for f in t["findings"] if f["severity"] == "violation"]
    plan = next(c for c in card["criteria"] if c["name"] == "plan")
    assert plan["score"] == 1.0 and "offered 430" in plan["evidence"][0]
    discovery = next(c for c in card["criteria"] if c["name"] == "discovery")
    assert any("surgery" in e for e in discovery["evidence"])  # a hidden fact earned by a good question


def test_an_aggressive_agent_fails_with_the_right_findings_and_the_persona_ends_it(checker):
    persona = load_persona(KNOWLEDGE, "persona-us-01")
    result = replay(persona, checker, lines("bad-us-01.txt"))
    categories = {f["category"] for t in result["transcript"] for f in t["findings"] if f["severity"] == "violation"}
    assert {"threat_arrest", "pressure_borrow_sell", "missing_disclosure"} <= categories
    assert result["ended_by"] in ("complaint", "persona_ended") and not result["scorecard"]["passed"]
    assert len([t for t in result["transcript"] if t["role"] == "agent"]) < len([x for x in lines("bad-us-01.txt") if x])


def test_the_same_seed_gives_the_same_conversation(checker):
    persona = load_persona(KNOWLEDGE, "persona-us-01")
    a = replay(persona, checker, lines("good-us-01.txt"), seed=7)
    b = replay(persona, checker, lines("good-us-01.txt"), seed=7)
    assert a == b
    others = {json.dumps([t["text"] for t in replay(persona, checker, lines("good-us-01.txt"), seed=s)["transcript"]]) for s in range(6)}
    assert len(others) > 1  # replies vary with the seed


def test_intents_in_both_languages():
    assert {"identify_disclose", "verify_identity"} <= detect("您好，我是北辰信用管理服务有限公司的工作人员，工号B-1024。请问您是林女士本人吗？", [])
    assert {"empathy", "ask_income"} <= detect("我理解您现在不容易。方便说一下您每月的收入大概多少吗？", [])
    assert {"offer_plan"} <= detect("How about a payment plan of $200 a month?", [])
    assert amounts("每月还 800 元，或者 $430 a month") == [800, 430]


def test_asked_to_leave_and_staying_counts_as_refusing_to_leave(checker):
    persona = load_persona(KNOWLEDGE, "persona-us-01")
    session = Session.start(persona, checker)
    session.asked_to_leave = True
    turn = session.agent_says("Just one more thing about your balance.")
    assert "refuse_to_leave" in turn.intents


def test_unknown_persona_and_exercise_are_one_clear_error():
    with pytest.raises(NotFoundError, match=r"unknown persona 'persona-xx-01'.*persona-us-01"):
        load_persona(KNOWLEDGE, "persona-xx-01")
    with pytest.raises(NotFoundError, match=r"unknown exercise 'ex-zz-01'"):
        load_exercise(KNOWLEDGE, "ex-zz-01")


def test_cli_rehearse_script_json_has_the_contract_keys(monkeypatch):
    monkeypatch.setenv("VISITCOACH_KNOWLEDGE_DIR", str(KNOWLEDGE))
    result = CliRunner().invoke(app, ["rehearse", "--exercise", "ex-us-01", "--script", str(SCRIPTS / "good-us-01.txt"), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {"transcript", "scorecard", "ended_by"} <= set(data)
    assert {"total", "pass_mark", "passed", "criteria"} <= set(data["scorecard"])
    assert data["scorecard"]["pass_mark"] == load_exercise(KNOWLEDGE, "ex-us-01").pass_mark
    assert all({"role", "text", "findings"} <= set(t) for t in data["transcript"])


REHEARSALS = load_rehearsals(ROOT / "evals" / "datasets" / "rehearsal.jsonl")


def test_every_shipped_exercise_has_a_good_and_a_bad_scripted_agent():
    exercises = {p.stem for p in (KNOWLEDGE / "exercises").glob("ex-*.yaml")}
    assert {r.exercise for r in REHEARSALS if r.id.startswith("good-")} == exercises
    assert {r.exercise for r in REHEARSALS if r.id.startswith("bad-")} == exercises


@pytest.mark.parametrize("row", REHEARSALS, ids=lambda r: r.id)
def test_scripted_agents_pass_or_fail_their_exercise(checker, row):
    from visitcoach.rehearsal import Grading

    ex = load_exercise(KNOWLEDGE, row.exercise)
    result = replay(load_persona(KNOWLEDGE, ex.persona), checker, (ROOT / row.script).read_text(encoding="utf-8").splitlines(),
                    context=dict(ex.context), seed=row.seed, grading=Grading.of(ex))
    card = result["scorecard"]
    assert card["passed"] is row.expected.passed
    assert row.expected.min_total <= card["total"] <= row.expected.max_total
    if row.expected.passed:
        assert not [f for t in result["transcript"] for f in t["findings"] if f["severity"] == "violation"]


def test_a_learned_warning_is_shown_but_does_not_move_the_simulated_borrower():
    from visitcoach.compliance.checker import Finding
    from visitcoach.rehearsal.intents import detect

    said = "你在兰亭的贷款已经逾期两期了，今天我们就是来收这个钱的。"
    kw = dict(category="impersonation", severity="warning", start=0, end=len(said), text=said, citation="c", explanation="e", suggestion="s")
    alone = detect(said, [])  # what the words say by themselves ("逾期", "收这个钱": the balance)
    assert "threat" not in alone
    assert detect(said, [Finding("IMPERSONATION-003", layer="learned", score=0.63, **kw)]) == alone
    assert detect(said, [Finding("IMPERSONATION-003", layer="phrase", **kw)]) == alone | {"threat"}
