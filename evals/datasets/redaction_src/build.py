"""Build the r5, r6 and r7 redaction rows from the *.txt markup here and merge them into ../redaction.jsonl.

Markup: [[T:value]] identifier, {{text}} hard negative. Lines starting with # are comments.
Existing rows not prefixed r5-, r6- or r7- are kept byte for byte, in order; r5, r6, then r7 rows are appended.
CN_ID and CARD identifiers get a computed "valid" flag (GB 11643 check character / Luhn); r5 and r6 have none.
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
FILES_R7 = [f.replace(".txt", "_r7.txt") for f in FILES]
BATCHES = [("r5", FILES, 20261207), ("r6", FILES_R6, 20261210), ("r7", FILES_R7, 20261211)]


def gb11643_valid(v: str) -> bool:
    if len(v) == 15:
        return True  # no check character; the birth dates written here are real
    w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return "10X98765432"[sum(int(c) * k for c, k in zip(v[:17], w)) % 11] == v[17].upper()


def luhn_valid(v: str) -> bool:
    d = [int(c) for c in v if c.isdigit()][::-1]
    return sum(x if i % 2 == 0 else (2 * x - 9 if x > 4 else 2 * x) for i, x in enumerate(d)) % 10 == 0


def parse(line: str, lang: str) -> dict:
    text, ids, negs, pos = "", [], [], 0
    for m in MARK.finditer(line):
        text += line[pos:m.start()]
        if m.group(1):
            t, v = TYPES[m.group(1)], m.group(2)
            ident = {"type": t, "value": v}
            if t == "CN_ID":
                ident["valid"] = gb11643_valid(v)
            elif t == "CARD":
                ident["valid"] = luhn_valid(v)
            ids.append((ident, len(text)))
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
