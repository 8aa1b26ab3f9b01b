"""LLM-written answers over the same understood question, ranked sections and computed facts.

The model gets the question as understood (jurisdiction, topic), the ranked sections as numbered
sources and the computed facts as fixed facts. Its reply is kept only if every `[n]` points at a
source (others are dropped), every number or time it states is a computed figure or appears in a
source, every computed figure it needs is there, and it cites no source of another jurisdiction
than the one asked; otherwise the offline answer is returned with a notice.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

from visitcoach.config import Settings
from visitcoach.llm.backend import chat
from visitcoach.llm.prompts import render
from visitcoach.llm.redact import Redactor, scrub
from visitcoach.qa.types import Answer, keep_valid_citations
from visitcoach.retrieval.index import Hit

if TYPE_CHECKING:
    from visitcoach.qa.compute import Fact
    from visitcoach.qa.sections import RankedSection
    from visitcoach.qa.understand import Question

log = logging.getLogger(__name__)
_FIGURE = re.compile(r"\d{1,2}:\d{2}|\d+(?:[.,]\d+)*%?")
MAX_SOURCES = 6


def source_hits(ranked: list[RankedSection], lang: str) -> list[Hit]:
    """One hit per ranked section (its whole text), in rank order."""
    hits = []
    for r in ranked[:MAX_SOURCES]:
        s = r.section
        first = s.chunks[0]
        hits.append(Hit(first.id, s.doc_id, s.text, first.metadata, r.score, None, None))
    return hits


def format_context(hits: list[Hit]) -> str:
    """Numbered sources inside <source> tags; the prompt tells the model they are data, not instructions."""
    blocks = []
    for n, hit in enumerate(hits, start=1):
        text = hit.text.replace("</source>", "</ source>")
        j = hit.metadata.get("jurisdiction", "")
        blocks.append(f'<source n="{n}" citation="{hit.citation}" jurisdiction="{j}" section="{hit.section}">\n{text}\n</source>')
    return "\n\n".join(blocks)


def _figures(text: str) -> set[str]:
    return {f.replace(",", "").rstrip("%").rstrip(".") for f in _FIGURE.findall(re.sub(r"\[\d{1,3}\]", "", text))}


def problems(reply: str, q: Question, hits: list[Hit], facts: list[Fact]) -> list[str]:
    """Why a reply may not be shown (empty when it may)."""
    out = []
    allowed = set()
    for f in facts:
        allowed |= _figures(f.sentence)
    for h in hits:
        allowed |= _figures(h.text)
    allowed |= _figures(q.text)
    stray = sorted(_figures(reply) - allowed)
    if stray:
        out.append(f"states figures no source or computed fact gives: {', '.join(stray[:5])}")
    for f in facts:
        missing = [x for x in f.figures if x and x.replace(",", "") not in _figures(reply) and x not in reply]
        if missing:
            out.append(f"leaves out or changes the computed figures {', '.join(missing)}")
    if q.jurisdiction:
        for n in {int(m) for m in re.findall(r"\[(\d{1,3})\]", reply)}:
            if 1 <= n <= len(hits):
                j = hits[n - 1].metadata.get("jurisdiction")
                if j not in (q.jurisdiction, "ALL"):
                    out.append(f"cites a {j} rule [{n}] for a {q.jurisdiction} question")
    return out


def llm_answer(settings: Settings, q: Question, ranked: list[RankedSection], facts: list[Fact], offline: Answer) -> Answer:
    hits = source_hits(ranked, q.lang)
    topic = ", ".join(c.concept.title.en if q.lang == "en" else c.concept.title.zh for c in q.concepts[:2]) or "-"
    fixed = "\n".join(f"- {f.sentence}" for f in facts) or "-"
    system = render(
        settings.prompts_dir, "ask", q.lang,
        context=format_context(hits), count=str(len(hits)),
        jurisdiction=q.jurisdiction or ("未指明" if q.lang == "zh" else "not named"), topic=topic, facts=fixed,
    )
    # Sources are the platform's own documents; the question may carry a borrower's identifiers.
    reply = chat(settings, system, q.text, task="ask", redactor=Redactor())
    issues = problems(reply, q, hits, facts)
    if issues:
        # the issues quote the reply's figures, which may be a borrower's numbers restored
        log.warning("ask: model answer rejected (%s); answering offline", scrub("; ".join(issues)))
        offline.notice = "the model's answer was not used (" + "; ".join(issues) + "); this is the offline answer"
        return offline
    text, citations = keep_valid_citations(reply, hits)
    return Answer(text, citations, "llm", True, q.lang, understood=offline.understood, see_also=offline.see_also)
