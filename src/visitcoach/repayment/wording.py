"""How plan figures read in Chinese and English: money, dates, option lines, rationales, reasons.

Every amount in a proposal is written by `fmt_money`, so the number check in `proposal.py` can
find each one and compare it with the computed figures.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from visitcoach.repayment.calc import Assessment, Option

_ZH_UNIT = {"CNY": "元", "USD": "美元", "GBP": "英镑"}
ROLE_NAMES = {
    "en": {"agent": "an agent", "supervisor": "a supervisor", "manager": "a manager", "credit_risk_committee": "the Credit Risk Committee"},
    "zh": {"agent": "催收员", "supervisor": "主管", "manager": "经理", "credit_risk_committee": "信贷风险委员会"},
}
REASONS = {
    "no_disposable_income": {
        "en": "Income does not cover essential expenses and other debt payments (disposable income at or below zero).",
        "zh": "收入不足以覆盖必要支出和其他债务还款（可支配收入小于或等于零）。",
    },
    "below_min_instalment": {
        "en": "The affordable instalment is below the product's minimum plan instalment.",
        "zh": "可负担的月供低于该产品的最低方案月供。",
    },
    "below_contractual": {
        "en": "The affordable instalment covers the minimum plan instalment but not the contractual instalment.",
        "zh": "可负担的月供达到最低方案月供，但低于合同月供。",
    },
    "covers_contractual": {
        "en": "The affordable instalment covers the contractual instalment.",
        "zh": "可负担的月供足以覆盖合同月供。",
    },
    "refuses_arrangement": {
        "en": "The customer has refused to discuss any arrangement.",
        "zh": "客户拒绝商谈任何还款安排。",
    },
    "broken_promises": {
        "en": "Two or more promises to pay were broken in the last 90 days.",
        "zh": "近 90 天内有两次或以上还款承诺未兑现。",
    },
}
RATIONALE = {
    "catch_up": {
        "en": "Clears the arrears within the original term on top of the usual instalment, within the affordable amount",
        "zh": "在原期限内于合同月供之外补还逾期金额，且不超过可负担金额",
    },
    "term_extension": {
        "en": "Re-spreads the balance over a longer term so the instalment fits the affordable amount",
        "zh": "延长期限、重新分摊余额，使月供落在可负担范围内",
    },
    "reduced_payment": {
        "en": "A reduced instalment for a limited period with a fixed review date",
        "zh": "在限定期间内按降低后的月供还款，并设定复核日期",
    },
    "interest_freeze": {
        "en": "Stops interest (waived, not deferred) while reduced or token payments are made",
        "zh": "在降低还款或象征性还款期间停止计息（减免而非递延）",
    },
    "settlement": {
        "en": "Closes the account for less than the balance, within the approving role's discount authority",
        "zh": "以低于余额的金额结清账户，折扣在审批角色的权限之内",
    },
    "token_payment": {
        "en": "Nothing regular is affordable: a token payment the customer may choose, hardship referral and free debt advice",
        "zh": "没有可负担的常规方案：客户自愿的象征性还款、转交困难客户专岗并提供免费债务咨询",
    },
}


def fmt_money(amount: Decimal, currency: str, lang: str) -> str:
    number = f"{amount:,.2f}"
    return f"{number} {_ZH_UNIT[currency]}" if lang == "zh" else f"{currency} {number}"


def fmt_date(day: dt.date, lang: str) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if lang == "zh" else day.strftime("%-d %B %Y")


def _months_en(n: int) -> str:
    return "1 month" if n == 1 else f"{n} months"


def fmt_share(share: Decimal) -> str:
    return f"{(share * 100).normalize():f}%"


def rationale(option: Option, lang: str) -> str:
    return f"{RATIONALE[option.kind][lang]} ({option.citation})" if lang == "en" else f"{RATIONALE[option.kind][lang]}（{option.citation}）"


def reason_texts(assessment: Assessment, lang: str) -> list[str]:
    return [REASONS[code][lang] for code in assessment.reasons]


def approval_text(option: Option, lang: str) -> str:
    role = option.needs_approval_by
    if role is None:
        return ""
    name = ROLE_NAMES[lang][role]
    if lang == "zh":
        return f"此项需要{name}批准：我今天不能答应，但会提交申请，您会收到书面答复。"
    return f"This needs approval by {name}: I can't agree it today, but I will put it forward and you will have a written answer."


def option_text(option: Option, a: Assessment, lang: str) -> str:
    """One paragraph describing an option with its figures, in the customer's language."""
    cur = a.currency

    def m(x: Decimal) -> str:
        return fmt_money(x, cur, lang)

    first = option.schedule[0] if option.schedule else None
    last = option.schedule[-1] if option.schedule else None
    start = fmt_date(first.date, lang) if first else ""
    d = option.details
    zh = lang == "zh"
    if option.kind == "catch_up":
        part = option.instalment_max - a.contractual_instalment
        tail = (
            (f"最后一期为 {m(last.amount)}。" if zh else f" The last payment is {m(last.amount)}.")
            if last and last.amount != option.instalment_max
            else ""
        )
        if zh:
            text = (
                f"补还逾期方案：自{start}起每月还款 {m(option.instalment_max)}（合同月供 {m(a.contractual_instalment)}，"
                f"另加 {m(part)} 用于补还逾期），共 {option.months} 期，合计 {m(option.total_paid)}；之后恢复合同月供。{tail}"
            )
        else:
            text = (
                f"Catch-up plan: {option.months} monthly payments of {m(option.instalment_max)} from {start} "
                f"(your usual {m(a.contractual_instalment)} plus {m(part)} towards the arrears), "
                f"{m(option.total_paid)} in all; after that, your usual instalment.{tail}"
            )
    elif option.kind == "term_extension":
        if zh:
            text = (
                f"延长期限方案：期限延长 {d['extension']} 个月，自{start}起每月还款 {m(d['instalment'])}，共 {option.months} 期，"
                f"最后一期 {m(last.amount)}，合计应还 {m(option.total_paid)}（含利息）。期限越长，总利息通常越多。"
            )
        else:
            text = (
                f"Longer term: {_months_en(d['extension'])} more, {option.months} monthly payments of {m(d['instalment'])} from {start} "
                f"(the last one {m(last.amount)}), {m(option.total_paid)} payable in all including interest. "
                "A longer term usually means more interest in total."
            )
    elif option.kind == "reduced_payment":
        review = fmt_date(d["review_date"], lang)
        if zh:
            text = (
                f"降低还款方案：自{start}起 {option.months} 个月内每月还款 {m(option.instalment_max)}（合同月供为 "
                f"{m(a.contractual_instalment)}），{review}复核。每月差额 {m(d['shortfall_per_month'])} 会计入逾期金额。"
            )
        else:
            text = (
                f"Reduced payments: {m(option.instalment_max)} a month for {option.months} months from {start} instead of "
                f"{m(a.contractual_instalment)}, reviewed on {review}. The shortfall of {m(d['shortfall_per_month'])} a month "
                "is added to the arrears."
            )
    elif option.kind == "interest_freeze":
        fee = d.get("fee_freeze_months") or 0
        if zh:
            text = f"停息：{option.months} 个月内停止计息，约 {m(option.total_forgiven)}的利息予以减免（不是递延）。"
            if fee:
                text += f"罚息和违约金可停收 {fee} 个月。"
        else:
            text = (
                f"Interest freeze: no interest for {option.months} months alongside the payments above; about "
                f"{m(option.total_forgiven)} of interest is waived, not deferred."
            )
            if fee:
                text += f" Late and default fees can also stop for {fee} months."
    elif option.kind == "settlement":
        amount, share = d["amount"], fmt_share(d["discount"])
        if d.get("variant") == "lump_sum":
            head = f"一次性支付 {m(amount)}" if zh else f"a single payment of {m(amount)} on {start}"
        else:
            head = (
                f"分 {option.months} 期、每月 {m(option.instalment_max)}，共 {m(amount)}"
                if zh
                else f"{option.months} monthly payments of {m(option.instalment_max)} from {start}, {m(amount)} in all"
            )
        if zh:
            text = f"和解结清：{head}，其余 {m(option.total_forgiven)}（{share}）予以减免，账户结清。"
        else:
            text = f"Settlement: {head}; the remaining {m(option.total_forgiven)} ({share}) is written off and the account is closed."
    else:  # token_payment
        review = fmt_date(d["review_date"], lang)
        if option.instalment_max > 0:
            text = (
                f"象征性还款：如您愿意，每月可还 {m(option.instalment_max)}，也可以少还或暂不还款；{review}复核。"
                if zh
                else f"Token payment: if you wish, {m(option.instalment_max)} a month, or less, or nothing for now; "
                f"we review it on {review}."
            )
        else:
            text = (
                f"目前我们不要求您还款；{review}复核。"
                if zh
                else f"We are not asking you for any payment for now; we review your situation on {review}."
            )
    approval = approval_text(option, lang)
    return f"{text}{approval}" if zh else f"{text} {approval}".strip()
