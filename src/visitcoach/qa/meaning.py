"""Sections ranked by meaning: how close the question comes to a section's best sentence.

The other ranking signals read words (shared terms, the concept vocabulary, headings) or whole
chunks (the hybrid search). Agents ask in their own words ("can we roll up with four or five of
us?"), and a section often answers in one sentence whose words the question does not share. So
every quotable sentence of the pack (`compose.block_sentences`) gets a passage vector from the
local embedding model, and a section family's `meaning` is the cosine of the question's vector with
its closest sentence.

The vectors of the shipped pack's sentences ship with the package (`retrieval.vectors`, rebuilt by
`make vectors`), so building the table is a lookup. Sentences of an edited or another pack are
embedded by ingest (about 15 ms each on two cores; or at the first question, for an index built
some other way) and saved next to the index (`sentence-vectors.npz` in the index directory), so
later processes look them up too. Only the
local model is used: with a remote embedding endpoint the signal is left out rather than sending
every sentence of the pack to it when an agent asks the first question.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

from visitcoach.qa.compose import block_sentences
from visitcoach.qa.sections import SectionIndex
from visitcoach.retrieval.embeddings import E5Embeddings
from visitcoach.retrieval.vectors import PassageVectors, key

log = logging.getLogger(__name__)

#: Cosine at which a sentence starts to count as close (e5 puts unrelated text at 0.75-0.85) and the
#: span over which the signal rises to 1. Set with the weight on the dev split (`qa.sections.WEIGHTS`).
BASE = 0.83
SPAN = 0.08
#: The same for one sentence within a section (`Closeness`, read by the composer): sentences of a
#: section the ranking already chose are close to it (set on the dev split; 0.78-0.83 alike).
SENTENCE_BASE = 0.80
SENTENCE_SPAN = 0.10
#: The file, in the index directory, that keeps the vectors of sentences the model embedded.
SAVED = "sentence-vectors.npz"
#: Sentence vectors kept per process, so indexes of the same pack (tests, a rebuilt index) embed once.
CACHE = 50_000

_cache: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
_cache_lock = threading.Lock()


def sentence_texts(text: str) -> list[str]:
    """The quotable sentences of one chunk's text, as the composer quotes them."""
    return [s for block in block_sentences(text) for _, s in block]


class Closeness:
    """How close each quotable sentence comes to one question: `of(text)` in [0, 1] (0 for a
    sentence the table does not hold)."""

    def __init__(self, cosines: np.ndarray, row_of: dict[str, int]) -> None:
        self._cosines = cosines
        self._row_of = row_of

    def of(self, text: str) -> float:
        row = self._row_of.get(text)
        if row is None:
            return 0.0
        return min(1.0, max(0.0, (float(self._cosines[row]) - SENTENCE_BASE) / SENTENCE_SPAN))


class SentenceMeaning:
    """One matrix of sentence vectors for the sections of an index, with each family's rows."""

    def __init__(self, sections: SectionIndex, embedder: E5Embeddings, saved: Path | None = None) -> None:
        rows: dict[str, list[str]] = {}
        for section in sections.sections.values():
            if section.doc_type in ("persona", "exercise"):
                continue  # never ranked
            texts = rows.setdefault(section.family, [])
            for chunk in section.chunks:
                texts.extend(sentence_texts(chunk.text))
        self.families = [f for f, texts in rows.items() if texts]
        texts = [t for f in self.families for t in rows[f]]
        self.starts = np.cumsum([0] + [len(rows[f]) for f in self.families[:-1]]).astype(np.intp)
        self.matrix = _vectors(embedder, texts, saved)
        self.row_of = {t: i for i, t in reversed(list(enumerate(texts)))}

    def sentences(self, query_vector: np.ndarray) -> Closeness:
        """Each sentence's closeness to the query (`Closeness`)."""
        return Closeness(self.matrix @ np.asarray(query_vector, dtype=np.float32), self.row_of)

    def closeness(self, query_vector: np.ndarray) -> dict[str, float]:
        """Each family's signal in [0, 1]: its closest sentence's cosine with the query, rescaled."""
        if not self.families:
            return {}
        best = np.maximum.reduceat(self.matrix @ np.asarray(query_vector, dtype=np.float32), self.starts)
        signal = np.clip((best - BASE) / SPAN, 0.0, 1.0)
        return dict(zip(self.families, signal.tolist(), strict=True))


def _vectors(embedder: E5Embeddings, texts: list[str], saved: Path | None = None) -> np.ndarray:
    """Passage vectors for `texts`: from the process cache, the table saved at `saved`, the shipped
    table or the model, in that order; what the model embedded is added to `saved`."""
    out = np.zeros((len(texts), 384), dtype=np.float32)
    with _cache_lock:
        todo = []
        for i, t in enumerate(texts):
            vec = _cache.get((embedder.name, t))
            if vec is None:
                todo.append(i)
            else:
                out[i] = vec
    if not todo:
        return out
    unique = list(dict.fromkeys(texts[i] for i in todo))
    table = PassageVectors.load(saved) if saved is not None else None
    found = table.lookup(embedder.name, unique) if table is not None else {}
    missing = [t for i, t in enumerate(unique) if i not in found]
    before = embedder.embedded
    fresh = dict(zip(missing, embedder.embed_passages(missing), strict=True)) if missing else {}
    fresh.update({unique[i]: vec for i, vec in found.items()})
    with _cache_lock:
        for t, vec in fresh.items():
            _cache[(embedder.name, t)] = vec
        while len(_cache) > CACHE:
            _cache.popitem(last=False)
    for i in todo:
        out[i] = fresh[texts[i]]
    embedded = embedder.embedded - before
    if embedded and saved is not None:
        # the whole table of this index: a later process looks every sentence up
        keys = [key(embedder.name, t) for t in texts]
        rows = dict(zip(keys, out, strict=True))
        try:
            PassageVectors(embedder.name, list(rows), np.vstack(list(rows.values()))).save(saved)
        except OSError as exc:
            log.warning("sentence vectors not saved to %s (%s); they are embedded again next start", saved, exc)
        log.info("sentence vectors: %d embedded, saved with the rest to %s", embedded, saved)
    return out


def meaning_for(sections: SectionIndex) -> SentenceMeaning | None:
    """The sentence table of these sections when the index embeds locally, else None."""
    embedder = sections.index.embedder
    if not isinstance(embedder, E5Embeddings):
        return None
    return SentenceMeaning(sections, embedder, sections.index.settings.index_dir / SAVED)
