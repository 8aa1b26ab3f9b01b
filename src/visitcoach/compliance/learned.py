"""The learned layer: a per-sentence classifier beside the rules, trained on public data and reviewers' verdicts.

Each sentence is turned into hashed character n-grams (1–4 characters, so Chinese needs no
tokenizer) and scored by one logistic regression per text category. A score at or over that
category's calibrated threshold (per language, set on dev data by `make train-checker`) becomes a
finding with `layer: "learned"`; it carries the citation and suggestion of the applicable rule of
that category whose own violating examples are nearest to the sentence, so it still cites.

The five categories decided by the visit context or by an absence (visit_time, visit_place,
visit_staffing, contact_prohibited, missing_disclosure) have no text to learn from and are left
to their layers. The weights are one `.npz` file (`knowledge/rules/learned/model.npz`), loaded once.

A category may also have a vector head: a second logistic regression on the sentence's
multilingual-e5-small vector (the semantic layer's embedder), whose logit is stacked with the
n-gram logit (`VectorHead`). It is used only when the checker has that embedder, and only for
sentences whose n-gram score is in the head's band, at most `VECTOR_MAX_NEW` newly embedded per
check (a sentence the semantic layer already embedded is free); otherwise the n-gram score and its
own threshold stand.
"""

from __future__ import annotations

import json
import logging
import re
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from visitcoach.errors import KnowledgeError
from visitcoach.text import detect_lang

log = logging.getLogger(__name__)

FORMAT = 1
LEARNED_DIR = "learned"
MODEL_FILE = "model.npz"
REBUILD = "rebuild it with `make train-checker` (or run the check with --no-learned)"
#: Categories with text to learn from; the others are context or absence checks.
TEXT_CATEGORIES: tuple[str, ...] = (
    "threat_arrest",
    "impersonation",
    "violence_intimidation",
    "abusive_language",
    "third_party_disclosure",
    "false_amount_fee_consequence",
    "pressure_borrow_sell",
    "entry_refusal_to_leave",
    "unlawful_legal_threat",
)
LANGS = ("zh", "en")
N_FEATURES = 2**19  # character n-grams
WORD_FEATURES = 2**18  # Latin-word unigrams and bigrams (English insults are words: "hoe", "faggot")
NGRAMS = (1, 4)
VECTOR_DIM = 384
#: Sentences per check the vector head may embed anew (each costs 20-130 ms on the shared cores).
VECTOR_MAX_NEW = 2
_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")


class LearnedModelError(KnowledgeError):
    """The learned layer's weights file is missing or unreadable; the message names it and how to rebuild it."""


def normalise(text: str) -> str:
    """What the features see: lower case, digits folded to 0, runs of white space as one."""
    return _SPACE.sub(" ", _DIGITS.sub("0", text.lower())).strip()


@lru_cache(maxsize=4)
def vectorizers(n_features: int = N_FEATURES, low: int = NGRAMS[0], high: int = NGRAMS[1]) -> tuple[Any, Any]:
    """The stateless feature hashers shared by training and checking (deterministic; nothing to store)."""
    from sklearn.feature_extraction.text import HashingVectorizer

    chars = HashingVectorizer(
        analyzer="char", ngram_range=(low, high), n_features=n_features, alternate_sign=False,
        norm="l2", lowercase=False, preprocessor=normalise, dtype=np.float32,
    )
    words = HashingVectorizer(
        analyzer="word", ngram_range=(1, 2), n_features=WORD_FEATURES, alternate_sign=False, norm="l2",
        lowercase=False, preprocessor=normalise, token_pattern=r"[a-z][a-z']*", dtype=np.float32,
    )
    return chars, words


def features(texts: list[str], n_features: int = N_FEATURES, ngrams: tuple[int, int] = NGRAMS) -> Any:
    """A sparse (len(texts) x (n_features + WORD_FEATURES)) matrix: hashed character n-grams, then Latin words."""
    import scipy.sparse as sp

    chars, words = vectorizers(n_features, *ngrams)
    return sp.hstack([chars.transform(texts), words.transform(texts)], format="csr")


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=np.float64), 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


