"""The literal prefilter never skips a pattern that would have matched."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from visitcoach.compliance.prefilter import LiteralIndex, required_literals
from visitcoach.compliance.rules import load_rules
from visitcoach.evals.compliance import load_cases

from .conftest import ROOT

RULES = load_rules(ROOT / "knowledge" / "rules")
TEXTS = [c.text for c in load_cases(ROOT / "evals" / "datasets" / "compliance.jsonl")]
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


def windowed_matches(index: LiteralIndex, i: int, pattern: re.Pattern, text: str) -> list[tuple[int, int]]:
    return [m.span() for a, b in index.scan(text).windows(index.groups[i]) for m in pattern.finditer(text, a, b)]


# Scripts of several sentences: the dataset's and the rules' examples, joined three at a time, so
# matches sit at the start, middle and end of longer scripts as they do in real transcripts.
LONG_TEXTS = [" ".join(TEXTS[i : i + 3]) for i in range(0, len(TEXTS), 2)]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_windowed_scan_finds_what_a_whole_script_scan_finds(rule):
    pairs = [(p, lits) for lang in rule.patterns for p, lits in zip(rule.patterns[lang], rule.literals[lang], strict=True)]
    index = LiteralIndex([lits for _, lits in pairs])
    for i, (pattern, _) in enumerate(pairs):
        for text in LONG_TEXTS:
            expected = [m.span() for m in pattern.finditer(text)]
            if expected or index.scan(text).windows(index.groups[i]):
                assert windowed_matches(index, i, pattern, text) == expected, (pattern.pattern, text)


@settings(max_examples=300, deadline=None)
@given(
    parts=st.lists(
        st.sampled_from(["The police will", "arrest you", "报警", "抓你。", ". ", "\n", "you will", " be arrested", "? "]),
        max_size=10,
    ),
)
def test_windowed_scan_on_random_segments(parts):
    text = "".join(parts)
    patterns = [r"\bpolice\s+will\s+arrest", r"报警.{0,6}抓", r"you\s+will\s+be\s+arrested"]
    index = LiteralIndex([required_literals(p) for p in patterns])
    for i, p in enumerate(patterns):
        compiled = re.compile(p, re.IGNORECASE)
        assert windowed_matches(index, i, compiled, text) == [m.span() for m in compiled.finditer(text)]
