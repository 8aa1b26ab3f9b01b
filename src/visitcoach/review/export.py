"""Export of the audit trail and review outcomes (CSV or JSON) and the reader that parses them back.

One row per audit event, with the artifact it concerns: what was generated (content, findings,
hash), who made it and when, and what the event did (who, when, action, previous and new state,
categories agreed / disagreed / added, note). `read_export(write_export(rows))` equals `rows`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from visitcoach.errors import VisitCoachError

if TYPE_CHECKING:
    from visitcoach.review.records import Artifact, Event

#: Column order of the CSV (and key order of each JSON record).
FIELDS = (
    "event_id", "at", "who", "action", "artifact_id", "previous_state", "new_state", "agreed", "disagreed", "added",
    "note", "artifact_created", "author", "kind", "case_id", "jurisdiction", "lang", "mode", "worst_severity",
    "content_hash", "hash_ok", "findings", "content",
)
_JSON_FIELDS = {"previous_state", "new_state", "agreed", "disagreed", "added", "findings"}
_INT_FIELDS = {"event_id", "artifact_id"}
_BOOL_FIELDS = {"hash_ok"}
FORMATS = ("csv", "json")
NULL = "\\N"


def record(event: Event, artifact: Artifact | None) -> dict[str, Any]:
    a = artifact
    return {
        "event_id": event.id, "at": event.at.isoformat(), "who": event.who, "action": event.action,
        "artifact_id": event.artifact_id, "previous_state": event.previous_state, "new_state": event.new_state,
        "agreed": event.agreed, "disagreed": event.disagreed, "added": event.added, "note": event.note,
        "artifact_created": a.created.isoformat() if a else None, "author": a.author if a else None,
        "kind": a.kind if a else None, "case_id": a.case_id if a else None, "jurisdiction": a.jurisdiction if a else None,
        "lang": a.lang if a else None, "mode": a.mode if a else None, "worst_severity": a.worst_severity if a else None,
        "content_hash": a.content_hash if a else None, "hash_ok": a.hash_ok if a else None,
        "findings": a.findings if a else None, "content": a.content if a else None,
    }


def render(rows: list[dict[str, Any]], fmt: str, since: dt.date | None = None, until: dt.date | None = None) -> str:
    if fmt == "json":
        doc = {"from": since.isoformat() if since else None, "to": until.isoformat() if until else None,
               "exported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "fields": list(FIELDS), "records": rows}
        return json.dumps(doc, ensure_ascii=False, indent=1)
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _cell(k, row.get(k)) for k in FIELDS})
        return buf.getvalue()
    raise VisitCoachError(f"export format {fmt!r} is not one of {', '.join(FORMATS)}")


def _cell(key: str, value: Any) -> str:
    """CSV cells: JSON for structured fields; `\\N` for a missing value (as PostgreSQL's COPY), so that
    an empty text and no value stay apart."""
    if key in _JSON_FIELDS or key in _BOOL_FIELDS:
        return json.dumps(value, ensure_ascii=False)
    return NULL if value is None else str(value)


def write_export(rows: list[dict[str, Any]], path: Path, fmt: str, since: dt.date | None = None,
                 until: dt.date | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    # utf-8-sig: spreadsheet programs open the Chinese text correctly.
    path.write_text(render(rows, fmt, since, until), encoding="utf-8-sig" if fmt == "csv" else "utf-8")
    return path


def read_export(path: Path) -> list[dict[str, Any]]:
    """The records of an export file (CSV or JSON, by suffix), typed as `export_records` returns them."""
    text = Path(path).read_text(encoding="utf-8-sig")
    if Path(path).suffix.lower() == ".json":
        return list(json.loads(text)["records"])
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != FIELDS:
        raise VisitCoachError(f"{path}: not a review export (columns differ from {', '.join(FIELDS)})")
    out = []
    for raw in reader:
        row: dict[str, Any] = {}
        for k in FIELDS:
            v = raw[k]
            if k in _JSON_FIELDS or k in _BOOL_FIELDS:
                row[k] = json.loads(v)
            elif v == NULL:
                row[k] = None
            else:
                row[k] = int(v) if k in _INT_FIELDS else v
        out.append(row)
    return out
