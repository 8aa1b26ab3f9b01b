"""Necessary literals of a regular expression, so most patterns can be skipped without running.

For a pattern P, `required_literals(P)` returns strings such that every match of P contains at
least one of them (compared lower-cased), or None when no such set can be derived. A script that
contains none of them cannot match P. This keeps the phrase layer's cost proportional to what a
script actually says rather than to the number of rules.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from re import _constants as C
from re import _parser as sre_parse
from typing import Any

_MIN_USEFUL = 2  # ASCII literals shorter than this filter nothing; one Chinese character is selective


def required_literals(pattern: str) -> tuple[frozenset[str], ...] | None:
    """Groups of literals: a match contains at least one literal of EVERY group (None: no usable group)."""
    try:
        parsed = sre_parse.parse(pattern, re.IGNORECASE)
    except re.error:
        return None
    groups = tuple(
        frozenset(s.lower() for s in found)
        for found in _candidates(list(parsed))
        if not any(len(s) < _MIN_USEFUL and s.isascii() for s in found)
    )
    return groups or None


def _sequence(items: list[tuple[Any, Any]]) -> set[str] | None:
    """The most selective single group of a sequence (used inside alternations and groups)."""
    candidates = _candidates(items)
    return max(candidates, key=_selectivity) if candidates else None


def _candidates(items: list[tuple[Any, Any]]) -> list[set[str]]:
    """All items of a sequence must match, so each item's necessary literals form one group."""
    candidates: list[set[str]] = []
    run: list[str] = []
    for op, av in items:
        if op is C.LITERAL:
            run.append(chr(av))
            continue
        if run:
            candidates.append({"".join(run)})
            run = []
        if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
            continue  # zero-width: neither requires nor consumes text
        sub = _item(op, av)
        if sub:
            candidates.append(sub)
    if run:
        candidates.append({"".join(run)})
    return candidates


def _selectivity(literals: set[str]) -> int:
    """How rare the rarest-looking literal is: its length, with non-ASCII characters counting triple."""
    return min(sum(1 if ch.isascii() else 3 for ch in x) for x in literals)


def _item(op: Any, av: Any) -> set[str] | None:
    if op is C.SUBPATTERN:
        return _sequence(list(av[-1]))
    if op is C.BRANCH:
        union: set[str] = set()
        for branch in av[1]:
            sub = _sequence(list(branch))
            if not sub:
                return None  # one branch needs no literal, so the alternation needs none
            union |= sub
        return union
    if op is C.IN and all(kind is C.LITERAL for kind, _ in av):
        return {chr(code) for _, code in av}  # a class of plain characters, e.g. (?:傻|煞) → [傻煞]
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
        low, _high, sub = av
        return _sequence(list(sub)) if low >= 1 else None
    return None


_SEGMENT_END = re.compile(r"[。！？!?；;\n]|\.(?=\s)")
#: A segment is at least this long (a boundary sooner after the previous one is ignored), so any
#: match of up to this many characters lies within two adjacent segments; a longer match escapes a
#: window only by swallowing a whole segment in between.
MIN_SEGMENT = 24


class LiteralIndex:
    """Where each pattern could match: the script's segments that hold a literal of every group.

    One Aho-Corasick pass finds every literal of every pattern in the lower-cased script; a pattern
    then runs only over windows of two adjacent segments (sentence-like pieces) that together hold
    a literal of each of its groups, instead of over the whole script. A match within two adjacent
    segments (every match of up to MIN_SEGMENT characters, and in practice whole sentences) is
    found exactly as a whole-script scan finds it.
    """

    def __init__(self, groups_per_pattern: list[tuple[frozenset[str], ...] | None]) -> None:
        import ahocorasick

        self._automaton = ahocorasick.Automaton()
        ids: dict[str, int] = {}
        self.groups: list[tuple[frozenset[int], ...] | None] = []
        for groups in groups_per_pattern:
            if groups is None:
                self.groups.append(None)
                continue
            self.groups.append(tuple(frozenset(ids.setdefault(lit, len(ids)) for lit in g) for g in groups))
        for literal, lit_id in ids.items():
            self._automaton.add_word(literal, (lit_id, len(literal)))
        if ids:
            self._automaton.make_automaton()
        self._empty = not ids

    def scan(self, text: str) -> ScriptLiterals:
        lowered = text.lower()
        starts = [0]
        for m in _SEGMENT_END.finditer(text):
            if m.end() - starts[-1] >= MIN_SEGMENT:
                starts.append(m.end())
        # Per literal, a bit mask of the segments holding it; bit j + 1 stands for segment j.
        masks: dict[int, int] = {}
        if not self._empty:
            for end, (lit_id, length) in self._automaton.iter(lowered):
                first = bisect_right(starts, end - length + 1)
                last = bisect_right(starts, end)
                bits = ((1 << (last - first + 1)) - 1) << first
                masks[lit_id] = masks.get(lit_id, 0) | bits
        # str.lower() can change a string's length (e.g. "İ"); positions are then unreliable.
        return ScriptLiterals(len(text), starts, masks, exact=len(lowered) == len(text))


class ScriptLiterals:
    """The literal hits of one script, as segment bit masks."""

    def __init__(self, length: int, starts: list[int], masks: dict[int, int], exact: bool) -> None:
        self.length = length
        self.starts = starts
        self.masks = masks
        self.present = frozenset(masks)
        self.exact = exact

    def windows(self, groups: tuple[frozenset[int], ...] | None) -> list[tuple[int, int]]:
        """(start, end) ranges to scan for a pattern with these literal groups (empty: it cannot match)."""
        if groups is None:
            return [(0, self.length)]
        masks = self.masks
        candidates = -1  # all bits
        for group in groups:
            found = group & self.present  # C-speed; a script holds few of a group's literals
            if not found:
                return []
            mask = 0
            for lit_id in found:
                mask |= masks[lit_id]
            # Window k covers segments k and k + 1: bits k + 1 and k + 2 of the mask.
            candidates &= mask | (mask >> 1)
        if not self.exact:
            return [(0, self.length)]
        ranges: list[tuple[int, int]] = []
        n = len(self.starts)
        bit = 0
        while candidates:
            if candidates & 1:
                k = bit - 1
                start = self.starts[k] if k >= 0 else 0
                end = self.starts[k + 2] if k + 2 < n else self.length
                if ranges and start <= ranges[-1][1]:
                    ranges[-1] = (ranges[-1][0], max(end, ranges[-1][1]))
                else:
                    ranges.append((start, end))
            candidates >>= 1
            bit += 1
        return ranges
