"""Retrieval evaluation: recall@k and MRR for hybrid, dense-only and BM25-only search.

A question is answered at rank r when the r-th hit is a gold chunk: its document is one of
`expected_doc_ids` and, when `expected_citations` is non-empty, its citation is one of them.
Several gold documents are alternatives (e.g. the zh and en versions of a policy), so recall@k
here is the share of questions with a gold chunk in the top k.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from statistics import mean
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from visitcoach.evals.datasets import EvalRow, read_jsonl
from visitcoach.retrieval.index import Filters, Hit, KnowledgeIndex, Method
from visitcoach.text import Jurisdiction


class RetrievalCase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    lang: Literal["zh", "en"]
    jurisdiction: Literal[Jurisdiction, "ALL"]
    question: str = Field(min_length=3)
    expected_doc_ids: list[str] = Field(min_length=1)
    expected_citations: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)


def load_cases(path: Path) -> list[RetrievalCase]:
    return [case for _, case in read_jsonl(path, RetrievalCase)]


def is_gold(case: RetrievalCase, hit: Hit) -> bool:
    if hit.doc_id not in case.expected_doc_ids:
        return False
    return not case.expected_citations or hit.citation in case.expected_citations


def first_gold_rank(case: RetrievalCase, hits: list[Hit]) -> int | None:
    return next((rank for rank, hit in enumerate(hits, start=1) if is_gold(case, hit)), None)


def recall_at_k(ranks: list[int | None], k: int) -> float:
    return mean(1.0 if r is not None and r <= k else 0.0 for r in ranks) if ranks else 0.0


def mrr(ranks: list[int | None]) -> float:
    return mean(1.0 / r if r else 0.0 for r in ranks) if ranks else 0.0


@dataclass
class MethodReport:
    method: str
    recall_at_k: float
    mrr: float
    misses: list[str]
    by_lang: dict[str, float]

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "recall_at_k": round(self.recall_at_k, 4),
            "mrr": round(self.mrr, 4),
            "recall_by_lang": {k: round(v, 4) for k, v in self.by_lang.items()},
            "misses": self.misses,
        }


def evaluate(
    index: KnowledgeIndex,
    cases: list[RetrievalCase],
    k: int = 5,
    methods: tuple[Method, ...] = ("hybrid", "dense", "lexical"),
    use_jurisdiction: bool = False,
) -> list[MethodReport]:
    reports = []
    for method in methods:
        ranks: list[int | None] = []
        for case in cases:
            filters = (
                Filters(jurisdiction=case.jurisdiction) if use_jurisdiction and case.jurisdiction != "ALL" else None
            )
            ranks.append(first_gold_rank(case, index.search(case.question, k, filters, method=method).hits))
        by_lang = {
            lang: recall_at_k([r for r, c in zip(ranks, cases, strict=True) if c.lang == lang], k)
            for lang in sorted({c.lang for c in cases})
        }
        misses = [c.id for r, c in zip(ranks, cases, strict=True) if r is None or r > k]
        reports.append(MethodReport(method, recall_at_k(ranks, k), mrr(ranks), misses, by_lang))
    return reports


class UnanswerableCase(EvalRow):
    question: str = Field(min_length=3)


def load_unanswerable(path: Path) -> list[UnanswerableCase]:
    return [case for _, case in read_jsonl(path, UnanswerableCase)]


def no_answer_scores(
    index: KnowledgeIndex, answerable: list[RetrievalCase], unanswerable: list[UnanswerableCase]
) -> dict[str, Any]:
    """Correct refusals on unanswerable questions, and false refusals on answerable ones."""
    threshold = index.settings.min_relevance
    wrongly_answered = [u.id for u in unanswerable if index.search(u.question).covered(threshold)]
    wrongly_refused = [c.id for c in answerable if not index.search(c.question).covered(threshold)]
    return {
        "refusal_accuracy": round(1 - len(wrongly_answered) / max(len(unanswerable), 1), 4),
        "false_refusal_rate": round(len(wrongly_refused) / max(len(answerable), 1), 4),
        "wrongly_answered": wrongly_answered,
        "wrongly_refused": wrongly_refused,
    }
