"""Whether and when a visit may happen: no-go reasons from the case's flags and the rules, the visit window and staffing
from the rules (data), and the permitted windows of the next days."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from visitcoach.compliance.checker import Checker, Finding
from visitcoach.compliance.context import VisitContext
from visitcoach.corpus.schemas import BLOCKING_FLAGS, CaseFile
from visitcoach.errors import ConfigError
from visitcoach.prep import text as T
from visitcoach.prep.windows import Busy, Window, hhmm, minutes, parse_inconvenient, windows

DAYS_AHEAD = 7


@dataclass
class Statement:
    """One line of the brief and the citations that support it (strings until resolved)."""

    text: str
    cites: list[str] = field(default_factory=list)
    code: str | None = None

    def as_dict(self, resolved: dict[str, int]) -> dict[str, Any]:
        refs = sorted({resolved[c] for c in self.cites if c in resolved})
        out: dict[str, Any] = {"text": self.text, "citations": refs}
        if self.code:
            out["code"] = self.code
        return out


@dataclass
class Decision:
    visit_allowed: bool
    reasons: list[Statement]
    windows: list[Window]
    notes: list[Statement]
    findings: list[Finding]


def permitted_hours(checker: Checker, jurisdiction: str) -> tuple[int, int]:
    """The jurisdiction's visit window, read from the visit-time rule (rules are data)."""
    for rule in checker.rules:
        detect = rule.spec.detect
        if detect.context == "visit_time" and jurisdiction in detect.windows:
            w = detect.windows[jurisdiction]
            return minutes(w.start), minutes(w.end)
    raise ConfigError(f"no visit_time rule gives a window for {jurisdiction} (knowledge/rules/visit_time.yaml)")


def min_collectors(checker: Checker, jurisdiction: str) -> int | None:
    """How many collectors a visit in the jurisdiction needs, read from the visit-staffing rule (rules are
    data); None when no rule sets it (then nothing checks staffing either)."""
    needs = [rule.spec.detect.min_collectors[jurisdiction] for rule in checker.rules
             if rule.spec.detect.context == "visit_staffing" and jurisdiction in rule.spec.detect.min_collectors]
    return max(needs) if needs else None


def visit_context(checker: Checker, case: CaseFile) -> VisitContext:
    """The context of a first visit to the case's address by the minimum team (what the brief checks against)."""
    return VisitContext(
        jurisdiction=case.jurisdiction,  # type: ignore[arg-type]
        location=case.address_type,  # type: ignore[arg-type]
        collectors=min_collectors(checker, case.jurisdiction),
        opening=True,
        flags=case.flags,
    )


def busy_times(case: CaseFile) -> tuple[list[Busy], list[str]]:
    """(parsed inconvenient times, entries that could not be read)."""
    busy, unread = [], []
    for entry in case.preferences.inconvenient_times:
        parsed = parse_inconvenient(entry)
        busy += parsed
        if not parsed:
            unread.append(entry)
    return busy, unread


def _flag_citations(checker: Checker, case: CaseFile, flag: str, lang: str) -> list[str]:
    ctx = VisitContext(jurisdiction=case.jurisdiction, flags=case.flags)  # type: ignore[arg-type]
    return [
        r.citation_for(case.jurisdiction, lang)
        for r in checker.rules
        if r.spec.category == "contact_prohibited" and r.spec.when.flags.get(flag) and r.applies(ctx)
    ]


def decide(checker: Checker, case: CaseFile, as_of: dt.datetime, lang: str) -> Decision:
    """Go / no-go with reasons, and the permitted windows for the next 7 days (local time)."""
    flags, prefs, place = case.flags, case.preferences, case.address_type
    reasons: list[Statement] = []

    def reason(code: str, extra: list[str] | None = None) -> None:
        reasons.append(Statement(T.REASONS[code][lang], [T.REASONS[code]["cite"], *(extra or [])], code))

    for flag in BLOCKING_FLAGS:
        if getattr(flags, flag):
            reason(flag, _flag_citations(checker, case, flag, lang))
    ctx = VisitContext(
        jurisdiction=case.jurisdiction,  # type: ignore[arg-type]
        location=place,  # type: ignore[arg-type]
        collectors=min_collectors(checker, case.jurisdiction),
        flags=flags,
    )
    findings = checker.context_findings(ctx, lang)
    place_cites = [f.citation for f in findings if f.category == "visit_place"]
    if place == "hospital":
        reason("inappropriate_place", place_cites)
    if place == "workplace" and not flags.consent_to_location:
        reason("workplace_without_consent", place_cites)
    if place == "workplace" and flags.employer_prohibits_contact:
        reason("employer_prohibits_contact", place_cites)
    if place == "home" and prefs.no_home_visits:
        reason("customer_declined_home_visits")
    if place == "workplace" and prefs.no_workplace_visits:
        reason("customer_declined_workplace_visits")
    busy, unread = busy_times(case)
    hours = permitted_hours(checker, case.jurisdiction)
    free = windows(as_of, DAYS_AHEAD, hours, busy)
    if not free:
        reason("no_window")
    notes = [
        Statement(
            T.NOTES["window"][lang].format(start=hhmm(hours[0]), end=hhmm(hours[1]), tz=T.zone(case.timezone, lang)),
            [T.NOTES["window"]["cite"], *[r.citation_for(case.jurisdiction, lang) for r in checker.rules if r.spec.detect.context == "visit_time"]],
            "window",
        ),
        Statement(
            T.NOTES["staffing"][lang],
            [T.NOTES["staffing"]["cite"], *[r.citation_for(case.jurisdiction, lang) for r in checker.rules if r.spec.detect.context == "visit_staffing"]],
            "staffing",
        ),
    ]
    if flags.employer_prohibits_contact and place == "home":
        notes.append(Statement(T.NOTES["employer_prohibits_home_ok"][lang], [T.NOTES["employer_prohibits_home_ok"]["cite"]], "employer_prohibits_contact"))
    if flags.legal_action_filed and not flags.time_barred:
        notes.append(Statement(T.NOTES["legal_action_filed"][lang], [T.NOTES["legal_action_filed"]["cite"]], "legal_action_filed"))
    if flags.consent_to_time:
        notes.append(Statement(T.NOTES["consent_to_time"][lang], [T.NOTES["consent_to_time"]["cite"]], "consent_to_time"))
    notes += [Statement(T.NOTES["unread_time"][lang].format(entry=e), [T.NOTES["unread_time"]["cite"]], "unread_time") for e in unread]
    allowed = not reasons
    return Decision(allowed, reasons, free if allowed else [], notes, findings)


# -- is it worth it ----------------------------------------------------------------------------------
