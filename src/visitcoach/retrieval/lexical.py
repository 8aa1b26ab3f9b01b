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
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import bm25s
import jieba
import numpy as np

log = logging.getLogger(__name__)
jieba.setLogLevel(logging.WARNING)

_WORD = re.compile(r"[a-z0-9]+(?:[./][a-z0-9]+)*|[\u3400-\u9fff]+")
#: A provision with its paragraph path, kept whole as an extra token: "1692c(a)(3)", "1006.6(b)(1)".
_PROVISION = re.compile(r"\d+[a-z]?(?:\.\d+)*(?:\([0-9a-z]{1,4}\))+")
_CJK = re.compile(r"[\u3400-\u9fff]+")
_EN_STOP = frozenset(
    "a an and are as at be by can do does for from has have how i if in into is it may must my no not of on or our "
    "should so than that the their them then there these they this to under was we what when where which who will "
    "with you your".split()
)
#: Function characters: a bigram containing one ("有什", "么规") carries no meaning of its own.
_STOP_CHARS = frozenset("的了是在和与或及对把被就也都而但吗呢啊吧我你他她它们这那有没么什怎哪些可以否")
_ZH_STOP = frozenset(
    "的 了 是 在 和 与 或 及 对 把 被 就 也 都 而 但 吗 呢 啊 吧 我 你 他 她 它 们 这 那 有 没 么 什么 怎么 哪些 可以 是否".split()
)


def tokenize(text: str, bigrams: bool = True) -> list[str]:
    """Tokens for BM25: English words, section numbers, jieba words and (optionally) CJK bigrams."""
    lowered = text.lower()
    tokens: list[str] = [m.group(0) for m in _PROVISION.finditer(lowered)]
    for match in _WORD.finditer(lowered):
        token = match.group(0)
        if _CJK.fullmatch(token):
            tokens.extend(w for w in jieba.lcut_for_search(token) if w.strip() and w not in _ZH_STOP)
            if bigrams:
                pairs = (token[i : i + 2] for i in range(len(token) - 1))
                tokens.extend(p for p in pairs if not (_STOP_CHARS & set(p)))
        elif token not in _EN_STOP:
            tokens.append(_stem(token))
            if "." in token or "/" in token:  # "1006.18" also matches a bare "1006"
                tokens.append(re.split(r"[./]", token)[0])
    return tokens


def _stem(token: str) -> str:
    """Fold English plurals ("visits" → "visit", "policies" → "policy"); leave numbers and short words."""
    if len(token) <= 3 or not token.isalpha():
        return token
    if token.endswith("ies"):
        return token[:-3] + "y"
    if token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


#: Bump when tokenisation changes: a saved index with another version is rebuilt.
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
