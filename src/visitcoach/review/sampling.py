"""The spot-check sampling policy: a pure, seeded draw that can be repeated exactly from its record.

Every candidate whose worst finding is a warning or violation is drawn. From the rest,
`round(rate × n)` are drawn without replacement, weighted: a candidate whose author had a warning
or violation in the last `recent_days` days weighs `author_weight`, others weigh 1
(Efraimidis–Spirakis keys `u ** (1 / w)` from `random.Random(seed)`, candidates in id order).
"""

from __future__ import annotations

import math
import random
from dataclasses import asdict, dataclass, field
from typing import Any

from visitcoach.config import Settings
from visitcoach.review.extract import REVIEWABLE_KINDS


@dataclass(frozen=True)
class SamplingPolicy:
    rate: float = 0.1
    recent_days: int = 30
    author_weight: float = 3.0
    always: tuple[str, ...] = ("violation", "warning")
    kinds: tuple[str, ...] = field(default=REVIEWABLE_KINDS)

    @classmethod
    def from_settings(cls, settings: Settings) -> SamplingPolicy:
        return cls(settings.review_sample_rate, settings.review_recent_days, settings.review_author_weight)

    def as_dict(self) -> dict[str, Any]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SamplingPolicy:
        return cls(float(data["rate"]), int(data["recent_days"]), float(data["author_weight"]),
                   tuple(data["always"]), tuple(data["kinds"]))


@dataclass(frozen=True)
class Candidate:
    id: int
    weight: float
    always: bool  # has a finding of a severity the policy always reviews


def quota(n: int, rate: float) -> int:
    """How many of `n` clean candidates to draw: `rate × n`, rounded half up."""
    return min(n, math.floor(n * rate + 0.5))


def draw(candidates: list[Candidate], rate: float, seed: int) -> list[int]:
    """The drawn ids, sorted: every `always` candidate plus a weighted sample of the rest."""
    must = [c.id for c in candidates if c.always]
    rest = sorted((c for c in candidates if not c.always), key=lambda c: c.id)
    rng = random.Random(seed)
    keyed = sorted(((rng.random() ** (1.0 / c.weight), c.id) for c in rest), reverse=True)
    return sorted(must + [cid for _, cid in keyed[: quota(len(rest), rate)]])
