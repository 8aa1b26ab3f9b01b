"""Borrower identifiers out before text leaves the machine, back in when the reply returns.

A `Redactor` finds identifiers with three kinds of recogniser and replaces each with a stable
placeholder such as `[PERSON_1]` or `[PHONE_2]`:

- the case's **known people** (`for_people`): their names and the ways they are addressed
  (刘女士, 老刘, Mrs Okafor), addresses, phones, e-mails and ID numbers, found verbatim;
- **names in free text** (`visitcoach.llm.names`): Chinese names by jieba segmentation, a surname
  list, cue words (借款人, 丈夫 …) and titles (先生, 老X); English names by titles, cue words,
  capitalised sequences and a public-domain given-name list;
- **identifiers by shape** (`visitcoach.llm.pii`), fail-safe: 15/18-character Chinese ID numbers
  with a plausible birth date whether or not the check digit holds, 12-19 digit card and account
  numbers with or without Luhn, phones in spaced and international forms (CN, US, UK), SSNs,
  National Insurance numbers, UK postcodes, e-mails, WeChat/QQ ids after their cue words, IBANs and
  sort codes, and street addresses in both languages.

Overlapping candidates are merged into one span (the strongest recogniser names its kind), so a
partial match never leaves the rest of an identifier in clear. The same value always gets the same
placeholder within one redactor, so a conversation stays coherent; `restore` puts the originals
back, also when the model writes a placeholder as `【PERSON_1】`, `[person 1]` or `PERSON_1`.
`scrub` is for logs and error messages: the same masking, nothing to restore.

Why not Microsoft Presidio (`benchmarks/presidio_compare.py`, dev split, 2026-12-06): its
`AnalyzerEngine` runs offline with a no-op NLP engine (no spaCy model download) and pattern
recognisers. Hosting these same recognisers, it found exactly the same spans (recall, precision and
over-masking identical) at about half the speed (160k vs 309k characters/s), and it adds spaCy and
`tldextract` (which fetches the public suffix list at run time unless told not to) as dependencies.
Its own predefined recognisers, without a language model, caught 20 % of the identifiers (35 % of the
non-name ones, no names at all: its name detection is the NER model we cannot download, which does
not read Chinese). So the recognisers stay in plain Python, in Presidio's style: named patterns with
scores, validators, context (cue) words, and results that say which recogniser fired.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from visitcoach.llm import names as name_recognisers
from visitcoach.llm import pii
from visitcoach.llm.pii import Span, luhn, valid_cn_id

__all__ = ["KINDS", "RedactingFilter", "Redactor", "Span", "install_log_redaction", "luhn", "name_forms", "scrub", "valid_cn_id"]

#: Every placeholder kind a redactor issues.
KINDS = ("PERSON", "PHONE", "CN_ID", "CARD", "ACCOUNT", "SSN", "NINO", "POSTCODE", "EMAIL", "WECHAT", "QQ", "ADDRESS", "ID")

_KIND_ALT = "|".join(sorted(KINDS, key=len, reverse=True))
#: A placeholder already in the text (a redacted text sent again): kept as it is.
_PLACEHOLDER = re.compile(rf"\[({_KIND_ALT})_\d+\]")
#: The ways a model writes a placeholder back: [PERSON_1], 【PERSON_1】, ［PERSON 1］, [person-1], PERSON_1.
_ECHO = re.compile(rf"(?i)[\[【［]\s*({_KIND_ALT})[\s_\-]*(\d+)\s*[\]】］]|(?<![A-Za-z0-9_])({_KIND_ALT})_(\d+)(?![A-Za-z0-9_])")

_ZH_TITLES = ("先生", "女士", "小姐", "阿姨", "大爷", "老师", "总", "经理")
_EN_TITLES = ("Mr", "Mrs", "Ms", "Miss", "Mx", "Dr")


def name_forms(name: str) -> list[str]:
    """The ways a person's name appears in a conversation: full name, surname with a title, given name."""
    name = name.strip()
    if not name:
        return []
    forms = [name]
    if re.fullmatch(r"[\u4e00-\u9fff·]{2,5}", name):
        surname = name[:2] if name[:2] in name_recognisers.ZH_COMPOUND_SURNAMES else name[0]
        given = name[len(surname):]
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


def _merge(spans: list[Span]) -> list[Span]:
    """Overlapping candidates become one span covering them all; the highest-scoring one names the kind."""
    merged: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if merged and span.start < merged[-1].end:
            last = merged[-1]
            best = last if last.score >= span.score else span
            merged[-1] = Span(last.start, max(last.end, span.end), best.kind, max(last.score, span.score), best.source)
        else:
            merged.append(span)
    return merged


