"""Training: the exercise library trainers edit, attempts and assignments over time, the model-voiced
persona, safe-exit scoring, case limits and transcript export."""

from __future__ import annotations

import json

import pytest
import yaml
from typer.testing import CliRunner

from visitcoach.cli import app
from visitcoach.compliance import Checker
from visitcoach.corpus.cases import load_case
from visitcoach.errors import NotFoundError
from visitcoach.rehearsal import Grading, load_exercise, load_persona, replay, transcript_markdown
from visitcoach.rehearsal.voice import problems
from visitcoach.training import ExerciseError, ExerciseLibrary, TrainingStore, prepare
from visitcoach.ui import handlers as H
from visitcoach.ui import train as T
from visitcoach.ui.auth import Auth
from visitcoach.ui.handlers import Forbidden, Resources

from .conftest import ROOT, make_settings
from .openai_stub import OpenAIStub

KNOWLEDGE = ROOT / "knowledge"
SCRIPTS = ROOT / "tests" / "fixtures" / "rehearsal"


@pytest.fixture(scope="module")
def checker(tmp_path_factory):
    return Checker.from_settings(make_settings(tmp_path_factory.mktemp("training"), knowledge_dir=KNOWLEDGE))


@pytest.fixture
def lib(tmp_path):
    return ExerciseLibrary(KNOWLEDGE, tmp_path)


def script(name: str) -> list[str]:
    return (SCRIPTS / name).read_text(encoding="utf-8").splitlines()


# -- the exercise library ----------------------------------------------------------------------------


def test_an_exercise_from_a_case_keeps_no_identifier_of_the_case(lib):
    for case_id in ("CN-001", "US-003", "UK-005", "CN-009"):
        case = load_case(KNOWLEDGE, case_id)
        ex = lib.from_case(case_id, "trainer")
        text = lib.export_yaml(ex.id)
        people = [case.borrower, case.guarantor, *case.household]
        for value in [case.lender, case.employer, case.borrower.phone, case.borrower.address,
                      *(p.name for p in people if p is not None)]:
            assert not value or value not in text, (case_id, value)
        assert case.id not in text and ex.case_id is None and "from-case" in ex.tags
        assert ex.jurisdiction == case.jurisdiction and str(case.arrears) in ex.brief.en
        assert lib.get(ex.id) == ex  # saved and readable, with its references valid


def test_shipped_exercises_are_read_only_and_duplicates_get_the_next_free_id(lib, tmp_path):
    with pytest.raises(ExerciseError, match="read-only"):
        lib.save(lib.export_yaml("ex-us-01"), "trainer")
    first, second = lib.duplicate("ex-us-01", "trainer"), lib.duplicate("ex-us-01", "trainer")
    assert (first.id, second.id) == ("ex-us-10", "ex-us-11")
    assert (tmp_path / "exercises" / "ex-us-10.yaml").exists() and lib.is_shipped("ex-us-01")
    shipped_mark = lib.get("ex-us-01").pass_mark
    data = yaml.safe_load(lib.export_yaml(first.id))
    data["pass_mark"] = 0.85
    assert lib.save(yaml.safe_dump(data, allow_unicode=True), "trainer").pass_mark == 0.85
    assert lib.get("ex-us-10").pass_mark == 0.85 and lib.get("ex-us-01").pass_mark == shipped_mark


def test_export_then_import_round_trips_and_a_shipped_id_is_renumbered(lib):
    text = lib.export_yaml("ex-cn-02")
    imported = lib.import_yaml(text, "ex-cn-02.yaml", "trainer")
    assert imported.id == "ex-cn-10"
    assert imported.model_dump(exclude={"id"}) == lib.get("ex-cn-02").model_dump(exclude={"id"})


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: "id: [", "line 1"),
        (lambda d: yaml.safe_dump({**d, "colour": "red"}), "field 'colour'"),
        (lambda d: yaml.safe_dump({**d, "rubric": {**d["rubric"], "plan": 0.5}}), "sum to 1"),
        (lambda d: yaml.safe_dump({**d, "persona": "persona-uk-01"}), "field 'persona': persona-uk-01 is UK"),
        (lambda d: yaml.safe_dump({**d, "persona": "persona-us-09"}), "unknown persona"),
        (lambda d: yaml.safe_dump({**d, "case_id": "US-999"}), "field 'case_id': unknown case"),
        (lambda d: yaml.safe_dump({**d, "context": {"location": "moon"}}), "context"),
        (lambda d: "- just\n- a list\n", "expected a mapping"),
    ],
)
def test_a_bad_exercise_is_one_error_naming_the_field_and_writes_nothing(lib, tmp_path, edit, message):
    data = yaml.safe_load(lib.export_yaml("ex-us-01"))
    data["id"] = "ex-us-12"
    with pytest.raises(ExerciseError, match=message):
        lib.save(edit(data), "trainer", "upload.yaml")
    assert not (tmp_path / "exercises").exists() or not list((tmp_path / "exercises").iterdir())


