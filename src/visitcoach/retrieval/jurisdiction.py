"""Which jurisdiction a question is about, when it says so ("在美国", "under CONC", "in Shenzhen")."""

from __future__ import annotations

import re

_CUES: dict[str, tuple[str, ...]] = {
    "CN": (
        "中国", "国内", "内地", "大陆", "我国", "china", "chinese law", "prc", "刑法", "民法典", "个人信息保护法", "pipl",
        "银行业协会", "互联网金融协会", "gb/t", "北京", "上海", "广州", "深圳", "shenzhen", "beijing", "shanghai", "guangzhou",
        "杭州", "成都", "武汉", "南京",
    ),
    "US": (
        "美国", "united states", "u.s.", "america", "fdcpa", "regulation f", "reg f", "cfpb", "1692", "12 cfr", "1006.",
        "state law", "texas", "california", "new york", "chicago",
    ),
    "UK": (
        "英国", "英格兰", "苏格兰", "威尔士", "united kingdom", "britain", "british", "england", "wales", "scotland",
        "fca", "conc", "breathing space", "london", "伦敦", "moneyhelper",
    ),
}
_US_WORD = re.compile(r"\b(us|usa)\b")
_UK_WORD = re.compile(r"\buk\b")


def infer_jurisdiction(question: str) -> str | None:
    """The one jurisdiction the question names, or None when it names none or several."""
    q = question.lower()
    found = {j for j, cues in _CUES.items() if any(c in q for c in cues)}
    if _US_WORD.search(q):
        found.add("US")
    if _UK_WORD.search(q):
        found.add("UK")
    return found.pop() if len(found) == 1 else None
