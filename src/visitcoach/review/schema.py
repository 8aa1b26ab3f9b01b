"""The review desk's tables (SQLAlchemy Core) and the database-side guards that keep the audit trail append-only.

Four tables: `artifacts` (what was generated, with its findings and a sha256 of its content),
`audit_events` (who did what to which artifact, with the previous and new state), `sampling_runs`
(seed, policy, candidates and the draw, so a queue can be reproduced exactly) and `purge_log`.
The library refuses edits in code; on SQLite and PostgreSQL triggers refuse them as well, so a
raw `UPDATE`/`DELETE` fails too. The one permitted deletion is the retention purge: a row may be
deleted only when it is older than the cutoff of a purge already recorded in `purge_log`.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

artifacts = sa.Table(
    "artifacts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("created", sa.DateTime, nullable=False, index=True),  # UTC, naive
    sa.Column("author", sa.String(200), nullable=False, index=True),
    sa.Column("kind", sa.String(40), nullable=False, index=True),  # brief | plan | check | batch_item | rehearsal | ...
    sa.Column("case_id", sa.String(200)),  # case id, persona or exercise id, file name: what it is about
    sa.Column("jurisdiction", sa.String(8)),
    sa.Column("lang", sa.String(8)),
    sa.Column("mode", sa.String(120)),  # offline | openai:<model>
    sa.Column("summary", sa.Text, nullable=False),
    sa.Column("content", sa.Text, nullable=False),  # the reviewable text (script, draft, transcript)
    sa.Column("payload", sa.JSON, nullable=False),
    sa.Column("findings", sa.JSON, nullable=False),  # the checker's findings on `content`
    sa.Column("worst_severity", sa.String(16), index=True),  # violation | warning | info | NULL
    sa.Column("content_hash", sa.String(64), nullable=False),
)

audit_events = sa.Table(
    "audit_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime, nullable=False, index=True),
    sa.Column("who", sa.String(200), nullable=False),
    sa.Column("artifact_id", sa.Integer, index=True),  # no FK: the purge removes events before artifacts
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("previous_state", sa.JSON),
    sa.Column("new_state", sa.JSON),
    sa.Column("agreed", sa.JSON, nullable=False),
    sa.Column("disagreed", sa.JSON, nullable=False),
    sa.Column("added", sa.JSON, nullable=False),  # categories the reviewer found and the checker missed
    sa.Column("note", sa.Text, nullable=False),
)

sampling_runs = sa.Table(
    "sampling_runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime, nullable=False, index=True),
    sa.Column("who", sa.String(200), nullable=False),
    sa.Column("seed", sa.BigInteger, nullable=False),
    sa.Column("policy", sa.JSON, nullable=False),
    sa.Column("candidates", sa.JSON, nullable=False),  # [[id, weight, always], ...] as drawn from
    sa.Column("drawn", sa.JSON, nullable=False),  # sorted artifact ids
)

purge_log = sa.Table(
    "purge_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("who", sa.String(200), nullable=False),
    sa.Column("cutoff", sa.DateTime, nullable=False),
    sa.Column("retention_days", sa.Integer, nullable=False),
    sa.Column("artifacts", sa.Integer, nullable=False),
    sa.Column("events", sa.Integer, nullable=False),
    sa.Column("runs", sa.Integer, nullable=False),
)

REVIEW_ACTIONS = ("approve", "flag", "escalate")

SQLITE_GUARDS = [
    """CREATE TRIGGER IF NOT EXISTS audit_events_no_update BEFORE UPDATE ON audit_events
    BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: UPDATE refused'); END""",
    """CREATE TRIGGER IF NOT EXISTS audit_events_no_delete BEFORE DELETE ON audit_events
    WHEN NOT (OLD.at < COALESCE((SELECT MAX(cutoff) FROM purge_log), '')
              OR EXISTS (SELECT 1 FROM artifacts a WHERE a.id = OLD.artifact_id
                         AND a.created < COALESCE((SELECT MAX(cutoff) FROM purge_log), '')))
    BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: only the retention purge deletes older rows'); END""",
    """CREATE TRIGGER IF NOT EXISTS sampling_runs_no_update BEFORE UPDATE ON sampling_runs
    BEGIN SELECT RAISE(ABORT, 'sampling_runs is append-only: UPDATE refused'); END""",
    """CREATE TRIGGER IF NOT EXISTS sampling_runs_no_delete BEFORE DELETE ON sampling_runs
    WHEN NOT (OLD.at < COALESCE((SELECT MAX(cutoff) FROM purge_log), ''))
    BEGIN SELECT RAISE(ABORT, 'sampling_runs is append-only: only the retention purge deletes older rows'); END""",
    """CREATE TRIGGER IF NOT EXISTS purge_log_no_update BEFORE UPDATE ON purge_log
    BEGIN SELECT RAISE(ABORT, 'purge_log is append-only: UPDATE refused'); END""",
    """CREATE TRIGGER IF NOT EXISTS purge_log_no_delete BEFORE DELETE ON purge_log
    BEGIN SELECT RAISE(ABORT, 'purge_log is append-only: DELETE refused'); END""",
    """CREATE TRIGGER IF NOT EXISTS artifacts_reviewed_immutable BEFORE UPDATE ON artifacts
    WHEN EXISTS (SELECT 1 FROM audit_events e WHERE e.artifact_id = OLD.id
                 AND e.action IN ('approve', 'flag', 'escalate'))
    BEGIN SELECT RAISE(ABORT, 'artifact has been reviewed: its content cannot change'); END""",
    """CREATE TRIGGER IF NOT EXISTS artifacts_no_delete BEFORE DELETE ON artifacts
    WHEN NOT (OLD.created < COALESCE((SELECT MAX(cutoff) FROM purge_log), ''))
    BEGIN SELECT RAISE(ABORT, 'artifacts are kept: only the retention purge deletes older rows'); END""",
]

