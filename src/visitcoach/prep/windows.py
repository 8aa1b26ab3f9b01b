"""Visit windows: the jurisdiction's permitted hours, less the times the customer said are inconvenient.

Customers' inconvenient times are free text in case files ("weekdays 08:00-17:30 (at work)",
"每日11:00-13:30及17:00-20:30（营业高峰）", "rotating night shifts 19:00-07:30"). `parse_inconvenient`
reads the day set and the time ranges of each entry; what it cannot read is returned so the brief
can tell the agent to check it by hand rather than guess.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

DAY = 24 * 60
#: A piece of window shorter than this is not offered (no time for a respectful conversation).
MIN_WINDOW_MINUTES = 60

_EN_DAYS = {
    "monday": 0, "mon": 0, "tuesday": 1, "tue": 1, "tues": 1, "wednesday": 2, "wed": 2, "thursday": 3, "thu": 3,
    "thur": 3, "thurs": 3, "friday": 4, "fri": 4, "saturday": 5, "sat": 5, "sunday": 6, "sun": 6,
}
_ZH_DAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_EN_DAY = r"(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*"
_TIME = r"(\d{1,2})[:：](\d{2})"
_RANGE = re.compile(_TIME + r"\s*(?:-|–|—|~|～|to|至|到)\s*" + _TIME)
_AFTER = re.compile(r"(?:after\s+|from\s+)" + _TIME + r"|" + _TIME + r"\s*(?:以后|之后|后)")
_PARTS = {
    "上午": (8 * 60, 12 * 60), "morning": (8 * 60, 12 * 60), "mornings": (8 * 60, 12 * 60),
    "下午": (12 * 60, 18 * 60), "afternoon": (12 * 60, 18 * 60), "afternoons": (12 * 60, 18 * 60),
    "晚上": (18 * 60, 22 * 60), "evening": (18 * 60, 22 * 60), "evenings": (18 * 60, 22 * 60),
}


@dataclass(frozen=True)
class Busy:
    """Minutes [start, end) on the given weekdays; end < start runs past midnight into the next day."""

    days: frozenset[int]
    start: int
    end: int
    source: str


@dataclass(frozen=True)
class Window:
    date: dt.date
    start: int  # minutes after midnight, local time
    end: int

    def as_dict(self) -> dict[str, str]:
        return {"date": self.date.isoformat(), "start": hhmm(self.start), "end": hhmm(self.end)}


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def minutes(text: str) -> int:
    h, m = text.split(":")
    return int(h) * 60 + int(m)


def _days(text: str) -> frozenset[int] | None:
    low = text.lower()
    if re.search(r"\bweekdays?\b|工作日|周一至周五|mon(?:day)?\s*(?:-|–|to)\s*fri(?:day)?", low):
        return frozenset(range(5))
    if re.search(r"\bweekends?\b|周末|双休日", low):
        return frozenset({5, 6})
    span = re.search(rf"\b({_EN_DAY})\s*(?:-|–|to)\s*({_EN_DAY})\b", low)
    if span:
        a, b = _EN_DAYS.get(span.group(1)), _EN_DAYS.get(span.group(2))
        if a is not None and b is not None:
            return frozenset((a + i) % 7 for i in range((b - a) % 7 + 1))
    zh_span = re.search(r"(?:周|星期)([一二三四五六日天])\s*(?:至|到|-|–)\s*(?:周|星期)?([一二三四五六日天])", text)
    if zh_span:
        a, b = _ZH_DAYS[zh_span.group(1)], _ZH_DAYS[zh_span.group(2)]
        return frozenset((a + i) % 7 for i in range((b - a) % 7 + 1))
    zh_list = re.findall(r"(?:周|星期|、)([一二三四五六日天])", text)
    if zh_list:
        return frozenset(_ZH_DAYS[d] for d in zh_list)
    en_list = [_EN_DAYS[d] for d in re.findall(rf"\b({_EN_DAY})s?\b", low) if d in _EN_DAYS]
    if en_list:
        return frozenset(en_list)
    return None  # no day words: every day


def parse_inconvenient(entry: str) -> list[Busy]:
    """The busy periods one free-text entry describes (empty if it cannot be read)."""
    days = _days(entry) or frozenset(range(7))
    spans: list[tuple[int, int]] = []
    for m in _RANGE.finditer(entry):
        start = int(m.group(1)) * 60 + int(m.group(2))
        end = int(m.group(3)) * 60 + int(m.group(4))
        spans.append((start, end % DAY if end != DAY else DAY))
    if not spans:
        for m in _AFTER.finditer(entry):
            h, mi = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
            spans.append((int(h) * 60 + int(mi), DAY))
    if not spans:
        low = entry.lower()
        spans = [span for word, span in _PARTS.items() if word in low]
    return [Busy(days, start, end, entry) for start, end in spans]


def _busy_on(day: dt.date, busy: list[Busy]) -> list[tuple[int, int]]:
    """Busy minutes on `day`, including the tail of an overnight range that began the day before."""
    out = []
    weekday, yesterday = day.weekday(), (day.weekday() - 1) % 7
    for b in busy:
        overnight = b.end < b.start
        if weekday in b.days:
            out.append((b.start, DAY if overnight else b.end))
        if overnight and yesterday in b.days:
            out.append((0, b.end))
    return out


def windows(
    start: dt.datetime,
    days: int,
    permitted: tuple[int, int],
    busy: list[Busy],
    min_minutes: int = MIN_WINDOW_MINUTES,
) -> list[Window]:
    """Free windows from `start` (local time) over `days` calendar days."""
    out: list[Window] = []
    for offset in range(days):
        day = start.date() + dt.timedelta(days=offset)
        lo, hi = permitted
        if offset == 0:
            lo = max(lo, start.hour * 60 + start.minute)
        free = [(lo, hi)] if lo < hi else []
        for b_start, b_end in _busy_on(day, busy):
            free = [piece for a, z in free for piece in ((a, min(z, b_start)), (max(a, b_end), z)) if piece[0] < piece[1]]
        out += [Window(day, a, z) for a, z in free if z - a >= min_minutes]
    return out
