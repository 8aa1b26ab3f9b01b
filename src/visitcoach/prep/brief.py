"""The visit brief: assembled from the decision, the worth-it check, the situation, the plan options and a checked
opening script; every citation resolved against the index; rendered as Markdown."""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from visitcoach.compliance.checker import Checker
from visitcoach.config import Settings
from visitcoach.corpus.cases import all_cases, load_case
from visitcoach.corpus.pack import load_plan_policy
from visitcoach.corpus.schemas import CaseFile, PlanPolicy
from visitcoach.errors import BackendError, ConfigError, IndexStoreError
from visitcoach.prep import text as T
from visitcoach.prep.decision import Decision, Statement, decide, visit_context
from visitcoach.prep.history import CaseHistory
from visitcoach.prep.situation import applicable_rules, situation
from visitcoach.prep.worth import worth_it
from visitcoach.repayment.calc import assess, inputs_from_case, plan_options
from visitcoach.repayment.proposal import PRODUCT_NAMES
from visitcoach.repayment.wording import option_text, rationale
from visitcoach.retrieval.index import KnowledgeIndex

log = logging.getLogger(__name__)

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



def opening_script(settings: Settings, policy: PlanPolicy, case: CaseFile, lang: str) -> str:
    from visitcoach.llm.prompts import render
    from visitcoach.repayment.proposal import _parties, addressee

    company, lender = _parties(case, policy, lang)  # named in the script's language (lender_latin in English)
    behalf = "" if company == lender else (f"，受{lender}委托" if lang == "zh" else f", on behalf of {lender}")
    disclosure = ""
    if case.jurisdiction == "US":
        disclosure = " ".join(getattr(policy.required_wording["US"], lang)) + ("" if lang == "zh" else " ")
    text = render(
        settings.prompts_dir,
        "prep_opening",
        lang,
        company=company,
        behalf=behalf,
        borrower=addressee(case, lang) or ("客户" if lang == "zh" else "the customer"),
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

    ctx = visit_context(checker, case)
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
    out = [head, f"({brief.as_of:%Y-%m-%d %H:%M} {T.zone(brief.case.timezone, brief.lang)})", ""]
    out += [f"## {t['decision']}", f"**{t['go'] if dec['visit_allowed'] else t['no_go']}**"]
    out += [f"- {i['text']} {cite(i)}".rstrip() for i in dec["reason_details"] + dec["notes"]]
    if dec["windows"]:
        out.append(f"{t['windows']}:")
        out.append("")  # a list of its own, not one paragraph with the line above
        out += [f"  - {w['date']} {w['start']}–{w['end']}" for w in dec["windows"]]
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
    out += [f"## {t['sources']}", ""] + [f"- [{c['n']}] {c['citation']} — {c['title']} › {c['section']}" for c in d["citations"]]
    if brief.notice:
        out += ["", f"notice: {brief.notice}"]
    return "\n".join(out) + "\n"


__all__ = ["Brief", "build_brief", "decide", "render_brief"]
