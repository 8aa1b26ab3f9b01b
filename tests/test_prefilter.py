"""The literal prefilter never skips a pattern that would have matched."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from visitcoach.compliance.prefilter import required_literals
from visitcoach.compliance.rules import load_rules
from visitcoach.evals.compliance import load_cases

from .conftest import ROOT

RULES = load_rules(ROOT / "knowledge" / "rules")
TEXTS = [c.text for c in load_cases(*sorted((ROOT / "evals" / "datasets").glob("compliance.*.jsonl")))]
TEXTS += [
    e.text
    for r in RULES
    for kind in ("violating", "compliant")
    for items in getattr(r.spec.examples, kind).values()
    for e in items
]


def passes(literals, text: str) -> bool:
    lowered = text.lower()
    return literals is None or all(any(lit in lowered for lit in group) for group in literals)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_every_real_match_passes_the_prefilter(rule):
    for lang, patterns in rule.patterns.items():
        for pattern, literals in zip(patterns, rule.literals[lang], strict=True):
            for text in TEXTS:
                if pattern.search(text):
                    assert passes(literals, text), (pattern.pattern, text)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"\bpolice\s+(?:will|are)", ({"police"}, {"will", "are"})),
        (r"报警.{0,6}(?:抓|处理你)", ({"报警"}, {"抓", "处理你"})),
        (r"(?:傻|煞)(?:逼|比)", ({"傻", "煞"}, {"逼", "比"})),
        (r"a?b", None),
        (r"\w+ing", ({"ing"},)),
        (r"(?:foo)?bar", ({"bar"},)),
        (r"x|\d+", None),
    ],
)
def test_required_literals(pattern, expected):
    got = required_literals(pattern)
    assert (None if got is None else tuple(set(g) for g in got)) == (None if expected is None else tuple(expected))


WORDS = st.sampled_from(
    ["arrest", "you", "will", "police", "are", "报警", "抓", "a", "b", " ", "ing", "bar", "foo", "x", "1"]
)


@settings(max_examples=300, deadline=None)
@given(
    text=st.lists(WORDS, max_size=12).map("".join),
    pattern=st.sampled_from(
        [
            r"\bpolice\s+(?:will|are)",
            r"报警.{0,6}(?:抓|处理你)",
            r"(?:foo)?bar",
            r"\w+ing",
            r"you(?:'ll| will)\s+be\s+arrest",
        ]
    ),
)
def test_prefilter_is_sound_on_random_text(text, pattern):
    if re.search(pattern, text, re.IGNORECASE):
        assert passes(required_literals(pattern), text)
