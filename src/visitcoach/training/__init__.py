"""Training: the exercise library trainers edit, assignments, and rehearsal attempts over time."""

from __future__ import annotations

from visitcoach.training.exercises import ExerciseError, ExerciseLibrary, anonymised_brief
from visitcoach.training.progress import TrainingStore
from visitcoach.training.setup import prepare

__all__ = ["ExerciseError", "ExerciseLibrary", "TrainingStore", "anonymised_brief", "prepare"]
