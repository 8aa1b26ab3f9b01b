"""Affordability assessment and policy-bounded plan options (pure functions, `Decimal` money).

Everything here follows the Hardship and Repayment Plan Policy (knowledge/policy/hardship-policy.*.md)
with the figures of `plan_policy.yaml`. Where the policy leaves a detail open, the calculator
decides as follows (and `evals/datasets/plans.jsonl` checks it):

- Money has two decimals. A = floor(D x cap). A regular instalment is rounded *up* to the cent and
  the last instalment absorbs the rounding, so no instalment ever exceeds A and the schedule sums
  exactly to the amount to be paid.
- Catch-up: the smallest n with C + R/n <= A (n <= remaining term; credit cards: <= the product's
  max extension). Term extension: the smallest extension e >= 1 whose annuity instalment (or B/n
  without interest) lies within [min_instalment, A]; a credit card with no remaining term may
  convert its balance into a plan of up to max_term_months. With interest, the schedule is
  amortised month by month (interest rounded half-up), the last payment clearing the balance.
- Reduced payment: A for reduced_payment_max_months when min_instalment <= A < C; the review date
  is reduced_payment_review_months after the start, or the end of the period if that is sooner.
- Interest freeze: offered to partial and unable customers on interest-bearing accounts, paired
  with their reduced or token instalment; its total_forgiven is the interest waived.
- Settlement: k = settlement_max_instalments instalments of A (S = A x k) when A x k is below the
  balance and the discount stays within the manager's authority; never for an `unable` customer,
  except from a lump sum they already have (`lump_sum`), which may need the Credit Risk Committee.
- Token payment: when the customer is unable or nothing else fits; the token amount is the policy's
  figure, but never above A (a customer with nothing to spare is asked for nothing).
- Dates: the first instalment falls on `start`, then on the same day of each later month (the
  31st becomes the month's last day).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from typing import Any

from visitcoach.corpus.schemas import CaseFile, PlanPolicy, ProductPolicy
from visitcoach.errors import VisitCoachError
from visitcoach.text import JURISDICTIONS

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
ROLES = ("agent", "supervisor", "manager")
COMMITTEE = "credit_risk_committee"
PRODUCTS = ("consumer_loan", "credit_card", "sme_loan", "auto_loan")
CURRENCY = {"CN": "CNY", "US": "USD", "UK": "GBP"}
#: Broken promises in this many days make willingness `low` (policy §2.4).
PROMISE_WINDOW_DAYS = 90


class PlanInputError(VisitCoachError):
    """An input to the plan calculator is missing or invalid; the message names it."""


def money(value: Any, name: str) -> Decimal:
    """A non-negative amount with at most two decimals, or PlanInputError naming `name`."""
    if isinstance(value, float):
        value = repr(value)
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise PlanInputError(f"{name}: not an amount: {value!r}") from None
    if not amount.is_finite():
        raise PlanInputError(f"{name}: not an amount: {value!r}")
    if amount < 0:
        raise PlanInputError(f"{name}: must not be negative: {value!r}")
    if amount != amount.quantize(CENT):
        raise PlanInputError(f"{name}: at most two decimals: {value!r}")
    return amount.quantize(CENT)


def _cents(x: Decimal, rounding: str) -> Decimal:
    return x.quantize(CENT, rounding=rounding)


def add_months(start: dt.date, months: int) -> dt.date:
    """`start` moved by whole months, on the same day (clamped to the month's last day)."""
    month0 = start.month - 1 + months
    year, month = start.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def first_of_next_month(day: dt.date) -> dt.date:
    return add_months(day.replace(day=1), 1)


def _rank(role: str) -> int:
    return ROLES.index(role) if role in ROLES else len(ROLES)


@dataclass(frozen=True)
class PlanInputs:
    """What the calculator needs to know about one account and one customer."""

    jurisdiction: str
    product: str
    balance: Decimal
    arrears: Decimal
    contractual_instalment: Decimal
    remaining_term_months: int
    income: Decimal
    expenses: Decimal
    other_debt_service: Decimal = ZERO
    annual_interest_rate: Decimal | None = None
    broken_promises_90d: int = 0
    refuses_arrangement: bool = False
    lump_sum: Decimal | None = None  # money the customer already has and offers of their own accord
    case_id: str | None = None

    def __post_init__(self) -> None:
        if self.jurisdiction not in JURISDICTIONS:
            raise PlanInputError(f"jurisdiction: {self.jurisdiction!r} is not one of {', '.join(JURISDICTIONS)}")
        if self.product not in PRODUCTS:
            raise PlanInputError(f"product: {self.product!r} is not one of {', '.join(PRODUCTS)}")
        for name in ("balance", "arrears", "contractual_instalment", "income", "expenses", "other_debt_service"):
            object.__setattr__(self, name, money(getattr(self, name), name))
        if self.lump_sum is not None:
            object.__setattr__(self, "lump_sum", money(self.lump_sum, "lump_sum"))
        if self.balance <= 0:
            raise PlanInputError(f"balance: must be above zero: {self.balance}")
        if self.arrears > self.balance:
            raise PlanInputError(f"arrears: {self.arrears} is more than the balance {self.balance}")
        if not isinstance(self.remaining_term_months, int) or self.remaining_term_months < 0:
            raise PlanInputError(f"remaining_term_months: must be a whole number >= 0: {self.remaining_term_months!r}")
        if self.annual_interest_rate is not None:
            try:
                rate = Decimal(str(self.annual_interest_rate))
            except InvalidOperation:
                raise PlanInputError(f"annual_interest_rate: not a number: {self.annual_interest_rate!r}") from None
            if not rate.is_finite() or not 0 <= rate <= 1:
                raise PlanInputError(f"annual_interest_rate: must be between 0 and 1: {self.annual_interest_rate!r}")
            object.__setattr__(self, "annual_interest_rate", rate)
        if self.broken_promises_90d < 0:
            raise PlanInputError(f"broken_promises_90d: must be >= 0: {self.broken_promises_90d}")

    @property
    def currency(self) -> str:
        return CURRENCY[self.jurisdiction]

    @property
    def monthly_rate(self) -> Decimal:
        return (self.annual_interest_rate or ZERO) / 12


def inputs_from_case(case: CaseFile, as_of: dt.date) -> PlanInputs:
    """The calculator's inputs from a case file; promises are counted as of `as_of`."""
    since = as_of - dt.timedelta(days=PROMISE_WINDOW_DAYS)
    broken = sum(1 for p in case.promises if not p.kept and since < p.due <= as_of)
    return PlanInputs(
        jurisdiction=case.jurisdiction,
        product=case.product,
        balance=case.balance,
        arrears=case.arrears,
        contractual_instalment=case.contractual_instalment,
        remaining_term_months=case.remaining_term_months,
        income=case.income_monthly,
        expenses=case.essential_expenses_monthly,
        other_debt_service=sum((d.monthly_payment for d in case.other_debts), ZERO),
        annual_interest_rate=case.annual_interest_rate,
        broken_promises_90d=broken,
        case_id=case.id,
    )


@dataclass
class Assessment:
    income: Decimal
    expenses: Decimal
    other_debt_service: Decimal
    disposable_income: Decimal
    affordability_cap: Decimal
    affordable: Decimal  # A: the largest instalment any plan may ask for
    contractual_instalment: Decimal
    min_instalment: Decimal
    ability: str  # able | partial | unable
    willingness: str  # willing | low
    reasons: list[str]  # reason codes, rendered in the customer's language by the proposal
    allowed_options: list[str]
    currency: str

    @property
    def segment(self) -> str:
        return f"{self.ability}_{self.willingness}"


@dataclass
class Payment:
    date: dt.date
    amount: Decimal


@dataclass
class Option:
    kind: str
    instalment_max: Decimal
    total_paid: Decimal
    total_forgiven: Decimal
    needs_approval_by: str | None
    schedule: list[Payment]
    citation: str
    months: int
    details: dict[str, Any] = field(default_factory=dict)  # kind-specific figures (extension, discount, ...)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "instalment_max": str(self.instalment_max),
            "total_paid": str(self.total_paid),
            "total_forgiven": str(self.total_forgiven),
            "needs_approval_by": self.needs_approval_by,
            "months": self.months,
            "schedule": [{"date": p.date.isoformat(), "amount": str(p.amount)} for p in self.schedule],
            "citation": self.citation,
            **{k: (str(v) if isinstance(v, Decimal | dt.date) else v) for k, v in self.details.items()},
        }