@dataclass
class Redactor:
    """Stable placeholders for one conversation (one case, one session).

    `detect=False` masks only the known values (names, addresses, `extra`) and nothing found by
    shape or by name detection; every exit to a model uses the default, `detect=True`.
    """

    names: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)  # other known identifiers (phone, email, id) from case data
    detect: bool = True
    _by_value: dict[str, str] = field(default_factory=dict, init=False)
    _by_placeholder: dict[str, str] = field(default_factory=dict, init=False)
    _counts: dict[str, int] = field(default_factory=dict, init=False)
    _known: list[tuple[str, str]] | None = field(default=None, init=False)

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

    # -- finding --------------------------------------------------------------------------------

    def _known_values(self) -> list[tuple[str, str]]:
        """(kind, value) of every known value, longest first ("Helen Okafor" before "Helen")."""
        if self._known is None:
            known: list[tuple[str, str]] = [("ADDRESS", a) for a in self.addresses] + [(_kind_of(v), v) for v in self.extra]
            for name in self.names:
                placeholder = self._placeholder("PERSON", name)  # every form of one person maps to that person's placeholder
                for form in name_forms(name):
                    self._by_value.setdefault(form, placeholder)
                    known.append(("PERSON", form))
            self._known = sorted({kv for kv in known if kv[1].strip()}, key=lambda kv: -len(kv[1]))
        return self._known

    def spans(self, text: str) -> list[Span]:
        """The identifier spans of `text`, merged, in order (placeholders already present are kept out)."""
        # A placeholder this redactor issued is kept as it is (a redacted text sent again); one it did not
        # issue is the user's own text and is masked like a value, so that restoring gives it back.
        found: list[Span] = [
            Span(m.start(), m.end(), "KEEP" if m.group(0) in self._by_placeholder else m.group(1), 9.0, "placeholder")
            for m in _PLACEHOLDER.finditer(text)
        ]
        for kind, value in self._known_values():
            if value not in text:
                continue
            if value.isascii():
                pattern = re.compile(rf"(?<![A-Za-z0-9]){re.escape(value)}(?![A-Za-z0-9])")
                found += [Span(m.start(), m.end(), kind, 1.0, "known") for m in pattern.finditer(text)]
            else:
                at = text.find(value)
                while at != -1:
                    found.append(Span(at, at + len(value), kind, 1.0, "known"))
                    at = text.find(value, at + len(value))
        if self.detect:
            found += pii.find(text)
            found += name_recognisers.find(text)
        return [s for s in _merge(found) if s.kind != "KEEP"]

    # -- masking and restoring ------------------------------------------------------------------

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
        """`text` with every identifier replaced by its placeholder."""
        if not text:
            return text
        parts: list[str] = []
        at = 0
        for span in self.spans(text):
            value = text[span.start: span.end]
            stripped = value.strip()
            if not stripped:
                continue
            lead = len(value) - len(value.lstrip())
            parts.append(text[at: span.start + lead])
            parts.append(self._placeholder(span.kind, stripped))
            at = span.start + lead + len(stripped)
        parts.append(text[at:])
        return "".join(parts)

    def restore(self, text: str) -> str:
        """Originals back in place of every placeholder this redactor issued (however the model wrote it)."""
        if not self._by_placeholder or not text:
            return text

        def back(m: re.Match[str]) -> str:
            kind, number = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
            return self._by_placeholder.get(f"[{kind.upper()}_{int(number)}]", m.group(0))

        return _ECHO.sub(back, text)

    @property
    def placeholders(self) -> dict[str, str]:
        return dict(self._by_placeholder)


def _kind_of(value: str) -> str:
    """The placeholder kind of a known identifier from a case file."""
    if "@" in value:
        return "EMAIL"
    digits = sum(c.isdigit() for c in value)
    if valid_cn_id(value) or (len(value.strip()) in (15, 18) and digits >= 14):
        return "CN_ID"
    return "PHONE" if digits <= 13 else "CARD" if luhn(value) else "ACCOUNT"


def scrub(text: str) -> str:
    """`text` with identifiers masked and nothing kept to restore them: for logs and error messages."""
    try:
        return Redactor().redact(text)
    except Exception:  # noqa: BLE001 -- a log line must never fail; say so rather than leak it
        return "[unredactable text withheld]"


class RedactingFilter(logging.Filter):
    """A handler filter that masks identifiers in every record's message (and its arguments)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = scrub(message)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = scrub(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = scrub(record.exc_text)
        return True


def install_log_redaction(logger: logging.Logger | None = None) -> None:
    """Attach a `RedactingFilter` to every handler of `logger` (the root logger by default), once."""
    target = logger or logging.getLogger()
    for handler in target.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
