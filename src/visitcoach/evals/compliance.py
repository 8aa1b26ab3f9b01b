"""Compliance evaluation: per-category precision / recall / F1 and the false-positive rate on
compliant scripts, with and without the semantic layer, plus semantic-threshold calibration.

A category counts as reported for a script when a finding of it has severity violation or warning
(`info` is a quotation, not a finding against the agent).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from visitcoach.compliance.checker import Checker
from visitcoach.compliance.context import VisitContext, parse_context
from visitcoach.compliance.rules import CATEGORIES
from visitcoach.errors import KnowledgeError
from visitcoach.evals.datasets import read_jsonl
from visitcoach.text import Jurisdiction

REPORTED = ("violation", "warning")


class ComplianceCase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    lang: Literal["zh", "en"]
    jurisdiction: Jurisdiction
    text: str = Field(min_length=1)
    context: dict[str, Any] = Field(default_factory=dict)
    expected_categories: list[str]
    tags: list[str] = Field(default_factory=list)

    def visit_context(self) -> VisitContext:
        return parse_context({"jurisdiction": self.jurisdiction, **self.context}, f"case {self.id}")


def load_cases(*paths: Path) -> list[ComplianceCase]:
    """Cases from one or more JSONL files; categories and contexts are validated, ids unique overall."""
    cases: list[ComplianceCase] = []
    seen: set[str] = set()
    for path in paths:
        for n, case in read_jsonl(path, ComplianceCase):
            unknown = [c for c in case.expected_categories if c not in CATEGORIES]
            if unknown:
                raise KnowledgeError(path, f"unknown categories {unknown}", line=n, field="expected_categories")
            if case.id in seen:
                raise KnowledgeError(path, f"duplicate id {case.id!r} (also in an earlier file)", line=n, field="id")
            case.visit_context()  # validates the context now, naming the case
            seen.add(case.id)
            cases.append(case)
    return cases


@dataclass
class Scores:
    per_category: dict[str, dict[str, float]]
    micro: dict[str, float]
    false_positive_rate: float
    compliant: int
    errors: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "micro": self.micro,
            "false_positive_rate": self.false_positive_rate,
            "compliant_scripts": self.compliant,
            "per_category": self.per_category,
            "errors": self.errors,
        }


def score(predictions: dict[str, set[str]], cases: list[ComplianceCase]) -> Scores:
    """The suite's own metrics (`scorers.compliance_metrics`), rounded, with the rows that differ."""
    from visitcoach.evals.scorers import compliance_metrics

    metrics = compliance_metrics([(c.expected_categories, predictions[c.id]) for c in cases], CATEGORIES)

    def rounded(m: dict[str, float]) -> dict[str, float]:
        return {k: round(v, 4) if k in ("precision", "recall", "f1") else v for k, v in m.items()}

    errors = [
        {"id": c.id, "expected": sorted(c.expected_categories), "got": sorted(predictions[c.id])}
        for c in cases
        if predictions[c.id] != set(c.expected_categories)
    ]
    compliant = sum(not c.expected_categories for c in cases)
    return Scores(
        {c: rounded(metrics["per_category"][c]) for c in CATEGORIES},
        rounded(metrics["micro"]),
        round(metrics["false_positive_rate"].value, 4),
        compliant,
        errors,
    )


def predict(checker: Checker, cases: list[ComplianceCase], semantic: bool = True) -> dict[str, set[str]]:
    return {
        case.id: checker.check(case.text, case.visit_context(), lang=case.lang, semantic=semantic).categories(REPORTED)
        for case in cases
    }


def calibrate(checker: Checker, cases: list[ComplianceCase], max_fpr: float = 0.05) -> tuple[float, float, float]:
    """Semantic threshold and margin maximising micro F1 on `cases` among settings whose false-positive
    rate stays within `max_fpr` (or, if none does, the setting with the lowest rate). A threshold
    above 1 switches the layer off, so "off" competes on the same terms."""
    sem = checker._exemplars()
    trials = []
    for threshold in (0.86, 0.87, 0.88, 0.89, 0.90, 0.91, 0.92, 0.93, 0.94, 0.95, 1.01):
        for margin in (0.0, 0.02, 0.04, 0.06):
            sem.threshold, sem.margin = threshold, margin
            result = score(predict(checker, cases), cases)
            trials.append((result.false_positive_rate, result.micro["f1"], threshold, margin))
            if threshold > 1:
                break
    within = [t for t in trials if t[0] <= max_fpr]
    _fpr, f1, threshold, margin = (
        max(within, key=lambda t: t[1]) if within else min(trials, key=lambda t: (t[0], -t[1]))
    )
    sem.threshold, sem.margin = threshold, margin
    return threshold, margin, f1
