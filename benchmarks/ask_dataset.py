"""Merge new rows into evals/datasets/ask.jsonl, assigning each a dev or test split.

    python benchmarks/ask_dataset.py --merge NEW_ROWS.jsonl

The split is stratified by (language, jurisdiction, answerable): within each stratum, rows are
ordered by the SHA-1 of their id and alternate dev, test, dev, ... A follow-up row takes its
parent's split, so a conversation is never split across the two. Rows already in the file keep
their split. `jurisdiction: "ALL"` (a group-wide question) is stored as null with the tag `group`.
Ranking may be tuned on `dev` only; `test` is only measured (`visitcoach eval --suite ask`).
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections import defaultdict
from pathlib import Path

DATASET = Path(__file__).resolve().parents[1] / "evals" / "datasets" / "ask.jsonl"
FIELDS = (
    "id", "lang", "jurisdiction", "question", "answerable", "key_facts", "forbidden_facts", "expected_citations",
    "expected_doc_ids", "tags", "split", "selected_jurisdiction", "follow_up_of",
)


def assign_splits(rows: list[dict]) -> None:
    strata: dict[tuple, list[dict]] = defaultdict(list)
    for row in rows:
        if row.get("split") or row.get("follow_up_of"):
            continue
        strata[(row["lang"], row.get("jurisdiction"), row["answerable"])].append(row)
    for members in strata.values():
        members.sort(key=lambda r: hashlib.sha1(r["id"].encode()).hexdigest())
        for i, row in enumerate(members):
            row["split"] = "dev" if i % 2 == 0 else "test"
    by_id = {r["id"]: r for r in rows}
    for row in rows:
        parent = row.get("follow_up_of")
        while parent and not row.get("split"):
            row["split"] = by_id[parent].get("split")
            parent = by_id[parent].get("follow_up_of")


def normalise(row: dict) -> dict:
    row = dict(row)
    if row.get("jurisdiction") == "ALL":
        row["jurisdiction"] = None
        row["tags"] = [*row.get("tags", []), "group"]
    if not row.get("answerable", True):
        row["tags"] = list(dict.fromkeys([*row.get("tags", []), "unanswerable"]))
    return {k: row[k] for k in FIELDS if (k in row and row[k] not in (None, [], "")) or k in ("jurisdiction",)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--merge", type=Path, required=True)
    args = ap.parse_args()
    existing = [json.loads(line) for line in DATASET.read_text(encoding="utf-8").splitlines() if line.strip()]
    for row in existing:
        row.setdefault("split", "dev")  # the older rows were tuned on
    new = [normalise(json.loads(line)) for line in args.merge.read_text(encoding="utf-8").splitlines() if line.strip()]
    seen = {r["id"] for r in existing}
    new = [r for r in new if r["id"] not in seen]
    rows = existing + new
    assign_splits(rows)
    DATASET.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    counts: dict[str, int] = defaultdict(int)
    for r in rows:
        counts[r["split"]] += 1
    print(f"{len(new)} rows added; {dict(counts)}")


if __name__ == "__main__":
    main()
