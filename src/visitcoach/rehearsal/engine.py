"""The borrower simulator (offline): a persona's state moved by what the agent does.

Each agent turn is checked by the compliance checker (the live alert) and read for intents.
Intents move trust, willingness and distress; hidden facts come out only to the questions that
earn them at enough trust; objections are raised by their triggers and settled by their remedies;
the persona ends the visit or announces a complaint when its limits are crossed, and asks the agent
to leave when distressed. Replies come from the persona's own reply bank for the resulting state,
chosen with a seeded random generator, so the same seed and script give the same conversation.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from visitcoach.compliance.checker import Checker, Finding
from visitcoach.compliance.context import VisitContext, parse_context
from visitcoach.corpus.schemas import PersonaFile
from visitcoach.rehearsal.intents import amounts, detect, plan_kinds

#: (trust, willingness, distress) change per intent.
EFFECTS: dict[str, tuple[float, float, float]] = {
    "identify_disclose": (0.10, 0.0, -0.05),
    "verify_identity": (0.05, 0.0, 0.0),
    "empathy": (0.10, 0.05, -0.10),
    "ask_income": (0.03, 0.05, 0.0),
    "ask_expenses": (0.03, 0.05, 0.0),
    "ask_hardship": (0.05, 0.05, -0.02),
    "explain_balance": (0.0, 0.0, 0.05),
    "offer_affordable_plan": (0.05, 0.20, -0.10),
    "signpost_advice": (0.05, 0.05, -0.05),
    "pause_collection": (0.05, 0.0, -0.10),
    "close_next_step": (0.05, 0.05, 0.0),
    "pressure": (-0.15, -0.10, 0.15),
    "threat": (-0.30, -0.20, 0.30),
    "insult": (-0.25, -0.15, 0.20),
    "third_party": (-0.20, -0.10, 0.20),
    "refuse_to_leave": (-0.25, -0.20, 0.30),
}
#: Bad turns each misconduct intent costs against the persona's patience.
STRIKES = {"pressure": 1, "third_party": 1, "threat": 2, "insult": 2, "refuse_to_leave": 2}


def _clamp(x: float) -> float:
    return max(0.0, min(1.0, x))


@dataclass
class Turn:
    role: str  # agent | borrower
    text: str
    findings: list[Finding] = field(default_factory=list)
    intents: list[str] = field(default_factory=list)
    state: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"role": self.role, "text": self.text, "findings": [f.as_dict() for f in self.findings]}
        if self.role == "agent":
            out["intents"] = self.intents
        else:
            out["state"] = self.state
        return out


@dataclass
class Session:
    persona: PersonaFile
    checker: Checker
    context: VisitContext
    seed: int = 0
    trust: float = 0.0
    willingness: float = 0.0
    distress: float = 0.0
    strikes: int = 0
    transcript: list[Turn] = field(default_factory=list)
    revealed: list[str] = field(default_factory=list)
    raised: list[str] = field(default_factory=list)
    resolved: list[str] = field(default_factory=list)
    seen_intents: set[str] = field(default_factory=set)
    asked_to_leave: bool = False
    discussed: bool = False  # the account has come up (the opening duties are due)
    agreed: dict[str, Any] | None = None
    offers: list[dict[str, Any]] = field(default_factory=list)
    ended_by: str | None = None
    #: Limits from a case, when the rehearsal is about one: the largest affordable instalment (policy
    #: §2's A) and the lowest settlement the agent may agree alone; None = the persona's own figures.
    cap: Decimal | None = None
    settle_floor: Decimal | None = None
    #: Speaks the persona's reply through a model (see `rehearsal.voice`); None = the reply bank.
    voice: Callable[..., str] | None = field(default=None, repr=False)
    #: While a turn runs, receives the model-voiced reply as it streams (`agent_says(on_token=…)`).
    _on_token: Callable[[str], None] | None = field(default=None, init=False, repr=False)
    _rng: random.Random = field(init=False, repr=False)
    _used: dict[str, list[int]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        t = self.persona.temperament
        self.trust, self.willingness, self.distress = t.trust, t.willingness, t.distress
        self._rng = random.Random(f"{self.persona.id}:{self.seed}")

    @classmethod
    def start(
        cls,
        persona: PersonaFile,
        checker: Checker,
        context: dict[str, Any] | None = None,
        seed: int = 0,
        **limits: Any,
    ) -> Session:
        """A new conversation; `limits` are the dataclass's `cap`, `settle_floor` and `voice`."""
        ctx = {"jurisdiction": persona.jurisdiction, "opening": True, **(context or {})}
        return cls(persona, checker, parse_context(ctx, f"{persona.id} context"), seed, **limits)

    @property
    def over(self) -> bool:
        return self.ended_by is not None

    def _line(self, state: str) -> str:
        bank = self.persona.replies[state]
        used = self._used.setdefault(state, [])
        fresh = [i for i in range(len(bank)) if i not in used] or list(range(len(bank)))
        pick = self._rng.choice(fresh)
        used.append(pick)
        return bank[pick]

    def agent_says(self, text: str, on_token: Callable[[str], None] | None = None) -> Turn:
        """One agent turn: the live check, the persona's reaction and reply (appended to the transcript).
        With a model voice, `on_token` receives its reply as it streams (the transcript holds the final
        words: a reply the guard rejects is replaced)."""
        if self.over:
            raise ValueError(f"the conversation has ended ({self.ended_by})")
        self._on_token = on_token
        try:
            return self._agent_says(text)
        finally:
            self._on_token = None

    def _agent_says(self, text: str) -> Turn:
        first = not self.transcript
        # Identification, identity check and disclosure may take a few turns (the policy asks for the
        # identity check *before* the full disclosure), so the opening duties are checked over all
        # agent turns so far, at the first turn that talks about the account.
        report = self.checker.check(text, self.context.model_copy(update={"opening": False}), lang=self.persona.lang)
        findings = [f for f in report.findings if f.layer != "context" or first]
        intents = detect(text, findings)
        if self.context.opening and not self.discussed and intents & {"explain_balance", "offer_plan", "pressure", "threat"}:
            self.discussed = True
            so_far = "\n".join([*(t.text for t in self.transcript if t.role == "agent"), text])
            opening = self.checker.check(so_far, self.context, lang=self.persona.lang)
            findings += [f for f in opening.findings if f.layer == "absence"]
        offered = amounts(text)
        cap = self.persona.would_agree_to.max_instalment
        if self.cap is not None:
            cap = min(cap, self.cap)
        if "offer_plan" in intents and offered:
            kinds = plan_kinds(text)
            acceptable = not kinds or bool(kinds & set(self.persona.would_agree_to.acceptable_kinds))
            amount = offered[0]  # the figure proposed comes first ("$430 a month, your usual $380 plus...")
            within_authority = not ("settlement" in kinds and self.settle_floor is not None and amount < self.settle_floor)
            affordable = Decimal(0) < amount <= cap and acceptable
            self.offers.append(
                {"amount": str(amount), "kinds": sorted(kinds), "affordable": affordable, "within_authority": within_authority}
            )
            if affordable:
                intents.add("offer_affordable_plan")
        if self.asked_to_leave and "leave_when_asked" not in intents:
            intents.add("refuse_to_leave")
        if "explain_balance" in intents and "identify_disclose" not in self.seen_intents | intents:
            self.trust = _clamp(self.trust - 0.10)  # talked money before saying who they are
        agent = Turn("agent", text, findings, sorted(intents))
        self.transcript.append(agent)
        self.seen_intents |= intents
        for intent in intents:
            dt, dw, dd = EFFECTS.get(intent, (0.0, 0.0, 0.0))
            self.trust, self.willingness, self.distress = _clamp(self.trust + dt), _clamp(self.willingness + dw), _clamp(self.distress + dd)
            self.strikes += STRIKES.get(intent, 0)
        self.transcript.append(self._react(intents, first))
        return agent

    def _react(self, intents: set[str], first: bool) -> Turn:
        p, limits = self.persona, self.persona.limits
        extra: list[str] = []
        # Misconduct is answered first: "we'll go round to your brother" is not a polite exit.
        if intents & set(limits.complains_when):
            self.ended_by = "complaint"
            return self._say("complains")
        if intents & set(limits.ends_conversation_when) or self.strikes >= p.temperament.patience:
            self.ended_by = "persona_ended"
            return self._say("ends")
        if "leave_when_asked" in intents:
            # The agent walks away: asked to or not, the visit is over (a safe exit may be the goal).
            self.ended_by = "agent_left"
            return self._say("ends")
        if self.distress >= limits.asks_to_leave_at_distress:
            self.asked_to_leave = True
            return self._say("asks_to_leave")
        for fact in p.hidden_facts:
            if fact.id not in self.revealed and intents & set(fact.revealed_by) and self.trust >= fact.min_trust:
                self.revealed.append(fact.id)
                extra.append(fact.reveal)
                break  # one thing at a time
        for objection in p.objections:
            if objection.id in self.raised and objection.id not in self.resolved and intents & set(objection.resolved_by):
                self.resolved.append(objection.id)
        for objection in p.objections:
            if objection.id not in self.raised and intents & set(objection.triggers):
                self.raised.append(objection.id)
                extra.append(objection.text)
                break
        if first:
            state = "opening"
        elif "offer_affordable_plan" in intents and self.willingness >= 0.6 and self.trust >= 0.4:
            state = "agrees"
            self.agreed = self.offers[-1]
        elif "offer_plan" in intents and self.offers and not self.offers[-1]["affordable"]:
            state = "declines_offer"
        elif intents & {"threat", "insult"}:
            state = "angry"
        elif self.distress >= 0.6:
            state = "distressed"
        elif self.trust >= 0.6:
            state = "cooperative"
        elif self.trust >= 0.35:
            state = "neutral"
        else:
            state = "wary"
        if self.agreed and "close_next_step" in intents:
            self.ended_by = "agreement"
        return self._say(state, extra)

    def _say(self, state: str, extra: list[str] | None = None) -> Turn:
        """The reply for a state: a line from the persona's bank (plus what this turn reveals or
        objects), or the same, spoken by the model when a voice is set."""
        extra = extra or []
        text = " ".join([self._line(state), *extra])
        if self.voice is not None:
            text = self.voice(self, state, text, extra, on_token=self._on_token) if self._on_token else self.voice(self, state, text, extra)
        return Turn("borrower", text, state=state)

    def finish(self, reason: str = "script_end") -> None:
        if self.ended_by is None:
            self.ended_by = "agreement" if self.agreed else reason