def product_policy(policy: PlanPolicy, product: str, jurisdiction: str) -> ProductPolicy:
    try:
        return policy.products[product][jurisdiction]  # type: ignore[index]
    except KeyError:
        raise PlanInputError(f"product: no plan policy for {product!r} in {jurisdiction} (plan_policy.yaml)") from None


def assess(inputs: PlanInputs, policy: PlanPolicy) -> Assessment:
    """Disposable income, affordable instalment and segment (policy §2)."""
    pol = product_policy(policy, inputs.product, inputs.jurisdiction)
    d = inputs.income - inputs.expenses - inputs.other_debt_service
    a = _cents(d * pol.affordability_cap, ROUND_FLOOR) if d > 0 else ZERO
    c = inputs.contractual_instalment
    reasons: list[str] = []
    if d <= 0:
        ability = "unable"
        reasons.append("no_disposable_income")
    elif a < pol.min_instalment:
        ability = "unable"
        reasons.append("below_min_instalment")
    elif a < c:
        ability = "partial"
        reasons.append("below_contractual")
    else:
        ability = "able"
        reasons.append("covers_contractual")
    willingness = "willing"
    if inputs.refuses_arrangement:
        willingness = "low"
        reasons.append("refuses_arrangement")
    elif inputs.broken_promises_90d >= 2:
        willingness = "low"
        reasons.append("broken_promises")
    return Assessment(
        income=inputs.income,
        expenses=inputs.expenses,
        other_debt_service=inputs.other_debt_service,
        disposable_income=d,
        affordability_cap=pol.affordability_cap,
        affordable=a,
        contractual_instalment=c,
        min_instalment=pol.min_instalment,
        ability=ability,
        willingness=willingness,
        reasons=reasons,
        allowed_options=list(pol.hardship_options),
        currency=pol.currency,
    )


