"""Train the learned layer (`make train-checker`): sources in, `knowledge/rules/learned/model.npz` out.

Training rows come from (see `knowledge/rules/learned/README.md`, the data card):
  - the dev split of `evals/datasets/compliance.jsonl` (even rows; the odd rows are the held-out test);
  - every rule's own violating and compliant examples and semantic exemplars (context-free ones);
  - the `*.jsonl` training files in `knowledge/rules/learned/data/` (COLD train, ConvAbuse train,
    collection-script paraphrases), and any extra files given (reviewer exports). A data file whose
    name contains `paraphrase` is in-domain (collection-script rows: weighted and calibrated as such);
    any other is outside data.
A training file's row is {"id", "text", "categories": [...], "lang"?, "not_categories"?: [...],
"labelled"?: "all" | "listed"}: with "all" (the default) a category not listed is a negative; with
"listed" (reviewer exports) only `categories` (positives) and `not_categories` (negatives) are known.

Thresholds are calibrated per category and language on rows the final model has not seen: 3-fold
out-of-fold scores of the in-domain rows (compliance dev, rule examples, paraphrases, reviewer rows),
plus the outside dev splits (`*_dev.jsonl` / `*_valid.jsonl`: COLD dev, ConvAbuse valid), each joined
with what the rule layers already find. Everything is seeded; the same inputs give the same weights.

Vector head (`VECTOR_CATEGORIES`, in `VECTOR_LANGS`): a logistic regression on each row's multilingual-e5-small vector,
stacked with the n-gram logit by a per-language logistic regression fitted on 3-fold out-of-fold
scores of the training rows (n-gram and vector models both refitted without the fold). Its band
(the lowest n-gram score at which the vector is consulted) and its thresholds are set on the same
out-of-fold scores and calibration rows as the n-gram thresholds, scored as the checker scores
(per sentence, at most `VECTOR_MAX_NEW` sentences embedded). Training vectors are cached in
`RULES/learned/.cache/vectors.npz` (git-ignored; `--no-cache` ignores it, `--no-vectors` skips the head).
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

from visitcoach.compliance.learned import (
    LANGS,
    N_FEATURES,
    NGRAMS,
    TEXT_CATEGORIES,
    VECTOR_DIM,
    VECTOR_MAX_NEW,
    LearnedModel,
    VectorHead,
    _logit,
    features,
    model_path,
)
from visitcoach.compliance.rules import CATEGORIES, load_rules
from visitcoach.errors import KnowledgeError
from visitcoach.evals.datasets import read_jsonl
from visitcoach.text import detect_lang

log = logging.getLogger(__name__)

SEED = 17
FOLDS = 3
#: How much one row of each kind counts (outside data is plentiful; reviewers' verdicts are few and exact).
WEIGHTS = {"compliance_dev": 2.0, "rule_example": 2.0, "paraphrase": 2.0, "review": 4.0, "outside": 1.0}
#: Calibration: at most this share of a category's negatives may be newly flagged by the learned layer.
MAX_NEW_FPR = {"in_domain": 0.01, "outside": 0.02}
#: ... and on in-domain rows, at least this share of the learned layer's new hits must be right.
MIN_NEW_PRECISION = 0.75
DEFAULT_THRESHOLD = 0.9  # a (category, language) with no calibration rows (tiny fixtures): fire only when sure
C = 16.0
#: Outside rows teach `abusive_language`; for the other categories a fixed sample of them serves as negatives.
OUTSIDE_NEGATIVES = 5000
#: Categories given a vector head, its regularisation, and the share of out-of-fold positives its band covers.
VECTOR_CATEGORIES = ("abusive_language",)
#: Languages given the head. English was tried (2026-12-08) and dropped: on ConvAbuse test its clean rows'
#: any-finding rate rose 1.92% -> 2.64% and on the Davidson sample's "neither" rows 3.5% -> 6.3% (data card).
VECTOR_LANGS = ("zh",)
VECTOR_C = 4.0
VECTOR_BAND_COVER = 0.95
#: ... but never below this n-gram score: under it the vector alone decided, and on compliance dev that was a
#: compliant English sentence about intimidation ("That's intimidation, plain and simple, ...").
VECTOR_BAND_FLOOR = 0.1
VECTOR_OUTSIDE_MAX = 10000
#: The stacked score's thresholds keep slack under the n-gram caps (a dev gain at the cap did not hold on test).
MAX_NEW_FPR_VECTOR = {"in_domain": 0.005, "outside": 0.015}


class TrainingRow(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str
    text: str = Field(min_length=1)
    categories: list[str] = Field(default_factory=list)
    not_categories: list[str] = Field(default_factory=list)
    lang: Literal["zh", "en"] | None = None
    jurisdiction: Literal["CN", "US", "UK"] | None = None
    labelled: Literal["all", "listed"] = "all"

    @field_validator("categories", "not_categories")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        unknown = [c for c in value if c not in CATEGORIES]
        if unknown:
            raise ValueError(f"unknown categories {unknown}")
        return value


@dataclass
class Example:
    text: str
    lang: str
    kind: str  # compliance_dev | rule_example | paraphrase | review | outside
    source: str
    positive: set[str]
    negative: set[str] | None  # None: every text category not positive is a negative
    jurisdiction: str | None = None
    context: dict = field(default_factory=dict)

    def label(self, category: str) -> int | None:
        if category in self.positive:
            return 1
        if self.negative is None or category in self.negative:
            return 0
        return None


def read_training_file(path: Path, kind: str) -> list[Example]:
    """Rows of one training file; a malformed row raises an error naming the file and line."""
    out = []
    for _n, row in read_jsonl(path, TrainingRow):
        positive = set(row.categories) & set(TEXT_CATEGORIES)
        negative = None if row.labelled == "all" else set(row.not_categories) & set(TEXT_CATEGORIES)
        out.append(Example(row.text, row.lang or detect_lang(row.text), kind, path.name, positive, negative,
                           row.jurisdiction))
    return out


def compliance_dev(path: Path) -> list[Example]:
    """The dev split (even rows) of the compliance set; its odd rows are never read here."""
    from visitcoach.evals.compliance import load_cases

    out = []
    for n, case in enumerate(load_cases(path)):
        if n % 2:
            continue
        positive = set(case.expected_categories) & set(TEXT_CATEGORIES)
        out.append(Example(case.text, case.lang, "compliance_dev", path.name, positive, None, case.jurisdiction,
                           case.context))
    return out


def rule_examples(rules_dir: Path) -> list[Example]:
    """Each rule's context-free examples and exemplars: violating ones positive for its category, compliant ones negative."""
    out = []
    for rule in load_rules(rules_dir):
        if rule.category not in TEXT_CATEGORIES:
            continue
        spec, cat = rule.spec, rule.category
        for kind, items in (("violating", spec.examples.violating), ("compliant", spec.examples.compliant)):
            for lang, examples in items.items():
                for e in examples:
                    if e.text and not e.context:
                        pos = {cat} if kind == "violating" else set()
                        out.append(Example(e.text, lang, "rule_example", spec.id, pos, set() if pos else {cat}))
        for lang in LANGS:
            for t in spec.detect.semantic.get(lang):
                out.append(Example(t, lang, "rule_example", spec.id, {cat}, set()))
            for t in spec.detect.semantic_compliant.get(lang):
                out.append(Example(t, lang, "rule_example", spec.id, set(), {cat}))
    return out


