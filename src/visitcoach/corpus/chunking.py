"""Heading-aware chunking under a token budget.

A chunk never spans two sections, so each keeps exactly one heading path and one citation.
Long sections split at paragraph, then sentence boundaries (Chinese and English punctuation).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from visitcoach.corpus.loader import Document, Section
from visitcoach.text import detect_lang, split_sentences
from visitcoach.tokens import count_tokens

#: Bump when chunk boundaries or metadata change, so `ingest` rebuilds the index.
CHUNKER_VERSION = "4"

@dataclass(frozen=True)
class Chunk:
    id: str
    doc_id: str
    text: str
    heading_path: tuple[str, ...]
    citation: str
    metadata: dict[str, Any]

    @property
    def section(self) -> str:
        return " › ".join(self.heading_path)


def _pieces(text: str, budget: int) -> list[str]:
    """Split `text` into pieces under `budget` tokens: paragraphs first, then sentences."""
    out: list[str] = []
    for para in re.split(r"\n\s*\n", text):
        para = para.strip()
        if not para:
            continue
        if count_tokens(para) <= budget:
            out.append(para)
            continue
        for sentence in split_sentences(para):
            if count_tokens(sentence) <= budget:
                out.append(sentence)
            else:  # one enormous sentence: hard-cut by characters
                step = max(budget, 1)
                out.extend(sentence[i : i + step] for i in range(0, len(sentence), step))
    return out


def _pack(pieces: list[str], budget: int) -> list[str]:
    chunks: list[str] = []
    current: list[str] = []
    used = 0
    for piece in pieces:
        n = count_tokens(piece)
        # the separators count too: near the budget, measure the joined text itself
        if current and (used + n > budget or (used + n + 2 * len(current) > budget and count_tokens("\n\n".join([*current, piece])) > budget)):
            chunks.append("\n\n".join(current))
            current, used = [], 0
        current.append(piece)
        used += n
    if current:
        chunks.append("\n\n".join(current))
    return chunks


def chunk_document(doc: Document, budget: int, source: str) -> list[Chunk]:
    """Cut a document into chunks. Ids are stable: document id + heading path + position."""
    chunks: list[Chunk] = []
    seen: dict[str, int] = {}
    for section in doc.sections:
        heading = tuple(section.heading_path)
        prefix = " › ".join(heading)
        # The heading is part of the text budget: it is embedded with the chunk for context.
        body_budget = max(budget - count_tokens(prefix) - 4, 32)
        for text in _pack(_pieces(section.text, body_budget), body_budget):
            key = hashlib.sha1(prefix.encode("utf-8")).hexdigest()[:10]
            n = seen.get(key, 0)
            seen[key] = n + 1
            chunks.append(_make_chunk(doc, section, heading, text, f"{doc.id}::{key}::{n}", source))
    return chunks


def _make_chunk(
    doc: Document, section: Section, heading: tuple[str, ...], text: str, chunk_id: str, source: str
) -> Chunk:
    citation = section.citation or doc.meta.citation or doc.meta.title
    meta = doc.meta
    metadata: dict[str, Any] = {
        "doc_id": meta.id,
        "title": meta.title,
        "doc_type": meta.doc_type,
        "jurisdiction": meta.jurisdiction,
        "lang": detect_lang(text),
        "doc_lang": meta.lang,
        "section": " › ".join(heading),
        "citation": citation,
        "confidence": section.confidence or meta.confidence or "",
        "source": source,
        "line": section.line,
        "effective_date": meta.effective_date.isoformat() if meta.effective_date else "",
    }
    return Chunk(chunk_id, meta.id, text, heading, citation, metadata)
