"""Every rule's own examples are tests; broken rule files fail with file, rule id and field."""

from pathlib import Path

import pytest

from visitcoach.compliance import Checker, parse_context
from visitcoach.compliance.rules import CATEGORIES, load_rules
from visitcoach.corpus.pack import validate_pack
from visitcoach.errors import KnowledgeError
from visitcoach.retrieval.embeddings import E5Embeddings

from .conftest import ROOT

RULES_DIR = ROOT / "knowledge" / "rules"
RULES = load_rules(RULES_DIR)


@pytest.fixture(scope="module")
def checker(tmp_path_factory):
    return Checker(RULES, E5Embeddings(), tmp_path_factory.mktemp("cache"))


def _cases(kind: str):
    for rule in RULES:
        for lang, items in getattr(rule.spec.examples, kind).items():
            for n, example in enumerate(items):
                yield pytest.param(rule, lang, example, id=f"{rule.id}-{kind}-{lang}-{n}")


@pytest.mark.parametrize(("rule", "lang", "example"), list(_cases("violating")))
def test_violating_example_fires_its_rule_without_the_semantic_layer(checker, rule, lang, example):
    report = checker.check(example.text, parse_context(example.context), lang=lang, semantic=False)
    # One finding per category and span: a rule that fired may be listed under a more specific one's `also`.
    fired = [f for f in report.findings if (f.rule_id == rule.id or rule.id in f.also) and f.severity == rule.spec.severity]
    assert fired, f"{rule.id} did not fire on {example.text!r}: {[f.rule_id for f in report.findings]}"


@pytest.mark.parametrize(("rule", "lang", "example"), list(_cases("compliant")))
def test_compliant_example_fires_nothing_of_its_category(checker, rule, lang, example):
    report = checker.check(example.text, parse_context(example.context), lang=lang)
    same = [f for f in report.findings if f.category == rule.category and f.severity != "info"]
    assert not same, f"{[(f.rule_id, f.text, f.layer) for f in same]} on {example.text!r}"


def test_every_category_has_rules_for_every_jurisdiction():
    for category in CATEGORIES:
        jurisdictions = {j for r in RULES if r.category == category for j in r.spec.jurisdictions}
        expected = {"CN", "US", "UK"}
        assert jurisdictions == expected or (category == "contact_prohibited" and jurisdictions <= expected), category


def test_every_rule_citation_resolves_to_a_pack_section():
    sections = validate_pack(ROOT / "knowledge").section_citations("legal", "policy")
    for rule in RULES:
        cites = rule.spec.citation.values() if isinstance(rule.spec.citation, dict) else [rule.spec.citation]
        for cite in cites:
            assert cite in sections, f"{rule.id}: {cite!r}"


def _write(tmp_path: Path, body: str) -> Path:
    rules = tmp_path / "rules"
    rules.mkdir(exist_ok=True)
    (rules / "broken.yaml").write_text(body, encoding="utf-8")
    return rules


GOOD_RULE = (RULES_DIR / "threat_arrest.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            lambda t: t.replace("category: threat_arrest", "category: rudeness", 1),
            r"rule THREAT-ARREST-001: field 'category'",
        ),
        (lambda t: t.replace("severity: violation", "severity: fatal", 1), r"field 'severity'"),
        (
            lambda t: t.replace("jurisdictions: [CN, US, UK]", "jurisdictions: [CN, US, UK]\n    colour: red", 1),
            r"rule THREAT-ARREST-001: field 'colour': unknown field",
        ),
        (
            lambda t: t.replace(
                "        en:\n          - \\b(?:you", "        en:\n          - (unclosed\n          - \\b(?:you", 1
            ),
            r"rule THREAT-ARREST-001: field 'detect\.patterns\.en\.0': bad regular expression",
        ),
        (lambda t: t.replace("      UK: AJA 1970 s.40\n", "", 1), r"citation lacks jurisdictions \['UK'\]"),
        (lambda t: t.replace("rules:", "rules: [", 1), r"broken YAML"),
    ],
)
def test_broken_rule_names_file_rule_and_field(tmp_path, mutate, expected):
    directory = _write(tmp_path, mutate(GOOD_RULE))
    with pytest.raises(KnowledgeError, match=expected) as info:
        load_rules(directory)
    assert "broken.yaml" in str(info.value)


def test_duplicate_rule_ids_are_rejected(tmp_path):
    directory = _write(tmp_path, GOOD_RULE)
    (directory / "again.yaml").write_text(GOOD_RULE, encoding="utf-8")
    with pytest.raises(KnowledgeError, match="duplicate id"):
        load_rules(directory)


def test_example_with_a_bad_context_is_rejected(tmp_path):
    bad = GOOD_RULE.replace(
        "          - If you don't pay today you'll be arrested.", "          - {text: x, context: {planet: mars}}", 1
    )
    with pytest.raises(KnowledgeError, match="planet"):
        load_rules(_write(tmp_path, bad))
