"""Checker behaviour: negation, quotation, spans, merging, context and absence layers, bad input."""

import pytest

from visitcoach.compliance import Checker, CheckInputError, parse_context
from visitcoach.compliance.checker import MAX_CHARS, sentences
from visitcoach.compliance.rules import load_rules
from visitcoach.errors import KnowledgeError

from .conftest import ROOT


@pytest.fixture(scope="module")
def checker():
    return Checker(load_rules(ROOT / "knowledge" / "rules"))  # deterministic layers only


def cats(report, severities=("violation", "warning")):
    return {f.category for f in report.findings if f.severity in severities}


def test_threat_is_found_with_exact_span(checker):
    text = "Hello. If you don't pay today you'll be arrested."
    report = checker.check(text, parse_context({"jurisdiction": "US"}))
    f = next(f for f in report.findings if f.category == "threat_arrest")
    assert text[f.start : f.end] == f.text and "arrested" in f.text
    assert f.citation == "15 U.S.C. 1692e(4)" and f.suggestion and f.explanation
    assert report.verdict == "fail"


def test_chinese_offsets_are_character_offsets(checker):
    text = "您好，打扰了。不还钱就抓你坐牢。"
    f = next(f for f in checker.check(text).findings if f.category == "threat_arrest")
    assert text[f.start : f.end] == f.text and f.start == text.index("抓")


@pytest.mark.parametrize(
    "text",
    [
        "You will not be arrested; this is a civil matter.",
        "Nobody is going to arrest you over this.",
        "我们不会报警抓你，这是民事纠纷。",
        "您不会因为欠款坐牢。",
    ],
)
def test_negated_mentions_are_not_threats(checker, text):
    assert "threat_arrest" not in cats(checker.check(text))


@pytest.mark.parametrize(
    "text", ['Trainer note: never say "you will be arrested" to a customer.', "培训要点：不得说“不还钱就抓你坐牢”。"]
)
def test_quoted_banned_phrase_is_info_not_violation(checker, text):
    report = checker.check(text)
    assert report.verdict == "pass"
    assert any(f.category == "threat_arrest" and f.severity == "info" for f in report.findings)


def test_overlapping_hits_of_one_rule_merge(checker):
    report = checker.check("不还钱就抓你坐牢。")
    hits = [f for f in report.findings if f.rule_id == "THREAT-ARREST-001"]
    assert len(hits) == 1 and hits[0].text == "抓你坐牢"


@pytest.mark.parametrize(
    ("jurisdiction", "time", "fires"),
    [
        ("US", "2026-03-02T20:59:00", False),
        ("US", "2026-03-02T21:00:00", True),
        ("US", "2026-03-02T07:59:00", True),
        ("CN", "2026-03-02T21:30:00", False),
        ("CN", "2026-03-02T22:00:00", True),
        ("UK", "2026-03-02T20:30:00", True),
        ("UK", "2026-03-02T19:59:00", False),
    ],
)
def test_visit_window_by_jurisdiction(checker, jurisdiction, time, fires):
    report = checker.check("Hello.", parse_context({"jurisdiction": jurisdiction, "visit_time": time}))
    assert ("visit_time" in cats(report)) is fires
    if fires:
        f = next(f for f in report.findings if f.category == "visit_time")
        assert f.start is None and f.end is None


def test_consent_to_time_allows_a_late_visit(checker):
    ctx = parse_context({"jurisdiction": "CN", "visit_time": "2026-03-02T22:30:00", "flags": {"consent_to_time": True}})
    assert "visit_time" not in cats(checker.check("您好。", ctx))


def test_without_a_jurisdiction_the_strictest_window_applies(checker):
    assert "visit_time" in cats(checker.check("Hello.", parse_context({"visit_time": "2026-03-02T20:30:00"})))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "empty"),
        ("   \n ", "empty"),
        ("x" * (MAX_CHARS + 1), "limit"),
        (b"\xff\xfe\x00", "not UTF-8"),
        ("a\x00b", "NUL"),
    ],
)
def test_bad_scripts_give_one_clear_error(checker, value, message):
    with pytest.raises(CheckInputError, match=message):
        checker.check(value)


@pytest.mark.parametrize(
    ("context", "message"),
    [
        ({"planet": "mars"}, "field 'planet': unknown field"),
        ({"visit_time": "tonight"}, "field 'visit_time'"),
        ({"flags": {"cease": True}}, "field 'flags.cease'"),
        ({"jurisdiction": "FR"}, "field 'jurisdiction'"),
        ({"collectors": -1}, "field 'collectors'"),
    ],
)
def test_bad_context_names_the_field(context, message):
    with pytest.raises(KnowledgeError, match=message):
        parse_context(context)


def test_sentences_have_offsets_into_the_text():
    text = "第一句话。Second sentence here. 第三句！"
    spans = sentences(text)
    assert [text[s:e] for s, e in spans] == ["第一句话。", "Second sentence here.", "第三句！"]


@pytest.mark.parametrize(
    ("text", "category"),
    [("别逼我们动粗，到时候大家都难看。", "violence_intimidation"), ("别逼我们报警抓你。", "threat_arrest")],
)
def test_a_negated_imperative_carrying_a_threat_is_not_a_denial(checker, text, category):
    """"Don't make us …" / 别逼我们… wraps the threat in a negation; it still threatens."""
    assert category in cats(checker.check(text, parse_context({"jurisdiction": "CN"}), lang="zh"))


@pytest.mark.parametrize("text", ["我们不会逼您，也不会动粗。", "We will not call the police.", "We don't ring your mum or anyone else about this."])
def test_a_real_denial_still_hides_the_match(checker, text):
    assert not cats(checker.check(text, parse_context({"jurisdiction": "CN"})))
