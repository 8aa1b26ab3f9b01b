"""The model layer against a real OpenAI-compatible HTTP server: redaction, retries, streaming,
timeouts, the call log and the guard loop."""

from __future__ import annotations

import socket

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from visitcoach.compliance import Checker, VisitContext
from visitcoach.errors import BackendError, ConfigError
from visitcoach.guard import guarded_generate
from visitcoach.llm.backend import LLMClient
from visitcoach.llm.calllog import CallLog
from visitcoach.llm.redact import Redactor, luhn, valid_cn_id

from .conftest import ROOT, make_settings
from .openai_stub import OpenAIStub, Slow

# Identifiers of every kind the redactor must catch (all fictional; the ID and card pass their checksums).
IDENTIFIERS = {
    "ID": "110101199003074514",
    "CARD": "4111 1111 1111 1111",
    "CARD2": "6222020200112233446",
    "MOBILE": "138 1234 5678",
    "MOBILE2": "+86 13912345678",
    "LANDLINE": "010-12345678",
    "EMAIL": "liu.xiumei@example.com",
    "SSN": "123-45-6789",
    "NINO": "AB 12 34 56 C",
    "US_PHONE": "(212) 555-0187",
    "UK_PHONE": "020 7946 0958",
    "EN_ADDRESS": "45 Sample Avenue",
    "ZH_ADDRESS": "浦东新区张江路123号5栋2单元301室",
}


def test_checksums():
    assert valid_cn_id("110101199003074514") and not valid_cn_id("110101199003074515")
    assert luhn("4111 1111 1111 1111") and not luhn("4111 1111 1111 1112")


def test_every_identifier_kind_is_replaced_and_restored():
    text = "客户刘秀梅（刘女士）" + "；".join(IDENTIFIERS.values()) + "。Balance CNY 41,236.50, due 2027-01-01, 60% cap."
    r = Redactor(names=["刘秀梅"])
    out = r.redact(text)
    for kind, value in IDENTIFIERS.items():
        assert value not in out, kind
    assert "刘" not in out
    # amounts, dates and shares are not identifiers
    assert "41,236.50" in out and "2027-01-01" in out and "60%" in out
    assert r.restore(out).replace("刘秀梅（刘秀梅）", "刘秀梅（刘女士）") == text


def test_invalid_checksums_are_masked_too():
    # Fail-safe (#20): a mistyped ID-card or card number is still somebody's; the checksum only names the kind.
    r = Redactor()
    assert r.redact("ref 110101199003074515 and 4111 1111 1111 1112") == "ref [CN_ID_1] and [ACCOUNT_1]"
    assert r.redact("card 4111 1111 1111 1111") == "card [CARD_1]"


def test_placeholders_are_stable_and_people_keep_one_placeholder():
    r = Redactor(names=["Helen Okafor"])
    a = r.redact("Helen Okafor called from 555-0103.")
    b = r.redact("Mrs Okafor (Helen) called again from 555-0103.")
    assert a == "[PERSON_1] called from [PHONE_1]."
    assert b == "[PERSON_1] ([PERSON_1]) called again from [PHONE_1]."


def test_case_people_are_known(tmp_path):
    from visitcoach.corpus.cases import load_case

    case = load_case(ROOT / "knowledge", "US-003")
    r = Redactor.for_people([case.borrower, case.guarantor, *case.household])
    text = f"{case.borrower.name} and her brother {case.guarantor.name} ({case.guarantor.email}, {case.guarantor.phone}) at {case.borrower.address}"
    out = r.redact(text)
    for value in (case.borrower.name, case.guarantor.name, case.guarantor.email, case.guarantor.phone, case.borrower.address):
        assert value not in out
    assert r.restore(out) == text


def test_a_chinese_borrowers_latin_name_is_known_too():
    from visitcoach.corpus.cases import load_case

    case = load_case(ROOT / "knowledge", "CN-001")
    assert case.borrower.name_latin  # the English letter addresses her by it
    r = Redactor.for_people([case.borrower])
    given = case.borrower.name_latin.split()[-1]  # "Xiumei" alone: no surname or cue for detection to go on
    text = f"Dear {case.borrower.name_latin}, ({case.borrower.name}). {given} said she would pay."
    out = r.redact(text)
    assert case.borrower.name_latin not in out and case.borrower.name not in out and given not in out
    assert r.restore(out).startswith(f"Dear {case.borrower.name_latin}, ({case.borrower.name}).")  # a part restores as the whole name


@settings(max_examples=200, deadline=None)
@given(parts=st.lists(st.sampled_from([*IDENTIFIERS.values(), "please call", "余额", "USD 1,200.00", " ", "\n"]), max_size=8))
def test_redaction_round_trips_and_leaks_nothing(parts):
    text = " ".join(parts)
    r = Redactor()
    out = r.redact(text)
    for value in IDENTIFIERS.values():
        assert value not in out
    assert r.restore(out) == text


