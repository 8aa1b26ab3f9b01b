"""`visitcoach review queue|show|mark|export|stats|purge`: thin commands over `ReviewDesk`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from visitcoach.cli.common import JsonOpt, cli_settings, command, emit
from visitcoach.errors import VisitCoachError

review_app = typer.Typer(help="The compliance review desk: spot-check queue, reviews, audit export, statistics.",
                         no_args_is_help=True)

WhoOpt = Annotated[str, typer.Option("--as", help="Your name as it goes into the audit trail.")]
FromOpt = Annotated[str | None, typer.Option("--from", help="First day, YYYY-MM-DD (UTC).")]
ToOpt = Annotated[str | None, typer.Option("--to", help="Last day, YYYY-MM-DD (UTC; included).")]


def _desk() -> Any:
    from visitcoach.review import ReviewDesk

    return ReviewDesk.from_settings(cli_settings())


def parse_day(value: str | None, option: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise VisitCoachError(f"{option}: not a date like 2026-03-01: {value!r}") from None


@review_app.command()
@command
def queue(
    who: WhoOpt = "cli",
    seed: Annotated[int | None, typer.Option(help="Seed of the draw (default: random, recorded).")] = None,
    since: FromOpt = None,
    until: ToOpt = None,
    last: Annotated[bool, typer.Option("--last", help="Show the latest recorded queue instead of drawing.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Draw the spot-check sample (every warning/violation + the policy share of the rest) and list it."""
    desk = _desk()
    if not last:
        lo, hi = parse_day(since, "--from"), parse_day(until, "--to")
        desk.draw_queue(who, seed, dt.datetime.combine(lo, dt.time()) if lo else None,
                        dt.datetime.combine(hi + dt.timedelta(days=1), dt.time()) if hi else None)
    run, items = desk.run(), desk.queue()
    if as_json:
        emit({"run": {"id": run.id, "seed": run.seed, "who": run.who, "at": run.at.isoformat(), "policy": run.policy,
                       "candidates": len(run.candidates)} if run else None, "items": items})
        return
    if run:
        typer.echo(f"run {run.id}: seed {run.seed}, {len(run.drawn)} of {len(run.candidates)} drawn")
    for q in items:
        typer.echo(f"{q['id']:>6}  {q['created']}  {q['status']:<9} {q['worst_severity'] or '-':<9} {q['kind']:<10} "
                   f"{q['author']}  {','.join(q['categories'])}")


@review_app.command()
@command
def show(artifact_id: int, as_json: JsonOpt = False) -> None:
    """An artifact, its findings, its hash check and its audit trail."""
    desk = _desk()
    a = desk.artifact(artifact_id)
    history = [e.as_dict() for e in desk.history(artifact_id)]
    if as_json:
        emit({"artifact": a.as_dict(), "status": desk.status(artifact_id), "history": history})
        return
    typer.echo(f"#{a.id} {a.kind} by {a.author} at {a.created.isoformat(timespec='seconds')} "
               f"({a.case_id or '-'}, {a.jurisdiction or '-'}, {a.mode or '-'}); hash {'ok' if a.hash_ok else 'MISMATCH'}")
    typer.echo(a.content)
    for f in a.findings:
        typer.echo(f"  [{f.get('severity')}] {f.get('rule_id')} {f.get('category')}: {f.get('text') or '(context)'}")
    for e in history:
        typer.echo(f"  {e['at']} {e['who']}: {e['action']} {e['note']}")


@review_app.command()
@command
def mark(
    artifact_id: int,
    action: Annotated[str, typer.Option("--action", help="approve | flag | escalate")],
    who: WhoOpt = "cli",
    agree: Annotated[list[str] | None, typer.Option("--agree", help="A checker category you agree with (repeat).")] = None,
    disagree: Annotated[list[str] | None, typer.Option("--disagree", help="A checker category you reject (repeat).")] = None,
    add: Annotated[list[str] | None, typer.Option("--add", help="A category the checker missed (repeat).")] = None,
    note: Annotated[str, typer.Option(help="Your note.")] = "",
    as_json: JsonOpt = False,
) -> None:
    """Approve, flag or escalate an artifact (appends to the audit trail)."""
    event = _desk().mark(artifact_id, who, action, agree or [], disagree or [], add or [], note)
    if as_json:
        emit(event.as_dict())
    else:
        typer.echo(f"#{artifact_id}: {event.previous_state.get('status') if event.previous_state else 'new'} -> "
                   f"{event.new_state['status'] if event.new_state else action} (event {event.id})")


