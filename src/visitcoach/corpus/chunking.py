"""Heading-aware chunking under a token budget.

A chunk never spans two sections, so each keeps exactly one heading path and one citation.
Long sections split at paragraph, then sentence boundaries (Chinese and English punctuation).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from visitcoach.corpus.loader import Document, Section, detect_lang
from visitcoach.tokens import count_tokens

#: Bump when chunk boundaries or metadata change, so `ingest` rebuilds the index.
CHUNKER_VERSION = "4"

_SENTENCE_END = re.compile(r"(?<=[。！？；!?])|(?<=[.;])\s+(?=[A-Z0-9\"'(“（\u3400-\u9fff])")


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


#: Abbreviations after which a full stop does not end a sentence ("15 U.S.C. 1692", "e.g. a visit").
_ABBREVIATION = re.compile(
    r"(?:\b(?:U\.S\.C|U\.S|C\.F\.R|e\.g|i\.e|etc|No|Nos|Art|art|para|paras|reg|regs|s|ss|Sch|cf|vs|v|Mr|Mrs|Ms|Dr|St|Ltd|Inc|Co))\.$"
)


def split_sentences(text: str) -> list[str]:
    """Sentences in Chinese or English text; keeps the punctuation, drops empty pieces."""
    parts: list[str] = []
    for line in text.splitlines():
        for piece in _SENTENCE_END.split(line):
            piece = piece.strip()
            if not piece:
                continue
            if parts and _ABBREVIATION.search(parts[-1]) and not parts[-1].endswith(("。", "！", "？")):
                parts[-1] = f"{parts[-1]} {piece}"
            else:
                parts.append(piece)
    return parts


_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_MARKUP = re.compile(r"\*\*|__|`")


def readable_sentences(text: str) -> list[str]:
    """Sentences for quoting to a reader: hard-wrapped lines rejoined, list markers and emphasis dropped.

    Markdown sources wrap paragraphs at ~100 characters; splitting on lines would quote fragments.
    """
    sentences: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        lines: list[str] = []
        for line in paragraph.splitlines():
            stripped = _MARKUP.sub("", line.strip())
            if not stripped or stripped.startswith("#"):
                continue
            if _LIST_ITEM.match(stripped) or not lines:
                lines.append(_LIST_ITEM.sub("", stripped))
            else:
                joiner = "" if _CJK_END.search(lines[-1]) and _CJK_START.match(stripped) else " "
                lines[-1] = f"{lines[-1]}{joiner}{stripped}"
        for line in lines:
            for piece in _balanced(split_sentences(line)):
                closers = _CLOSERS.match(piece)
                if sentences and closers:  # a closing quote split off after 。 belongs to its sentence
                    sentences[-1] += closers.group(0)
                    piece = piece[closers.end() :].strip()
                if piece:
                    sentences.append(piece)
    return sentences


def _balanced(pieces: list[str]) -> list[str]:
    """Rejoin sentences split inside a quotation (「…。…」), so a quote is never cut in half."""
    out: list[str] = []
    for piece in pieces:
        if out and any(out[-1].count(o) > out[-1].count(c) for o, c in _PAIRS):
            out[-1] += piece
        else:
            out.append(piece)
    return out


_PAIRS = (("「", "」"), ("“", "”"), ("『", "』"), ("（", "）"))
_CLOSERS = re.compile(r"[」』”’）)\]\"']+")
_CJK_END = re.compile(r"[\u3400-\u9fff，、；：（“]$")
_CJK_START = re.compile(r"[\u3400-\u9fff，。、；：）”]")


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
        if current and used + n > budget:
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
