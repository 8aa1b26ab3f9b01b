"""Rehearsal: a simulated borrower (persona state machine), live compliance alerts and a scorecard."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from visitcoach.compliance.checker import Checker
from visitcoach.config import Settings
from visitcoach.corpus.records import read_record
from visitcoach.corpus.schemas import CRITERIA, CaseFile, ExerciseFile, Objective, PersonaFile
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


@dataclass(frozen=True)
class Grading:
    """How a rehearsal is scored: rubric weights, pass mark, the goal and the exercise's objectives."""

    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    pass_mark: float = DEFAULT_PASS_MARK
    goal: str = "agreement"  # agreement | safe_exit (see ExerciseFile.goal)
    objectives: tuple[Objective, ...] = ()

    @classmethod
    def of(cls, exercise: ExerciseFile) -> Grading:
        return cls(exercise.rubric.model_dump(), exercise.pass_mark, exercise.goal, tuple(exercise.objectives))


@dataclass
class Criterion:
    name: str
    score: float
    weight: float
    evidence: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "score": round(self.score, 3), "weight": self.weight, "evidence": self.evidence}


def _plan(session: Session, goal: str) -> tuple[float, list[str]]:
    offers = session.offers
    if goal == "safe_exit":
        # The right "plan" for a customer who cannot deal with the debt now: hold the account and
        # point to free advice and support; any payment figure pressed on them is the wrong one.
        paused, signposted = "pause_collection" in session.seen_intents, "signpost_advice" in session.seen_intents
        if offers:
            return 0.0, [f"asked for a payment of {o['amount']} when the visit should have stopped" for o in offers]
        evidence = (["put collection on hold"] if paused else ["did not offer to pause collection"]) + (
            ["signposted free advice and support"] if signposted else ["did not signpost free advice or support"]
        )
        return 0.5 * paused + 0.5 * signposted, evidence
    good = [o for o in offers if o["affordable"] and o.get("within_authority", True)]
    score = 1.0 if good else (0.5 if any(o["affordable"] for o in offers) else (0.2 if offers else 0.0))

    def describe(o: dict[str, Any]) -> str:
        what = "affordable" if o["affordable"] else "above what the customer can pay or not a kind they accept"
        if not o.get("within_authority", True):
            what += "; a settlement below the agent's authority, needs approval first"
        return f"offered {o['amount']} ({', '.join(o['kinds']) or 'plan'}): {what}"

    return score, [describe(o) for o in offers] or ["no plan offered"]


def _outcome(session: Session, goal: str) -> tuple[float, list[str]]:
    ended, seen = session.ended_by or "", session.seen_intents
    evidence = [f"ended by: {ended}"] + ([f"agreed {session.agreed['amount']}"] if session.agreed else [])
    if goal == "safe_exit":
        if session.agreed:
            return 0.1, [*evidence, "took a promise from a customer who could not deal with the debt now"]
        score = {"agent_left": 1.0, "script_end": 0.3}.get(ended, 0.0)
        if ended == "agent_left" and "close_next_step" not in seen:
            score = 0.8  # left kindly, but without saying how and when the customer will hear from us
        return score, evidence
    score = {"agreement": 1.0, "agent_left": 0.4, "script_end": 0.3, "persona_ended": 0.0, "complaint": 0.0}.get(ended, 0.3)
    if session.agreed and "close_next_step" in seen:
        score = 1.0
    elif session.agreed:
        score = max(score, 0.8)
    elif "close_next_step" in seen:
        score = max(score, 0.6)
    return score, evidence


def scorecard(session: Session, grading: Grading | None = None, lang: str = "en") -> dict[str, Any]:
    """Compliance, discovery, empathy, plan and outcome, each with evidence quoted from the transcript,
    and each of the exercise's objectives with the score of the criterion it belongs to.

    A violation in any agent turn fails the rehearsal whatever the total: compliance is a gate, not
    just a weight.
    """
    grading = grading or Grading()
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
    plan, ev_p = _plan(session, grading.goal)
    outcome, ev_o = _outcome(session, grading.goal)
    scores = {"compliance": (compliance, ev_c), "discovery": (discovery, ev_d), "empathy": (empathy, ev_e), "plan": (plan, ev_p), "outcome": (outcome, ev_o)}
    criteria = [Criterion(c, scores[c][0], grading.weights[c], scores[c][1]) for c in CRITERIA]
    total = round(sum(c.score * c.weight for c in criteria), 3)
    objectives = [
        {"id": o.id, "criterion": o.criterion, "text": getattr(o.text, lang), "score": round(scores[o.criterion][0], 3)}
        for o in grading.objectives
    ]
    return {
        "total": total,
        "pass_mark": grading.pass_mark,
        "passed": total >= grading.pass_mark and not violations,
        "goal": grading.goal,
        "criteria": [c.as_dict() for c in criteria],
        "objectives": objectives,
    }


