"""The concept vocabulary (`knowledge/concepts.yaml`): what a question is about and which sections govern it.

A compliance officer extends it without Python: a concept has bilingual trigger words and, per
jurisdiction (`ALL` for group policy), the citations of the sections that govern it, most important
first. `jurisdiction_cues` lists the words that name a country in a question. Unknown keys, a
concept without triggers or sections, or a duplicate id is one `KnowledgeError` naming the file and
the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from visitcoach.corpus.records import load_yaml
from visitcoach.errors import KnowledgeError
from visitcoach.text import JURISDICTIONS

FILE = "concepts.yaml"
Quantity = Literal["time_window", "headcount", "years", "months", "days", "working_days", "percent", "money"]
Compute = Literal["visit_time", "visit_place", "staffing", "discount_authority", "affordability", "token_payment", "retention"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Bilingual(_Strict):
    en: str
    zh: str


class Triggers(_Strict):
    en: list[str] = Field(default_factory=list)
    zh: list[str] = Field(default_factory=list)


class ConceptSpec(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: Bilingual
    triggers: Triggers
    sections: dict[Literal["ALL", "CN", "US", "UK"], list[str]]
    #: Words the governing rule itself tends to use ("third party", "pass on", 透露, 转告): they help
    #: pick, inside a section, the sentence that answers rather than one that merely shares the question's words.
    answer_words: Triggers = Triggers()
    quantities: list[Quantity] = Field(default_factory=list)
    compute: Compute | None = None

    @field_validator("sections")
    @classmethod
    def _some_section(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        if not any(value.values()):
            raise ValueError("lists no section")
        return value


class Cues(_Strict):
    CN: list[str] = Field(default_factory=list)
    US: list[str] = Field(default_factory=list)
    UK: list[str] = Field(default_factory=list)
    elsewhere: list[str] = Field(default_factory=list)


class OutsideTopic(_Strict):
    """A topic agents ask about that the pack does not govern (staff pay, tax …): a question mainly
    about it is declined rather than answered from a rule that merely shares its words."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: Bilingual
    triggers: Triggers


class VocabularyFile(_Strict):
    concepts: list[ConceptSpec]
    jurisdiction_cues: Cues = Cues()
    not_covered: list[OutsideTopic] = Field(default_factory=list)


@dataclass(frozen=True)
class ConceptMatch:
    concept: ConceptSpec
    score: float
    triggers: tuple[str, ...]

    @property
    def id(self) -> str:
        return self.concept.id


def _pattern(term: str) -> re.Pattern[str] | None:
    """English terms match on word boundaries; Chinese ones (and symbols such as £) as substrings."""
    term = term.strip().lower()
    if not term:
        return None
    if re.search(r"[\u3400-\u9fff£$¥€]", term):
        return re.compile(re.escape(term))
    return re.compile(rf"(?<![a-z0-9]){re.escape(term)}(?![a-z0-9])")


class Vocabulary:
    """The loaded vocabulary with compiled triggers."""

    def __init__(self, spec: VocabularyFile, path: Path | None = None) -> None:
        self.spec = spec
        self.path = path
        self.concepts = {c.id: c for c in spec.concepts}
        self._triggers = [
            (c, t, p) for c in spec.concepts for t in [*c.triggers.en, *c.triggers.zh] if (p := _pattern(t))
        ]
        self.outside_topics = {t.id: t for t in spec.not_covered}
        self._outside = [
            (t, w, p) for t in spec.not_covered for w in [*t.triggers.en, *t.triggers.zh] if (p := _pattern(w))
        ]
        cues = spec.jurisdiction_cues
        self._cues = {j: [p for t in getattr(cues, j) if (p := _pattern(t))] for j in (*JURISDICTIONS, "elsewhere")}

    def match(self, question: str) -> list[ConceptMatch]:
        """Concepts whose triggers occur in the question, best first.

        A trigger counts by its length (a phrase says more than a word), and a trigger inside a longer
        matched trigger of another concept does not count twice ("his workplace" vs "work")."""
        scores, found = _scored(self._triggers, question)
        ranked = sorted(scores, key=lambda cid: (-scores[cid], cid))
        return [ConceptMatch(self.concepts[cid], round(scores[cid], 3), tuple(found[cid])) for cid in ranked]

    def outside(self, question: str) -> tuple[OutsideTopic, float] | None:
        """The `not_covered` topic the question names most strongly, with its score (scored as `match`)."""
        scores, _ = _scored(self._outside, question)
        if not scores:
            return None
        best = min(scores, key=lambda tid: (-scores[tid], tid))
        return self.outside_topics[best], round(scores[best], 3)

    def jurisdictions_named(self, text: str) -> set[str]:
        q = text.lower()
        return {j for j in JURISDICTIONS if any(p.search(q) for p in self._cues[j])}

    def without_places(self, text: str) -> str:
        """`text` with the words that name a jurisdiction or a place in it ("Boston", "深圳",
        "FDCPA") blanked out, for reading what else a question is about."""
        out = text.lower()
        for patterns in self._cues.values():
            for p in patterns:
                out = p.sub(" ", out)
        return out

    def names_elsewhere(self, text: str) -> bool:
        q = text.lower()
        return any(p.search(q) for p in self._cues["elsewhere"])


