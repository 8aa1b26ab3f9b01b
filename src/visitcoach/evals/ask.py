"""The `ask` evaluation set: questions with reference key facts and the citations that support them.

Rows of `evals/datasets/ask.jsonl`; the unanswerable questions of `unanswerable.jsonl` join them as
rows with `answerable: false` (the assistant must say the knowledge base does not cover them).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from visitcoach.errors import KnowledgeError
from visitcoach.evals.datasets import read_jsonl
from visitcoach.evals.retrieval import load_unanswerable


class AskCase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    lang: Literal["zh", "en"]
    jurisdiction: Literal["CN", "US", "UK"] | None = None
    question: str = Field(min_length=3)
    answerable: bool
    key_facts: list[str] = Field(default_factory=list)
    expected_citations: list[str] = Field(default_factory=list)
    expected_doc_ids: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    #: Facts a right answer must not state (another jurisdiction's rule, a wrong figure).
    forbidden_facts: list[str] = Field(default_factory=list)
    #: `dev` rows may be tuned on; `test` rows are only measured (the gate and the README report them).
    split: Literal["dev", "test"] = "dev"
    #: The jurisdiction chosen in the UI, if any (most rows leave it to the question).
    selected_jurisdiction: Literal["CN", "US", "UK"] | None = None
    #: The row this one follows up in a conversation (its question is asked first).
    follow_up_of: str | None = None

    @model_validator(mode="after")
    def _answerable_has_facts(self) -> AskCase:
        if self.answerable and not self.key_facts:
            raise ValueError("an answerable question needs key_facts")
        if not self.answerable and (self.key_facts or self.expected_citations):
            raise ValueError("an unanswerable question has no key_facts or expected_citations")
        return self


def load_cases(path: Path | None, unanswerable: Path | None = None) -> list[AskCase]:
    """Rows of the ask set (if the file exists) followed by the unanswerable set (if given and present)."""
    cases = [row for _, row in read_jsonl(path, AskCase)] if path is not None and path.exists() else []
    seen = {c.id for c in cases}
    if unanswerable is not None and unanswerable.exists():
        for u in load_unanswerable(unanswerable):
            if u.id in seen:
                continue  # the ask set already carries it
            cases.append(AskCase(id=u.id, lang=u.lang, question=u.question, answerable=False, tags=[*u.tags, "unanswerable"]))
    by_id = {c.id: c for c in cases}
    for c in cases:
        if c.follow_up_of and c.follow_up_of not in by_id:
            raise KnowledgeError(path or "ask.jsonl", f"{c.id}: follows up an unknown row {c.follow_up_of!r}", field="follow_up_of")
    return cases
