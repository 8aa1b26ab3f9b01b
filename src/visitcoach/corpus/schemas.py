"""Schemas of the knowledge pack's files: front matter, case files, personas.

Every model forbids unknown keys, so a typo in a compliance officer's file fails loudly with the
field name instead of being silently ignored.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from visitcoach.text import JURISDICTIONS, Jurisdiction, Lang

DocType = Literal["policy", "legal", "case", "persona", "exercise"]
Product = Literal["consumer_loan", "credit_card", "sme_loan", "auto_loan"]

#: The flags that forbid a visit outright (each is a no-go reason in the visit brief).
BLOCKING_FLAGS: tuple[str, ...] = (
    "cease_requested",
    "represented_by_attorney",
    "dispute_pending",
    "breathing_space",
    "capacity_concern",
    "vulnerable",
    "time_barred",
)
#: Every flag of a visit context (DESIGN §6), in the contract's order.
FLAG_NAMES: tuple[str, ...] = (
    *BLOCKING_FLAGS,
    "legal_action_filed",
    "employer_prohibits_contact",
    "consent_to_time",
    "consent_to_location",
)

#: Intents the rehearsal engine detects in an agent's turn; personas key triggers on them.
INTENTS: tuple[str, ...] = (
    "identify_disclose",  # name, company, on whose behalf, purpose (US: debt-collector disclosure)
    "verify_identity",  # confirms it is the borrower before discussing the debt
    "empathy",  # acknowledges the situation, listens, calm tone
    "ask_income",
    "ask_expenses",
    "ask_hardship",  # asks about illness, job loss, family, business trouble
    "explain_balance",  # states the amount owed accurately
    "offer_plan",  # proposes an instalment, extension, freeze or settlement
    "offer_affordable_plan",  # an offer within what the borrower said they can pay
    "signpost_advice",  # free debt advice, complaint channel, hardship team
    "pause_collection",  # puts the account on hold / stops collecting for now
    "pressure",  # pay everything now, borrow, sell assets
    "threat",  # arrest, police, violence, exposure, unlawful legal threats
    "insult",
    "third_party",  # talks about the debt to / in front of others, or threatens to tell them
    "refuse_to_leave",  # stays after being asked to leave, tries to enter
    "leave_when_asked",
    "close_next_step",  # summarises agreement, confirms next step in writing
)


def _money(value: object) -> Decimal:
    if isinstance(value, float):
        raise ValueError("money must be a string like '1234.50', not a float")
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {value!r}") from exc
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"amount must be a non-negative number: {value!r}")
    return amount


Money = Annotated[Decimal, BeforeValidator(_money)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class FrontMatter(Strict):
    """Front matter of a Markdown or text document (and the metadata keys of YAML documents)."""

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    title: str = Field(min_length=1)
    doc_type: DocType
    jurisdiction: Literal[Jurisdiction, "ALL"]
    lang: Lang
    citation: str | None = None
    effective_date: dt.date | None = None
    confidence: Literal["C", "S", "mixed"] | None = None
    fictional: bool | None = None
    legal_basis: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    summary: str | None = None

    @model_validator(mode="after")
    def _rules_per_type(self) -> FrontMatter:
        if self.doc_type == "legal" and self.confidence is None:
            raise ValueError("legal documents need 'confidence' (C, S or mixed)")
        return self


class Flags(Strict):
    cease_requested: bool = False
    represented_by_attorney: bool = False
    dispute_pending: bool = False
    breathing_space: bool = False
    capacity_concern: bool = False
    vulnerable: bool = False
    time_barred: bool = False
    legal_action_filed: bool = False
    employer_prohibits_contact: bool = False
    consent_to_time: bool = False
    consent_to_location: bool = False


class Person(Strict):
    name: str
    #: The name in Latin script (pinyin for a Chinese name), used by English letters and scripts.
    name_latin: str | None = None
    age: int | None = Field(default=None, ge=16, le=110)
    occupation: str | None = None
    phone: str | None = None
    email: str | None = None
    id_number: str | None = None
    address: str | None = None
    relationship: str | None = None  # for guarantors and household members


class OtherDebt(Strict):
    creditor: str
    balance: Money
    monthly_payment: Money


class Contact(Strict):
    date: dt.date
    channel: Literal["phone", "sms", "letter", "email", "app", "visit", "other"]
    outcome: str


class Survey(Strict):
    """The customer's answers to the post-visit survey (only when they chose to answer)."""

    satisfaction: int = Field(ge=1, le=5)  # 1 very dissatisfied .. 5 very satisfied
    felt_respected: bool | None = None


