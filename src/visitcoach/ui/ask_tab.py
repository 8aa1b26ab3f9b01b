"""The Ask tab: a chat over the knowledge base, with a jurisdiction filter and the sources of each answer.

`build` lays out the tab's contents (call it inside its `gr.Tab`) and wires them to the handlers.
"""

# No `from __future__ import annotations` here: Gradio finds the `gr.Request` parameter of a handler
# from its evaluated annotation.
from typing import Any

from visitcoach.ui import handlers as H
from visitcoach.ui.common import JURISDICTIONS, safe, user_of
from visitcoach.ui.i18n import t


def build(res: H.Resources, L: Any) -> None:
    import gradio as gr

    history = gr.State([])
    chat = L(gr.Chatbot(label=t("ask.chat", "en"), elem_id="vc-chat", height=420), "ask.chat")
    with gr.Row():
        question = L(gr.Textbox(label=t("ask.question", "en"), placeholder=t("ask.placeholder", "en"), scale=4, elem_id="vc-question"), "ask.question")
        jurisdiction = L(gr.Dropdown(JURISDICTIONS, value="ALL", label=t("ask.jurisdiction", "en"), scale=1, elem_id="vc-jurisdiction"), "ask.jurisdiction")
    with gr.Row():
        ask_btn = L(gr.Button(t("ask.send", "en"), variant="primary", elem_id="vc-ask"), "ask.send", "value")
        clear_btn = L(gr.Button(t("ask.clear", "en"), elem_id="vc-clear"), "ask.clear", "value")
    sources = gr.HTML(elem_id="vc-sources")

    @safe
    def on_ask(q: str, j: str, hist: list[dict[str, str]], request: gr.Request) -> tuple[Any, Any, Any, str]:
        new, html = H.ask_turn(res, user_of(request), q, j, hist)
        return new, new, html, ""

    ask_btn.click(on_ask, [question, jurisdiction, history], [history, chat, sources, question], api_name="ask")
    question.submit(on_ask, [question, jurisdiction, history], [history, chat, sources, question], api_visibility="private")
    clear_btn.click(lambda: ([], [], ""), None, [history, chat, sources], api_visibility="private")