@dataclass
class VectorHead:
    """Per category with a head: weights on the 384-d sentence vector, and per language the n-gram-score
    band in which the vector is consulted and the stacker [a, b, c]: logit = a*ngram_logit + b*vector_logit + c."""

    model_id: str
    coef: np.ndarray  # (VECTOR_DIM, n_categories); a zero column: no head
    intercept: np.ndarray  # (n_categories,)
    band: dict[str, dict[str, float]]  # category -> lang -> lowest n-gram score consulted
    stack: dict[str, dict[str, list[float]]]  # category -> lang -> [a, b, c]
    thresholds: dict[str, dict[str, float]]  # lang -> category -> threshold of the stacked score

    def columns(self, categories: list[str], lang: str) -> list[int]:
        return [j for j, c in enumerate(categories) if lang in self.stack.get(c, {}) and lang in self.band.get(c, {})]

    def wanted(self, categories: list[str], scores: np.ndarray, lang: str) -> list[int]:
        """Rows (sentences) in some head's band, best n-gram score first."""
        cols = self.columns(categories, lang)
        if not cols or not len(scores):
            return []
        lows = np.array([self.band[categories[j]][lang] for j in cols], dtype=np.float32)
        sub = scores[:, cols]
        inband = (sub >= lows).any(axis=1)
        rank = (sub - lows).max(axis=1)
        return [int(i) for i in np.argsort(-rank, kind="stable") if inband[i]]

    def combine(self, categories: list[str], scores: np.ndarray, rows: list[int], vectors: np.ndarray, lang: str) -> np.ndarray:
        """`scores` with the head categories of `rows` (in band) replaced by the stacked score."""
        out = np.array(scores, dtype=np.float32, copy=True)
        if not rows:
            return out
        vlogit = np.asarray(vectors, dtype=np.float32) @ self.coef + self.intercept  # (len(rows), n_cat)
        for j in self.columns(categories, lang):
            c = categories[j]
            a, b, k = self.stack[c][lang]
            for r, i in enumerate(rows):
                if scores[i, j] >= self.band[c][lang]:
                    z = a * _logit(scores[i, j]) + b * float(vlogit[r, j]) + k
                    out[i, j] = 1.0 / (1.0 + np.exp(-z))
        return out


