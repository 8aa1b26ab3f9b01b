"""The compliance checker: rules (data) applied to a script and its visit context.

Five layers, each a pure function of (text, context, rules):
  phrase    patterns and lexicons, with negation ("you will not be arrested") and quotation
            (a trainer quoting a banned phrase is `info`) handling;
  semantic  each sentence's embedding against every rule's violating and compliant exemplars,
            so paraphrases no pattern lists are caught;
  context   visit window, place, staffing and contact-prohibiting flags;
  absence   an opening must identify the agent, state the purpose and (US) the debt-collector
            disclosure;
  learned   a per-sentence classifier over character n-grams (`learned.py`), trained on public data,
            the rules' own examples and reviewers' verdicts; each hit cites the nearest rule of its
            category. A negation the phrase layer understood in that sentence, for that category,
            suppresses it (the rules keep the last word where they are specific).
Findings of one rule whose spans overlap merge into one. The verdict fails on any violation.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np

from visitcoach.compliance.context import VisitContext
from visitcoach.compliance.learned import VECTOR_MAX_NEW, LearnedModel, features, load_for_rules
from visitcoach.compliance.prefilter import LiteralIndex, ScriptLiterals
from visitcoach.compliance.rules import Rule, load_calibration, load_rules
from visitcoach.errors import VisitCoachError
from visitcoach.text import detect_lang, tokenize
from visitcoach.text import sentence_spans as sentences  # re-exported: the checker's unit of text

log = logging.getLogger(__name__)

MAX_CHARS = 50_000
SENTENCE_CACHE = 20_000
#: The semantic layer embeds at most this many sentences per check (each costs 20-130 ms on the shared
#: cores, the whole long-text latency): the ones the learned layer scores highest for any category (or,
#: without it, the ones sharing the most cue words with the exemplars). Short scripts have fewer candidates.
SEMANTIC_MAX_SENTENCES = 2
SEVERITY_ORDER = {"info": 0, "warning": 1, "violation": 2}

# A negation governing a match: it ends the text just before the match, within the same clause.
_EN_NEGATION = re.compile(
    r"(?:\bnot|n't|\bcannot|\bnever|\bno\s+one(?:\s+will)?|\bnobody(?:\s+will)?|\bwithout|\bno\s+need\s+to|"
    r"\bno\s+(?:power|right)\s+to)\s+"
    r"(?:(?:be|been|being|get|getting|going|gonna|to|ever|have|has|you|anyone|will|would|could|is|are|say|saying|tell|"
    r"telling|threaten|threatening|imply|implying|suggest|claim|that|them|him|her|the|customer|borrower|anybody|"
    r"somebody|someone|we|i|they|us|adding|add|charging|charge|any|a|an|asking|ask|taking|take|making|make|need|"
    r"needing|required|allowed|able|entitled|right|power|out|pay|full|this|that|about|put|send|throw|lock|clear|settle|find|raise|hand|over)\s+){0,5}$",
    re.IGNORECASE,
)
_ZH_NEGATION = re.compile(
    r"(?:不会|不是|并不|并没有|没有人会|绝不|绝对不会|不得|(?<!能)不能|(?<!要)不要|禁止|严禁|不用担心|(?<!可)不可以|不应|切勿|千万别|别说|别(?!想|怪)|"
    r"没有(?:任何)?(?:权力|权利|额外)|无权|无需|不必|不用|不需要|没必要)"
    r"[^，。！？；,.!?;\n]{0,12}$"
)
# "Don't make me call your boss", "别逼我们动手": a negated imperative that carries the threat, not a denial.
_NOT_A_DENIAL = re.compile(
    r"(?:\b(?:don't|do\s+not)\s+(?:make|force|push)\s+(?:me|us)\b[^,.!?;]*$)|(?:别(?:逼|让)(?:我们|我)[^，。！？；]*$)",
    re.IGNORECASE,
)
_CLAUSE_BREAK = re.compile(r"[，。！？；,.!?;\n]|\bbut\b|\bif\b", re.IGNORECASE)
_NEGATION_LOOKBACK = 160
_QUOTES = {"“": "”", "「": "」", "‘": "’", "『": "』", '"': '"'}
_QUOTED_SEGMENT = re.compile("|".join(f"{re.escape(o)}[^{re.escape(c)}]*{re.escape(c)}" for o, c in _QUOTES.items()))


class CheckInputError(VisitCoachError):
    """The script or its context cannot be checked (empty, binary, too long, bad context)."""


@dataclass
class Finding:
    rule_id: str
    category: str
    severity: str
    start: int | None
    end: int | None
    text: str | None
    citation: str
    explanation: str
    suggestion: str
    layer: Literal["phrase", "semantic", "context", "absence", "learned", "model"] = "phrase"
    score: float | None = None
    #: Rule ids of the same category and span merged into this finding (shown in the UI and reports;
    #: kept out of `as_dict`, so `check --json` has exactly its contracted keys plus layer and score).
    also: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("also")
        return out


@dataclass
class Report:
    verdict: Literal["pass", "fail"]
    findings: list[Finding]
    lang: str
    jurisdiction: str | None
    notice: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"verdict": self.verdict, "findings": [f.as_dict() for f in self.findings]}
        if self.notice:
            out["notice"] = self.notice
        return out

    def categories(self, severities: Iterable[str] = ("violation",)) -> set[str]:
        wanted = set(severities)
        return {f.category for f in self.findings if f.severity in wanted}


@dataclass
class Semantic:
    """Exemplar embeddings per rule, computed once (and cached on disk by text hash)."""

    violating: dict[str, np.ndarray] = field(default_factory=dict)
    compliant: dict[str, np.ndarray] = field(default_factory=dict)
    threshold: float = 0.88
    margin: float = 0.02
    #: Words of the violating exemplars that no compliant material uses. A sentence sharing none of
    #: them is unlikely to paraphrase an exemplar and is not embedded: the gate that keeps the layer
    #: within its latency budget (embedding costs ~15 ms a sentence on 2 cores).
    cues: frozenset[str] = frozenset()


def validate_script(text: Any) -> str:
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise CheckInputError("the script is not UTF-8 text (binary file?)") from None
    if not isinstance(text, str):
        raise CheckInputError("the script must be text")
    if "\x00" in text:
        raise CheckInputError("the script contains NUL bytes (binary file?)")
    if not text.strip():
        raise CheckInputError("the script is empty")
    if len(text) > MAX_CHARS:
        raise CheckInputError(f"the script has {len(text):,} characters; the limit is {MAX_CHARS:,} (split it)")
    return text


def _negated(text: str, start: int, lang_hint: str) -> bool:
    # Only the clause's last words can govern the match (both negation patterns are anchored at its
    # end and look back a few words), so the clause is sought within a bounded look-back.
    lookback = max(0, start - _NEGATION_LOOKBACK)
    clause_start = lookback
    for m in _CLAUSE_BREAK.finditer(text, lookback, start):
        clause_start = m.end()
    prefix = text[clause_start:start].replace("\u2019", "'")  # "won’t" typed with a curly apostrophe
    if _NOT_A_DENIAL.search(prefix):
        return False
    return bool(_EN_NEGATION.search(prefix) or _ZH_NEGATION.search(prefix))


def _quoted(text: str, start: int, end: int) -> bool:
    for opening, closing in _QUOTES.items():
        if opening == closing:
            before = text[:start].count(opening)
            if before % 2 == 1 and closing in text[end:]:
                return True
            continue
        left = text.rfind(opening, 0, start)
        if left != -1 and text.rfind(closing, left, start) == -1 and text.find(closing, end) != -1:
            return True
    return False


def _applicable(per_jurisdiction: dict[str, Any], ctx: VisitContext) -> list[Any]:
    """The value for the context's jurisdiction, or every value when the jurisdiction is unknown."""
    if ctx.jurisdiction:
        return [per_jurisdiction[ctx.jurisdiction]] if ctx.jurisdiction in per_jurisdiction else []
    return list(per_jurisdiction.values())