@review_app.command()
@command
def export(
    out: Annotated[Path, typer.Option("--out", help="File to write (.csv or .json).")],
    since: FromOpt = None,
    until: ToOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Export the audit trail and review outcomes for a date range (CSV or JSON, by --out's suffix)."""
    from visitcoach.review.export import FORMATS, write_export

    fmt = out.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise VisitCoachError(f"--out: {out.name} must end in .csv or .json")
    lo, hi = parse_day(since, "--from"), parse_day(until, "--to")
    rows = _desk().export_records(lo, hi)
    write_export(rows, out, fmt, lo, hi)
    if as_json:
        emit({"path": str(out), "records": len(rows)})
    else:
        typer.echo(f"{len(rows)} record(s) -> {out}")


@review_app.command("export-training")
@command
def export_training(
    out: Annotated[Path, typer.Option("--out", help="File to write (.jsonl): one labelled row per reviewed text.")],
    as_json: JsonOpt = False,
) -> None:
    """Reviewers' verdicts (added, agreed, disagreed categories) as training rows for the learned checker layer."""
    from visitcoach.review.training_export import training_rows, write_training

    if out.suffix.lower() != ".jsonl":
        raise VisitCoachError(f"--out: {out.name} must end in .jsonl")
    rows = training_rows(_desk())
    write_training(rows, out)
    if as_json:
        emit({"path": str(out), "rows": len(rows)})
    else:
        typer.echo(f"{len(rows)} training row(s) -> {out} (retrain: make train-checker EXTRA={out})")


@review_app.command()
@command
def stats(since: FromOpt = None, until: ToOpt = None, as_json: JsonOpt = False) -> None:
    """Violations by category, jurisdiction, author and week; reviewer agreement with the checker."""
    data = _desk().stats(parse_day(since, "--from"), parse_day(until, "--to"))
    if as_json:
        emit(data)
        return
    for name in ("by_category", "by_jurisdiction", "by_author", "by_week"):
        typer.echo(f"{name}: " + ", ".join(f"{r['key']}={r['violations']}/{r['warnings']}" for r in data[name]))
    for r in data["agreement"]:
        typer.echo(f"agreement {r['category']}: precision {r['precision']}, recall {r['recall']} "
                   f"({r['agreed']} agreed, {r['disagreed']} disagreed, {r['added']} added)")


@review_app.command()
@command
def purge(
    who: WhoOpt = "cli",
    days: Annotated[int | None, typer.Option(help="Retention in days (default VISITCOACH_RETENTION_DAYS).")] = None,
    yes: Annotated[bool, typer.Option("--yes", help="Do it (otherwise only say what would go).")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Delete records older than the retention period (the only deletion permitted; it is logged)."""
    desk = _desk()
    retention = days or desk.retention_days
    if not yes:
        cutoff = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(days=retention)
        n = len(desk.artifacts(limit=10**9, until=cutoff))
        message = f"{n} artifact(s) older than {cutoff:%Y-%m-%d} would be purged; add --yes to purge"
        emit({"dry_run": True, "artifacts": n, "cutoff": cutoff.isoformat()}) if as_json else typer.echo(message)
        return
    result = desk.purge(who, retention_days=retention)
    data = {"cutoff": result.cutoff.isoformat(), "artifacts": result.artifacts, "events": result.events, "runs": result.runs}
    typer.echo(json.dumps(data) if as_json else f"purged {result.artifacts} artifact(s), {result.events} event(s), "
               f"{result.runs} run(s) older than {result.cutoff:%Y-%m-%d}")
