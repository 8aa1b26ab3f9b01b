"""The redactor as it was before #20 (main at 2959083), kept only as the benchmark's baseline.

Copied verbatim from src/visitcoach/llm/redact.py; not imported by the library.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def valid_cn_id(number: str) -> bool:
    """GB 11643 checksum of an 18-character resident ID number."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == number[17].upper()


def luhn(number: str) -> bool:
    digits = [int(d) for d in number if d.isdigit()]
    if not 13 <= len(digits) <= 19:
        return False
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


# (kind, pattern, validator). Order matters: longer, more specific shapes first, so an ID number
# is not taken for a phone number and a card number not for two phone numbers.
_PATTERNS: list[tuple[str, re.Pattern[str], object]] = [
    ("EMAIL", re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"), None),
    ("ID", re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])"), valid_cn_id),
    ("SSN", re.compile(r"(?<![\d-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\d-])"), None),
    (
        "NINO",
        re.compile(
            r"\b(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b",
            re.IGNORECASE,
        ),
        None,
    ),
    ("PHONE", re.compile(r"(?<![\d+])(?:\+?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}(?!\d)"), None),  # CN mobile
    ("PHONE", re.compile(r"(?<![\d-])0\d{2,3}-\d{7,8}(?![\d-])"), None),  # CN landline 010-12345678
    # UK: +44 20 7946 0958, 020 7946 0958, 01632 960 123, 07700 900123
    ("PHONE", re.compile(r"(?<![\d+])\+44 ?\d{2,4} ?\d{3,4} ?\d{3,4}(?!\d)|(?<![\d.,])0\d{2,4} ?\d{3,4} ?\d{3,4}(?!\d)"), None),
    ("PHONE", re.compile(r"(?<![\d-])(?:\+1[ -]?)?(?:\(\d{3}\) ?|\d{3}[-. ])\d{3}[-. ]\d{4}(?![\d-])"), None),  # US
    ("PHONE", re.compile(r"(?<![\d-])555-\d{4}(?![\d-])"), None),  # fictional US numbers in the pack
    (
        "ADDRESS",
        re.compile(
            r"\b\d{1,5}[A-Za-z]?,?\s+(?:[A-Z][a-z]+\s+){1,3}"
            r"(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Close|Way|Court|Ct|Boulevard|Blvd|Place|Pl|"
            r"Terrace|Crescent|Gardens|Grove|Row|Square|Parkway|Highway|Hwy)\b\.?"
        ),
        None,
    ),
    (
        "ADDRESS",
        re.compile(
            r"(?:[\u4e00-\u9fff]{2,6}(?:省|自治区|市|区|县))*[\u4e00-\u9fff]{1,12}(?:路|街|大道|巷|弄|道)"
            r"\d{1,5}号(?:院)?(?:\d{1,4}(?:号楼|栋|幢))?(?:\d{1,3}单元)?(?:\d{1,5}室)?"
        ),
        None,
    ),
]

# A run of digit groups that may hold a card number, e.g. "4111 1111 1111 1111" or "6222020200112233446".
_DIGIT_RUN = re.compile(r"(?<![\d-])\d+(?:[ -]\d+)*(?![\d-])")


def _card_spans(text: str) -> list[tuple[int, int]]:
    """Luhn-valid card numbers: 13-19 digits made of whole consecutive groups of a digit run."""
    spans = []
    for run in _DIGIT_RUN.finditer(text):
        groups = [(m.start() + run.start(), m.end() + run.start()) for m in re.finditer(r"\d+", run.group(0))]
        i = 0
        while i < len(groups):
            found = None
            for j in range(len(groups), i, -1):  # longest window first
                a, b = groups[i][0], groups[j - 1][1]
                digits = sum(e - s for s, e in groups[i:j])
                if 13 <= digits <= 19 and luhn(text[a:b]):
                    found = (j, (a, b))
                    break
            if found:
                spans.append(found[1])
                i = found[0]
            else:
                i += 1
    return spans


_ZH_TITLES = ("先生", "女士", "小姐", "阿姨", "大爷", "老师", "总", "经理")
_EN_TITLES = ("Mr", "Mrs", "Ms", "Miss", "Mx", "Dr")


