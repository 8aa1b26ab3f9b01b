"""The call log: one SQLite row per model call (task, model, tokens, latency, cost, redacted prompt).

Only redacted text is stored: the prompt as it was sent (placeholders, not identifiers) and the
model's raw reply (which only ever saw placeholders).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS calls (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ts TEXT NOT NULL,
    task TEXT NOT NULL,
    model TEXT NOT NULL,
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    latency_ms REAL NOT NULL,
    cost_usd REAL NOT NULL,
    attempts INTEGER NOT NULL,
    status TEXT NOT NULL,
    error TEXT,
    redacted_prompt TEXT NOT NULL,
    redacted_reply TEXT
)
"""


class CallLog:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=10)
        conn.execute(_SCHEMA)
        return conn

    def record(self, **row: Any) -> None:
        row = {"ts": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), **row}
        columns = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        with self._lock, self._connect() as conn:
            conn.execute(f"INSERT INTO calls ({columns}) VALUES ({marks})", tuple(row.values()))

    def rows(self, limit: int = 1000) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        with self._connect() as conn:
            conn.row_factory = sqlite3.Row
            return [dict(r) for r in conn.execute("SELECT * FROM calls ORDER BY id DESC LIMIT ?", (limit,))]

    def totals(self) -> dict[str, Any]:
        """Calls, tokens and estimated cost per task."""
        if not self.path.exists():
            return {}
        with self._connect() as conn:
            out = {}
            for task, n, pt, ct, cost, ms in conn.execute(
                "SELECT task, COUNT(*), SUM(prompt_tokens), SUM(completion_tokens), SUM(cost_usd), AVG(latency_ms) "
                "FROM calls GROUP BY task"
            ):
                out[task] = {"calls": n, "prompt_tokens": pt, "completion_tokens": ct, "cost_usd": round(cost, 6),
                             "mean_latency_ms": round(ms, 1)}
            return out
