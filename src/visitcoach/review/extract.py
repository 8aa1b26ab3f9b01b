"""What to review in each kind of stored payload: the text, the checker's findings on it, and the
case, jurisdiction and language it is about. Callers of `ArtifactStore.save` pass their payload as
before; this module finds the reviewable part, so new callers need no review-specific code."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SEVERITY_RANK = {"violation": 3, "warning": 2, "info": 1}
#: Kinds a reviewer spot-checks (answers and ingest records are stored but not sampled).
REVIEWABLE_KINDS = ("brief", "plan", "proposal", "opening", "check", "batch_item", "rehearsal", "answer")


@dataclass
class Extracted:
    content: str
    findings: list[dict[str, Any]] = field(default_factory=list)
    case_id: str | None = None
    jurisdiction: str | None = None
    lang: str | None = None
    mode: str | None = None


def worst_severity(findings: list[dict[str, Any]]) -> str | None:
    ranked = [f.get("severity") for f in findings if f.get("severity") in SEVERITY_RANK]
    return max(ranked, key=lambda s: SEVERITY_RANK[s]) if ranked else None


def _transcript(turns: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """One line per turn (`agent: …`); findings' spans shifted to the line they belong to."""
    lines, findings, pos = [], [], 0
    for n, turn in enumerate(turns):
        prefix = f"{turn.get('role', '?')}: "
        text = str(turn.get("text", ""))
        for f in turn.get("findings") or []:
            shifted = {**f, "turn": n}
            if f.get("start") is not None and f.get("end") is not None:
                shifted["start"] = pos + len(prefix) + int(f["start"])
                shifted["end"] = pos + len(prefix) + int(f["end"])
            findings.append(shifted)
        line = prefix + text
        lines.append(line)
        pos += len(line) + 1
    return "\n".join(lines), findings


def extract(kind: str, summary: str, payload: dict[str, Any]) -> Extracted:
    """The reviewable text and findings of a payload of `kind` (unknown kinds: `text`/`findings` or the summary)."""
    p = payload or {}
    if kind == "brief":
        check = p.get("opening_check") or {}
        return Extracted(str(p.get("opening_script") or summary), list(check.get("findings") or []),
                         case_id=p.get("case_id"), lang=p.get("lang"))
    if kind in ("plan", "proposal"):
        check = p.get("draft_check") or {}
        findings = [*(check.get("findings") or []), *(check.get("contact_findings") or [])]
        return Extracted(str(p.get("draft") or summary), findings, case_id=p.get("case_id"),
                         jurisdiction=p.get("jurisdiction"), lang=p.get("lang"))
    if kind == "rehearsal":
        content, findings = _transcript(list(p.get("transcript") or []))
        return Extracted(content or summary, findings, case_id=p.get("exercise") or p.get("persona"))
    if kind == "answer":
        return Extracted(str(p.get("answer") or summary), [], lang=p.get("lang"), mode=p.get("mode"))
    context = p.get("context") if isinstance(p.get("context"), dict) else {}
    text = p.get("text")
    return Extracted(str(text) if text is not None else summary, list(p.get("findings") or []),
                     jurisdiction=context.get("jurisdiction"), lang=p.get("lang"))
