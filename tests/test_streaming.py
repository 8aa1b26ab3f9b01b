"""Streamed answers in the Ask tab: a model's reply grows on screen before it completes; offline
answers are shown sentence by sentence; an error part-way is one message, what was shown stays."""

from __future__ import annotations

import contextlib
import itertools
import shutil

import pytest

from visitcoach.ask import QuestionError
from visitcoach.ui.ask_tab import growing
from visitcoach.ui.common import guarded

from .conftest import ROOT, make_settings
from .openai_stub import OpenAIStub
from .test_app import CHROMIUM, served, signed_in

SHIPPED = ROOT / "knowledge"
QUESTION = "What does 1692c(a)(3) require?"
#: A reply the answer gate accepts: no figure the sources lack, one citation of a US source.
REPLY = ("A collector must not contact the consumer at their place of employment when the collector knows "
         "or has reason to know that the employer prohibits such contacts [1]. Ask the consumer for another "
         "place and time instead, and record what they said.")


def test_an_offline_answer_grows_sentence_by_sentence_and_ends_whole():
    text = "Visits are 08:00-21:00 in the US (15 U.S.C. 1692c(a)(1)). [1] Two people go. [2]\n\nSee also: a; b"
    states = growing(text)
    assert states == [
        "Visits are 08:00-21:00 in the US (15 U.S.C. 1692c(a)(1)). [1]",
        "Visits are 08:00-21:00 in the US (15 U.S.C. 1692c(a)(1)). [1] Two people go. [2]",
        text,
    ]
    assert growing("外访至少两人。[1]在中国是强制要求。") == ["外访至少两人。[1]", "外访至少两人。[1]在中国是强制要求。"]
    assert growing("one line") == ["one line"]
    long = " ".join(f"Sentence {n} says one thing. [{n}]" for n in range(1, 9))
    states = growing(long)
    assert len(states) == 4 and states[0] == "Sentence 1 says one thing. [1]" and states[-1] == long  # few updates, ends whole
    assert all(a in b for a, b in itertools.pairwise(states))


def test_a_streaming_handler_that_fails_part_way_keeps_what_it_showed_and_adds_one_message():
    def handler(question: str):
        yield "partial", "x"
        raise QuestionError("the question is too long")

    out = list(guarded(handler, 2)("q"))
    assert out[0] == ("partial", "x", "")
    *skips, message = out[1]
    assert len(skips) == 2 and "too long" in message


@contextlib.contextmanager
def slow_model_app(pack_index_dir, tmp_path, reply: str):
    """The app with a copy of the pack's index, talking to a stub model whose `reply` takes about
    2 s to arrive (7 characters per chunk): yields (stub, url)."""
    data = tmp_path / "data"
    shutil.copytree(pack_index_dir / "index", data / "index")
    with OpenAIStub() as stub:
        stub.chunk_delay = 0.06
        stub.replies.append(reply)
        settings = make_settings(data, SHIPPED, llm="openai", openai_base_url=stub.base_url, llm_backoff=0)
        with served(settings) as url:
            yield stub, url


def record_lengths(page, chat: str) -> None:
    """Record the length of the last bot message in `chat` every 25 ms (read back as `window.vcLengths`)."""
    page.evaluate("""(chat) => { window.vcLengths = []; setInterval(() => {
        const bots = document.querySelectorAll(`${chat} .message.bot, ${chat} [data-testid="bot"]`);
        const last = bots[bots.length - 1];
        window.vcLengths.push(last ? last.innerText.length : 0); }, 25); }""", chat)


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium not installed (make test installs it)")
def test_a_streamed_answer_grows_before_it_completes(pack_index_dir, tmp_path):
    with slow_model_app(pack_index_dir, tmp_path, REPLY) as (stub, url):
        with signed_in(url, "demo-agent") as page:
            record_lengths(page, "#vc-chat")  # from before the question is sent
            box = page.locator("#vc-question textarea, #vc-question input").first
            box.fill(QUESTION)
            page.locator("#vc-ask").click()
            page.wait_for_function("() => (window.vcLengths || []).some(n => n > 20)", timeout=60000)
            asked_while_growing = box.input_value()  # the question stays until the answer is whole
            page.locator("#vc-sources details").first.wait_for(timeout=60000)  # sources come when it completes
            page.wait_for_timeout(300)
            lengths = page.evaluate("window.vcLengths")
            final = page.locator("#vc-chat .message.bot, #vc-chat [data-testid='bot']").last.inner_text()
            asked_after = box.input_value()
    assert "place of employment" in final and "record what they said" in final
    growing_states = sorted({n for n in lengths if 0 < n < len(REPLY) * 0.9})
    assert len(growing_states) >= 3, f"the answer appeared in {len(set(lengths))} steps: {sorted(set(lengths))}"
    assert (asked_while_growing, asked_after) == (QUESTION, "")
    assert any(r["body"].get("stream") for r in stub.requests)


#: The borrower's words, spoken by the model: in character, in English, short enough for the voice's guard.
PERSONA_REPLY = ("Who are you, and how did you get this address? I have had a bad month at the depot and I am "
                 "not going to talk money on my own doorstep with my neighbours listening. Write to me instead.")


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium not installed (make test installs it)")
def test_a_model_voiced_rehearsal_reply_grows_before_it_completes(pack_index_dir, tmp_path):
    with slow_model_app(pack_index_dir, tmp_path, PERSONA_REPLY) as (stub, url):
        with signed_in(url, "demo-agent") as page:
            page.get_by_role("tab", name="Rehearse").click()
            page.locator("#vc-reh-exercise input").fill("ex-us-01")
            page.keyboard.press("Enter")
            page.locator("#vc-reh-start").click()
            page.locator("#vc-reh-brief").get_by_text("15 min").first.wait_for(timeout=60000)
            record_lengths(page, "#vc-reh-chat")
            page.locator("#vc-reh-say textarea").fill("Good morning. My name is Sam Hale, from Northstar Recovery.")
            page.locator("#vc-reh-send").click()
            page.locator("#vc-reh-chat").get_by_text("Write to me instead").wait_for(timeout=60000)
            page.wait_for_timeout(300)
            lengths = page.evaluate("window.vcLengths")
    growing_states = sorted({n for n in lengths if 0 < n < len(PERSONA_REPLY) * 0.9})
    assert len(growing_states) >= 3, f"the reply appeared in {len(set(lengths))} steps: {sorted(set(lengths))}"
    assert any(r["body"].get("stream") for r in stub.requests)
