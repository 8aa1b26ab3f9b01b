"""Wall time and peak memory of the full offline eval suite (`visitcoach eval`), median of N rounds.

Usage: python benchmarks/eval_suite.py [--rounds 3] [--json]
Each round runs in its own process (so its peak RSS is its own) against VISITCOACH_DATA_DIR
(default ./data), ingesting knowledge/ first (incremental: unchanged files are skipped; the
ingest is timed apart). Reports go to a temporary directory, not evals/reports/.
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def once() -> dict:
    from visitcoach.config import get_settings
    from visitcoach.evals.runner import run
    from visitcoach.ingest import ingest

    settings = get_settings()
    t = time.perf_counter()
    ingest(settings)
    ingest_s = time.perf_counter() - t
    evals = ROOT / "evals"
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        result = run(settings, datasets_dir=evals / "datasets", root=ROOT, reports_dir=Path(tmp),
                     thresholds_path=evals / "thresholds.yaml")
        wall = time.perf_counter() - t
    return {
        "ingest_s": round(ingest_s, 2),
        "suite_s": round(wall, 2),
        "per_suite_s": {k: v for k, v in result.summary["seconds"].items() if k != "total"},
        "rows": result.summary["rows"],
        "passed": result.passed,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--once", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if args.once:
        print(json.dumps(once()))
        return 0
    rounds = []
    for n in range(args.rounds):
        print(f"round {n + 1}/{args.rounds} ...", file=sys.stderr, flush=True)
        out = subprocess.run([sys.executable, __file__, "--once"], check=True, capture_output=True, text=True)
        rounds.append(json.loads(out.stdout.strip().splitlines()[-1]))
    suites = rounds[0]["per_suite_s"]
    summary = {
        "rounds": len(rounds),
        "rows": rounds[0]["rows"],
        "suite_s_median": round(statistics.median(r["suite_s"] for r in rounds), 1),
        "per_suite_s_median": {k: round(statistics.median(r["per_suite_s"][k] for r in rounds), 1) for k in suites},
        "peak_rss_mb_median": round(statistics.median(r["peak_rss_mb"] for r in rounds), 1),
        "peak_rss_mb_max": max(r["peak_rss_mb"] for r in rounds),
        "ingest_s_median": round(statistics.median(r["ingest_s"] for r in rounds), 2),
        "gate_passed": all(r["passed"] for r in rounds),
    }
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    per = ", ".join(f"{k} {v} s" for k, v in summary["per_suite_s_median"].items())
    print(f"offline eval suite, {sum(summary['rows'].values())} rows: median {summary['suite_s_median']} s over "
          f"{summary['rounds']} rounds ({per}); peak RSS median {summary['peak_rss_mb_median']} MB "
          f"(max {summary['peak_rss_mb_max']} MB); incremental ingest {summary['ingest_s_median']} s; "
          f"gate {'passed' if summary['gate_passed'] else 'FAILED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
