"""Reviewers teach the checker: their verdicts as labelled training rows for the learned layer.

For each reviewed artifact with a text (a checked script, a batch row), its latest review becomes one
row: categories the reviewer *added* (the checker missed them) and *agreed* with are positives;
categories they *disagreed* with are negatives; every other category is unknown (`labelled: listed`).
The text is redacted (names, phones, ids, cards, e-mails become placeholders) before it leaves the desk.
`make train-checker` reads such files (`knowledge/rules/learned/reviews/*.jsonl`, or `EXTRA=…`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from visitcoach.review.desk import ReviewDesk


def _text(artifact: Any) -> str:
    payload = artifact.payload or {}
    text = payload.get("text")
    return text if isinstance(text, str) else ""


def training_rows(desk: ReviewDesk) -> list[dict[str, Any]]:
    """One row per reviewed artifact whose review labels at least one category (oldest artifact first)."""
    from visitcoach.llm.redact import Redactor
    from visitcoach.text import detect_lang

    out = []
    for artifact_id, state in sorted(desk.statuses().items()):
        if state.get("status") == "new":
            continue
        positive = list(dict.fromkeys([*(state.get("added") or []), *(state.get("agreed") or [])]))
        negative = list(dict.fromkeys(state.get("disagreed") or []))
        if not (positive or negative):
            continue
        artifact = desk.artifact(artifact_id)
        text = _text(artifact)
        if not text.strip():
            continue
        redacted = Redactor().redact(text)
        out.append({
            "id": f"review-{artifact_id}",
            "artifact_id": artifact_id,
            "reviewer": state.get("who", ""),
            "reviewed_at": state.get("at", ""),
            "lang": artifact.lang if artifact.lang in ("zh", "en") else detect_lang(redacted),
            "jurisdiction": artifact.jurisdiction if artifact.jurisdiction in ("CN", "US", "UK") else None,
            "text": redacted,
            "categories": positive,
            "not_categories": negative,
            "labelled": "listed",
        })
    return out


def write_training(rows: list[dict[str, Any]], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path