@dataclass
class LearnedModel:
    """Weights (one column per category), intercepts and per-language thresholds."""

    categories: list[str]
    coef: np.ndarray  # (n_features + WORD_FEATURES, n_categories), float16 on disk
    intercept: np.ndarray  # (n_categories,)
    thresholds: dict[str, dict[str, float]]  # lang -> category -> threshold (absent: never fires)
    n_features: int = N_FEATURES
    ngrams: tuple[int, int] = NGRAMS
    meta: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None
    vector: VectorHead | None = None

    def scores(self, texts: list[str]) -> np.ndarray:
        """Probabilities, (len(texts) x len(categories))."""
        if not texts:
            return np.zeros((0, len(self.categories)), dtype=np.float32)
        x = features(texts, self.n_features, self.ngrams)
        logits = np.asarray(x @ self.coef, dtype=np.float32) + self.intercept
        return 1.0 / (1.0 + np.exp(-logits))

    def threshold(self, category: str, lang: str, vectors: bool = False) -> float:
        """The category's threshold; `vectors`: of the stacked score (when the vector head is used for it)."""
        if vectors and self.vector is not None and category in self.vector.thresholds.get(lang, {}):
            return self.vector.thresholds[lang][category]
        return self.thresholds.get(lang, {}).get(category, float("inf"))

    def uses_vectors(self, embedder: Any) -> bool:
        """Whether `embedder` is the one the vector head was trained on."""
        return self.vector is not None and embedder is not None and getattr(embedder, "name", None) == self.vector.model_id

    def text_scores(self, text: str, lang: str | None = None) -> dict[str, float]:
        """Each category's best sentence score over `text` (used by calibration and the eval)."""
        from visitcoach.text import sentence_spans as sentences

        pieces = [text[s:e] for s, e in sentences(text, min_chars=1)] or [text]
        best = self.scores(pieces).max(axis=0)
        return dict(zip(self.categories, (float(v) for v in best), strict=True))

    def fires(self, text: str, lang: str | None = None) -> set[str]:
        lang = lang or detect_lang(text)
        return {c for c, v in self.text_scores(text).items() if v >= self.threshold(c, lang)}

    # -- storage --------------------------------------------------------------------------------
    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        header = {"format": FORMAT, "categories": self.categories, "thresholds": self.thresholds,
                  "n_features": self.n_features, "ngrams": list(self.ngrams), "meta": self.meta}
        arrays: dict[str, np.ndarray] = {}
        if self.vector is not None:
            v = self.vector
            header["vector"] = {"model_id": v.model_id, "band": v.band, "stack": v.stack, "thresholds": v.thresholds}
            arrays = {"vec_coef": v.coef.astype(np.float32), "vec_intercept": v.intercept.astype(np.float32)}
        with path.open("wb") as fh:
            np.savez_compressed(fh, coef=self.coef.astype(np.float16), intercept=self.intercept.astype(np.float32),
                                header=np.frombuffer(json.dumps(header, ensure_ascii=False).encode(), dtype=np.uint8),
                                **arrays)

    @classmethod
    def load(cls, path: Path) -> LearnedModel:
        """The weights at `path`; a missing or corrupt file raises one error naming it and the rebuild command."""
        if not path.is_file():
            raise LearnedModelError(path, f"the learned layer's weights file is missing; {REBUILD}")
        try:
            with np.load(path, allow_pickle=False) as data:
                header = json.loads(bytes(data["header"]).decode())
                coef = data["coef"].astype(np.float32)
                intercept = data["intercept"].astype(np.float32)
                vec = (data["vec_coef"].astype(np.float32), data["vec_intercept"].astype(np.float32)) \
                    if "vec_coef" in data.files else None
        except (OSError, ValueError, KeyError, zipfile.BadZipFile, UnicodeDecodeError, EOFError) as exc:
            raise LearnedModelError(path, f"the learned layer's weights file is unreadable ({exc}); {REBUILD}") from None
        if header.get("format") != FORMAT:
            raise LearnedModelError(path, f"weights format {header.get('format')!r}, expected {FORMAT}; {REBUILD}")
        cats = list(header["categories"])
        if coef.shape != (int(header["n_features"]) + WORD_FEATURES, len(cats)) or intercept.shape != (len(cats),):
            raise LearnedModelError(path, f"weights of shape {coef.shape} do not match the header; {REBUILD}")
        head = None
        if vec is not None and "vector" in header:
            h = header["vector"]
            if vec[0].shape != (VECTOR_DIM, len(cats)) or vec[1].shape != (len(cats),):
                raise LearnedModelError(path, f"vector weights of shape {vec[0].shape} do not match the header; {REBUILD}")
            head = VectorHead(h["model_id"], vec[0], vec[1], h["band"], h["stack"], h["thresholds"])
        return cls(cats, coef, intercept, header["thresholds"], int(header["n_features"]), tuple(header["ngrams"]),
                   header.get("meta", {}), path, head)


def model_path(rules_dir: Path) -> Path:
    return Path(rules_dir) / LEARNED_DIR / MODEL_FILE


def load_for_rules(rules_dir: Path) -> LearnedModel | None:
    """The pack's learned model: None when the pack has no `rules/learned/` directory (no learned layer);
    an error naming the file when the directory is there but the weights are missing or corrupt."""
    directory = Path(rules_dir) / LEARNED_DIR
    if not directory.is_dir():
        return None
    return LearnedModel.load(directory / MODEL_FILE)
