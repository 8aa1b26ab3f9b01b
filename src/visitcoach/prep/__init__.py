"""Visit preparation: the brief an agent reads in the car (`visitcoach prep CASE_ID`).

Everything that decides whether and when a visit may happen is computed by deterministic code from
the case file and the same rules the compliance checker uses; the plan options come from the
repayment module. Every statement carries citations, and a citation is kept only if it resolves to
a chunk of the indexed knowledge pack (`KnowledgeIndex.by_citation`): the brief never cites what
was not retrieved.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from visitcoach.compliance.checker import Checker, Finding
from visitcoach.compliance.context import VisitContext
from visitcoach.config import Settings
from visitcoach.corpus.cases import all_cases, load_case
from visitcoach.corpus.pack import load_plan_policy
from visitcoach.corpus.schemas import BLOCKING_FLAGS, CaseFile, PlanPolicy
from visitcoach.errors import BackendError, ConfigError, IndexStoreError
from visitcoach.prep import text as T
from visitcoach.prep.history import CaseHistory
from visitcoach.prep.windows import Busy, Window, hhmm, minutes, parse_inconvenient, windows
from visitcoach.repayment.calc import assess, inputs_from_case, plan_options
from visitcoach.repayment.proposal import PRODUCT_NAMES
from visitcoach.repayment.wording import fmt_money, option_text, rationale
from visitcoach.retrieval.index import KnowledgeIndex

log = logging.getLogger(__name__)

REMOTE_CHANNELS = ("phone", "sms", "letter", "email", "app")
DAYS_AHEAD = 7
LAST_RESORT_DAYS = 30
MAX_COST_SHARE = Decimal("0.20")
RECOVERY_MONTHS = 3


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


@dataclass
class Brief:
    case: CaseFile
    lang: str
    as_of: dt.datetime
    decision: Decision
    worth: dict[str, Any]
    worth_lines: list[Statement]
    situation: list[Statement]
    signals: list[str]
    rules: list[Statement]
    opening_script: str
    opening_check: dict[str, Any]
    options: list[dict[str, Any]]
    option_lines: list[Statement]
    questions: list[Statement]
    objections: list[Statement]
    checklist: list[Statement]
    record_template: str
    citations: list[dict[str, Any]]
    resolved: dict[str, int]
    notice: str | None = None

    def as_dict(self) -> dict[str, Any]:
        r = self.resolved

        def lines(items: list[Statement]) -> list[dict[str, Any]]:
            return [s.as_dict(r) for s in items]

        return {
            "case_id": self.case.id,
            "lang": self.lang,
            "as_of": self.as_of.isoformat(timespec="minutes"),
            "timezone": self.case.timezone,
            "decision": {
                "visit_allowed": self.decision.visit_allowed,
                "reasons": [s.code for s in self.decision.reasons],
                "reason_details": lines(self.decision.reasons),
                "windows": [w.as_dict() for w in self.decision.windows],
                "notes": lines(self.decision.notes),
            },
            "worth": {**self.worth, "lines": lines(self.worth_lines)},
            "situation": {"lines": lines(self.situation), "signals": self.signals},
            "rules": lines(self.rules),
            "opening_script": self.opening_script,
            "opening_check": self.opening_check,
            "negotiation": {
                "options": self.options,
                "lines": lines(self.option_lines),
                "questions": lines(self.questions),
                "objections": lines(self.objections),
            },
            "checklist": lines(self.checklist),
            "record_template": self.record_template,
            "citations": self.citations,
            "notice": self.notice,
        }


# -- the decision ----------------------------------------------------------------------------------


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
            T.NOTES["window"][lang].format(start=hhmm(hours[0]), end=hhmm(hours[1]), tz=case.timezone),
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


def _visit_cost(case: CaseFile, knowledge_cases: Callable[[], list[CaseFile]]) -> tuple[Decimal | None, str]:
    own = [v.cost for v in case.previous_visits]
    if own:
        return (sum(own, Decimal(0)) / len(own)).quantize(Decimal("0.01"), ROUND_HALF_UP), "own"
    peers = [v.cost for c in knowledge_cases() if c.jurisdiction == case.jurisdiction for v in c.previous_visits]
    if peers:
        return (sum(peers, Decimal(0)) / len(peers)).quantize(Decimal("0.01"), ROUND_HALF_UP), f"peers:{len(peers)}"
    return None, "none"


def worth_it(
    case: CaseFile,
    as_of: dt.date,
    best_payment: Decimal,
    allowed: bool,
    peers: Callable[[], list[CaseFile]],
    lang: str,
) -> tuple[dict[str, Any], list[Statement]]:
    """Cost, last-resort and recovery figures; `peers` (the other cases) is read only when this case has no visit costs."""
    cur = case.currency
    cost, basis = _visit_cost(case, peers)
    lines: list[Statement] = []
    share = (cost / case.arrears) if cost is not None and case.arrears > 0 else None
    cost_ok = share is not None and share <= MAX_COST_SHARE
    if cost is None:
        lines.append(Statement(T.WORTH["cost_unknown"][lang], [T.WORTH["cost_unknown"]["cite"]], "cost"))
    else:
        basis_text = (
            ("本案历史上门成本均值" if lang == "zh" else "this case's past visits")
            if basis == "own"
            else (f"本法域 {basis.split(':')[1]} 次上门的均值" if lang == "zh" else f"mean of {basis.split(':')[1]} visits in this jurisdiction")
        )
        share_text = f"{(share or Decimal(0)) * 100:.1f}%" if share is not None else "—"
        lines.append(
            Statement(
                T.WORTH["cost"][lang].format(
                    cost=fmt_money(cost, cur, lang), basis=basis_text, share=share_text, arrears=fmt_money(case.arrears, cur, lang)
                ),
                [T.WORTH["cost"]["cite"]],
                "cost",
            )
        )
    remote = sorted(c.date for c in case.contact_history if c.channel in REMOTE_CHANNELS and c.date <= as_of)
    days = (as_of - remote[0]).days if remote else 0
    channels = sorted({c.channel for c in case.contact_history if c.channel in REMOTE_CHANNELS})
    last_resort = days >= LAST_RESORT_DAYS
    lines.append(
        Statement(
            T.WORTH["remote"][lang].format(attempts=len(remote), days=days, channels=", ".join(channels) or T.SECTION_TITLES[lang]["none"]),
            [T.WORTH["remote"]["cite"]],
            "remote",
        )
    )
    kept = sum(p.kept for p in case.promises)
    p_pay = Decimal(kept + 1) / Decimal(len(case.promises) + 2)  # Laplace: no history -> 50%
    expected = (p_pay * best_payment * RECOVERY_MONTHS).quantize(Decimal("0.01"), ROUND_HALF_UP)
    lines.append(
        Statement(
            T.WORTH["recovery"][lang].format(
                expected=fmt_money(expected, cur, lang), p=f"{p_pay * 100:.0f}%", payment=fmt_money(best_payment, cur, lang)
            ),
            [T.WORTH["recovery"]["cite"]],
            "recovery",
        )
    )
    if not allowed:
        recommendation, why = "no_visit", []
    else:
        why = ([] if cost_ok or cost is None else ["cost"]) + ([] if last_resort else ["remote"])
        recommendation = "remote_first" if why else "visit"
    key = recommendation
    text = T.WORTH[key][lang].format(why="; ".join(T.WHY[w][lang] for w in why)) if key == "remote_first" else T.WORTH[key][lang]
    lines.append(Statement(text, [T.WORTH[key]["cite"]], "recommendation"))
    figures = {
        "visit_cost": str(cost) if cost is not None else None,
        "visit_cost_basis": basis,
        "cost_share_of_arrears": str(share.quantize(Decimal("0.0001"), ROUND_HALF_UP)) if share is not None else None,
        "cost_test_passed": cost_ok if cost is not None else None,
        "remote_attempts": len(remote),
        "remote_days": days,
        "last_resort_met": last_resort,
        "payment_probability": str(p_pay.quantize(Decimal("0.01"), ROUND_HALF_UP)),
        "expected_recovery_3m": str(expected),
        "recommendation": recommendation,
    }
    return figures, lines


# -- the rest of the brief ---------------------------------------------------------------------------


def situation(case: CaseFile, segment: str, lang: str) -> tuple[list[Statement], list[str]]:
    cur, zh = case.currency, lang == "zh"

    def m(x: Decimal) -> str:
        return fmt_money(x, cur, lang)

    kept = sum(p.kept for p in case.promises)
    broken = len(case.promises) - kept
    last = max(case.contact_history, key=lambda c: c.date, default=None)
    lines = [
        Statement(
            f"余额 {m(case.balance)}，逾期 {m(case.arrears)}，逾期 {case.days_past_due} 天；法律状态：{case.legal_status}。"
            if zh
            else f"Balance {m(case.balance)}, arrears {m(case.arrears)}, {case.days_past_due} days past due; legal status: {case.legal_status}.",
            [],
            "account",
        ),
        Statement(
            f"联系记录 {len(case.contact_history)} 次，上门 {len(case.previous_visits)} 次；还款承诺 {len(case.promises)} 次，兑现 {kept} 次，未兑现 {broken} 次。"
            if zh
            else f"{len(case.contact_history)} contacts and {len(case.previous_visits)} visit(s) on file; {len(case.promises)} promises to pay, {kept} kept, {broken} broken.",
            [],
            "history",
        ),
        Statement(
            f"支付能力与意愿分层：{segment}（见协商方案）。" if zh else f"Ability and willingness segment: {segment} (see the negotiation plan).",
            ["Hardship and Repayment Plan Policy §2.4"],
            "segment",
        ),
    ]
    if last:
        lines.append(
            Statement(
                f"最近一次联系：{last.date.isoformat()}（{last.channel}）：{last.outcome}"
                if zh
                else f"Last contact {last.date.isoformat()} ({last.channel}): {last.outcome}",
                [],
                "last_contact",
            )
        )
    corpus = " ".join([case.notes, *(c.outcome for c in case.contact_history), *(v.outcome for v in case.previous_visits)])
    signals = [label[lang] for pattern, label in T.SIGNALS if re.search(pattern, corpus, re.IGNORECASE)]
    if signals:
        lines.append(
            Statement(
                ("风险与脆弱信号：" + "；".join(signals) + "。请留意，必要时按《脆弱客户管理办法》处理。")
                if zh
                else ("Risk and vulnerability signals: " + "; ".join(signals) + ". Watch for them and follow the Vulnerable Customer Policy if they show."),
                ["Field Visit Policy §9"],
                "signals",
            )
        )
    return lines, signals


RULE_CATEGORIES = (
    "missing_disclosure",
    "third_party_disclosure",
    "entry_refusal_to_leave",
    "threat_arrest",
    "unlawful_legal_threat",
    "pressure_borrow_sell",
    "false_amount_fee_consequence",
    "abusive_language",
)


def applicable_rules(checker: Checker, case: CaseFile, lang: str) -> list[Statement]:
    """One line per conduct category: the first rule of that category that applies at this visit."""
    ctx = VisitContext(
        jurisdiction=case.jurisdiction,  # type: ignore[arg-type]
        location=case.address_type,  # type: ignore[arg-type]
        collectors=min_collectors(checker, case.jurisdiction),
        opening=True,
        flags=case.flags,
    )
    out = []
    for category in RULE_CATEGORIES:
        rule = next((r for r in checker.rules if r.spec.category == category and r.applies(ctx)), None)
        if rule is not None:
            title = getattr(rule.spec.title, lang)
            out.append(Statement(f"{title}: {getattr(rule.spec.explanation, lang)}", [rule.citation_for(case.jurisdiction, lang)], rule.spec.id))
    return out


def opening_script(settings: Settings, policy: PlanPolicy, case: CaseFile, lang: str) -> str:
    from visitcoach.llm.prompts import render

    company = case.agency or case.lender
    behalf = "" if company == case.lender else (f"，受{case.lender}委托" if lang == "zh" else f", on behalf of {case.lender}")
    disclosure = ""
    if case.jurisdiction == "US":
        disclosure = " ".join(getattr(policy.required_wording["US"], lang)) + ("" if lang == "zh" else " ")
    text = render(
        settings.prompts_dir,
        "prep_opening",
        lang,
        company=company,
        behalf=behalf,
        borrower=case.borrower.name,
        disclosure=disclosure,
        product=PRODUCT_NAMES[lang][case.product],
    )
    return text.strip() + "\n"


RECORD_TEMPLATE = """\
# Post-visit record for {case_id} (Field Visit Policy §11). Fill in and run:
#   visitcoach followup {case_id} --record THIS_FILE.yaml
case_id: {case_id}
visit_date: "{date}"          # YYYY-MM-DD, local date at the address
time_in: "HH:MM"              # local time you knocked
time_out: "HH:MM"             # local time you left
attendees:                    # every collector: name and staff number (at least two)
  - {{name: "", staff_number: ""}}
  - {{name: "", staff_number: ""}}