def result(session: Session, grading: Grading | None = None, lang: str = "en") -> dict[str, Any]:
    """The contract's `rehearse --json` shape: transcript, scorecard, how it ended."""
    return {
        "persona": session.persona.id,
        "transcript": [t.as_dict() for t in session.transcript],
        "scorecard": scorecard(session, grading, lang),
        "ended_by": session.ended_by,
    }


def replay(
    persona: PersonaFile,
    checker: Checker,
    lines: list[str],
    *,
    context: dict[str, Any] | None = None,
    seed: int = 0,
    grading: Grading | None = None,
    **limits: Any,
) -> dict[str, Any]:
    """A scripted agent: one turn per line, until the script or the conversation ends."""
    session = Session.start(persona, checker, context, seed, **limits)
    for line in lines:
        if not line.strip():
            continue
        if session.over:
            break
        session.agent_says(line.strip())
    session.finish()
    return result(session, grading, persona.lang)


def case_setup(settings: Settings, case: CaseFile, as_of: dt.date | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """A rehearsal about a real case: its visit context, and the case's own limits for offers.

    The instalment cap is the policy's affordable instalment A for the case; the settlement floor is
    the balance less the discount an agent may approve alone.
    """
    from visitcoach.corpus.pack import load_plan_policy
    from visitcoach.repayment.calc import assess, inputs_from_case, product_policy

    policy = load_plan_policy(settings.knowledge_dir)
    inputs = inputs_from_case(case, as_of or dt.date.today())
    a = assess(inputs, policy)
    share = product_policy(policy, case.product, case.jurisdiction).settlement_authority["agent"]
    context = {"jurisdiction": case.jurisdiction, "location": case.address_type, "opening": True, "flags": case.flags.model_dump()}
    return context, {"cap": a.affordable, "settle_floor": (inputs.balance * (1 - share)).quantize(Decimal("0.01"))}


@dataclass
class Rehearsal:
    """A rehearsal about to start: the session, how it is graded, and what it came from."""

    session: Session
    grading: Grading
    exercise: ExerciseFile | None = None
    voice: Any = None  # a PersonaVoice when the persona speaks through a model

    @property
    def notices(self) -> list[str]:
        return list(getattr(self.voice, "notices", []))


def transcript_markdown(record: dict[str, Any], title: str = "Rehearsal") -> str:
    """A rehearsal (the `result` shape) as Markdown: turns with their alerts, then the scorecard."""
    card = record["scorecard"]
    lines = [f"# {title}", "", f"- persona: {record['persona']}", f"- ended by: {record['ended_by']}",
             f"- score: {card['total']:.2f} (pass mark {card['pass_mark']}): {'passed' if card['passed'] else 'not passed'}", "",
             "## Transcript", ""]
    for t in record["transcript"]:
        who = "**Agent**" if t["role"] == "agent" else "**Customer**"
        lines.append(f"{who}: {t['text']}")
        for f in t["findings"]:
            lines.append(f"  - ⚠ {f['severity']} {f['rule_id']} ({f['category']}), {f['citation']}: say instead: {f['suggestion']}")
        lines.append("")
    lines += ["## Scorecard", "", "| criterion | score | weight | evidence |", "|---|---|---|---|"]
    for c in card["criteria"]:
        evidence = "; ".join(c["evidence"]).replace("|", "\\|")
        lines.append(f"| {c['name']} | {c['score']:.2f} | {c['weight']:.2f} | {evidence} |")
    if card.get("objectives"):
        lines += ["", "## Objectives", ""] + [f"- {o['score']:.2f} {o['text']}" for o in card["objectives"]]
    return "\n".join(lines) + "\n"


__all__ = ["Grading", "Rehearsal", "Session", "case_setup", "load_exercise", "load_persona", "replay", "result", "scorecard", "transcript_markdown"]
