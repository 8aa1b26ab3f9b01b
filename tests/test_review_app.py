"""The Review tab: handlers with roles, and a reviewer in a real browser flagging an artifact and exporting it."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest

from visitcoach.review import db as rdb
from visitcoach.ui import handlers as H
from visitcoach.ui import review as R
from visitcoach.ui.auth import Auth

from .conftest import ROOT, make_settings
from .test_app import ARTIFACTS, CHROMIUM, client, served, signed_in

SHIPPED = ROOT / "knowledge"
THREAT = "Hello <b>there</b>. If you don't pay, the police will arrest you tonight."


def _finding(start, end, text, category="threat_arrest", severity="violation"):
    return {"rule_id": "THREAT-ARREST-001", "category": category, "severity": severity, "start": start, "end": end,
            "text": text, "citation": "15 U.S.C. 1692e(4)", "explanation": "threat of arrest", "suggestion": "remove it"}


@pytest.fixture()
def res(tmp_path):
    settings = make_settings(tmp_path / "data")
    yield H.Resources(settings, Auth(settings))
    rdb.dispose()


def test_review_handlers_queue_open_mark_export_stats(res, tmp_path):
    store = res.store()
    start = THREAT.index("the police")
    bad = store.save("check", "demo-agent", "fail", {"text": THREAT, "context": {"jurisdiction": "US"},
                                                     "findings": [_finding(start, len(THREAT) - 1, THREAT[start:-1])]})
    store.save("check", "demo-agent", "pass", {"text": "We can agree a plan.", "context": {}, "findings": []})
    summary, rows, choices = R.draw(res, "demo-reviewer", 5, "", "")
    assert "seed `5`" in summary and [r[0] for r in rows] == [bad] and choices[0][1] == str(bad)
    meta, html, flagged, others, history = R.open_artifact(res, "demo-reviewer", choices[0][1])
    assert "hash ok" in meta and flagged == ["threat_arrest"] and "threat_arrest" not in others
    assert '<mark class="vc-finding vc-violation"' in html and '>the police will arrest you tonight<span class="vc-card">' in html
    assert "&lt;b&gt;there&lt;/b&gt;" in html and "<b>there</b>" not in html  # the content is escaped
    assert [h[2] for h in history] == ["Created"]
    line, rows = R.mark(res, "demo-reviewer", bad, "flag", ["threat_arrest"], [], ["abusive_language"], "real threat")
    assert "new → **flagged**" in line and rows[0][-1] == "flagged"
    path = R.export(res, "demo-reviewer", "", "", "json")
    records = json.loads(Path(path).read_text(encoding="utf-8"))["records"]
    assert any(r["action"] == "flag" and r["artifact_id"] == bad and r["note"] == "real threat" for r in records)
    frame, grouped, agreement = R.statistics(res, "demo-reviewer", "", "", "author")
    assert grouped == [["demo-agent", 1, 0]] and list(frame["key"]) == ["demo-agent"]
    assert ["Threat of arrest or police", 1, 0, 0, "1.00", "1.00"] in agreement
    assert ["Abusive language", 0, 0, 1, "—", "0.00"] in agreement
    with pytest.raises(H.Forbidden, match="agent"):
        R.draw(res, "demo-agent", 1, "", "")
    with pytest.raises(H.Forbidden):
        R.export(res, "demo-trainer", "", "", "csv")
    with pytest.raises(Exception, match="not a date"):
        R.export(res, "demo-admin", "March", "", "csv")


def test_a_span_that_does_not_match_the_text_is_listed_not_marked():
    html = R.highlight_findings("Pay now.", [_finding(0, 3, "Pay"), _finding(4, 30, "elsewhere", "visit_time", "warning")])
    assert html.count("<mark") == 1 and '>Pay<span class="vc-card">' in html and "Visit time" in html


@pytest.mark.server
def test_api_review_is_for_reviewers(tmp_path):
    from gradio_client.exceptions import AppError

    settings = make_settings(tmp_path / "data", SHIPPED)
    with served(settings) as url:
        with pytest.raises(AppError, match="agent"):
            client(url, "demo-agent").predict(0, "", "", api_name="/review_queue")
        summary, _table, _pick, _msg = client(url, "demo-admin").predict(3, "", "", api_name="/review_queue")
        assert "seed `3`" in summary
    rdb.dispose()


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium not installed (make test installs it)")
def test_a_reviewer_flags_an_artifact_and_the_export_contains_it(tmp_path):
    settings = make_settings(tmp_path / "data", SHIPPED)
    # an agent checks a script in the app's own handler: the real checker, stored as the app stores it
    agent = H.Resources(settings, Auth(settings))
    ctx = H.context_from_form("US", "", "", None, "debtor", False, [])
    verdict, _, _ = H.check(agent, "demo-agent", "If you don't pay, the police will arrest you tonight.", None, ctx, None)
    assert "FAIL" in verdict
    flagged_id = agent.store().list(kind="check")[0]["id"]
    ARTIFACTS.mkdir(exist_ok=True)
    with served(settings) as url, signed_in(url, "demo-reviewer") as page:
        assert page.get_by_role("tab", name="Prepare").count() == 0  # not a reviewer's tab
        page.get_by_role("tab", name="Review").click()
        page.locator("#vc-rev-seed input").fill("11")
        page.locator("#vc-rev-draw").click()
        page.locator("#vc-rev-run").get_by_text("seed").first.wait_for(timeout=60000)
        page.screenshot(path=str(ARTIFACTS / "review-queue.png"))
        # open the queued artifact from the picker (the queue's choices)
        page.locator("#vc-rev-pick input").fill(str(flagged_id))
        page.keyboard.press("Enter")
        mark = page.locator("#vc-rev-content mark.vc-violation").first
        mark.wait_for(timeout=60000)
        assert "arrest" in mark.inner_text()
        page.screenshot(path=str(ARTIFACTS / "review-open.png"))
        page.locator("#vc-rev-action").get_by_text("Flag", exact=True).click()
        page.locator("#vc-rev-agree").get_by_text("Threat of arrest or police").click()
        page.locator("#vc-rev-note textarea, #vc-rev-note input").first.fill("arrest threat confirmed")
        page.locator("#vc-rev-mark").click()
        page.locator("#vc-rev-result").get_by_text("flagged").first.wait_for(timeout=60000)
        page.locator("#vc-rev-history").get_by_text("arrest threat confirmed").filter(visible=True).first.wait_for(timeout=30000)
        page.locator("#vc-rev-export").click()
        link = page.locator("#vc-rev-export-file a").first
        link.wait_for(timeout=60000)
        body = page.request.get(link.get_attribute("href")).text()
        page.screenshot(path=str(ARTIFACTS / "review-flagged.png"))
        page.locator("#vc-rev-stats").click()
        page.locator("#vc-rev-agreement").get_by_text("Threat of arrest or police").filter(visible=True).first.wait_for(timeout=60000)
        page.screenshot(path=str(ARTIFACTS / "review-stats.png"))
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    flags = [r for r in rows if r["action"] == "flag"]
    assert len(flags) == 1 and flags[0]["artifact_id"] == str(flagged_id) and flags[0]["who"] == "demo-reviewer"
    assert flags[0]["note"] == "arrest threat confirmed" and json.loads(flags[0]["agreed"]) == ["threat_arrest"]
    assert "arrest" in flags[0]["content"]
    shutil.rmtree(tmp_path / "data", ignore_errors=True)
    rdb.dispose()