def exemplar_texts(rules: list[Rule]) -> list[str]:
    """The semantic layer's exemplars of `rules` (violating, then compliant), each rule in order."""
    texts: list[str] = []
    for rule in rules:
        d = rule.spec.detect
        texts += d.semantic.zh + d.semantic.en + d.semantic_compliant.zh + d.semantic_compliant.en
    return texts


def _minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


class Checker:
    def __init__(
        self,
        rules: list[Rule],
        embedder: Any = None,
        cache_dir: Path | None = None,
        calibration: dict[str, float] | None = None,
        learned: LearnedModel | None = None,
    ) -> None:
        self.rules = rules
        self.learned = learned
        self._rule_vectors: dict[str, Any] | None = None
        self._calibration = calibration or {}
        self._embedder = embedder
        self._cache_dir = cache_dir
        self._semantic: Semantic | None = None
        self._sentence_cache: dict[str, np.ndarray] = {}
        # Flat list of every phrase pattern, in rule order, with its literal groups in one index.
        self._patterns = [
            (rule.spec.id, pattern)
            for rule in rules
            for script_lang, patterns in rule.patterns.items()
            for pattern in patterns
        ]
        self._literals = LiteralIndex(
            [lits for rule in rules for script_lang in rule.patterns for lits in rule.literals[script_lang]]
        )
        self._first_pattern: dict[str, int] = {}
        for i, (rule_id, _pattern) in enumerate(self._patterns):
            self._first_pattern.setdefault(rule_id, i)

    @classmethod
    def from_settings(cls, settings: Any, semantic: bool = True, learned: bool = True) -> Checker:
        """The pack's checker; `learned=False` skips the learned layer (and never reads its weights)."""
        from visitcoach.retrieval.embeddings import get_embeddings

        directory = Path(settings.knowledge_dir) / "rules"
        embedder = get_embeddings(settings) if semantic else None
        model = load_for_rules(directory) if learned else None
        return cls(load_rules(directory), embedder, Path(settings.data_dir) / "cache", load_calibration(directory), model)

    # -- public API -------------------------------------------------------------------------
    def context_findings(self, context: VisitContext, lang: str = "en") -> list[Finding]:
        """What the visit context alone breaks (flags, window, place, staffing), before anything is said."""
        return [
            self._finding(rule, context, lang, None, None, "", "context")
            for rule in self.rules
            if rule.spec.detect.context and rule.applies(context) and self._context_fires(rule, context)
        ]

    def check(
        self,
        text: Any,
        context: VisitContext | None = None,
        lang: str | None = None,
        semantic: bool = True,
        learned: bool = True,
    ) -> Report:
        text = validate_script(text)
        ctx = context or VisitContext()
        lang = lang if lang in ("zh", "en") else detect_lang(text)
        findings: list[Finding] = []
        applicable = [r for r in self.rules if r.applies(ctx)]
        hits = self._literals.scan(text)
        negated: list[tuple[str, int, int]] = []  # (category, start, end) of phrase matches a negation governs
        for rule in applicable:
            kind = rule.spec.detect.context
            if kind and self._context_fires(rule, ctx):
                findings.append(self._finding(rule, ctx, lang, None, None, text, "context"))
            if rule.spec.detect.require and not any(p.search(text) for ps in rule.required.values() for p in ps):
                findings.append(self._finding(rule, ctx, lang, None, None, text, "absence"))
            findings.extend(self._phrase(rule, ctx, lang, text, hits, negated))
        spent = [0]  # sentences embedded anew in this check (the semantic layer and the vector head share a budget)
        if semantic and self._embedder is not None:
            findings.extend(self._semantic_findings(applicable, ctx, lang, text, findings, spent))
        if learned and self.learned is not None:
            findings.extend(self._learned_findings(applicable, ctx, lang, text, findings, negated, spent))
        findings = one_per_category(_merge(findings, text), {r.spec.id: r for r in self.rules}, text)
        verdict = "fail" if any(f.severity == "violation" for f in findings) else "pass"
        return Report(verdict, findings, lang, ctx.jurisdiction)

    # -- layers -----------------------------------------------------------------------------
    def _phrase(
        self,
        rule: Rule,
        ctx: VisitContext,
        lang: str,
        text: str,
        hits: ScriptLiterals,
        negated: list[tuple[str, int, int]] | None = None,
    ) -> list[Finding]:
        out = []
        first = self._first_pattern.get(rule.spec.id)
        if first is None:
            return out
        for i in range(first, len(self._patterns)):
            rule_id, pattern = self._patterns[i]
            if rule_id != rule.spec.id:
                break
            for start, end in hits.windows(self._literals.groups[i]):
                for m in pattern.finditer(text, start, end):
                    if m.end() == m.start():
                        continue
                    quoted = _quoted(text, m.start(), m.end())
                    if not quoted and _negated(text, m.start(), lang):
                        if negated is not None:
                            negated.append((rule.category, m.start(), m.end()))
                        continue
                    severity = "info" if quoted else None
                    out.append(self._finding(rule, ctx, lang, m.start(), m.end(), text, "phrase", severity=severity))
        return out

    def _context_fires(self, rule: Rule, ctx: VisitContext) -> bool:
        detect = rule.spec.detect
        if detect.context == "visit_time":
            windows = _applicable(detect.windows, ctx)
            if ctx.visit_time is None or not windows:
                return False
            minute = ctx.visit_time.hour * 60 + ctx.visit_time.minute
            # Without a jurisdiction, the strictest window applies (the policy's rule).
            start = max(_minutes(w.start) for w in windows)
            end = min(_minutes(w.end) for w in windows)
            return not (start <= minute < end)
        if detect.context == "visit_staffing":
            if ctx.collectors is None:
                return False
            low, high = _applicable(detect.min_collectors, ctx), _applicable(detect.max_collectors, ctx)
            return (bool(low) and ctx.collectors < max(low)) or (bool(high) and ctx.collectors > min(high))
        return detect.context in ("visit_place", "contact")  # their `when` already holds

    def _semantic_findings(
        self, rules: list[Rule], ctx: VisitContext, lang: str, text: str, found: list[Finding],
        spent: list[int] | None = None,
    ) -> list[Finding]:
        candidates = [r for r in rules if r.spec.detect.semantic]
        if not candidates:
            return []
        sem = self._exemplars()
        # Only sentences worth embedding (~15 ms each): not quoted, not denying the thing, and sharing
        # a cue word with some violating exemplar.
        spans = [
            (s, e)
            for s, e in sentences(text)
            if not _quoted(text, s, e)
            and not _sentence_negated(text[s:e])
            and sem.cues.intersection(tokenize(text[s:e], bigrams=False))
        ]
        if not spans:
            return []
        spans = self._semantic_budget(text, spans, sem.cues, lang=lang)
        vectors = self._sentence_vectors([text[s:e] for s, e in spans], spent)
        out = []
        for (s, e), vec in zip(spans, vectors, strict=True):
            for rule in candidates:
                if any(f.rule_id == rule.id and f.start is not None and f.start < e and f.end > s for f in found):
                    continue  # the phrase layer already has it
                v = sem.violating.get(rule.id)
                if v is None or not len(v):
                    continue
                best_v = float(np.max(v @ vec))
                c = sem.compliant.get(rule.id)
                best_c = float(np.max(c @ vec)) if c is not None and len(c) else 0.0
                if best_v >= sem.threshold and best_v - best_c >= sem.margin:
                    out.append(self._finding(rule, ctx, lang, s, e, text, "semantic", score=round(best_v, 4)))
        return out

    def _semantic_budget(
        self, text: str, spans: list[tuple[int, int]], cues: frozenset[str], limit: int | None = None,
        lang: str | None = None,
    ) -> list[tuple[int, int]]:
        """At most `limit` (SEMANTIC_MAX_SENTENCES) of `spans`, in text order: those the learned layer scores
        highest for any category, or without a learned model those sharing the most cue words."""
        limit = SEMANTIC_MAX_SENTENCES if limit is None else limit
        if len(spans) <= limit:
            return spans
        pieces = [text[s:e] for s, e in spans]
        if self.learned is not None:
            scores = self.learned.scores(pieces)
            rank = scores.max(axis=1)
            if self.learned.uses_vectors(self._embedder):
                # The vector head's sentences first, so that its vectors are these (the two layers share a budget).
                assert self.learned.vector is not None
                wanted = self.learned.vector.wanted(self.learned.categories, scores, lang or detect_lang(text))
                rank[wanted[:VECTOR_MAX_NEW]] += 2.0
        else:
            rank = np.array([len(cues.intersection(tokenize(p, bigrams=False))) for p in pieces], dtype=np.float32)
        keep = sorted(np.argsort(-rank, kind="stable")[:limit].tolist())
        return [spans[i] for i in keep]

    def _learned_findings(
        self,
        rules: list[Rule],
        ctx: VisitContext,
        lang: str,
        text: str,
        found: list[Finding],
        negated: list[tuple[str, int, int]],
        spent: list[int] | None = None,
    ) -> list[Finding]:
        """Sentences the classifier scores over a category's threshold, each citing that category's nearest rule."""
        model = self.learned
        assert model is not None
        spans = sentences(text, min_chars=1)
        if not spans:
            return []
        pieces = [text[s:e] for s, e in spans]
        x = features(pieces, model.n_features, model.ngrams)
        logits = np.asarray(x @ model.coef, dtype=np.float32) + model.intercept
        scores = 1.0 / (1.0 + np.exp(-logits))
        stacked = np.zeros(scores.shape, dtype=bool)  # (sentence, category) scored with the vector head
        if model.uses_vectors(self._embedder):
            scores, stacked = self._vector_scores(pieces, scores, lang, spent[0] if spent else 0)
        by_category: dict[str, list[Rule]] = {}
        for rule in rules:
            by_category.setdefault(rule.category, []).append(rule)
        out = []
        for j, category in enumerate(model.categories):
            candidates = by_category.get(category)
            plain, with_vectors = model.threshold(category, lang), model.threshold(category, lang, vectors=True)
            if not candidates:
                continue
            limits = np.where(stacked[:, j], with_vectors, plain)
            for i in np.flatnonzero(scores[:, j] >= limits):
                threshold = float(limits[i])
                s, e = spans[i]
                if any(c == category and s <= ns < e for c, ns, _ne in negated):
                    continue  # the phrase layer read a negation of this category here ("我们不会告诉你单位")
                if any(f.category == category and f.start is not None and f.start < e and f.end > s for f in found):
                    continue  # a rule already has it
                rule = self._nearest_rule(candidates, x[i])
                # A learned hit is a warning: it is reported (and counted) but never fails a script on its own.
                quoted = _quoted(text, s, e) or self._only_quoted(text[s:e], j, threshold, lang, bool(stacked[i, j]))
                severity = "info" if quoted else "warning"
                out.append(
                    self._finding(rule, ctx, lang, s, e, text, "learned", severity=severity, score=round(float(scores[i, j]), 4))
                )
        return out

    def _vector_scores(
        self, pieces: list[str], scores: np.ndarray, lang: str, spent: int = 0
    ) -> tuple[np.ndarray, np.ndarray]:
        """The vector head's stacked scores for the sentences in its band: those already embedded (by the
        semantic layer, or an earlier check), and new ones while this check has embedded fewer than
        VECTOR_MAX_NEW (best n-gram score first; the semantic layer's sentences count). Also which cells are stacked."""
        model = self.learned
        assert model is not None and model.vector is not None
        head = model.vector
        rows, new = [], spent
        for i in head.wanted(model.categories, scores, lang):
            if pieces[i] in self._sentence_cache:
                rows.append(i)
            elif new < VECTOR_MAX_NEW:
                rows.append(i)
                new += 1
        stacked = np.zeros(scores.shape, dtype=bool)
        if not rows:
            return scores, stacked
        vectors = self._sentence_vectors([pieces[i] for i in rows])
        out = head.combine(model.categories, scores, rows, vectors, lang)
        for j in head.columns(model.categories, lang):
            low = head.band[model.categories[j]][lang]
            for i in rows:
                stacked[i, j] = scores[i, j] >= low
        return out, stacked

    def _only_quoted(self, sentence: str, column: int, threshold: float, lang: str = "en", stacked: bool = False) -> bool:
        """Whether the hit rests on quoted words: without its quotations the sentence no longer scores."""
        bare = _QUOTED_SEGMENT.sub(" ", sentence)
        if bare == sentence:
            return False
        assert self.learned is not None
        if not bare.strip():
            return True
        score = self.learned.scores([bare])
        if stacked and self.learned.vector is not None:
            head = self.learned.vector
            c = self.learned.categories[column]
            if score[0, column] < head.band.get(c, {}).get(lang, float("inf")):
                return score[0, column] < self.learned.threshold(c, lang)  # out of the band: the n-gram score stands
            score = head.combine(self.learned.categories, score, [0], self._sentence_vectors([bare]), lang)
        return float(score[0, column]) < threshold

    def _nearest_rule(self, candidates: list[Rule], vector: Any) -> Rule:
        """The candidate whose own violating examples share most character n-grams with the sentence."""
        if len(candidates) == 1:
            return candidates[0]
        if self._rule_vectors is None:
            model = self.learned
            assert model is not None
            vectors = {}
            for rule in self.rules:
                d, ex = rule.spec.detect, rule.spec.examples
                texts = d.semantic.zh + d.semantic.en + [e.text for items in ex.violating.values() for e in items if e.text]
                if texts:
                    vectors[rule.id] = features(texts, model.n_features, model.ngrams)
            self._rule_vectors = vectors
        best, best_sim = candidates[0], -1.0
        for rule in candidates:
            v = self._rule_vectors.get(rule.id)
            if v is None:
                continue
            sim = float((v @ vector.T).max())
            if sim > best_sim:
                best, best_sim = rule, sim
        return best

    def _sentence_vectors(self, texts: list[str], spent: list[int] | None = None) -> np.ndarray:
        """Embeddings of script sentences; repeated sentences (templates in a batch) are embedded once."""
        missing = list(dict.fromkeys(t for t in texts if t not in self._sentence_cache))
        if spent is not None:
            spent[0] += len(missing)
        if missing:
            if len(self._sentence_cache) + len(missing) > SENTENCE_CACHE:
                self._sentence_cache.clear()
            for t, vec in zip(missing, self._embedder.embed_passages(missing), strict=True):
                self._sentence_cache[t] = np.asarray(vec, dtype=np.float32)
        return np.vstack([self._sentence_cache[t] for t in texts])

    def _exemplars(self) -> Semantic:
        if self._semantic is not None:
            return self._semantic
        sem = Semantic(**self._calibration)
        vectors = self._embed_cached(exemplar_texts(self.rules))
        for rule in self.rules:
            d = rule.spec.detect
            v = [vectors[t] for t in d.semantic.zh + d.semantic.en]
            c = [vectors[t] for t in d.semantic_compliant.zh + d.semantic_compliant.en]
            if v:
                sem.violating[rule.id] = np.vstack(v)
            if c:
                sem.compliant[rule.id] = np.vstack(c)
        violating_words: set[str] = set()
        compliant_words: set[str] = set()
        for rule in self.rules:
            d, ex = rule.spec.detect, rule.spec.examples
            for t in d.semantic.zh + d.semantic.en:
                violating_words |= set(tokenize(t, bigrams=False))
            compliant = (
                d.semantic_compliant.zh + d.semantic_compliant.en + rule.spec.suggestion.zh + rule.spec.suggestion.en
            )
            compliant += [e.text for items in ex.compliant.values() for e in items]
            for t in compliant:
                compliant_words |= set(tokenize(t, bigrams=False))
        sem.cues = frozenset(violating_words - compliant_words)
        self._semantic = sem
        return sem

    def _embed_cached(self, texts: list[str]) -> dict[str, np.ndarray]:
        """Exemplar vectors, kept in `exemplars.npz` of the cache dir (and shipped for the shipped rules)."""
        name = getattr(self._embedder, "name", "embedder")
        keys = {t: hashlib.sha1(f"{name}\n{t}".encode()).hexdigest() for t in set(texts)}
        cache: dict[str, np.ndarray] = {}
        path = self._cache_dir / "exemplars.npz" if self._cache_dir else None
        if path and path.exists():
            with np.load(path) as data:
                cache = {k: data[k] for k in data.files}
        missing = [t for t, k in keys.items() if k not in cache]
        if missing:
            for t, vec in zip(missing, self._embedder.embed_passages(missing), strict=True):
                cache[keys[t]] = np.asarray(vec, dtype=np.float32)
            if path:
                path.parent.mkdir(parents=True, exist_ok=True)
                np.savez(path, **{k: cache[k] for k in set(keys.values())})
        return {t: cache[k] for t, k in keys.items()}

    # -- findings ---------------------------------------------------------------------------
    def _finding(
        self,
        rule: Rule,
        ctx: VisitContext,
        lang: str,
        start: int | None,
        end: int | None,
        text: str,
        layer: str,
        severity: str | None = None,
        score: float | None = None,
    ) -> Finding:
        spec = rule.spec
        suggestions = spec.suggestion.get(lang) or spec.suggestion.get("en")
        return Finding(
            rule_id=spec.id,
            category=spec.category,
            severity=severity or spec.severity,
            start=start,
            end=end,
            text=text[start:end] if start is not None and end is not None else None,
            citation=rule.citation_for(ctx.jurisdiction, lang),
            explanation=getattr(spec.explanation, lang),
            suggestion=suggestions[0],
            layer=layer,  # type: ignore[arg-type]
            score=score,
        )


