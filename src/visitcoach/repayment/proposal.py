"""Proposal drafts: a letter or a door-step script from `prompts/proposal_{letter,script}.<lang>.md`.

The offline draft is the template filled with the computed facts. Before a draft is returned it
passes two guards: every amount in its text must be one of the computed figures (and each
option's headline figures must be there), and the compliance checker must find no violation in
the text. A draft that fails either is blocked: the caller gets the findings, not the draft.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from visitcoach.compliance.checker import Checker, Finding
from visitcoach.compliance.context import VisitContext
from visitcoach.corpus.schemas import CaseFile, Flags, PlanPolicy
from visitcoach.llm.prompts import render
from visitcoach.repayment.calc import Assessment, Option, PlanInputs
from visitcoach.repayment.wording import fmt_money, option_text

STYLES = ("letter", "script")
PRODUCT_NAMES = {
    "en": {"consumer_loan": "personal loan", "credit_card": "credit card", "sme_loan": "business loan", "auto_loan": "car loan"},
    "zh": {"consumer_loan": "消费贷款", "credit_card": "信用卡", "sme_loan": "小微企业贷款", "auto_loan": "汽车贷款"},
}
# Every two-decimal number in a draft (a share like "11.32%" is not an amount).
_AMOUNT = re.compile(r"(?<![\d.])-?\d{1,3}(?:,\d{3})*(?:\.\d{2})(?![\d%])|(?<![\d.,])-?\d+\.\d{2}(?![\d%])")


@dataclass
class Draft:
    text: str  # empty when blocked
    lang: str
    style: str
    verdict: str  # pass | blocked
    findings: list[Finding] = field(default_factory=list)  # what the checker found in the text
    contact_findings: list[Finding] = field(default_factory=list)  # the case's flags forbid or limit contact
    number_errors: list[str] = field(default_factory=list)
    source: str = "offline"
    notice: str | None = None
    blocked_text: str | None = None  # kept for the reviewer, never shown as a usable draft

    def as_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "style": self.style,
            "source": self.source,
            "notice": self.notice,
            "findings": [f.as_dict() for f in self.findings],
            "contact_findings": [f.as_dict() for f in self.contact_findings],
            "number_errors": self.number_errors,
        }


_CJK = re.compile(r"[\u3400-\u9fff]")


def _parties(case: CaseFile | None, policy: PlanPolicy, lang: str = "zh") -> tuple[str, str]:
    """(who is writing, on whose behalf), named in the letter's language: an English letter uses the
    case's `lender_latin` / `agency_latin` (the policy's English lender name when the case has none)."""
    if case is None:
        return policy.lender, policy.lender
    lender, agency = case.lender, case.agency
    if lang != "zh":
        lender = case.lender_latin or (policy.lender if _CJK.search(lender) else lender)
        if agency is not None:
            agency = case.agency_latin or (None if _CJK.search(agency) else agency)
    return agency or lender, lender


def addressee(case: CaseFile | None, lang: str) -> str | None:
    """The borrower's name for a letter in `lang`: in English the Latin-script name (`name_latin`),
    or none ("Dear customer") when the case has only a Chinese name."""
    if case is None:
        return None
    name = case.borrower.name
    if lang != "zh" and _CJK.search(name):
        return case.borrower.name_latin
    return name


def template_values(
    inputs: PlanInputs,
    assessment: Assessment,
    options: list[Option],
    policy: PlanPolicy,
    lang: str,
    style: str,
    case: CaseFile | None = None,
) -> dict[str, str]:
    """The template's variables, every figure formatted for the customer's language."""
    a, cur, zh = assessment, assessment.currency, lang == "zh"

    def m(x: Decimal) -> str:
        return fmt_money(x, cur, lang)

    name = addressee(case, lang)
    company, lender = _parties(case, policy, lang)
    behalf = "" if company == lender else (f"，受{lender}委托" if zh else f" on behalf of {lender}")
    product = PRODUCT_NAMES[lang][inputs.product]
    if style == "letter":
        greeting = (f"尊敬的{name}：" if name else "尊敬的客户：") if zh else (f"Dear {name}," if name else "Dear customer,")
        identification = (
            f"我是{company}的工作人员[您的姓名]（工号[工号]）{behalf}，写信就您的{product}账户与您商量一个您能负担的还款方案。"
            if zh
            else f"I am writing from {company}{behalf} about your {product} account, to agree a repayment plan you can afford."
        )
        closing = f"此致\n[您的姓名]，{company}" if zh else f"Yours sincerely,\n[your name], {company}"
    else:
        greeting = (f"{name}您好，" if name else "您好，") if zh else (f"Good morning, {name}." if name else "Good morning.")
        identification = (
            f"我是{company}的工作人员[您的姓名]，工号[工号]{behalf}，今天来和您商量{product}账户的还款方案。"
            if zh
            else f"My name is [your name], staff number [staff number], from {company}{behalf}, here about your {product} account."
        )
        closing = "谢谢您抽时间和我谈。" if zh else "Thank you for taking the time to talk with me."
    if inputs.arrears > 0:
        account = (
            f"您的{product}账户目前余额为 {m(inputs.balance)}，其中逾期 {m(inputs.arrears)}，合同月供为 {m(inputs.contractual_instalment)}。"
            if zh
            else f"Your {product} account has a balance of {m(inputs.balance)}, of which {m(inputs.arrears)} is in arrears; "
            f"the contractual instalment is {m(inputs.contractual_instalment)}."
        )
    else:
        account = (
            f"您的{product}账户目前余额为 {m(inputs.balance)}，合同月供为 {m(inputs.contractual_instalment)}。"
            if zh
            else f"Your {product} account has a balance of {m(inputs.balance)}; the contractual instalment is "
            f"{m(inputs.contractual_instalment)}."
        )
    figures = (
        f"每月收入 {m(a.income)}、必要支出 {m(a.expenses)}、其他债务还款 {m(a.other_debt_service)}"
        if zh
        else f"income {m(a.income)}, essential expenses {m(a.expenses)} and other debt payments {m(a.other_debt_service)} a month"
    )
    if a.disposable_income > 0:
        assessment_text = (
            f"根据您提供的情况（{figures}），扣除必要开支后每月剩余 {m(a.disposable_income)}。"
            f"我们每月要求的还款不会超过 {m(a.affordable)}，为您留出应对临时开支的余地。"
            if zh
            else f"From the figures you gave us ({figures}), {m(a.disposable_income)} a month is left after essentials. "
            f"We will not ask for more than {m(a.affordable)} a month, so that you keep a buffer for irregular costs."
        )
    else:
        assessment_text = (
            f"根据您提供的情况（{figures}），扣除必要开支后没有剩余，因此我们不会要求您按月还款。"
            if zh
            else f"From the figures you gave us ({figures}), nothing is left after essentials, so we will not ask you "
            "for a regular payment."
        )
    lines = [f"{n}. {option_text(o, a, lang)}" for n, o in enumerate(options, start=1)]
    wording = policy.required_wording[inputs.jurisdiction]  # type: ignore[index]
    no_fit = policy.no_fit_route[inputs.jurisdiction]  # type: ignore[index]
    token_route = any(o.kind == "token_payment" for o in options)
    return {
        "greeting": greeting,
        "identification": identification,
        "required_wording": " ".join(getattr(wording, lang)),
        "account": account,
        "assessment": assessment_text,
        "options": "\n".join(lines),
        "no_fit": " ".join(getattr(no_fit, lang)) if token_route else "",
        "closing": closing,
    }


def render_offline(prompts_dir: Path, values: dict[str, str], lang: str, style: str) -> str:
    text = render(prompts_dir, f"proposal_{style}", lang, **values)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def allowed_amounts(inputs: PlanInputs, assessment: Assessment, options: list[Option]) -> set[Decimal]:
    """Every amount a draft may state."""
    a = assessment
    out = {
        inputs.balance,
        inputs.arrears,
        inputs.contractual_instalment,
        a.income,
        a.expenses,
        a.other_debt_service,
        a.disposable_income,
        a.affordable,
    }
    for o in options:
        out |= {o.instalment_max, o.total_paid, o.total_forgiven, *(p.amount for p in o.schedule)}
        out |= {v for v in o.details.values() if isinstance(v, Decimal)}
        if o.kind == "catch_up":
            out.add(o.instalment_max - inputs.contractual_instalment)
    return out


def headline_amounts(option: Option) -> list[Decimal]:
    """The figures a description of this option must state."""
    kind, d = option.kind, option.details
    if kind == "term_extension":
        return [d["instalment"], option.total_paid]
    if kind == "interest_freeze":
        return [option.total_forgiven]
    if kind == "settlement":
        return [d["amount"], option.total_forgiven]
    if kind == "token_payment":
        return [option.instalment_max] if option.instalment_max > 0 else []
    return [option.instalment_max, option.total_paid] if kind == "catch_up" else [option.instalment_max]


def amounts_in(text: str) -> list[Decimal]:
    return [Decimal(m.group(0).replace(",", "")) for m in _AMOUNT.finditer(text)]


def check_numbers(text: str, allowed: set[Decimal], options: list[Option]) -> list[str]:
    """Amounts in the text that were not computed, and computed headline figures the text omits."""
    found = amounts_in(text)
    errors = [f"amount {x} in the draft is not a computed figure" for x in found if x not in allowed]
    present = set(found)
    for o in options:
        errors += [f"{o.kind}: the draft does not state {x}" for x in headline_amounts(o) if x not in present]
    return errors


def guard(
    text: str,
    checker: Checker,
    inputs: PlanInputs,
    options: list[Option],
    allowed: set[Decimal],
    lang: str,
    flags: Flags | None = None,
) -> tuple[list[Finding], list[Finding], list[str]]:
    """(text findings, contact findings, number errors) for a draft."""
    ctx = VisitContext(jurisdiction=inputs.jurisdiction, opening=True, audience="debtor", flags=flags or Flags())  # type: ignore[arg-type]
    report = checker.check(text, ctx, lang=lang)
    text_findings = [f for f in report.findings if f.layer != "context"]
    contact = [f for f in report.findings if f.layer == "context"]
    return text_findings, contact, check_numbers(text, allowed, options)


def blocking(findings: list[Finding], number_errors: list[str]) -> bool:
    return bool(number_errors) or any(f.severity == "violation" for f in findings)
