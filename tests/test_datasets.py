"""Evaluation datasets load and validate; a bad row names the file, line and field."""

import json

import pytest

from visitcoach.errors import KnowledgeError
from visitcoach.evals import compliance, retrieval

from .conftest import ROOT

DATA = ROOT / "evals" / "datasets"


def test_shipped_datasets_load_with_the_promised_shape():
    cases = compliance.load_cases(DATA / "compliance.jsonl")
    assert len(cases) >= 240
    assert sum(c.lang == "zh" for c in cases) == sum(c.lang == "en" for c in cases)
    assert sum(not c.expected_categories for c in cases) / len(cases) >= 0.4
    per_category = {cat: sum(cat in c.expected_categories for c in cases) for cat in compliance.CATEGORIES}
    assert min(per_category.values()) >= 6, per_category
    questions = retrieval.load_cases(DATA / "retrieval.jsonl")
    assert len(questions) >= 40 and {q.lang for q in questions} == {"zh", "en"}
    assert retrieval.load_unanswerable(DATA / "unanswerable.jsonl")


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("{not json", r"x\.jsonl:2: not JSON"),
        (
            json.dumps({"id": "b", "lang": "fr", "jurisdiction": "CN", "text": "t", "expected_categories": []}),
            r"x\.jsonl:2: field 'lang'",
        ),
        (
            json.dumps({"id": "a", "lang": "en", "jurisdiction": "US", "text": "t", "expected_categories": []}),
            r"x\.jsonl:2: field 'id': duplicate id 'a'",
        ),
        (
            json.dumps(
                {"id": "c", "lang": "en", "jurisdiction": "US", "text": "t", "expected_categories": ["rudeness"]}
            ),
            r"field 'expected_categories'",
        ),
        (
            json.dumps(
                {
                    "id": "d",
                    "lang": "en",
                    "jurisdiction": "US",
                    "text": "t",
                    "expected_categories": [],
                    "context": {"moon": 1},
                }
            ),
            r"field 'moon'",
        ),
        (
            json.dumps(
                {"id": "e", "lang": "en", "jurisdiction": "US", "text": "t", "expected_categories": [], "extra": 1}
            ),
            r"field 'extra': unknown field",
        ),
    ],
)
def test_bad_rows_name_file_line_and_field(tmp_path, row, message):
    good = json.dumps({"id": "a", "lang": "en", "jurisdiction": "US", "text": "hello", "expected_categories": []})
    path = tmp_path / "x.jsonl"
    path.write_text(good + "\n" + row + "\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=message):
        compliance.load_cases(path)


def test_every_row_names_its_language_jurisdiction_and_tags_and_they_match_what_it_is_about():
    """The slices of the eval report (per language, per jurisdiction) come from these fields, so a
    row about a Chinese case must say zh and CN."""
    from visitcoach.corpus.cases import load_case
    from visitcoach.evals import plans, prep, rehearsal
    from visitcoach.rehearsal import load_exercise

    knowledge = ROOT / "knowledge"
    for row in [*plans.load_cases(DATA / "plans.jsonl"), *prep.load_cases(DATA / "prep.jsonl")]:
        if row.case_id:
            case = load_case(knowledge, row.case_id)
            assert (row.lang, row.jurisdiction) == (case.lang, case.jurisdiction), row.id
        else:
            assert row.jurisdiction == row.inputs["jurisdiction"], row.id
        assert row.tags, row.id
    for row in rehearsal.load_cases(DATA / "rehearsal.jsonl"):
        ex = load_exercise(knowledge, row.exercise)
        assert (row.lang, row.jurisdiction) == (ex.lang, ex.jurisdiction) and row.tags, row.id


def test_a_row_without_its_language_is_refused_by_name(tmp_path):
    from visitcoach.evals import prep

    path = tmp_path / "prep.jsonl"
    row = json.loads((DATA / "prep.jsonl").read_text(encoding="utf-8").splitlines()[0])
    del row["lang"]
    path.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"prep\.jsonl:1: field 'lang'"):
        prep.load_cases(path)
