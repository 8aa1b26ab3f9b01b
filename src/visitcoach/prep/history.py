"""Case history recorded after visits (data dir, SQLite), merged over the case file when it is read.

Knowledge files are never rewritten by the tool: a follow-up appends to `history.sqlite`, and
`CaseHistory.merged(case)` returns the case with those contacts, visits and promises added.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path
from typing import Any

from visitcoach.corpus.schemas import CaseFile, Contact, Payment, Promise, Visit

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id TEXT NOT NULL,
    kind TEXT NOT NULL,          -- contact | visit | promise | payment | task
    payload TEXT NOT NULL,       -- JSON of the schema record (or the task)
    created TEXT NOT NULL
)
"""


class CaseHistory:
    def __init__(self, path: Path) -> None:
        self.path = path

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=10)
        conn.execute(_SCHEMA)
        return conn

    def append(self, case_id: str, events: list[tuple[str, dict[str, Any]]]) -> None:
        """Append (kind, payload) events for a case in one transaction."""
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with self._connect() as conn:
            conn.executemany(
                "INSERT INTO events (case_id, kind, payload, created) VALUES (?, ?, ?, ?)",
                [(case_id.upper(), kind, json.dumps(payload, default=str, ensure_ascii=False), now) for kind, payload in events],
            )

    def events(self, case_id: str) -> list[tuple[str, dict[str, Any]]]:
        if not self.path.exists():
            return []
        with self._connect() as conn:
            rows = conn.execute("SELECT kind, payload FROM events WHERE case_id = ? ORDER BY id", (case_id.upper(),))
            return [(kind, json.loads(payload)) for kind, payload in rows]

    def merged(self, case: CaseFile) -> CaseFile:
        events = self.events(case.id)
        if not events:
            return case
        contacts = [*case.contact_history, *(Contact(**p) for k, p in events if k == "contact")]
        visits = [*case.previous_visits, *(Visit(**p) for k, p in events if k == "visit")]
        promises = [*case.promises, *(Promise(**p) for k, p in events if k == "promise")]
        payments = [*case.payments, *(Payment(**p) for k, p in events if k == "payment")]
        return case.model_copy(update={"contact_history": contacts, "previous_visits": visits, "promises": promises,
                                       "payments": payments})
