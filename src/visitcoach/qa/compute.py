"""Computed answers: where a question is one the deterministic engines answer, they answer it.

Visit windows and the two-person rule come from the compliance rules (`knowledge/rules/`), whether
a place may be visited from the checker's context layer, discount authority, the affordable
instalment (for the figures a question gives, or for a case it names by id) and the token payment
from `knowledge/policy/plan_policy.yaml` and the plan calculator. The figures in a
computed sentence are the engine's; its wording is a template in `prompts/answers.<lang>.yaml`.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from visitcoach.compliance import Checker, VisitContext
from visitcoach.compliance.rules import load_rules
from visitcoach.config import Settings
from visitcoach.corpus.cases import load_case
from visitcoach.corpus.concepts import quantities
from visitcoach.corpus.loader import discover, load_document
from visitcoach.corpus.pack import load_plan_policy
from visitcoach.errors import ConfigError, KnowledgeError
from visitcoach.qa.understand import Question
from visitcoach.repayment.calc import (
    CURRENCY,
    ROLES,
    PlanInputs,
    assess,
    catch_up_months,
    inputs_from_case,
    product_policy,
)
from visitcoach.text import JURISDICTIONS

log = logging.getLogger(__name__)
_WINDOW_CITATION = "Field Visit Policy §4.2"
#: The rule that a time the customer called inconvenient is avoided inside the window too.
_INCONVENIENT_CITATION = "Field Visit Policy §3.3"
#: The rule that the whole visit, from knocking to leaving, falls inside the window.
_WHOLE_VISIT_CITATION = "Field Visit Policy §4.1"
#: The concept of a question that says the customer called a time inconvenient ("works nights").
_INCONVENIENT = "inconvenient_times"
_STAFFING_CITATION = "Field Visit Policy §5.1"
_PLACE_CITATION = {"workplace": "Field Visit Policy §4.3", "hospital": "Field Visit Policy §4.4", "school": "Field Visit Policy §4.4"}
_AUTHORITY_CITATION = "Hardship and Repayment Plan Policy §4.1"
_AFFORDABLE_CITATION = "Hardship and Repayment Plan Policy §2.3"
_INCOME_CITATION = "Hardship and Repayment Plan Policy §2.1"
_CATCH_UP_CITATION = "Hardship and Repayment Plan Policy §3.1"
#: The section that sets the group retention period (read from its text, as `visitcoach validate` reads it).
_RETENTION_CITATION = "Field Visit Policy §6"
_TOKEN_CITATION = "Hardship and Repayment Plan Policy §3.6"
_TOKEN = re.compile(r"\btoken\b|象征性", re.IGNORECASE)
_ALONE = ("alone", "on my own", "by myself", "solo", "just me", "一个人", "单独", "独自", "自己去")


@dataclass(frozen=True)
class Fact:
    """One computed sentence, the section it rests on, and the figures in it (for the LLM guard)."""

    kind: str
    sentence: str
    citation: str
    figures: tuple[str, ...] = ()
    values: dict[str, Any] = field(default_factory=dict)
    #: What the quoted rule that follows the sentence should hold besides its figures ("× 52 ÷ 12").
    anchors: tuple[str, ...] = ()


@lru_cache(maxsize=4)
def templates(prompts_dir: Path, lang: str) -> dict[str, Any]:
    path = Path(prompts_dir) / f"answers.{lang}.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: the answer templates are missing (set VISITCOACH_PROMPTS_DIR)") from None
    except yaml.YAMLError as exc:
        raise KnowledgeError(path, f"broken YAML: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(data, dict):
        raise KnowledgeError(path, "must be a mapping of template names to sentences")
    return data


@dataclass(frozen=True)
class Engines:
    """The policy figures the computed answers use, read once from the pack."""

    windows: dict[str, tuple[str, str]]
    min_collectors: dict[str, int]
    checker: Checker
    plan_policy: Any
    max_collectors: dict[str, int] = field(default_factory=dict)
    #: Years after the last collection activity that visit records are kept (Field Visit Policy §6).
    retention_years: int | None = None

    @classmethod
    def load(cls, settings: Settings) -> Engines:
        return _engines(Path(settings.knowledge_dir).resolve(), Path(settings.data_dir).resolve())


@lru_cache(maxsize=4)
def _engines(knowledge_dir: Path, data_dir: Path) -> Engines:
    rules_dir = knowledge_dir / "rules"
    rules = load_rules(rules_dir) if rules_dir.is_dir() else []
    windows: dict[str, tuple[str, str]] = {}
    staff: dict[str, int] = {}
    most: dict[str, int] = {}
    for rule in rules:
        d = rule.spec.detect
        if d.context == "visit_time":
            windows.update({j: (w.start, w.end) for j, w in d.windows.items()})
        if d.context == "visit_staffing":
            staff.update(d.min_collectors)
            most.update(d.max_collectors)
    checker = Checker(rules, None, data_dir / "cache")
    policy = load_plan_policy(knowledge_dir) if (knowledge_dir / "policy" / "plan_policy.yaml").exists() else None
    return Engines(windows, staff, checker, policy, most, _retention_years(knowledge_dir))


#: A sentence that states the retention rule itself ("… are kept until three years after …").
_KEPT = re.compile(r"\bkept\b|\bkeep\b|\bretain", re.IGNORECASE)


def _retention_years(knowledge_dir: Path) -> int | None:
    """The group retention period in years, as the English Field Visit Policy §6 states it in the
    sentences that say what is kept (one figure, or None: a pack without the section, or one that
    states two figures there, gets no computed answer). `visitcoach validate` checks that the other
    documents the retention topic names agree with it."""
    for path in discover(knowledge_dir / "policy") if (knowledge_dir / "policy").is_dir() else []:
        if path.suffix != ".md" or not path.name.endswith(".en.md"):
            continue
        try:
            doc = load_document(path, knowledge_dir)
        except KnowledgeError:
            continue  # validate reports it
        for section in doc.sections:
            if section.citation == _RETENTION_CITATION:
                kept = " ".join(x for x in re.split(r"(?<=[.!?])\s+", section.text) if _KEPT.search(x))
                found = quantities("years", kept)
                return int(next(iter(found))) if len(found) == 1 else None
    return None


def _minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def _pct(share: Decimal) -> str:
    return f"{(Decimal(share) * 100).normalize():f}%"


def compute(q: Question, settings: Settings) -> list[Fact]:
    """The computed facts for a question (empty when none of the engines applies)."""
    if q.about_case and not q.case_id:
        return []  # "which case …" asks for a case, not a computation
    top = q.concepts[0].score if q.concepts else 0.0
    # an engine answers only a topic the question is mainly about
    topics = [m.concept for m in q.concepts[:2] if m.score >= 0.75 * top]
    kinds = {c.compute for c in topics if c.compute}
    option = _plan_option(q)
    if not kinds and option is None:
        return []
    eng = Engines.load(settings)
    t = templates(Path(settings.prompts_dir), q.lang)
    facts: list[Fact] = []
    if option is not None and (limit := _plan_limit(q, eng, t, option)):
        facts.append(limit)  # "减额还款最长能给几个月？": the plan policy's figure answers first
    order = [c.compute for c in topics if c.compute]
    for kind in dict.fromkeys(order):
        fact = None
        if kind == "visit_time":
            fact = _visit_time(q, eng, t)
        elif kind == "staffing":
            fact = _staffing(q, eng, t)
        elif kind == "visit_place":
            fact = _visit_place(q, eng, t)
        elif kind == "discount_authority":
            fact = _authority(q, eng, t)
        elif kind == "affordability":
            if catch_up := _catch_up(q, eng, t):
                facts.append(catch_up)  # C, R and A given: the catch-up's n and instalment (§3.1)
                continue
            if monthly := _monthly_income(q, t):
                facts.append(monthly)
            fact = _affordability(q, eng, t, settings)
            if fact and fact.values.get("fits") is False and "token_payment" not in order:
                # no regular plan fits: what the agent can offer instead is the token payment (plan policy §3.6)
                facts.append(fact)
                fact = _token_payment(q, eng, t, asked=False)
        elif kind == "token_payment":
            fact = _token_payment(q, eng, t)
        elif kind == "retention":
            fact = _retention(q, eng, t)
        if fact:
            facts.append(fact)
    return facts


def _window(eng: Engines, j: str) -> str:
    start, end = eng.windows[j]
    return f"{start}–{end}"


def _visit_time(q: Question, eng: Engines, t: dict[str, Any]) -> Fact | None:
    if not eng.windows:
        return None
    js = [q.jurisdiction] if q.jurisdiction in eng.windows else [j for j in JURISDICTIONS if j in eng.windows]
    every = {j: _window(eng, j) for j in JURISDICTIONS if j in eng.windows}
    if q.time is None:
        if len(js) == 1:
            start, end = eng.windows[js[0]]
            s = t["window_one"].format(place=t["places"][js[0]], start=start, end=end)
            return Fact("visit_time", s, _WINDOW_CITATION, (start, end), {"jurisdiction": js[0]})
        s = t["window_all"].format(**every)
        return Fact("visit_time", s, _WINDOW_CITATION, tuple(x for w in every.values() for x in w.split("–")))
    at = q.time.hour * 60 + q.time.minute
    when = q.time.strftime("%H:%M")
    inside = {j for j in js if _minutes(eng.windows[j][0]) <= at < _minutes(eng.windows[j][1])}
    # "works nights, sleeps till 2pm: is a 9am knock fine?": inside the window is not a yes
    unsuited = any(m.id == _INCONVENIENT for m in q.concepts)
    if len(js) == 1:
        j = js[0]
        start, end = eng.windows[j]
        finish = _finish(at, q.visit_minutes)
        if j in inside and finish is not None and finish > _minutes(end):
            # "we'd reach the door about 8.50pm and these usually take 20 mins": it would end after the window
            s = t["time_overruns"].format(
                place=t["places"][j], start=start, end=end, time=when, minutes=q.visit_minutes, finish=_clock(finish)
            )
            return Fact(
                "visit_time", s, _WHOLE_VISIT_CITATION, (when, start, end, _clock(finish)), {"jurisdiction": j, "allowed": False},
                anchors=(t["whole_visit_anchor"],),
            )
        if j in inside:
            key = "time_inside_inconvenient" if unsuited else "time_inside"
        else:
            key = "time_outside_consented" if "consent_to_time" in q.case_flags else "time_outside"
        s = t[key].format(place=t["places"][j], start=start, end=end, time=when)
        cite = _INCONVENIENT_CITATION if key == "time_inside_inconvenient" else _WINDOW_CITATION
        return Fact("visit_time", s, cite, (when, start, end), {"jurisdiction": j, "allowed": j in inside and not unsuited})
    if len(inside) in (0, len(js)):
        key = ("time_inside_every_inconvenient" if unsuited else "time_inside_every") if inside else "time_outside_every"
        cite = _INCONVENIENT_CITATION if inside and unsuited else _WINDOW_CITATION
        return Fact("visit_time", t[key].format(time=when, **every), cite, (when,), {"allowed": [] if unsuited else sorted(inside)})
    sep = "、" if q.lang == "zh" else ", "
    s = t["time_outside_all"].format(
        time=when,
        outside=sep.join(t["places"][j] for j in js if j not in inside),
        inside=sep.join(t["places"][j] for j in js if j in inside),
        **every,
    )
    return Fact("visit_time", s, _WINDOW_CITATION, (when,), {"allowed": sorted(inside)})


def _finish(at: int, minutes: int | None) -> int | None:
    """The minute of the day a visit starting at `at` and lasting `minutes` ends (None: length unknown)."""
    return at + minutes if minutes else None


def _clock(minute: int) -> str:
    return f"{minute // 60 % 24:02d}:{minute % 60:02d}"


#: What the group retention rule covers, as questions name it.
_VISIT_RECORDS = re.compile(
    r"录音|录像|录制|记录仪|外访记录|同意记录|催收记录|recording|footage|body ?cam|camera|visit notes|consent records?|call records?",
    re.IGNORECASE,
)


def _retention(q: Question, eng: Engines, t: dict[str, Any]) -> Fact | None:
    """How long visit records are kept (the group rule, the same in every jurisdiction); a question
    proposing a shorter period ("只要存两年，两年就能删？") is told no."""
    years = eng.retention_years
    if years is None or not _VISIT_RECORDS.search(q.text):
        return None  # the rule is about visit records ("删除借款人数据" after an agency contract ends is another)
    asked = sorted(int(y) for y in quantities("years", q.text) if y.isdigit())
    shorter = next((y for y in asked if y < years), None)
    if shorter is not None:
        s = t["retention_shorter"].format(years=years, asked=t["year_one" if shorter == 1 else "year_many"].format(n=shorter))
    else:
        s = t["retention"].format(years=years)
    return Fact("retention", s, _RETENTION_CITATION, (str(years),), {"years": years, "allowed": shorter is None},
                anchors=(t["retention_anchor"],))


def _staffing(q: Question, eng: Engines, t: dict[str, Any]) -> Fact | None:
    if not eng.min_collectors:
        return None
    js = [q.jurisdiction] if q.jurisdiction in eng.min_collectors else list(eng.min_collectors)
    n = max(eng.min_collectors[j] for j in js)
    words = {2: "两", 3: "三"} if q.lang == "zh" else {2: "two", 3: "three"}
    count = words.get(n, str(n))
    alone = any(a in q.text.lower() for a in _ALONE)
    top = max((eng.max_collectors[j] for j in js if j in eng.max_collectors), default=None)
    if top is not None and _more_than(q.text, top):
        s = t["staffing_too_many"].format(n=count, most=words.get(top, str(top)))
        return Fact("staffing", s, _STAFFING_CITATION, (str(top),), {"min_collectors": n, "max_collectors": top})
    if alone:
        s = t["staffing_alone"].format(n=count)
    elif len(js) == 1 and q.jurisdiction:
        s = t["staffing_one"].format(n=count, place=t["places"][js[0]])
    else:
        s = t["staffing_all"].format(n=count)
    return Fact("staffing", s, _STAFFING_CITATION, (str(n),), {"min_collectors": n})


_COUNT_WORDS = {"four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
                "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_PEOPLE = re.compile(r"(\d+|four|five|six|seven|eight|nine|ten|[四五六七八九十])\s*(?:个人|个同事|名|位|人|of us|people|collectors|agents|staff)", re.IGNORECASE)
_MORE_PEOPLE = re.compile(r"多叫几个|多带几个|多带人|一帮人|壮声势|more people|extra people|more of us|the whole team|whole team", re.IGNORECASE)


def _more_than(text: str, most: int) -> bool:
    """Whether the question proposes sending more people than `most` ("four or five of us", "五个人",
    "多叫几个同事")."""
    for m in _PEOPLE.finditer(text):
        raw = m.group(1).lower()
        if (int(raw) if raw.isdigit() else _COUNT_WORDS.get(raw, 0)) > most:
            return True
    return bool(_MORE_PEOPLE.search(text))


def _visit_place(q: Question, eng: Engines, t: dict[str, Any]) -> Fact | None:
    if q.place not in _PLACE_CITATION:
        return None
    if q.place in ("hospital", "school"):
        s = t["place_never"].format(what=t["inappropriate"][q.place])
        return Fact("visit_place", s, _PLACE_CITATION[q.place], (), {"place": q.place})
    # The checker's context layer decides: a workplace visit without consent is a violation.
    ctx = VisitContext(jurisdiction=q.jurisdiction, location=q.place)  # type: ignore[arg-type]
    findings = [f for f in eng.checker.context_findings(ctx, q.lang) if f.category == "visit_place"]
    if not findings:
        return None
    return Fact("visit_place", t["place_no_consent"], _PLACE_CITATION[q.place], (), {"place": q.place, "rule": findings[0].rule_id})


_DISCOUNT = re.compile(r"discount|settle|write[- ]?off|waive|how much off|\d+\s*%|减免|打折|折扣|结清|和解|少还", re.IGNORECASE)


def _authority(q: Question, eng: Engines, t: dict[str, Any]) -> Fact | None:
    settles = "balance" in q.figures and "settlement" in q.figures  # "owes $10,000, offers $7,000": a discount asked
    if eng.plan_policy is None or not (settles or _DISCOUNT.search(q.text)):
        return None  # authority over other things (an interest freeze, a term) is not a discount
    products = eng.plan_policy.products
    product = q.product or "consumer_loan"
    j = q.jurisdiction or "CN"
    try:
        pol = products[product][j]
    except (KeyError, TypeError):
        return None
    auth = pol.settlement_authority
    shares = {r: _pct(getattr(auth, r) if not isinstance(auth, dict) else auth[r]) for r in ROLES}
    where = ""
    if q.jurisdiction:
        where = (f"（{t['places'][j]}）" if q.lang == "zh" else f" in {t['places'][j]}")
    if "balance" in q.figures and "settlement" in q.figures:
        return _settlement(q, t, auth, product, where)
    role = q.role if q.role in ("supervisor", "manager") else ("agent" if q.role == "agent" and _asks_own(q) else None)
    if role:
        s = t["authority_role"].format(
            role=t["roles"][role], pct=shares[role], product=t["products"][product], where=where, next=t["next_role"][role]
        )
        return Fact("discount_authority", s, _AUTHORITY_CITATION, (shares[role].rstrip("%"),), {"role": role, "product": product})
    s = t["authority_all"].format(product=t["products"][product], where=where, **shares)
    return Fact("discount_authority", s, _AUTHORITY_CITATION, tuple(v.rstrip("%") for v in shares.values()), {"product": product})


def _settlement(q: Question, t: dict[str, Any], auth: Any, product: str, where: str) -> Fact:
    """The discount a proposed settlement ("£12,000 left, settle at £10,500") asks for, and the
    lowest role whose authority covers it (plan policy §4.1)."""
    balance, settle = q.figures["balance"], q.figures["settlement"]
    share = (balance - settle) / balance
    limits = {r: Decimal(str(getattr(auth, r) if not isinstance(auth, dict) else auth[r])) for r in ROLES}
    who = next((r for r in ROLES if share <= limits[r]), None)
    cur = _money_prefix(assumed_country(q))
    pct = f"{(share * 100).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP).normalize():f}%"
    head = t["settlement"].format(balance=f"{cur}{balance:,.2f}", settle=f"{cur}{settle:,.2f}", pct=pct, product=t["products"][product], where=where)
    if who == "agent":
        tail = t["settlement_agent"].format(agent=_pct(limits["agent"]))
    elif who is not None:
        approver = t["next_role"][ROLES[ROLES.index(who) - 1]]  # "a supervisor": the role above the one before `who`
        tail = t["settlement_above"].format(agent=_pct(limits["agent"]), role=approver, limit=_pct(limits[who]))
    else:
        tail = t["settlement_committee"].format(manager=_pct(limits["manager"]))
    return Fact("discount_authority", f"{head}{tail}", _AUTHORITY_CITATION, (pct.rstrip("%"),), {"product": product, "share": str(share), "role": who})


def _token_payment(q: Question, eng: Engines, t: dict[str, Any], asked: bool = True) -> Fact | None:
    """The monthly token payment offered on the product in the country when no affordable plan fits
    (`plan_policy.yaml`); without a country named, China's for a Chinese question, else each country's.
    `asked=False`: given after an affordability figure that fits no plan, whatever the question asked."""
    if eng.plan_policy is None:
        return None
    if asked and set(q.asks) - {"amount"} and not _TOKEN.search(q.text):
        return None  # "催收要先停多久？" asks how long the pause is, not what to offer
    product = q.product or "consumer_loan"
    j = assumed_country(q)
    try:
        blocks = eng.plan_policy.products[product]
        amounts = {c: f"{blocks[c].currency} {blocks[c].token_payment:,.2f}" for c in (["CN", "US", "UK"] if j is None else [j])}
    except (KeyError, TypeError, AttributeError):
        return None
    if j is not None:
        s = t["token_one"].format(amount=amounts[j], product=t["products"][product], place=t["places"][j])
    else:
        s = t["token_all"].format(product=t["products"][product], **amounts)
    return Fact("token_payment", s, _TOKEN_CITATION, tuple(a.split(" ")[1] for a in amounts.values()), {"product": product})


#: The plan options whose limits the plan policy fixes per product and country (policy §3), by the
#: words agents use for them.
_PLAN_OPTIONS: dict[str, re.Pattern[str]] = {
    "reduced_payment": re.compile(r"reduced[- ](?:payment|instalment)s?|pay less for a while|减额还款|减额|降低月供", re.IGNORECASE),
    "interest_freeze": re.compile(r"interest freeze|freez\w* (?:the |his |her )?interest|stop\w* (?:the )?interest|停息|停止计息", re.IGNORECASE),
    "fee_freeze": re.compile(r"fee freeze|freez\w* (?:the |his |her )?(?:late )?fees|stop\w* (?:the )?(?:late )?fees|停收费用|免费用|免罚息|停收罚息", re.IGNORECASE),
    "term_extension": re.compile(r"term extension|extend\w* (?:the |his |her )?(?:loan|term)|延长期限|延长还款期|展期", re.IGNORECASE),
    "settlement_instalments": re.compile(
        r"settle\w*\b.{0,30}\b(?:instalments|installments)\b|\b(?:instalments|installments)\b.{0,30}\bsettle|分几期结清|分期结清|和解.{0,4}分几期", re.IGNORECASE
    ),
}
#: A question after an option's limit: how long, how many, up to what, who may grant it.
_ASKS_LIMIT = re.compile(r"最长|最多|多久|几个月|几期|谁能批|谁批|谁可以批|longest|at most|how long|how many|maximum|max\b|who (?:can|may) (?:approve|grant|agree)", re.IGNORECASE)


def _plan_option(q: Question) -> str | None:
    """The plan option a question asks the limit of ("英国消费贷客户，减额还款最长能给几个月？"), if any."""
    if not _ASKS_LIMIT.search(q.text):
        return None
    return next((name for name, pattern in _PLAN_OPTIONS.items() if pattern.search(q.text)), None)


def _plan_limit(q: Question, eng: Engines, t: dict[str, Any], option: str) -> Fact | None:
    """The limits of one plan option on the product in the country (`plan_policy.yaml`, policy §3):
    for a question naming no country, China's for a Chinese question, else each country's."""
    if eng.plan_policy is None:
        return None
    product = q.product or "consumer_loan"
    j = assumed_country(q)
    countries = [j] if j else list(JURISDICTIONS)
    try:
        blocks = {c: eng.plan_policy.products[product][c] for c in countries}
    except (KeyError, TypeError):
        return None
    where = (f"（{t['places'][j]}）" if q.lang == "zh" else f" in {t['places'][j]}") if j else ""  # (China's, said so, when assumed)

    def each(value: Any) -> str:
        """One figure, or one per country when they differ ("6 (China), 6 (the US), 12 (the UK)")."""
        values = {c: value(b) for c, b in blocks.items()}
        if len(set(values.values())) == 1:
            return str(next(iter(values.values())))
        return ", ".join(t["limit_per_country"].format(value=v, place=t["places"][c]) for c, v in values.items())

    first = next(iter(blocks.values()))
    names = {"product": t["products"][product], "where": where}
    freeze = getattr(first, option) if option in ("interest_freeze", "fee_freeze") else None
    if (option in ("reduced_payment", "term_extension") and option not in first.hardship_options) or (freeze is not None and not freeze.allowed):
        return Fact("plan_limit", t["limit_not_offered"].format(option=t["plan_options"][option], **names), _option_citation(first, option))
    if freeze is not None:
        s = t[f"limit_{option}"].format(
            months=each(lambda b: getattr(b, option).max_months), role=each(lambda b: t["role_names"][getattr(b, option).approval]), **names
        )
    elif option == "reduced_payment":
        s = t["limit_reduced_payment"].format(months=each(lambda b: b.reduced_payment_max_months), review=each(lambda b: b.reduced_payment_review_months), **names)
    elif option == "term_extension":
        s = t["limit_term_extension"].format(months=each(lambda b: b.max_extension_months), term=each(lambda b: b.max_term_months), **names)
    else:
        s = t["limit_settlement_instalments"].format(n=each(lambda b: b.settlement_max_instalments), **names)
    figures = tuple(re.findall(r"\d+", s))
    return Fact("plan_limit", s, _option_citation(first, option), figures, {"option": option, "product": product})


def _option_citation(block: Any, option: str) -> str:
    key = {"fee_freeze": "interest_freeze", "settlement_instalments": "settlement"}.get(option, option)
    return block.citations.get(key, _AUTHORITY_CITATION)


def assumed_country(q: Question) -> str | None:
    """The country a computed answer is for: the one named, else China for a Chinese question."""
    return q.jurisdiction or ("CN" if q.lang == "zh" else None)


def _joiner(q: Question) -> str:
    """Between two computed sentences: a space in English, nothing after a Chinese full stop."""
    return "" if q.lang == "zh" else " "


def _asks_own(q: Question) -> bool:
    return bool(re.search(r"\b(?:i|me|agents?|collectors?)\b|我|外访专员|催收员", q.text, re.IGNORECASE))


def _money_prefix(j: str | None) -> str:
    """"GBP " for a UK figure; nothing when the country (and so the currency) is not known."""
    return f"{CURRENCY[j]} " if j in CURRENCY else ""


def _monthly_income(q: Question, t: dict[str, Any]) -> Fact | None:
    """A weekly or fortnightly income as the monthly figure the assessment takes (plan policy §2.1:
    × 52 ÷ 12, × 26 ÷ 12; `understand.mentioned_figures` converts it)."""
    weeks = q.figures.get("income_weeks")
    if weeks is None or "income_per_period" not in q.figures:
        return None
    period, rule = t["monthly_periods"][int(weeks)]
    cur = _money_prefix(assumed_country(q))
    monthly = f"{cur}{q.figures['income']:,.2f}"
    s = t["monthly_income"].format(per=f"{cur}{q.figures['income_per_period']:,.2f}", period=period, monthly=monthly, rule=rule)
    return Fact("monthly_income", s, _INCOME_CITATION, (str(q.figures["income"]),), {"monthly_income": str(q.figures["income"])},
                anchors=("52", "26"))


def _catch_up(q: Question, eng: Engines, t: dict[str, Any]) -> Fact | None:
    """The catch-up for a contractual instalment C, arrears R and affordable instalment A the question
    gives ("合同月供 300，逾期 2000，可负担月供 650，分几个月补齐？"): the smallest n with C + R ÷ n ≤ A
    (policy §3.1), and the instalment it makes. A credit card's n is capped by its
    `max_extension_months`; another product's by its remaining term, which the question rarely gives."""
    try:
        c, r, a = (q.figures[k] for k in ("contractual", "arrears", "affordable"))
    except KeyError:
        return None
    if eng.plan_policy is None or c <= 0 or r <= 0:
        return None
    j = assumed_country(q)
    product = q.product or "consumer_loan"
    cur = f"{CURRENCY[j]} " if j else ""
    most = 600  # months: no term given, so only the formula bounds n
    if product == "credit_card" and j:
        most = product_policy(eng.plan_policy, product, j).max_extension_months
    n = catch_up_months(c, r, a, most)
    names = {"contractual": f"{cur}{c:,.2f}", "arrears": f"{cur}{r:,.2f}", "affordable": f"{cur}{a:,.2f}"}
    if n is None:
        return Fact("catch_up", t["catch_up_none"].format(**names), _CATCH_UP_CITATION, (str(c), str(a)), {"fits": False})
    monthly = (c + r / n).quantize(Decimal("0.01"))
    s = t["catch_up"].format(n=n, monthly=f"{cur}{monthly:,.2f}", **names)
    # the rule quoted after it is the formula ("C + R ÷ n"), not the policy's worked example
    return Fact("catch_up", s, _CATCH_UP_CITATION, (str(n), str(monthly)), {"months": n, "instalment": str(monthly), "fits": True}, anchors=("R ÷ n",))


