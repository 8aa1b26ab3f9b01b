"""The learned layer's figures, with and without it: compliance (dev, test, per language and category),
COLD test and the English sets (ConvAbuse test, the Davidson sample). Aggregates only.

    python benchmarks/learned_eval.py [--suite compliance --suite cold --suite english_abuse] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from visitcoach.compliance.checker import Checker  # noqa: E402
from visitcoach.config import Settings  # noqa: E402
from visitcoach.evals.suites import EvalContext, run_suite  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--suite", action="append", choices=["compliance", "cold", "english_abuse"])
    p.add_argument("--no-semantic", action="store_true", help="compliance without the semantic layer (faster)")
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    settings = Settings(knowledge_dir=ROOT / "knowledge", data_dir=ROOT / "data")
    checker = Checker.from_settings(settings, semantic=not args.no_semantic)
    ctx = EvalContext(settings, ROOT / "evals" / "datasets", ROOT, injected_checker=checker)
    out = {}
    for name in args.suite or ["compliance", "cold", "english_abuse"]:
        result = run_suite(name, ctx)
        out[name] = {"metrics": result.metrics, "seconds": result.seconds}
        if name == "compliance":
            out[name]["per_category"] = {k: v for k, v in result.tables["per_category"].items() if k.count(".") == 1}
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=1))
        return
    for name, data in out.items():
        print(f"== {name} ({data['seconds']} s)")
        for k, v in data["metrics"].items():
            if name != "compliance" or (k.count(".") == 3 and "phrase_only" not in k) or "alone" in k:
                print(f"  {k:70s} {v}")
        for key, cats in data.get("per_category", {}).items():
            if key.startswith("phrase_only"):
                continue
            print(f"  -- per category {key}: " + ", ".join(
                f"{c} P={m['precision']:.2f} R={m['recall']:.2f} n={m.get('support', m.get('tp', 0) + m.get('fn', 0))}"
                for c, m in sorted(cats.items())))


if __name__ == "__main__":
    main()
