"""The review desk's tables (SQLAlchemy Core), the engine for `VISITCOACH_DATABASE_URL`, and the
database-side guards that keep the audit trail append-only.

Four tables: `artifacts` (what was generated, with its findings and a sha256 of its content),
`audit_events` (who did what to which artifact, with the previous and new state), `sampling_runs`
(seed, policy, candidates and the draw, so a queue can be reproduced exactly) and `purge_log`.
The library refuses edits in code; on SQLite and PostgreSQL triggers refuse them as well, so a
raw `UPDATE`/`DELETE` fails too. The one permitted deletion is the retention purge: a row may be
deleted only when it is older than the cutoff of a purge already recorded in `purge_log`.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from visitcoach.config import Settings
from visitcoach.errors import ConfigError

log = logging.getLogger(__name__)

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

_SQLITE_GUARDS = [
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

_PG_FUNCTIONS = [
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
_PG_TRIGGERS = [
    ("audit_events_no_update", "BEFORE UPDATE ON audit_events", "vc_refuse"),
    ("audit_events_no_delete", "BEFORE DELETE ON audit_events", "vc_events_delete"),
    ("sampling_runs_no_update", "BEFORE UPDATE ON sampling_runs", "vc_refuse"),
    ("sampling_runs_no_delete", "BEFORE DELETE ON sampling_runs", "vc_runs_delete"),
    ("purge_log_no_change", "BEFORE UPDATE OR DELETE ON purge_log", "vc_refuse"),
    ("artifacts_reviewed_immutable", "BEFORE UPDATE ON artifacts", "vc_artifacts_update"),
    ("artifacts_no_delete", "BEFORE DELETE ON artifacts", "vc_artifacts_delete"),
]


def database_url(settings: Settings) -> str:
    """The SQLAlchemy URL: `VISITCOACH_DATABASE_URL`, or SQLite `app.sqlite` in the data dir."""
    url = (settings.database_url or "").strip()
    if not url:
        return f"sqlite:///{Path(settings.data_dir) / 'app.sqlite'}"
    return normalise_url(url)


def normalise_url(url: str) -> str:
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if scheme == "sqlite" and url.startswith("sqlite:///"):
        return url
    if scheme in ("postgresql", "postgres"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    if scheme == "postgresql+psycopg":
        return url
    shown = scheme or url[:20]
    raise ConfigError(
        f"VISITCOACH_DATABASE_URL: unsupported database {shown!r} (use sqlite:///PATH or postgresql+psycopg://user:pw@host/db)"
    )


def sqlite_path(url: str) -> Path | None:
    return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None


_engines: dict[str, Engine] = {}
_ready: set[str] = set()
_lock = threading.Lock()


def engine_for(url: str) -> Engine:
    """One engine per URL per process (connection pools are shared by every session)."""
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            if url.startswith("sqlite"):
                engine = sa.create_engine(url, connect_args={"timeout": 15, "check_same_thread": False})
                sa.event.listen(engine, "connect", _sqlite_pragmas)
            else:
                engine = sa.create_engine(url, pool_pre_ping=True)
            _engines[url] = engine
        return engine


def _sqlite_pragmas(dbapi_conn: object, _record: object) -> None:
    """WAL: readers do not block the writer, and a commit is one fsync (of the log) instead of several."""
    cur = dbapi_conn.cursor()  # type: ignore[attr-defined]
    cur.execute("PRAGMA journal_mode=WAL")
    cur.close()


def dispose(url: str | None = None) -> None:
    """Close pooled connections (tests drop their databases afterwards)."""
    with _lock:
        for key in [url] if url else list(_engines):
            engine = _engines.pop(key, None) if key else None
            if engine is not None:
                engine.dispose()
            _ready.discard(key or "")


def ensure_schema(url: str) -> Engine:
    """Create the tables and guards once per process (idempotent); migrate a pre-review `artifacts` table."""
    engine = engine_for(url)
    if url in _ready:
        return engine
    with _lock:
        if url in _ready:
            return engine
        path = sqlite_path(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        imported = 0
        with engine.begin() as conn:
            legacy = _rename_legacy(conn)
            metadata.create_all(conn)
            if legacy:
                from visitcoach.review.desk import import_legacy

                imported = import_legacy(conn, legacy)
            if engine.dialect.name == "sqlite":
                for ddl in _SQLITE_GUARDS:
                    conn.exec_driver_sql(ddl)
            elif engine.dialect.name == "postgresql":
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(74736)")  # one worker installs the guards at a time
                for ddl in _PG_FUNCTIONS:
                    conn.execute(sa.text(ddl))  # text(): the driver would read RAISE's % as a placeholder
                for name, when, func in _PG_TRIGGERS:
                    table = when.rsplit(" ", 1)[-1]
                    conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                    conn.exec_driver_sql(f"CREATE TRIGGER {name} {when} FOR EACH ROW EXECUTE FUNCTION {func}()")
        if legacy:
            log.warning("the artifacts table predated the review desk: %d row(s) imported; the originals are kept in %s",
                        imported, legacy)
        _ready.add(url)
    return engine


def _rename_legacy(conn: sa.Connection) -> str | None:
    """The first store kept (id, created, user, kind, ref, summary, payload); keep those rows aside."""
    inspector = sa.inspect(conn)
    if not inspector.has_table("artifacts"):
        return None
    columns = {c["name"] for c in inspector.get_columns("artifacts")}
    if "content_hash" in columns:
        return None
    conn.exec_driver_sql("ALTER TABLE artifacts RENAME TO artifacts_legacy_v1")
    return "artifacts_legacy_v1"
