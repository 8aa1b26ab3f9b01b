"""A bilingual glossary (`knowledge/glossary.yaml`) for cross-lingual lexical search.

Dense embeddings already bridge Chinese and English, but weakly for short legal phrases; BM25
does not bridge them at all. When a question contains a glossary term, the other language's
terms are searched too, so "工作场所" also finds "workplace" in an English statute.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import yaml

from visitcoach.errors import KnowledgeError

log = logging.getLogger(__name__)

FILENAME = "glossary.yaml"


@dataclass(frozen=True)
class Glossary:
    entries: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = ()

    def expand(self, query: str) -> str:
        """Terms of the other language for every glossary term found in `query` (empty if none)."""
        q = query.lower()
        extra: list[str] = []
        for zh, en in self.entries:
            if any(term in q for term in zh):
                extra.extend(en)
            if any(_has_word(q, term) for term in en):
                extra.extend(zh)
        return " ".join(dict.fromkeys(extra))


def _has_word(text: str, term: str) -> bool:
    """`term` occurs as whole words (a plural "s"/"es" allowed after it)."""
    start = text.find(term)
    while start != -1:
        end = start + len(term)
        for suffix in ("es", "s"):
            if text.startswith(suffix, end):
                end += len(suffix)
                break
        if (start == 0 or not text[start - 1].isalnum()) and (end == len(text) or not text[end].isalnum()):
            return True
        start = text.find(term, start + 1)
    return False


def load_glossary(knowledge_dir: Path) -> Glossary:
    path = knowledge_dir / FILENAME
    if not path.exists():
        return Glossary()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise KnowledgeError(path, "not UTF-8") from None
    except yaml.YAMLError as exc:
        raise KnowledgeError(path, f"broken YAML: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(data, dict) or not isinstance(data.get("terms"), list):
        raise KnowledgeError(path, "expected a mapping with a 'terms' list", field="terms")
    entries = []
    for n, entry in enumerate(data["terms"]):
        if not isinstance(entry, dict) or set(entry) != {"zh", "en"}:
            raise KnowledgeError(path, "each entry needs exactly 'zh' and 'en' lists", field=f"terms.{n}")
        zh, en = entry["zh"], entry["en"]
        if not (isinstance(zh, list) and isinstance(en, list) and zh and en):
            raise KnowledgeError(path, "'zh' and 'en' must be non-empty lists", field=f"terms.{n}")
        entries.append((tuple(str(t).strip() for t in zh), tuple(str(t).strip().lower() for t in en)))
    return Glossary(tuple(entries))
