"""Check ../redaction.jsonl (all rows structurally; r5, r6 and r7 rows in detail). Prints no row text of other batches."""
import collections
import json
import re
import sys
from pathlib import Path

OUT = Path(__file__).parent.parent / "redaction.jsonl"
SHAPES = {
    "POSTCODE": re.compile(r"^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$", re.I),
    "PERSON": re.compile(r"^\S.*\S$|^\S$"),
}
errors = []
rows = [json.loads(ln) for ln in OUT.read_text(encoding="utf-8").splitlines() if ln.strip()]
ids = collections.Counter(r["id"] for r in rows)
errors += [f"duplicate id {i}" for i, n in ids.items() if n > 1]
names = collections.Counter()
for r in rows:
    for ident in r["identifiers"]:
        if ident["type"] == "PERSON":
            names[ident["value"]] += 1
counts = collections.Counter()
for r in rows:
    if not r["id"].startswith(("r5-", "r6-", "r7-")):
        continue
    t = r["text"]
    if r["split"] != "dev":
        errors.append(f"{r['id']}: split {r['split']}")
    if r["lang"] not in ("zh", "en"):
        errors.append(f"{r['id']}: lang")
    spans = []
    for ident in r["identifiers"]:
        v = ident["value"]
        if v not in t:
            errors.append(f"{r['id']}: {v!r} not in text")
        if v != v.strip():
            errors.append(f"{r['id']}: {v!r} has outer space")
        s = SHAPES.get(ident["type"])
        if s and not s.match(v):
            errors.append(f"{r['id']}: {v!r} bad {ident['type']} shape")
        i = t.find(v)
        while i >= 0:
            spans.append((i, i + len(v)))
            i = t.find(v, i + 1)
        counts[(r["id"][:2], ident["type"], r["lang"])] += 1
    for n in r["negatives"]:
        if n not in t:
            errors.append(f"{r['id']}: negative {n!r} not in text")
        i = t.find(n)
        while i >= 0:
            if any(a < i + len(n) and i < b for a, b in spans):
                errors.append(f"{r['id']}: negative {n!r} overlaps an identifier")
            i = t.find(n, i + 1)
        counts[(r["id"][:2], "NEG", r["lang"])] += 1
    for ident in r["identifiers"]:
        if ident["type"] == "PERSON" and names[ident["value"]] > 3:
            errors.append(f"{r['id']}: name {ident['value']!r} used {names[ident['value']]} times in the file")
for b in ("r5", "r6", "r7"):
    batch = [r for r in rows if r["id"].startswith(b + "-")]
    print(f"{b} rows {len(batch)} (zh {sum(r['lang'] == 'zh' for r in batch)}, en {sum(r['lang'] == 'en' for r in batch)})")
    for k in sorted(k for k in counts if k[0] == b):
        print(f"  {k[1]:9} {k[2]} {counts[k]}")
print("\n".join(errors) or "OK")
sys.exit(1 if errors else 0)
