"""Plan-calculator evaluation: each row's expected option set and key figures against the calculator."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from pydantic import model_validator

from visitcoach.corpus.cases import load_case
from visitcoach.corpus.schemas import PlanPolicy
from visitcoach.evals.datasets import EvalRow, read_jsonl
from visitcoach.repayment.calc import PlanInputs, assess, inputs_from_case, plan_options

#: Key figures compared per option kind (the dataset's `expected.<kind>` objects).
KEYS = {
    "catch_up": ("months", "instalment_max", "total_paid"),
    "term_extension": ("months", "extension", "instalment_max", "total_paid"),
    "reduced_payment": ("months", "instalment_max", "review_date"),
    "interest_freeze": ("months", "total_forgiven", "needs_approval_by"),
    "settlement": ("amount", "discount", "needs_approval_by"),
    "token_payment": ("instalment_max", "months", "review_date"),
}


class PlanCase(EvalRow):
    case_id: str | None = None
    inputs: dict[str, Any] | None = None
    as_of: dt.date
    start: dt.date
    role: str = "agent"
    expected: dict[str, Any]
    note: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> PlanCase:
        if (self.case_id is None) == (self.inputs is None):
            raise ValueError("give exactly one of case_id and inputs")
        return self


def load_cases(path: Path) -> list[PlanCase]:
    return [row for _, row in read_jsonl(path, PlanCase)]


def _inputs(case: PlanCase, knowledge_dir: Path) -> PlanInputs:
    if case.case_id is not None:
        return inputs_from_case(load_case(knowledge_dir, case.case_id), case.as_of)
    raw = dict(case.inputs or {})
    raw["income"], raw["expenses"] = raw.pop("income"), raw.pop("expenses")
    return PlanInputs(**raw)


def actual(case: PlanCase, policy: PlanPolicy, knowledge_dir: Path) -> dict[str, Any]:
    """The calculator's answer in the dataset's `expected` shape."""
    inputs = _inputs(case, knowledge_dir)
    assessment = assess(inputs, policy)
    options = plan_options(inputs, policy, start=case.start, role=case.role, assessment=assessment)
    out: dict[str, Any] = {
        "disposable_income": str(assessment.disposable_income),
        "affordable": str(assessment.affordable),
        "segment": assessment.segment,
        "options": [o.kind for o in options],
    }
    for option in options:
        if option.kind in out:  # a second settlement (lump sum) is not part of the key figures
            continue
        d = option.as_dict()
        out[option.kind] = {k: d[k] for k in KEYS[option.kind]}
    return out


def compare(case: PlanCase, got: dict[str, Any]) -> list[str]:
    """The differences between expected and actual, one line each (empty: the row matches)."""
    diffs = []
    for key, want in case.expected.items():
        have = got.get(key)
        if isinstance(want, dict) and isinstance(have, dict):
            diffs += [f"{key}.{k}: expected {v!r}, got {have.get(k)!r}" for k, v in want.items() if have.get(k) != v]
        elif have != want:
            diffs.append(f"{key}: expected {want!r}, got {have!r}")
    return diffs
