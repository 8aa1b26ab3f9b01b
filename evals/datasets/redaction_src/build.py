"""Build the r5 redaction rows from src/*.txt markup and merge them into ../redaction.jsonl.

Markup: [[T:value]] identifier, {{text}} hard negative. Lines starting with # are comments.
Existing rows not prefixed r5- are kept byte for byte, in order; r5 rows are appended.
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


def parse(line, lang):
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


def main():
    rows = []
    for name in FILES:
        lang = name[:2]
        for line in (HERE / name).read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                rows.append(parse(line.strip(), lang))
    random.Random(20261207).shuffle(rows)
    out = []
    for i, r in enumerate(rows, 1):
        out.append(json.dumps({"id": f"r5-{i:03d}", **r}, ensure_ascii=False))
    kept = [ln for ln in OUT.read_text(encoding="utf-8").splitlines() if ln and not ln.startswith('{"id": "r5-')]
    OUT.write_text("\n".join(kept + out) + "\n", encoding="utf-8")
    print(f"{len(out)} r5 rows; {len(kept)} other rows kept")


if __name__ == "__main__":
    main()