def _affordability(q: Question, eng: Engines, t: dict[str, Any], settings: Settings) -> Fact | None:
    """The affordable instalment for the figures the question gives, or for the case it names by id
    ("Run the numbers on UK-001": the case file's income, expenses and other debts)."""
    given = q.figures.get("disposable")
    from_case = q.case_id is not None and given is None and not ("income" in q.figures and "expenses" in q.figures)
    if eng.plan_policy is None or (given is None and not from_case and ("income" not in q.figures or "expenses" not in q.figures)):
        return None
    j = assumed_country(q)
    if j is None and not from_case:
        return None
    product = q.product or "consumer_loan"
    try:
        if from_case:
            inputs = inputs_from_case(load_case(Path(settings.knowledge_dir), str(q.case_id)), dt.date.today())
        else:
            income = q.figures["income"] if given is None else given
            expenses = q.figures["expenses"] if given is None else Decimal("0")
            contractual = q.figures.get("contractual", Decimal("0.01"))  # C only sets the segment
            inputs = PlanInputs(
                j, product, Decimal("1000000"), Decimal("0"), contractual, 12,  # type: ignore[arg-type]
                income, expenses, Decimal("0") if given is not None else q.figures.get("other_debt", Decimal("0")),
            )
        a = assess(inputs, eng.plan_policy)
    except Exception as exc:  # noqa: BLE001 - a figure the calculator rejects is no computed answer
        log.info("affordability not computed: %s", exc)
        return None
    cur = f"{a.currency} "
    expenses = a.expenses + a.other_debt_service  # what leaves the budget before an instalment
    money = {k: f"{cur}{v:,.2f}" for k, v in (("income", a.income), ("expenses", expenses), ("disposable", a.disposable_income), ("amount", a.affordable))}
    if given is not None:
        s = t["affordable_given"].format(cap=_pct(a.affordability_cap), disposable=money["disposable"], amount=money["amount"],
                                         minimum=f"{cur}{a.min_instalment:,.2f}")
        if a.affordable < a.min_instalment:
            s += _joiner(q) + t["below_minimum"].format(minimum=f"{cur}{a.min_instalment:,.2f}")
    elif a.disposable_income <= 0:
        s = t["affordable_none"].format(**money)
    else:
        s = t["affordable"].format(cap=_pct(a.affordability_cap), **money)
    if ("contractual" in q.figures and not from_case) or (from_case and a.contractual_instalment > 0):
        # the segment (policy §2.4) says which options come first: a case file holds its contractual instalment
        s += _joiner(q) + t[f"segment_{a.ability}"].format(contractual=f"{cur}{a.contractual_instalment:,.2f}")
    if from_case:
        s = f"{q.case_id}{'：' if q.lang == 'zh' else ': '}{s}"
    fits = a.disposable_income > 0 and a.affordable >= a.min_instalment
    figures = (str(a.affordable), *([str(a.contractual_instalment)] if "contractual" in q.figures or from_case else []))
    return Fact("affordability", s, _AFFORDABLE_CITATION, figures, {"affordable": str(a.affordable), "fits": fits, "ability": a.ability})

