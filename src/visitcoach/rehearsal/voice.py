"""The persona spoken by a model: the state machine decides, the model only words the reply.

The engine has already chosen the persona's state, what (if anything) comes out this turn and the
bank line for it; the model gets the persona card *without* the facts not yet earned, the state,
that line as the meaning to convey and the recent conversation, and writes what the borrower says.
The reply is guarded: it must stay in character (no coaching, no talk of training, rules or AI), be
short and be in the persona's language, or it is asked once more and then replaced by the bank
line. A failed model call turns the voice off for the rest of the session with a notice; the
rehearsal never stops because a server did.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from visitcoach.config import Settings
from visitcoach.errors import BackendError, ConfigError
from visitcoach.llm.prompts import render
from visitcoach.llm.redact import Redactor, scrub

if TYPE_CHECKING:
    from visitcoach.llm.backend import LLMClient
    from visitcoach.rehearsal.engine import Session

log = logging.getLogger(__name__)

#: Out of character: coaching the agent, naming the exercise, the rules or the model behind it.
OUT_OF_CHARACTER = re.compile(
    r"\bas (?:an|the|your) (?:agent|collector)\b|\byou should (?:offer|ask|say|have|try|explain)\b|\ba good (?:agent|collector)\b|"
    r"\b(?:training|role[- ]?play|simulation|simulated|rehearsal|exercise|scorecard)\b|\bcomplian(?:ce|t)\b|\bFDCPA\b|\bCONC\b|"
    r"\b(?:I am|I'm) (?:an AI|a language model|an assistant)\b|\blanguage model\b|"
    r"你应该|建议你|作为催收员|培训|模拟|角色扮演|合规|人工智能|语言模型|评分",
    re.IGNORECASE,
)
MAX_CHARS = 600
STATE_MEANING = {
    "opening": "answering the door to strangers",
    "wary": "guarded, saying little",
    "neutral": "listening, cautious",
    "cooperative": "willing to talk it through",
    "distressed": "upset and overwhelmed",
    "angry": "angry at how you were spoken to",
    "declines_offer": "turning down the offer because you cannot afford it or it is not a kind you accept",
    "agrees": "agreeing to the offer",
    "asks_to_leave": "asking the visitors to leave now",
    "ends": "ending the conversation",
    "complains": "ending the conversation and saying you will complain",
}


def problems(reply: str, lang: str) -> list[str]:
    """Why a reply cannot be the persona's words (empty: it can)."""
    out = []
    if not reply.strip():
        out.append("the reply is empty")
    if len(reply) > MAX_CHARS:
        out.append(f"the reply is longer than {MAX_CHARS} characters")
    if m := OUT_OF_CHARACTER.search(reply):
        out.append(f"out of character: “{m.group(0)}”")
    cjk = len(re.findall(r"[\u4e00-\u9fff]", reply))
    if lang == "zh" and cjk < 2:
        out.append("not in Chinese")
    if lang == "en" and cjk > 2:
        out.append("not in English")
    return out


class PersonaVoice:
    """`Session.voice`: words a state's reply through the configured model."""

    def __init__(self, settings: Settings, scenario: str, client: LLMClient | None = None, redactor: Redactor | None = None) -> None:
        from visitcoach.llm.backend import LLMClient

        self.settings = settings
        self.scenario = scenario
        self.client = client or LLMClient(settings)
        self.redactor = redactor
        self.notices: list[str] = []
        self.off = False
        self.calls = 0

    def _profile(self, session: Session, extra: list[str]) -> str:
        p = session.persona
        known = [f.reveal for f in p.hidden_facts if f.id in session.revealed and f.reveal not in extra]
        lines = [f"Name: {p.name}", f"Background: {p.background}", f"Temperament: {p.temperament.description}"]
        if known:
            lines.append("What you have already told them: " + " ".join(known))
        return "\n".join(lines)

    def _state(self, session: Session, state: str, meaning: str) -> str:
        return (
            f"{STATE_MEANING.get(state, state)} (trust {session.trust:.1f}, willingness {session.willingness:.1f}, "
            f"distress {session.distress:.1f} on a 0-1 scale).\nSay this, in your own words and voice: {meaning}"
        )

    def _conversation(self, session: Session) -> str:
        turns = session.transcript[-8:]
        who = {"agent": "Agent", "borrower": "You"}
        return "\n".join(f"{who[t.role]}: {t.text}" for t in turns) + "\nYou:"

    def __call__(self, session: Session, state: str, offline: str, extra: list[str],
                 on_token: Callable[[str], None] | None = None) -> str:
        """The persona's words for `state`; `on_token` sees the first attempt as it streams (a second
        attempt, after a rejected reply, is not streamed: the caller shows the final reply instead)."""
        if self.off:
            return offline
        lang = session.persona.lang
        redactor = self.redactor or Redactor.for_people([session.persona])
        system = render(
            self.settings.prompts_dir, "persona", lang,
            profile=self._profile(session, extra), scenario=self.scenario, state=self._state(session, state, offline),
        )
        user = self._conversation(session)
        for attempt in (1, 2):
            try:
                self.calls += 1
                stream = on_token if attempt == 1 else None
                reply = self.client.complete("persona", system, user, redactor=redactor, on_token=stream).text.strip()
            except (BackendError, ConfigError) as exc:
                self.off = True
                self.notices.append(f"the model voice was turned off ({exc}); the persona speaks from its reply bank")
                log.warning("persona voice: %s", self.notices[-1])
                return offline
            wrong = problems(reply, lang)
            if not wrong:
                return reply
            log.info("persona voice: reply %d rejected: %s", attempt, scrub("; ".join(wrong)))
            user = self._conversation(session) + f"\n(Your last reply could not be used: {'; '.join(wrong)}. Reply again, in character.)"
        self.notices.append("the model's reply was out of character twice; the persona's own line was used")
        return offline
