"""Repayment plans: affordability assessment, policy-bounded options and compliant proposal drafts."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from visitcoach.compliance.checker import Checker
from visitcoach.config import Settings
from visitcoach.corpus.cases import load_case
from visitcoach.corpus.pack import load_plan_policy
from visitcoach.corpus.schemas import CaseFile, PlanPolicy
from visitcoach.errors import BackendError, ConfigError
from visitcoach.repayment.calc import (
    Assessment,
    Option,
    PlanInputError,
    PlanInputs,
    assess,
    first_of_next_month,
    inputs_from_case,
    plan_options,
)
from visitcoach.repayment.proposal import (
    STYLES,
    Draft,
    allowed_amounts,
    blocking,
    guard,
    render_offline,
    template_values,
)
from visitcoach.repayment.wording import rationale, reason_texts

log = logging.getLogger(__name__)
#: Stands in for the borrower's name in anything sent to a remote model; restored in the reply.
NAME_PLACEHOLDER = "[BORROWER_NAME]"


@dataclass
class PlanResult:
    case_id: str | None
    inputs: PlanInputs
    assessment: Assessment
    options: list[Option]
    draft: Draft
    lang: str
    as_of: dt.date
    start: dt.date
    role: str
    policy_version: int

    def as_dict(self) -> dict[str, Any]:
        a = self.assessment
        return {
            "case_id": self.case_id,
            "jurisdiction": self.inputs.jurisdiction,
            "product": self.inputs.product,
            "currency": a.currency,
            "role": self.role,
            "as_of": self.as_of.isoformat(),
            "start": self.start.isoformat(),
            "policy_version": self.policy_version,
            "lang": self.lang,
            "assessment": {
                "income": str(a.income),
                "essential_expenses": str(a.expenses),
                "other_debt_service": str(a.other_debt_service),
                "disposable_income": str(a.disposable_income),
                "affordability_cap": str(a.affordability_cap),
                "affordable_instalment": str(a.affordable),
                "contractual_instalment": str(a.contractual_instalment),
                "min_instalment": str(a.min_instalment),
                "ability": a.ability,
                "willingness": a.willingness,
                "segment": a.segment,
                "reasons": reason_texts(a, self.lang),
                "allowed_options": a.allowed_options,
            },
            "options": [{**o.as_dict(), "rationale": rationale(o, self.lang)} for o in self.options],
            "draft": self.draft.text,
            "draft_check": self.draft.as_dict(),
        }


def make_plan(
    settings: Settings,
    *,
    case_id: str | None = None,
    inputs: PlanInputs | None = None,
    role: str = "agent",
    as_of: dt.date | None = None,
    start: dt.date | None = None,
    lang: str | None = None,
    style: str = "letter",
    checker: Checker | None = None,
    policy: PlanPolicy | None = None,
) -> PlanResult:
    """Assessment, options and a checked proposal draft, for a case id or explicit inputs."""
    if (case_id is None) == (inputs is None):
        raise PlanInputError("give a case id or the amounts (--balance, --income, --expenses), not both")
    if style not in STYLES:
        raise PlanInputError(f"style: {style!r} is not one of {', '.join(STYLES)}")
    if lang not in (None, "zh", "en"):
        raise PlanInputError(f"lang: {lang!r} is not zh or en")
    policy = policy or load_plan_policy(settings.knowledge_dir)
    as_of = as_of or dt.date.today()
    case: CaseFile | None = None
    if case_id is not None:
        case = load_case(settings.knowledge_dir, case_id)
        inputs = inputs_from_case(case, as_of)
    assert inputs is not None
    start = start or first_of_next_month(as_of)
    if start < as_of:
        raise PlanInputError(f"start: {start} is before {as_of}")
    lang = lang or (case.preferences.language or case.lang if case else ("zh" if inputs.jurisdiction == "CN" else "en"))
    assessment = assess(inputs, policy)
    options = plan_options(inputs, policy, start=start, role=role, assessment=assessment)
    checker = checker or Checker.from_settings(settings)
    draft = write_draft(settings, checker, policy, inputs, assessment, options, lang, style, case)
    return PlanResult(case.id if case else None, inputs, assessment, options, draft, lang, as_of, start, role, policy.version)


def write_draft(
    settings: Settings,
    checker: Checker,
    policy: PlanPolicy,
    inputs: PlanInputs,
    assessment: Assessment,
    options: list[Option],
    lang: str,
    style: str,
    case: CaseFile | None = None,
) -> Draft:
    """The proposal: LLM-written when a model is configured (falling back to the template), then guarded."""
    allowed = allowed_amounts(inputs, assessment, options)
    flags = case.flags if case else None
    values = template_values(inputs, assessment, options, policy, lang, style, case)
    offline = render_offline(settings.prompts_dir, values, lang, style)
    text, source, notice = offline, "offline", None
    if settings.llm == "openai":
        try:
            text, source = _llm_draft(settings, inputs, assessment, options, policy, lang, style, case), "llm"
        except (BackendError, ConfigError) as exc:
            notice = f"the model was not used ({exc}); this is the offline draft"
            log.warning("proposal: %s", notice)
    findings, contact, number_errors = guard(text, checker, inputs, options, allowed, lang, flags)
    if source == "llm" and blocking(findings, number_errors):
        notice = "the model's draft failed the checks (" + "; ".join(
            number_errors[:3] + [f"{f.rule_id}: {f.text}" for f in findings if f.severity == "violation"][:3]
        ) + "); this is the offline draft"
        log.warning("proposal: %s", notice)
        text, source = offline, "offline"
        findings, contact, number_errors = guard(text, checker, inputs, options, allowed, lang, flags)
    if blocking(findings, number_errors):
        return Draft("", lang, style, "blocked", findings, contact, number_errors, source, notice, blocked_text=text)
    return Draft(text, lang, style, "pass", findings, contact, number_errors, source, notice)


def _llm_draft(
    settings: Settings,
    inputs: PlanInputs,
    assessment: Assessment,
    options: list[Option],
    policy: PlanPolicy,
    lang: str,
    style: str,
    case: CaseFile | None,
) -> str:
    """The model rewrites the template draft; it never sees the borrower's name."""
    from visitcoach.llm.backend import chat
    from visitcoach.llm.prompts import render

    values = template_values(inputs, assessment, options, policy, lang, style, case, borrower=NAME_PLACEHOLDER)
    skeleton = render_offline(settings.prompts_dir, values, lang, style)
    required = values["required_wording"] + (" " + values["no_fit"] if values["no_fit"] else "")
    system = render(settings.prompts_dir, "proposal", lang, style=style, required=required, placeholder=NAME_PLACEHOLDER)
    reply = chat(settings, system, skeleton)
    name = case.borrower.name if case else ""
    return reply.replace(NAME_PLACEHOLDER, name).strip() + "\n"


__all__ = ["PlanInputError", "PlanInputs", "PlanResult", "make_plan", "write_draft"]
