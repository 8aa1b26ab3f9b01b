"""The review desk, the same suite against SQLite and a real PostgreSQL server on loopback."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
import sqlalchemy as sa

from visitcoach.config import reset_settings
from visitcoach.errors import ConfigError
from visitcoach.review import AppendOnlyError, IntegrityMismatch, ReviewDesk, ReviewError, SamplingPolicy
from visitcoach.review import db as rdb
from visitcoach.review.export import read_export, write_export
from visitcoach.review.store import ArtifactStore

from .conftest import make_settings


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "sqlite":
        value = f"sqlite:///{tmp_path / 'review.sqlite'}"
    else:
        value = request.getfixturevalue("postgres_cluster").create_database()
    yield value
    rdb.dispose(value)


@pytest.fixture()
def desk(url):
    return ReviewDesk(url)


def finding(category="threat_arrest", severity="violation", start=None, end=None, text=None, rule="R-1"):
    return {"rule_id": rule, "category": category, "severity": severity, "start": start, "end": end, "text": text,
            "citation": "c", "explanation": "e", "suggestion": "s"}


def check_payload(text, findings=(), jurisdiction="US"):
    return {"text": text, "context": {"jurisdiction": jurisdiction}, "verdict": "fail" if findings else "pass",
            "findings": list(findings)}


def save_check(desk, text, findings=(), author="agent-1", created=None, jurisdiction="US"):
    return desk.record("check", author, "check", check_payload(text, findings, jurisdiction), created=created)


def raw(desk, sql):
    with desk.engine.begin() as conn:
        conn.exec_driver_sql(sql)


# -- storing ---------------------------------------------------------------------------------------------


def test_the_store_keeps_its_api_and_adds_findings_and_a_hash(url):
    store = ArtifactStore(url)
    text = "If you don't pay, the police will arrest you."
    store.save("check", "ann", "fail: 1", check_payload(text, [finding(start=22, end=44, text=text[22:44])]))
    store.save("brief", "bob", "US-001: go", {"case_id": "US-001", "lang": "en", "opening_script": "Hello, I am Jo.",
                                              "opening_check": {"verdict": "pass", "findings": []}}, ref="US-001",
               jurisdiction="US")
    rows = store.list()
    assert [r["kind"] for r in rows] == ["brief", "check"]
    assert rows[0]["user"] == "bob" and rows[0]["ref"] == "US-001" and rows[0]["content"] == "Hello, I am Jo."
    assert rows[1]["content"] == text and rows[1]["worst_severity"] == "violation" and rows[1]["jurisdiction"] == "US"
    assert len(rows[1]["content_hash"]) == 64 and all(r["hash_ok"] for r in rows)
    assert [r["kind"] for r in store.list(kind="check", user="ann")] == ["check"] and store.list(user="nobody") == []
    assert store.desk.history(rows[1]["id"])[0].action == "created"


def test_rehearsal_transcripts_are_one_text_with_findings_in_place(desk):
    turns = [
        {"role": "agent", "text": "Hello, I am Jo from Acme.", "findings": []},
        {"role": "borrower", "text": "What do you want?", "findings": []},
        {"role": "agent", "text": "Pay or the police will arrest you.",
         "findings": [finding(start=7, end=33, text="the police will arrest you")]},
    ]
    a = desk.artifact(desk.record("rehearsal", "ann", "ex-us-01: 0.2 fail", {"exercise": "ex-us-01", "transcript": turns}))
    f = a.findings[0]
    assert a.content.splitlines()[2] == "agent: Pay or the police will arrest you."
    assert a.content[f["start"]:f["end"]] == "the police will arrest you" and f["turn"] == 2
    assert a.case_id == "ex-us-01" and a.worst_severity == "violation"


def test_database_urls():
    assert rdb.normalise_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert rdb.normalise_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"
    with pytest.raises(ConfigError, match="VISITCOACH_DATABASE_URL: unsupported database 'mysql'"):
        rdb.normalise_url("mysql://u@h/db")
    settings = make_settings(__import__("pathlib").Path("/tmp/x"))
    assert rdb.database_url(settings) == "sqlite:////tmp/x/app.sqlite"
    reset_settings()


def test_reading_an_absent_database_creates_nothing(tmp_path):
    store = ArtifactStore(tmp_path / "none" / "app.sqlite")
    assert store.list() == [] and store.desk.queue() == [] and not (tmp_path / "none").exists()


# -- hash, append-only ---------------------------------------------------------------------------------


def test_a_content_hash_mismatch_is_reported_and_blocks_review(desk, caplog):
    ok = save_check(desk, "We can agree a plan you can afford.")
    tampered = save_check(desk, "We can agree a plan you can afford.")
    raw(desk, f"UPDATE artifacts SET content = 'Pay now or else.' WHERE id = {tampered}")  # not reviewed: no trigger
    assert desk.artifact(ok).hash_ok
    with caplog.at_level(logging.ERROR, logger="visitcoach.review.desk"):
        assert desk.artifact(tampered).hash_ok is False
    assert f"artifact {tampered}: content does not match" in caplog.text
    with pytest.raises(IntegrityMismatch, match=f"artifact {tampered}: content does not match its stored hash"):
        desk.mark(tampered, "rev", "approve")
    assert desk.history(tampered)[-1].action == "hash_mismatch"
    assert desk.status(tampered)["status"] == "new"
    assert [q["hash_ok"] for q in desk.queue()] == []  # no run yet


def test_the_audit_trail_is_append_only(desk):
    aid = save_check(desk, "You will be arrested.", [finding(start=9, end=20)])
    event = desk.mark(aid, "rev", "flag", agreed=["threat_arrest"], note="clear threat")
    # the library refuses, and the attempt itself is an audit event
    with pytest.raises(AppendOnlyError, match=f"audit event {event.id} is append-only"):
        desk.edit_event(event.id, "mallory", note="nothing to see")
    with pytest.raises(AppendOnlyError, match=f"artifact {aid} has been reviewed"):
        desk.edit_content(aid, "mallory", "You may be contacted.")
    refused = [e for e in desk.history(aid) if e.action == "edit_refused"]
    assert [e.who for e in refused] == ["mallory", "mallory"]
    assert refused[0].previous_state == {"note": "clear threat"} and refused[0].new_state == {"note": "nothing to see"}
    assert desk.artifact(aid).content == "You will be arrested." and desk.artifact(aid).hash_ok
    # the database refuses raw SQL too (triggers)
    desk.draw_queue("rev", seed=1)
    assert desk.purge("admin").artifacts == 0  # a purge that finds nothing old still leaves its record
    for sql in (f"UPDATE audit_events SET note = 'x' WHERE id = {event.id}",
                f"DELETE FROM audit_events WHERE id = {event.id}",
                f"UPDATE artifacts SET content = 'x' WHERE id = {aid}",
                f"DELETE FROM artifacts WHERE id = {aid}",
                "DELETE FROM sampling_runs", "DELETE FROM purge_log"):
        with pytest.raises(sa.exc.DBAPIError, match=r"append-only|reviewed|kept"):
            raw(desk, sql)
    assert desk.history(aid)[1].note == "clear threat"


def test_an_unreviewed_artifact_may_be_corrected_with_a_trail(desk):
    aid = save_check(desk, "Helo.")
    desk.edit_content(aid, "agent-1", "Hello.")
    a = desk.artifact(aid)
    assert a.content == "Hello." and a.hash_ok
    last = desk.history(aid)[-1]
    assert last.action == "amended" and last.previous_state["content_hash"] != last.new_state["content_hash"]


# -- review ----------------------------------------------------------------------------------------------


def test_marking_records_previous_state_and_checks_categories(desk):
    aid = save_check(desk, "Pay or we tell your boss, deadbeat.", [finding("third_party_disclosure"), finding("abusive_language")])
    with pytest.raises(ReviewError, match="action 'delete' is not one of approve, flag, escalate"):
        desk.mark(aid, "rev", "delete")
    with pytest.raises(ReviewError, match="category 'threat_arrest' was not flagged by the checker"):
        desk.mark(aid, "rev", "flag", agreed=["threat_arrest"])
    with pytest.raises(ReviewError, match="'abusive_language' was already flagged"):
        desk.mark(aid, "rev", "flag", added=["abusive_language"])
    with pytest.raises(ReviewError, match="'nonsense' is not in the taxonomy"):
        desk.mark(aid, "rev", "flag", added=["nonsense"])
    first = desk.mark(aid, "rev", "flag", agreed=["third_party_disclosure"], disagreed=["abusive_language"],
                      added=["pressure_borrow_sell"], note="boss threat is real")
    assert first.previous_state == {"status": "new"} and first.new_state["status"] == "flagged"
    second = desk.mark(aid, "lead", "escalate", agreed=["third_party_disclosure", "abusive_language"], note="on reflection")
    assert second.previous_state["status"] == "flagged" and second.previous_state["who"] == "rev"
    assert second.previous_state["disagreed"] == ["abusive_language"]
    assert desk.status(aid)["status"] == "escalated"
    assert [e.action for e in desk.history(aid)] == ["created", "flag", "escalate"]


# -- sampling --------------------------------------------------------------------------------------------


def _population(desk, clean=200, flagged=15, now=None):
    now = now or dt.datetime(2026, 6, 1, 12)
    ids = {"clean": [], "flagged": []}
    for n in range(clean):
        ids["clean"].append(save_check(desk, f"Hello {n}.", author=f"a{n % 4}", created=now - dt.timedelta(hours=n)))
    for n in range(flagged):
        sev = "violation" if n % 2 else "warning"
        ids["flagged"].append(save_check(desk, f"Pay now {n}.", [finding(severity=sev)], author="a9",
                                         created=now - dt.timedelta(hours=n)))
    desk.record("ingest", "a1", "1 added", {"added": ["x"]}, created=now)  # not reviewable (answers are, since #15)
    return ids, now


@pytest.mark.parametrize(("rate", "expected_clean"), [(0.1, 20), (0.25, 50), (0.0, 0), (1.0, 200)])
def test_sampling_takes_every_finding_and_the_policy_share_of_the_rest(url, rate, expected_clean):
    desk = ReviewDesk(url, SamplingPolicy(rate=rate))
    ids, now = _population(desk)
    run = desk.draw_queue("rev", seed=7, now=now)
    drawn = set(run.drawn)
    assert set(ids["flagged"]) <= drawn
    assert len(drawn & set(ids["clean"])) == expected_clean
    assert len(run.drawn) == 15 + expected_clean
    assert run.policy["rate"] == rate and len(run.candidates) == 215  # the ingest is not a candidate


def test_sampling_is_seeded_recorded_and_reproducible(desk):
    _ids, now = _population(desk)
    a = desk.draw_queue("rev", seed=42, now=now)
    b = desk.draw_queue("rev", seed=42, now=now)
    c = desk.draw_queue("rev", seed=43, now=now)
    assert a.drawn == b.drawn and a.drawn != c.drawn
    stored = desk.run(a.id)
    assert stored.seed == 42 and stored.who == "rev" and stored.drawn == a.drawn
    assert desk.reproduce(a.id) == a.drawn and desk.reproduce(c.id) == c.drawn
    assert [q["id"] for q in desk.queue()] == c.drawn  # the latest run is the queue
    # reviewed artifacts leave the pool of the next draw
    desk.mark(a.drawn[0], "rev", "approve", agreed=desk.artifact(a.drawn[0]).categories)
    assert a.drawn[0] not in desk.draw_queue("rev", seed=42, now=now).drawn


def test_sampling_is_weighted_towards_authors_with_recent_findings(url):
    desk = ReviewDesk(url, SamplingPolicy(rate=0.1, recent_days=30, author_weight=3.0))
    now = dt.datetime(2026, 6, 1, 12)
    for n in range(100):
        save_check(desk, f"Hi {n}.", author="risky", created=now - dt.timedelta(days=1))
        save_check(desk, f"Hi {n}.", author="calm", created=now - dt.timedelta(days=1))
    save_check(desk, "Pay or else.", [finding()], author="risky", created=now - dt.timedelta(days=3))
    save_check(desk, "Pay or else.", [finding()], author="calm", created=now - dt.timedelta(days=90))  # not recent
    risky = calm = 0
    for seed in range(30):
        run = desk.draw_queue("rev", seed=seed, now=now)
        weights = {cid: w for cid, w, always in run.candidates if not always}
        for cid in run.drawn:
            if cid in weights:
                risky += weights[cid] == 3.0
                calm += weights[cid] == 1.0
    assert risky + calm == 30 * 20
    assert risky / (risky + calm) > 0.65  # 0.75 expected with weight 3; 0.5 if unweighted


# -- export, retention, statistics -----------------------------------------------------------------------


def test_export_round_trip_csv_and_json(desk, tmp_path):
    text = 'Line one, with a comma\nline two "quoted" 中文：你不还钱我们就报警。'
    aid = desk.record("check", "张三", "fail", check_payload(text, [finding(start=0, end=4, text="Line")], None),
                      created=dt.datetime(2025, 1, 10, 9, 30))
    other = save_check(desk, "Hello.", created=dt.datetime(2025, 3, 1, 9))
    desk.mark(aid, "审核员", "flag", agreed=["threat_arrest"], added=["abusive_language"], note="")
    desk.mark(other, "rev", "approve", note="fine, with a comma")
    records = desk.export_records()
    assert [r["action"] for r in records] == ["created", "created", "flag", "approve"]
    for fmt in ("csv", "json"):
        path = write_export(records, tmp_path / f"export.{fmt}", fmt)
        assert read_export(path) == records
    flag = next(r for r in records if r["action"] == "flag")
    assert flag["artifact_id"] == aid and flag["who"] == "审核员" and flag["content"] == text and flag["note"] == ""
    assert flag["agreed"] == ["threat_arrest"] and flag["added"] == ["abusive_language"] and flag["jurisdiction"] is None
    assert flag["previous_state"] == {"status": "new"} and flag["hash_ok"] is True
    january = desk.export_records(dt.date(2025, 1, 1), dt.date(2025, 1, 31))
    assert [(r["action"], r["artifact_id"]) for r in january] == [("created", aid)]
    today = dt.datetime.now(dt.UTC).date()
    assert [r["action"] for r in desk.export_records(today, today)] == ["flag", "approve"]


def test_retention_purge_deletes_only_old_records_and_logs_it(url, caplog):
    desk = ReviewDesk(url, retention_days=1095)
    now = dt.datetime(2026, 6, 1)
    old = save_check(desk, "Old.", [finding()], created=now - dt.timedelta(days=1200))
    recent = save_check(desk, "Recent.", [finding()], created=now - dt.timedelta(days=10))
    desk.mark(old, "rev", "flag", agreed=["threat_arrest"])  # a review made today of an old artifact goes with it
    desk.draw_queue("rev", seed=1, now=now - dt.timedelta(days=1100))
    kept_run = desk.draw_queue("rev", seed=1, now=now)
    with caplog.at_level(logging.WARNING, logger="visitcoach.review.desk"):
        result = desk.purge("admin", now=now)
    assert (result.artifacts, result.events, result.runs) == (1, 2, 1)
    assert "retention purge" in caplog.text and "1 artifact(s), 2 audit event(s), 1 sampling run(s)" in caplog.text
    assert [a.id for a in desk.artifacts()] == [recent] and desk.history(old) == []
    assert desk.run(kept_run.id) is not None
    log_rows = desk.purges()
    assert len(log_rows) == 1 and log_rows[0]["who"] == "admin" and log_rows[0]["retention_days"] == 1095
    assert log_rows[0]["cutoff"] == now - dt.timedelta(days=1095)
    with pytest.raises(sa.exc.DBAPIError, match="kept"):  # newer than the cutoff: still protected
        raw(desk, f"DELETE FROM artifacts WHERE id = {recent}")
    assert desk.purge("admin", now=now).artifacts == 0


def test_statistics_and_reviewer_agreement(desk):
    monday = dt.datetime(2026, 3, 2, 10)  # ISO week 2026-W10
    a = save_check(desk, "x", [finding("threat_arrest"), finding("abusive_language", "warning")], author="ann", created=monday)
    b = save_check(desk, "y", [finding("threat_arrest")], author="bob", created=monday + dt.timedelta(days=7), jurisdiction="UK")
    c = save_check(desk, "z", [finding("threat_arrest")], author="bob", created=monday + dt.timedelta(days=8), jurisdiction="UK")
    desk.mark(a, "rev", "flag", agreed=["threat_arrest"], disagreed=["abusive_language"])
    desk.mark(b, "rev", "approve", disagreed=["threat_arrest"], added=["visit_time"])
    desk.mark(c, "rev", "flag", agreed=["threat_arrest"], added=["visit_time"])
    s = desk.stats()
    assert s["by_category"][0] == {"key": "threat_arrest", "violations": 3, "warnings": 0}
    assert {"key": "abusive_language", "violations": 0, "warnings": 1} in s["by_category"]
    assert s["by_jurisdiction"] == [{"key": "UK", "violations": 2, "warnings": 0}, {"key": "US", "violations": 1, "warnings": 1}]
    assert [r["key"] for r in s["by_author"]] == ["bob", "ann"]
    assert [(r["key"], r["violations"]) for r in s["by_week"]] == [("2026-W10", 1), ("2026-W11", 2)]
    agree = {r["category"]: r for r in s["agreement"]}
    assert agree["threat_arrest"]["precision"] == round(2 / 3, 4) and agree["threat_arrest"]["recall"] == 1.0
    assert agree["abusive_language"]["precision"] == 0.0 and agree["abusive_language"]["recall"] is None
    assert agree["visit_time"]["recall"] == 0.0 and agree["visit_time"]["added"] == 2
    only_w11 = desk.stats(dt.date(2026, 3, 9), dt.date(2026, 3, 15))
    assert [r["key"] for r in only_w11["by_week"]] == ["2026-W11"]


def test_the_first_stores_table_is_imported(tmp_path):
    import sqlite3

    path = tmp_path / "app.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE artifacts (id INTEGER PRIMARY KEY AUTOINCREMENT, created TEXT NOT NULL, user TEXT NOT NULL, "
                     "kind TEXT NOT NULL, ref TEXT, summary TEXT NOT NULL, payload TEXT NOT NULL)")
        conn.execute("INSERT INTO artifacts (created, user, kind, ref, summary, payload) VALUES (?, ?, ?, ?, ?, ?)",
                     ("2026-01-05T10:00:00+00:00", "ann", "check", None, "fail",
                      '{"text": "You will be arrested.", "context": {}, "findings": [{"category": "threat_arrest", "severity": "violation"}]}'))
    store = ArtifactStore(path)
    rows = store.list()
    assert len(rows) == 1 and rows[0]["user"] == "ann" and rows[0]["content"] == "You will be arrested."
    assert rows[0]["hash_ok"] and rows[0]["created"] == "2026-01-05T10:00:00" and rows[0]["worst_severity"] == "violation"
    assert store.desk.history(rows[0]["id"])[0].note == "imported from artifacts_legacy_v1"
    rdb.dispose(store.desk.url)
