"""Visit-brief quality: go / no-go accuracy, reasons and windows against evals/datasets/prep.jsonl,
and the share of briefs with every required element (cited statements, a checked opening, ...).

Usage: python benchmarks/prep_eval.py [--json]   (ingests knowledge/ into the data dir first, incrementally)
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from visitcoach.compliance import Checker
from visitcoach.config import get_settings
from visitcoach.evals.prep import compare_decision, load_cases, missing_elements
from visitcoach.ingest import ingest
from visitcoach.prep import build_brief
from visitcoach.retrieval.index import KnowledgeIndex

ROOT = Path(__file__).resolve().parents[1]
DATASET = ROOT / "evals" / "datasets" / "prep.jsonl"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    settings = get_settings().model_copy(update={"llm": "offline"})
    ingest(settings)
    checker, index = Checker.from_settings(settings), KnowledgeIndex(settings)
    rows = load_cases(DATASET)
    results = {}
    for row in rows:
        brief = build_brief(settings, row.case_id, as_of=row.as_of, checker=checker, index=index).as_dict()
        diffs = compare_decision(row, brief["decision"])
        results[row.id] = {
            "go_no_go": brief["decision"]["visit_allowed"] == row.expected.visit_allowed,
            "reasons": brief["decision"]["reasons"] == row.expected.reasons,
            "windows": brief["decision"]["windows"] == row.expected.windows,
            "missing_elements": missing_elements(row, brief),
            "diffs": diffs,
        }
    n = len(rows)
    summary = {
        "rows": n,
        "go_no_go_accuracy": sum(r["go_no_go"] for r in results.values()) / n,
        "reasons_accuracy": sum(r["reasons"] for r in results.values()) / n,
        "windows_accuracy": sum(r["windows"] for r in results.values()) / n,
        "complete_briefs": sum(not r["missing_elements"] for r in results.values()) / n,
    }
    if args.json:
        print(json.dumps({"summary": summary, "rows": results}, indent=2, ensure_ascii=False))
    else:
        for row_id, r in results.items():
            for line in r["diffs"] + [f"missing {m}" for m in r["missing_elements"]]:
                print(f"{row_id}: {line}")
        print(
            f"prep: {n} cases; go/no-go {summary['go_no_go_accuracy']:.1%}, reasons {summary['reasons_accuracy']:.1%}, "
            f"windows {summary['windows_accuracy']:.1%}; briefs with every required element {summary['complete_briefs']:.1%}"
        )
    return 0 if summary["go_no_go_accuracy"] == 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
