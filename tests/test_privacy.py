"""Privacy end to end (#20): what agents type goes through every exit to a model over a real HTTP
server on loopback, and the server, the call log and the log never see an identifier in clear,
while the user sees the real name again wherever the model wrote a placeholder."""

from __future__ import annotations

import json
import logging
import re
import sqlite3

import pytest

from visitcoach.compliance import Checker, VisitContext
from visitcoach.llm.calllog import CallLog

from .conftest import ROOT, SHIPPED, make_settings
from .openai_stub import OpenAIStub

KNOWLEDGE = ROOT / "knowledge"

QUESTIONS = [
    ("借款人张伟的电话13800138000，可以晚上去他家吗？", ["张伟", "13800138000"], "张伟"),
    ("借款人王建国的身份证号110101199003071234，可以去他单位找他吗？", ["王建国", "110101199003071234"], "王建国"),
    ("Borrower John Smith, SSN 123-45-6789, lives at 42 Baker Street, phone 07700 900123. Can I visit him at 9pm?",
     ["John Smith", "123-45-6789", "42 Baker Street", "07700 900123"], "John Smith"),
    ("Customer Siobhan Kelly, NI number QQ 12 34 56 C, postcode M1 1AE, WeChat ID kelly_88 — may I visit her at work?",
     ["Siobhan Kelly", "QQ 12 34 56 C", "M1 1AE", "kelly_88"], "Siobhan Kelly"),
]

_PLACEHOLDER = re.compile(r"\[[A-Z_]+_\d+\]")


def _user(body: dict) -> str:
    return body["messages"][-1]["content"]


def _echo_answer(body: dict) -> str:
    """A model that answers with the platform's fixed facts and names the borrower by placeholder."""
    system, user = body["messages"][0]["content"], _user(body)
    facts = re.search(r"(?:figure\):|数字）：)\n(.*?)\n\n", system, re.DOTALL)
    fixed = " ".join(line.lstrip("- ").strip() for line in (facts.group(1) if facts else "").splitlines() if line.strip() not in ("", "-"))
    people = [p for p in _PLACEHOLDER.findall(user) if p.startswith("[PERSON")]
    return f"{' '.join(people)}: {fixed} [1]".strip()


def _call_log_text(settings) -> str:
    path = settings.data_dir / "calls.sqlite"
    with sqlite3.connect(path) as conn:
        return json.dumps(conn.execute("SELECT redacted_prompt, redacted_reply, error FROM calls").fetchall(), ensure_ascii=False)


@pytest.mark.server
@pytest.mark.parametrize(("question", "identifiers", "name"), QUESTIONS)
def test_a_question_through_the_http_path_leaks_nothing_and_the_answer_names_the_borrower(
    pack_index_dir, tmp_path, caplog, question, identifiers, name
):
    from visitcoach.services import Services

    with OpenAIStub() as server, caplog.at_level(logging.DEBUG, logger="visitcoach"):
        server.replies.append(_echo_answer)
        settings = make_settings(pack_index_dir, SHIPPED, llm="openai", openai_base_url=server.base_url, llm_backoff=0,
                                 database_url=f"sqlite:///{tmp_path / 'review.sqlite'}")
        answer = Services(settings, semantic=False).ask(question, author="agent-7")
    assert server.requests, "the model was never asked"
    sent = server.bodies()
    for value in identifiers:
        assert value not in sent, value
    assert "[PERSON_" in _user(server.requests[0]["body"])  # the question went out, with its placeholders
    assert answer.mode == "llm", answer.notice
    assert name in answer.answer and "[PERSON_" not in answer.answer  # the real name, back for the user
    logged = _call_log_text(settings)
    for value in identifiers:
        assert value not in logged, value
        assert value not in caplog.text, value


