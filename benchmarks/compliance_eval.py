"""Compliance checker quality: precision / recall / F1 per category, false-positive rate on
compliant scripts, with and without the semantic layer.

Usage: python benchmarks/compliance_eval.py [--calibrate] [--json]
The semantic threshold and margin are calibrated on the even-numbered rows (dev) and reported on
the odd-numbered rows (test) as well as on all rows; `--calibrate` writes the chosen values to
knowledge/rules/calibration.yaml.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

import yaml

from visitcoach.compliance import Checker
from visitcoach.config import get_settings
from visitcoach.evals.compliance import calibrate, load_cases, predict, score

ROOT = Path(__file__).resolve().parents[1]
DATASETS = [ROOT / "evals" / "datasets" / "compliance.jsonl"]


def _table(name: str, s) -> str:
    lines = [
        f"{name}: micro P {s.micro['precision']:.3f} R {s.micro['recall']:.3f} F1 {s.micro['f1']:.3f}; "
        f"false-positive rate on {s.compliant} compliant scripts {s.false_positive_rate:.3f}"
    ]
    for cat, m in s.per_category.items():
        lines.append(f"  {cat:<30} P {m['precision']:.3f}  R {m['recall']:.3f}  F1 {m['f1']:.3f}  (n={m['support']})")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calibrate", action="store_true")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--errors", action="store_true", help="list the misclassified DEV rows (tune on dev only)")
    parser.add_argument(
        "--dev-only", action="store_true", help="score the dev split only (for whoever is tuning rules: never see test)"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    settings = get_settings()
    cases = load_cases(*DATASETS)
    dev, test = cases[0::2], cases[1::2]
    checker = Checker.from_settings(settings)
    if args.calibrate:
        threshold, margin, f1 = calibrate(checker, dev)
        path = settings.knowledge_dir / "rules" / "calibration.yaml"
        path.write_text(
            "# Semantic-layer thresholds, calibrated by benchmarks/compliance_eval.py --calibrate on the even rows of\n"
            "# evals/datasets/compliance.jsonl (max F1 with false-positive rate <= 5%).\n"
            + yaml.safe_dump({"semantic": {"threshold": threshold, "margin": margin}}),
            encoding="utf-8",
        )
        print(f"calibrated on {len(dev)} dev rows: threshold {threshold}, margin {margin} (dev F1 {f1:.3f}) -> {path}")
    if args.dev_only:
        results = {
            "dev_with_semantic": score(predict(checker, dev), dev),
            "dev_without_semantic": score(predict(checker, dev, semantic=False), dev),
        }
    else:
        results = {
            "all_with_semantic": score(predict(checker, cases), cases),
            "all_without_semantic": score(predict(checker, cases, semantic=False), cases),
            "dev_with_semantic": score(predict(checker, dev), dev),
            "test_with_semantic": score(predict(checker, test), test),
        }
    if args.json:
        print(json.dumps({k: v.as_dict() for k, v in results.items()}, ensure_ascii=False, indent=2))
        return 0
    print(f"{len(cases)} scripts ({sum(c.lang == 'zh' for c in cases)} zh, {sum(c.lang == 'en' for c in cases)} en)")
    for name, s in results.items():
        print(_table(name, s))
    if args.errors:
        for e in results["dev_with_semantic"].errors:
            case = next(c for c in dev if c.id == e["id"])
            print(f"{e['id']}: expected {e['expected']} got {e['got']} :: {case.text[:120]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
