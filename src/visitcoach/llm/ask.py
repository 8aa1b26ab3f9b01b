"""LLM-written answers over retrieved chunks, with citations checked against what was retrieved."""

from __future__ import annotations

from visitcoach.ask import Answer, Lang, keep_valid_citations
from visitcoach.config import Settings
from visitcoach.llm.backend import chat
from visitcoach.llm.prompts import render
from visitcoach.llm.redact import Redactor
from visitcoach.retrieval.index import SearchResult


def format_context(result: SearchResult) -> str:
    """Numbered sources inside <source> tags; the prompt tells the model they are data, not instructions."""
    blocks = []
    for n, hit in enumerate(result.hits, start=1):
        text = hit.text.replace("</source>", "</ source>")
        blocks.append(f'<source n="{n}" citation="{hit.citation}" section="{hit.section}">\n{text}\n</source>')
    return "\n\n".join(blocks)


def llm_answer(settings: Settings, question: str, lang: Lang, result: SearchResult) -> Answer:
    system = render(settings.prompts_dir, "ask", lang, context=format_context(result), count=str(len(result.hits)))
    # Sources are the platform's own documents; the question may carry a borrower's identifiers.
    reply = chat(settings, system, question, task="ask", redactor=Redactor())
    text, citations = keep_valid_citations(reply, result.hits)
    return Answer(text, citations, "llm", True, lang)
