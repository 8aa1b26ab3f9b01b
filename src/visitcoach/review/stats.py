"""Review statistics as plain rows: violations by category, jurisdiction, author and ISO week, and
how far reviewers agree with the checker per category.

Agreement, per category, over reviewed artifacts (the latest decision of each): `agreed` and
`disagreed` count the reviewer's verdicts on categories the checker flagged; `added` counts
categories the reviewer found and the checker missed. precision = agreed / (agreed + disagreed);
recall = agreed / (agreed + added). A ratio with nothing to count is None, not 0.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from visitcoach.review.records import Artifact


def iso_week(a: Artifact) -> str:
    year, week, _ = a.created.isocalendar()
    return f"{year}-W{week:02d}"


def violations(arts: list[Artifact]) -> dict[str, list[dict[str, Any]]]:
    """{"by_category" | "by_jurisdiction" | "by_author" | "by_week": [{"key", "violations", "warnings"}]}."""
    keys = {
        "by_category": lambda a, f: str(f.get("category")),
        "by_jurisdiction": lambda a, f: a.jurisdiction or "—",
        "by_author": lambda a, f: a.author or "—",
        "by_week": lambda a, f: iso_week(a),
    }
    out: dict[str, list[dict[str, Any]]] = {}
    for name, key in keys.items():
        counts: dict[str, Counter[str]] = {}
        for a in arts:
            for f in a.findings:
                sev = f.get("severity")
                if sev in ("violation", "warning"):
                    counts.setdefault(key(a, f), Counter())[sev] += 1
        rows = [{"key": k, "violations": c["violation"], "warnings": c["warning"]} for k, c in counts.items()]
        order = (lambda r: r["key"]) if name == "by_week" else (lambda r: (-r["violations"], -r["warnings"], r["key"]))
        out[name] = sorted(rows, key=order)
    return out


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def agreement(arts: list[Artifact], states: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    """[{"category", "agreed", "disagreed", "added", "precision", "recall"}] over the reviewed artifacts in `arts`."""
    agreed: Counter[str] = Counter()
    disagreed: Counter[str] = Counter()
    added: Counter[str] = Counter()
    for a in arts:
        state = states.get(a.id)
        if not state or state.get("status", "new") == "new":
            continue
        agreed.update(state.get("agreed") or [])
        disagreed.update(state.get("disagreed") or [])
        added.update(state.get("added") or [])
    cats = sorted(set(agreed) | set(disagreed) | set(added))
    return [
        {"category": c, "agreed": agreed[c], "disagreed": disagreed[c], "added": added[c],
         "precision": _ratio(agreed[c], agreed[c] + disagreed[c]), "recall": _ratio(agreed[c], agreed[c] + added[c])}
        for c in cats
    ]
