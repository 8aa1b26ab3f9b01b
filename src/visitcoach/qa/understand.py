"""Question understanding: a small typed step before retrieval.

`understand` reads, without a model, what an agent's question is about: its language, the
jurisdiction it names (or the one chosen in the UI), a case id, the topic concepts of the
vocabulary, and the time, place, role, product and figures it mentions, which the computed answers
need. Nothing here ranks or answers; it only describes the question.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, Literal

from visitcoach.corpus.concepts import ConceptMatch, Vocabulary
from visitcoach.qa.types import Lang
from visitcoach.retrieval.jurisdiction import infer_jurisdiction, names_elsewhere, without_place
from visitcoach.text import detect_lang

JurisdictionSource = Literal["selected", "named", "none"]
AnswerKind = Literal["duration", "count", "amount", "who", "clock", "limit"]
Place = Literal["home", "workplace", "hospital", "school", "public"]

_US_STATES = (
    "alabama|alaska|arizona|arkansas|california|colorado|connecticut|delaware|florida|georgia|hawaii|idaho|illinois|"
    "indiana|iowa|kansas|kentucky|louisiana|maine|maryland|massachusetts|michigan|minnesota|mississippi|missouri|"
    "montana|nebraska|nevada|new hampshire|new jersey|new mexico|new york|north carolina|north dakota|ohio|oklahoma|"
    "oregon|pennsylvania|rhode island|south carolina|south dakota|tennessee|texas|utah|vermont|virginia|washington state|"
    "west virginia|wisconsin|wyoming"
)
_ZH_STATES = "纽约市|得克萨斯州|德克萨斯州|得州|加州|加利福尼亚州|纽约州|佛罗里达州|伊利诺伊州|宾夕法尼亚州|华盛顿州|亚利桑那州|[\u4e00-\u9fff]{2,4}州法"
#: A question about one US state's own law ("Texas state law", "California's Rosenthal Act", "under the
#: state rules", "纽约州…规定").
_STATE_LAW = re.compile(
    rf"\b(?:{_US_STATES})\b(?:'s)?[^.?!]{{0,40}}\b(?:law|laws|act|statute|code|rules?|regulations?)\b"
    rf"|\b(?:law|laws|act|statute|rules?)\b[^.?!]{{0,20}}\b(?:in|of) (?:{_US_STATES})\b|\bstate(?:'s own)? (?:laws?|rules?|regulations?|statutes?)\b"
    rf"|(?:{_ZH_STATES}).{{0,20}}(?:法|规定|条例)",
    re.IGNORECASE,
)
_CASE_ID = re.compile(r"\b(CN|US|UK)[-\s]?(\d{3})\b", re.IGNORECASE)
_ABOUT_CASE = re.compile(
    r"\b(?:which|what|a|any|the|this|that|my|our|us|uk|cn|chinese|british|american)\s+(?:\w+\s+)?cases?\b"
    r"|\bcase\s+(?:file|note)s?\b|案例|案件|这个客户的情况",
    re.IGNORECASE,
)

#: How a question asks for each kind of answer; a sentence that states one is found by `compose`.
_ASKS: tuple[tuple[AnswerKind, re.Pattern[str]], ...] = (
    (
        "duration",
        re.compile(
            r"多久|多长时间|多长|几天|几个月|几年|几个工作日|多少天|多少个工作日|期限是|\bhow long\b|\bhow soon\b|\bby when\b"
            r"|\bhow much (?:advance )?(?:notice|time|warning|lead time)\b"
            r"|\bhow many (?:days|hours|weeks|months|years|working days|business days)\b|\bwithin what\b"
            r"|(?:^|\bwhat(?:'s| is| are) the )(?:\w+ ){0,3}(?:limitation|prescription) periods?\b|时效(?:是|有)?多",
            re.IGNORECASE,
        ),
    ),
    (
        "count",
        re.compile(
            r"几个人|几人|几名|几位|多少人|多少名|几次|多少次|\bhow many (?:\w+ )?(?:people|collectors?|agents?|staff|visits?|attempts?|times|of us)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "amount",
        re.compile(
            r"多少钱|罚多少|多少元|罚款多少|上限是多少|比例是多少|多少比例|百分之几|最高(?:分别)?罚|\bhow much\b(?! (?:advance )?(?:notice|time|warning|lead time)\b)"
            r"|\bwhat(?:'s| is| are)? (?:the )?(?:\w+ ){0,3}(?:percentage|percent|rate|fine|cap|amount|commission|allowance|salary|bonus|fee|target|quota|threshold)s?\b"
            r"|\b(?:max|maximum|highest|biggest)\b (?:\w+ ){0,2}(?:penalt(?:y|ies)|fines?)\b|\bwhat %"
            r"|\bhow (?:big|large|high|steep) (?:a |an |is the |are the |would the )?(?:fine|penalty|penalties|fee|discount|bonus)s?\b"
            r"|\bmaximum (?:fine|penalty)\b|率是多少|率有多少|多少提成|提成是多少|(?:补贴|报销|工资|底薪|奖金)(?:是)?多少",
            re.IGNORECASE,
        ),
    ),
    ("who", re.compile(r"谁|哪个部门|哪位|哪个团队|\bwho\b|\bwhom\b|\bwhich (?:team|department|person|role)\b", re.IGNORECASE)),
    # an upper bound ("最多能去几个人" asks the cap, not the minimum the staffing rule computes; a
    # "maximum fine" or "上限是多少" is an amount, asked above)
    ("limit", re.compile(r"最多|至多|不超过|\bat most\b|\bthe most\b|\bhow many can\b|\bup to how many\b", re.IGNORECASE)),
    (
        "clock",
        re.compile(
            r"几点|什么时间段|哪些时间|什么时候(?:可以|能)?(?:去|上门|外访|拜访)|\bwhat time\b|\bwhat hours\b|\bwhich hours\b|visiting hours"
            r"|\bwhen (?:may|can|should|could|are) (?:i|we|agents?|collectors?)\b(?= (?:visit|go|call|knock|turn up))",
            re.IGNORECASE,
        ),
    ),
)


def asked_kinds(text: str) -> tuple[AnswerKind, ...]:
    """The kinds of answer a question asks for, in order, once per asking."""
    found = [(m.start(), kind) for kind, pattern in _ASKS for m in pattern.finditer(text)]
    return tuple(kind for _, kind in sorted(found))


#: A sentence that states an answer of the kind the question asks for ("多久" → "24 小时内").
_STATES: dict[AnswerKind, re.Pattern[str]] = {
    "duration": re.compile(
        r"(?<![\d.])(?:\d{1,3}|[一二两三四五六七八九十百]+)\s*(?:个)?(?:小时|天|工作日|周|星期|月|年)(?!\d)"
        r"|\b(?:\d{1,3}|one|two|three|four|five|six|seven|ten|fourteen|thirty|sixty|ninety)[- ]"
        r"(?:hours?|days?|working days?|business days?|weeks?|months?|years?)\b",
        re.IGNORECASE,
    ),
    "count": re.compile(
        r"(?:\d{1,2}|[一二两三四五六七八九十])\s*(?:名|人|位|次)|\b(?:at least|no more than|at most|up to)\s+(?:one|two|three|four|\d+)\b"
        r"|\b(?:one|two|three|four|\d{1,2})\s+(?:collectors?|agents?|people|staff|persons?|visits?|attempts?|times)\b",
        re.IGNORECASE,
    ),
    "amount": re.compile(r"[¥£$€]\s?\d|\d[\d,.]*\s*(?:元|万元|万|亿元|%|％)|百分之|[一二三四五六七八九十百千]+万元|\b\d+(?:\.\d+)?\s*(?:percent|per cent)\b", re.IGNORECASE),
    "who": re.compile(r"负责人|主管|经理|组长|团队|小组|部门|合规|\b(?:team|officer|manager|supervisor|lead|DPO|specialist|department)\b", re.IGNORECASE),
    "clock": re.compile(r"\d{1,2}[:：]\d{2}|\d{1,2}\s*点|\b\d{1,2}\s*(?:am|pm)\b", re.IGNORECASE),
    "limit": re.compile(r"不得超过|不超过|最多|至多|上限|\b(?:no more than|not more than|at most|up to|maximum|a cap of|capped at)\b", re.IGNORECASE),
}

def stated_kinds(text: str) -> set[AnswerKind]:
    return {kind for kind, pattern in _STATES.items() if pattern.search(text)}


_ZH_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_ZH_NUM = r"[零一二两三四五六七八九十]{1,3}|\d{1,2}"
_ZH_TIME = re.compile(
    rf"(?P<part>凌晨|早上|早晨|上午|中午|下午|傍晚|晚上|夜里|深夜|半夜)?\s*(?P<h>{_ZH_NUM})\s*(?:点|时)"
    rf"(?:\s*(?P<half>半)|\s*(?P<m>{_ZH_NUM}|\d{{2}})\s*分?)?"
)
_CLOCK = re.compile(r"(?<![\d.])(?P<h>[01]?\d|2[0-3])[:：.](?P<m>[0-5]\d)(?:\s*(?P<ap>a\.?m\.?|p\.?m\.?))?(?![\d])", re.IGNORECASE)
_AMPM = re.compile(r"(?<![\d:.])(?P<h>1[0-2]|0?[1-9])\s*(?P<ap>a\.?m\.?|p\.?m\.?|o'clock)(?![a-z])", re.IGNORECASE)
_EN_PART = re.compile(r"\b(?P<part>in the (?:morning|evening|afternoon)|at night|tonight)\b", re.IGNORECASE)

_PLACES: tuple[tuple[Place, re.Pattern[str]], ...] = (
    ("hospital", re.compile(r"\b(?:hospital|clinic|hospice|care home|ward)s?\b|医院|病房|诊所|住院", re.IGNORECASE)),
    ("school", re.compile(r"\b(?:school|kindergarten|nursery)s?\b|学校|幼儿园", re.IGNORECASE)),
    (
        "workplace",
        re.compile(
            r"\b(?:work|workplace|office|job|employer|factory|shop floor|site|his work|her work)\b|单位|公司|上班的地方|工作单位|工作地点|工厂|厂里|店里",
            re.IGNORECASE,
        ),
    ),
    ("public", re.compile(r"\b(?:street|park|cafe|café|restaurant|in public)\b|街上|公园|咖啡馆|餐厅|公共场所", re.IGNORECASE)),
    ("home", re.compile(r"\b(?:home|house|flat|apartment|his place|her place|doorstep)\b|家里|他家|她家|住处|住所|家门口|小区", re.IGNORECASE)),
)
_ROLES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("manager", re.compile(r"\bmanagers?\b|经理", re.IGNORECASE)),
    ("supervisor", re.compile(r"\b(?:supervisors?|team leaders?|team lead)\b|主管|组长", re.IGNORECASE)),
    ("agent", re.compile(r"\b(?:agents?|collectors?|field agents?|i|me)\b|外访专员|催收员|我", re.IGNORECASE)),
)
_PRODUCTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("credit_card", re.compile(r"credit[- ]?cards?|\bcard (?:balance|debt|account)s?\b|信用卡", re.IGNORECASE)),
    ("sme_loan", re.compile(r"\bsme\b|business loans?|small business|经营贷|小微|企业贷", re.IGNORECASE)),
    ("auto_loan", re.compile(r"\b(?:auto|car|vehicle) (?:loan|finance)s?\b|车贷|汽车贷", re.IGNORECASE)),
    ("consumer_loan", re.compile(r"personal loans?|consumer loans?|消费贷|个人贷款|信用贷", re.IGNORECASE)),
)
_AMOUNT = r"(?:[£$¥]|rmb|cny|usd|gbp)?\s*(?P<n>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(?P<k>k|千|万)?\s*(?:元|块|pounds?|dollars?|quid)?"
_INCOME = re.compile(rf"(?<!disposable )(?<!可支配)(?:earns?|earning|income(?: is| of)?|take-home(?: pay)?(?: is| of)?|takes? home|makes?|salary(?: is)?|(?:is |gets? )?paid|pay(?: is)?|brings? in|收入|工资|周薪|月入|挣|到手)\s*(?:[，,]\s*(?:每次|一次)|each time|every time)?\s*(?:of|is|about|around|大概|约|是|有)?\s*{_AMOUNT}", re.IGNORECASE)
#: A pay period named right after (or, in Chinese, before) an income figure: weeks per period.
_PER_WEEK = re.compile(r"^\s*(?:a|per|each|every|/)\s*week|^\s*weekly|^\s*(?:a|per|each|every|/)\s*fortnight|^\s*fortnightly|^\s*(?:every|each) (?:two|2) weeks|^\s*(?:每|一)周|^\s*每两周", re.IGNORECASE)
_WEEK_BEFORE = re.compile(r"每两周|两周|每周|一周|周薪")
_EXPENSES = re.compile(
    rf"(?:spends?|expenses?(?: are| of)?|essentials?(?: are| of)?|outgoings?(?: are| of)?|costs?(?: are)?|支出|开支|花销|花费|生活费)\s*(?:of|are|is|about|around|大概|约|是|要)?\s*{_AMOUNT}",
    re.IGNORECASE,
)

_OTHER_DEBT = re.compile(
    rf"(?:other (?:debt|loan) (?:payments?|repayments?)|other debts?|another loan(?: payment)?|另一笔贷款(?:月供)?|其他贷款(?:月供)?|其他借款(?:月供)?|别的贷款(?:月供)?)\s*(?:of|are|is|about|大概|约|是|要)?\s*{_AMOUNT}",
    re.IGNORECASE,
)

#: A balance ("£12,000 left", "owes $8,000", "余额 5 万", "还欠 20000") and what a settlement would take
#: ("settle at £10,500", "pay $6,000 to close it", "一次性还 4 万结清").
_BALANCE = (
    re.compile(rf"(?:balance(?: of| is)?|owes?|owing|outstanding(?: of)?|余额|欠款|还欠|欠了|欠|剩)\s*(?:of|is|about|around|大概|约|是|有)?\s*{_AMOUNT}", re.IGNORECASE),
    re.compile(rf"{_AMOUNT}\s*(?:left|outstanding|owed|owing|balance)", re.IGNORECASE),
)
_SETTLE = re.compile(
    rf"(?:settle(?:s|d)?(?: it| the (?:debt|account|balance))?(?: at| for| with)?|pay(?:s|ing)? off (?:for|at|with)|full and final (?:of|at|for)?|"
    rf"一次性(?:还|付|出|拿出|给|结清)?|结清价|和解价)\s*(?:of|at|for|about|大概|约|是)?\s*{_AMOUNT}(?=\s*(?:结清|和解|了结|to (?:settle|close)|in full|and close|,|，|\.|。|\?|？|$))"
    # a bare 还 is a settlement only when what follows closes the account ("还15000了结"), never "每月还300"
    rf"|(?<!每月)(?<!每期)(?<!月)还\s*(?:大概|约)?\s*(?P<n2>\d{{1,3}}(?:,\d{{3}})+|\d+)\s*(?P<k2>千|万)?\s*(?:元|块)?\s*(?=结清|和解|了结)",
    re.IGNORECASE,
)

#: Settlement offers said another way: "offers $600 to settle", "a $7,000 lump sum", "settlement offer of £900".
_SETTLE_MORE = (
    re.compile(rf"offer(?:s|ed|ing)?\s+(?:to pay\s+)?{_AMOUNT}(?=\s*(?:as a |in a |in one )?(?:lump sum|one-off|to (?:settle|close|clear)|in full))", re.IGNORECASE),
    re.compile(rf"{_AMOUNT}\s*(?:lump sum|one-off payment|in one go)", re.IGNORECASE),
    re.compile(rf"settlement offer (?:of\s*)?{_AMOUNT}", re.IGNORECASE),
)
#: A settlement asked as a share of the balance: "打八折", "七五折结清", "8折", "20% off", "a 30% discount".
_ZH_ZHE = re.compile(r"(?P<z>[一二三四五六七八九]{1,2}|\d{1,2}(?:\.\d)?)\s*折")
_PCT_OFF = re.compile(r"(?P<p>\d{1,2}(?:\.\d+)?)\s*%\s*(?:off|discount)|(?:discount|减免|减)\s*(?:of\s*)?(?P<p2>\d{1,2}(?:\.\d+)?)\s*%", re.IGNORECASE)


def _settlement_share(text: str) -> Decimal | None:
    """The share of the balance a settlement would pay, from "打八折" (0.8), "七五折" (0.75), "20% off" (0.8)."""
    if m := _ZH_ZHE.search(text):
        z = m.group("z")
        if z[0].isdigit():
            value = Decimal(z)
            share = value / 10 if value < 10 else value / 100
        else:
            digits = [_zh_number(c) for c in z]
            share = Decimal(digits[0]) / 10 + (Decimal(digits[1]) / 100 if len(digits) > 1 else 0)
        return share if 0 < share < 1 else None
    if m := _PCT_OFF.search(text):
        off = Decimal(m.group("p") or m.group("p2")) / 100
        return 1 - off if 0 < off < 1 else None
    return None


#: The contractual instalment C ("contract payment $500", "合同月供 300"), against which A sets the segment.
_CONTRACTUAL = re.compile(
    rf"(?:contract(?:ual)? (?:monthly )?(?:payment|instalment|installment|repayment)s?(?: is| of)?|合同月供|合同约定的?月供|原月供|原来每月还)"
    rf"\s*(?:of|is|about|大概|约|是|为)?\s*{_AMOUNT}",
    re.IGNORECASE,
)
#: Arrears and an affordable instalment already worked out ("逾期 2000，可负担月供算出来是 650",
#: "arrears are 600 and A comes to 650"): with the contractual instalment, the catch-up of policy §3.1.
_ARREARS = re.compile(
    rf"(?:arrears(?: are| of| is| total)?|overdue amount(?: is| of)?|逾期(?:款|金额)?(?:共|一共)?|拖欠(?:了)?)\s*(?:of|are|is|about|大概|约|是|为|有|才)?\s*{_AMOUNT}(?!\s*(?:个月|天|期|次|年|days?|months?|weeks?))",
    re.IGNORECASE,
)
_AFFORDABLE = re.compile(
    rf"(?:affordable (?:instalment|installment|payment|amount|monthly)|可负担(?:的)?(?:月供|金额|还款额)|\bA\s*=)"
    rf"(?:\s*(?:is|of|works out(?: at| to)?|comes (?:to|out at)|about|是|为|算出来是?|算下来是?|大概|约))*\s*{_AMOUNT}",
    re.IGNORECASE,
)
#: "disposable income works out $400", "可支配收入算下来1600": the words agents put between the two.
_DISPOSABLE_FILLER = r"(?:\s*(?:is|of|works out(?: at| to)?|comes (?:to|out at)|about|around|roughly|only|just|a month|per month|monthly|是|为|只有|有|算下来|算出来|大概|约|差不多|才|就|每月|每个月))*"
_DISPOSABLE = re.compile(rf"(?:disposable income|可支配收入){_DISPOSABLE_FILLER}\s*{_AMOUNT}", re.IGNORECASE)


@dataclass(frozen=True)
class Question:
    """A question as understood. `text` is what was asked; `query` what retrieval searches."""

    text: str
    query: str
    lang: Lang
    jurisdiction: str | None = None
    jurisdiction_source: JurisdictionSource = "none"
    elsewhere: bool = False
    case_id: str | None = None
    about_case: bool = False
    concepts: tuple[ConceptMatch, ...] = ()
    #: The set flags and preferences of the case the question names ("consent_to_time", …).
    case_flags: frozenset[str] = frozenset()
    time: dt.time | None = None
    #: How long the question says a visit takes ("usually takes 30 min", "一般要聊半小时"), in minutes.
    visit_minutes: int | None = None
    place: Place | None = None
    role: str | None = None
    product: str | None = None
    figures: dict[str, Decimal] = field(default_factory=dict)
    #: The US state whose own law the question asks about (the pack carries federal law only).
    state_law: str | None = None
    #: What kinds of answer it asks for, once per asking ("多久上传，保存多长时间" → duration twice).
    asks: tuple[AnswerKind, ...] = ()
    #: The questions of a message that asks more than one ("…多长时间内上报？报给谁？"), in order;
    #: empty when it asks one.
    parts: tuple[str, ...] = ()
    #: The thing a figure question asks the figure of ("commission" in "what commission rate …",
    #: "回款率" in "回款率是多少"), when it names one.
    figure_of: tuple[str, ...] = ()
    #: How close each quotable sentence of the pack comes to the question's meaning (text -> [0, 1],
    #: `qa.meaning.Closeness`), set once sections are ranked; None without a local embedding model.
    closeness: Any = field(default=None, compare=False, repr=False)

    @property
    def topic(self) -> str | None:
        return self.concepts[0].id if self.concepts else None

    def with_(self, **changes: Any) -> Question:
        return replace(self, **changes)

    def as_dict(self) -> dict[str, Any]:
        return {
            "lang": self.lang,
            "jurisdiction": self.jurisdiction,
            "jurisdiction_source": self.jurisdiction_source,
            "case_id": self.case_id,
            "topics": [c.id for c in self.concepts],
            "time": self.time.strftime("%H:%M") if self.time else None,
            "place": self.place,
            "role": self.role,
            "product": self.product,
            "figures": {k: str(v) for k, v in self.figures.items()},
            "asks": list(self.asks),
            "query": self.query,
        }


def question_lang(question: str, lang: str | None = None) -> Lang:
    if lang in ("zh", "en"):
        return lang  # type: ignore[return-value]
    return "zh" if detect_lang(question) == "zh" else "en"


def named_jurisdiction(text: str, vocabulary: Vocabulary) -> str | None:
    """The one jurisdiction the text names (countries, regulators, laws, currencies, places), or None."""
    found = vocabulary.jurisdictions_named(text)
    inferred = infer_jurisdiction(text)
    if inferred:
        found.add(inferred)
    if re.search(r"£|\bgbp\b|\bpounds?\b|\bquid\b", text, re.IGNORECASE):
        found.add("UK")
    return found.pop() if len(found) == 1 else None


def understand(
    question: str, vocabulary: Vocabulary, *, jurisdiction: str | None = None, lang: str | None = None
) -> Question:
    text = question.strip()
    qlang = question_lang(text, lang)
    named = named_jurisdiction(text, vocabulary)
    chosen = jurisdiction.upper() if jurisdiction and jurisdiction.upper() in ("CN", "US", "UK") else None
    case = _CASE_ID.search(text)
    case_id = f"{case.group(1).upper()}-{case.group(2)}" if case else None
    if case_id and not (chosen or named):
        named = case_id[:2]  # a case id names its jurisdiction ("UK-004")
    source: JurisdictionSource = "selected" if chosen else ("named" if named else "none")
    elsewhere = not (chosen or named) and (names_elsewhere(text) or vocabulary.names_elsewhere(text))
    concepts = vocabulary.match(text)
    time = mentioned_time(text)
    if time is not None:
        # "can we go at 7:30 am?" is a question about visit hours whatever words it uses
        hours = next((c for c in vocabulary.spec.concepts if c.compute == "visit_time"), None)
        if hours is not None and hours.id not in [m.id for m in concepts[:1]]:
            top = concepts[0].score if concepts else 1.0
            concepts = [ConceptMatch(hours, top + 0.5, ("(a clock time)",)), *[m for m in concepts if m.id != hours.id]]
    return Question(
        text=text,
        query=text,
        lang=qlang,
        jurisdiction=chosen or named,
        jurisdiction_source=source,
        elsewhere=elsewhere,
        case_id=case_id,
        about_case=bool(case_id or _ABOUT_CASE.search(text)),
        concepts=tuple(concepts),
        time=time,
        visit_minutes=visit_length(text) if time is not None else None,
        place=mentioned_place(text),
        role=_first(_ROLES, text),
        product=_first(_PRODUCTS, text),
        figures=mentioned_figures(text),
        state_law=m.group(0) if (m := _STATE_LAW.search(text)) else None,
        asks=asked_kinds(text),
        parts=question_parts(text),
        figure_of=figure_subject(text),
    )


_FIGURE_OF_EN = re.compile(
    r"\bwhat(?:'s| is| are)? (?:the )?((?:[a-z]+ ){0,2})(percentage|percent|rate|fine|cap|amount|commission|allowance|salary|bonus|fee)s?\b",
    re.IGNORECASE,
)
_FIGURE_OF_ZH = re.compile(r"([\u4e00-\u9fff]*?(?:率|比例|提成|补贴|报销|工资|底薪|奖金))(?:是|有)?多少")
#: A head count of people or firms ("有多少名外访人员", "几位督导", "多少家委外机构"): what is counted.
_HEADCOUNT_ZH = re.compile(r"(?:多少|几)(?:名|位|家)([\u4e00-\u9fff]{2,8}?)(?=[？?，,。！!\s]|$|吗|呢|在|是|负责|可以)")
#: Words that say a figure is asked without saying of what.
_FIGURE_WORDS = frozenset("percentage percent rate amount the a an daily monthly".split())


def figure_subject(text: str) -> tuple[str, ...]:
    """What a figure question asks the figure of ("what commission rate …" → commission, "what
    travel allowance …" → allowance, "回款率是多少" → 回款率), or () when it asks no figure."""
    m = _FIGURE_OF_EN.search(text)
    if m:
        head = m.group(2).lower()
        if head not in _FIGURE_WORDS:
            return (head,)
        words = [w.lower() for w in m.group(1).split() if w.lower() not in _FIGURE_WORDS]
        return (words[-1],) if words else ()
    m = _HEADCOUNT_ZH.search(text)
    if m:
        return (m.group(1),)
    m = _FIGURE_OF_ZH.search(text)
    if not m:
        return ()
    import jieba

    words = [w for w in jieba.lcut(text[: m.end(1)]) if w.strip()]
    last = words[-1] if words else ""
    if len(last) == 1 and len(words) > 1:
        last = words[-2] + last  # "回款" + "率"
    return (last,) if last else ()


_QUESTION_END = re.compile(r"(?<=[？?])")


def question_parts(text: str) -> tuple[str, ...]:
    """The separate questions of a message ("外访结束后多长时间内要完成外访记录？谁来复核？" → two),
    or () when it asks one. A trailing country ("…can I still visit? US") is not a question."""
    parts = [p.strip() for p in _QUESTION_END.split(text) if p.strip()]
    parts = [p for p in parts if re.search(r"[\u4e00-\u9fff]{2}|[A-Za-z]{3}", without_place(p))]
    return tuple(parts) if len(parts) > 1 else ()


#: A case's own topics count for this share of the question's weakest topic (the question's words lead).
CASE_TOPIC = 0.7
_TRUE_FIELD = re.compile(r"^\s*([a-z][a-z_]+):\s*true\b", re.MULTILINE)
_TAG_ITEM = re.compile(r"^\s*-\s*([a-z][a-z_]+)\s*$", re.MULTILINE)


def case_flags(fields: dict[str, str]) -> list[str]:
    """A case's set flags and preferences and its scenario tags ("represented_by_attorney"), from
    the text of its `flags`, `preferences` and `scenario_tags` sections."""
    flags = [m.group(1) for part in ("flags", "preferences") for m in _TRUE_FIELD.finditer(fields.get(part, ""))]
    return flags + [m.group(1) for m in _TAG_ITEM.finditer(fields.get("scenario_tags", ""))]


def with_case_topics(q: Question, flags: list[str], vocabulary: Vocabulary) -> Question:
    """The question with the case's flags and, after its own topics, the topics they name:
    "CN-005 还能上门找他吗？" is about representation because the case says the borrower has a lawyer."""
    if not flags:
        return q
    q = replace(q, case_flags=frozenset(flags))
    words = [f.replace("_", " ") for f in flags]
    own = {m.id for m in q.concepts}
    floor = min((m.score for m in q.concepts), default=1.0) * CASE_TOPIC
    found = vocabulary.match(" ; ".join(words))
    top = found[0].score if found else 1.0
    extra = [ConceptMatch(m.concept, floor * m.score / top, m.triggers) for m in found if m.id not in own]
    return replace(q, concepts=(*q.concepts, *extra)) if extra else q


def _first(table: tuple[tuple[str, re.Pattern[str]], ...], text: str) -> Any:
    return next((name for name, pattern in table if pattern.search(text)), None)


#: How long a visit takes, as agents say it: "takes 20 mins", "about 30 minutes", "half an hour",
#: "聊半小时", "二十分钟", "一个小时". Only a length within an hour and a half counts (longer ones,
#: "we drove 2 hrs each way", are travel, not the visit).
_LENGTH_EN = re.compile(r"\b(\d{1,3})\s*(?:-\s*)?(?:mins?|minutes?)\b|\b(half an hour|an hour|1 hour|one hour)\b", re.IGNORECASE)
_LENGTH_ZH = re.compile(rf"({_ZH_NUM})\s*分钟|(半个?小时|一个?小时|1个?小时)")
_LENGTH_WORDS = {"half an hour": 30, "an hour": 60, "1 hour": 60, "one hour": 60}
_MOST_MINUTES = 90


def visit_length(text: str) -> int | None:
    """The visit length a question states, in minutes (None when it states none)."""
    minutes = None
    if m := _LENGTH_EN.search(text):
        minutes = int(m.group(1)) if m.group(1) else _LENGTH_WORDS[m.group(2).lower()]
    elif m := _LENGTH_ZH.search(text):
        minutes = _zh_number(m.group(1)) if m.group(1) else (30 if m.group(2).startswith("半") else 60)
    return minutes if minutes is not None and 0 < minutes <= _MOST_MINUTES else None


def mentioned_place(text: str) -> Place | None:
    return _first(_PLACES, text)


def _zh_number(token: str) -> int:
    if token.isdigit():
        return int(token)
    if token.startswith("十"):
        return 10 + (_ZH_DIGITS.get(token[1:], 0) if len(token) > 1 else 0)
    if "十" in token:
        tens, _, ones = token.partition("十")
        return _ZH_DIGITS[tens] * 10 + (_ZH_DIGITS[ones] if ones else 0)
    return _ZH_DIGITS.get(token, -1)


def _zh_idiom(m: re.Match[str], text: str) -> bool:
    """"一点" that is "a little" ("开门会快一点", "早一点去", "一点儿"), not one o'clock: a bare 一点
    with no part of the day and no minutes, or one followed by 儿."""
    bare = not (m.group("part") or m.group("half") or m.group("m"))
    return text[m.end() : m.end() + 1] == "儿" or (bare and m.group("h") == "一")


#: Words for making the visit ("knock", "get there", "上门", "过去"): of several times in a question,
#: the one next to these is the time of the visit ("he sleeps till 2pm, is a 9am knock fine?").
_VISIT_WORD = re.compile(
    r"\b(?:knock\w*|visit\w*|go|going|come|coming|call round|pop round|turn up|arrive\w*|get there|reach|"
    r"be there|doorstep|at the door)\b|上门|外访|过去|过来|敲门|到门口|到他家|到她家|去他家|去她家|去找|登门",
    re.IGNORECASE,
)
#: How near (characters) a visit word must be to a time to mark it as the visit's.
_VISIT_NEAR = 12


def _time_mentions(text: str) -> list[tuple[int, int, dt.time]]:
    """Every clock time the question mentions, as (start, end, time), in order."""
    found: list[tuple[int, int, dt.time]] = []
    night = (part := _EN_PART.search(text)) is not None and re.search(r"evening|night|tonight", part.group(0), re.I)
    for m in _CLOCK.finditer(text):
        h, minute = int(m.group("h")), int(m.group("m"))
        ap = (m.group("ap") or "").lower()
        if ap.startswith("p") and h < 12:
            h += 12
        elif ap.startswith("a") and h == 12:
            h = 0
        elif not ap and h < 12 and night:
            h += 12
        found.append((m.start(), m.end(), dt.time(h, minute)))
    for m in _AMPM.finditer(text):
        h = int(m.group("h"))
        ap = m.group("ap").lower()
        if ap.startswith("p") and h < 12:
            h += 12
        elif ap.startswith("o"):
            if part and re.search(r"evening|night|tonight|afternoon", part.group(0), re.I) and h < 12:
                h += 12
        found.append((m.start(), m.end(), dt.time(h % 24, 0)))
    for m in _ZH_TIME.finditer(text):
        if _zh_idiom(m, text):
            continue
        h = _zh_number(m.group("h"))
        if not 0 <= h <= 24:
            continue
        minute = 30 if m.group("half") else (_zh_number(m.group("m")) if m.group("m") else 0)
        zh_part = m.group("part") or ""
        if zh_part in ("下午", "傍晚", "晚上", "夜里", "深夜", "半夜") and h < 12:
            h += 12
        if zh_part in ("深夜", "半夜") and h == 24:
            h = 0
        if not 0 <= minute < 60:
            minute = 0
        found.append((m.start(), m.end(), dt.time(h % 24, minute)))
    found.sort()
    # one time written two ways at one place ("21:30" inside a longer match) counts once
    return [f for i, f in enumerate(found) if not i or f[0] >= found[i - 1][1]]


def mentioned_time(text: str) -> dt.time | None:
    """The clock time of the visit the question asks about: "21:30", "9.30pm", "9 pm", "晚上九点半",
    "早上7点". Of several, the one next to a word for making the visit, else the last one (the
    question comes after what it depends on: "he's home after 8pm, can we come at 9?")."""
    found = _time_mentions(text)
    if len(found) <= 1:
        return found[0][2] if found else None
    visits = [m.span() for m in _VISIT_WORD.finditer(text)]

    marked = [f for f in found if any(a - _VISIT_NEAR <= f[1] and f[0] <= e + _VISIT_NEAR for a, e in visits)]
    return (marked or found)[-1][2]


def _amount(m: re.Match[str], suffix: str = "") -> Decimal:
    value = Decimal(m.group("n" + suffix).replace(",", ""))
    unit = (m.group("k" + suffix) or "").lower()
    return value * (1000 if unit in ("k", "千") else 10000 if unit == "万" else 1)


def _pay_period_weeks(after: str, before: str) -> int | None:
    """1 for an income figure paid by the week, 2 by the fortnight, None for a monthly one."""
    m = _PER_WEEK.search(after)
    if m:
        return 2 if re.search(r"fortnight|two|2|两", m.group(0)) else 1
    m = _WEEK_BEFORE.search(before)
    if m:
        return 2 if "两" in m.group(0) else 1
    return None


def mentioned_figures(text: str) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    if m := _INCOME.search(text):
        out["income"] = _amount(m)
        # (in Chinese the period may come a few characters before: "每两周发一次工资，每次420")
        weeks = _pay_period_weeks(text[m.end():m.end() + 20], text[max(0, m.start() - 8):m.start("n")])
        if weeks:
            # paid by the week or fortnight: the monthly figure is what the assessment takes (plan policy §2.1)
            out["income_per_period"], out["income_weeks"] = out["income"], Decimal(weeks)
            out["income"] = (out["income"] * 52 / weeks / 12).quantize(Decimal("0.01"))
    if m := _EXPENSES.search(text):
        out["expenses"] = _amount(m)
    if m := _OTHER_DEBT.search(text):
        out["other_debt"] = _amount(m)
    b = next((m for m in (p.search(text) for p in _BALANCE) if m), None)
    if b and (m := _SETTLE.search(text, b.end()) or _SETTLE.search(text)):
        balance, settle = _amount(b), _amount(m) if m.group("n") else _amount(m, "2")
        if 0 < settle < balance:
            out["balance"], out["settlement"] = balance, settle
    elif b and (m := next((m for m in (p.search(text, b.end()) for p in _SETTLE_MORE) if m), None)):
        balance, settle = _amount(b), _amount(m)
        if 0 < settle < balance:
            out["balance"], out["settlement"] = balance, settle
    elif b and (share := _settlement_share(text[b.end():])) is not None:
        out["balance"], out["settlement"] = _amount(b), (_amount(b) * share).quantize(Decimal("0.01"))
    if m := _CONTRACTUAL.search(text):
        out["contractual"] = _amount(m)
    if m := _DISPOSABLE.search(text):
        out["disposable"] = _amount(m)
        out.pop("income", None)
    if (m := _ARREARS.search(text)) and _amount(m) > 0:
        out["arrears"] = _amount(m)
    if m := _AFFORDABLE.search(text):
        out["affordable"] = _amount(m)
    return out
