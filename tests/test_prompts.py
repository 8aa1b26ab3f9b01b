"""Every prompt file renders with its variables; a missing or extra variable names itself."""

import pytest

from visitcoach.errors import KnowledgeError
from visitcoach.llm.prompts import TASKS, render, variables

from .conftest import ROOT

PROMPTS = ROOT / "prompts"
TASK_VARIABLES = TASKS


def test_every_prompt_file_belongs_to_a_known_task_and_both_languages_exist():
    files = sorted(PROMPTS.glob("*.md"))
    assert files
    for path in files:
        task, lang = path.stem.split(".")
        assert task in TASK_VARIABLES and lang in ("zh", "en"), path.name
    for task in TASK_VARIABLES:
        assert {p.stem.split(".")[1] for p in PROMPTS.glob(f"{task}.*.md")} == {"zh", "en"}


@pytest.mark.parametrize("path", sorted(PROMPTS.glob("*.md")), ids=lambda p: p.name)
def test_every_prompt_renders(path):
    task, lang = path.stem.split(".")
    assert variables(path.read_text(encoding="utf-8")) == TASK_VARIABLES[task]
    values = {name: f"<{name}>" for name in TASK_VARIABLES[task]}
    text = render(PROMPTS, task, lang, **values)
    assert all(f"<{name}>" in text for name in values)


def test_missing_variable_is_named():
    with pytest.raises(KnowledgeError, match=r"ask\.en\.md: missing prompt variable 'count'"):
        render(PROMPTS, "ask", "en", context="x")


def test_unused_variable_is_named():
    with pytest.raises(KnowledgeError, match=r"does not use variable 'extra'"):
        render(PROMPTS, "ask", "zh", context="x", count="1", jurisdiction="UK", topic="t", facts="-", extra="y")