def _fit(examples: list[Example], x: object, categories: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.linear_model import LogisticRegression

    coef = np.zeros((x.shape[1], len(categories)), dtype=np.float32)  # type: ignore[attr-defined]
    intercept = np.full(len(categories), -10.0, dtype=np.float32)
    weights = np.array([WEIGHTS[e.kind] for e in examples], dtype=np.float64)
    outside = [i for i, e in enumerate(examples) if e.kind == "outside"]
    rng = np.random.default_rng(SEED)
    sampled = set(rng.choice(outside, size=min(OUTSIDE_NEGATIVES, len(outside)), replace=False).tolist()) if outside else set()
    for j, cat in enumerate(categories):
        labels = [e.label(cat) for e in examples]
        if cat != "abusive_language":
            labels = [v if examples[i].kind != "outside" or i in sampled else None for i, v in enumerate(labels)]
        idx = np.array([i for i, v in enumerate(labels) if v is not None], dtype=np.int64)
        y = np.array([labels[i] for i in idx], dtype=np.int64)
        if len(idx) == 0 or y.sum() == 0 or y.sum() == len(y):
            continue  # nothing to learn: never fires
        w = weights[idx]
        pos, neg = w[y == 1].sum(), w[y == 0].sum()
        w = np.where(y == 1, w * (neg / pos) ** 0.5, w)  # half-way to balanced classes
        clf = LogisticRegression(C=C, solver="liblinear", max_iter=200, random_state=SEED)
        clf.fit(x[idx], y, sample_weight=w)  # type: ignore[index]
        coef[:, j] = clf.coef_[0]
        intercept[j] = clf.intercept_[0]
    return coef, intercept


def _text_scores(model: LearnedModel, texts: list[str]) -> np.ndarray:
    """Per text, each category's best sentence score (as the checker scores a script)."""
    from visitcoach.text import sentence_spans as sentences

    pieces, owner = [], []
    for i, t in enumerate(texts):
        spans = sentences(t, min_chars=1) or [(0, len(t))]
        pieces += [t[s:e] for s, e in spans]
        owner += [i] * len(spans)
    out = np.zeros((len(texts), len(model.categories)), dtype=np.float32)
    if pieces:
        np.maximum.at(out, np.array(owner), model.scores(pieces))
    return out


def _rule_categories(rules_dir: Path, examples: list[Example]) -> list[set[str]]:
    """What the rule layers (phrase, context, absence) already report on each row."""
    from visitcoach.compliance.checker import Checker
    from visitcoach.compliance.context import parse_context
    from visitcoach.evals.compliance import REPORTED

    checker = Checker(load_rules(rules_dir))
    out = []
    for e in examples:
        ctx_data = {"jurisdiction": e.jurisdiction or ("CN" if e.lang == "zh" else "US"), **e.context}
        try:
            report = checker.check(e.text, parse_context(ctx_data, "calibration row"), lang=e.lang)
            out.append(report.categories(REPORTED))
        except Exception:  # noqa: BLE001 - a row the checker refuses (too long, empty) adds nothing
            out.append(set())
    return out


def _choose(scores: np.ndarray, labels: np.ndarray, rules: np.ndarray, groups: np.ndarray,
            caps: dict[str, float] | None = None) -> float:
    """The threshold maximising the summed F1 (rules OR learned) over the groups, within each group's new-FPR cap."""
    if not labels.any():
        return float("inf") if len(labels) else DEFAULT_THRESHOLD
    caps = caps or MAX_NEW_FPR
    candidates = np.unique(np.round(scores[labels == 1], 4))
    best_t, best_obj = float("inf"), -1.0
    for t in candidates:
        pred = rules | (scores >= t)
        obj, ok = 0.0, True
        for g in np.unique(groups):
            m = groups == g
            neg = m & (labels == 0)
            new_fp = (neg & ~rules & (scores >= t)).sum()
            new_tp = (m & (labels == 1) & ~rules & (scores >= t)).sum()
            if neg.sum() and new_fp / neg.sum() > caps[str(g)]:
                ok = False
                break
            if g == "in_domain" and new_fp and new_tp / (new_tp + new_fp) < MIN_NEW_PRECISION:
                ok = False
                break
            tp = (m & pred & (labels == 1)).sum()
            fp = (m & pred & (labels == 0)).sum()
            fn = (m & ~pred & (labels == 1)).sum()
            obj += 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0
        if ok and obj > best_obj + 1e-9:
            best_t, best_obj = float(t), obj
    return best_t


@dataclass
class Sources:
    rules_dir: Path
    compliance: Path | None
    data_dir: Path
    extra: list[Path] = field(default_factory=list)


def gather(src: Sources) -> tuple[list[Example], list[Example]]:
    """(training rows, outside calibration rows)."""
    train: list[Example] = []
    if src.compliance is not None:
        train += compliance_dev(src.compliance)
    train += rule_examples(src.rules_dir)
    calib: list[Example] = []
    for path in sorted(src.data_dir.glob("*.jsonl")) if src.data_dir.is_dir() else []:
        stem = path.stem
        if stem.endswith(("_dev", "_valid")):
            calib += read_training_file(path, "outside")
        else:
            train += read_training_file(path, "paraphrase" if "paraphrase" in stem else "outside")
    for path in src.extra:
        train += read_training_file(Path(path), "review")
    return train, calib


def train(src: Sources, out: Path, folds: int = FOLDS, embedder: object = None, cache: Path | None = None) -> LearnedModel:
    """Fit, calibrate and save the learned layer; returns the model (with its training summary in `meta`)."""
    t0 = time.perf_counter()
    examples, calib = gather(src)
    if not examples:
        raise KnowledgeError(src.data_dir, "no training rows")
    cats = TEXT_CATEGORIES
    log.info("%d training rows, %d calibration rows (%.0f s)", len(examples), len(calib), time.perf_counter() - t0)
    x = features([e.text for e in examples], N_FEATURES, NGRAMS)
    in_domain = np.array([e.kind != "outside" for e in examples])
    rng = np.random.default_rng(SEED)
    fold_of = rng.integers(0, folds, size=len(examples))
    # Out-of-fold scores of the in-domain rows: each fold's rows scored by a model trained without them.
    oof = np.zeros((len(examples), len(cats)), dtype=np.float32)
    if folds > 1 and in_domain.sum() >= folds * 4:
        for k in range(folds):
            held = in_domain & (fold_of == k)
            keep = ~held
            coef, intercept = _fit([e for e, m in zip(examples, keep, strict=True) if m], x[np.flatnonzero(keep)], cats)
            fold_model = LearnedModel(list(cats), coef, intercept, {})
            idx = np.flatnonzero(held)
            oof[idx] = _text_scores(fold_model, [examples[i].text for i in idx])
            log.info("fold %d/%d done (%.0f s)", k + 1, folds, time.perf_counter() - t0)
        calib_in = [examples[i] for i in np.flatnonzero(in_domain)]
        calib_in_scores = oof[in_domain]
    else:
        calib_in, calib_in_scores = [], np.zeros((0, len(cats)), dtype=np.float32)
    coef, intercept = _fit(examples, x, cats)
    model = LearnedModel(list(cats), coef, intercept, {})
    calib_out_scores = _text_scores(model, [e.text for e in calib]) if calib else np.zeros((0, len(cats)))
    rows = calib_in + calib
    scores = np.vstack([calib_in_scores, calib_out_scores]) if rows else np.zeros((0, len(cats)))
    log.info("final model and calibration scores (%.0f s)", time.perf_counter() - t0)
    rule_cats = _rule_categories(src.rules_dir, rows)
    log.info("rule layers on the calibration rows (%.0f s)", time.perf_counter() - t0)
    groups = np.array(["in_domain"] * len(calib_in) + ["outside"] * len(calib))
    langs = np.array([e.lang for e in rows])
    thresholds: dict[str, dict[str, float]] = {lang: {} for lang in LANGS}
    for j, cat in enumerate(cats):
        for lang in LANGS:
            m = np.array([langs[i] == lang and rows[i].label(cat) is not None for i in range(len(rows))], dtype=bool)
            labels = np.array([rows[i].label(cat) for i in np.flatnonzero(m)], dtype=np.int64)
            rules = np.array([cat in rule_cats[i] for i in np.flatnonzero(m)], dtype=bool)
            has_weights = bool(np.any(coef[:, j]))
            t = _choose(scores[m, j], labels, rules, groups[m]) if has_weights else float("inf")
            if has_weights and not m.any():
                t = DEFAULT_THRESHOLD
            if np.isfinite(t):
                thresholds[lang][cat] = round(t, 4)
    model.thresholds = thresholds
    if embedder is not None and folds > 1:
        model.vector = _vector_head(examples, x, fold_of, folds, oof, in_domain, calib, rows, rule_cats, groups, langs,
                                    model, embedder, cache, t0)
    dev = model.meta.pop("vector_calibration", None)
    model.meta = summary(examples, calib, time.perf_counter() - t0)
    if dev is not None:
        model.dev_scores = dev  # type: ignore[attr-defined]
    model.save(out)
    log.info("wrote %s (%.1f MB) in %.0f s", out, out.stat().st_size / 1e6, time.perf_counter() - t0)
    return model


def _pieces(text: str) -> list[str]:
    from visitcoach.text import sentence_spans as sentences

    return [text[s:e] for s, e in sentences(text, min_chars=1)] or [text]


def _vector_rows(examples: list[Example], labelled: list[int]) -> np.ndarray:
    """The rows the vector head trains on: every labelled row, but of an outside file with more than
    VECTOR_OUTSIDE_MAX rows a fixed seeded sample (embedding all of COLD train would take ~20 min)."""
    by_source: dict[str, list[int]] = {}
    for i in range(len(examples)):
        if examples[i].kind == "outside":
            by_source.setdefault(examples[i].source, []).append(i)
    drop: set[int] = set()
    for rows in by_source.values():
        if len(rows) > VECTOR_OUTSIDE_MAX:
            order = np.random.default_rng(SEED).permutation(len(rows))
            drop |= {rows[k] for k in order[VECTOR_OUTSIDE_MAX:]}
    return np.array([i for i in labelled if i not in drop], dtype=np.int64)


def _fit_vec(vec: np.ndarray, y: np.ndarray, w: np.ndarray, m: np.ndarray) -> object:
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=VECTOR_C, max_iter=1000, random_state=SEED)
    clf.fit(vec[m], y[m], sample_weight=w[m])
    return clf


