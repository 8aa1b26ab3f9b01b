"""Which jurisdiction a question is about, when it says so ("在美国", "under CONC", "in Shenzhen")."""

from __future__ import annotations

import re

_CUES: dict[str, tuple[str, ...]] = {
    "CN": (
        "中国",
        "国内",
        "内地",
        "大陆",
        "我国",
        "china",
        "chinese law",
        "prc",
        "刑法",
        "民法典",
        "个人信息保护法",
        "pipl",
        "银行业协会",
        "互联网金融协会",
        "gb/t",
        "北京",
        "上海",
        "广州",
        "深圳",
        "shenzhen",
        "beijing",
        "shanghai",
        "guangzhou",
        "杭州",
        "成都",
        "武汉",
        "南京",
    ),
    "US": (
        "美国",
        "united states",
        "u.s.",
        "america",
        "fdcpa",
        "regulation f",
        "reg f",
        "cfpb",
        "1692",
        "12 cfr",
        "1006.",
        "state law",
        "texas",
        "california",
        "new york",
        "chicago",
    ),
    "UK": (
        "英国",
        "英格兰",
        "苏格兰",
        "威尔士",
        "united kingdom",
        "britain",
        "british",
        "england",
        "wales",
        "scotland",
        "fca",
        "conc",
        "breathing space",
        "london",
        "伦敦",
        "moneyhelper",
    ),
}
#: Places outside the shipped jurisdictions: a question about them is not answered from CN/US/UK material.
_ELSEWHERE = (
    "australia",
    "澳大利亚",
    "澳洲",
    "japan",
    "日本",
    "canada",
    "加拿大",
    "india",
    "印度",
    "singapore",
    "新加坡",
    "hong kong",
    "香港",
    "taiwan",
    "台湾",
    "macau",
    "澳门",
    "germany",
    "german",
    "munich",
    "berlin",
    "德国",
    "toronto",
    "ontario",
    "多伦多",
    "france",
    "法国",
    "european union",
    "欧盟",
    "korea",
    "韩国",
    "philippines",
    "菲律宾",
    "indonesia",
    "印尼",
    "印度尼西亚",
    "malaysia",
    "马来西亚",
    "thailand",
    "泰国",
    "vietnam",
    "越南",
    "mexico",
    "墨西哥",
    "brazil",
    "巴西",
    "nigeria",
    "尼日利亚",
    "kenya",
    "肯尼亚",
    "ireland",
    "爱尔兰",
)
#: "US" as a country: in capitals ("US law", "USA"), or "the us" in any case; never the pronoun
#: ("can four or five of us go?", "let us"), so the capitals are matched case-sensitively.
_US_WORD = re.compile(r"\b(?:US|USA)\b")
_THE_US = re.compile(r"\bthe usa?\b", re.IGNORECASE)

_UK_WORD = re.compile(r"\buk\b")


def _names_us(text: str) -> bool:
    return bool(_US_WORD.search(text) or _THE_US.search(text))


def infer_jurisdiction(question: str) -> str | None:
    """The one jurisdiction the question names, or None when it names none or several."""
    q = question.lower()
    found = {j for j, cues in _CUES.items() if any(c in q for c in cues)}
    if _names_us(question):
        found.add("US")
    if _UK_WORD.search(q):
        found.add("UK")
    return found.pop() if len(found) == 1 else None


def names_elsewhere(question: str) -> bool:
    """True when the question is about a place outside CN, US and UK and names none of them."""
    q = question.lower()
    return any(place in q for place in _ELSEWHERE) and infer_jurisdiction(question) is None and not _names_any(question)


def _names_any(question: str) -> bool:
    q = question.lower()
    return any(c in q for cues in _CUES.values() for c in cues) or bool(_names_us(question) or _UK_WORD.search(q))


_PLACE_WORDS = re.compile(
    r"\b(?:in|under|for|from)\s+(?:the\s+)?(?:us|usa|uk|united\s+states|united\s+kingdom|britain|england|china|prc)\b"
    r"|\b(?:the\s+)?(?:us|usa|uk|united\s+states|united\s+kingdom|britain|england|china|prc)\b"
    r"|(?:在)?(?:美国|英国|中国|国内)",
    re.IGNORECASE,
)


def without_place(question: str) -> str:
    """The question without the country it names ("When may I visit in the UK?" -> "When may I visit?").

    Documents about a country's rules rarely repeat its name ("UK" is not in the UK section of a
    policy), so the bare name pulls retrieval towards chunks that happen to mention it; the
    jurisdiction is applied from metadata instead."""
    stripped = re.sub(r"\s+", " ", _PLACE_WORDS.sub(" ", question)).strip()
    return stripped if len(stripped) >= 3 else question