class Visit(Strict):
    date: dt.date
    collectors: int = Field(ge=1)
    cost: Money
    outcome: str
    result: Literal[
        "contact_made", "no_contact", "promise", "payment", "plan_agreed", "refused", "complaint", "aborted"
    ]
    complaint: bool = False  # the customer complained about this visit (at the door or afterwards)
    survey: Survey | None = None


class Payment(Strict):
    """Money received on the account (any channel)."""

    date: dt.date
    amount: Money


class Promise(Strict):
    made_on: dt.date
    amount: Money
    due: dt.date
    kept: bool


class Preferences(Strict):
    no_home_visits: bool = False
    no_workplace_visits: bool = False
    inconvenient_times: list[str] = Field(default_factory=list)  # free text, e.g. "weekdays 09:00-18:00"
    preferred_channel: Literal["phone", "sms", "letter", "email", "app", "visit"] | None = None
    language: Lang | None = None


class CaseFile(Strict):
    id: str = Field(pattern=r"^(CN|US|UK)-\d{3}$")
    title: str
    doc_type: Literal["case"]
    jurisdiction: Jurisdiction
    lang: Lang
    fictional: bool = False  # the shipped sample pack is fictional; a platform's real cases are not
    timezone: str
    currency: Literal["CNY", "USD", "GBP"]
    borrower: Person
    guarantor: Person | None = None
    household: list[Person] = Field(default_factory=list)
    lender: str
    agency: str | None = None
    #: The lender's and agency's names in English, used by English letters and scripts.
    lender_latin: str | None = None
    agency_latin: str | None = None
    product: Product
    principal: Money
    balance: Money
    arrears: Money
    days_past_due: int = Field(ge=0)
    contractual_instalment: Money
    remaining_term_months: int = Field(ge=0)
    annual_interest_rate: Decimal | None = Field(default=None, ge=0, le=1)
    income_monthly: Money
    essential_expenses_monthly: Money
    other_debts: list[OtherDebt] = Field(default_factory=list)
    address_type: Literal["home", "workplace", "public", "hospital", "other"]
    employer: str | None = None
    contact_history: list[Contact] = Field(default_factory=list)
    previous_visits: list[Visit] = Field(default_factory=list)
    promises: list[Promise] = Field(default_factory=list)
    payments: list[Payment] = Field(default_factory=list)
    flags: Flags = Field(default_factory=Flags)
    preferences: Preferences = Field(default_factory=Preferences)
    legal_status: Literal["none", "demand_letter_sent", "lawsuit_filed", "judgment_obtained", "time_barred"]
    limitation_expires: dt.date | None = None
    scenario_tags: list[str] = Field(default_factory=list)
    notes: str = Field(min_length=40)

    @model_validator(mode="after")
    def _consistent(self) -> CaseFile:
        expected = {"CN": "CNY", "US": "USD", "UK": "GBP"}[self.jurisdiction]
        if self.currency != expected:
            raise ValueError(f"currency {self.currency} does not match jurisdiction {self.jurisdiction}")
        if self.arrears > self.balance:
            raise ValueError("arrears cannot exceed balance")
        if self.legal_status == "time_barred" and not self.flags.time_barred:
            raise ValueError("legal_status time_barred needs flags.time_barred: true")
        if self.legal_status in ("lawsuit_filed", "judgment_obtained") and not self.flags.legal_action_filed:
            raise ValueError(f"legal_status {self.legal_status} needs flags.legal_action_filed: true")
        return self


def _known_intents(values: list[str]) -> list[str]:
    unknown = [v for v in values if v not in INTENTS]
    if unknown:
        raise ValueError(f"unknown intent(s) {unknown}; known: {', '.join(INTENTS)}")
    return values


