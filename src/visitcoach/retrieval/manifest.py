"""The index manifest (SQLite): which files are indexed, at what content hash, with which chunks.

It is the source of truth for incremental ingestion and holds every chunk's text and metadata,
from which the lexical index is rebuilt and against which the vector store is reconciled.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY, sha256 TEXT NOT NULL, doc_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS chunks (
    id TEXT PRIMARY KEY, path TEXT NOT NULL REFERENCES files(path) ON DELETE CASCADE,
    doc_id TEXT NOT NULL, ord INTEGER NOT NULL, text TEXT NOT NULL, metadata TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_path ON chunks(path);
"""


@dataclass(frozen=True)
class StoredChunk:
    id: str
    doc_id: str
    text: str
    metadata: dict[str, Any]


class Manifest:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA foreign_keys = ON")
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    def get_meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def files(self) -> dict[str, tuple[str, str]]:
        """path → (sha256, doc_id)."""
        return {p: (s, d) for p, s, d in self._db.execute("SELECT path, sha256, doc_id FROM files")}

    def chunk_ids(self, paths: list[str] | None = None) -> list[str]:
        if paths is None:
            return [r[0] for r in self._db.execute("SELECT id FROM chunks ORDER BY path, ord")]
        out: list[str] = []
        for path in paths:
            out += [r[0] for r in self._db.execute("SELECT id FROM chunks WHERE path = ? ORDER BY ord", (path,))]
        return out

    def chunks(self, ids: list[str] | None = None) -> list[StoredChunk]:
        if ids is None:
            rows = self._db.execute("SELECT id, doc_id, text, metadata FROM chunks ORDER BY path, ord").fetchall()
        else:
            rows = []
            for i in range(0, len(ids), 500):
                part = ids[i : i + 500]
                marks = ",".join("?" * len(part))
                rows += self._db.execute(
                    f"SELECT id, doc_id, text, metadata FROM chunks WHERE id IN ({marks})", part
                ).fetchall()
        return [StoredChunk(i, d, t, json.loads(m)) for i, d, t, m in rows]

    def count(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    @staticmethod
    def replace_file(
        db: sqlite3.Connection, path: str, sha256: str, doc_id: str, chunks: list[tuple[str, str, dict[str, Any]]]
    ) -> None:
        db.execute("DELETE FROM files WHERE path = ?", (path,))
        db.execute("INSERT INTO files(path, sha256, doc_id) VALUES (?, ?, ?)", (path, sha256, doc_id))
        db.executemany(
            "INSERT INTO chunks(id, path, doc_id, ord, text, metadata) VALUES (?, ?, ?, ?, ?, ?)",
            [
                (cid, path, doc_id, n, text, json.dumps(meta, ensure_ascii=False))
                for n, (cid, text, meta) in enumerate(chunks)
            ],
        )

    @staticmethod
    def remove_file(db: sqlite3.Connection, path: str) -> None:
        db.execute("DELETE FROM files WHERE path = ?", (path,))

    def clear(self) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM chunks")
            db.execute("DELETE FROM files")
