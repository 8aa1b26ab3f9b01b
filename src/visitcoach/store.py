"""Generated artifacts (answers, briefs, plans, checks), stored with who made them and when.

SQLite at `VISITCOACH_DATABASE_URL` (`sqlite:///path`) or `DATA_DIR/app.sqlite`. The review desk
reads from here; other SQL databases are the scale-out path (see DESIGN §8).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from pathlib import Path
from typing import Any

from visitcoach.config import Settings
from visitcoach.errors import ConfigError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS artifacts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created TEXT NOT NULL,
    user TEXT NOT NULL,
    kind TEXT NOT NULL,          -- answer | brief | plan | check | batch | rehearsal | ...
    ref TEXT,                    -- case id, persona id, file name: what it is about
    summary TEXT NOT NULL,
    payload TEXT NOT NULL        -- JSON
)
"""


def database_path(settings: Settings) -> Path:
    url = settings.database_url
    if not url:
        return Path(settings.data_dir) / "app.sqlite"
    if url.startswith("sqlite:///"):
        return Path(url.removeprefix("sqlite:///"))
    raise ConfigError(f"VISITCOACH_DATABASE_URL: only sqlite:///PATH is supported here, not {url.split(':')[0]}")


class ArtifactStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> ArtifactStore:
        return cls(database_path(settings))

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=10)
        conn.execute(_SCHEMA)
        return conn

    def save(self, kind: str, user: str, summary: str, payload: dict[str, Any], ref: str | None = None) -> int:
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with self._lock, self._connect() as conn:
            cur = conn.execute(
                "INSERT INTO artifacts (created, user, kind, ref, summary, payload) VALUES (?, ?, ?, ?, ?, ?)",
                (now, user, kind, ref, summary, json.dumps(payload, ensure_ascii=False, default=str)),
            )
            return int(cur.lastrowid or 0)

    def list(self, kind: str | None = None, user: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        where, args = [], []
        if kind:
            where.append("kind = ?")
            args.append(kind)
        if user:
            where.append("user = ?")
            args.append(user)
        sql = "SELECT id, created, user, kind, ref, summary, payload FROM artifacts"
        sql += (" WHERE " + " AND ".join(where)) if where else ""
        sql += " ORDER BY id DESC LIMIT ?"
        with self._connect() as conn:
            conn.row_factory = sqlite3.Row
            return [{**dict(r), "payload": json.loads(r["payload"])} for r in conn.execute(sql, (*args, limit))]