def name_forms(name: str) -> list[str]:
    """The ways a person's name appears in a conversation: full name, surname with a title, given name."""
    name = name.strip()
    if not name:
        return []
    forms = [name]
    if re.fullmatch(r"[\u4e00-\u9fff·]{2,5}", name):
        surname, given = name[0], name[1:]
        forms += [surname + t for t in _ZH_TITLES]
        forms += ["小" + surname, "老" + surname]
        if len(given) >= 2:
            forms.append(given)
    else:
        parts = name.split()
        if len(parts) >= 2:
            first, last = parts[0], parts[-1]
            forms += [f"{t}. {last}" for t in _EN_TITLES] + [f"{t} {last}" for t in _EN_TITLES]
            forms += [last, first]
    return forms


@dataclass
class Redactor:
    """Stable placeholders for one conversation (one case, one session)."""

    names: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)  # other known identifiers (phone, email, id) from case data
    _by_value: dict[str, str] = field(default_factory=dict, init=False)
    _by_placeholder: dict[str, str] = field(default_factory=dict, init=False)
    _counts: dict[str, int] = field(default_factory=dict, init=False)

    @classmethod
    def for_people(cls, people: Iterable[object]) -> Redactor:
        """From case `Person` records (borrower, guarantor, household)."""
        names, addresses, extra = [], [], []
        for person in people:
            if person is None:
                continue
            names.append(getattr(person, "name", "") or "")
            if getattr(person, "address", None):
                addresses.append(person.address)  # type: ignore[attr-defined]
            extra += [v for v in (getattr(person, k, None) for k in ("phone", "email", "id_number")) if v]
        return cls(names=[n for n in names if n], addresses=addresses, extra=extra)

    def _placeholder(self, kind: str, value: str) -> str:
        key = value.strip()
        if key in self._by_value:
            return self._by_value[key]
        self._counts[kind] = self._counts.get(kind, 0) + 1
        placeholder = f"[{kind}_{self._counts[kind]}]"
        self._by_value[key] = placeholder
        self._by_placeholder[placeholder] = key
        return placeholder

    def redact(self, text: str) -> str:
        # Known values first (longest first, so "Helen Okafor" wins over "Helen").
        known: list[tuple[str, str]] = [("ADDRESS", a) for a in self.addresses] + [("ID", v) for v in self.extra]
        for name in self.names:
            # Every form of one person maps to that person's placeholder.
            placeholder = self._placeholder("PERSON", name)
            for form in name_forms(name):
                self._by_value.setdefault(form, placeholder)
                known.append(("PERSON", form))
        for kind, value in sorted(known, key=lambda kv: -len(kv[1])):
            if not value or value not in text:
                continue
            if kind == "PERSON" and value.isascii():
                pattern = re.compile(rf"(?<![A-Za-z]){re.escape(value)}(?![A-Za-z])")
                text = pattern.sub(lambda m: self._placeholder("PERSON", m.group(0)), text)
            else:
                text = text.replace(value, self._placeholder(self._kind_of(kind, value), value))
        for kind, pattern, validator in _PATTERNS:
            if kind == "SSN":  # after e-mails and ID numbers, before the shorter shapes: card numbers
                for a, b in reversed(_card_spans(text)):
                    text = text[:a] + self._placeholder("CARD", text[a:b]) + text[b:]

            def sub(m: re.Match[str], kind: str = kind, validator: object = validator) -> str:
                value = m.group(0)
                if validator is not None and not validator(value):  # type: ignore[operator]
                    return value
                return self._placeholder(kind, value)

            text = pattern.sub(sub, text)
        return text

    def _kind_of(self, kind: str, value: str) -> str:
        if kind != "ID":
            return kind
        if "@" in value:
            return "EMAIL"
        if valid_cn_id(value):
            return "ID"
        return "PHONE" if sum(c.isdigit() for c in value) <= 13 else "ID"

    def restore(self, text: str) -> str:
        """Originals back in place of every placeholder this redactor issued."""
        if not self._by_placeholder:
            return text
        pattern = re.compile("|".join(re.escape(p) for p in sorted(self._by_placeholder, key=len, reverse=True)))
        return pattern.sub(lambda m: self._by_placeholder[m.group(0)], text)

    @property
    def placeholders(self) -> dict[str, str]:
        return dict(self._by_placeholder)
