"""Prompt templates as files: `prompts/<task>.<lang>.md`, rendered strictly.

A template is Markdown with `{name}` placeholders (literal braces are doubled, `{{`). Rendering
with a missing variable raises an error that names it, and so does passing one the template
does not use, so a prompt and its caller cannot drift apart silently.
"""

from __future__ import annotations

import string
from pathlib import Path

from visitcoach.errors import ConfigError, KnowledgeError

#: Every prompt task and the variables its templates use (the same set in zh and en).
TASKS: dict[str, frozenset[str]] = {
    "ask": frozenset({"context", "count", "jurisdiction", "topic", "facts"}),
    "proposal": frozenset({"style", "required"}),
    "rewrite": frozenset({"findings"}),
    "prep": frozenset({"required"}),
    "judge": frozenset({"jurisdiction", "categories"}),
    "groundedness": frozenset({"sources", "sentences"}),
    "persona": frozenset({"profile", "scenario", "state"}),
    "prep_opening": frozenset({"company", "behalf", "borrower", "disclosure", "product"}),
    "proposal_letter": frozenset(
        {"greeting", "identification", "required_wording", "account", "assessment", "options", "no_fit", "closing"}
    ),
    "proposal_script": frozenset(
        {"greeting", "identification", "required_wording", "account", "assessment", "options", "no_fit", "closing"}
    ),
}


def template_path(prompts_dir: Path, task: str, lang: str) -> Path:
    return prompts_dir / f"{task}.{lang}.md"


def variables(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def render(prompts_dir: Path, task: str, lang: str, **values: str) -> str:
    path = template_path(prompts_dir, task, lang)
    if not path.exists():
        raise ConfigError(f"prompt template not found: {path} (VISITCOACH_PROMPTS_DIR)")
    try:
        template = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise KnowledgeError(path, "not UTF-8") from None
    try:
        needed = variables(template)
    except ValueError as exc:
        raise KnowledgeError(path, f"malformed placeholder: {exc}") from None
    missing = sorted(needed - set(values))
    if missing:
        raise KnowledgeError(path, f"missing prompt variable {missing[0]!r}")
    unused = sorted(set(values) - needed)
    if unused:
        raise KnowledgeError(path, f"template does not use variable {unused[0]!r}")
    return template.format(**values)
