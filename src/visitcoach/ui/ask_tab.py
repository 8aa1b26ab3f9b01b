"""The Ask tab: a chat over the knowledge base, with a jurisdiction filter and the sources of each answer.

`build` lays out the tab's contents (call it inside its `gr.Tab`) and wires them to the handlers.
Each `[n]` in an answer carries a hover card with its citation and the passage's start; the sources
below render the passages' Markdown.
"""

# No `from __future__ import annotations` here: Gradio finds the `gr.Request` parameter of a handler
# from its evaluated annotation.
import queue
import re
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from visitcoach.ui import handlers as H
from visitcoach.ui.common import JURISDICTIONS, Busy, turn, user_of, wire
from visitcoach.ui.i18n import choices, t

#: Where an offline answer is shown growing: after a sentence's end and the `[n]` markers that follow it
#: (a full stop only before a space and a capital, so "15 U.S.C. 1692c" stays whole), and at paragraphs.
_SENTENCE_END = re.compile(r"(?:[。！？]|[.!?](?=\s+[A-Z\[]))(?:\s*\[\d+\])*|\n\n")


def growing(text: str) -> list[str]:
    """`text` cut after each sentence: the successive states of a reply shown as it reads (the last is whole)."""
    states = [text[: m.end()].rstrip() for m in _SENTENCE_END.finditer(text)]
    return list(dict.fromkeys(s for s in [*states, text] if s.strip()))


def _in_background(work: Callable[[Callable[[str], None], threading.Event], Any],
                   timeout: float) -> Iterator[tuple[str, Any]]:
    """Run `work(on_token, cancel)` in a thread; yield ("token", text) as it streams, then ("done", its
    result). An exception in `work` is raised here, after the tokens it let through. After `timeout`
    seconds without a result, `cancel` is set (the work stores nothing) and `Busy` is raised."""
    events: queue.Queue[tuple[str, Any]] = queue.Queue()
    cancel = threading.Event()

    def run() -> None:
        try:
            events.put(("done", work(lambda token: events.put(("token", token)), cancel)))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            events.put(("error", exc))

    threading.Thread(target=run, name="visitcoach-ask", daemon=True).start()
    deadline = time.monotonic() + timeout
    while True:
        try:
            event, value = events.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            cancel.set()
            raise Busy(f"no answer within {timeout:g} s") from None
        if event == "error":
            raise value
        yield event, value
        if event == "done":
            return


def build(res: H.Resources, reg: Any, msg_box: Any) -> None:
    import gradio as gr

    L, C = reg.L, reg.C
    history = gr.State([])  # the plain conversation the engine reads
    shown = gr.State([])  # the conversation as displayed (hover cards, mode line)
    chat = L(gr.Chatbot(label=t("ask.chat", "en"), elem_id="vc-chat", height=420, placeholder=t("empty.ask", "en")), "ask.chat")
    reg.F(chat, lambda lg: {"placeholder": t("empty.ask", lg)})
    with gr.Row():
        question = L(L(gr.Textbox(label=t("ask.question", "en"), placeholder=t("ask.placeholder", "en"), scale=4, elem_id="vc-question"),
                       "ask.question"), "ask.placeholder", "placeholder")
        jurisdiction = C(L(gr.Dropdown(choices("jurisdiction", JURISDICTIONS, "en"), value="ALL", label=t("ask.jurisdiction", "en"),
                                       scale=1, elem_id="vc-jurisdiction"), "ask.jurisdiction"), "jurisdiction", JURISDICTIONS)
    with gr.Row():
        ask_btn = L(gr.Button(t("ask.send", "en"), variant="primary", elem_id="vc-ask", scale=0, min_width=160), "ask.send", "value")
        clear_btn = L(gr.Button(t("ask.clear", "en"), elem_id="vc-clear", scale=0, min_width=160), "ask.clear", "value")
        msg = msg_box("vc-ask-msg")
    sources = gr.HTML(elem_id="vc-sources")

    def on_ask(q: str, j: str, hist: list[dict[str, str]], seen: list[dict[str, str]], ui_lang: str,
               request: gr.Request) -> Iterator[tuple[Any, ...]]:
        """The answer as it is produced: a model's tokens as they stream, an offline answer sentence by
        sentence; then the whole reply with its hover cards, the sources and the cleared question."""
        user = user_of(request)
        asked = [*(seen or []), {"role": "user", "content": (q or "").strip()}]
        skip = gr.skip()
        streamed = ""

        def work(on_token: Callable[[str], None], cancel: threading.Event) -> Any:
            with turn("ask"):  # a worker for computing the answer; showing it as it reads needs none
                return H.ask_turn(res, user, q, j, hist, ui_lang, on_token=on_token, cancel=cancel)

        for event, value in _in_background(work, res.settings.ask_timeout):
            if event == "token":
                streamed += value
                yield skip, skip, [*asked, {"role": "assistant", "content": streamed}], skip, skip
                continue
            plain, html, reply = value
            if not streamed:  # offline: whole at once, shown as it reads
                for part in growing(plain[-1]["content"])[:-1]:
                    yield skip, skip, [*asked, {"role": "assistant", "content": part}], skip, skip
            display = [*asked[:-1], {"role": "user", "content": plain[-2]["content"]}, {"role": "assistant", "content": reply}]
            yield plain, display, display, html, ""

    lang = reg.lang
    wire(ask_btn.click, on_ask, [question, jurisdiction, history, shown, lang], [history, shown, chat, sources, question], msg, api_name="ask")
    wire(question.submit, on_ask, [question, jurisdiction, history, shown, lang], [history, shown, chat, sources, question], msg,
         api_visibility="private")
    clear_btn.click(lambda: ([], [], [], "", ""), None, [history, shown, chat, sources, msg], api_visibility="private")