def test_unknown_exercise_names_the_known_ones(lib):
    with pytest.raises(NotFoundError, match="ex-us-01"):
        lib.get("ex-us-77")


# -- attempts, assignments, the cohort ---------------------------------------------------------------


def test_attempts_progress_and_the_cohort(tmp_path, checker):
    store = TrainingStore(tmp_path / "training.sqlite")
    ex = load_exercise(KNOWLEDGE, "ex-us-01")
    persona = load_persona(KNOWLEDGE, ex.persona)
    good = replay(persona, checker, script("good-ex-us-01.txt"), context=dict(ex.context), grading=Grading.of(ex))
    bad = replay(persona, checker, script("bad-ex-us-01.txt"), context=dict(ex.context), grading=Grading.of(ex))
    store.assign("ana", "ex-us-01", "tess")
    store.assign("ana", "ex-us-02", "tess")
    store.assign("ben", "ex-us-01", "tess")
    first = store.record_attempt("ana", "ex-us-01", 0, bad)
    store.record_attempt("ana", "ex-us-01", 0, good)
    store.record_attempt("ben", "ex-us-01", 3, bad)
    assert store.attempt(first)["result"]["transcript"] == bad["transcript"]
    progress = store.progress("ana")
    assert [p["total"] for p in progress] == [bad["scorecard"]["total"], good["scorecard"]["total"]]
    assert {k for k in progress[0] if k.startswith("objective:")} == {f"objective:{o.id}" for o in ex.objectives}
    cohort = {r["trainee"]: r for r in store.cohort()}
    assert cohort["ana"]["attempts"] == 2 and cohort["ana"]["passed"] == 1
    assert cohort["ana"]["best_total"] == good["scorecard"]["total"] and cohort["ana"]["assigned_not_passed"] == ["ex-us-02"]
    assert cohort["ben"]["passed"] == 0 and cohort["ben"]["assigned_not_passed"] == ["ex-us-01"]
    compliance = [c["score"] for c in (bad, good) for c in c["scorecard"]["criteria"] if c["name"] == "compliance"]
    assert cohort["ana"]["compliance"] == pytest.approx(sum(compliance) / 2, abs=1e-3)
    done = {(s["trainee"], s["exercise_id"]): s for s in store.assignments()}
    assert done[("ana", "ex-us-01")]["passed"] and done[("ana", "ex-us-01")]["attempts"] == 2
    assert not done[("ben", "ex-us-01")]["passed"]
    with pytest.raises(NotFoundError, match="attempt 99"):
        store.attempt(99)


# -- the Train tab's handlers: roles and bad input ---------------------------------------------------


@pytest.fixture
def res(tmp_path):
    settings = make_settings(tmp_path, knowledge_dir=KNOWLEDGE)
    return Resources(settings, Auth(settings))


def test_only_trainers_and_admins_may_train(res):
    with pytest.raises(Forbidden):
        T.duplicate(res, "demo-agent", "ex-us-01")
    with pytest.raises(Forbidden):
        T.cohort(res, "demo-reviewer")
    assert T.duplicate(res, "demo-trainer", "ex-us-01")[1] == "ex-us-10"
    assert "demo-agent" in T.trainees(res) and "demo-reviewer" not in T.trainees(res)


def test_import_rejects_non_utf8_and_huge_files_by_name(res, tmp_path):
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes("title: caf\xe9\n".encode("latin-1"))
    with pytest.raises(Exception, match=r"latin1\.yaml: not UTF-8"):
        T.import_file(res, "demo-trainer", str(bad))
    huge = tmp_path / "huge.yaml"
    huge.write_text("x" * (T.MAX_IMPORT_BYTES + 1))
    with pytest.raises(Exception, match=r"huge\.yaml"):
        T.import_file(res, "demo-trainer", str(huge))