# -- the client, against a real server ----------------------------------------------------------


def client(server: OpenAIStub, tmp_path, **over) -> LLMClient:
    s = make_settings(tmp_path / "data", llm="openai", openai_base_url=server.base_url, llm_backoff=0, **over)
    return LLMClient(s)


@pytest.mark.server
def test_a_normal_completion_is_logged_redacted(tmp_path):
    with OpenAIStub() as server:
        server.replies.append(lambda body: "Noted: " + body["messages"][1]["content"])
        c = client(server, tmp_path, chat_model="gpt-4o-mini")
        r = Redactor(names=["刘秀梅"])
        out = c.complete("ask", "You help agents.", "刘秀梅的手机是13812345678，邮箱 liu@example.com。", redactor=r)
    assert out.text == "Noted: 刘秀梅的手机是13812345678，邮箱 liu@example.com。"
    sent = server.bodies()
    assert "刘秀梅" not in sent and "13812345678" not in sent and "liu@example.com" not in sent
    row = c.call_log.rows()[0]
    assert row["task"] == "ask" and row["status"] == "ok" and row["attempts"] == 1
    assert row["prompt_tokens"] > 0 and row["completion_tokens"] > 0 and row["cost_usd"] > 0
    assert "[PERSON_1]" in row["redacted_prompt"] and "刘秀梅" not in row["redacted_prompt"]
    assert "13812345678" not in (row["redacted_reply"] or "")


@pytest.mark.server
def test_streaming_restores_placeholders_split_across_chunks(tmp_path):
    with OpenAIStub() as server:
        server.replies.append("Dear [PERSON_1], thank you. Your number [PHONE_1] is on file.")
        c = client(server, tmp_path)
        r = Redactor(names=["Helen Okafor"])
        r.redact("Helen Okafor 555-0103")
        pieces: list[str] = []
        out = c.complete("proposal", "sys", "Write to Helen Okafor.", redactor=r, on_token=pieces.append)
    assert server.requests[0]["body"]["stream"] is True
    assert len(pieces) > 3
    assert "".join(pieces) == out.text == "Dear Helen Okafor, thank you. Your number 555-0103 is on file."
    assert all("[PERSON" not in p and "[PHONE" not in p for p in pieces)


@pytest.mark.server
def test_a_500_then_success_is_retried(tmp_path):
    with OpenAIStub() as server:
        server.replies.extend([500, "fine"])
        c = client(server, tmp_path)
        out = c.complete("ask", "sys", "hello")
    assert out.text == "fine" and out.attempts == 2 and len(server.requests) == 2


@pytest.mark.server
def test_a_timeout_names_the_setting(tmp_path):
    with OpenAIStub() as server:
        server.replies.append(Slow(2.0, "too late"))
        c = client(server, tmp_path, llm_timeout=0.3, llm_retries=0)
        with pytest.raises(BackendError, match=r"within 0.3 s \(VISITCOACH_LLM_TIMEOUT\)"):
            c.complete("ask", "sys", "hello")
    assert c.call_log.rows()[0]["status"] == "error"


@pytest.mark.server
@pytest.mark.parametrize(("status", "setting"), [(404, "VISITCOACH_CHAT_MODEL"), (401, "OPENAI_API_KEY")])
def test_permanent_errors_are_not_retried_and_name_the_setting(tmp_path, status, setting):
    with OpenAIStub() as server:
        server.replies.extend([status, "never"])
        c = client(server, tmp_path)
        with pytest.raises(BackendError, match=setting):
            c.complete("ask", "sys", "hello")
    assert len(server.requests) == 1


