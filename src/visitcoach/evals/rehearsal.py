"""Rehearsal evaluation: scripted agents against the shipped exercises, with expected score bands."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from visitcoach.evals.datasets import EvalRow, read_jsonl


class Expected(BaseModel):
    model_config = ConfigDict(extra="forbid")

    passed: bool
    min_total: float
    max_total: float
    ended_by: list[str]
    violation_categories: list[str] = []


class RehearsalCase(EvalRow):
    exercise: str
    script: str
    seed: int = 0
    expected: Expected
    note: str | None = None


def load_cases(path: Path) -> list[RehearsalCase]:
    return [row for _, row in read_jsonl(path, RehearsalCase)]


def compare(case: RehearsalCase, result: dict[str, Any]) -> list[str]:
    """Differences between the expectation and a `replay` result (empty: they agree)."""
    want, card = case.expected, result["scorecard"]
    diffs = []
    if card["passed"] != want.passed:
        diffs.append(f"passed: expected {want.passed}, got {card['passed']}")
    if not want.min_total <= card["total"] <= want.max_total:
        diffs.append(f"total {card['total']} outside [{want.min_total}, {want.max_total}]")
    if result["ended_by"] not in want.ended_by:
        diffs.append(f"ended_by: expected one of {want.ended_by}, got {result['ended_by']}")
    found = {f["category"] for t in result["transcript"] for f in t["findings"] if f["severity"] == "violation"}
    missing = sorted(set(want.violation_categories) - found)
    if missing:
        diffs.append(f"violations not found: {missing}")
    return diffs
