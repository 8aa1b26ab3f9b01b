"""Lexical retrieval: BM25 (bm25s) over tokens that understand Chinese and legal citations.

English and numbers become lowercase word tokens that keep dotted and lettered section numbers
whole ("7.9.14", "1692c", "1006.18"). Chinese runs are cut by jieba (search mode) and also
contribute character bigrams, so an exact article such as 第二百九十三条之一 matches even when
the dictionary does not know it as one word.
"""

from __future__ import annotations

import json
import logging
import math
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import bm25s
import numpy as np

from visitcoach.text import tokenize

log = logging.getLogger(__name__)


#: Bump when tokenisation (`visitcoach.text.tokenize`) changes: a saved index with another version is rebuilt.
VERSION = "2"


class LexicalIndex:
    """BM25 over the chunk texts, in the same order as `ids`."""

    def __init__(self, ids: list[str], retriever: bm25s.BM25 | None, df: dict[str, int] | None = None) -> None:
        self.ids = ids
        self._retriever = retriever
        self.df = df or {}

    @classmethod
    def build(cls, ids: list[str], texts: Iterable[str]) -> LexicalIndex:
        tokens = [tokenize(t) or ["∅"] for t in texts]
        if not ids:
            return cls([], None)
        retriever = bm25s.BM25()
        retriever.index(tokens, show_progress=False)
        df = Counter(t for toks in tokens for t in set(toks))
        return cls(ids, retriever, dict(df))

    def idf(self, token: str) -> float:
        """Smoothed inverse document frequency; unseen tokens count as rare."""
        n = max(len(self.ids), 1)
        return math.log((n + 1) / (self.df.get(token, 0) + 1)) + 1.0

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every chunk (aligned with `ids`); zeros when no token matches."""
        if self._retriever is None:
            return np.zeros(0, dtype=np.float32)
        tokens = [t for t in tokenize(query) if t in self._retriever.vocab_dict]
        if not tokens:
            return np.zeros(len(self.ids), dtype=np.float32)
        return self._retriever.get_scores(tokens)

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "ids.json").write_text(json.dumps({"version": VERSION, "ids": self.ids}), encoding="utf-8")
        (directory / "df.json").write_text(json.dumps(self.df, ensure_ascii=False), encoding="utf-8")
        if self._retriever is not None:
            self._retriever.save(str(directory), show_progress=False)

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex:
        ids_file = directory / "ids.json"
        if not ids_file.exists():
            return cls([], None)
        saved = json.loads(ids_file.read_text(encoding="utf-8"))
        if not isinstance(saved, dict) or saved.get("version") != VERSION:
            return cls([], None)  # built by another tokeniser: the caller rebuilds it
        ids = saved["ids"]
        retriever = bm25s.BM25.load(str(directory), show_progress=False, verbosity=0) if ids else None
        df_file = directory / "df.json"
        df = json.loads(df_file.read_text(encoding="utf-8")) if df_file.exists() else {}
        return cls(ids, retriever, df)
