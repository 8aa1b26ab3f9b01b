"""Every ask-set question's offline answer (text and citations) as JSON lines, and the mean time per ask.

Usage: python benchmarks/ask_dump.py OUT.jsonl   (PYTHONPATH=<other checkout>/src for a before)

Two dumps compared with `cmp` show whether a change (a speed-up, a refactor) changed any answer.
The data dir's ingested index is used, offline.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    logging.disable(logging.WARNING)
    from visitcoach.ask import ask
    from visitcoach.config import get_settings
    from visitcoach.retrieval.index import KnowledgeIndex

    settings = get_settings().model_copy(update={"llm": "offline"})
    index = KnowledgeIndex(settings)
    rows = [json.loads(line) for line in (ROOT / "evals" / "datasets" / "ask.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    ask(index, "warm up", settings=settings)
    started = time.perf_counter()
    with open(sys.argv[1], "w", encoding="utf-8") as out:
        for row in rows:
            answer = ask(index, row["question"], jurisdiction=row.get("jurisdiction"), settings=settings).as_dict()
            out.write(json.dumps({"id": row["id"], "answer": answer.get("answer"), "citations": answer.get("citations")},
                                 ensure_ascii=False, default=str) + "\n")
    per_ask = (time.perf_counter() - started) / len(rows) * 1000
    sys.stderr.write(f"{len(rows)} answers, {per_ask:.1f} ms per ask (first sight of each question)\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
