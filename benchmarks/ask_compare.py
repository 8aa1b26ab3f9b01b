"""Before/after figures of the ask set on one split, for any checkout of visitcoach.

    python benchmarks/ask_compare.py --split test                 # this checkout
    PYTHONPATH=/tmp/before/src python benchmarks/ask_compare.py --split test --label before

It scores with this checkout's `evals/scorers.py` and dataset even when the answer engine is an
older one (which knows no conversation history and no section ranking: follow-ups then go
through the old Ask tab's `contextual_query`, and its ranked sections are its top-5 search hits).
The eval suite (`visitcoach eval --suite ask`) is the gate; this script exists so that the old
engine can be measured on the new set in the same run of the machine.
"""

from __future__ import annotations

import argparse
import importlib.util
import inspect
import json
import logging
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("new_scorers", ROOT / "src" / "visitcoach" / "evals" / "scorers.py")
scorers = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
sys.modules["new_scorers"] = scorers
_spec.loader.exec_module(scorers)  # type: ignore[union-attr]


def rows(split: str, prefix: str = "") -> list[dict]:
    data = [json.loads(line) for line in (ROOT / "evals" / "datasets" / "ask.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    chosen = [r for r in data if (split == "all" or r.get("split", "dev") == split) and r["id"].startswith(prefix)]
    return chosen, {r["id"]: r for r in data}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", default="test", choices=("dev", "test", "all"))
    ap.add_argument("--label", default="after")
    ap.add_argument("--ids", default="", help="only rows whose id starts with this (e.g. ask-t2- for one batch)")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    logging.disable(logging.WARNING)
    from visitcoach.ask import ask
    from visitcoach.config import Settings
    from visitcoach.retrieval.index import Filters, KnowledgeIndex

    index = KnowledgeIndex(Settings())
    takes_history = "history" in inspect.signature(ask).parameters
    selected, by_id = rows(args.split, args.ids)
    scores: dict[str, list[float]] = {}
    times = []
    misses = []

    def add(name: str, value: float | None) -> None:
        if value is not None:
            scores.setdefault(name, []).append(value)

    for row in selected:
        parent = by_id.get(row.get("follow_up_of") or "")
        question, chosen, history = row["question"], row.get("selected_jurisdiction"), None
        if parent:
            history = [{"role": "user", "content": parent["question"]}, {"role": "assistant", "content": ""}]
        t = time.perf_counter()
        if takes_history:
            answer = ask(index, question, jurisdiction=chosen, lang=row["lang"], history=history)
            ranked = answer.understood.get("ranked", [])
        else:
            if history:
                from visitcoach.ui.handlers import contextual_query

                question, place = contextual_query(question, history)
                chosen = chosen or place
            answer = ask(index, question, jurisdiction=chosen, lang=row["lang"])
            ranked = [{"citation": h.citation, "doc_id": h.doc_id} for h in index.search(question, 5, Filters(jurisdiction=chosen)).hits]
        times.append(time.perf_counter() - t)
        cited = []
        for c in answer.citations:
            d = c.as_dict(with_text=True)
            chunk = index.chunk(d["chunk_id"])
            d["jurisdiction"] = chunk.metadata.get("jurisdiction") if chunk else None
            cited.append(d)
        text = scorers.claims_text(answer.answer) if answer.covered else ""
        if not row["answerable"]:
            add("refusal_accuracy", float(not answer.covered))
            continue
        add("answered", float(answer.covered))
        facts, forbidden = row["key_facts"], row.get("forbidden_facts", [])
        add("answer_correct", scorers.all_key_facts(text, facts).value)
        add("key_fact_coverage", scorers.key_fact_coverage(text, facts).value)
        add("direct_answer", scorers.direct_answer(text, facts).value)
        add("wrong_jurisdiction_rate", scorers.wrong_jurisdiction(text, cited, row.get("jurisdiction"), forbidden).value)
        add("section_recall@5", scorers.citation_in_top(ranked, row["expected_citations"], row["expected_doc_ids"]).value)
        add("citation_top5", scorers.citation_in_top(cited, row["expected_citations"], row["expected_doc_ids"]).value if answer.covered else 0.0)
        if answer.covered:
            retrieved = [c["chunk_id"] for c in cited]
            add("citation_precision", scorers.citation_precision(text, cited, retrieved).value)
        if scorers.all_key_facts(text, facts).value == 0:
            misses.append(row["id"])
    out = {k: round(statistics.mean(v), 4) for k, v in sorted(scores.items())}
    out["false_refusal_rate"] = round(1 - out.pop("answered", 1.0), 4)
    out["rows"] = len(selected)
    out["p50_ms"] = round(statistics.median(times) * 1000, 1)
    out["p95_ms"] = round(sorted(times)[int(0.95 * (len(times) - 1))] * 1000, 1)
    print(json.dumps({"label": args.label, "split": args.split, **out}, ensure_ascii=False))
    if args.out:
        args.out.write_text(json.dumps({"label": args.label, "split": args.split, "metrics": out, "misses": misses}, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
