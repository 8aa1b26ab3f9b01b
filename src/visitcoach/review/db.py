"""The engine for `VISITCOACH_DATABASE_URL` and the schema install (tables and guards from `review.schema`),
including the one-off import of the first store's rows."""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from visitcoach.config import Settings
from visitcoach.errors import ConfigError
from visitcoach.review.records import artifact_row
from visitcoach.review.schema import (  # noqa: F401 - the tables are part of this module's face
    PG_FUNCTIONS,
    PG_TRIGGERS,
    REVIEW_ACTIONS,
    SQLITE_GUARDS,
    artifacts,
    audit_events,
    metadata,
    purge_log,
    sampling_runs,
)

log = logging.getLogger(__name__)

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
    """WAL: readers do not block the writer, and a commit is one append to the log instead of several
    fsyncs; synchronous=NORMAL syncs the log at checkpoints only, which SQLite documents as safe from
    corruption in WAL mode (a power cut may lose the last commits, never the database)."""
    cur = dbapi_conn.cursor()  # type: ignore[attr-defined]
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
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
                imported = import_legacy(conn, legacy)
            if engine.dialect.name == "sqlite":
                for ddl in SQLITE_GUARDS:
                    conn.exec_driver_sql(ddl)
            elif engine.dialect.name == "postgresql":
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(74736)")  # one worker installs the guards at a time
                for ddl in PG_FUNCTIONS:
                    conn.execute(sa.text(ddl))  # text(): the driver would read RAISE's % as a placeholder
                for name, when, func in PG_TRIGGERS:
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


def import_legacy(conn: sa.Connection, table: str) -> int:
    """Copy the rows of the first store's table (id, created, user, kind, ref, summary, payload) into `artifacts`."""
    n = 0
    for r in conn.exec_driver_sql(f"SELECT created, user, kind, ref, summary, payload FROM {table} ORDER BY id"):
        created = dt.datetime.fromisoformat(r[0])
        if created.tzinfo is not None:
            created = created.astimezone(dt.UTC).replace(tzinfo=None)
        row = artifact_row(r[2], r[1], r[4], json.loads(r[5]), case_id=r[3], created=created)
        new_id = conn.execute(sa.insert(artifacts).returning(artifacts.c.id), row).scalar_one()
        conn.execute(sa.insert(audit_events), {
            "at": created, "who": row["author"], "artifact_id": new_id, "action": "created", "previous_state": None,
            "new_state": {"status": "new", "content_hash": row["content_hash"], "worst_severity": row["worst_severity"]},
            "agreed": [], "disagreed": [], "added": [], "note": f"imported from {table}"})
        n += 1
    return n
