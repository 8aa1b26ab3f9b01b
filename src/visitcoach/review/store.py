"""Generated artifacts (answers, briefs, plans, checks, rehearsals), stored with who made them and when.

A thin front on the review desk (`visitcoach.review`): the same `save` / `list` as before, now in
the SQLAlchemy database at `VISITCOACH_DATABASE_URL` (default SQLite `DATA_DIR/app.sqlite`;
PostgreSQL for many workers, see DESIGN §8), each artifact with its findings and a content hash.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from visitcoach.config import Settings
from visitcoach.review.db import database_url
from visitcoach.review.desk import ReviewDesk


def database_path(settings: Settings) -> Path | None:
    """The SQLite file of the app database (None when it is a server database)."""
    url = database_url(settings)
    return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None


class ArtifactStore:
    def __init__(self, path_or_url: Path | str, desk: ReviewDesk | None = None) -> None:
        url = str(path_or_url) if "://" in str(path_or_url) else f"sqlite:///{path_or_url}"
        self.desk = desk or ReviewDesk(url)
        self.path = Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None

    @classmethod
    def from_settings(cls, settings: Settings) -> ArtifactStore:
        desk = ReviewDesk.from_settings(settings)
        return cls(desk.url, desk)

    def save(self, kind: str, user: str, summary: str, payload: dict[str, Any], ref: str | None = None, *,
             case_id: str | None = None, mode: str | None = None, findings: list[dict[str, Any]] | None = None,
             jurisdiction: str | None = None, lang: str | None = None, content: str | None = None) -> int:
        """Store one artifact; the reviewable text and findings are taken from `payload` unless given."""
        return self.desk.record(kind, user, summary, payload, case_id=case_id or ref, content=content,
                                findings=findings, jurisdiction=jurisdiction, lang=lang, mode=mode)

    def list(self, kind: str | None = None, user: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
        """Newest first: {id, created, user, kind, ref, summary, payload, …review fields}."""
        out = []
        for a in self.desk.artifacts(kind=kind, author=user, limit=limit):
            row = a.as_dict()
            row["created"] = a.created.isoformat(timespec="seconds")
            out.append({"user": a.author, "ref": a.case_id, **row})
        return out
