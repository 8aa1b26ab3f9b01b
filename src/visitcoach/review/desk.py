"""The review desk: stored artifacts, the spot-check queue, reviews, the audit trail, export, purge.

Everything a regulator may ask for is in the database: what was generated (content, findings,
who, when, model), who checked it and what they found (append-only audit events with the previous
and the new state), and how the queue was drawn (seed, policy, candidates). Content is hashed when
stored and the hash is verified whenever an artifact is read or reviewed.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from typing import Any, NoReturn

import sqlalchemy as sa

from visitcoach.config import Settings
from visitcoach.errors import NotFoundError, VisitCoachError
from visitcoach.review import db
from visitcoach.review.records import (
    Artifact,
    Event,
    PurgeResult,
    SampleRun,
    _artifact,
    _event,
    _jsonable,
    artifact_row,
    content_hash,
    utcnow,
)
from visitcoach.review.sampling import Candidate, SamplingPolicy, draw
from visitcoach.review.schema import REVIEW_ACTIONS, artifacts, audit_events, purge_log, sampling_runs

log = logging.getLogger(__name__)

STATUS = {"approve": "approved", "flag": "flagged", "escalate": "escalated"}


class ReviewError(VisitCoachError):
    """A review request is invalid (unknown action or category, a category the checker did not flag)."""


class AppendOnlyError(VisitCoachError):
    """An edit of the audit trail or of a reviewed artifact was refused (and the attempt was logged)."""


class IntegrityMismatch(VisitCoachError):
    """An artifact's content no longer matches the hash taken when it was stored."""