def _even_schedule(total: Decimal, n: int, start: dt.date, extra: Decimal = ZERO) -> list[Payment]:
    """n payments of `extra` + ceil(total / n); the last absorbs the rounding."""
    part = _cents(total / n, ROUND_CEILING)
    amounts = [extra + part] * (n - 1) + [extra + total - part * (n - 1)]
    return [Payment(add_months(start, k), amt) for k, amt in enumerate(amounts)]


def _annuity(balance: Decimal, i: Decimal, n: int) -> Decimal:
    if i == 0:
        return _cents(balance / n, ROUND_CEILING)
    return _cents(balance * i / (1 - (1 + i) ** -n), ROUND_CEILING)


def _amortised(balance: Decimal, i: Decimal, n: int, payment: Decimal, start: dt.date) -> list[Payment]:
    if i == 0:
        amounts = [payment] * (n - 1) + [balance - payment * (n - 1)]
    else:
        amounts, b = [], balance
        for _ in range(n - 1):
            b = b + _cents(b * i, ROUND_HALF_UP) - payment
            amounts.append(payment)
        amounts.append(b + _cents(b * i, ROUND_HALF_UP))
    return [Payment(add_months(start, k), amt) for k, amt in enumerate(amounts)]


def _approver(discount: Decimal, pol: ProductPolicy) -> str:
    for role in ROLES:
        if discount <= pol.settlement_authority[role]:  # type: ignore[index]
            return role
    return COMMITTEE


def _needs(approver: str, role: str) -> str | None:
    return approver if _rank(approver) > _rank(role) else None


def catch_up_months(contractual: Decimal, arrears: Decimal, affordable: Decimal, most: int) -> int | None:
    """The catch-up's n (policy §3.1): the smallest n ≤ `most` with C + R ÷ n ≤ A, or None."""
    for n in range(1, most + 1):
        if contractual * n + arrears <= affordable * n:  # C + R/n <= A, exactly
            return n
    return None


def plan_options(
    inputs: PlanInputs,
    policy: PlanPolicy,
    *,
    start: dt.date,
    role: str = "agent",
    assessment: Assessment | None = None,
) -> list[Option]:
    """Every option the policy permits for this customer, in the policy's order (§3)."""
    if role not in ROLES:
        raise PlanInputError(f"role: {role!r} is not one of {', '.join(ROLES)}")
    with localcontext() as ctx:
        ctx.prec = 34
        return _options(inputs, policy, start, role, assessment or assess(inputs, policy))


