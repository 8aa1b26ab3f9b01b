"""Setting up a rehearsal from an exercise (shipped or a trainer's) or a persona: training builds on
rehearsal, never the reverse."""

from __future__ import annotations

from typing import Any

from visitcoach.compliance.checker import Checker
from visitcoach.config import Settings
from visitcoach.corpus.cases import load_case
from visitcoach.errors import NotFoundError
from visitcoach.llm.backend import available
from visitcoach.rehearsal import Grading, Rehearsal, case_setup, load_persona
from visitcoach.rehearsal.engine import Session
from visitcoach.training.exercises import ExerciseLibrary


def prepare(
    settings: Settings,
    checker: Checker,
    *,
    exercise_id: str | None = None,
    persona_id: str | None = None,
    case_id: str | None = None,
    seed: int = 0,
    model: bool | None = None,
) -> Rehearsal:
    """Set up a rehearsal from an exercise (shipped or a trainer's) or a persona, optionally about a
    case. `model` None = speak through the model when one is configured."""
    exercise = ExerciseLibrary(settings.knowledge_dir, settings.data_dir).get(exercise_id) if exercise_id else None
    persona_id = persona_id or (exercise.persona if exercise else None)
    if not persona_id:
        raise NotFoundError("give a persona id or an exercise id")
    persona = load_persona(settings.knowledge_dir, persona_id)
    grading = Grading.of(exercise) if exercise else Grading()
    context: dict[str, Any] = dict(exercise.context) if exercise else {}
    limits: dict[str, Any] = {}
    case_id = case_id or (exercise.case_id if exercise else None)
    case = load_case(settings.knowledge_dir, case_id) if case_id else None
    if case is not None:
        if case.jurisdiction != persona.jurisdiction:
            raise NotFoundError(f"case {case.id} is {case.jurisdiction}, persona {persona.id} is {persona.jurisdiction}")
        case_context, limits = case_setup(settings, case)
        context = {**case_context, **context}
    voice = None
    if model or (model is None and available(settings)):
        from visitcoach.llm.redact import Redactor
        from visitcoach.rehearsal.voice import PersonaVoice

        scenario = getattr(exercise.brief, persona.lang) if exercise else persona.background
        people = [persona, *((case.borrower, case.guarantor, *case.household) if case else ())]
        voice = PersonaVoice(settings, scenario, redactor=Redactor.for_people([p for p in people if p is not None]))
        limits["voice"] = voice
    session = Session.start(persona, checker, context, seed, **limits)
    return Rehearsal(session, grading, exercise, voice)