PG_FUNCTIONS = [
    """CREATE OR REPLACE FUNCTION vc_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP; END $$""",
    """CREATE OR REPLACE FUNCTION vc_events_delete() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE c timestamp := (SELECT max(cutoff) FROM purge_log);
    BEGIN
      IF c IS NOT NULL AND (OLD.at < c OR EXISTS (SELECT 1 FROM artifacts a WHERE a.id = OLD.artifact_id AND a.created < c)) THEN
        RETURN OLD;
      END IF;
      RAISE EXCEPTION 'audit_events is append-only: only the retention purge deletes older rows';
    END $$""",
    """CREATE OR REPLACE FUNCTION vc_runs_delete() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE c timestamp := (SELECT max(cutoff) FROM purge_log);
    BEGIN
      IF c IS NOT NULL AND OLD.at < c THEN RETURN OLD; END IF;
      RAISE EXCEPTION 'sampling_runs is append-only: only the retention purge deletes older rows';
    END $$""",
    """CREATE OR REPLACE FUNCTION vc_artifacts_delete() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE c timestamp := (SELECT max(cutoff) FROM purge_log);
    BEGIN
      IF c IS NOT NULL AND OLD.created < c THEN RETURN OLD; END IF;
      RAISE EXCEPTION 'artifacts are kept: only the retention purge deletes older rows';
    END $$""",
    """CREATE OR REPLACE FUNCTION vc_artifacts_update() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM audit_events e WHERE e.artifact_id = OLD.id AND e.action IN ('approve', 'flag', 'escalate')) THEN
        RAISE EXCEPTION 'artifact % has been reviewed: its content cannot change', OLD.id;
      END IF;
      RETURN NEW;
    END $$""",
]
PG_TRIGGERS = [
    ("audit_events_no_update", "BEFORE UPDATE ON audit_events", "vc_refuse"),
    ("audit_events_no_delete", "BEFORE DELETE ON audit_events", "vc_events_delete"),
    ("sampling_runs_no_update", "BEFORE UPDATE ON sampling_runs", "vc_refuse"),
    ("sampling_runs_no_delete", "BEFORE DELETE ON sampling_runs", "vc_runs_delete"),
    ("purge_log_no_change", "BEFORE UPDATE OR DELETE ON purge_log", "vc_refuse"),
    ("artifacts_reviewed_immutable", "BEFORE UPDATE ON artifacts", "vc_artifacts_update"),
    ("artifacts_no_delete", "BEFORE DELETE ON artifacts", "vc_artifacts_delete"),
]
