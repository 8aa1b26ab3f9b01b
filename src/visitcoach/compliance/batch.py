"""Batch checking: JSONL or CSV rows of {id, text, context}, one result per row in input order."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from visitcoach.compliance.checker import Checker, CheckInputError
from visitcoach.compliance.context import parse_context
from visitcoach.errors import KnowledgeError, VisitCoachError


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """(row number, row) pairs; a row that cannot be parsed comes back as its error message."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise KnowledgeError(path, f"cannot read: {exc.strerror or exc}") from None
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise KnowledgeError(path, "not UTF-8 text") from None
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        for n, line in enumerate(content.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                yield n, f"row {n}: not JSON ({exc.msg})"
                continue
            yield n, row if isinstance(row, dict) else f"row {n}: must be a JSON object"
    elif suffix == ".csv":
        reader = csv.DictReader(io.StringIO(content))
        missing = {"id", "text"} - set(reader.fieldnames or [])
        if missing:
            raise KnowledgeError(path, f"CSV lacks column(s) {sorted(missing)} (columns: id, text, context)")
        for n, row in enumerate(reader, start=2):
            ctx = row.get("context") or ""
            try:
                parsed = json.loads(ctx) if ctx.strip() else {}
            except json.JSONDecodeError as exc:
                yield n, f"row {n}: context is not JSON ({exc.msg})"
                continue
            yield n, {"id": row.get("id"), "text": row.get("text"), "context": parsed}
    else:
        raise KnowledgeError(path, "batch files must be .jsonl or .csv")


def check_batch(
    checker: Checker,
    path: Path,
    semantic: bool = True,
    lang: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Check every row; `progress(done, total)` is called after each row."""
    results: list[dict[str, Any]] = []
    rows = list(read_rows(path))
    for done, (n, row) in enumerate(rows, start=1):
        if progress is not None:
            progress(done - 1, len(rows))
        if isinstance(row, str):
            results.append({"id": f"row-{n}", "row": n, "error": row})
            continue
        row_id = str(row.get("id") or f"row-{n}")
        unknown = set(row) - {"id", "text", "context"}
        if unknown:
            results.append({"id": row_id, "row": n, "error": f"row {n}: unknown field(s) {sorted(unknown)}"})
            continue
        try:
            ctx = parse_context(row.get("context"), f"row {n} context")
            report = checker.check(row.get("text"), ctx, lang=lang, semantic=semantic)
        except (CheckInputError, KnowledgeError, VisitCoachError) as exc:
            results.append({"id": row_id, "row": n, "error": f"row {n}: {exc}"})
            continue
        results.append({"id": row_id, **report.as_dict()})
    return {"results": results, "summary": summarise(results)}


def summarise(results: list[dict[str, Any]]) -> dict[str, Any]:
    by_category: Counter[str] = Counter()
    by_severity: Counter[str] = Counter()
    for r in results:
        for f in r.get("findings", []):
            by_severity[f["severity"]] += 1
            if f["severity"] != "info":
                by_category[f["category"]] += 1
    return {
        "rows": len(results),
        "passed": sum(1 for r in results if r.get("verdict") == "pass"),
        "failed": sum(1 for r in results if r.get("verdict") == "fail"),
        "errors": sum(1 for r in results if "error" in r),
        "findings_by_category": dict(sorted(by_category.items())),
        "findings_by_severity": dict(sorted(by_severity.items())),
    }


def write_reports(batch: dict[str, Any], out_dir: Path, stem: str) -> tuple[Path, Path]:
    """A JSON report and a CSV (one line per finding, or per row without findings) in `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, csv_path = out_dir / f"{stem}.json", out_dir / f"{stem}.csv"
    json_path.write_text(json.dumps(batch, ensure_ascii=False, indent=2), encoding="utf-8")
    columns = [
        "id",
        "verdict",
        "error",
        "rule_id",
        "category",
        "severity",
        "start",
        "end",
        "text",
        "citation",
        "suggestion",
    ]
    with csv_path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        for r in batch["results"]:
            base = {"id": r["id"], "verdict": r.get("verdict", ""), "error": r.get("error", "")}
            if not r.get("findings"):
                writer.writerow(base)
            for f in r.get("findings", []):
                writer.writerow(base | {k: f.get(k) for k in columns[3:]})
    return json_path, csv_path
