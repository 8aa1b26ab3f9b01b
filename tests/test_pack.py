"""The shipped knowledge pack: every file valid, citations resolve, plan policy complete; and each
kind of file, deliberately broken, fails with a clear message naming the file and field."""

import shutil
from pathlib import Path

import pytest
import yaml

from visitcoach.corpus.pack import load_plan_policy, validate_pack

from .conftest import ROOT

PACK = ROOT / "knowledge"


@pytest.fixture(scope="module")
def report():
    return validate_pack(PACK, sample_pack=True)


def test_the_shipped_pack_is_valid(report):
    assert report.problems == []
    kinds = {d.meta.doc_type for d in report.documents}
    assert kinds >= {"policy", "legal", "case", "persona"}


def test_cases_and_personas_per_jurisdiction(report):
    for jur in ("CN", "US", "UK"):
        cases = [d for d in report.documents if d.meta.doc_type == "case" and d.meta.jurisdiction == jur]
        personas = [d for d in report.documents if d.meta.doc_type == "persona" and d.meta.jurisdiction == jur]
        assert len(cases) >= 12 and len(personas) >= 3
    cn_cases = [d for d in report.documents if d.meta.doc_type == "case" and d.meta.jurisdiction == "CN"]
    assert all(d.meta.lang == "zh" for d in cn_cases)


def test_required_case_scenarios_are_covered(report):
    cases = [d.record for d in report.documents if d.meta.doc_type == "case"]
    flags = {name: sum(getattr(c.flags, name) for c in cases) for name in type(cases[0].flags).model_fields}
    for name in (
        "dispute_pending",
        "represented_by_attorney",
        "time_barred",
        "employer_prohibits_contact",
        "breathing_space",
        "legal_action_filed",
        "cease_requested",
    ):
        assert flags[name] >= 1, name
    assert any(c.flags.capacity_concern or c.flags.vulnerable for c in cases)
    assert any(c.guarantor and c.product == "sme_loan" for c in cases)
    assert any(c.preferences.no_home_visits for c in cases)
    assert any(len(c.other_debts) >= 3 for c in cases)
    assert any(any(not p.kept for p in c.promises) for c in cases)
    assert any(any(v.result in ("complaint", "aborted") for v in c.previous_visits) for c in cases)
    assert {c.product for c in cases} == {"consumer_loan", "credit_card", "sme_loan", "auto_loan"}


def test_every_legal_document_states_its_confidence(report):
    legal = [d for d in report.documents if d.meta.doc_type == "legal"]
    assert {d.meta.jurisdiction for d in legal} == {"CN", "US", "UK"}
    assert all(d.meta.confidence in ("C", "S", "mixed") for d in legal)


def test_required_legal_provisions_are_present(report):
    cites = report.section_citations("legal")
    required = [
        "刑法第二百九十三条之一",
        "刑法第二百三十八条",
        "刑法第二百四十五条",
        "刑法第二百四十六条",
        "刑法第二百五十三条之一",
        "刑法第二百七十四条",
        "刑法第二百七十九条",
        "民法典第一千零二十四条",
        "民法典第一千零三十二条",
        "民法典第一千零三十三条",
        "民法典第一百八十八条",
        "民法典第一百九十二条",
        "个人信息保护法第二十五条",
        "CBA催收工作指引第二十二条",
        "15 U.S.C. 1692b",
        "15 U.S.C. 1692c(a)(1)",
        "15 U.S.C. 1692d",
        "15 U.S.C. 1692e",
        "15 U.S.C. 1692f",
        "15 U.S.C. 1692g",
        "12 CFR 1006.6(b)(1)",
        "12 CFR 1006.14(a)",
        "12 CFR 1006.18(e)",
        "12 CFR 1006.26(b)",
        "12 CFR 1006.100",
        "CONC 7.2.1 R",
        "CONC 7.3.10 R",
        "CONC 7.9.4 R",
        "CONC 7.9.14 R",
        "CONC 7.10.1 R",
        "CONC 7.11.1 R",
        "AJA 1970 s.40",
        "SI 2020/1311",
        "CFPB Bulletin 2015-07",
    ]
    assert [c for c in required if c not in cites] == []


def test_plan_policy_is_complete_and_ordered():
    policy = load_plan_policy(PACK)
    for product, by_jur in policy.products.items():
        for jur, pol in by_jur.items():
            assert pol.min_instalment > 0 and pol.token_payment > 0, (product, jur)
            assert 0 < pol.affordability_cap <= 1
            shares = [pol.settlement_authority[r] for r in ("agent", "supervisor", "manager")]
            assert shares == sorted(shares) and shares[0] < shares[-1]
    assert policy.required_wording["US"].en and policy.required_wording["UK"].en and policy.required_wording["CN"].zh