def test_assign_checks_the_trainee_exercise_and_date(res):
    with pytest.raises(Exception, match="trainee"):
        T.assign(res, "demo-trainer", "nobody", "ex-us-01", "")
    with pytest.raises(NotFoundError):
        T.assign(res, "demo-trainer", "demo-agent", "ex-us-77", "")
    with pytest.raises(Exception, match="due"):
        T.assign(res, "demo-trainer", "demo-agent", "ex-us-01", "next friday")
    rows = T.assign(res, "demo-trainer", "demo-agent", "ex-us-01", "2026-12-31")
    assert rows == [["demo-agent", "ex-us-01", "2026-12-31", "demo-trainer", 0, ""]]


def test_a_ui_rehearsal_is_stored_once_with_its_transcript_for_the_trainer(res, tmp_path):
    tok, _, brief = H.rehearse_start(res, "demo-agent", "ex-uk-03", 0)
    assert "Tom Ashworth" in brief
    for line in script("good-ex-uk-03.txt"):
        if res.session(tok).rehearsal.session.over:
            break
        H.rehearse_turn(res, "demo-agent", tok, line)
    card = H.rehearse_finish(res, "demo-agent", tok)
    assert "PASSED" in card and H.rehearse_finish(res, "demo-agent", tok) == card  # scored and stored once
    md, js = H.rehearse_transcript(res, "demo-agent", tok, tmp_path / "out")
    record = json.loads(open(js, encoding="utf-8").read())
    assert record["ended_by"] == "agent_left" and open(md, encoding="utf-8").read().startswith("# ex-uk-03")
    assert [r[1] for r in T.attempts(res, "demo-trainer")] == ["demo-agent"]
    text, files = T.transcript(res, "demo-trainer", T.attempts(res, "demo-trainer")[0][0], tmp_path / "t")
    assert "Samaritans" in text and len(files) == 2
    assert H.my_progress(res, "demo-agent")[0][1] == "ex-uk-03"
    with pytest.raises(Exception, match="Start a rehearsal"):
        H.rehearse_turn(res, "demo-trainer", tok, "hello")  # another user's token
    with pytest.raises(Exception, match="4,000"):
        tok2, _, _ = H.rehearse_start(res, "demo-agent", "persona-us-01", 1)
        H.rehearse_turn(res, "demo-agent", tok2, "x" * 5000)


# -- scoring: the safe-exit goal and a case's limits -------------------------------------------------


def test_a_safe_exit_exercise_rewards_stopping_and_penalises_taking_a_payment(checker):
    ex = load_exercise(KNOWLEDGE, "ex-uk-03")
    persona = load_persona(KNOWLEDGE, ex.persona)
    assert ex.goal == "safe_exit"
    good = replay(persona, checker, script("good-ex-uk-03.txt"), context=dict(ex.context), grading=Grading.of(ex))
    assert good["ended_by"] == "agent_left" and good["scorecard"]["passed"]
    crit = {c["name"]: c for c in good["scorecard"]["criteria"]}
    assert crit["outcome"]["score"] == 1.0 and crit["plan"]["score"] == 1.0
    # the same kind visit that then presses for a payment plan: no longer the right ending
    lines = script("good-ex-uk-03.txt")
    pushy = [*lines[:4], "Could you manage £50 a month as a payment plan, starting next week?", lines[-1]]
    worse = replay(persona, checker, pushy, context=dict(ex.context), grading=Grading.of(ex))
    plan = next(c for c in worse["scorecard"]["criteria"] if c["name"] == "plan")
    assert plan["score"] == 0.0 and "should have stopped" in plan["evidence"][0]
    assert worse["scorecard"]["total"] < good["scorecard"]["total"]
    # an agreement-goal exercise is scored as before: leaving without a plan is not a good outcome
    agreement = Grading.of(load_exercise(KNOWLEDGE, "ex-uk-01"))
    plain = replay(persona, checker, lines, context=dict(ex.context), grading=agreement)
    assert next(c for c in plain["scorecard"]["criteria"] if c["name"] == "outcome")["score"] < 1.0


