"""Post-visit records: validate one (`visitcoach followup CASE_ID --record FILE`) and schedule what follows.

The record template is in the visit brief. Validation is strict (unknown or missing fields name
themselves); policy checks on the record (two collectors, inside the window, ID shown) are
reported as problems. The follow-up schedule (payment reminders and checks, the review date,
actions for requests and vulnerability) is appended to the case history with the visit itself.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from visitcoach.compliance.checker import Checker
from visitcoach.config import Settings
from visitcoach.corpus.cases import load_case
from visitcoach.corpus.pack import load_plan_policy
from visitcoach.corpus.records import read_record
from visitcoach.corpus.schemas import Money, Survey
from visitcoach.errors import VisitCoachError
from visitcoach.prep.decision import min_collectors, permitted_hours
from visitcoach.prep.history import CaseHistory
from visitcoach.prep.windows import hhmm, minutes
from visitcoach.repayment.calc import add_months, assess, inputs_from_case

FVP = "Field Visit Policy"
HRP = "Hardship and Repayment Plan Policy"
REQUESTS = (
    "stop_visits", "stop_contact", "reschedule", "contact_adviser", "no_workplace_contact", "no_home_visits",
    "dispute", "written_only",
)
#: Field Visit Policy §5.1's upper limit. TODO(policy): read it from knowledge/ once the staffing rule
#: carries a `max_collectors` (the minimum already comes from knowledge/rules/visit_staffing.yaml).
MAX_COLLECTORS = 3
_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}
#: Payments listed individually in the schedule (a long plan's later ones follow the same pattern).
LISTED_PAYMENTS = 6


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Attendee(_Strict):
    name: str = Field(min_length=1)
    staff_number: str = Field(min_length=1)


class Agreed(_Strict):
    kind: Literal[
        "catch_up", "term_extension", "reduced_payment", "interest_freeze", "settlement", "token_payment", "promise"
    ] | None = None
    instalment: Money | None = None
    first_date: dt.date | None = None
    instalments: int | None = Field(default=None, ge=1, le=120)

    @model_validator(mode="after")
    def _complete(self) -> Agreed:
        if self.kind is not None and (self.instalment is None or self.first_date is None):
            raise ValueError("an agreement needs instalment and first_date")
        return self


class VisitRecord(_Strict):
    case_id: str
    visit_date: dt.date
    time_in: str
    time_out: str
    attendees: list[Attendee] = Field(min_length=1)
    customer_met: bool
    id_shown: bool
    identity_verified: bool
    recording_consent: bool
    outcome: Literal["contact_made", "no_contact", "promise", "payment", "plan_agreed", "refused", "complaint", "aborted"]
    agreed: Agreed | None = None
    requests: list[Literal[REQUESTS]] = Field(default_factory=list)  # type: ignore[valid-type]
    vulnerability_observed: bool = False
    vulnerability_notes: str = ""
    next_step: str = ""
    notes: str = ""
    visit_cost: Money = Decimal("0.00")
    complaint: bool = False  # the customer complained about the visit (outcome `complaint` implies it)
    survey: Survey | None = None  # post-visit survey, only if the customer chose to answer

    @field_validator("time_in", "time_out")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        if not re.fullmatch(r"(?:[01]\d|2[0-3]):[0-5]\d", str(value)):
            raise ValueError(f"not a time like 14:30: {value!r}")
        return value

    @model_validator(mode="after")
    def _order(self) -> VisitRecord:
        if minutes(self.time_out) <= minutes(self.time_in):
            raise ValueError(f"time_out {self.time_out} is not after time_in {self.time_in}")
        return self


class FollowupError(VisitCoachError):
    pass


def load_record(path: Path) -> VisitRecord:
    return read_record(path, VisitRecord, "visit record", " (fill in the template from `visitcoach prep`)")


def working_days_after(day: dt.date, n: int) -> dt.date:
    while n > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


def _count(n: int) -> str:
    return _WORDS.get(n, str(n))


def followup(settings: Settings, case_id: str, record_path: Path, *, save: bool = True, checker: Checker | None = None) -> dict[str, Any]:
    """Validate the record against the case and the policy; build and (if valid) append the schedule."""
    case = load_case(settings.knowledge_dir, case_id)
    record = load_record(record_path)
    if record.case_id.upper() != case.id:
        raise FollowupError(f"{record_path}: field 'case_id': the record is for {record.case_id!r}, not {case.id}")
    problems: list[dict[str, str]] = []

    def problem(severity: str, text: str, cite: str) -> None:
        problems.append({"severity": severity, "text": text, "citation": cite})

    checker = checker or Checker.from_settings(settings, semantic=False)
    need = min_collectors(checker, case.jurisdiction)
    if need is not None and len(record.attendees) < need:
        problem("violation", f"{len(record.attendees)} collector(s) attended; at least {_count(need)} are required.", f"{FVP} §5.1")
    if len(record.attendees) > MAX_COLLECTORS:
        problem("warning", f"{len(record.attendees)} staff attended; no more than {_count(MAX_COLLECTORS)} should.", f"{FVP} §5.1")
    if not case.flags.consent_to_time:
        lo, hi = permitted_hours(checker, case.jurisdiction)
        if minutes(record.time_in) < lo or minutes(record.time_out) > hi:
            problem("violation", f"the visit ({record.time_in}–{record.time_out}) was outside the permitted {hhmm(lo)}–{hhmm(hi)}.", f"{FVP} §4.2")
    if record.customer_met and not record.id_shown:
        problem("violation", "the customer was met but no ID or disclosure is recorded.", f"{FVP} §5.2")
    if record.customer_met and not record.identity_verified:
        problem("warning", "the customer's identity was not verified before the account was discussed.", f"{FVP} §5.3")
    if record.outcome in ("plan_agreed", "promise") and (record.agreed is None or record.agreed.kind is None):
        problem("violation", f"outcome {record.outcome} needs the agreement (agreed.kind, instalment, first_date).", f"{FVP} §11")
    policy = load_plan_policy(settings.knowledge_dir)
    assessment = assess(inputs_from_case(case, record.visit_date), policy)
    agreed = record.agreed if record.agreed and record.agreed.kind else None
    if agreed and agreed.kind not in ("promise", "token_payment") and agreed.instalment and agreed.instalment > assessment.affordable:
        problem(
            "warning",
            f"the agreed instalment {agreed.instalment} is above the affordable {assessment.affordable}; reassess before the first payment.",
            f"{HRP} §2.3",
        )
    if agreed and agreed.first_date and agreed.first_date < record.visit_date:
        problem("violation", f"agreed.first_date {agreed.first_date} is before the visit.", f"{FVP} §11")

    schedule: list[dict[str, str]] = []

    def task(day: dt.date, action: str, cite: str) -> None:
        schedule.append({"date": day.isoformat(), "action": action, "citation": cite})

    if agreed and agreed.first_date and agreed.instalment is not None:
        count = 1 if agreed.kind == "promise" else (agreed.instalments or 1)
        task(agreed.first_date - dt.timedelta(days=3), f"Send a discreet reminder of the first payment of {agreed.instalment}.", f"{FVP} §11")
        for k in range(min(count, LISTED_PAYMENTS)):
            due = add_months(agreed.first_date, k)
            task(due + dt.timedelta(days=1), f"Check payment {k + 1} of {count} ({agreed.instalment}, due {due}).", f"{HRP} §6")
            task(working_days_after(due + dt.timedelta(days=5), 5), f"If payment {k + 1} is missing or over five days late, contact the customer to ask what changed and reassess.", f"{HRP} §6")
        if agreed.kind in ("reduced_payment", "token_payment", "interest_freeze"):
            pol = policy.products[case.product][case.jurisdiction]  # type: ignore[index]
            task(add_months(agreed.first_date, pol.reduced_payment_review_months), "Review the plan: repeat the income and expenditure check.", f"{HRP} §6")
        elif agreed.kind != "promise":
            task(add_months(agreed.first_date, 12), "Annual review of the plan.", f"{HRP} §6")
    actions = {
        "stop_visits": ("Set cease_requested (no more visits) and confirm it to the customer in writing.", f"{FVP} §2.3"),
        "stop_contact": ("Set cease_requested: stop all collection contact; confirm in writing.", f"{FVP} §2.3"),
        "reschedule": ("Offer at least two alternative slots or a remote channel, and log the new date.", f"{FVP} §3.2"),
        "contact_adviser": ("Set represented_by_attorney and deal only with the adviser from now on.", f"{FVP} §2.3"),
        "no_workplace_contact": ("Record the request: no contact at work.", f"{FVP} §3.3"),
        "no_home_visits": ("Record the request: no home visits.", f"{FVP} §3.3"),
        "dispute": ("Set dispute_pending: stop collection and send the statement and dispute route.", f"{FVP} §2.3"),
        "written_only": ("Record the request: contact in writing only.", f"{FVP} §3.3"),
    }
    for req in record.requests:
        text, cite = actions[req]
        task(working_days_after(record.visit_date, 1), text, cite)
    if record.vulnerability_observed:
        task(working_days_after(record.visit_date, 1), "Refer to the vulnerable-customer process and pause collection until reviewed.", f"{FVP} §9")
    if record.outcome == "no_contact":
        task(record.visit_date + dt.timedelta(days=7), "Earliest date for another attempt (none within 7 days of an unanswered one).", f"{FVP} §4.1")
    if record.outcome == "complaint":
        task(working_days_after(record.visit_date, 1), "Log the complaint and pass it to the complaints team.", f"{FVP} §12")
    schedule.sort(key=lambda t: t["date"])

    valid = not any(p["severity"] == "violation" for p in problems)
    summary = f"visit {record.time_in}-{record.time_out}, {len(record.attendees)} collectors: {record.outcome}"
    events: list[tuple[str, dict[str, Any]]] = [
        ("contact", {"date": record.visit_date, "channel": "visit", "outcome": summary}),
        ("visit", {"date": record.visit_date, "collectors": len(record.attendees), "cost": str(record.visit_cost),
                   "outcome": summary, "result": record.outcome,
                   "complaint": record.complaint or record.outcome == "complaint",
                   "survey": record.survey.model_dump() if record.survey else None}),
    ]
    # A promise is not added to the case's promise history until it is known to be kept or broken
    # (no payment feed here); the schedule carries the check instead.
    events += [("task", t) for t in schedule]
    if valid and save:
        CaseHistory(settings.data_dir / "history.sqlite").append(case.id, events)
    return {"case_id": case.id, "valid": valid, "saved": valid and save, "problems": problems, "schedule": schedule}
