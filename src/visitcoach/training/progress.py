"""Assignments and rehearsal attempts (SQLite in the data dir): who, which exercise, when, how it went.

An attempt keeps the whole result (transcript, scorecard with per-objective scores), so a trainer
can read the transcript of any attempt, follow a trainee's scores per objective over time, and see
the cohort at a glance.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from pathlib import Path
from statistics import mean
from typing import Any

from visitcoach.corpus.schemas import CRITERIA
from visitcoach.errors import NotFoundError

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS attempts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        trainee TEXT NOT NULL,
        exercise_id TEXT NOT NULL,
        persona TEXT NOT NULL,
        seed INTEGER NOT NULL,
        started TEXT NOT NULL,
        finished TEXT NOT NULL,
        total REAL NOT NULL,
        passed INTEGER NOT NULL,
        ended_by TEXT,
        result TEXT NOT NULL          -- JSON: transcript, scorecard, ended_by
    )""",
    """CREATE TABLE IF NOT EXISTS assignments (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        trainee TEXT NOT NULL,
        exercise_id TEXT NOT NULL,
        assigned_by TEXT NOT NULL,
        assigned TEXT NOT NULL,
        due TEXT,
        UNIQUE (trainee, exercise_id)
    )""",
)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class TrainingStore:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=10)
        conn.row_factory = sqlite3.Row
        for ddl in _SCHEMA:
            conn.execute(ddl)
        return conn

    # -- attempts -----------------------------------------------------------------------------------

    def record_attempt(
        self, trainee: str, exercise_id: str, seed: int, result: dict[str, Any], started: str | None = None
    ) -> int:
        card = result["scorecard"]
        with self._lock, self._connect() as conn:
            cur = conn.execute(
                "INSERT INTO attempts (trainee, exercise_id, persona, seed, started, finished, total, passed, ended_by, result)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (trainee, exercise_id, result["persona"], seed, started or _now(), _now(), card["total"], int(card["passed"]),
                 result.get("ended_by"), json.dumps(result, ensure_ascii=False, default=str)),
            )
            return int(cur.lastrowid or 0)

    def attempts(self, trainee: str | None = None, exercise_id: str | None = None) -> list[dict[str, Any]]:
        """Attempts, oldest first, without their transcripts."""
        if not self.path.exists():
            return []
        where, args = [], []
        if trainee:
            where.append("trainee = ?")
            args.append(trainee)
        if exercise_id:
            where.append("exercise_id = ?")
            args.append(exercise_id)
        sql = "SELECT id, trainee, exercise_id, persona, seed, started, finished, total, passed, ended_by, result FROM attempts"
        sql += (" WHERE " + " AND ".join(where)) if where else ""
        with self._connect() as conn:
            rows = conn.execute(sql + " ORDER BY id", args).fetchall()
        out = []
        for r in rows:
            card = json.loads(r["result"])["scorecard"]
            row = {k: r[k] for k in r.keys() if k != "result"}
            row["passed"] = bool(row["passed"])
            row["criteria"] = {c["name"]: c["score"] for c in card["criteria"]}
            row["objectives"] = {o["id"]: o["score"] for o in card.get("objectives", [])}
            out.append(row)
        return out

    def attempt(self, attempt_id: int) -> dict[str, Any]:
        """One attempt with its whole result (transcript and scorecard)."""
        with self._connect() as conn:
            r = conn.execute("SELECT * FROM attempts WHERE id = ?", (int(attempt_id),)).fetchone()
        if r is None:
            raise NotFoundError(f"unknown attempt {attempt_id}")
        return {**{k: r[k] for k in r.keys() if k != "result"}, "passed": bool(r["passed"]), "result": json.loads(r["result"])}

    # -- assignments --------------------------------------------------------------------------------

    def assign(self, trainee: str, exercise_id: str, assigned_by: str, due: dt.date | None = None) -> None:
        with self._lock, self._connect() as conn:
            conn.execute(
                "INSERT INTO assignments (trainee, exercise_id, assigned_by, assigned, due) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (trainee, exercise_id) DO UPDATE SET assigned_by = excluded.assigned_by,"
                " assigned = excluded.assigned, due = excluded.due",
                (trainee, exercise_id, assigned_by, _now(), due.isoformat() if due else None),
            )

    def assignments(self, trainee: str | None = None) -> list[dict[str, Any]]:
        """Assignments with whether the trainee has attempted and passed each."""
        if not self.path.exists():
            return []
        sql = (
            "SELECT a.trainee, a.exercise_id, a.assigned_by, a.assigned, a.due,"
            " (SELECT COUNT(*) FROM attempts t WHERE t.trainee = a.trainee AND t.exercise_id = a.exercise_id) AS attempts,"
            " (SELECT MAX(passed) FROM attempts t WHERE t.trainee = a.trainee AND t.exercise_id = a.exercise_id) AS passed"
            " FROM assignments a"
        )
        args: list[Any] = []
        if trainee:
            sql += " WHERE a.trainee = ?"
            args.append(trainee)
        with self._connect() as conn:
            rows = conn.execute(sql + " ORDER BY a.trainee, a.exercise_id", args).fetchall()
        return [{**dict(r), "passed": bool(r["passed"])} for r in rows]

    # -- views --------------------------------------------------------------------------------------

    def progress(self, trainee: str) -> list[dict[str, Any]]:
        """A trainee's attempts over time: date, exercise, total and the score of each objective."""
        return [
            {"finished": a["finished"], "exercise_id": a["exercise_id"], "total": a["total"], "passed": a["passed"],
             **{f"objective:{k}": v for k, v in a["objectives"].items()}}
            for a in self.attempts(trainee)
        ]

    def cohort(self) -> list[dict[str, Any]]:
        """One row per trainee: attempts, passes, last and best total, mean score per criterion,
        and assigned exercises not yet passed."""
        by: dict[str, list[dict[str, Any]]] = {}
        for a in self.attempts():
            by.setdefault(a["trainee"], []).append(a)
        pending: dict[str, list[str]] = {}
        for s in self.assignments():
            by.setdefault(s["trainee"], [])
            if not s["passed"]:
                pending.setdefault(s["trainee"], []).append(s["exercise_id"])
        rows = []
        for trainee in sorted(by):
            tries = by[trainee]
            row: dict[str, Any] = {
                "trainee": trainee,
                "attempts": len(tries),
                "passed": sum(a["passed"] for a in tries),
                "exercises_passed": len({a["exercise_id"] for a in tries if a["passed"]}),
                "last_total": tries[-1]["total"] if tries else None,
                "best_total": max((a["total"] for a in tries), default=None),
                "last_attempt": tries[-1]["finished"] if tries else None,
            }
            for c in CRITERIA:
                values = [a["criteria"][c] for a in tries if c in a["criteria"]]
                row[c] = round(mean(values), 3) if values else None
            row["assigned_not_passed"] = sorted(pending.get(trainee, []))
            rows.append(row)
        return rows