customer_met: true            # false if nobody answered or you spoke only to someone else
id_shown: true                # photo ID shown and full disclosure given (§5.2)
identity_verified: true       # you confirmed it was the customer before discussing the account (§5.3)
recording_consent: false      # the customer agreed to be recorded (§6)
outcome: contact_made         # contact_made | no_contact | promise | payment | plan_agreed | refused | complaint | aborted
agreed:                       # leave empty unless a plan or promise was agreed
  kind: null                  # catch_up | term_extension | reduced_payment | interest_freeze | settlement | token_payment | promise
  instalment: null            # "200.00"
  first_date: null            # YYYY-MM-DD
  instalments: null           # number of monthly payments
requests: []                  # e.g. [stop_visits, reschedule, contact_adviser, no_workplace_contact, dispute]
vulnerability_observed: false
vulnerability_notes: ""
next_step: ""
notes: ""                     # facts only; no opinions about the customer
visit_cost: "0.00"            # travel and time, for the cost-benefit test of later visits (§2.2)
complaint: false              # true if the customer complained about this visit (at the door or afterwards)
survey: null                  # only if the customer chose to answer: {{satisfaction: 1-5, felt_respected: true}}
"""


def build_brief(
    settings: Settings,
    case_id: str,
    *,
    as_of: dt.datetime | None = None,
    lang: str | None = None,
    checker: Checker | None = None,
    index: KnowledgeIndex | None = None,
    policy: PlanPolicy | None = None,
) -> Brief:
    """The whole brief for one case, offline (an LLM, when configured, only rewords the opening)."""
    case = load_case(settings.knowledge_dir, case_id)
    case = CaseHistory(settings.data_dir / "history.sqlite").merged(case)
    lang = lang or case.preferences.language or case.lang
    if lang not in ("zh", "en"):
        raise ConfigError(f"--lang must be zh or en, not {lang!r}")
    tz = ZoneInfo(case.timezone)
    as_of = (as_of or dt.datetime.now(tz)).replace(tzinfo=None, second=0, microsecond=0)
    checker = checker or Checker.from_settings(settings)
    policy = policy or load_plan_policy(settings.knowledge_dir)
    index = index or KnowledgeIndex(settings)
    if len(index) == 0:
        raise IndexStoreError("the knowledge index is empty: run `visitcoach ingest` first")

    decision = decide(checker, case, as_of, lang)
    inputs = inputs_from_case(case, as_of.date())
    assessment = assess(inputs, policy)
    start = as_of.date() + dt.timedelta(days=14)
    options = plan_options(inputs, policy, start=start, assessment=assessment)
    regular = [o for o in options if o.kind != "interest_freeze"]
    best = regular[0].instalment_max if regular else Decimal("0.00")
    worth, worth_lines = worth_it(
        case, as_of.date(), best, decision.visit_allowed, lambda: all_cases(settings.knowledge_dir), lang
    )
    situation_lines, signals = situation(case, assessment.segment, lang)
    rules = applicable_rules(checker, case, lang)
    script, check, notice = _opening(settings, checker, policy, case, lang)
    option_lines = [Statement(option_text(o, assessment, lang), [o.citation], o.kind) for o in options]
    questions = [Statement(q, [T.QUESTIONS_CITE], "question") for q in T.QUESTIONS[lang]]
    corpus = " ".join([case.notes, *(c.outcome for c in case.contact_history), *(v.outcome for v in case.previous_visits)])
    objections = [Statement(o[lang], [o["cite"]], "objection") for o in T.OBJECTIONS if re.search(o["match"], corpus, re.IGNORECASE)]
    checklist = [Statement(item[lang], [item["cite"]], "check") for item in T.CHECKLIST]
    record = RECORD_TEMPLATE.format(case_id=case.id, date=(decision.windows[0].date if decision.windows else as_of.date()).isoformat())

    statements = [
        *decision.reasons, *decision.notes, *worth_lines, *situation_lines, *rules, *option_lines,
        *questions, *objections, *checklist,
    ]
    citations, resolved = _resolve(index, [c for s in statements for c in s.cites] + check.get("cites", []), lang)
    check.pop("cites", None)
    return Brief(
        case, lang, as_of, decision, worth, worth_lines, situation_lines, signals, rules, script, check,
        [{**o.as_dict(), "rationale": rationale(o, lang)} for o in options], option_lines, questions, objections,
        checklist, record, citations, resolved, notice,
    )


def _opening(
    settings: Settings, checker: Checker, policy: PlanPolicy, case: CaseFile, lang: str
) -> tuple[str, dict[str, Any], str | None]:
    """The opening script, checked as an opening at this visit; model-reworded through the guard when configured."""
    from visitcoach.guard import guarded_generate, text_findings
    from visitcoach.llm.backend import LLMClient, available
    from visitcoach.llm.prompts import render
    from visitcoach.llm.redact import Redactor

    ctx = VisitContext(
        jurisdiction=case.jurisdiction,  # type: ignore[arg-type]
        location=case.address_type,  # type: ignore[arg-type]
        collectors=min_collectors(checker, case.jurisdiction),
        opening=True,
        flags=case.flags,
    )
    offline = opening_script(settings, policy, case, lang)
    text, source, notice = offline, "offline", None
    if available(settings):
        required = " ".join(getattr(policy.required_wording["US"], lang)) if case.jurisdiction == "US" else ""
        try:
            guarded = guarded_generate(
                LLMClient(settings), checker, ctx, task="prep", lang=lang,
                system=render(settings.prompts_dir, "prep", lang, required=required or "-"),
                user=offline, redactor=Redactor.for_people([case.borrower, case.guarantor, *case.household]),
            )
        except (BackendError, ConfigError) as exc:
            notice = f"the model was not used ({exc}); this is the offline opening"
        else:
            if guarded.verdict == "pass":
                text, source = guarded.text, "llm"
            else:
                notice = f"the model's opening was blocked after {guarded.attempts} attempt(s); this is the offline opening"
        if notice:
            log.warning("prep: %s", notice)
    findings = text_findings(checker, text, ctx, lang)
    verdict = "fail" if any(f.severity == "violation" for f in findings) else "pass"
    if verdict == "fail":
        text = ""  # never shown as if it were fine
    return text, {"verdict": verdict, "source": source, "findings": [f.as_dict() for f in findings],
                  "cites": [f.citation for f in findings]}, notice


def _resolve(index: KnowledgeIndex, cites: list[str], lang: str) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Citation strings -> numbered chunks of the index; unresolvable citations are dropped (and logged)."""
    out: list[dict[str, Any]] = []
    resolved: dict[str, int] = {}
    by_chunk: dict[str, int] = {}
    for cite in dict.fromkeys(cites):
        chunk = index.by_citation(cite, lang)
        if chunk is None:
            log.info("prep: citation %r is not in the index; dropped", cite)
            continue
        if chunk.id not in by_chunk:
            by_chunk[chunk.id] = len(out) + 1
            meta = chunk.metadata
            out.append({
                "n": len(out) + 1, "chunk_id": chunk.id, "doc_id": chunk.doc_id, "title": meta.get("title"),
                "section": meta.get("section"), "citation": meta.get("citation"), "source": meta.get("source"),
            })
        resolved[cite] = by_chunk[chunk.id]
    return out, resolved


