"""Repayment plans: the policy's documented cases, properties of every plan, checked proposal drafts."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from visitcoach.cli import app
from visitcoach.compliance import Checker
from visitcoach.corpus.cases import case_paths
from visitcoach.corpus.pack import load_plan_policy
from visitcoach.errors import NotFoundError
from visitcoach.evals import plans as plan_eval
from visitcoach.repayment import PlanInputError, PlanInputs, make_plan
from visitcoach.repayment.calc import ROLES, add_months, assess, plan_options
from visitcoach.repayment.proposal import amounts_in, check_numbers

from .conftest import ROOT, make_settings

KNOWLEDGE = ROOT / "knowledge"
POLICY = load_plan_policy(KNOWLEDGE)
DATASET = ROOT / "evals" / "datasets" / "plans.jsonl"
CASE_IDS = sorted(case_paths(KNOWLEDGE))
AS_OF = dt.date(2026, 11, 29)
START = dt.date(2027, 1, 1)


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory):
    """Settings over the shipped pack and one checker (its exemplar vectors are computed once)."""
    s = make_settings(tmp_path_factory.mktemp("plans"), knowledge_dir=KNOWLEDGE)
    return s, Checker.from_settings(s)


def inputs(**over) -> PlanInputs:
    base = dict(
        jurisdiction="CN",
        product="consumer_loan",
        balance="21600.00",
        arrears="3600.00",
        contractual_instalment="1200.00",
        remaining_term_months=18,
        income="6000.00",
        expenses="3166.66",
        annual_interest_rate="0.10",
    )
    return PlanInputs(**{**base, **over})


# -- the policy's worked examples and the evaluation table ----------------------------------


def test_policy_worked_examples():
    # §2.2/§2.3: I 8,000, E 5,200, O 1,300 -> D 1,500, A 900 (CN consumer loan).
    a = assess(inputs(income="8000.00", expenses="5200.00", other_debt_service="1300.00"), POLICY)
    assert (a.disposable_income, a.affordable) == (Decimal("1500.00"), Decimal("900.00"))
    # §3.1: C 1,200, R 3,600, 18 months left, A 1,700 -> n = 8 at 1,650.
    catch_up = plan_options(inputs(), POLICY, start=START)[0]
    assert (catch_up.kind, catch_up.months, catch_up.instalment_max) == ("catch_up", 8, Decimal("1650.00"))
    # §3.5: US card, B 6,000, A 700, k 6 -> S 4,200, d 0.30, above the supervisor's 0.25: a manager.
    card = inputs(
        jurisdiction="US", product="credit_card", balance="6000.00", arrears="1600.00",
        contractual_instalment="600.00", remaining_term_months=0, income="3000.00", expenses="1833.33",
        annual_interest_rate="0.24",
    )
    settlement = next(o for o in plan_options(card, POLICY, start=START) if o.kind == "settlement")
    assert settlement.details["amount"] == Decimal("4200.00")
    assert settlement.details["discount"] == Decimal("0.3000")
    assert settlement.needs_approval_by == "manager"
    assert next(o for o in plan_options(card, POLICY, start=START, role="manager") if o.kind == "settlement").needs_approval_by is None


EVAL_ROWS = plan_eval.load_cases(DATASET)


def test_dataset_covers_every_shipped_case_and_the_edges():
    assert len(EVAL_ROWS) >= 30
    assert {r.case_id for r in EVAL_ROWS if r.case_id} == set(CASE_IDS)
    assert sum(r.inputs is not None for r in EVAL_ROWS) >= 12


@pytest.mark.parametrize("row", EVAL_ROWS, ids=lambda r: r.id)
def test_plan_matches_the_evaluation_table(row):
    assert plan_eval.compare(row, plan_eval.actual(row, POLICY, KNOWLEDGE)) == []


def test_a_wrong_expectation_is_reported():
    row = EVAL_ROWS[0].model_copy(deep=True)
    row.expected["affordable"] = "1.23"
    assert plan_eval.compare(row, plan_eval.actual(row, POLICY, KNOWLEDGE)) == [
        f"affordable: expected '1.23', got {plan_eval.actual(EVAL_ROWS[0], POLICY, KNOWLEDGE)['affordable']!r}"
    ]


# -- properties of every plan -----------------------------------------------------------------

cents = st.integers(min_value=0, max_value=30_000_000).map(lambda c: Decimal(c) / 100)


@st.composite
def plan_inputs(draw):
    balance = draw(st.integers(min_value=100, max_value=50_000_000).map(lambda c: Decimal(c) / 100))
    arrears = draw(st.integers(min_value=0, max_value=int(balance * 100)).map(lambda c: Decimal(c) / 100))
    rate = draw(st.one_of(st.none(), st.integers(min_value=0, max_value=3600).map(lambda b: Decimal(b) / 10000)))
    return PlanInputs(
        jurisdiction=draw(st.sampled_from(["CN", "US", "UK"])),
        product=draw(st.sampled_from(["consumer_loan", "credit_card", "sme_loan", "auto_loan"])),
        balance=balance,
        arrears=arrears,
        contractual_instalment=draw(cents),
        remaining_term_months=draw(st.integers(min_value=0, max_value=84)),
        income=draw(cents),
        expenses=draw(cents),
        other_debt_service=draw(cents),
        annual_interest_rate=rate,
        broken_promises_90d=draw(st.integers(min_value=0, max_value=4)),
        lump_sum=draw(st.one_of(st.none(), cents)),
    )


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=plan_inputs(),
    role=st.sampled_from(ROLES),
    start=st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2030, 12, 31)),
)
def test_every_plan_keeps_the_policy(data, role, start):
    pol = POLICY.products[data.product][data.jurisdiction]
    a = assess(data, POLICY)
    options = plan_options(data, POLICY, start=start, role=role, assessment=a)
    assert options == plan_options(data, POLICY, start=start, role=role)  # deterministic
    assert options, "there is always at least the token route"
    rank = {r: i for i, r in enumerate(ROLES)} | {"credit_risk_committee": 3}
    for o in options:
        amounts = [p.amount for p in o.schedule]
        dates = [p.date for p in o.schedule]
        assert sum(amounts, Decimal("0")) == o.total_paid
        assert all(x > 0 and x == x.quantize(Decimal("0.01")) for x in amounts)
        assert all(x < y for x, y in itertools.pairwise(dates))
        assert not dates or dates[0] == start
        if o.details.get("variant") != "lump_sum":  # a lump sum comes from money the customer already has
            assert all(x <= a.affordable for x in amounts), (o.kind, amounts, a.affordable)
        if o.kind == "catch_up":
            assert o.total_paid == o.months * data.contractual_instalment + data.arrears
        if o.kind == "term_extension":
            assert o.months <= pol.max_term_months
            if data.product != "credit_card" or data.remaining_term_months:
                assert o.details["extension"] <= pol.max_extension_months
            assert o.total_paid >= data.balance
            if not data.annual_interest_rate:
                assert o.total_paid == data.balance
            assert o.details["instalment"] >= pol.min_instalment
        if o.kind == "reduced_payment":
            assert pol.min_instalment <= o.instalment_max < data.contractual_instalment
            assert o.months <= pol.reduced_payment_max_months
        if o.kind == "settlement":
            assert o.total_paid + o.total_forgiven == data.balance
            assert len(o.schedule) <= pol.settlement_max_instalments
            discount = o.total_forgiven / data.balance
            needed = next((r for r in ROLES if discount <= pol.settlement_authority[r]), "credit_risk_committee")
            if rank[needed] > rank[role]:
                assert o.needs_approval_by == needed
            else:
                assert o.needs_approval_by is None
        if o.kind == "token_payment":
            assert o.instalment_max <= min(pol.token_payment, a.affordable)


def test_add_months_keeps_the_day_or_the_month_end():
    assert [add_months(dt.date(2027, 1, 31), k) for k in range(4)] == [
        dt.date(2027, 1, 31), dt.date(2027, 2, 28), dt.date(2027, 3, 31), dt.date(2027, 4, 30)
    ]
    assert add_months(dt.date(2027, 11, 30), 3) == dt.date(2028, 2, 29)


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"balance": "-1"}, "balance: must not be negative"),
        ({"income": "lots"}, "income: not an amount"),
        ({"expenses": "1.005"}, "expenses: at most two decimals"),
        ({"product": "boat_loan"}, "product: 'boat_loan' is not one of"),
        ({"jurisdiction": "FR"}, "jurisdiction: 'FR'"),
        ({"arrears": "99999.00"}, "arrears: 99999.00 is more than the balance"),
        ({"annual_interest_rate": "7"}, "annual_interest_rate: must be between 0 and 1"),
    ],
)
def test_bad_inputs_name_the_field(over, message):
    with pytest.raises(PlanInputError, match=message):
        inputs(**over)


def test_unknown_role_is_an_error():
    with pytest.raises(PlanInputError, match="role: 'boss'"):
        plan_options(inputs(), POLICY, start=START, role="boss")


# -- proposal drafts ---------------------------------------------------------------------------


@pytest.mark.parametrize("case_id", CASE_IDS)
def test_every_shipped_case_gets_a_draft_that_passes_the_checker(pack, case_id):
    s, checker = pack
    for lang in ("zh", "en"):
        for style in ("letter", "script"):
            result = make_plan(s, case_id=case_id, as_of=AS_OF, start=START, lang=lang, style=style, checker=checker)
            draft = result.draft
            assert draft.verdict == "pass", (lang, style, draft.number_errors, [f.as_dict() for f in draft.findings])
            assert draft.text and not draft.number_errors
            # The checker, run again on the returned text, finds no violation in it.
            report = checker.check(draft.text, lang=lang)
            assert not [f for f in report.findings if f.severity == "violation" and f.layer != "context"]
            wording = POLICY.required_wording[result.inputs.jurisdiction]
            assert all(sentence in draft.text for sentence in getattr(wording, lang))
            if any(o.kind == "token_payment" for o in result.options):
                assert all(s_ in draft.text for s_ in getattr(POLICY.no_fit_route[result.inputs.jurisdiction], lang))


def test_draft_numbers_are_the_computed_numbers(pack):
    s, checker = pack
    result = make_plan(s, case_id="US-004", as_of=AS_OF, start=START, checker=checker)
    text = result.draft.text
    assert Decimal("510.00") in amounts_in(text) and Decimal("7493.09") in amounts_in(text)
    from visitcoach.repayment.proposal import allowed_amounts

    allowed = allowed_amounts(result.inputs, result.assessment, result.options)
    assert check_numbers(text, allowed, result.options) == []
    tampered = text.replace("USD 510.00", "USD 501.00")
    assert check_numbers(tampered, allowed, result.options) == [
        "amount 501.00 in the draft is not a computed figure",
        "catch_up: the draft does not state 510.00",
    ]


def test_a_template_that_breaks_a_rule_is_blocked(pack, tmp_path: Path):
    s, checker = pack
    prompts = tmp_path / "prompts"
    prompts.mkdir()
    for f in (ROOT / "prompts").glob("*.md"):
        (prompts / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    bad = prompts / "proposal_letter.en.md"
    bad.write_text(bad.read_text(encoding="utf-8") + "\nIf you do not pay, the police will arrest you.\n", encoding="utf-8")
    result = make_plan(s.model_copy(update={"prompts_dir": prompts}), case_id="US-004", as_of=AS_OF, checker=checker)
    assert result.draft.verdict == "blocked" and result.draft.text == ""
    assert any(f.category == "threat_arrest" for f in result.draft.findings)
    assert "police will arrest you" in (result.draft.blocked_text or "")


def test_contact_flags_are_reported_apart_from_the_text(pack):
    s, checker = pack
    flagged = [c for c in CASE_IDS if c == "US-004"]
    result = make_plan(s, case_id=flagged[0], as_of=AS_OF, checker=checker)
    assert result.draft.verdict == "pass"
    assert {f.category for f in result.draft.contact_findings} == {"contact_prohibited"}


def test_unknown_case_lists_the_known_ones():
    with pytest.raises(NotFoundError, match=r"unknown case id 'XX-001'.*CN-001"):
        make_plan(make_settings(Path("data"), knowledge_dir=KNOWLEDGE), case_id="XX-001")


# -- command line ---------------------------------------------------------------------------------


def run(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def test_cli_plan_case_json_has_the_contract_keys(monkeypatch):
    monkeypatch.setenv("VISITCOACH_KNOWLEDGE_DIR", str(KNOWLEDGE))
    result = run("plan", "UK-001", "--json", "--as-of", "2026-11-29", "--start", "2027-01-01")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {"disposable_income", "segment"} <= set(data["assessment"])
    assert data["options"]
    for option in data["options"]:
        assert {"kind", "instalment_max", "total_paid", "total_forgiven", "needs_approval_by", "schedule", "citation"} <= set(option)
        assert all(Decimal(p["amount"]) > 0 and dt.date.fromisoformat(p["date"]) for p in option["schedule"])
        assert option["citation"].startswith("Hardship and Repayment Plan Policy §3.")
    assert "MoneyHelper" in data["draft"]


def test_cli_plan_from_amounts(monkeypatch):
    monkeypatch.setenv("VISITCOACH_KNOWLEDGE_DIR", str(KNOWLEDGE))
    result = run(
        "plan", "--balance", "6000", "--income", "3000", "--expenses", "1833.33", "--arrears", "1600",
        "--instalment", "600", "--product", "credit_card", "--jurisdiction", "US", "--rate", "0.24",
        "--as-of", "2026-11-29", "--json",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    settlement = next(o for o in data["options"] if o["kind"] == "settlement")
    assert (settlement["amount"], settlement["needs_approval_by"]) == ("4200.00", "manager")
    assert data["draft"].count("This communication is from a debt collector.") == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["plan", "XX-404"], "unknown case id 'XX-404'"),
        (["plan", "--balance", "-10", "--income", "1", "--expenses", "1"], "--balance: must not be negative"),
        (["plan", "--balance", "ten", "--income", "1", "--expenses", "1"], "--balance: not an amount: 'ten'"),
        (["plan", "--balance", "10", "--income", "1", "--expenses", "1", "--product", "boat"], "product: 'boat'"),
        (["plan", "--balance", "10"], "missing --income, --expenses"),
        (["plan", "CN-001", "--start", "soon"], "--start: not a date"),
    ],
)
def test_cli_plan_errors_are_one_line(monkeypatch, args, message):
    monkeypatch.setenv("VISITCOACH_KNOWLEDGE_DIR", str(KNOWLEDGE))
    result = CliRunner().invoke(app, args)
    assert result.exit_code != 0
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], result.output


# -- LLM mode, through a real OpenAI-compatible HTTP server ---------------------------------------


def user_message(body: dict) -> str:
    return body["messages"][-1]["content"]


@pytest.mark.server
def test_llm_rewrites_the_draft_without_seeing_the_borrower(pack):
    from .openai_stub import OpenAIStub

    s, checker = pack
    with OpenAIStub() as server:
        # The model rewords the (redacted) draft it was sent, keeping the placeholders.
        server.replies.append(lambda body: user_message(body).replace("The options we can offer you:", "Here is what we can offer:"))
        llm = s.model_copy(update={"llm": "openai", "openai_base_url": server.base_url})
        result = make_plan(llm, case_id="US-004", as_of=AS_OF, start=START, checker=checker)
    assert result.draft.source == "llm" and result.draft.verdict == "pass", result.draft.notice
    assert "Here is what we can offer:" in result.draft.text and "Dear Kevin Tran," in result.draft.text
    sent = server.bodies()
    assert "Kevin" not in sent and "Tran" not in sent and "[PERSON_1]" in sent


@pytest.mark.server
def test_a_violating_model_draft_is_rewritten_by_the_guard_loop(pack):
    from .openai_stub import OpenAIStub

    s, checker = pack
    with OpenAIStub() as server:
        server.replies.append(lambda body: user_message(body) + "\nIf you ignore this, the police will arrest you.\n")
        server.replies.append(lambda body: user_message(body).replace("If you ignore this, the police will arrest you.", ""))
        llm = s.model_copy(update={"llm": "openai", "openai_base_url": server.base_url})
        result = make_plan(llm, case_id="US-004", as_of=AS_OF, start=START, checker=checker)
    assert result.draft.source == "llm" and result.draft.verdict == "pass"
    assert "police" not in result.draft.text
    rewrite_request = server.requests[1]["body"]["messages"]
    assert "THREAT" in rewrite_request[0]["content"] and "police will arrest you" in rewrite_request[1]["content"]


@pytest.mark.server
@pytest.mark.parametrize(
    ("reply", "notice"),
    [
        ("Dear [PERSON_1], pay USD 9,999.00 by Friday.", "amount 9999.00 in the draft is not a computed figure"),
        (500, "the model was not used"),
    ],
)
def test_a_failing_model_draft_falls_back_to_the_offline_draft(pack, reply, notice):
    from .openai_stub import OpenAIStub

    s, checker = pack
    with OpenAIStub() as server:
        server.replies.extend([reply] * 3)
        llm = s.model_copy(update={"llm": "openai", "openai_base_url": server.base_url})
        result = make_plan(llm, case_id="US-004", as_of=AS_OF, start=START, checker=checker)
    assert result.draft.source == "offline" and result.draft.verdict == "pass"
    assert notice in (result.draft.notice or "")
    assert "USD 510.00" in result.draft.text
