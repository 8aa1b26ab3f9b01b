"""The guard loop: a generated text reaches the user only after the compliance checker passes it.

The model writes; the checker (the same rules as `visitcoach check`) reads the result. A violation
sends the draft back to the model with the findings (`prompts/rewrite.<lang>.md`), at most
`VISITCOACH_GUARD_MAX_TRIES` times. A draft that still fails is blocked: the caller gets its
findings and `text` is empty, so it can never be shown as if it were fine. Findings of the
context layer (a flag that forbids contact, a visit outside the window) are not about the wording
and do not block a text; callers report them next to it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from visitcoach.compliance.checker import Checker, Finding
from visitcoach.compliance.context import VisitContext
from visitcoach.llm.backend import LLMClient
from visitcoach.llm.prompts import render
from visitcoach.llm.redact import Redactor


@dataclass
class Guarded:
    text: str  # empty when blocked
    verdict: str  # pass | blocked
    findings: list[Finding] = field(default_factory=list)  # of the last draft (text findings only)
    problems: list[str] = field(default_factory=list)  # the caller's own checks (e.g. numbers)
    attempts: int = 1  # model calls: the first draft plus rewrites
    blocked_text: str | None = None


def text_findings(checker: Checker, text: str, ctx: VisitContext, lang: str) -> list[Finding]:
    return [f for f in checker.check(text, ctx, lang=lang).findings if f.layer != "context"]


def blocks(findings: list[Finding], problems: list[str]) -> bool:
    return bool(problems) or any(f.severity == "violation" for f in findings)


def describe(findings: list[Finding], problems: list[str]) -> str:
    lines = [
        f"- {f.rule_id} ({f.category}): “{f.text}” — {f.explanation} Say instead, for example: {f.suggestion}"
        if f.text
        else f"- {f.rule_id} ({f.category}): {f.explanation} For example: {f.suggestion}"
        for f in findings
        if f.severity == "violation"
    ]
    return "\n".join(lines + [f"- {p}" for p in problems])


def guarded_generate(
    client: LLMClient,
    checker: Checker,
    ctx: VisitContext,
    *,
    task: str,
    lang: str,
    system: str,
    user: str,
    redactor: Redactor | None = None,
    extra_check: Callable[[str], list[str]] | None = None,
    max_tries: int | None = None,
) -> Guarded:
    """Generate, check, and have the model rewrite until the text passes or the tries run out.

    BackendError propagates: the caller falls back to its offline output.
    """
    settings = client.settings
    tries = settings.guard_max_tries if max_tries is None else max_tries
    redactor = redactor or Redactor()
    text = client.complete(task, system, user, redactor=redactor).text
    attempts = 1
    while True:
        findings = text_findings(checker, text, ctx, lang)
        problems = extra_check(text) if extra_check else []
        if not blocks(findings, problems):
            return Guarded(text, "pass", findings, problems, attempts)
        if attempts > tries:
            return Guarded("", "blocked", findings, problems, attempts, blocked_text=text)
        rewrite = render(settings.prompts_dir, "rewrite", lang, findings=describe(findings, problems))
        text = client.complete(f"{task}.rewrite", rewrite, text, redactor=redactor).text
        attempts += 1
