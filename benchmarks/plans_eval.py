"""Plan-calculator quality: the share of evals/datasets/plans.jsonl rows whose option set and key
figures match the calculator exactly, with every difference listed.

Usage: python benchmarks/plans_eval.py [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from visitcoach.corpus.pack import load_plan_policy
from visitcoach.evals.plans import actual, compare, load_cases

ROOT = Path(__file__).resolve().parents[1]
DATASET = ROOT / "evals" / "datasets" / "plans.jsonl"
KNOWLEDGE = ROOT / "knowledge"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    policy = load_plan_policy(KNOWLEDGE)
    rows = load_cases(DATASET)
    diffs = {row.id: compare(row, actual(row, policy, KNOWLEDGE)) for row in rows}
    matched = sum(not d for d in diffs.values())
    if args.json:
        print(json.dumps({"rows": len(rows), "matched": matched, "share": matched / len(rows), "diffs": diffs}, indent=2))
    else:
        for row_id, d in diffs.items():
            for line in d:
                print(f"{row_id}: {line}")
        print(f"plans: {matched}/{len(rows)} rows match ({matched / len(rows):.1%})")
    return 0 if matched == len(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
