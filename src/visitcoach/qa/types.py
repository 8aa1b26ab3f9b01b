"""The answer records shared by the offline engine and the LLM path (no imports of either)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from visitcoach.retrieval.index import Hit
from visitcoach.text import Lang

log = logging.getLogger(__name__)

MARKER = re.compile(r"\[(\d{1,3})\]")


@dataclass
class Citation:
    chunk_id: str
    doc_id: str
    title: str
    section: str
    citation: str
    source: str
    score: float
    text: str = field(repr=False, default="")

    def as_dict(self, with_text: bool = False) -> dict[str, Any]:
        row: dict[str, Any] = {
            "chunk_id": self.chunk_id,
            "doc_id": self.doc_id,
            "title": self.title,
            "section": self.section,
            "citation": self.citation,
            "source": self.source,
            "score": self.score,
        }
        if with_text:
            row["text"] = self.text
        return row

    @classmethod
    def of(cls, hit: Hit) -> Citation:
        m = hit.metadata
        return cls(
            hit.chunk_id, hit.doc_id, hit.title, hit.section, hit.citation, m.get("source", ""), hit.score, hit.text
        )


@dataclass
class Answer:
    answer: str
    citations: list[Citation]
    mode: Literal["offline", "llm"]
    covered: bool
    lang: Lang
    notice: str | None = None
    #: What the engine understood and ranked (for the eval suite, the UI and follow-ups); not in the JSON contract.
    understood: dict[str, Any] = field(default_factory=dict, repr=False)
    see_also: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "answer": self.answer,
            "citations": [c.as_dict() for c in self.citations],
            "mode": self.mode,
            "covered": self.covered,
            "lang": self.lang,
        }
        if self.see_also:
            out["see_also"] = self.see_also
        if self.understood:
            out["understood"] = self.understood
        if self.notice:
            out["notice"] = self.notice
        return out


def keep_valid_citations(text: str, hits: list[Hit]) -> tuple[str, list[Citation]]:
    """Drop `[n]` markers that do not point at a retrieved chunk; renumber the rest in order of use."""
    renumber: dict[int, int] = {}

    def repl(match: re.Match[str]) -> str:
        n = int(match.group(1))
        if not 1 <= n <= len(hits):
            log.info("dropped citation [%d]: only %d chunks were retrieved", n, len(hits))
            return ""
        return f"[{renumber.setdefault(n, len(renumber) + 1)}]"

    cleaned = MARKER.sub(repl, text)
    cleaned = re.sub(r"[ \t]+([。.,，;；])", r"\1", cleaned).strip()
    citations = [Citation.of(hits[n - 1]) for n in sorted(renumber, key=renumber.get)]
    return cleaned, citations