def test_an_unreachable_server_names_the_base_url(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    s = make_settings(tmp_path / "data", llm="openai", openai_base_url=f"http://127.0.0.1:{port}/v1", llm_retries=1, llm_backoff=0)
    with pytest.raises(BackendError, match=f"cannot reach VISITCOACH_OPENAI_BASE_URL=http://127.0.0.1:{port}/v1.*after 2 attempts"):
        LLMClient(s).complete("ask", "sys", "hello")


def test_offline_mode_has_no_client(tmp_path):
    with pytest.raises(ConfigError, match="VISITCOACH_LLM=openai"):
        LLMClient(make_settings(tmp_path / "data"))


def test_call_log_totals(tmp_path):
    log = CallLog(tmp_path / "calls.sqlite")
    for task in ("ask", "ask", "prep"):
        log.record(task=task, model="m", prompt_tokens=10, completion_tokens=5, latency_ms=12.0, cost_usd=0.001,
                   attempts=1, status="ok", error=None, redacted_prompt="p", redacted_reply="r")
    totals = log.totals()
    assert totals["ask"]["calls"] == 2 and totals["ask"]["prompt_tokens"] == 20 and totals["prep"]["calls"] == 1


# -- the guard loop ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def checker(tmp_path_factory):
    return Checker.from_settings(make_settings(tmp_path_factory.mktemp("guard"), knowledge_dir=ROOT / "knowledge"), semantic=False)


@pytest.mark.server
def test_guard_rewrites_a_violating_draft(tmp_path, checker):
    with OpenAIStub() as server:
        server.replies.extend(["If you don't pay today we will call the police and you will be arrested.",
                               "We would like to agree a plan you can afford."])
        c = client(server, tmp_path)
        result = guarded_generate(c, checker, VisitContext(jurisdiction="US"), task="persona", lang="en",
                                  system="sys", user="Write a line.")
    assert result.verdict == "pass" and result.attempts == 2
    assert result.text == "We would like to agree a plan you can afford."
    rewrite = server.requests[1]["body"]["messages"]
    assert "threat_arrest" in rewrite[0]["content"] and "arrested" in rewrite[1]["content"]


@pytest.mark.server
def test_guard_blocks_a_draft_that_keeps_failing(tmp_path, checker):
    bad = "你要是不还钱，我们就报警抓你。"
    with OpenAIStub() as server:
        server.replies.extend([bad] * 5)
        c = client(server, tmp_path, guard_max_tries=2)
        result = guarded_generate(c, checker, VisitContext(jurisdiction="CN"), task="persona", lang="zh",
                                  system="sys", user="写一句话")
    assert result.verdict == "blocked" and result.text == "" and result.blocked_text == bad
    assert result.attempts == 3 and len(server.requests) == 3
    assert {f.category for f in result.findings} >= {"threat_arrest"}


# -- the checker's optional second opinion ---------------------------------------------------------


@pytest.mark.server
def test_second_opinion_adds_model_findings_and_never_removes_rule_findings(tmp_path, checker):
    import json as _json

    from visitcoach.compliance.second_opinion import second_opinion

    text = "You'll be arrested if you don't pay. Maybe your cousin knows someone who could help you out with cash. Call 555-0103."
    ctx = VisitContext(jurisdiction="US")
    # The rules alone miss the cousin sentence (the learned layer catches it: see the end of this test).
    rules_only = Checker.from_settings(make_settings(tmp_path / "rules", ROOT / "knowledge"), semantic=False, learned=False)
    report = rules_only.check(text, ctx, lang="en")
    assert report.verdict == "fail" and any(f.category == "threat_arrest" for f in report.findings)
    assert not any(f.category == "pressure_borrow_sell" for f in report.findings)
    verdicts = {"findings": [
        {"category": "pressure_borrow_sell", "quote": "your cousin knows someone who could help you out with cash", "reason": "Suggests borrowing from family."},
        {"category": "threat_arrest", "quote": "You'll be arrested", "reason": "duplicate of a rule finding"},
        {"category": "made_up", "quote": "Call", "reason": "not a category"},
        {"category": "abusive_language", "quote": "you deadbeat", "reason": "not in the script"},
    ]}
    with OpenAIStub() as server:
        server.replies.append(_json.dumps(verdicts))
        server.replies.append(_json.dumps(verdicts))
        s = make_settings(tmp_path / "data", ROOT / "knowledge", llm="openai", openai_base_url=server.base_url)
        out = second_opinion(s, rules_only, report, text, ctx, "en")
        # With the learned layer on, its own pressure finding stands and the model's duplicate is not added.
        learned_report = checker.check(text, ctx, lang="en")
        learned_out = second_opinion(s, checker, learned_report, text, ctx, "en")
    model = [f for f in out.findings if f.layer == "model"]
    assert [(f.category, f.severity, f.text) for f in model] == [("pressure_borrow_sell", "warning", "your cousin knows someone who could help you out with cash")]
    assert model[0].citation and model[0].explanation == "Suggests borrowing from family."
    assert all(f in out.findings for f in report.findings) and out.verdict == report.verdict
    assert "555-0103" not in server.bodies() and "judge" in c_tasks(s)
    assert all(f in learned_out.findings for f in learned_report.findings)
    pressure = [f for f in learned_out.findings if f.category == "pressure_borrow_sell"]
    assert len(pressure) == 1  # one finding of the category, whichever layer found it


def c_tasks(s) -> set[str]:
    return {r["task"] for r in CallLog(s.data_dir / "calls.sqlite").rows()}


@pytest.mark.server
def test_second_opinion_ignores_a_reply_that_is_not_json(tmp_path, checker):
    from visitcoach.compliance.second_opinion import second_opinion

    text = "We would like to agree a plan you can afford."
    ctx = VisitContext(jurisdiction="UK")
    report = checker.check(text, ctx, lang="en")
    with OpenAIStub() as server:
        server.replies.append("Looks fine to me!")
        s = make_settings(tmp_path / "data", ROOT / "knowledge", llm="openai", openai_base_url=server.base_url)
        out = second_opinion(s, checker, report, text, ctx, "en")
    assert out.findings == report.findings
