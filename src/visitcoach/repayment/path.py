"""The account month by month under a plan option, beside the contractual path (pure, `Decimal`).

The plan's own schedule says what the customer pays; an agent also needs to see what that does to
the account. Assumptions (stated in the Plan tab): interest accrues monthly on the balance at the
account's rate, rounded half-up to the cent, except under an interest freeze; each month the
contract asks for the contractual instalment, so arrears grow by what a payment falls short of it
(the reduced-payment shortfall is added to arrears) and shrink by what it pays above it; a term
extension re-ages the account (its arrears are folded into the extended term, so arrears are zero
from the first payment); a settlement's remainder is forgiven with its last payment.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from visitcoach.repayment.calc import add_months

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Month:
    date: dt.date
    payment: Decimal
    balance: Decimal  # after the payment, under the option
    arrears: Decimal  # after the payment, under the option
    contract_balance: Decimal  # after the contractual instalment, had the contract been kept

    def as_dict(self) -> dict[str, str]:
        return {"date": self.date.isoformat(), "payment": str(self.payment), "balance": str(self.balance),
                "arrears": str(self.arrears), "contract_balance": str(self.contract_balance)}


def _interest(balance: Decimal, monthly_rate: Decimal) -> Decimal:
    return (balance * monthly_rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def account_path(option: dict[str, Any], account: dict[str, Any], start: dt.date) -> list[Month]:
    """Month by month for `option` (as in `plan --json`) on `account` (balance, arrears,
    contractual_instalment, annual_interest_rate), from `start`."""
    balance = Decimal(str(account["balance"]))
    arrears = Decimal(str(account["arrears"]))
    due = Decimal(str(account["contractual_instalment"]))
    rate = Decimal(str(account.get("annual_interest_rate") or 0)) / 12
    kind = option["kind"]
    schedule = {p["date"]: Decimal(p["amount"]) for p in option.get("schedule", [])}
    months = max(len(schedule), int(option.get("months") or 0), 1)
    contract = balance
    out: list[Month] = []
    last_paid = max(schedule) if schedule else None
    for k in range(months):
        day = add_months(start, k)
        pay = schedule.get(day.isoformat(), ZERO)
        if kind != "interest_freeze":
            balance += _interest(balance, rate)
        balance = max(ZERO, balance - pay)
        if kind == "term_extension":
            arrears = ZERO
        else:
            arrears = min(balance, max(ZERO, arrears + due - pay))
        if kind == "settlement" and day.isoformat() == last_paid:
            balance, arrears = ZERO, ZERO  # the rest is forgiven with the last instalment
        contract += _interest(contract, rate)
        contract = max(ZERO, contract - min(due, contract))
        out.append(Month(day, pay, balance, arrears, contract))
    return out