def test_a_case_caps_what_counts_as_affordable(tmp_path, checker):
    settings = make_settings(tmp_path, knowledge_dir=KNOWLEDGE)
    free = prepare(settings, checker, persona_id="persona-us-01", seed=0, model=False)
    with_case = prepare(settings, checker, persona_id="persona-us-01", case_id="US-001", seed=0, model=False)
    assert free.session.cap is None and with_case.session.cap is not None
    assert with_case.session.context.jurisdiction == "US"
    offer = f"How about a payment plan of ${with_case.session.cap + 1} a month?"
    for r in (with_case,):
        r.session.agent_says("Hi, my name is Sam from Lanting Recovery, a debt collector. Am I speaking with Danielle?")
        r.session.agent_says(offer)
    assert with_case.session.offers[-1]["affordable"] is False
    with pytest.raises(NotFoundError, match="is CN"):
        prepare(settings, checker, persona_id="persona-us-01", case_id="CN-001", model=False)


# -- the model-voiced persona ------------------------------------------------------------------------


def test_the_in_character_guard():
    assert problems("I can't pay that, I've told you.", "en") == []
    assert problems("我现在真的拿不出这么多钱。", "zh") == []
    assert any("out of character" in p for p in problems("As the agent, you should offer a plan.", "en"))
    assert any("out of character" in p for p in problems("这是培训里的模拟对话。", "zh"))
    assert "not in Chinese" in problems("I cannot pay.", "zh") and problems("", "en")


@pytest.mark.server
def test_the_persona_speaks_through_the_model_guarded_and_redacted(tmp_path, checker):
    with OpenAIStub() as server:
        settings = make_settings(tmp_path, knowledge_dir=KNOWLEDGE, llm="openai", openai_base_url=server.base_url, llm_backoff=0)
        server.replies.extend([
            "Who are you? It's early and I just got off a night shift.",
            "As the agent, you should offer me a payment plan now.",  # out of character: rejected
            "This is a simulation, so be nice.",  # again: the bank line is used instead
        ])
        r = prepare(settings, checker, exercise_id="ex-us-01", case_id="US-001", seed=0)
        assert r.voice is not None
        r.session.agent_says("Hi, my name is Sam Hale from Northstar Recovery, a debt collector. Am I speaking with Danielle?")
        assert r.session.transcript[-1].text == "Who are you? It's early and I just got off a night shift."
        r.session.agent_says("I understand, take your time. How are things going at the moment?")
        reply = r.session.transcript[-1].text
        bank = [line for lines in r.session.persona.replies.values() for line in lines]
        assert any(reply.startswith(line) for line in bank)  # the persona's own line, not the model's
        assert "simulation" not in reply and "As the agent" not in reply
        assert any("out of character twice" in n for n in r.notices)
        sent = json.dumps([q["body"] for q in server.requests], ensure_ascii=False)
        case = load_case(KNOWLEDGE, "US-001")
        assert case.borrower.name not in sent and r.session.persona.name not in sent
        assert len(server.requests) == 3
        # the server goes away: the rehearsal goes on from the reply bank, with one notice
        server.replies.extend([500, 500, 500, 500])
        r.session.agent_says("What's your income each month, roughly?")
        r.session.agent_says("And your rent and bills?")
    assert r.voice.off and any("turned off" in n for n in r.notices)
    assert r.session.transcript[-1].text  # still answered


# -- the terminal ------------------------------------------------------------------------------------


def test_cli_rehearse_with_a_case_and_a_transcript_file(tmp_path, monkeypatch):
    monkeypatch.setenv("VISITCOACH_KNOWLEDGE_DIR", str(KNOWLEDGE))
    runner = CliRunner()
    out = tmp_path / "t.md"
    r = runner.invoke(app, ["rehearse", "persona-us-01", "--case", "US-001", "--script", str(SCRIPTS / "good-us-01.txt"),
                            "--transcript", str(out), "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert {"transcript", "scorecard", "ended_by"} <= set(data) and out.read_text(encoding="utf-8").startswith("# persona-us-01")
    r = runner.invoke(app, ["rehearse", "persona-us-01", "--case", "UK-001", "--script", str(SCRIPTS / "good-us-01.txt")])
    assert r.exit_code != 0 and "UK-001 is UK" in r.output


def test_transcript_markdown_lists_turns_alerts_and_the_scorecard(checker):
    persona = load_persona(KNOWLEDGE, "persona-us-01")
    result = replay(persona, checker, script("bad-us-01.txt"))
    md = transcript_markdown(result, "bad")
    assert md.startswith("# bad") and "**Agent**" in md and "⚠ violation" in md and "| compliance |" in md