def _vector_head(examples, x, fold_of, folds, oof, in_domain, calib, rows, rule_cats, groups, langs,  # noqa: ANN001
                 model: LearnedModel, embedder: object, cache_path: Path | None, t0: float) -> VectorHead | None:
    """Fit the vector head of VECTOR_CATEGORIES, its stacker and band (out-of-fold) and its thresholds."""
    from sklearn.linear_model import LogisticRegression

    from visitcoach.compliance.vector_cache import VectorCache

    cats = list(model.categories)
    cache = VectorCache(cache_path, embedder)
    head = VectorHead(getattr(embedder, "name", "embedder"), np.zeros((VECTOR_DIM, len(cats)), dtype=np.float32),
                      np.zeros(len(cats), dtype=np.float32), {}, {}, {lang: {} for lang in LANGS})
    weights = np.array([WEIGHTS[e.kind] for e in examples], dtype=np.float64)
    for cat in VECTOR_CATEGORIES:
        j = cats.index(cat)
        labels = [e.label(cat) for e in examples]
        idx = _vector_rows(examples, [i for i, v in enumerate(labels) if v is not None])
        y = np.array([labels[i] for i in idx], dtype=np.int64)
        if len(idx) == 0 or y.sum() == 0 or y.sum() == len(y):
            continue
        vec = cache.vectors([examples[i].text for i in idx])
        log.info("%s: %d training vectors (%.0f s)", cat, len(idx), time.perf_counter() - t0)
        w = weights[idx]
        w = np.where(y == 1, w * (w[y == 0].sum() / w[y == 1].sum()) ** 0.5, w)

        # Out-of-fold n-gram and vector logits of every labelled row.
        ng_oof = np.zeros(len(idx), dtype=np.float64)
        vec_oof = np.zeros(len(idx), dtype=np.float64)
        folds_idx = fold_of[idx]
        for k in range(folds):
            held = folds_idx == k
            keep_rows = np.flatnonzero(fold_of != k)
            coef, intercept = _fit([examples[i] for i in keep_rows], x[keep_rows], (cat,))
            fm = LearnedModel([cat], coef, intercept, {})
            ng_oof[held] = _text_scores(fm, [examples[i].text for i in idx[held]])[:, 0]
            clf = _fit_vec(vec, y, w, ~held)
            vec_oof[held] = clf.decision_function(vec[held])
            log.info("%s: vector fold %d/%d (%.0f s)", cat, k + 1, folds, time.perf_counter() - t0)
        final = _fit_vec(vec, y, w, np.ones(len(idx), dtype=bool))
        head.coef[:, j] = final.coef_[0]
        head.intercept[j] = final.intercept_[0]
        row_lang = np.array([examples[i].lang for i in idx])
        head.band[cat], head.stack[cat] = {}, {}
        for lang in VECTOR_LANGS:
            m = row_lang == lang
            if not m.any() or y[m].sum() == 0 or y[m].sum() == m.sum():
                continue
            low = max(float(np.quantile(ng_oof[m & (y == 1)], 1 - VECTOR_BAND_COVER)), VECTOR_BAND_FLOOR)
            band = m & (ng_oof >= low)
            feats = np.column_stack([_logit(ng_oof[band]), vec_oof[band]])
            st = LogisticRegression(C=1.0, max_iter=1000, random_state=SEED).fit(feats, y[band], sample_weight=w[band])
            head.band[cat][lang] = round(low, 6)
            head.stack[cat][lang] = [round(float(st.coef_[0][0]), 6), round(float(st.coef_[0][1]), 6),
                                     round(float(st.intercept_[0]), 6)]
            log.info("%s %s: band >= %.4f (%d rows), stack %s", cat, lang, low, band.sum(), head.stack[cat][lang])
        # Calibration scores as the checker would give them: in-domain rows out of fold (whole text),
        # outside rows per sentence with the final models, at most VECTOR_MAX_NEW sentences embedded.
        scores = np.zeros(len(rows), dtype=np.float64)
        n_in = int(in_domain.sum())
        pos_of = {int(i): r for r, i in enumerate(idx)}
        in_rows = np.flatnonzero(in_domain)
        for r, i in enumerate(in_rows):
            lang = examples[i].lang
            p = float(oof[i, j])
            if i in pos_of and lang in head.stack[cat] and p >= head.band[cat][lang]:
                a, b, c = head.stack[cat][lang]
                z = a * _logit(np.array(p)) + b * vec_oof[pos_of[i]] + c
                p = float(1 / (1 + np.exp(-z)))
            scores[r] = p
        for r, e in enumerate(calib):
            pieces = _pieces(e.text)
            ng = model.scores(pieces)
            want = head.wanted(cats, ng, e.lang)[:VECTOR_MAX_NEW]
            if want:
                ng = head.combine(cats, ng, want, cache.vectors([pieces[q] for q in want]), e.lang)
            scores[n_in + r] = float(ng[:, j].max())
        cache.save()
        log.info("%s: calibration scores with vectors (%.0f s)", cat, time.perf_counter() - t0)
        for lang in LANGS:
            if lang not in head.stack[cat]:
                continue
            m = np.array([langs[i] == lang and rows[i].label(cat) is not None for i in range(len(rows))], dtype=bool)
            lab = np.array([rows[i].label(cat) for i in np.flatnonzero(m)], dtype=np.int64)
            rl = np.array([cat in rule_cats[i] for i in np.flatnonzero(m)], dtype=bool)
            t = _choose(scores[m], lab, rl, groups[m], MAX_NEW_FPR_VECTOR) if m.any() else float("inf")
            if np.isfinite(t):
                head.thresholds[lang][cat] = round(t, 4)
        model.meta.setdefault("vector_calibration", {})[cat] = {"scores": scores}  # for dev reports; dropped on save
    return head if any(head.thresholds.values()) else None


