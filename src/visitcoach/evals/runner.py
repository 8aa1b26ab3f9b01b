"""The eval runner: run suites, write `evals/reports/<timestamp>/`, check thresholds, diff a baseline.

A report directory holds `results.jsonl` (one row per dataset row and suite: input, output,
scores), `summary.json` (metrics, breakdowns, threshold checks, baseline diff) and a
self-contained `report.html`. Thresholds (`evals/thresholds.yaml`) give each metric a minimum
(`min:`) or, for rates where lower is better, a maximum (`max:`).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from visitcoach.config import Settings
from visitcoach.errors import ConfigError, KnowledgeError
from visitcoach.evals.suites import SUITES, EvalContext, Mode, RowResult, SuiteResult, run_suite

log = logging.getLogger(__name__)

#: Metrics where lower is better (a rise is the regression).
LOWER_IS_BETTER = ("false_positive_rate", "false_refusal_rate", "over_masking_rate")
#: A change smaller than this is not a regression (values are rounded to 4 places).
TOLERANCE = 0.0005
WORST = 8


def lower_is_better(metric: str) -> bool:
    return metric.endswith(LOWER_IS_BETTER)


@dataclass(frozen=True)
class Threshold:
    metric: str
    kind: str  # "min" | "max"
    limit: float


def load_thresholds(path: Path) -> list[Threshold]:
    """`min:` and `max:` maps of metric name to limit; unknown keys or non-numbers name the file and key."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise KnowledgeError(path, f"cannot read: {exc}") from None
    except yaml.YAMLError as exc:
        raise KnowledgeError(path, f"not YAML: {exc}") from None
    if not isinstance(data, dict) or set(data) - {"min", "max"}:
        raise KnowledgeError(path, "expected only the sections `min:` and `max:` (metric: limit)")
    out = []
    for kind in ("min", "max"):
        for metric, limit in (data.get(kind) or {}).items():
            if isinstance(limit, bool) or not isinstance(limit, int | float):
                raise KnowledgeError(path, f"{kind}.{metric}: limit must be a number, got {limit!r}", field=f"{kind}.{metric}")
            out.append(Threshold(str(metric), kind, float(limit)))
    return out


def check_thresholds(metrics: dict[str, float], thresholds: list[Threshold], suites: list[str]) -> list[dict[str, Any]]:
    """One row per threshold of a suite that ran; a metric the run did not produce is a failure."""
    rows = []
    for t in thresholds:
        if t.metric.split(".")[0] not in suites:
            continue
        value = metrics.get(t.metric)
        if value is None:
            passed = False
        else:
            passed = value >= t.limit - 1e-9 if t.kind == "min" else value <= t.limit + 1e-9
        rows.append({"metric": t.metric, "kind": t.kind, "limit": t.limit, "value": value, "passed": passed})
    return rows


def load_baseline(path: Path) -> dict[str, Any]:
    """A previous run's summary: the summary.json itself or the report directory holding it."""
    target = path / "summary.json" if path.is_dir() else path
    try:
        data = json.loads(target.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"--baseline {path}: cannot read {target}: {exc.strerror or exc}") from None
    except json.JSONDecodeError as exc:
        raise KnowledgeError(target, f"not JSON: {exc.msg}", line=exc.lineno) from None
    if not isinstance(data, dict) or not isinstance(data.get("metrics"), dict):
        raise KnowledgeError(target, "not an eval summary (no `metrics` object)", field="metrics")
    return data


def diff_metrics(current: dict[str, float], baseline: dict[str, float]) -> list[dict[str, Any]]:
    """Every metric in both runs with its change; `regression` when it got worse by more than TOLERANCE."""
    rows = []
    for metric in sorted(set(current) & set(baseline)):
        now, before = current[metric], baseline[metric]
        if not isinstance(before, int | float):
            continue
        delta = round(now - before, 4)
        worse = delta > TOLERANCE if lower_is_better(metric) else delta < -TOLERANCE
        better = delta < -TOLERANCE if lower_is_better(metric) else delta > TOLERANCE
        rows.append({"metric": metric, "baseline": before, "current": now, "delta": delta, "regression": worse, "improvement": better})
    return rows


def _breakdown(rows: list[RowResult], attr: str) -> dict[str, dict[str, float]]:
    """score name -> group (language, jurisdiction) -> mean value."""
    sums: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for r in rows:
        group = getattr(r, attr) or "-"
        for name, score in r.scores.items():
            if score.value is not None:
                sums[name][group].append(score.value)
    return {name: {g: round(sum(v) / len(v), 4) for g, v in sorted(groups.items())} for name, groups in sums.items()}