class Objection(Strict):
    id: str
    text: str  # what the borrower says
    triggers: list[str] = Field(min_length=1)  # intents that raise it
    resolved_by: list[str] = Field(min_length=1)  # intents that settle it

    _intents = field_validator("triggers", "resolved_by")(_known_intents)


class HiddenFact(Strict):
    id: str
    fact: str  # what the trainee should learn (for the scorecard)
    reveal: str  # what the persona says when it comes out
    revealed_by: list[str] = Field(min_length=1)
    min_trust: float = Field(ge=0, le=1)

    _intents = field_validator("revealed_by")(_known_intents)


class Temperament(Strict):
    trust: float = Field(ge=0, le=1)  # starting values
    willingness: float = Field(ge=0, le=1)
    distress: float = Field(ge=0, le=1)
    patience: int = Field(ge=1, le=20)  # bad turns tolerated before ending
    description: str


class Agreement(Strict):
    max_instalment: Money
    acceptable_kinds: list[
        Literal["catch_up", "term_extension", "reduced_payment", "interest_freeze", "settlement", "token_payment"]
    ]
    conditions: str


class Limits(Strict):
    ends_conversation_when: list[str] = Field(min_length=1)  # intents
    complains_when: list[str] = Field(min_length=1)  # intents
    asks_to_leave_at_distress: float = Field(ge=0, le=1)


REPLY_STATES: tuple[str, ...] = (
    "opening",
    "wary",
    "neutral",
    "cooperative",
    "distressed",
    "angry",
    "asks_to_leave",
    "ends",
    "complains",
    "agrees",
    "declines_offer",
)


class PersonaFile(Strict):
    id: str = Field(pattern=r"^persona-(cn|us|uk)-\d{2}$")
    title: str
    doc_type: Literal["persona"]
    jurisdiction: Jurisdiction
    lang: Lang
    fictional: bool = False
    name: str
    case_id: str | None = None
    difficulty: Literal["easy", "medium", "hard"]
    background: str
    finances: str
    temperament: Temperament
    objections: list[Objection] = Field(min_length=2)
    hidden_facts: list[HiddenFact] = Field(min_length=2)
    would_agree_to: Agreement
    limits: Limits
    replies: dict[str, list[str]]

    @field_validator("replies")
    @classmethod
    def _reply_bank(cls, replies: dict[str, list[str]]) -> dict[str, list[str]]:
        missing = [s for s in REPLY_STATES if s not in replies]
        if missing:
            raise ValueError(f"reply bank lacks states {missing}")
        unknown = [s for s in replies if s not in REPLY_STATES]
        if unknown:
            raise ValueError(f"unknown reply states {unknown}; known: {', '.join(REPLY_STATES)}")
        thin = [s for s, lines in replies.items() if len(lines) < 3]
        if thin:
            raise ValueError(f"reply states need at least 3 lines each: {thin}")
        return replies

    @model_validator(mode="after")
    def _limit_intents(self) -> PersonaFile:
        for name in ("ends_conversation_when", "complains_when"):
            unknown = [v for v in getattr(self.limits, name) if v not in INTENTS]
            if unknown:
                raise ValueError(f"limits.{name}: unknown intent(s) {unknown}")
        return self


Role = Literal["agent", "supervisor", "manager"]
OptionKind = Literal["catch_up", "term_extension", "reduced_payment", "interest_freeze", "settlement", "token_payment"]
Share = Annotated[Decimal, Field(ge=0, le=1)]


class FreezeRule(Strict):
    allowed: bool
    max_months: int = Field(ge=0)
    approval: Role  # lowest role that may grant it


