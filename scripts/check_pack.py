"""Quick validation of knowledge files against the schemas (used while writing the pack).

Usage: .venv/bin/python scripts/check_pack.py [FILE ...]   (default: the whole knowledge/ tree)
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import frontmatter
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from visitcoach.corpus.schemas import CaseFile, FrontMatter, PersonaFile, PlanPolicy

ATTR = re.compile(r'\{\s*cite="([^"]+)"(?:\s+confidence="(C|S)")?\s*\}\s*$')


def check(path: Path) -> list[str]:
    errors: list[str] = []
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".md":
        post = frontmatter.loads(text)
        try:
            meta = FrontMatter(**post.metadata)
        except Exception as exc:  # noqa: BLE001
            return [f"{path}: {exc}"]
        for line in post.content.splitlines():
            if line.startswith("#") and "{" in line and not ATTR.search(line):
                errors.append(f"{path}: malformed heading attributes: {line}")
        if meta.doc_type == "legal":
            for line in post.content.splitlines():
                if line.startswith("## ") and not ATTR.search(line):
                    errors.append(f"{path}: legal section without cite: {line}")
    elif path.suffix in (".yaml", ".yml"):
        data = yaml.safe_load(text)
        model = {"case": CaseFile, "persona": PersonaFile}.get(data.get("doc_type")) if isinstance(data, dict) else None
        if path.name == "plan_policy.yaml":
            model = PlanPolicy
        if model is None:
            return [f"{path}: unknown YAML document kind"]
        try:
            model(**data)
        except Exception as exc:  # noqa: BLE001
            errors.append(f"{path}: {exc}")
    return errors


def main() -> int:
    root = Path(__file__).resolve().parents[1] / "knowledge"
    paths = [Path(p) for p in sys.argv[1:]] or [
        p
        for p in root.rglob("*")
        if p.is_file() and p.suffix in (".md", ".yaml", ".yml") and "rules" not in p.parts and p.name != "README.md"
    ]
    errors = [e for p in sorted(paths) for e in check(p)]
    for e in errors:
        print(e)
    print(f"{len(paths)} files, {len(errors)} errors")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
