"""Recall@5 and MRR of hybrid vs dense-only vs BM25-only retrieval over the shipped knowledge pack.

Usage: python benchmarks/retrieval_eval.py [--dataset evals/datasets/retrieval.jsonl] [--k 5] [--json]
Ingests `knowledge/` into VISITCOACH_DATA_DIR (incremental; default ./data) first.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from visitcoach.config import get_settings
from visitcoach.evals.retrieval import evaluate, load_cases, load_unanswerable, no_answer_scores
from visitcoach.ingest import ingest
from visitcoach.retrieval.index import KnowledgeIndex

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, default=ROOT / "evals" / "datasets" / "retrieval.jsonl")
    parser.add_argument("--unanswerable", type=Path, default=ROOT / "evals" / "datasets" / "unanswerable.jsonl")
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--jurisdiction-filter", action="store_true", help="filter by each question's jurisdiction")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    settings = get_settings()
    ingest(settings)
    cases = load_cases(args.dataset)
    index = KnowledgeIndex(settings)
    reports = evaluate(index, cases, args.k, use_jurisdiction=args.jurisdiction_filter)
    refusals = no_answer_scores(index, cases, load_unanswerable(args.unanswerable))
    if args.json:
        out = {"questions": len(cases), "k": args.k, "methods": [r.as_dict() for r in reports], "no_answer": refusals}
        print(json.dumps(out, indent=2))
        return 0
    print(f"{len(cases)} questions, k={args.k}")
    print(f"{'method':<8} {'recall@' + str(args.k):>9} {'MRR':>6}  recall zh / en")
    for r in reports:
        langs = " / ".join(f"{r.by_lang.get(lang, 0):.3f}" for lang in ("zh", "en"))
        print(f"{r.method:<8} {r.recall_at_k:>9.3f} {r.mrr:>6.3f}  {langs}")
    for r in reports:
        if r.misses:
            print(f"{r.method} misses: {', '.join(r.misses)}")
    print(
        f"no-answer: refusal accuracy {refusals['refusal_accuracy']:.3f} on unanswerable questions "
        f"(wrongly answered: {', '.join(refusals['wrongly_answered']) or 'none'}); "
        f"false refusals {refusals['false_refusal_rate']:.3f} on answerable ones"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
