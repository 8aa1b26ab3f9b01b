"""Rehearsal: a simulated borrower (persona state machine), live compliance alerts and a scorecard."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from visitcoach.compliance.checker import Checker
from visitcoach.corpus.records import read_record
from visitcoach.corpus.schemas import CRITERIA, ExerciseFile, PersonaFile
from visitcoach.errors import NotFoundError
from visitcoach.rehearsal.engine import Session

DEFAULT_WEIGHTS = {"compliance": 0.35, "discovery": 0.2, "empathy": 0.15, "plan": 0.15, "outcome": 0.15}
DEFAULT_PASS_MARK = 0.7


def _load(directory: Path, record_id: str, model: type, kind: str) -> Any:
    paths = {p.stem.lower(): p for p in directory.glob("*.y*ml")}
    path = paths.get(record_id.lower())
    if path is None:
        known = ", ".join(sorted(paths)) or "none"
        raise NotFoundError(f"unknown {kind} {record_id!r} (known in {directory}: {known})")
    return read_record(path, model, kind)


def load_persona(knowledge_dir: Path, persona_id: str) -> PersonaFile:
    return _load(knowledge_dir / "personas", persona_id, PersonaFile, "persona")


def load_exercise(knowledge_dir: Path, exercise_id: str) -> ExerciseFile:
    return _load(knowledge_dir / "exercises", exercise_id, ExerciseFile, "exercise")


@dataclass
class Criterion:
    name: str
    score: float
    weight: float
    evidence: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "score": round(self.score, 3), "weight": self.weight, "evidence": self.evidence}


def scorecard(session: Session, weights: dict[str, float] | None = None, pass_mark: float = DEFAULT_PASS_MARK) -> dict[str, Any]:
    """Compliance, discovery, empathy, plan and outcome, each with evidence quoted from the transcript.

    A violation in any agent turn fails the rehearsal whatever the total: compliance is a gate, not
    just a weight.
    """
    weights = weights or DEFAULT_WEIGHTS
    agent = [t for t in session.transcript if t.role == "agent"]
    violations = [(t, f) for t in agent for f in t.findings if f.severity == "violation"]
    disclosed = [t for t in agent if "identify_disclose" in t.intents]
    compliance = max(0.0, 1.0 - 0.5 * len(violations)) * (1.0 if disclosed else 0.7)
    ev_c = [f"violation {f.rule_id} ({f.category}): “{f.text or t.text[:80]}”" for t, f in violations]
    ev_c += [f"identified and disclosed: “{disclosed[0].text[:100]}”"] if disclosed else ["never identified themselves"]
    facts = session.persona.hidden_facts
    asked = [i for i in ("ask_income", "ask_expenses") if i in session.seen_intents]
    discovery = (len(session.revealed) + len(asked)) / (len(facts) + 2)
    ev_d = [f"learned: {next(f.fact for f in facts if f.id == fid)}" for fid in session.revealed]
    ev_d += [f"asked about {a.removeprefix('ask_')}" for a in asked]
    ev_d = ev_d or ["learned nothing of the customer's situation"]
    empathic = [t for t in agent if "empathy" in t.intents]
    insulted = any("insult" in t.intents or "threat" in t.intents for t in agent)
    empathy = min(1.0, len(empathic) / 2) * (0.5 if insulted else 1.0)
    ev_e = [f"“{t.text[:100]}”" for t in empathic[:3]] or ["no acknowledgement of the customer's situation"]
    affordable = [o for o in session.offers if o["affordable"]]
    plan = 1.0 if affordable else (0.2 if session.offers else 0.0)
    ev_p = [f"offered {o['amount']} ({', '.join(o['kinds']) or 'plan'}): {'affordable' if o['affordable'] else 'above what the customer can pay or not a kind they accept'}" for o in session.offers] or ["no plan offered"]
    outcome = {"agreement": 1.0, "agent_left": 0.4, "script_end": 0.3, "persona_ended": 0.0, "complaint": 0.0}.get(session.ended_by or "", 0.3)
    if session.agreed and "close_next_step" in session.seen_intents:
        outcome = 1.0
    elif session.agreed:
        outcome = max(outcome, 0.8)
    elif "close_next_step" in session.seen_intents:
        outcome = max(outcome, 0.6)
    ev_o = [f"ended by: {session.ended_by}"] + ([f"agreed {session.agreed['amount']}"] if session.agreed else [])
    scores = {"compliance": (compliance, ev_c), "discovery": (discovery, ev_d), "empathy": (empathy, ev_e), "plan": (plan, ev_p), "outcome": (outcome, ev_o)}
    criteria = [Criterion(c, scores[c][0], weights[c], scores[c][1]) for c in CRITERIA]
    total = round(sum(c.score * c.weight for c in criteria), 3)
    return {
        "total": total,
        "pass_mark": pass_mark,
        "passed": total >= pass_mark and not violations,
        "criteria": [c.as_dict() for c in criteria],
    }


def replay(
    persona: PersonaFile,
    checker: Checker,
    lines: list[str],
    *,
    context: dict[str, Any] | None = None,
    seed: int = 0,
    weights: dict[str, float] | None = None,
    pass_mark: float = DEFAULT_PASS_MARK,
) -> dict[str, Any]:
    """A scripted agent: one turn per line, until the script or the conversation ends."""
    session = Session.start(persona, checker, context, seed)
    for line in lines:
        if not line.strip():
            continue
        if session.over:
            break
        session.agent_says(line.strip())
    session.finish()
    return {
        "persona": persona.id,
        "transcript": [t.as_dict() for t in session.transcript],
        "scorecard": scorecard(session, weights, pass_mark),
        "ended_by": session.ended_by,
    }


def exercise_settings(exercise: ExerciseFile) -> tuple[dict[str, float], float, dict[str, Any]]:
    return exercise.rubric.model_dump(), exercise.pass_mark, dict(exercise.context)


__all__ = ["Session", "load_exercise", "load_persona", "replay", "scorecard"]
