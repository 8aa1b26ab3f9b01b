"""Visit effectiveness: the shipped cases against figures computed by hand from the YAML files,
edge cases, post-visit records from `followup`, the CLI, and the Dashboard tab in a real browser."""

from __future__ import annotations

import csv
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from visitcoach.cli import app
from visitcoach.corpus.cases import all_cases
from visitcoach.corpus.pack import load_plan_policy
from visitcoach.corpus.records import read_record
from visitcoach.corpus.schemas import CaseFile, Visit
from visitcoach.effectiveness import effectiveness, render_markdown
from visitcoach.errors import ConfigError, KnowledgeError
from visitcoach.prep.history import CaseHistory

from .conftest import ROOT, make_settings

SHIPPED = ROOT / "knowledge"


@pytest.fixture(scope="module")
def shipped() -> list[CaseFile]:
    return all_cases(SHIPPED)


@pytest.fixture(scope="module")
def report(shipped) -> dict:
    return effectiveness(shipped, policy=load_plan_policy(SHIPPED))


def _row(rows: list[dict], **match: str) -> dict:
    found = [r for r in rows if all(r.get(k) == v for k, v in match.items())]
    assert len(found) == 1, (match, rows)
    return found[0]


# -- the shipped pack, computed by hand -----------------------------------------------------------------


def test_case_counts_and_remote_index_dates(report):
    # 36 cases; CN-004, US-004 and UK-004 (the disputed ones) have no visit -> 33 visited, 3 remote-only.
    assert report["cases"] == {"total": 36, "visited": 33, "remote_only": 3, "excluded": []}
    cases = {c["case_id"]: c for c in report["recovery"]["cases"]}
    # Days from first contact to first visit, visited CN cases:
    #   CN-001 12-26->01-23 28, CN-002 11-10->02-10 92, CN-003 12-30->01-18 19, CN-005 12-10->01-05 26,
    #   CN-006 04-10->05-18 38, CN-007 12-05->12-20 15, CN-008 12-28->01-25 28, CN-009 01-12->01-20 8,
    #   CN-010 08-20->09-06 17, CN-011 11-05->12-12 37, CN-012 01-28->02-10 13
    #   sorted 8 13 15 17 19 [26] 28 28 37 38 92 -> median 26; CN-004 first contact 2026-01-05 + 26 = 01-31.
    assert (cases["CN-004"]["index_date"], cases["CN-004"]["index_basis"]) == ("2026-01-31", "first_contact+26d")
    # UK: 57 57 44 14 42 21 16 23 14 12 58 -> sorted 12 14 14 16 21 [23] 42 44 57 57 58; 09-02 + 23 = 09-25.
    assert (cases["UK-004"]["index_date"], cases["UK-004"]["index_basis"]) == ("2026-09-25", "first_contact+23d")
    # US: 61 104 49 22 78 40 42 28 55 35 61 -> sorted 22 28 35 40 42 [49] 55 61 61 78 104; 09-08 + 49 = 10-27.
    assert (cases["US-004"]["index_date"], cases["US-004"]["index_basis"]) == ("2026-10-27", "first_contact+49d")
    assert cases["CN-010"]["index_date"] == "2025-09-06"  # the first of its two visits