def _sentence_negated(sentence: str) -> bool:
    """A sentence that denies the thing ("nobody will arrest you") is not a semantic match."""
    sentence = sentence.replace("\u2019", "'")
    return bool(re.search(r"\b(?:not|never|won't|nobody|no one)\b|n't\b", sentence, re.IGNORECASE)) or bool(
        re.search(r"不会|不是|并不|没有人会|绝不|不得|(?<!能)不能|不要|禁止|严禁", sentence)
    )


def _merge(findings: list[Finding], text: str) -> list[Finding]:
    """One finding per rule per overlapping span (the strongest severity); context findings once per rule."""
    out: list[Finding] = []
    by_rule: dict[str, list[Finding]] = {}
    for f in findings:
        by_rule.setdefault(f.rule_id, []).append(f)
    for group in by_rule.values():
        spanless = [f for f in group if f.start is None]
        if spanless:
            out.append(spanless[0])
        spans = sorted((f for f in group if f.start is not None), key=lambda f: (f.start, -(f.end or 0)))
        for f in spans:
            last = out[-1] if out and out[-1].rule_id == f.rule_id and out[-1].start is not None else None
            if last is not None and f.start <= last.end:  # type: ignore[operator]
                if f.end > last.end:  # type: ignore[operator]
                    last.end = f.end
                if SEVERITY_ORDER[f.severity] > SEVERITY_ORDER[last.severity]:
                    last.severity, last.layer = f.severity, f.layer
                continue
            out.append(replace(f))
    for f in out:
        if f.start is not None:
            f.text = text[f.start : f.end]
    return sorted(out, key=lambda f: (f.start if f.start is not None else -1, f.rule_id))