def _options(inputs: PlanInputs, policy: PlanPolicy, start: dt.date, role: str, a: Assessment) -> list[Option]:
    pol = product_policy(policy, inputs.product, inputs.jurisdiction)
    allowed = set(pol.hardship_options)
    cap, c, r, b = a.affordable, inputs.contractual_instalment, inputs.arrears, inputs.balance
    i = inputs.monthly_rate
    rem = inputs.remaining_term_months
    card_without_term = inputs.product == "credit_card" and rem == 0
    out: list[Option] = []

    def option(
        kind: str,
        schedule: list[Payment],
        forgiven: Decimal = ZERO,
        needs: str | None = None,
        months: int | None = None,
        **details: Any,
    ) -> Option:
        return Option(
            kind=kind,
            instalment_max=max((p.amount for p in schedule), default=ZERO),
            total_paid=sum((p.amount for p in schedule), ZERO),
            total_forgiven=forgiven,
            needs_approval_by=needs,
            schedule=schedule,
            citation=pol.citations[kind],  # type: ignore[index]
            months=len(schedule) if months is None else months,
            details=details,
        )

    if "catch_up" in allowed and r > 0 and a.ability != "unable":
        n_max = pol.max_extension_months if inputs.product == "credit_card" else rem
        if (n := catch_up_months(c, r, cap, n_max)) is not None:
            out.append(option("catch_up", _even_schedule(r, n, start, extra=c)))

    if "term_extension" in allowed and a.ability != "unable":
        if card_without_term:
            terms = [(n, n) for n in range(1, pol.max_term_months + 1)]
        else:
            terms = [(rem + e, e) for e in range(1, pol.max_extension_months + 1) if rem + e <= pol.max_term_months]
        for n, e in terms:
            p = _annuity(b, i, n)
            if p > cap:
                continue
            if p < pol.min_instalment:
                break  # longer terms only lower it further
            schedule = _amortised(b, i, n, p, start)
            if max(x.amount for x in schedule) <= cap:
                out.append(option("term_extension", schedule, extension=e, instalment=p))
                break

    if "reduced_payment" in allowed and a.ability == "partial" and pol.reduced_payment_max_months > 0:
        months = pol.reduced_payment_max_months
        review = add_months(start, min(pol.reduced_payment_review_months, months))
        schedule = [Payment(add_months(start, k), cap) for k in range(months)]
        out.append(option("reduced_payment", schedule, review_date=review, shortfall_per_month=c - cap))

    token = min(pol.token_payment, cap)
    freeze = pol.interest_freeze
    if (
        "interest_freeze" in allowed
        and a.ability in ("partial", "unable")
        and i > 0
        and freeze.allowed
        and freeze.max_months > 0
    ):
        paired = cap if a.ability == "partial" else token
        waived, bal, schedule = ZERO, b, []
        for k in range(freeze.max_months):
            waived += _cents(bal * i, ROUND_HALF_UP)
            pay = min(paired, bal)
            if pay > 0:
                schedule.append(Payment(add_months(start, k), pay))
            bal -= pay
        fee = pol.fee_freeze
        out.append(
            option(
                "interest_freeze",
                schedule,
                forgiven=waived,
                needs=_needs(freeze.approval, role),
                months=freeze.max_months,
                fee_freeze_months=fee.max_months if fee.allowed else 0,
                fee_freeze_needs_approval_by=_needs(fee.approval, role) if fee.allowed else None,
            )
        )

    if "settlement" in allowed:
        k = pol.settlement_max_instalments
        floor_amount = b * (1 - pol.settlement_authority["manager"])  # type: ignore[index]
        if a.ability != "unable" and cap * k < b and floor_amount <= cap * k:
            amount = cap * k
            discount = (b - amount) / b
            schedule = [Payment(add_months(start, n), cap) for n in range(k)]
            out.append(
                option(
                    "settlement",
                    schedule,
                    forgiven=b - amount,
                    needs=_needs(_approver(discount, pol), role),
                    amount=amount,
                    discount=discount.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP),
                    variant="instalments",
                )
            )
        lump = inputs.lump_sum
        if lump is not None and 0 < lump < b:
            discount = (b - lump) / b
            out.append(
                option(
                    "settlement",
                    [Payment(start, lump)],
                    forgiven=b - lump,
                    needs=_needs(_approver(discount, pol), role),
                    amount=lump,
                    discount=discount.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP),
                    variant="lump_sum",
                )
            )

    regular = {"catch_up", "term_extension", "reduced_payment", "settlement"}
    if "token_payment" in allowed and (a.ability == "unable" or not any(o.kind in regular for o in out)):
        months = pol.reduced_payment_review_months
        schedule = [Payment(add_months(start, k), token) for k in range(months)] if token > 0 else []
        out.append(
            option(
                "token_payment",
                schedule,
                months=months,
                review_date=add_months(start, months),
                token_offered=token,
                policy_token=pol.token_payment,
            )
        )
    return out