def test_recovery_rates_before_and_after(report):
    rec = report["recovery"]
    # Visited, 90 days after the first visit (payments / arrears), the other 26 visited cases paid nothing:
    #   CN-001 1000/5412.80, CN-003 10400/31200, CN-008 3000/3420, CN-012 (700+700)/5860,
    #   UK-001 (100+100)/690, UK-003 900/3960, UK-009 136/330, UK-011 (200+200)/600,
    #   US-001 150/742.50, US-003 1200/5130, US-006 50/3968.14, US-008 415/1245, US-009 150/1320, US-011 320/960
    #   sum of the 14 rates = 4.4584... ; / 33 = 0.13510 -> 0.1351
    # Before (90 days before the first visit): UK-001 60/690, US-001 100/742.50, US-011 200/960
    #   = 0.086957 + 0.134680 + 0.208333 = 0.429970 ; / 33 = 0.013029 -> 0.0130
    assert rec["visited"] == {"n": 33, "before": "0.0130", "after": "0.1351",
                              "paying_after": {"k": 14, "n": 33, "rate": "0.4242"}}
    # Remote-only: CN-004 paid 1500 on 01-24 (before its 01-31 index), US-004 200 on 09-30 (before 10-27),
    # UK-004 100 on 10-01 (after 09-25).
    #   before (1500/3980 + 200/612 + 0)/3 = (0.376884 + 0.326797)/3 = 0.234560 -> 0.2346
    #   after  (0 + 0 + 100/540)/3 = 0.061728 -> 0.0617
    assert rec["remote"] == {"n": 3, "before": "0.2346", "after": "0.0617",
                             "paying_after": {"k": 1, "n": 3, "rate": "0.3333"}}
    # CN visited after: (0.184747 + 0.333333 + 0.877193 + 0.238908)/11 = 1.634181/11 = 0.148562 -> 0.1486
    cn = _row(rec["by_jurisdiction"], jurisdiction="CN", group="visited")
    assert (cn["n"], cn["before"], cn["after"]) == (11, "0.0000", "0.1486")


def test_cost_benefit_per_currency_product(report):
    cb = report["cost_benefit"]
    # CN: recovered 1000 + 10400 + 3000 + 1400 = 15800 CNY; cost of the 13 CN visits
    #   160+220+150+200+120+140+180+130+(170+190)+(160+210)+200 = 2230 -> 15800/2230 = 7.085 -> 7.09
    assert _row(cb["by_jurisdiction"], jurisdiction="CN") == {
        "jurisdiction": "CN", "currency": "CNY", "n_cases": 11, "n_visits": 13,
        "recovered": "15800.00", "cost": "2230.00", "recovered_per_unit_cost": "7.09"}
    # US: 150 + 1200 + 50 + 415 + 150 + 320 = 2285 USD; cost 95+110+95+95+110+95+140+140+95+95+95 = 1165 -> 1.96
    us = _row(cb["by_jurisdiction"], jurisdiction="US")
    assert (us["currency"], us["recovered"], us["cost"], us["recovered_per_unit_cost"]) == ("USD", "2285.00", "1165.00", "1.96")
    # UK: 200 + 900 + 136 + 400 = 1636 GBP; cost 80+80+85+80+85+80+80+75+(80+150)+80+85 = 1040 -> 1.573 -> 1.57
    uk = _row(cb["by_jurisdiction"], jurisdiction="UK")
    assert (uk["currency"], uk["n_visits"], uk["recovered"], uk["cost"], uk["recovered_per_unit_cost"]) == (
        "GBP", 12, "1636.00", "1040.00", "1.57")
    # CN sme_loan: CN-003 10400 for 150, CN-011 nothing for 160 + 210 -> 10400/520 = 20.00
    sme = _row(cb["by_product"], jurisdiction="CN", product="sme_loan")
    assert (sme["n_cases"], sme["n_visits"], sme["recovered_per_unit_cost"]) == (2, 3, "20.00")
    # UK auto_loan: UK-002 80, UK-008 80, UK-010 80 + 150, nothing recovered -> 0.00
    assert _row(cb["by_product"], jurisdiction="UK", product="auto_loan")["cost"] == "390.00"
    # Segments split each jurisdiction's totals without mixing currencies.
    for row in cb["by_jurisdiction"]:
        parts = [r for r in cb["by_segment"] if r["jurisdiction"] == row["jurisdiction"]]
        assert {r["currency"] for r in parts} == {row["currency"]}
        assert sum(Decimal(r["recovered"]) for r in parts) == Decimal(row["recovered"])
        assert sum(r["n_cases"] for r in parts) == row["n_cases"]