# --- deliberately broken copies: each must fail with the file and field named ---------------------


@pytest.fixture()
def pack_copy(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(PACK, target)
    return target


def edit_yaml(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def problems_of(root: Path) -> str:
    return "\n".join(validate_pack(root, sample_pack=True).problems)


def test_broken_case_names_file_and_field(pack_copy):
    path = pack_copy / "cases" / "us-001.yaml"
    edit_yaml(path, lambda d: d.pop("notes"))
    assert f"{path}: field 'notes': required field is missing" in problems_of(pack_copy)


def test_inconsistent_case_is_rejected(pack_copy):
    path = pack_copy / "cases" / "uk-002.yaml"
    edit_yaml(path, lambda d: d.update(arrears="999999.00"))
    assert "uk-002.yaml" in problems_of(pack_copy) and "arrears cannot exceed balance" in problems_of(pack_copy)


def test_broken_persona_names_the_unknown_intent(pack_copy):
    path = pack_copy / "personas" / "persona-cn-01.yaml"
    edit_yaml(path, lambda d: d["objections"][0].update(triggers=["yelling"]))
    found = problems_of(pack_copy)
    assert f"{path}: field 'objections.0.triggers'" in found and "yelling" in found


def test_broken_plan_policy_names_the_field(pack_copy):
    path = pack_copy / "policy" / "plan_policy.yaml"
    edit_yaml(path, lambda d: d["products"]["credit_card"]["UK"]["settlement_authority"].update(manager="0.01"))
    assert f"{path}: field 'products.credit_card.UK': settlement_authority must not decrease" in problems_of(pack_copy)
    shutil.copy(PACK / "policy" / "plan_policy.yaml", path)
    edit_yaml(path, lambda d: d["products"].pop("auto_loan"))
    assert "products lacks auto_loan" in problems_of(pack_copy)


def test_legal_section_without_citation_is_found(pack_copy):
    path = pack_copy / "legal" / "us" / "fdcpa.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('{cite="15 U.S.C. 1692d"}', ""), encoding="utf-8")
    assert f"{path}:" in problems_of(pack_copy) and "legal section without a cite attribute" in problems_of(pack_copy)


def test_unresolvable_citation_in_a_policy_is_found(pack_copy):
    path = pack_copy / "policy" / "field-visit-policy.en.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("legal_basis:", "legal_basis:\n  - 15 U.S.C. 1699z", 1), encoding="utf-8")
    assert "citation '15 U.S.C. 1699z' is not a section" in problems_of(pack_copy)


def test_missing_translation_and_fictional_flag_are_found(pack_copy):
    (pack_copy / "policy" / "vulnerable-customer-policy.zh.md").unlink()
    path = pack_copy / "cases" / "cn-002.yaml"
    edit_yaml(path, lambda d: d.update(fictional=False))
    found = problems_of(pack_copy)
    assert "no Chinese version (policy-vulnerable-zh)" in found
    assert f"{path}: field 'fictional'" in found


def test_exercises_ship_three_per_jurisdiction_with_rising_difficulty(report):
    exercises = [d.record for d in report.documents if d.meta.doc_type == "exercise"]
    for jur in ("CN", "US", "UK"):
        mine = sorted((e for e in exercises if e.jurisdiction == jur), key=lambda e: e.id)
        assert [e.difficulty for e in mine] == ["easy", "medium", "hard"], jur
    assert len({e.persona for e in exercises}) == len(exercises)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace("persona: persona-uk-01", "persona: persona-us-01"), r"field 'persona': persona-us-01 is US"),
        (lambda t: t.replace("persona: persona-uk-01", "persona: persona-uk-09"), r"no persona 'persona-uk-09'"),
        (lambda t: t.replace("pass_mark:", "pass_mark: 2 #"), r"ex-uk-01\.yaml: field 'pass_mark'"),
        (lambda t: t.replace("rubric:", "rubric_weights:"), r"field 'rubric': required field is missing"),
    ],
)
def test_broken_exercise_names_file_and_field(pack_copy, edit, message):
    import re

    path = pack_copy / "exercises" / "ex-uk-01.yaml"
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    problems = validate_pack(pack_copy).problems
    assert any(re.search(message, p) for p in problems), problems
