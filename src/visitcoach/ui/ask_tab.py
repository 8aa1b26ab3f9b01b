"""The Ask tab: a chat over the knowledge base, with a jurisdiction filter and the sources of each answer.

`build` lays out the tab's contents (call it inside its `gr.Tab`) and wires them to the handlers.
Each `[n]` in an answer carries a hover card with its citation and the passage's start; the sources
below render the passages' Markdown.
"""

# No `from __future__ import annotations` here: Gradio finds the `gr.Request` parameter of a handler
# from its evaluated annotation.
import threading
from collections.abc import Callable, Iterator
from typing import Any

from visitcoach.ui import handlers as H
from visitcoach.ui.common import JURISDICTIONS, growing, in_background, turn, user_of, wire
from visitcoach.ui.i18n import choices, t

__all__ = ["build", "growing", "in_background"]


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
        # While the answer grows: the states are skipped, the previous answer's sources are cleared (they
        # do not belong to the answer being shown) and the question is sent back as it is. Values, not
        # `gr.skip()`, for those two: Gradio sends a streamed output only when it changed, but turns each
        # skip of a component into a new component built for the session, which cost a loaded server
        # 17 % of its time (benchmarks/README.md). An error part-way still leaves the question to resend.
        skip = gr.skip()
        streamed = ""

        def partial(reply: str) -> tuple[Any, ...]:
            return skip, skip, [*asked, {"role": "assistant", "content": reply}], "", q

        def work(on_token: Callable[[str], None], cancel: threading.Event) -> Any:
            with turn("ask"):  # a worker for computing the answer; showing it as it reads needs none
                return H.ask_turn(res, user, q, j, hist, ui_lang, on_token=on_token, cancel=cancel)

        for event, value in in_background(work, res.settings.ask_timeout):
            if event == "token":
                streamed += value
                yield partial(streamed)
                continue
            plain, html, reply = value
            if not streamed:  # offline: whole at once, shown as it reads
                for part in growing(plain[-1]["content"])[:-1]:
                    yield partial(part)
            display = [*asked[:-1], {"role": "user", "content": plain[-2]["content"]}, {"role": "assistant", "content": reply}]
            yield plain, display, display, html, ""

    lang = reg.lang
    wire(ask_btn.click, on_ask, [question, jurisdiction, history, shown, lang], [history, shown, chat, sources, question], msg, api_name="ask")
    wire(question.submit, on_ask, [question, jurisdiction, history, shown, lang], [history, shown, chat, sources, question], msg,
         api_visibility="private")
    clear_btn.click(lambda: ([], [], [], "", ""), None, [history, shown, chat, sources, msg], api_visibility="private")
