"""Fit the section-ranking weights (`visitcoach.qa.sections.WEIGHTS`) on the dev split of the ask set.

    python benchmarks/fit_ranking.py            # grid over the weights, dev split only
    python benchmarks/fit_ranking.py --show     # the current weights' dev figures, row by row misses

The objective is the mean of section recall@5 (an expected citation among the top five ranked
sections) and answer correctness (every key fact stated) over answerable dev rows. The test split
is never read here: the ask suite (`visitcoach eval --suite ask`) measures it.
"""

from __future__ import annotations

import argparse
import itertools
import logging
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from visitcoach import ask as ask_module  # noqa: E402
from visitcoach.config import Settings  # noqa: E402
from visitcoach.evals import scorers  # noqa: E402
from visitcoach.evals.ask import load_cases  # noqa: E402
from visitcoach.qa import sections  # noqa: E402
from visitcoach.retrieval.index import KnowledgeIndex  # noqa: E402


def evaluate(index: KnowledgeIndex, cases, verbose: bool = False) -> dict[str, float]:
    by_id = {c.id: c for c in cases}
    recall, correct, direct = [], [], []
    for case in cases:
        parent = by_id.get(case.follow_up_of) if case.follow_up_of else None
        history = [{"role": "user", "content": parent.question}] if parent else None
        answer = ask_module.ask(index, case.question, jurisdiction=case.selected_jurisdiction, lang=case.lang, history=history)
        text = scorers.claims_text(answer.answer) if answer.covered else ""
        r = scorers.citation_in_top(answer.understood.get("ranked", []), case.expected_citations, case.expected_doc_ids).value or 0.0
        c = scorers.all_key_facts(text, case.key_facts).value or 0.0
        d = scorers.direct_answer(text, case.key_facts).value or 0.0
        recall.append(r)
        correct.append(c)
        direct.append(d)
        if verbose and (r < 1 or c < 1):
            ranked = [x["citation"] for x in answer.understood.get("ranked", [])[:5]]
            print(f"- {case.id} [{'R' if r else 'r'}{'C' if c else 'c'}] {case.question}\n    want {case.expected_citations[:2]} facts {case.key_facts}\n"
                  f"    topics {answer.understood.get('topics')} j={answer.understood.get('jurisdiction')} ranked {ranked}\n    {answer.answer[:300]}")
    n = len(recall) or 1
    return {"section_recall@5": sum(recall) / n, "answer_correct": sum(correct) / n, "direct_answer": sum(direct) / n}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--show", action="store_true")
    args = ap.parse_args()
    logging.disable(logging.INFO)
    settings = Settings()
    index = KnowledgeIndex(settings)
    cases = [c for c in load_cases(ROOT / "evals" / "datasets" / "ask.jsonl") if c.split == "dev" and c.answerable]
    print(f"{len(cases)} answerable dev rows")
    if args.show:
        t = time.perf_counter()
        print(evaluate(index, cases, verbose=True), f"{time.perf_counter() - t:.1f}s")
        return
    best = None
    grid = itertools.product((0.6, 0.8, 1.2), (0.3, 0.6), (0.6, 1.0, 1.5, 2.0), (0.0, 0.15, 0.3))
    for c, h, b, k in grid:
        sections.WEIGHTS.update({"retrieval": 1.0, "concept": c, "heading": h, "body": b, "kind": k})
        m = evaluate(index, cases)
        objective = (m["section_recall@5"] + m["answer_correct"]) / 2
        print(f"concept {c} heading {h} body {b} kind {k}: {m} -> {objective:.3f}", flush=True)
        if best is None or objective > best[0]:
            best = (objective, (c, h, b, k), m)
    print("best", best)


if __name__ == "__main__":
    main()
