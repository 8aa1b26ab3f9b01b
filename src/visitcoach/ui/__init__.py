"""The Gradio app. Building the UI (`build_demo`) is separate from wiring its events to the library.

For now one page over `ask`: a question, a jurisdiction filter, the cited answer and each source
as an expandable passage. Nothing is opened at import time; the index is opened once on first use.
"""

from __future__ import annotations

import html
import logging
import os
from typing import Any

from visitcoach.config import Settings, get_settings

log = logging.getLogger(__name__)

JURISDICTIONS = ["ALL", "CN", "US", "UK"]


_INDEXES: dict[tuple[str, str | None, str], Any] = {}


def _index(settings: Settings):  # noqa: ANN202 - KnowledgeIndex, imported lazily
    """The index for these settings, opened once per process and shared by every session."""
    from visitcoach.retrieval.index import KnowledgeIndex

    key = (str(settings.index_dir.resolve()), settings.chroma_url, settings.embeddings)
    if key not in _INDEXES:
        _INDEXES[key] = KnowledgeIndex(settings)
    return _INDEXES[key]


def render_sources(citations: list[Any]) -> str:
    """Each citation as an expandable block: citation, document, section, and the passage itself."""
    if not citations:
        return ""
    blocks = []
    for n, c in enumerate(citations, start=1):
        blocks.append(
            f'<details class="vc-source"><summary>[{n}] <b>{html.escape(c.citation)}</b> — '
            f"{html.escape(c.title)}</summary><div><i>{html.escape(c.section)}</i> · "
            f"<code>{html.escape(c.source)}</code></div><blockquote>{html.escape(c.text)}</blockquote></details>"
        )
    return "\n".join(blocks)


def answer_question(question: str, jurisdiction: str, settings: Settings | None = None) -> tuple[str, str]:
    """Event handler: (answer markdown, sources HTML). Errors surface as gr.Error, not tracebacks."""
    import gradio as gr

    from visitcoach.ask import ask
    from visitcoach.errors import VisitCoachError

    settings = settings or get_settings()
    if not question or not question.strip():
        raise gr.Error("Type a question first. / 请先输入问题。")
    try:
        index = _index(settings)
        if len(index) == 0:
            raise gr.Error("The index is empty: run `visitcoach ingest`. / 索引为空，请先运行 visitcoach ingest。")
        answer = ask(index, question, jurisdiction=None if jurisdiction == "ALL" else jurisdiction, settings=settings)
    except VisitCoachError as exc:
        raise gr.Error(str(exc)) from exc
    badge = "offline" if answer.mode == "offline" else "LLM"
    return f"{answer.answer}\n\n<sub>mode: {badge}</sub>", render_sources(answer.citations)


def build_demo(settings: Settings | None = None):  # noqa: ANN201 - gr.Blocks
    import gradio as gr

    with gr.Blocks(title="visitcoach") as demo:
        gr.Markdown("# visitcoach\nCompliance assistant for field visits · 外访合规助手")
        with gr.Row():
            question = gr.Textbox(
                label="Question / 问题",
                placeholder="e.g. When may I visit a borrower in the US? / 中国外访需要几个人？",
                scale=4,
                elem_id="vc-question",
            )
            jurisdiction = gr.Dropdown(
                JURISDICTIONS, value="ALL", label="Jurisdiction / 法域", scale=1, elem_id="vc-jurisdiction"
            )
        submit = gr.Button("Ask / 提问", variant="primary", elem_id="vc-ask")
        answer = gr.Markdown(elem_id="vc-answer")
        sources = gr.HTML(elem_id="vc-sources")

        def handler(q: str, j: str) -> tuple[str, str]:
            return answer_question(q, j, settings)

        submit.click(handler, [question, jurisdiction], [answer, sources])
        question.submit(handler, [question, jurisdiction], [answer, sources])
    return demo


def launch(settings: Settings, host: str = "127.0.0.1", port: int = 7860, demo: Any = None) -> None:
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    demo = demo or build_demo(settings)
    log.info("serving visitcoach on http://%s:%d (mode: %s)", host, port, settings.llm)
    demo.launch(server_name=host, server_port=port, show_error=True)
