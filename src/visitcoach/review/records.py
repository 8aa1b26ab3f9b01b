"""The review desk's records: an artifact, an audit event, a sampling run, a purge; the content hash;
and the `artifacts` row made from a payload."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass
from typing import Any

from visitcoach.review.extract import extract, worst_severity
from visitcoach.review.schema import artifacts, audit_events
from visitcoach.text import detect_lang


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _jsonable(value: Any) -> Any:
    """JSON as it will read back (Decimals, dates and paths become strings)."""
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def content_hash(author: str, kind: str, created: dt.datetime, content: str, findings: Any, payload: Any) -> str:
    """sha256 over a canonical JSON of who made it, when, and what it says (text, findings, payload)."""
    canonical = json.dumps(
        {"author": author, "kind": kind, "created": created.isoformat(), "content": content, "findings": findings,
         "payload": payload},
        ensure_ascii=False, sort_keys=True, separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass
class Artifact:
    id: int
    created: dt.datetime
    author: str
    kind: str
    case_id: str | None
    jurisdiction: str | None
    lang: str | None
    mode: str | None
    summary: str
    content: str
    payload: dict[str, Any]
    findings: list[dict[str, Any]]
    worst_severity: str | None
    content_hash: str
    hash_ok: bool = True

    @property
    def categories(self) -> list[str]:
        """The categories the checker flagged (any severity), in first-seen order."""
        return list(dict.fromkeys(str(f.get("category")) for f in self.findings if f.get("category")))

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["created"] = self.created.isoformat()
        return out


@dataclass
class Event:
    id: int
    at: dt.datetime
    who: str
    artifact_id: int | None
    action: str
    previous_state: dict[str, Any] | None
    new_state: dict[str, Any] | None
    agreed: list[str]
    disagreed: list[str]
    added: list[str]
    note: str

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["at"] = self.at.isoformat()
        return out


@dataclass
class SampleRun:
    id: int
    at: dt.datetime
    who: str
    seed: int
    policy: dict[str, Any]
    candidates: list[list[Any]]
    drawn: list[int]


@dataclass
class PurgeResult:
    cutoff: dt.datetime
    artifacts: int
    events: int
    runs: int


def _artifact(row: Any, prefix: str = "") -> Artifact:
    m = row._mapping
    a = Artifact(**{k: m[prefix + k] for k in artifacts.c.keys()})
    a.hash_ok = content_hash(a.author, a.kind, a.created, a.content, a.findings, a.payload) == a.content_hash
    return a


def _event(row: Any) -> Event:
    return Event(**{k: row._mapping[k] for k in audit_events.c.keys()})


def artifact_row(kind: str, author: str, summary: str, payload: dict[str, Any], *, case_id: str | None = None,
                 content: str | None = None, findings: list[dict[str, Any]] | None = None,
                 jurisdiction: str | None = None, lang: str | None = None, mode: str | None = None,
                 created: dt.datetime | None = None, default_mode: str | None = None) -> dict[str, Any]:
    """The `artifacts` row for a payload: reviewable text and findings extracted unless given, hashed."""
    payload = _jsonable(payload or {})
    found = extract(kind, summary, payload)
    text = content if content is not None else found.content
    items = _jsonable(findings if findings is not None else found.findings)
    when = created or utcnow()
    return {
        "created": when, "author": author or "", "kind": kind, "case_id": case_id or found.case_id,
        "jurisdiction": jurisdiction or found.jurisdiction, "lang": lang or found.lang or detect_lang(text),
        "mode": mode or found.mode or payload.get("mode") or default_mode, "summary": summary or "",
        "content": text, "payload": payload, "findings": items, "worst_severity": worst_severity(items),
        "content_hash": content_hash(author or "", kind, when, text, items, payload),
    }
