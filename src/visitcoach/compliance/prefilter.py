"""Necessary literals of a regular expression, so most patterns can be skipped without running.

For a pattern P, `required_literals(P)` returns strings such that every match of P contains at
least one of them (compared lower-cased), or None when no such set can be derived. A script that
contains none of them cannot match P. This keeps the phrase layer's cost proportional to what a
script actually says rather than to the number of rules.
"""

from __future__ import annotations

import re
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