def render_brief(brief: Brief) -> str:
    """The brief as text for the terminal (and the app)."""
    d = brief.as_dict()
    t = T.SECTION_TITLES[brief.lang]

    def cite(item: dict[str, Any]) -> str:
        return "".join(f"[{n}]" for n in item["citations"])

    def block(title: str, items: list[dict[str, Any]], bullet: str = "- ") -> list[str]:
        return [f"## {title}", *[f"{bullet}{i['text']} {cite(i)}".rstrip() for i in items], ""]

    dec = d["decision"]
    head = f"# {brief.case.id} — {brief.case.title}"
    out = [head, f"({brief.as_of:%Y-%m-%d %H:%M} {brief.case.timezone})", ""]
    out += [f"## {t['decision']}", f"**{t['go'] if dec['visit_allowed'] else t['no_go']}**"]
    out += [f"- {i['text']} {cite(i)}".rstrip() for i in dec["reason_details"] + dec["notes"]]
    if dec["windows"]:
        out.append(f"{t['windows']}:")
        out += [f"  {w['date']} {w['start']}–{w['end']}" for w in dec["windows"]]
    out.append("")
    out += block(t["worth"], d["worth"]["lines"])
    out += block(t["situation"], d["situation"]["lines"])
    out += block(t["rules"], d["rules"])
    out += [f"## {t['opening']}", d["opening_script"] or "(blocked)", ""]
    out += block(t["negotiation"], d["negotiation"]["lines"])
    out += block(t["questions"], d["negotiation"]["questions"])
    if d["negotiation"]["objections"]:
        out += block(t["objections"], d["negotiation"]["objections"])
    out += block(t["checklist"], d["checklist"], "- [ ] ")
    out += [f"## {t['record']}", "```yaml", d["record_template"].rstrip(), "```", ""]
    out += [f"## {t['sources']}"] + [f"[{c['n']}] {c['citation']} — {c['title']} › {c['section']}" for c in d["citations"]]
    if brief.notice:
        out += ["", f"notice: {brief.notice}"]
    return "\n".join(out) + "\n"


__all__ = ["Brief", "build_brief", "decide", "render_brief"]
