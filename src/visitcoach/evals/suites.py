"""The evaluation suites: each runs one dataset through the product and scores every row.

A suite is a function `(EvalContext) -> SuiteResult`, registered in `SUITES` by name. Each row
result carries id, language, jurisdiction, tags, input, output and named scores; the suite adds
its aggregate metrics (flat names `suite.variant.metric`) and any extra tables (compliance per
category). Baselines run on the same data in the same run: retrieval dense-only (LangChain's
Chroma similarity search over the same collection and embeddings) and BM25-only against the
hybrid; the checker's phrase layer alone against all layers.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal, TypeVar

from visitcoach.config import Settings
from visitcoach.evals import scorers
from visitcoach.evals.scorers import Score

log = logging.getLogger(__name__)

Mode = Literal["offline", "llm"]
T = TypeVar("T")


@dataclass
class RowResult:
    suite: str
    id: str
    lang: str | None
    jurisdiction: str | None
    tags: list[str]
    input: Any
    output: Any
    scores: dict[str, Score]

    def as_dict(self) -> dict[str, Any]:
        return {
            "suite": self.suite,
            "id": self.id,
            "lang": self.lang,
            "jurisdiction": self.jurisdiction,
            "tags": self.tags,
            "input": self.input,
            "output": self.output,
            "scores": {k: v.as_dict() for k, v in self.scores.items()},
        }


@dataclass
class SuiteResult:
    name: str
    rows: list[RowResult]
    metrics: dict[str, float]
    #: The row score that ranks the worst failures of this suite.
    primary: str
    tables: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0


@dataclass
class EvalContext:
    """What the suites share: settings, where the datasets are, and the index and checker (opened lazily)."""

    settings: Settings
    datasets_dir: Path
    root: Path  # paths inside datasets (rehearsal scripts) are relative to this
    mode: Mode = "offline"
    k: int = 5
    progress: bool = False
    injected_index: Any = None
    injected_checker: Any = None

    @cached_property
    def index(self) -> Any:
        if self.injected_index is not None:
            return self.injected_index
        from visitcoach.retrieval.index import KnowledgeIndex

        return KnowledgeIndex(self.settings)

    @cached_property
    def checker(self) -> Any:
        if self.injected_checker is not None:
            return self.injected_checker
        from visitcoach.compliance.checker import Checker

        return Checker.from_settings(self.settings)

    def dataset(self, name: str) -> Path:
        return self.datasets_dir / name

    def bar(self, items: list[T], suite: str) -> Iterator[T]:
        """Iterate with a progress bar on stderr (when asked for)."""
        if not self.progress:
            yield from items
            return
        from tqdm import tqdm

        yield from tqdm(items, desc=f"eval {suite}", unit="row", file=sys.stderr, leave=False, dynamic_ncols=True)


def _mean(scores: Iterable[Score]) -> float:
    value = scorers.mean_score(scores)
    return round(value, 4) if value is not None else 0.0


def _metric(rows: list[RowResult], key: str) -> float:
    return _mean(r.scores[key] for r in rows if key in r.scores)


# -- retrieval ----------------------------------------------------------------------------------

RETRIEVAL_METHODS = ("hybrid", "dense_langchain", "bm25")


def _dense_langchain(ctx: EvalContext) -> Callable[[str, int], list[dict[str, Any]]]:
    """Dense-only baseline: LangChain's Chroma similarity search over the index's own collection and embeddings."""
    from langchain_chroma import Chroma

    from visitcoach.retrieval.index import Filters

    index = ctx.index
    store = Chroma(
        client=index.store.client, collection_name=index.store.collection_name, embedding_function=index.embedder,
        create_collection_if_not_exists=False,
    )
    where = Filters().where()  # the same default filter as the hybrid search (no personas, no exercises)

    def search(question: str, k: int) -> list[dict[str, Any]]:
        docs = store.similarity_search_with_score(question, k=k, filter=where)
        return [
            {"chunk_id": d.id, "doc_id": d.metadata.get("doc_id", ""), "citation": d.metadata.get("citation", ""), "score": round(1 - dist, 4)}
            for d, dist in docs
        ]

    return search


def retrieval_suite(ctx: EvalContext) -> SuiteResult:
    from visitcoach.evals.retrieval import load_cases

    cases = load_cases(ctx.dataset("retrieval.jsonl"))
    index, k = ctx.index, ctx.k
    dense = _dense_langchain(ctx)

    def hybrid_or_bm25(method: str) -> Callable[[str, int], list[dict[str, Any]]]:
        def search(question: str, kk: int) -> list[dict[str, Any]]:
            hits = index.search(question, kk, method=method).hits
            return [{"chunk_id": h.chunk_id, "doc_id": h.doc_id, "citation": h.citation, "score": h.score} for h in hits]

        return search

    methods = {"hybrid": hybrid_or_bm25("hybrid"), "dense_langchain": dense, "bm25": hybrid_or_bm25("lexical")}
    rows = []
    for case in ctx.bar(cases, "retrieval"):
        output: dict[str, Any] = {}
        scores: dict[str, Score] = {}
        for name, search in methods.items():
            hits = search(case.question, k)
            gold = [
                h["doc_id"] in case.expected_doc_ids and (not case.expected_citations or h["citation"] in case.expected_citations)
                for h in hits
            ]
            output[name] = [f"{h['doc_id']} | {h['citation']}" + (" ✓" if g else "") for h, g in zip(hits, gold, strict=True)]
            scores[f"{name}.recall@{k}"] = scorers.recall_at_k(gold, k)
            scores[f"{name}.mrr"] = scorers.reciprocal_rank(gold)
            scores[f"{name}.ndcg@{k}"] = scorers.ndcg_at_k(gold, k)
        rows.append(
            RowResult(
                "retrieval", case.id, case.lang, case.jurisdiction, case.tags,
                {"question": case.question, "expected_doc_ids": case.expected_doc_ids, "expected_citations": case.expected_citations},
                output, scores,
            )
        )
    metrics = {f"retrieval.{key}": _metric(rows, key) for key in (rows[0].scores if rows else {})}
    return SuiteResult("retrieval", rows, metrics, primary=f"hybrid.recall@{k}")


# -- ask ----------------------------------------------------------------------------------------


class _SentenceSimilarity:
    """Cosine similarity of a sentence to the closest sentence of a chunk, with the local embeddings (cached)."""

    def __init__(self, embedder: Any) -> None:
        self._embedder = embedder
        self._cache: dict[str, Any] = {}

    def _vectors(self, texts: list[str]) -> list[Any]:
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            for t, v in zip(missing, self._embedder.embed_passages(missing), strict=True):
                self._cache[t] = v
        return [self._cache[t] for t in texts]

    def __call__(self, sentence: str, chunk: str) -> float:
        pieces = scorers.split_sentences(chunk) or [chunk]
        vs = self._vectors([sentence, *pieces])
        return max(float(vs[0] @ v) for v in vs[1:])


def judge_groundedness(settings: Settings, lang: str, answer: str, cited_texts: list[str]) -> Score:
    """LLM judge: per-sentence JSON verdicts from `prompts/groundedness.*`; the share is computed here."""
    from visitcoach.llm.backend import chat
    from visitcoach.llm.prompts import render

    sentences = [scorers.strip_markers(s) for s in scorers.split_sentences(answer)]
    sentences = [s for s in sentences if scorers.tokens(s)]
    if not sentences:
        return Score(None, "no sentences")
    sources = "\n\n".join(f'<source n="{n}">\n{t}\n</source>' for n, t in enumerate(cited_texts, start=1))
    numbered = "\n".join(f"{n}. {s}" for n, s in enumerate(sentences, start=1))
    system = render(settings.prompts_dir, "groundedness", lang, sources=sources or "(none)", sentences=numbered)
    reply = chat(settings, system, "Judge every sentence." if lang == "en" else "请逐句判断。", task="groundedness")
    return scorers.groundedness_from_verdicts(scorers.parse_judge_verdicts(reply, len(sentences)))


ASK_ANSWER_METRICS = (
    "answer_correct", "key_fact_coverage", "direct_answer", "citation_top5", "section_recall@5",
    "citation_precision", "citation_recall", "groundedness",
)


def ask_suite(ctx: EvalContext) -> SuiteResult:
    """Answers to agents' questions. The headline metrics (`ask.*`) are the **test** split's; the dev
    split, which ranking is tuned on, is reported as `ask.dev.*`."""
    from visitcoach.ask import ask
    from visitcoach.evals.ask import load_cases

    settings = ctx.settings.model_copy(update={"llm": "openai" if ctx.mode == "llm" else "offline"})
    cases = load_cases(ctx.dataset("ask.jsonl"), ctx.dataset("unanswerable.jsonl"))
    by_id = {c.id: c for c in cases}
    index = ctx.index
    similarity = _SentenceSimilarity(index.embedder)
    rows = []
    for case in ctx.bar(cases, "ask"):
        parent = by_id.get(case.follow_up_of) if case.follow_up_of else None
        history = [{"role": "user", "content": parent.question}] if parent else None
        chosen = case.selected_jurisdiction or (parent.selected_jurisdiction if parent else None)
        answer = ask(index, case.question, jurisdiction=chosen, lang=case.lang, settings=settings, history=history)
        retrieved = list(answer.understood.get("retrieved", []))
        cited = [c.as_dict(with_text=True) for c in answer.citations]
        for c in cited:
            chunk = index.chunk(c["chunk_id"])
            c["jurisdiction"] = chunk.metadata.get("jurisdiction") if chunk else None
        scores: dict[str, Score] = {"refusal": scorers.refusal(answer.covered, case.answerable)}
        if case.answerable:
            text = scorers.claims_text(answer.answer) if answer.covered else ""
            scores["key_fact_coverage"] = scorers.key_fact_coverage(text, case.key_facts)
            scores["answer_correct"] = scorers.all_key_facts(text, case.key_facts)
            scores["direct_answer"] = scorers.direct_answer(text, case.key_facts)
            scores["wrong_jurisdiction"] = scorers.wrong_jurisdiction(text, cited, case.jurisdiction, case.forbidden_facts)
            scores["section_recall@5"] = scorers.citation_in_top(
                answer.understood.get("ranked", []), case.expected_citations, case.expected_doc_ids
            )
            if answer.covered:
                scores["citation_top5"] = scorers.citation_in_top(cited, case.expected_citations, case.expected_doc_ids)
                scores["citation_precision"] = scorers.citation_precision(text, cited, retrieved)
                scores["citation_recall"] = scorers.citation_recall(cited, case.expected_citations, case.expected_doc_ids)
                texts = [c["text"] for c in cited]
                if ctx.mode == "llm":
                    scores["groundedness"] = judge_groundedness(settings, case.lang, text, texts)
                else:
                    scores["groundedness"] = scorers.groundedness(text, texts, similarity=similarity)
            else:
                scores["citation_top5"] = Score(0.0, "refused, nothing cited")
                scores["citation_recall"] = Score(0.0, "refused, nothing cited")
        output = {
            "answer": answer.answer,
            "covered": answer.covered,
            "mode": answer.mode,
            "citations": [f"[{n}] {c['doc_id']} | {c['citation']}" for n, c in enumerate(cited, start=1)],
            "topics": answer.understood.get("topics", []),
            "jurisdiction": answer.understood.get("jurisdiction"),
        }
        if answer.notice:
            output["notice"] = answer.notice
        rows.append(
            RowResult(
                "ask", case.id, case.lang, case.jurisdiction, [*case.tags, f"split:{case.split}"],
                {"question": case.question, "answerable": case.answerable, "key_facts": case.key_facts,
                 "forbidden_facts": case.forbidden_facts, "expected_citations": case.expected_citations,
                 "split": case.split, "follow_up_of": case.follow_up_of},
                output, scores,
            )
        )
    metrics: dict[str, float | None] = {}
    for prefix, split in (("ask.", "test"), ("ask.dev.", "dev")):
        part = [r for r in rows if r.input["split"] == split]
        answerable = [r for r in part if r.input["answerable"]]
        unanswerable = [r for r in part if not r.input["answerable"]]
        if answerable:
            metrics.update({f"{prefix}{key}": _metric(answerable, key) for key in ASK_ANSWER_METRICS})
            metrics[f"{prefix}wrong_jurisdiction_rate"] = _metric(answerable, "wrong_jurisdiction")
            metrics[f"{prefix}false_refusal_rate"] = round(1 - _metric(answerable, "refusal"), 4)
        if unanswerable:
            metrics[f"{prefix}refusal_accuracy"] = _metric(unanswerable, "refusal")
    tables = {s: {"answerable": sum(1 for r in rows if r.input["split"] == s and r.input["answerable"]),
                  "unanswerable": sum(1 for r in rows if r.input["split"] == s and not r.input["answerable"])} for s in ("dev", "test")}
    return SuiteResult("ask", rows, metrics, primary="answer_correct", tables=tables)


# -- compliance ---------------------------------------------------------------------------------

COMPLIANCE_VARIANTS = ("all_layers", "no_learned", "phrase_only")


def compliance_suite(ctx: EvalContext) -> SuiteResult:
    """P/R/F1 and FPR per split and language: every layer, every layer but the learned one, the phrase layer alone.

    Also counts the findings the semantic layer alone makes (no other layer has the category on that
    script), the figure that decides whether the semantic layer earns its place.
    """
    from visitcoach.compliance.rules import CATEGORIES
    from visitcoach.evals.compliance import REPORTED, load_cases

    cases = load_cases(ctx.dataset("compliance.jsonl"))
    checker = ctx.checker
    rows = []
    for n, case in enumerate(ctx.bar(cases, "compliance")):
        split = "dev" if n % 2 == 0 else "test"  # even rows dev, odd rows held-out test (as in compliance_eval.py)
        context = case.visit_context()
        full = checker.check(case.text, context, lang=case.lang)
        no_learned = checker.check(case.text, context, lang=case.lang, learned=False)
        got = {
            "all_layers": full.categories(REPORTED),
            "no_learned": no_learned.categories(REPORTED),
            "phrase_only": {f.category for f in full.findings if f.layer == "phrase" and f.severity in REPORTED},
        }
        others = {f.category for f in full.findings if f.layer != "semantic" and f.severity in REPORTED}
        semantic_alone = sorted({f.category for f in full.findings if f.layer == "semantic" and f.severity in REPORTED} - others)
        learned_alone = sorted(got["all_layers"] - got["no_learned"])
        rows.append(
            RowResult(
                "compliance", case.id, case.lang, case.jurisdiction, [split, *case.tags],
                {"text": case.text, "context": case.context, "expected_categories": case.expected_categories, "split": split},
                {
                    **{v: sorted(got[v]) for v in COMPLIANCE_VARIANTS},
                    "semantic_alone": semantic_alone,
                    "learned_alone": learned_alone,
                    "findings": [f"{f.rule_id} [{f.severity}, {f.layer}] {(f.text or '')[:60]}" for f in full.findings],
                },
                {f"{v}.match": scorers.category_match(case.expected_categories, got[v]) for v in COMPLIANCE_VARIANTS},
            )
        )
    metrics: dict[str, float] = {}
    per_category: dict[str, Any] = {}
    for variant in COMPLIANCE_VARIANTS:
        for split in ("dev", "test", "all"):
            for lang in (None, "zh", "en"):
                chosen = [r for r in rows if (split == "all" or r.input["split"] == split) and lang in (None, r.lang)]
                result = scorers.compliance_metrics(
                    [(r.input["expected_categories"], r.output[variant]) for r in chosen], CATEGORIES
                )
                prefix = f"compliance.{variant}.{split}" + (f".{lang}" if lang else "")
                for m in ("precision", "recall", "f1"):
                    metrics[f"{prefix}.micro_{m}"] = round(result["micro"][m], 4)
                metrics[f"{prefix}.false_positive_rate"] = round(result["false_positive_rate"].value or 0.0, 4)
                key = f"{variant}.{split}" + (f".{lang}" if lang else "")
                per_category[key] = {
                    c: {k: (round(v, 4) if isinstance(v, float) else v) for k, v in m.items()} for c, m in result["per_category"].items()
                }
    for split in ("dev", "test"):
        part = [r for r in rows if r.input["split"] == split]
        for layer in ("semantic", "learned"):
            alone = [(c, r) for r in part for c in r.output[f"{layer}_alone"]]
            metrics[f"compliance.{layer}_alone.{split}.findings"] = float(len(alone))
            metrics[f"compliance.{layer}_alone.{split}.correct"] = float(
                sum(1 for c, r in alone if c in r.input["expected_categories"])
            )
    tables: dict[str, Any] = {"per_category": per_category}
    model = getattr(checker, "learned", None)
    if model is not None:
        tables["learned_training_rows"] = model.meta.get("rows", {})
        tables["reviewer_rows_per_category"] = model.meta.get("reviewer_rows", {})
        for c, count in model.meta.get("reviewer_rows", {}).items():
            metrics[f"compliance.learned.reviewer_rows.{c}"] = float(count)
    return SuiteResult("compliance", rows, metrics, primary="all_layers.match", tables=tables)


# -- outside data: COLD (Chinese), ConvAbuse and Davidson (English) -------------------------------

OUTSIDE_VARIANTS = ("all_layers", "no_learned")


def _outside_suite(ctx: EvalContext, name: str, files: dict[str, str]) -> SuiteResult:
    """Per source and label group: the share of rows with `abusive_language`, and with any finding at all.

    Rows are checked as a debtor-facing script (COLD: CN; English: US), without the semantic layer
    (see README: the semantic layer makes no finding on outside text, and it would dominate the time).
    """
    from visitcoach.compliance.context import parse_context
    from visitcoach.evals.compliance import REPORTED

    rows = []
    for source, filename in files.items():
        path = ctx.dataset(filename)
        if not path.exists():
            continue
        data = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        for item in ctx.bar(data, f"{name}.{source}"):
            jurisdiction = "CN" if item["lang"] == "zh" else "US"
            vctx = parse_context({"jurisdiction": jurisdiction, "audience": "debtor"}, "outside row")
            out: dict[str, Any] = {}
            scores: dict[str, Score] = {}
            for variant in OUTSIDE_VARIANTS:
                report = ctx.checker.check(item["text"], vctx, lang=item["lang"], semantic=False,
                                           learned=variant == "all_layers")
                cats = report.categories(REPORTED)
                out[variant] = sorted(cats)
                hit = "abusive_language" in cats
                scores[f"{variant}.abusive"] = Score(float(hit), "abusive_language found" if hit else "not found")
                scores[f"{variant}.any"] = Score(float(bool(cats)), ", ".join(sorted(cats)) or "no finding")
            rows.append(RowResult(name, item["id"], item["lang"], jurisdiction, [source, item["label"]],
                                  {"text": item["text"], "source": source, "label": item["label"]}, out, scores))
    metrics: dict[str, float] = {}
    for source in files:
        for label in sorted({r.input["label"] for r in rows if r.input["source"] == source}):
            part = [r for r in rows if r.input["source"] == source and r.input["label"] == label]
            for variant in OUTSIDE_VARIANTS:
                metrics[f"{name}.{source}.{variant}.{label}.abusive_rate"] = _metric(part, f"{variant}.abusive")
                metrics[f"{name}.{source}.{variant}.{label}.any_finding_rate"] = _metric(part, f"{variant}.any")
            metrics[f"{name}.{source}.{label}.rows"] = float(len(part))
    return SuiteResult(name, rows, metrics, primary="all_layers.abusive")


def cold_suite(ctx: EvalContext) -> SuiteResult:
    return _outside_suite(ctx, "cold", {"test": "cold_test.jsonl"})


def english_abuse_suite(ctx: EvalContext) -> SuiteResult:
    return _outside_suite(ctx, "english_abuse", {"convabuse": "convabuse_test.jsonl", "davidson": "davidson_sample.jsonl"})


# -- plans, prep, rehearsal ---------------------------------------------------------------------


def plans_suite(ctx: EvalContext) -> SuiteResult:
    from visitcoach.corpus.pack import load_plan_policy
    from visitcoach.evals.plans import actual, compare, load_cases

    knowledge = ctx.settings.knowledge_dir
    policy = load_plan_policy(knowledge)
    rows = []
    for case in ctx.bar(load_cases(ctx.dataset("plans.jsonl")), "plans"):
        got = actual(case, policy, knowledge)
        diffs = compare(case, got)
        jurisdiction = case.case_id.split("-")[0].upper() if case.case_id else (case.inputs or {}).get("jurisdiction")
        tags = [case.expected.get("segment", "")] if case.expected.get("segment") else []
        rows.append(
            RowResult(
                "plans", case.id, None, jurisdiction, ["case" if case.case_id else "inputs", *tags],
                {"case_id": case.case_id, "inputs": case.inputs, "as_of": str(case.as_of), "start": str(case.start),
                 "role": case.role, "expected": case.expected},
                {"actual": got, "diffs": diffs},
                {
                    "validity": scorers.plan_validity(case.expected, got),
                    "figure_accuracy": scorers.figure_accuracy(case.expected, got),
                    "exact": Score(0.0 if diffs else 1.0, "; ".join(diffs[:3]) or "every expected figure matches"),
                },
            )
        )
    metrics = {f"plans.{k}": _metric(rows, k) for k in ("validity", "figure_accuracy", "exact")}
    return SuiteResult("plans", rows, metrics, primary="exact")


def prep_suite(ctx: EvalContext) -> SuiteResult:
    from visitcoach.evals.prep import load_cases, missing_elements
    from visitcoach.prep import build_brief

    settings = ctx.settings.model_copy(update={"llm": "offline"})
    rows = []
    for case in ctx.bar(load_cases(ctx.dataset("prep.jsonl")), "prep"):
        brief = build_brief(settings, case.case_id, as_of=case.as_of, checker=ctx.checker, index=ctx.index).as_dict()
        decision = brief["decision"]
        missing = missing_elements(case, brief)
        want = case.expected
        rows.append(
            RowResult(
                "prep", case.id, brief.get("lang"), case.case_id.split("-")[0].upper(), [] if want.visit_allowed else ["no_go"],
                {"case_id": case.case_id, "as_of": case.as_of.isoformat(), "expected": want.model_dump()},
                {"visit_allowed": decision["visit_allowed"], "reasons": decision["reasons"],
                 "windows": decision["windows"][:3], "missing_elements": missing},
                {
                    "go_no_go": scorers.go_no_go(want.visit_allowed, decision["visit_allowed"]),
                    "reasons": scorers.exact(want.reasons, decision["reasons"], "reasons"),
                    "windows": scorers.exact(want.windows, decision["windows"], "windows"),
                    "complete": Score(0.0 if missing else 1.0, f"missing {missing}" if missing else "every required element"),
                },
            )
        )
    metrics = {
        "prep.go_no_go_accuracy": _metric(rows, "go_no_go"),
        "prep.reasons_accuracy": _metric(rows, "reasons"),
        "prep.windows_accuracy": _metric(rows, "windows"),
        "prep.complete_briefs": _metric(rows, "complete"),
    }
    return SuiteResult("prep", rows, metrics, primary="go_no_go")


def rehearsal_suite(ctx: EvalContext) -> SuiteResult:
    from visitcoach.evals.rehearsal import compare, load_cases
    from visitcoach.rehearsal import Grading, load_exercise, load_persona, replay

    knowledge = ctx.settings.knowledge_dir
    rows = []
    for case in ctx.bar(load_cases(ctx.dataset("rehearsal.jsonl")), "rehearsal"):
        ex = load_exercise(knowledge, case.exercise)
        lines = (ctx.root / case.script).read_text(encoding="utf-8").splitlines()
        result = replay(load_persona(knowledge, ex.persona), ctx.checker, lines, context=dict(ex.context), seed=case.seed,
                        grading=Grading.of(ex))
        want, card = case.expected, result["scorecard"]
        diffs = compare(case, result)
        rows.append(
            RowResult(
                "rehearsal", case.id, ex.lang, ex.jurisdiction, ["good" if want.passed else "bad"],
                {"exercise": case.exercise, "script": case.script, "seed": case.seed, "expected": want.model_dump()},
                {"total": card["total"], "passed": card["passed"], "ended_by": result["ended_by"], "diffs": diffs,
                 "transcript": [f"{t['role']}: {t['text']}" for t in result["transcript"]][:12]},
                {
                    "agreement": scorers.rehearsal_agreement(want.passed, (want.min_total, want.max_total), want.ended_by, card, result["ended_by"]),
                    "pass_agreement": scorers.exact(want.passed, card["passed"], "pass/fail"),
                    "full_agreement": Score(0.0 if diffs else 1.0, "; ".join(diffs) or "agrees, violations included"),
                },
            )
        )
    metrics = {f"rehearsal.{k}": _metric(rows, k) for k in ("agreement", "pass_agreement", "full_agreement")}
    return SuiteResult("rehearsal", rows, metrics, primary="full_agreement")


# -- redaction -----------------------------------------------------------------------------------


def redaction_suite(ctx: EvalContext) -> SuiteResult:
    """What the redactor masks in agents' messages. The headline metrics (`redaction.*`) are the **test**
    split's; the dev split, which the recognisers were tuned on, is reported as `redaction.dev.*`."""
    from visitcoach.evals import redaction

    cases = redaction.load_cases(ctx.dataset("redaction.jsonl"))
    mask = redaction.redactor_masker()
    rows, by_split = [], {"dev": [], "test": []}
    for case in ctx.bar(cases, "redaction"):
        spans = mask(case.text)
        scored = redaction.score_row(case, spans)
        by_split[case.split].append(scored)
        missed = [f"{t}: {v}" for t, v, ok, _, _ in scored.caught if not ok]
        over = [n for n, hit in scored.over_masked if hit]
        found = [f"{case.text[s.start: s.end]} → {s.kind}" for s in spans]
        scores = {
            "all_caught": Score(0.0 if missed else 1.0, "missed " + "; ".join(missed) if missed else "every identifier masked"),
            "nothing_over_masked": Score(0.0 if over else 1.0, "over-masked " + "; ".join(over) if over else "no negative touched"),
        }
        rows.append(
            RowResult(
                "redaction", case.id, case.lang, None, [f"split:{case.split}"],
                {"text": case.text, "identifiers": [i.model_dump(exclude_none=True) for i in case.identifiers],
                 "negatives": case.negatives, "split": case.split},
                {"masked": found, "missed": missed, "over_masked": over},
                scores,
            )
        )
    metrics = {**redaction.metrics(by_split["test"], "redaction."), **redaction.metrics(by_split["dev"], "redaction.dev.")}
    tables = {s: {"rows": len(v), "identifiers": sum(len(r.caught) for r in v), "negatives": sum(len(r.over_masked) for r in v)}
              for s, v in by_split.items()}
    return SuiteResult("redaction", rows, metrics, primary="all_caught", tables=tables)


#: Every suite, in the order they run, with the dataset file it needs.
SUITES: dict[str, tuple[Callable[[EvalContext], SuiteResult], str]] = {
    "retrieval": (retrieval_suite, "retrieval.jsonl"),
    "ask": (ask_suite, "unanswerable.jsonl"),  # ask.jsonl joins it when present
    "compliance": (compliance_suite, "compliance.jsonl"),
    "cold": (cold_suite, "cold_test.jsonl"),
    "english_abuse": (english_abuse_suite, "convabuse_test.jsonl"),
    "plans": (plans_suite, "plans.jsonl"),
    "prep": (prep_suite, "prep.jsonl"),
    "rehearsal": (rehearsal_suite, "rehearsal.jsonl"),
    "redaction": (redaction_suite, "redaction.jsonl"),
}


def run_suite(name: str, ctx: EvalContext) -> SuiteResult:
    func, _ = SUITES[name]
    started = time.perf_counter()
    result = func(ctx)
    result.seconds = round(time.perf_counter() - started, 2)
    log.info("eval %s: %d rows in %.1f s", name, len(result.rows), result.seconds)
    return result