def summary(examples: list[Example], calib: list[Example], seconds: float) -> dict:
    """Row counts per source, and positives per category per source (the data card's figures)."""
    rows: Counter[str] = Counter()
    positives: dict[str, Counter[str]] = {}
    review: Counter[str] = Counter()
    for e in examples:
        key = e.source if e.kind != "rule_example" else "rule examples"
        rows[key] += 1
        for c in e.positive:
            positives.setdefault(key, Counter())[c] += 1
        if e.kind == "review":
            for c in e.positive | (e.negative or set()):
                review[c] += 1
    return {"seed": SEED, "rows": dict(sorted(rows.items())), "calibration_rows": dict(Counter(e.source for e in calib)),
            "positives": {k: dict(sorted(v.items())) for k, v in sorted(positives.items())},
            "reviewer_rows": dict(sorted(review.items())), "train_seconds": round(seconds, 1)}


def main(argv: list[str] | None = None) -> int:
    root = Path.cwd()
    p = argparse.ArgumentParser(prog="python -m visitcoach.compliance.train", description=__doc__.splitlines()[0])
    p.add_argument("extra", nargs="*", type=Path, help="reviewer exports (visitcoach review export-training)")
    p.add_argument("--rules", type=Path, default=root / "knowledge" / "rules")
    p.add_argument("--compliance", type=Path, default=root / "evals" / "datasets" / "compliance.jsonl",
                   help="its dev split (even rows) is trained on; 'none' to skip")
    p.add_argument("--data", type=Path, default=None, help="training files (default RULES/learned/data)")
    p.add_argument("--out", type=Path, default=None, help="default RULES/learned/model.npz")
    p.add_argument("--folds", type=int, default=FOLDS)
    p.add_argument("--no-vectors", action="store_true", help="no vector head (n-gram model only)")
    p.add_argument("--no-cache", action="store_true", help="embed every training text afresh (no vector cache)")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    compliance = None if str(args.compliance) == "none" else args.compliance
    src = Sources(args.rules, compliance, args.data or args.rules / "learned" / "data", list(args.extra))
    try:
        embedder, cache = None, None
        if not args.no_vectors:
            import os

            os.environ.setdefault("OMP_NUM_THREADS", "1")
            from visitcoach.compliance.vector_cache import CACHE_DIR, CACHE_FILE
            from visitcoach.retrieval.embeddings import E5Embeddings

            embedder = E5Embeddings()
            cache = None if args.no_cache else args.rules / "learned" / CACHE_DIR / CACHE_FILE
        model = train(src, args.out or model_path(args.rules), folds=args.folds, embedder=embedder, cache=cache)
    except KnowledgeError as exc:
        log.error("error: %s", exc)
        return 1
    import json

    log.info("%s", json.dumps({"thresholds": model.thresholds, **model.meta}, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
