"""The `redaction` evaluation set and its metrics: what the redactor must mask and what it must not.

Rows of `evals/datasets/redaction.jsonl` (see `redaction.README.md`): a chat message, the labelled
identifiers in it (type, exact value) and hard negatives (strings that must stay). The metrics are
pure functions of a row and the spans a masker produced, so any masker can be scored, including a
deliberately bad one (the tests feed it one that masks nothing and one that masks everything):

- an identifier is **caught** when every letter, digit and Chinese character of its value lies
  inside a masked span (a partly masked phone number still leaks);
- a negative is **over-masked** when any occurrence of it loses a character to a masked span;
- **precision** is the share of masked spans that overlap a labelled identifier;
- **type agreement** is the share of caught identifiers whose span's kind maps to their label.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from visitcoach.errors import KnowledgeError
from visitcoach.evals.datasets import read_jsonl
from visitcoach.text import CJK_CHAR

#: The dataset's identifier types.
TYPES = ("PERSON", "PHONE", "CN_ID", "CARD", "ACCOUNT", "SSN", "NINO", "POSTCODE", "EMAIL", "WECHAT", "QQ", "ADDRESS")
#: Types gated on recall per type (everything but names, which are gated per language).
NUMBER_TYPES = tuple(t for t in TYPES if t != "PERSON")
#: Redactor placeholder kinds -> the dataset's types (CARD and ACCOUNT are one family: see `type_agrees`).
KIND_TO_TYPE = {"ID": "CN_ID", "CN_ID": "CN_ID"}


class LabelledIdentifier(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["PERSON", "PHONE", "CN_ID", "CARD", "ACCOUNT", "SSN", "NINO", "POSTCODE", "EMAIL", "WECHAT", "QQ", "ADDRESS"]
    value: str = Field(min_length=1)
    valid: bool | None = None


class RedactionCase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    lang: Literal["zh", "en"]
    text: str
    identifiers: list[LabelledIdentifier] = Field(default_factory=list)
    negatives: list[str] = Field(default_factory=list)
    split: Literal["dev", "test"]

    @model_validator(mode="after")
    def _substrings(self) -> RedactionCase:
        for value in [i.value for i in self.identifiers] + self.negatives:
            if value not in self.text:
                raise ValueError(f"{value!r} is not in the text")
        return self


def load_cases(path: Path, split: str | None = None) -> list[RedactionCase]:
    """The rows of one file (all of them, or one split)."""
    if not path.exists():
        raise KnowledgeError(path, "no such dataset")
    return [row for _, row in read_jsonl(path, RedactionCase) if split is None or row.split == split]


@dataclass(frozen=True)
class Masked:
    """A masked span as a scorer sees it: offsets and the kind the masker gave it."""

    start: int
    end: int
    kind: str


Masker = Callable[[str], list[Masked]]


def _occurrences(text: str, value: str) -> list[int]:
    out, at = [], text.find(value)
    while at != -1:
        out.append(at)
        at = text.find(value, at + 1)
    return out


def identifier_offsets(case: RedactionCase) -> list[tuple[LabelledIdentifier, int]]:
    """Where each labelled identifier sits: the first occurrence of its value, the second if listed twice."""
    seen: dict[str, int] = defaultdict(int)
    out = []
    for ident in case.identifiers:
        places = _occurrences(case.text, ident.value)
        n = seen[ident.value]
        seen[ident.value] += 1
        out.append((ident, places[min(n, len(places) - 1)]))
    return out


def _significant(c: str) -> bool:
    return c.isalnum() or bool(CJK_CHAR.match(c))


def covered(start: int, end: int, text: str, spans: Iterable[Masked]) -> bool:
    """Every significant character of text[start:end] lies inside some span."""
    masked = set()
    for s in spans:
        if s.end > start and s.start < end:
            masked.update(range(max(s.start, start), min(s.end, end)))
    return all(i in masked for i in range(start, end) if _significant(text[i]))


def _overlaps(start: int, end: int, spans: Iterable[Masked]) -> bool:
    return any(s.start < end and s.end > start for s in spans)


def type_agrees(label: str, kind: str) -> bool:
    mapped = KIND_TO_TYPE.get(kind, kind)
    return mapped == label or {mapped, label} <= {"CARD", "ACCOUNT"}


@dataclass
class RowScore:
    """What one row gave: per identifier (type, lang, caught, kind), per negative (over-masked), spans."""

    caught: list[tuple[str, str, bool, str | None, str]]  # (type, value, caught, kind, lang)
    over_masked: list[tuple[str, bool]]
    spans: int
    true_spans: int


def score_row(case: RedactionCase, spans: list[Masked]) -> RowScore:
    caught = []
    places = identifier_offsets(case)
    for ident, at in places:
        end = at + len(ident.value)
        ok = covered(at, end, case.text, spans)
        kind = next((s.kind for s in spans if s.start < end and s.end > at), None)
        caught.append((ident.type, ident.value, ok, kind, case.lang))
    negatives = []
    for neg in case.negatives:
        hit = any(_overlaps(at, at + len(neg), spans) for at in _occurrences(case.text, neg))
        negatives.append((neg, hit))
    all_places = [(at, at + len(i.value)) for i in case.identifiers for at in _occurrences(case.text, i.value)]
    true_spans = sum(1 for s in spans if any(s.start < e and s.end > a for a, e in all_places))
    return RowScore(caught, negatives, len(spans), true_spans)


def metrics(scores: list[RowScore], prefix: str) -> dict[str, float]:
    """Recall per type (PERSON per language too), over-masking rate, precision, type agreement."""
    by_type: dict[str, list[bool]] = defaultdict(list)
    agree: list[bool] = []
    for row in scores:
        for typ, _value, ok, kind, lang in row.caught:
            by_type[typ].append(ok)
            if typ == "PERSON":
                by_type[f"PERSON.{lang}"].append(ok)
            if typ in NUMBER_TYPES:
                by_type["numbers"].append(ok)
            by_type["all"].append(ok)
            if ok and kind:
                agree.append(type_agrees(typ, kind))
    out = {f"{prefix}recall.{k}": round(sum(v) / len(v), 4) for k, v in sorted(by_type.items()) if v}
    negatives = [hit for row in scores for _, hit in row.over_masked]
    out[f"{prefix}over_masking_rate"] = round(sum(negatives) / len(negatives), 4) if negatives else 0.0
    spans = sum(r.spans for r in scores)
    out[f"{prefix}precision"] = round(sum(r.true_spans for r in scores) / spans, 4) if spans else 0.0
    out[f"{prefix}type_agreement"] = round(sum(agree) / len(agree), 4) if agree else 0.0
    return out


def redactor_masker() -> Masker:
    """The product's masker: a fresh `Redactor` per message (as a new conversation would have)."""
    from visitcoach.llm.redact import Redactor

    def mask(text: str) -> list[Masked]:
        return [Masked(s.start, s.end, s.kind) for s in Redactor().spans(text)]

    return mask
