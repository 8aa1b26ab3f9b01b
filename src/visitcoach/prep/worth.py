"""Is the visit worth it: its cost against what it may recover, and whether remote contact was tried first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from visitcoach.corpus.schemas import CaseFile
from visitcoach.prep import text as T
from visitcoach.prep.decision import Statement
from visitcoach.repayment.wording import fmt_money

REMOTE_CHANNELS = ("phone", "sms", "letter", "email", "app")
LAST_RESORT_DAYS = 30
MAX_COST_SHARE = Decimal("0.20")
RECOVERY_MONTHS = 3


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
            T.WORTH["remote"][lang].format(attempts=len(remote), days=days, channels=("、" if lang == "zh" else ", ").join(T.word(c, lang) for c in channels) or T.SECTION_TITLES[lang]["none"]),
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
