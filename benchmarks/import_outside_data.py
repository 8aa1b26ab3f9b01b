"""Import the outside data sets the learned checker layer trains and is measured on (run once, by hand).

The sources are fetched Git repositories (bare git directories; `git --git-dir=… show HEAD:path`):

  COLD       thu-coai/COLDataset (Apache-2.0)       train + dev -> knowledge/rules/learned/data/ (training, tuning)
                                                    test        -> evals/datasets/cold_test.jsonl (measurement only)
  ConvAbuse  amandacurry/convabuse (CC-BY-4.0)      train + valid -> knowledge/rules/learned/data/
                                                    test          -> evals/datasets/convabuse_test.jsonl
  Davidson   t-davidson/hate-speech-and-offensive-language (MIT)
                                                    a fixed sample -> evals/datasets/davidson_sample.jsonl
                                                    (measurement only: never a training source)

Every output row is {"id", "lang", "text", "categories", "label"}; outside labels map to `abusive_language`
only. Usage: python benchmarks/import_outside_data.py COLD_GIT CONVABUSE_GIT DAVIDSON_GIT
"""

from __future__ import annotations

import csv
import io
import json
import random
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TRAIN_DIR = ROOT / "knowledge" / "rules" / "learned" / "data"
EVAL_DIR = ROOT / "evals" / "datasets"
COLD_FINE = {"0": "safe", "1": "attack_individual", "2": "attack_group", "3": "anti_bias"}


def show(git_dir: str, path: str) -> str:
    out = subprocess.run(["git", "--git-dir", git_dir, "show", f"HEAD:{path}"], check=True, capture_output=True)
    return out.stdout.decode("utf-8-sig")


def write(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{path.relative_to(ROOT)}: {len(rows)} rows", file=sys.stderr)


def cold(git_dir: str) -> None:
    for split in ("train", "dev", "test"):
        rows = []
        for n, r in enumerate(csv.DictReader(io.StringIO(show(git_dir, f"COLDataset/{split}.csv"))), start=2):
            text = (r["TEXT"] or "").strip()
            if not text:
                continue
            offensive = r["label"] == "1"
            row = {"id": f"cold-{split}-{n}", "lang": "zh", "text": text,
                   "categories": ["abusive_language"] if offensive else [], "label": "offensive" if offensive else "safe",
                   "topic": r["topic"]}
            if split == "test":
                row["label"] = COLD_FINE[r["fine-grained-label"]]
            rows.append(row)
        if split == "test":
            # Trimmed for CI: every attack on a person, and a fixed sample of attacks on groups and of safe rows.
            rng = random.Random(17)
            by = {k: [r for r in rows if r["label"] == k] for k in COLD_FINE.values()}
            keep = by["attack_individual"] + rng.sample(by["attack_group"], min(800, len(by["attack_group"])))
            keep += rng.sample(by["safe"] + by["anti_bias"], min(1500, len(by["safe"]) + len(by["anti_bias"])))
            write(EVAL_DIR / "cold_test.jsonl", sorted(keep, key=lambda r: r["id"]))
        else:
            write(TRAIN_DIR / f"cold_{split}.jsonl", rows)
    (TRAIN_DIR / "LICENSE-COLD").write_text(show(git_dir, "LICENSE"), encoding="utf-8")


def _convabuse_label(r: dict) -> str | None:
    """Majority of the annotators abusive (-1..-3): abusive; every annotator 'not abusive': clean; else None."""
    abusive = votes = clean = 0
    for a in range(1, 20):
        if r.get(f"Annotator{a}_is_abuse.1") not in ("0", "1"):
            continue
        votes += 1
        if any(r.get(f"Annotator{a}_is_abuse.{v}") == "1" for v in ("-1", "-2", "-3")):
            abusive += 1
        elif r.get(f"Annotator{a}_is_abuse.1") == "1":
            clean += 1
    if votes and abusive * 2 > votes:
        return "abusive"
    if votes and clean == votes:
        return "clean"
    return None


def convabuse(git_dir: str) -> None:
    for split, target in (("train", TRAIN_DIR / "convabuse_train.jsonl"), ("valid", TRAIN_DIR / "convabuse_valid.jsonl"),
                          ("test", EVAL_DIR / "convabuse_test.jsonl")):
        rows, seen = [], set()
        for r in csv.DictReader(io.StringIO(show(git_dir, f"2_splits/ConvAbuseEMNLP{split}.csv"))):
            label, text = _convabuse_label(r), (r["user"] or "").strip()
            if label is None or not text or text.lower() in seen:
                continue
            seen.add(text.lower())
            rows.append({"id": f"convabuse-{split}-{r['example_id'].split('.')[0]}", "lang": "en", "text": text,
                         "categories": ["abusive_language"] if label == "abusive" else [], "label": label})
        write(target, rows)
    (TRAIN_DIR / "LICENSE-ConvAbuse").write_text(show(git_dir, "LICENSE"), encoding="utf-8")


def davidson(git_dir: str) -> None:
    rows = list(csv.DictReader(io.StringIO(show(git_dir, "data/labeled_data.csv"))))
    rng = random.Random(17)
    offensive = [r for r in rows if r["class"] == "1"]
    neither = [r for r in rows if r["class"] == "2"]
    keep = [("offensive", r) for r in rng.sample(offensive, 600)] + [("neither", r) for r in rng.sample(neither, 600)]
    out = [{"id": f"davidson-{r['']}", "lang": "en", "text": r["tweet"].strip(),
            "categories": ["abusive_language"] if label == "offensive" else [], "label": label} for label, r in keep]
    write(EVAL_DIR / "davidson_sample.jsonl", out)
    (EVAL_DIR / "LICENSE-davidson").write_text(show(git_dir, "LICENSE"), encoding="utf-8")


if __name__ == "__main__":
    cold(sys.argv[1])
    convabuse(sys.argv[2])
    davidson(sys.argv[3])