class ReviewDesk:
    """The review database behind one SQLAlchemy URL (SQLite by default, PostgreSQL for many workers)."""

    def __init__(self, url: str, policy: SamplingPolicy | None = None, retention_days: int = 1095,
                 default_mode: str | None = None) -> None:
        self.url = db.normalise_url(url)
        self.policy = policy or SamplingPolicy()
        self.retention_days = retention_days
        self.default_mode = default_mode

    @classmethod
    def from_settings(cls, settings: Settings) -> ReviewDesk:
        mode = f"openai:{settings.chat_model}" if settings.llm == "openai" else "offline"
        return cls(db.database_url(settings), SamplingPolicy.from_settings(settings), settings.retention_days, mode)

    @property
    def engine(self) -> sa.Engine:
        return db.ensure_schema(self.url)

    def exists(self) -> bool:
        """False for a SQLite file not yet created (reading then creates nothing)."""
        path = db.sqlite_path(self.url)
        return path is None or path.exists()

    # -- artifacts ---------------------------------------------------------------------------------

    def record(self, kind: str, author: str, summary: str, payload: dict[str, Any], *, case_id: str | None = None,
               content: str | None = None, findings: list[dict[str, Any]] | None = None,
               jurisdiction: str | None = None, lang: str | None = None, mode: str | None = None,
               created: dt.datetime | None = None) -> int:
        """Store one generated artifact (and a `created` audit event); returns its id."""
        row = artifact_row(kind, author, summary, payload, case_id=case_id, content=content, findings=findings,
                           jurisdiction=jurisdiction, lang=lang, mode=mode, created=created, default_mode=self.default_mode)
        when = row["created"]
        with self.engine.begin() as conn:
            new_id = int(conn.execute(sa.insert(artifacts).returning(artifacts.c.id), row).scalar_one())
            self._log(conn, author or "", new_id, "created", None,
                      {"status": "new", "content_hash": row["content_hash"], "worst_severity": row["worst_severity"]}, at=when)
        return new_id

    def artifact(self, artifact_id: int) -> Artifact:
        """One artifact with `hash_ok` set; a mismatch is logged (the caller decides what to refuse)."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(artifacts).where(artifacts.c.id == int(artifact_id))).first()
        if row is None:
            raise NotFoundError(f"artifact {artifact_id} does not exist")
        a = _artifact(row)
        if not a.hash_ok:
            log.error("artifact %s: content does not match its stored hash", a.id)
        return a

    def artifacts(self, kind: str | None = None, author: str | None = None, limit: int = 200,
                  since: dt.datetime | None = None, until: dt.datetime | None = None) -> list[Artifact]:
        if not self.exists():
            return []
        q = sa.select(artifacts).order_by(artifacts.c.id.desc()).limit(limit)
        if kind:
            q = q.where(artifacts.c.kind == kind)
        if author:
            q = q.where(artifacts.c.author == author)
        if since:
            q = q.where(artifacts.c.created >= since)
        if until:
            q = q.where(artifacts.c.created < until)
        with self.engine.connect() as conn:
            return [_artifact(r) for r in conn.execute(q)]

    def edit_content(self, artifact_id: int, who: str, content: str) -> None:
        """Correct an artifact not yet reviewed (re-hashed, logged); a reviewed one is refused and the attempt logged."""
        a = self.artifact(artifact_id)
        if self.status(a.id)["status"] != "new":
            attempted = content_hash(a.author, a.kind, a.created, content, a.findings, a.payload)
            self._refuse(who, a.id, f"artifact {a.id} has been reviewed: its content cannot change",
                         {"content_hash": a.content_hash}, {"content_hash": attempted})
        new_hash = content_hash(a.author, a.kind, a.created, content, a.findings, a.payload)
        with self.engine.begin() as conn:
            conn.execute(sa.update(artifacts).where(artifacts.c.id == a.id).values(content=content, content_hash=new_hash))
            self._log(conn, who, a.id, "amended", {"content_hash": a.content_hash}, {"content_hash": new_hash})

    # -- the audit trail ---------------------------------------------------------------------------

    def _log(self, conn: sa.Connection, who: str, artifact_id: int | None, action: str, previous: Any, new: Any,
             agreed: list[str] | None = None, disagreed: list[str] | None = None, added: list[str] | None = None,
             note: str = "", at: dt.datetime | None = None) -> int:
        row = {"at": at or utcnow(), "who": who, "artifact_id": artifact_id, "action": action,
               "previous_state": previous, "new_state": new, "agreed": agreed or [], "disagreed": disagreed or [],
               "added": added or [], "note": note}
        return int(conn.execute(sa.insert(audit_events).returning(audit_events.c.id), row).scalar_one())

    def _refuse(self, who: str, artifact_id: int | None, message: str, previous: Any, attempted: Any) -> NoReturn:
        with self.engine.begin() as conn:
            self._log(conn, who, artifact_id, "edit_refused", previous, attempted, note=message)
        log.warning("refused an edit by %s: %s", who, message)
        raise AppendOnlyError(message)

    def history(self, artifact_id: int | None = None) -> list[Event]:
        q = sa.select(audit_events).order_by(audit_events.c.id)
        if artifact_id is not None:
            q = q.where(audit_events.c.artifact_id == int(artifact_id))
        with self.engine.connect() as conn:
            return [_event(r) for r in conn.execute(q)]

    def edit_event(self, event_id: int, who: str, **changes: Any) -> NoReturn:
        """Audit events are never changed: a correction is a new review. The attempt is logged and refused."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(audit_events).where(audit_events.c.id == int(event_id))).first()
        if row is None:
            raise NotFoundError(f"audit event {event_id} does not exist")
        old = _event(row).as_dict()
        self._refuse(who, old["artifact_id"], f"audit event {event_id} is append-only: it cannot be changed",
                     {k: old.get(k) for k in changes}, _jsonable(changes))

    def status(self, artifact_id: int) -> dict[str, Any]:
        """The latest review decision: {status, agreed, disagreed, added, note, who, at} (status `new` if none)."""
        return self.statuses([artifact_id]).get(int(artifact_id), {"status": "new"})

    def statuses(self, ids: list[int] | None = None) -> dict[int, dict[str, Any]]:
        """The latest review decision of each artifact in `ids` (every reviewed artifact when None)."""
        out: dict[int, dict[str, Any]] = {int(i): {"status": "new"} for i in ids or []}
        if ids is not None and not ids:
            return out
        q = sa.select(audit_events).where(audit_events.c.action.in_(REVIEW_ACTIONS)).order_by(audit_events.c.id)
        if ids is not None:
            q = q.where(audit_events.c.artifact_id.in_([int(i) for i in ids]))
        with self.engine.connect() as conn:
            for r in conn.execute(q):
                e = _event(r)
                out[int(e.artifact_id or 0)] = {"status": STATUS[e.action], "agreed": e.agreed, "disagreed": e.disagreed,
                                               "added": e.added, "note": e.note, "who": e.who, "at": e.at.isoformat()}
        return out

    # -- review --------------------------------------------------------------------------------------

    def mark(self, artifact_id: int, who: str, action: str, agreed: list[str] | None = None,
             disagreed: list[str] | None = None, added: list[str] | None = None, note: str = "") -> Event:
        """Approve, flag or escalate an artifact, saying which of the checker's categories are right
        (`agreed`), wrong (`disagreed`), and which it missed (`added`). Appends one audit event."""
        from visitcoach.compliance.rules import CATEGORIES

        if action not in REVIEW_ACTIONS:
            raise ReviewError(f"action {action!r} is not one of {', '.join(REVIEW_ACTIONS)}")
        agreed, disagreed, added = list(agreed or []), list(disagreed or []), list(added or [])
        for c in (*agreed, *disagreed, *added):
            if c not in CATEGORIES:
                raise ReviewError(f"category {c!r} is not in the taxonomy ({', '.join(CATEGORIES)})")
        a = self.artifact(artifact_id)
        if not a.hash_ok:
            with self.engine.begin() as conn:
                self._log(conn, who, a.id, "hash_mismatch", {"content_hash": a.content_hash}, None,
                          note="review refused: the content does not match the hash taken when it was stored")
            raise IntegrityMismatch(f"artifact {a.id}: content does not match its stored hash (sha256 {a.content_hash[:12]}…); "
                                    "it was altered after it was stored and cannot be reviewed")
        flagged = set(a.categories)
        for c in (*agreed, *disagreed):
            if c not in flagged:
                raise ReviewError(f"category {c!r} was not flagged by the checker on artifact {a.id} "
                                  f"(flagged: {', '.join(a.categories) or 'none'}); list it under added")
        for c in added:
            if c in flagged:
                raise ReviewError(f"category {c!r} was already flagged by the checker on artifact {a.id}; agree or disagree")
        both = set(agreed) & set(disagreed)
        if both:
            raise ReviewError(f"category {sorted(both)[0]!r} cannot be both agreed and disagreed")
        previous = self.status(a.id)
        new = {"status": STATUS[action], "agreed": agreed, "disagreed": disagreed, "added": added,
               "content_hash": a.content_hash}
        with self.engine.begin() as conn:
            event_id = self._log(conn, who, a.id, action, previous, new, agreed, disagreed, added, note or "")
        log.info("artifact %s marked %s by %s", a.id, action, who)
        return next(e for e in self.history(a.id) if e.id == event_id)

    # -- sampling ------------------------------------------------------------------------------------

    def draw_queue(self, who: str, seed: int | None = None, since: dt.datetime | None = None,
                   until: dt.datetime | None = None, now: dt.datetime | None = None) -> SampleRun:
        """Draw the spot-check sample from unreviewed artifacts created in [since, until) and record the draw."""
        policy = self.policy
        now = now or utcnow()
        seed = int(seed) if seed is not None else secrets.randbelow(2**31)
        q = sa.select(artifacts.c.id, artifacts.c.author, artifacts.c.worst_severity).where(
            artifacts.c.kind.in_(policy.kinds)).order_by(artifacts.c.id)
        if since:
            q = q.where(artifacts.c.created >= since)
        if until:
            q = q.where(artifacts.c.created < until)
        recent = sa.select(artifacts.c.author).distinct().where(
            artifacts.c.created >= now - dt.timedelta(days=policy.recent_days), artifacts.c.created <= now,
            artifacts.c.worst_severity.in_(policy.always))
        reviewed = sa.select(audit_events.c.artifact_id).distinct().where(audit_events.c.action.in_(REVIEW_ACTIONS))
        with self.engine.connect() as conn:
            rows = conn.execute(q).all()
            flagged_authors = {r[0] for r in conn.execute(recent)}
            done = {r[0] for r in conn.execute(reviewed)}
        candidates = [
            Candidate(r.id, policy.author_weight if r.author in flagged_authors else 1.0, r.worst_severity in policy.always)
            for r in rows if r.id not in done
        ]
        drawn = draw(candidates, policy.rate, seed)
        row = {"at": now, "who": who, "seed": seed, "policy": policy.as_dict(),
               "candidates": [[c.id, c.weight, c.always] for c in candidates], "drawn": drawn}
        with self.engine.begin() as conn:
            run_id = int(conn.execute(sa.insert(sampling_runs).returning(sampling_runs.c.id), row).scalar_one())
        log.info("sampling run %s by %s: seed %s, %d of %d drawn", run_id, who, seed, len(drawn), len(candidates))
        return SampleRun(run_id, now, who, seed, row["policy"], row["candidates"], drawn)

    def run(self, run_id: int | None = None) -> SampleRun | None:
        """A recorded sampling run (the latest when no id is given)."""
        q = sa.select(sampling_runs).order_by(sampling_runs.c.id.desc()).limit(1)
        if run_id is not None:
            q = sa.select(sampling_runs).where(sampling_runs.c.id == int(run_id))
        if not self.exists():
            return None
        with self.engine.connect() as conn:
            r = conn.execute(q).first()
        return SampleRun(**dict(r._mapping)) if r else None

    def reproduce(self, run_id: int) -> list[int]:
        """Draw again from a recorded run's candidates, policy and seed (equal to `drawn` unless tampered with)."""
        run = self.run(run_id)
        if run is None:
            raise NotFoundError(f"sampling run {run_id} does not exist")
        policy = SamplingPolicy.from_dict(run.policy)
        return draw([Candidate(int(i), float(w), bool(m)) for i, w, m in run.candidates], policy.rate, run.seed)

    def queue(self, run_id: int | None = None) -> list[dict[str, Any]]:
        """The drawn artifacts of a run (default: the latest) with their current review status."""
        run = self.run(run_id)
        if run is None:
            return []
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(artifacts).where(artifacts.c.id.in_(run.drawn)).order_by(artifacts.c.id)).all()
        states = self.statuses([r.id for r in rows])
        out = []
        for r in rows:
            a = _artifact(r)
            out.append({"id": a.id, "created": a.created.isoformat(timespec="seconds"), "author": a.author, "kind": a.kind,
                        "case_id": a.case_id or "", "jurisdiction": a.jurisdiction or "", "worst_severity": a.worst_severity or "",
                        "categories": a.categories, "status": states[a.id]["status"], "hash_ok": a.hash_ok})
        return out

    # -- export, retention, statistics ---------------------------------------------------------------

    def export_records(self, since: dt.date | None = None, until: dt.date | None = None) -> list[dict[str, Any]]:
        """Audit events in [since, until] (whole days, UTC), each with its artifact: the export's rows."""
        from visitcoach.review.export import record

        q = sa.select(audit_events, *[c.label(f"a_{c.name}") for c in artifacts.c]).select_from(
            audit_events.outerjoin(artifacts, artifacts.c.id == audit_events.c.artifact_id)).order_by(audit_events.c.id)
        if since:
            q = q.where(audit_events.c.at >= dt.datetime.combine(since, dt.time()))
        if until:
            q = q.where(audit_events.c.at < dt.datetime.combine(until + dt.timedelta(days=1), dt.time()))
        if not self.exists():
            return []
        with self.engine.connect() as conn:
            rows = conn.execute(q).all()
        out = []
        for r in rows:
            m = r._mapping
            event = _event(r)
            out.append(record(event, _artifact(r, "a_") if m["a_id"] is not None else None))
        return out

    def purge(self, who: str, now: dt.datetime | None = None, retention_days: int | None = None) -> PurgeResult:
        """Delete artifacts, their events and sampling runs older than the retention period, and record it.

        This is the only deletion the review desk permits: the purge is written to `purge_log` first
        (its cutoff is what the database triggers allow deleting below) and to the log."""
        days = int(retention_days or self.retention_days)
        if days < 1:
            raise ReviewError(f"retention must be at least 1 day, not {days}")
        now = now or utcnow()
        cutoff = now - dt.timedelta(days=days)
        old = sa.select(artifacts.c.id).where(artifacts.c.created < cutoff)
        old_events = sa.or_(audit_events.c.at < cutoff, audit_events.c.artifact_id.in_(old))
        count = sa.func.count()
        with self.engine.begin() as conn:
            arts = conn.execute(sa.select(count).select_from(artifacts).where(artifacts.c.created < cutoff)).scalar_one()
            events = conn.execute(sa.select(count).select_from(audit_events).where(old_events)).scalar_one()
            runs = conn.execute(sa.select(count).select_from(sampling_runs).where(sampling_runs.c.at < cutoff)).scalar_one()
            # Recorded first: the triggers allow deleting only below the cutoff of a recorded purge.
            log_id = conn.execute(sa.insert(purge_log).returning(purge_log.c.id), {
                "at": now, "who": who, "cutoff": cutoff, "retention_days": days, "artifacts": arts, "events": events,
                "runs": runs}).scalar_one()
            conn.execute(sa.delete(audit_events).where(old_events))
            conn.execute(sa.delete(sampling_runs).where(sampling_runs.c.at < cutoff))
            conn.execute(sa.delete(artifacts).where(artifacts.c.created < cutoff))
        log.warning("retention purge #%s by %s: %d artifact(s), %d audit event(s), %d sampling run(s) older than %s "
                    "(%d days) deleted", log_id, who, arts, events, runs, cutoff.isoformat(timespec="seconds"), days)
        return PurgeResult(cutoff, arts, events, runs)

    def purges(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(sa.select(purge_log).order_by(purge_log.c.id))]

    def stats(self, since: dt.date | None = None, until: dt.date | None = None) -> dict[str, Any]:
        """Violations by category, jurisdiction, author and ISO week; reviewer agreement per category."""
        from visitcoach.review.stats import agreement, violations

        lo = dt.datetime.combine(since, dt.time()) if since else None
        hi = dt.datetime.combine(until + dt.timedelta(days=1), dt.time()) if until else None
        arts = self.artifacts(limit=10**9, since=lo, until=hi)
        states = self.statuses() if self.exists() else {}
        return {**violations(arts), "agreement": agreement(arts, states)}
