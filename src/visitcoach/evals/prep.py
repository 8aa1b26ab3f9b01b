"""Visit-brief evaluation: go / no-go, reasons and windows per case, and the elements every brief needs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from visitcoach.evals.datasets import EvalRow, read_jsonl


class PrepExpected(BaseModel):
    model_config = ConfigDict(extra="forbid")

    visit_allowed: bool
    reasons: list[str]
    windows: list[dict[str, str]]


class PrepCase(EvalRow):
    case_id: str
    as_of: dt.datetime
    expected: PrepExpected
    required_elements: list[str] = Field(default_factory=list)
    note: str | None = None


def load_cases(path: Path) -> list[PrepCase]:
    return [row for _, row in read_jsonl(path, PrepCase)]


def _cited(items: list[dict[str, Any]]) -> bool:
    return bool(items) and all(i["citations"] for i in items)


#: Each required element: a test over the brief's JSON.
ELEMENTS: dict[str, Callable[[dict[str, Any]], bool]] = {
    "opening_script_passes": lambda b: bool(b["opening_script"]) and b["opening_check"]["verdict"] == "pass",
    "citations_resolve": lambda b: bool(b["citations"]) and all(c["chunk_id"] for c in b["citations"]),
    "plan_options": lambda b: bool(b["negotiation"]["options"]) and _cited(b["negotiation"]["lines"]),
    "questions": lambda b: len(b["negotiation"]["questions"]) >= 3,
    "checklist": lambda b: _cited(b["checklist"]),
    "record_template": lambda b: "visitcoach followup" in b["record_template"] and "attendees:" in b["record_template"],
    "worth_figures": lambda b: b["worth"]["recommendation"] in ("visit", "remote_first", "no_visit") and _cited(b["worth"]["lines"]),
    "us_disclosure_in_opening": lambda b: "debt collector" in b["opening_script"] or "债务催收方" in b["opening_script"],
    "windows_in_local_time": lambda b: bool(b["decision"]["windows"]) and bool(b["timezone"]),
    "reasons_cited": lambda b: _cited(b["decision"]["reason_details"]),
}


def compare_decision(case: PrepCase, decision: dict[str, Any]) -> list[str]:
    """Differences in go / no-go, reasons and windows (empty: they match)."""
    want = case.expected
    diffs = []
    if decision["visit_allowed"] != want.visit_allowed:
        diffs.append(f"visit_allowed: expected {want.visit_allowed}, got {decision['visit_allowed']}")
    if decision["reasons"] != want.reasons:
        diffs.append(f"reasons: expected {want.reasons}, got {decision['reasons']}")
    if decision["windows"] != want.windows:
        diffs.append(f"windows: expected {len(want.windows)} {want.windows[:2]}..., got {len(decision['windows'])} {decision['windows'][:2]}...")
    return diffs


def missing_elements(case: PrepCase, brief: dict[str, Any]) -> list[str]:
    return [name for name in case.required_elements if not ELEMENTS[name](brief)]
