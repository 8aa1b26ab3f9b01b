"""Build the r5 and r6 redaction rows from the *.txt markup here and merge them into ../redaction.jsonl.

Markup: [[T:value]] identifier, {{text}} hard negative. Lines starting with # are comments.
Existing rows not prefixed r5- or r6- are kept byte for byte, in order; r5 rows, then r6 rows, are appended.
Each batch is shuffled with its own fixed seed, so adding a batch leaves the earlier ones byte for byte.
"""
import json
import random
import re
from pathlib import Path

HERE = Path(__file__).parent
OUT = HERE.parent / "redaction.jsonl"
TYPES = {"P": "PERSON", "PH": "PHONE", "ID": "CN_ID", "CARD": "CARD", "ACC": "ACCOUNT", "SSN": "SSN",
         "NINO": "NINO", "PC": "POSTCODE", "EM": "EMAIL", "WX": "WECHAT", "QQ": "QQ", "AD": "ADDRESS"}
MARK = re.compile(r"\[\[([A-Z]+):(.+?)\]\]|\{\{(.+?)\}\}")
FILES = ["zh_names.txt", "zh_addr.txt", "zh_neg.txt", "en_names.txt", "en_addr.txt", "en_neg.txt"]
FILES_R6 = [f.replace(".txt", "_r6.txt") for f in FILES]
BATCHES = [("r5", FILES, 20261207), ("r6", FILES_R6, 20261210)]


def parse(line: str, lang: str) -> dict:
    text, ids, negs, pos = "", [], [], 0
    for m in MARK.finditer(line):
        text += line[pos:m.start()]
        if m.group(1):
            t, v = TYPES[m.group(1)], m.group(2)
            ids.append(({"type": t, "value": v}, len(text)))
            text += v
        else:
            negs.append(m.group(3))
            text += m.group(3)
        pos = m.end()
    text += line[pos:]
    assert "[[" not in text and "{{" not in text and "]]" not in text and "}}" not in text, line
    seen = {}
    for ident, off in ids:
        v = ident["value"]
        k = seen.get(v, 0)
        start = -1
        for _ in range(k + 1):
            start = text.find(v, start + 1)
        assert start == off, f"identifier not at occurrence {k + 1}: {v!r} in {text!r}"
        seen[v] = k + 1
    return {"lang": lang, "text": text, "identifiers": [i for i, _ in ids], "negatives": negs, "split": "dev"}


def build(prefix: str, files: list[str], seed: int) -> list[str]:
    rows = []
    for name in files:
        lang = name[:2]
        for line in (HERE / name).read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                rows.append(parse(line.strip(), lang))
    random.Random(seed).shuffle(rows)
    return [json.dumps({"id": f"{prefix}-{i:03d}", **r}, ensure_ascii=False) for i, r in enumerate(rows, 1)]


def main() -> None:
    prefixes = tuple(f'{{"id": "{p}-' for p, _, _ in BATCHES)
    kept = [ln for ln in OUT.read_text(encoding="utf-8").splitlines() if ln and not ln.startswith(prefixes)]
    out = []
    for prefix, files, seed in BATCHES:
        rows = build(prefix, files, seed)
        print(f"{len(rows)} {prefix} rows")
        out += rows
    OUT.write_text("\n".join(kept + out) + "\n", encoding="utf-8")
    print(f"{len(kept)} other rows kept")


if __name__ == "__main__":
    main()