class ProductPolicy(Strict):
    """Plan policy for one product in one jurisdiction."""

    currency: Literal["CNY", "USD", "GBP"]
    min_instalment: Money
    max_term_months: int = Field(ge=1)
    max_extension_months: int = Field(ge=0)
    affordability_cap: Share  # max share of disposable income an instalment may take
    settlement_authority: dict[Role, Share]  # max discount on the balance each role may approve
    settlement_max_instalments: int = Field(ge=1)
    reduced_payment_max_months: int = Field(ge=0)
    reduced_payment_review_months: int = Field(ge=1)
    token_payment: Money
    interest_freeze: FreezeRule
    fee_freeze: FreezeRule
    hardship_options: list[OptionKind] = Field(min_length=1)
    citations: dict[OptionKind, str]  # policy section cited by each option's rationale

    @model_validator(mode="after")
    def _ordered_authority(self) -> ProductPolicy:
        roles = ("agent", "supervisor", "manager")
        missing = [r for r in roles if r not in self.settlement_authority]
        if missing:
            raise ValueError(f"settlement_authority lacks roles {missing}")
        shares = [self.settlement_authority[r] for r in roles]
        if shares != sorted(shares):
            raise ValueError("settlement_authority must not decrease from agent to supervisor to manager")
        uncited = [k for k in self.hardship_options if k not in self.citations]
        if uncited:
            raise ValueError(f"hardship options without a citation: {uncited}")
        return self


class RequiredWording(Strict):
    zh: list[str] = Field(default_factory=list)
    en: list[str] = Field(default_factory=list)


class PlanPolicy(Strict):
    version: int
    effective_date: dt.date
    fictional: bool = False
    lender: str
    products: dict[Product, dict[Jurisdiction, ProductPolicy]]
    required_wording: dict[Jurisdiction, RequiredWording]
    no_fit_route: dict[Jurisdiction, RequiredWording]  # what to say when nothing affordable fits

    @model_validator(mode="after")
    def _complete(self) -> PlanPolicy:
        products = ("consumer_loan", "credit_card", "sme_loan", "auto_loan")
        for product in products:
            if product not in self.products:
                raise ValueError(f"products lacks {product}")
            missing = [j for j in JURISDICTIONS if j not in self.products[product]]
            if missing:
                raise ValueError(f"products.{product} lacks jurisdictions {missing}")
            for jur, pol in self.products[product].items():
                expected = {"CN": "CNY", "US": "USD", "UK": "GBP"}[jur]
                if pol.currency != expected:
                    raise ValueError(f"products.{product}.{jur}.currency should be {expected}")
        return self


CRITERIA: tuple[str, ...] = ("compliance", "discovery", "empathy", "plan", "outcome")


class Rubric(Strict):
    """Weights of the scorecard's criteria (they sum to 1)."""

    compliance: float = Field(ge=0, le=1)
    discovery: float = Field(ge=0, le=1)
    empathy: float = Field(ge=0, le=1)
    plan: float = Field(ge=0, le=1)
    outcome: float = Field(ge=0, le=1)

    @model_validator(mode="after")
    def _sums_to_one(self) -> Rubric:
        total = sum(getattr(self, c) for c in CRITERIA)
        if abs(total - 1) > 1e-6:
            raise ValueError(f"rubric weights must sum to 1, not {total:g}")
        return self


class Bilingual(Strict):
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


class Objective(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    criterion: Literal["compliance", "discovery", "empathy", "plan", "outcome"]
    text: Bilingual


class ExerciseFile(Strict):
    """A training exercise: a persona (and optionally a case) to rehearse, with objectives and a rubric."""

    id: str = Field(pattern=r"^ex-(cn|us|uk)-\d{2,3}$")
    title: str
    doc_type: Literal["exercise"]
    jurisdiction: Jurisdiction
    lang: Lang
    fictional: bool = False
    persona: str = Field(pattern=r"^persona-(cn|us|uk)-\d{2}$")
    case_id: str | None = Field(default=None, pattern=r"^(CN|US|UK)-\d{3}$")
    difficulty: Literal["easy", "medium", "hard"]
    time_limit_minutes: int = Field(ge=3, le=90)
    brief: Bilingual  # what the trainee is told before the rehearsal
    objectives: list[Objective] = Field(min_length=2)
    rubric: Rubric
    pass_mark: float = Field(ge=0.3, le=0.95)
    #: What a good visit ends in: an affordable agreement, or a kind stop (pause, signpost, leave)
    #: when the customer cannot deal with the debt now (a vulnerable customer, Field Visit Policy §7.3).
    goal: Literal["agreement", "safe_exit"] = "agreement"
    context: dict[str, Any] = Field(default_factory=dict)  # the visit context (schema of DESIGN §6)
    tags: list[str] = Field(default_factory=list)
