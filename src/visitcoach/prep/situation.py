"""The borrower's situation as the brief tells it, and the rules that apply at this visit."""

from __future__ import annotations

import re
from decimal import Decimal

from visitcoach.compliance.checker import Checker
from visitcoach.corpus.schemas import CaseFile
from visitcoach.prep import text as T
from visitcoach.prep.decision import Statement, visit_context
from visitcoach.repayment.wording import fmt_money


def situation(case: CaseFile, segment: str, lang: str) -> tuple[list[Statement], list[str]]:
    cur, zh = case.currency, lang == "zh"

    def m(x: Decimal) -> str:
        return fmt_money(x, cur, lang)

    kept = sum(p.kept for p in case.promises)
    broken = len(case.promises) - kept
    last = max(case.contact_history, key=lambda c: c.date, default=None)
    lines = [
        Statement(
            f"余额 {m(case.balance)}，逾期 {m(case.arrears)}，逾期 {case.days_past_due} 天；法律状态：{T.word(case.legal_status, lang)}。"
            if zh
            else f"Balance {m(case.balance)}, arrears {m(case.arrears)}, {case.days_past_due} days past due; legal status: {T.word(case.legal_status, lang)}.",
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
            f"支付能力与意愿分层：{T.word(segment, lang)}（见协商方案）。" if zh else f"Ability and willingness segment: {T.word(segment, lang)} (see the negotiation plan).",
            ["Hardship and Repayment Plan Policy §2.4"],
            "segment",
        ),
    ]
    if last:
        lines.append(
            Statement(
                f"最近一次联系：{last.date.isoformat()}（{T.word(last.channel, lang)}）：{last.outcome}"
                if zh
                else f"Last contact {last.date.isoformat()} ({T.word(last.channel, lang)}): {last.outcome}",
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
    ctx = visit_context(checker, case)
    out = []
    for category in RULE_CATEGORIES:
        rule = next((r for r in checker.rules if r.spec.category == category and r.applies(ctx)), None)
        if rule is not None:
            title = getattr(rule.spec.title, lang)
            out.append(Statement(f"{title}: {getattr(rule.spec.explanation, lang)}", [rule.citation_for(case.jurisdiction, lang)], rule.spec.id))
    return out