def _scored(triggers: list[tuple[ConceptSpec | OutsideTopic, str, re.Pattern[str]]], question: str) -> tuple[dict[str, float], dict[str, list[str]]]:
    """{id: score} and {id: triggers found} of the topics whose triggers occur in the question: a
    trigger counts by its length, and one inside a longer matched trigger does not count again."""
    q = question.lower()
    spans: list[tuple[int, int, ConceptSpec | OutsideTopic, str]] = []
    for topic, term, pattern in triggers:
        for m in pattern.finditer(q):
            spans.append((m.start(), m.end(), topic, term))
    spans.sort(key=lambda s: (-(s[1] - s[0]), s[0]))
    taken: list[tuple[int, int]] = []
    scores: dict[str, float] = {}
    found: dict[str, list[str]] = {}
    for start, end, topic, term in spans:
        if any(s <= start and end <= e and (s, e) != (start, end) for s, e in taken):
            continue
        taken.append((start, end))
        cjk = bool(re.search(r"[\u3400-\u9fff]", term))
        weight = min(1.0 + 0.25 * ((end - start) - 2 if cjk else len(term.split()) - 1), 2.5)
        if term in found.get(topic.id, []):
            continue
        scores[topic.id] = scores.get(topic.id, 0.0) + weight
        found.setdefault(topic.id, []).append(term)
    return scores, found


def load_vocabulary(knowledge_dir: Path) -> Vocabulary:
    """The pack's vocabulary; an empty one when the pack has no `concepts.yaml`."""
    path = Path(knowledge_dir) / FILE
    if not path.exists():
        return _empty()
    return _load(path, path.stat().st_mtime_ns)


@lru_cache(maxsize=1)
def _empty() -> Vocabulary:
    return Vocabulary(VocabularyFile(concepts=[]), None)


@lru_cache(maxsize=8)
def _load(path: Path, _mtime: int) -> Vocabulary:
    raw = load_yaml(path)
    if not isinstance(raw, dict):
        raise KnowledgeError(path, "must be a mapping with a `concepts` list")
    try:
        spec = VocabularyFile.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = list(err["loc"])
        where = ".".join(str(x) for x in loc)
        if len(loc) >= 2 and loc[0] == "concepts" and isinstance(loc[1], int):
            items = raw.get("concepts") or []
            cid = items[loc[1]].get("id") if loc[1] < len(items) and isinstance(items[loc[1]], dict) else None
            if cid:
                where = f"concept {cid}: " + ".".join(str(x) for x in loc[2:])
        raise KnowledgeError(path, err["msg"], field=where) from None
    seen: set[str] = set()  # concepts and not_covered topics share one id space
    for kind, key, topics in (("concept", "concepts", spec.concepts), ("not_covered", "not_covered", spec.not_covered)):
        for t in topics:
            if t.id in seen:
                raise KnowledgeError(path, f"duplicate id {t.id!r} (of a concept or a not_covered topic)", field=f"{key}.id")
            seen.add(t.id)
            if not (t.triggers.en or t.triggers.zh):
                raise KnowledgeError(path, "has no triggers", field=f"{kind} {t.id}: triggers")
    return Vocabulary(spec, path)


# -- consistency of the quantities a concept fixes ---------------------------------------------------

