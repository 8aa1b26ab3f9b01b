"""Reading a chat turn in its conversation: the query a follow-up question stands for.

This is the seam where the answer engine learns about the conversation; `services.Services.ask`
calls `follow_up_query` and then answers the query it returns.
"""

from __future__ import annotations

import re

from visitcoach.retrieval.jurisdiction import infer_jurisdiction

_FOLLOW_UP = re.compile(
    r"^(?:and|what about|how about|also|but|then|so|what if|is that|does that|same|in the (?:us|uk)|and in)\b"
    r"|^(?:那|那么|还有|如果|同样|这|那个|英国呢|美国呢|中国呢)|呢[？?]?$|\b(?:it|that|this|they|there)\b",
    re.IGNORECASE,
)

_PLACE = re.compile(
    r"\b(?:in|under|for)\s+(?:the\s+)?(?:US|USA|UK|United States|United Kingdom|Britain|England|China|PRC)\b"
    r"|\b(?:the\s+)?(?:US|USA|UK|United States|United Kingdom|Britain|England|China)\b|(?:在)?(?:美国|英国|中国)",
)


def follow_up_query(question: str, history: list[dict[str, str]]) -> tuple[str, str | None]:
    """(query, jurisdiction) for a chat turn. A follow-up ("and in the UK?", "那英国呢？") is searched
    together with the previous question, with the place it names replacing the one asked about before."""
    previous = next((m["content"] for m in reversed(history) if m.get("role") == "user"), None)
    if not previous:
        return question, None
    short = len(question.split()) <= 6 if question.isascii() else len(question) <= 12
    if not (short or _FOLLOW_UP.search(question.strip())):
        return question, None
    place = infer_jurisdiction(question)
    if place:
        previous = _PLACE.sub(" ", previous)
    return re.sub(r"\s+", " ", f"{previous} {question}").strip(), place