def test_promises_satisfaction_and_complaints(report):
    # Promises made on a visit day or <= 7 days after: CN-001 kept, CN-002 (02-10) broken, CN-003 kept,
    # CN-010 (09-27) broken, CN-012 kept kept broken | UK-001 (10-14) kept, UK-003 kept, UK-005 broken,
    # UK-007 broken, UK-010 (08-05) broken | US-001 (10-20) kept, US-002 (10-22) broken, US-003 kept,
    # US-005 broken, US-006 kept, US-011 (10-07) broken  -> 9 kept of 18. The other 24 of the 42: 12 kept.
    assert report["promises"]["after_visit"] == {"k": 9, "n": 18, "rate": "0.5000"}
    assert report["promises"]["other"] == {"k": 12, "n": 24, "rate": "0.5000"}
    assert _row(report["promises"]["by_jurisdiction"], jurisdiction="CN")["after_visit"] == {"k": 4, "n": 7, "rate": "0.5714"}
    # Surveys: CN 5,3,4,1,3,3,4 (sum 23, n 7) UK 5,4,4,3,1,2 (19, 6) US 5,4,4,2,4 (19, 5) -> 61/18 = 3.39;
    # felt respected: all but CN-008, UK-010's second visit and US-008 -> 15/18.
    sat = report["satisfaction"]
    assert (sat["visits"], sat["n"], sat["mean_satisfaction"], sat["felt_respected"]) == (
        36, 18, "3.39", {"k": 15, "n": 18, "rate": "0.8333"})
    assert [(b["jurisdiction"], b["mean_satisfaction"]) for b in sat["by_jurisdiction"]] == [
        ("CN", "3.29"), ("US", "3.80"), ("UK", "3.17")]  # 23/7, 19/5, 19/6
    # Complaints: CN-008 (factory gate), UK-010 (second visit), US-009 (driveway) of 13 + 11 + 12 = 36 visits.
    co = report["complaints"]
    assert (co["complaints"], co["visits"], co["per_100_visits"]) == (3, 36, "8.33")
    assert [(b["jurisdiction"], b["per_100_visits"]) for b in co["by_jurisdiction"]] == [
        ("CN", "7.69"), ("US", "9.09"), ("UK", "8.33")]  # 100/13, 100/11, 100/12


def test_the_method_states_its_limits_in_both_languages(shipped):
    en = effectiveness(shipped, lang="en")
    zh = effectiveness(shipped, lang="zh", jurisdiction="uk")
    assert "observational" in en["method"] and "selection bias" in en["method"] and "Samples are small" in en["method"]
    assert "(14/33)" in render_markdown(en)
    assert "观察性" in zh["method"] and "选择偏差" in zh["method"] and "样本量" in zh["method"] and zh["jurisdiction"] == "UK"
    assert "局限" in render_markdown(zh) and zh["cases"]["total"] == 12


# -- edge cases --------------------------------------------------------------------------------------------


def _case(shipped: list[CaseFile], case_id: str, **update: object) -> CaseFile:
    base = next(c for c in shipped if c.id == case_id)
    return base.model_copy(update=update)


def test_no_visits_at_all(shipped):
    # Without any visited case the remote index date is the first contact itself (offset 0).
    cases = [_case(shipped, "CN-001", previous_visits=[]), _case(shipped, "CN-006", previous_visits=[], contact_history=[])]
    out = effectiveness(cases)
    assert out["cases"]["visited"] == 0 and out["cases"]["remote_only"] == 1
    assert out["cases"]["excluded"] == [{"case_id": "CN-006", "reason": "no visit and no recorded contact to date it"}]
    only = out["recovery"]["cases"][0]
    # CN-001: first contact 2025-12-26; the 1000 paid on 2026-02-19 is 55 days later.
    assert (only["index_date"], only["paid_after"], only["rate_after"]) == ("2025-12-26", "1000.00", "0.1847")
    assert out["recovery"]["visited"] == {"n": 0, "before": None, "after": None, "paying_after": {"k": 0, "n": 0, "rate": None}}
    assert out["cost_benefit"]["by_jurisdiction"] == [] and out["complaints"]["per_100_visits"] is None
    assert out["satisfaction"]["mean_satisfaction"] is None
    assert "n/a" in render_markdown(out)


