"""Follow-ups: a short turn that keeps the topic and changes what it names.

"and in the UK?" after "When may I visit in the US?" keeps the visit-hours topic and asks it for
the UK; "那如果是在他单位呢？" keeps the topic and moves the visit to the workplace; "what if he has a
lawyer?" brings its own topic (representation) but keeps the jurisdiction, place and case of the
turn before. History is a list of chat messages (`{"role": "user"|"assistant", "content": str}`),
as the Ask tab keeps it; `visitcoach ask --follow-up-of "PREVIOUS QUESTION"` passes one turn.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from visitcoach.corpus.concepts import Vocabulary
from visitcoach.qa.understand import Question, understand
from visitcoach.retrieval.jurisdiction import without_place

#: A turn that opens or ends like a follow-up ("and in the UK?", "what if…", "那如果…", "…呢？").
_OPENER = re.compile(
    r"^(?:and|what about|how about|also|but|then|so|what if|is that|does that|same|in the (?:us|uk)|and in|or)\b"
    r"|^(?:那|那么|还有|如果|同样|这|那个|要是|假如|换成)|呢[？?]?\s*$",
    re.IGNORECASE,
)
#: Words pointing back at the turn before; they make only a short turn a follow-up, since a whole
#: question uses them of its own subject ("what do they have to say when they knock?").
_POINTER = re.compile(r"\b(?:it|that|this|they|there|he|she|him|her)\b", re.IGNORECASE)
POINTER_WORDS = 12
#: A follow-up that asks the rule in general ("那国内一般诉讼时效是几年？", "and generally?") leaves the
#: case of the turn before: it asks what the law says, not what that case's file holds.
_IN_GENERAL = re.compile(r"一般|通常|in general|generally|as a rule", re.IGNORECASE)


def previous_questions(history: Sequence[dict[str, str]] | None) -> list[str]:
    return [m["content"] for m in (history or []) if m.get("role") == "user" and m.get("content", "").strip()]


def is_follow_up(text: str) -> bool:
    """Whether `text` leans on the turn before: short, opening or ending like a follow-up, or a
    question of at most `POINTER_WORDS` words that points back ("is that allowed for him too?")."""
    text = text.strip()
    short = len(text.split()) <= 7 if text.isascii() else len(text) <= 14
    return short or bool(_OPENER.search(text)) or (len(text.split()) <= POINTER_WORDS and bool(_POINTER.search(text)))


def resolve(q: Question, history: Sequence[dict[str, str]] | None, vocabulary: Vocabulary) -> Question:
    """The question with what a follow-up leaves unsaid taken from the turn before."""
    previous = previous_questions(history)
    if not previous or not is_follow_up(q.text):
        return q
    # The turn before may itself have been a follow-up: resolve it against its own past first.
    before = understand(previous[-1], vocabulary, lang=q.lang)
    if len(previous) > 1:
        before = resolve(before, [{"role": "user", "content": p} for p in previous[:-1]], vocabulary)
    if q.concepts and before.concepts and q.concepts[0].id != before.concepts[0].id and not q.place and not q.time:
        # a new topic ("what if he has a lawyer?"): its own concepts lead, the old topic follows
        concepts = q.concepts + tuple(c for c in before.concepts if c.id not in {m.id for m in q.concepts})[:1]
    else:
        concepts = tuple(before.concepts) + tuple(c for c in q.concepts if c.id not in {m.id for m in before.concepts})
        if q.concepts and q.place:
            concepts = q.concepts + tuple(c for c in before.concepts if c.id not in {m.id for m in q.concepts})
    jurisdiction, source = q.jurisdiction, q.jurisdiction_source
    if jurisdiction is None and before.jurisdiction:
        jurisdiction, source = before.jurisdiction, before.jurisdiction_source
    base = without_place(before.query) if q.jurisdiction_source == "named" else before.query
    keep_case = q.case_id is None and not _IN_GENERAL.search(q.text)
    return q.with_(
        query=re.sub(r"\s+", " ", f"{base} {q.text}").strip(),
        jurisdiction=jurisdiction,
        jurisdiction_source=source,
        elsewhere=q.elsewhere,
        case_id=q.case_id or (before.case_id if keep_case else None),
        about_case=q.about_case or (before.about_case and keep_case),
        concepts=concepts,
        time=q.time or before.time,
        place=q.place or before.place,
        role=q.role if q.role not in (None, "agent") else (before.role or q.role),
        product=q.product or before.product,
        figures={**before.figures, **q.figures},
    )
