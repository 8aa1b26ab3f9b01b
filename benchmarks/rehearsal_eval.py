"""Rehearsal agreement: scripted agents (evals/datasets/rehearsal.jsonl) against the shipped exercises.

Usage: python benchmarks/rehearsal_eval.py [--json]
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from visitcoach.compliance import Checker
from visitcoach.config import get_settings
from visitcoach.evals.rehearsal import compare, load_cases
from visitcoach.rehearsal import Grading, load_exercise, load_persona, replay

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    settings = get_settings()
    checker = Checker.from_settings(settings)
    rows = load_cases(ROOT / "evals" / "datasets" / "rehearsal.jsonl")
    diffs = {}
    for row in rows:
        ex = load_exercise(settings.knowledge_dir, row.exercise)
        lines = (ROOT / row.script).read_text(encoding="utf-8").splitlines()
        result = replay(load_persona(settings.knowledge_dir, ex.persona), checker, lines, context=dict(ex.context),
                        seed=row.seed, grading=Grading.of(ex))
        diffs[row.id] = compare(row, result)
    agree = sum(not d for d in diffs.values())
    if args.json:
        print(json.dumps({"rows": len(rows), "agree": agree, "diffs": diffs}, indent=2, ensure_ascii=False))
    else:
        for row_id, d in diffs.items():
            for line in d:
                print(f"{row_id}: {line}")
        print(f"rehearsal: {agree}/{len(rows)} scripted rehearsals agree with their expectations")
    return 0


if __name__ == "__main__":
    sys.exit(main())