def test_zero_cost_and_mixed_currencies_stay_apart(shipped):
    free = Visit(date=dt.date(2026, 1, 23), collectors=2, cost=Decimal("0.00"), outcome="x", result="promise")
    cn = _case(shipped, "CN-001", previous_visits=[free])  # CNY 1000 recovered for nothing on record
    uk = _case(shipped, "UK-011")  # consumer_loan too: GBP 400 for 80
    out = effectiveness([cn, uk])
    rows = out["cost_benefit"]["by_product"]
    assert [(r["jurisdiction"], r["currency"], r["recovered"], r["cost"], r["recovered_per_unit_cost"]) for r in rows] == [
        ("CN", "CNY", "1000.00", "0.00", None), ("UK", "GBP", "400.00", "80.00", "5.00")]
    assert "| n/a |" in render_markdown(out)


def test_bad_arguments_and_survey_values_are_one_clear_error(shipped, tmp_path):
    with pytest.raises(ConfigError, match="--jurisdiction must be one of CN, US, UK, not 'FR'"):
        effectiveness(shipped, jurisdiction="FR")
    with pytest.raises(ConfigError, match=r"--days \(the window, VISITCOACH_EFFECT_WINDOW_DAYS\) must be at least 1, not 0"):
        effectiveness(shipped, window_days=0)
    text = (SHIPPED / "cases" / "cn-001.yaml").read_text(encoding="utf-8").replace("satisfaction: 5", "satisfaction: 6")
    path = tmp_path / "cn-001.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"cn-001\.yaml: field 'previous_visits\.0\.survey\.satisfaction'"):
        read_record(path, CaseFile, "case file")


# -- post-visit records and the CLI -------------------------------------------------------------------------

RECORD = """\
case_id: CN-002
visit_date: "2026-03-10"
time_in: "10:00"
time_out: "10:40"
attendees:
  - {name: "Zhang Wei", staff_number: "B-1024"}
  - {name: "Li Na", staff_number: "B-2048"}
customer_met: true
id_shown: true
identity_verified: true
recording_consent: false
outcome: complaint
visit_cost: "200.00"
survey: {satisfaction: 2, felt_respected: false}
"""


def cli(*args: str):
    return CliRunner().invoke(app, list(args))


@pytest.fixture()
def cli_env(tmp_path, monkeypatch) -> Path:
    data = tmp_path / "data"
    monkeypatch.setenv("VISITCOACH_KNOWLEDGE_DIR", str(SHIPPED))
    monkeypatch.setenv("VISITCOACH_DATA_DIR", str(data))
    return data


def test_followup_records_and_history_payments_are_included(cli_env, tmp_path):
    record = tmp_path / "visit.yaml"
    record.write_text(RECORD, encoding="utf-8")
    result = cli("followup", "CN-002", "--record", str(record), "--json")
    assert result.exit_code == 0, result.output
    CaseHistory(cli_env / "history.sqlite").append("CN-002", [("payment", {"date": "2026-03-20", "amount": "5000.00"})])
    data = json.loads(cli("report", "effectiveness", "--jurisdiction", "CN", "--json").output)
    # CN now has 14 visits and 2 complaints (CN-008, this one): 200/14 = 14.29 per 100.
    assert data["complaints"] | {"by_jurisdiction": None} == {"complaints": 2, "visits": 14, "per_100_visits": "14.29",
                                                                "by_jurisdiction": None}
    # Surveys: (23 + 2)/8 = 3.125 -> 3.13; felt respected 6 of 8.
    assert (data["satisfaction"]["n"], data["satisfaction"]["mean_satisfaction"]) == (8, "3.13")
    assert data["satisfaction"]["felt_respected"] == {"k": 6, "n": 8, "rate": "0.7500"}
    # The 03-10 visit is within 90 days of CN-002's first (02-10): cost 2230 + 200 = 2430; the 5000 paid on
    # 03-20 too: recovered 15800 + 5000 = 20800 -> 20800/2430 = 8.56.
    cn = data["cost_benefit"]["by_jurisdiction"][0]
    assert (cn["n_visits"], cn["recovered"], cn["cost"], cn["recovered_per_unit_cost"]) == (14, "20800.00", "2430.00", "8.56")
    case = next(c for c in data["recovery"]["cases"] if c["case_id"] == "CN-002")
    assert (case["paid_after"], case["rate_after"]) == ("5000.00", "0.2681")  # 5000/18650