_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
}
_N = r"(\d+|one|two|three|four|five|six|seven|eight|nine|ten|[一二两三四五六七八九十])"
QUANTITY_PATTERNS: dict[str, re.Pattern[str]] = {
    "time_window": re.compile(r"(\d{1,2}:\d{2})\s*(?:–|-|—|to|至|到)\s*(\d{1,2}:\d{2})"),
    "headcount": re.compile(rf"(?:at least|minimum of|至少)\s*{_N}\s*(?:名|个|位)?\s*(?:trained\s+)?(?:collectors?|people|staff|催收员|催收人员|人)", re.IGNORECASE),
    "years": re.compile(rf"{_N}\s*(?:full\s+)?(?:years?|年)(?!龄|级|度)", re.IGNORECASE),
    "months": re.compile(rf"{_N}\s*(?:months?|个月)", re.IGNORECASE),
    "working_days": re.compile(rf"{_N}\s*(?:working|business)\s+days?|{_N}\s*个?工作日", re.IGNORECASE),
    "days": re.compile(rf"{_N}\s*(?:calendar\s+)?days?(?! after a death)|{_N}\s*(?:天|日)(?!内容)", re.IGNORECASE),
    "percent": re.compile(r"(\d+(?:\.\d+)?)\s*%"),
    "money": re.compile(r"(?:CNY|USD|GBP|£|\$|¥)\s?(\d[\d,]*(?:\.\d+)?)"),
}


def quantities(kind: str, text: str) -> set[str]:
    """The figures of one kind in a text, normalised ("three years" and "3 years" are both "3")."""
    out: set[str] = set()
    for m in QUANTITY_PATTERNS[kind].finditer(text):
        groups = [g for g in m.groups() if g]
        if kind == "time_window":
            out.add("–".join(g.zfill(5) for g in groups[:2]))
        else:
            g = groups[0].lower()
            out.add(str(_WORDS.get(g, g)))
    return out


def quantity_conflicts(vocabulary: Vocabulary, sections: list[tuple[str, str, str, str]]) -> list[str]:
    """Problems where two documents' sections a concept names state different figures of one kind.

    `sections` are (document path, language, citation, text) of the pack's sections. A concept's
    citations name policy sections in one language; the other language's version of the same
    section (same document stem, same §number) is compared too. Within one language, two sections
    of different documents that both state figures of a kind the concept names, but share none of
    them, disagree.
    """

    def family(path: str, cite: str) -> tuple[str, str]:
        number = re.search(r"§\s*([\d.]+\d)", cite)
        stem = re.sub(r"\.(?:en|zh)\.md$", "", path)
        return (stem, number.group(1)) if number else (path, cite)

    families: dict[tuple[str, str], list[tuple[str, str, str, str]]] = {}
    family_of: dict[str, set[tuple[str, str]]] = {}
    for path, lang, cite, text in sections:
        key = family(path, cite)
        families.setdefault(key, []).append((path, lang, cite, text))
        family_of.setdefault(cite, set()).add(key)
    problems: set[str] = set()
    for concept in vocabulary.spec.concepts:
        keys = {k for cs in concept.sections.values() for c in cs for k in family_of.get(c, ())}
        for kind in concept.quantities:
            for lang in ("en", "zh"):
                words = [w.lower() for w in getattr(concept.answer_words, lang)]
                stated: dict[tuple[str, str], set[str]] = {}
                for key in keys:
                    for path, section_lang, cite, text in families[key]:
                        if words:  # compare only the sentences that state the rule itself
                            text = " ".join(x for x in re.split(r"(?<=[.!?。！？；;])\s*", text) if any(w in x.lower() for w in words))
                        if section_lang == lang and (found := quantities(kind, text)):
                            stated.setdefault((path, cite), set()).update(found)
                items = sorted(stated.items())
                for i, ((path_a, cite_a), a) in enumerate(items):
                    for (path_b, cite_b), b in items[i + 1 :]:
                        if path_a != path_b and not (a & b):
                            problems.add(
                                f"{path_a} and {path_b}: concept {concept.id} ({kind}): {cite_a} says "
                                f"{', '.join(sorted(a))}, {cite_b} says {', '.join(sorted(b))}"
                            )
    return sorted(problems)