@pytest.mark.server
def test_the_checkers_second_opinion_sends_no_identifier_and_quotes_come_back_whole(tmp_path):
    from visitcoach.services import Services

    script = "王先生您好，我是外访员。您的电话13800138000我们已经登记，丈夫刘强说您在家，不还钱就告诉您单位。"

    def judge(body: dict) -> str:
        user = _user(body)
        quote = re.search(r"丈夫\[PERSON_\d+\]说您在家", user)
        return json.dumps({"findings": [{"category": "third_party_disclosure", "quote": quote.group(0) if quote else "",
                                         "reason": "mentions a relative"}]}, ensure_ascii=False)

    with OpenAIStub() as server:
        server.replies.append(judge)
        settings = make_settings(tmp_path / "data", KNOWLEDGE, llm="openai", openai_base_url=server.base_url, llm_backoff=0)
        report = Services(settings, semantic=False).check(script, {"jurisdiction": "CN"}, lang="zh", second_opinion=True)
    sent = server.bodies()
    assert "王先生" not in sent and "13800138000" not in sent and "刘强" not in sent
    model = [f for f in report.findings if f.layer == "model"]
    assert model and model[0].text == "丈夫刘强说您在家" and script[model[0].start: model[0].end] == "丈夫刘强说您在家"


@pytest.mark.server
def test_the_model_voiced_persona_sends_nothing_the_agent_typed_in_clear(tmp_path):
    from visitcoach.training import prepare

    checker = Checker.from_settings(make_settings(tmp_path / "c", knowledge_dir=KNOWLEDGE), semantic=False)
    with OpenAIStub() as server:
        server.replies.extend([lambda body: "Fine. And who is [PERSON_2] to you?" if "[PERSON_2]" in _user(body) else "Fine."] * 2)
        settings = make_settings(tmp_path, knowledge_dir=KNOWLEDGE, llm="openai", openai_base_url=server.base_url, llm_backoff=0)
        r = prepare(settings, checker, exercise_id="ex-us-01", case_id="US-001", seed=0)
        r.session.agent_says("Hi, I'm Sam Hale from Northstar Recovery, a debt collector. Your neighbour Maria Lopez at 12 Oak Street, "
                             "phone (212) 555-0187, said you'd be home.")
    sent = server.bodies()
    for value in ("Sam Hale", "Maria Lopez", "12 Oak Street", "(212) 555-0187", r.session.persona.name):
        assert value not in sent, value


@pytest.mark.server
def test_the_eval_judge_and_a_guarded_draft_send_no_identifier(tmp_path):
    from visitcoach.evals.suites import judge_groundedness
    from visitcoach.guard import guarded_generate
    from visitcoach.llm.backend import LLMClient

    checker = Checker.from_settings(make_settings(tmp_path / "c", knowledge_dir=KNOWLEDGE), semantic=False)
    with OpenAIStub() as server:
        server.replies.append('{"verdicts": [{"sentence": 1, "supported": true, "source": 1, "reason": "ok"}]}')
        server.replies.append(lambda body: _user(body))  # the draft comes back as it was sent
        settings = make_settings(tmp_path / "data", KNOWLEDGE, llm="openai", openai_base_url=server.base_url, llm_backoff=0)
        judge_groundedness(settings, "zh", "借款人张伟（电话13800138000）可以在白天拜访。", ["外访须在8:00至21:00之间进行。"])
        draft = guarded_generate(LLMClient(settings), checker, VisitContext(jurisdiction="UK"), task="proposal", lang="en",
                                 system="Reword politely.", user="Dear Mrs Okafor, we can offer £25 a month. Email jo.okafor@example.com.")
    sent = server.bodies()
    for value in ("张伟", "13800138000", "Okafor", "jo.okafor@example.com"):
        assert value not in sent, value
    assert draft.text == "Dear Mrs Okafor, we can offer £25 a month. Email jo.okafor@example.com."
    rows = CallLog(settings.data_dir / "calls.sqlite").rows()
    assert {r["task"] for r in rows} == {"groundedness", "proposal"}
    assert not any(v in json.dumps(rows, ensure_ascii=False) for v in ("张伟", "13800138000", "Okafor"))


@pytest.mark.server
def test_an_error_the_server_returns_is_scrubbed_before_it_is_logged_or_shown(tmp_path):
    from visitcoach.errors import BackendError
    from visitcoach.llm.backend import LLMClient

    with OpenAIStub() as server:
        server.replies.append(400)
        settings = make_settings(tmp_path / "data", llm="openai", openai_base_url=server.base_url, llm_backoff=0)
        client = LLMClient(settings)
        with pytest.raises(BackendError) as failure:
            client.complete("ask", "sys", "借款人张伟的电话13800138000")
    assert "13800138000" not in str(failure.value)
    assert "13800138000" not in json.dumps(client.call_log.rows(), ensure_ascii=False)
