"""Repayment plans: affordability assessment, policy-bounded options and compliant proposal drafts."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from visitcoach.compliance.checker import Checker
from visitcoach.compliance.context import VisitContext
from visitcoach.config import Settings
from visitcoach.corpus.cases import load_case
from visitcoach.corpus.pack import load_plan_policy
from visitcoach.corpus.schemas import CaseFile, Flags, PlanPolicy
from visitcoach.errors import BackendError, ConfigError
from visitcoach.guard import Guarded, guarded_generate
from visitcoach.llm.backend import LLMClient, available
from visitcoach.llm.prompts import render
from visitcoach.llm.redact import Redactor
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
    check_numbers,
    guard,
    render_offline,
    template_values,
)
from visitcoach.repayment.wording import rationale, reason_texts

log = logging.getLogger(__name__)


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
            "account": {
                "balance": str(self.inputs.balance),
                "arrears": str(self.inputs.arrears),
                "contractual_instalment": str(self.inputs.contractual_instalment),
                "remaining_term_months": self.inputs.remaining_term_months,
                "annual_interest_rate": None if self.inputs.annual_interest_rate is None else str(self.inputs.annual_interest_rate),
            },
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
    """The proposal: model-written through the guard loop when a model is configured, else the template.

    A model draft that stays blocked after the allowed rewrites, or a model that fails, gives way
    to the (checked) template draft with a notice saying why.
    """
    allowed = allowed_amounts(inputs, assessment, options)
    flags = case.flags if case else None
    values = template_values(inputs, assessment, options, policy, lang, style, case)
    offline = render_offline(settings.prompts_dir, values, lang, style)
    notice = None
    if available(settings):
        try:
            guarded = _llm_draft(settings, checker, policy, inputs, assessment, options, allowed, lang, style, case)
        except (BackendError, ConfigError) as exc:
            notice = f"the model was not used ({exc}); this is the offline draft"
        else:
            if guarded.verdict == "pass":
                findings, contact, number_errors = guard(guarded.text, checker, inputs, options, allowed, lang, flags)
                return Draft(guarded.text, lang, style, "pass", findings, contact, number_errors, "llm")
            # Rule ids and number problems only: a finding's text could quote a borrower's name.
            reasons = guarded.problems[:3] + [f.rule_id for f in guarded.findings if f.severity == "violation"][:3]
            notice = (
                f"the model's draft was blocked after {guarded.attempts} attempt(s) ({'; '.join(reasons)}); "
                "this is the offline draft"
            )
        log.warning("proposal: %s", notice)
    findings, contact, number_errors = guard(offline, checker, inputs, options, allowed, lang, flags)
    if blocking(findings, number_errors):
        return Draft("", lang, style, "blocked", findings, contact, number_errors, "offline", notice, blocked_text=offline)
    return Draft(offline, lang, style, "pass", findings, contact, number_errors, "offline", notice)


def _llm_draft(
    settings: Settings,
    checker: Checker,
    policy: PlanPolicy,
    inputs: PlanInputs,
    assessment: Assessment,
    options: list[Option],
    allowed: set[Decimal],
    lang: str,
    style: str,
    case: CaseFile | None,
) -> Guarded:
    """The model rewrites the template draft, through the guard loop; it never sees a borrower identifier."""
    values = template_values(inputs, assessment, options, policy, lang, style, case)
    skeleton = render_offline(settings.prompts_dir, values, lang, style)
    required = values["required_wording"] + (" " + values["no_fit"] if values["no_fit"] else "")
    system = render(settings.prompts_dir, "proposal", lang, style=style, required=required)
    people = [case.borrower, case.guarantor, *case.household] if case else []
    ctx = VisitContext(jurisdiction=inputs.jurisdiction, opening=True, flags=case.flags if case else Flags())  # type: ignore[arg-type]
    return guarded_generate(
        LLMClient(settings),
        checker,
        ctx,
        task="proposal",
        lang=lang,
        system=system,
        user=skeleton,
        redactor=Redactor.for_people(people),
        extra_check=lambda text: check_numbers(text, allowed, options),
    )


__all__ = ["PlanInputError", "PlanInputs", "PlanResult", "make_plan", "write_draft"]