def test_cli_json_keys_window_and_csv(cli_env, tmp_path):
    out = tmp_path / "eff.csv"
    result = cli("report", "effectiveness", "--json", "--days", "30", "--jurisdiction", "CN", "--csv", str(out))
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {"window_days", "jurisdiction", "cases", "recovery", "cost_benefit", "promises", "satisfaction",
            "complaints", "method", "csv"} <= set(data)
    assert set(data["recovery"]) == {"visited", "remote", "by_jurisdiction", "cases"}
    assert set(data["cost_benefit"]) == {"by_jurisdiction", "by_product", "by_segment"}
    # 30 days: CN-008's 3000 (39 days after its visit) drops out:
    #   (1000/5412.80 + 10400/31200 + 1400/5860)/11 = 0.756988/11 = 0.068817 -> 0.0688
    assert (data["window_days"], data["recovery"]["visited"]["after"]) == (30, "0.0688")
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[0].keys() == {"section", "jurisdiction", "currency", "group", "metric", "value", "n"}
    assert {"section": "complaints", "jurisdiction": "CN", "currency": "", "group": "", "metric": "per_100_visits",
            "value": "7.69", "n": "13"} in rows
    text = cli("report", "effectiveness", "--lang", "zh")
    assert text.exit_code == 0 and "局限" in text.output and "每百次外访" in text.output
    bad = cli("report", "effectiveness", "--jurisdiction", "XX")
    assert bad.exit_code == 1 and bad.output.strip().splitlines() == [
        "error: --jurisdiction must be one of CN, US, UK, not 'XX'"]


# -- the Dashboard tab ---------------------------------------------------------------------------------------


def test_dashboard_is_for_managers(tmp_path):
    from visitcoach.ui import handlers as H
    from visitcoach.ui.auth import Auth
    from visitcoach.ui.dashboard import chart_frames, dashboard_data

    settings = make_settings(tmp_path / "d", SHIPPED)
    res = H.Resources(settings, Auth(settings))
    data = dashboard_data(res, "demo-trainer", "ALL", 90, "en")
    recovery, cost, complaints, satisfaction = chart_frames(data, "en")
    assert list(recovery["bar"]) == ["visited · before (n=33)", "visited · after (n=33)",
                                     "remote-only · before (n=3)", "remote-only · after (n=3)"]
    assert list(cost["bar"]) == ["CN (CNY, n=11)", "US (USD, n=11)", "UK (GBP, n=11)"]
    assert list(complaints["per_100"]) == [7.69, 9.09, 8.33] and list(satisfaction["mean"]) == [3.29, 3.8, 3.17]
    with pytest.raises(H.Forbidden, match="agent"):
        dashboard_data(res, "demo-agent", "ALL", 90, "en")


@pytest.mark.browser
def test_the_dashboard_in_a_real_browser(tmp_path):
    from .test_app import ARTIFACTS, CHROMIUM, client, served, signed_in, value_of

    if CHROMIUM is None:
        pytest.skip("Debian chromium not installed (make test installs it)")
    # The dashboard reads case files only: no index is needed.
    with served(make_settings(tmp_path / "data", SHIPPED)) as url:
        md, _rec, _cost, _compl, _sat, csv_file, msg = client(url, "demo-reviewer").predict("UK", 90, api_name="/dashboard")
        csv_file = value_of(csv_file)  # the download button's update (enabled, with its file)
        assert msg == "" and "| UK | 1 | 12 | 8.33 |" in md and Path(csv_file).read_text(encoding="utf-8").startswith("section,")
        ARTIFACTS.mkdir(exist_ok=True)
        with signed_in(url, "demo-reviewer") as page:
            assert page.get_by_role("tab", name="Prepare").count() == 0  # a reviewer does not prepare visits
            page.get_by_role("tab", name="Dashboard").click()
            page.locator("#vc-dash-go").click()
            report = page.locator("#vc-dash-report")
            report.get_by_text("Complaints").first.wait_for(timeout=60000)
            text = report.inner_text()
            assert "42.4% (14/33)" in text and "8.33" in text  # figures with their n
            assert "observational" in text and "Limits" in text  # the method and its limits on the page
            page.locator("#vc-dash-recovery").get_by_text("visited · after (n=33)").first.wait_for(timeout=30000)
            page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