def one_per_category(findings: list[Finding], rules: dict[str, Rule], text: str) -> list[Finding]:
    """One finding per category and (overlapping) span, so counts in reviews and statistics are true.

    The most specific rule wins: the strongest severity, then the rule written for fewer
    jurisdictions, then the longer matched text, then the lower rule id. The winner's span grows to
    cover the group, and the other rule ids are kept in `also`. Context and absence findings (no
    span) are grouped per category the same way.
    """

    def rank(f: Finding) -> tuple[int, int, int, str]:
        rule = rules.get(f.rule_id)
        width = len(set(rule.spec.jurisdictions)) if rule is not None else 3
        length = (f.end or 0) - (f.start or 0)
        return (-SEVERITY_ORDER[f.severity], width, -length, f.rule_id)

    groups: list[list[Finding]] = []
    spanless: dict[str, list[Finding]] = {}
    open_group: dict[str, list[Finding]] = {}
    for f in sorted(findings, key=lambda f: (f.start if f.start is not None else -1, -(f.end or 0), f.rule_id)):
        if f.start is None:
            spanless.setdefault(f.category, []).append(f)
            continue
        group = open_group.get(f.category)
        if group is not None and f.start < max(g.end or 0 for g in group):
            group.append(f)
        else:
            open_group[f.category] = [f]
            groups.append(open_group[f.category])
    out: list[Finding] = []
    for group in [*spanless.values(), *groups]:
        best = min(group, key=rank)
        if len(group) > 1:
            best = replace(best, also=sorted({g.rule_id for g in group if g.rule_id != best.rule_id} | set(best.also)))
            if best.start is not None:
                best.start = min(g.start for g in group)  # type: ignore[type-var]
                best.end = max(g.end for g in group)  # type: ignore[type-var]
                best.text = text[best.start : best.end]
        out.append(best)
    return sorted(out, key=lambda f: (f.start if f.start is not None else -1, f.rule_id))