def _worst(result: SuiteResult, n: int = WORST) -> list[dict[str, Any]]:
    failing = [r for r in result.rows if (s := r.scores.get(result.primary)) is not None and s.value is not None and s.value < 1]
    failing.sort(key=lambda r: (r.scores[result.primary].value, r.id))
    return [
        {"suite": result.name, "id": r.id, "lang": r.lang, "score": result.primary, "value": r.scores[result.primary].value,
         "reason": r.scores[result.primary].reason, "input": r.input, "output": r.output}
        for r in failing[:n]
    ]


@dataclass
class RunResult:
    directory: Path | None
    summary: dict[str, Any]
    results: list[SuiteResult]

    @property
    def passed(self) -> bool:
        return bool(self.summary["passed"])


def summarise(
    results: list[SuiteResult],
    *,
    mode: Mode,
    skipped: dict[str, str],
    thresholds: list[Threshold],
    baseline: dict[str, Any] | None = None,
    baseline_path: str | None = None,
    seconds: float = 0.0,
) -> dict[str, Any]:
    metrics = {k: v for r in results for k, v in r.metrics.items()}
    ran = [r.name for r in results]
    checks = check_thresholds(metrics, thresholds, ran)
    summary: dict[str, Any] = {
        "created": dt.datetime.now().isoformat(timespec="seconds"),
        "mode": mode,
        "suites": ran,
        "skipped": skipped,
        "rows": {r.name: len(r.rows) for r in results},
        "seconds": {**{r.name: r.seconds for r in results}, "total": round(seconds, 2)},
        "metrics": metrics,
        "breakdowns": {
            "by_lang": {r.name: _breakdown(r.rows, "lang") for r in results},
            "by_jurisdiction": {r.name: _breakdown(r.rows, "jurisdiction") for r in results},
        },
        "tables": {r.name: r.tables for r in results if r.tables},
        "thresholds": checks,
        "passed": all(c["passed"] for c in checks),
        "worst": [w for r in results for w in _worst(r)],
        "baseline": None,
    }
    if baseline is not None:
        diff = diff_metrics(metrics, baseline["metrics"])
        summary["baseline"] = {
            "path": baseline_path,
            "created": baseline.get("created"),
            "diff": diff,
            "regressions": [d["metric"] for d in diff if d["regression"]],
        }
    return summary


def run(
    settings: Settings,
    *,
    suites: list[str] | None = None,
    mode: Mode = "offline",
    datasets_dir: Path,
    root: Path,
    reports_dir: Path | None,
    thresholds_path: Path | None = None,
    baseline: Path | None = None,
    progress: bool = False,
    index: Any = None,
    checker: Any = None,
    k: int = 5,
) -> RunResult:
    """Run `suites` (all by default), write a report directory under `reports_dir` (unless None)."""
    names = suites or list(SUITES)
    unknown = [n for n in names if n not in SUITES]
    if unknown:
        raise ConfigError(f"unknown eval suite {unknown[0]!r} (known: {', '.join(SUITES)})")
    if mode == "llm" and settings.llm != "openai":
        raise ConfigError("--mode llm needs a model: set VISITCOACH_LLM=openai with OPENAI_API_KEY or VISITCOACH_OPENAI_BASE_URL")
    thresholds = load_thresholds(thresholds_path) if thresholds_path is not None else []
    base = load_baseline(baseline) if baseline is not None else None
    ctx = EvalContext(settings, datasets_dir, root, mode, k, progress, index, checker)
    started = time.perf_counter()
    results, skipped = [], {}
    for name in names:
        needed = ["ask.jsonl", "unanswerable.jsonl"] if name == "ask" else [SUITES[name][1]]
        if not any((datasets_dir / f).exists() for f in needed):
            skipped[name] = f"no {' or '.join(needed)} in {datasets_dir}"
            log.warning("eval %s skipped: %s", name, skipped[name])
            continue
        results.append(run_suite(name, ctx))
    summary = summarise(
        results, mode=mode, skipped=skipped, thresholds=thresholds, baseline=base,
        baseline_path=str(baseline) if baseline else None, seconds=time.perf_counter() - started,
    )
    directory = write_report(reports_dir, summary, results) if reports_dir is not None else None
    return RunResult(directory, summary, results)


def write_report(reports_dir: Path, summary: dict[str, Any], results: list[SuiteResult]) -> Path:
    """`<reports_dir>/<timestamp>/` with results.jsonl, summary.json and report.html."""
    from visitcoach.evals.report import render_html

    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    directory = reports_dir / stamp
    n = 1
    while directory.exists():
        n += 1
        directory = reports_dir / f"{stamp}-{n}"
    directory.mkdir(parents=True)
    with (directory / "results.jsonl").open("w", encoding="utf-8") as out:
        for result in results:
            for row in result.rows:
                out.write(json.dumps(row.as_dict(), ensure_ascii=False, default=str) + "\n")
    (directory / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    (directory / "report.html").write_text(render_html(summary), encoding="utf-8")
    return directory
