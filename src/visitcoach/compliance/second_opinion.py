"""An optional second opinion from the configured model: it may add findings, never remove one.

The model reads the (redacted) script with the category taxonomy and returns structured verdicts
(category, exact quote, reason). A verdict is kept only if its category is one of the fourteen and
its quote is found in the script; it becomes a `warning` marked `layer: "model"`, with the citation
and suggestion of that category's first applicable rule. The rule layers decide the verdict: a
model finding never makes a script fail on its own and never clears a rule finding.
"""

from __future__ import annotations

import json
import logging
import re

from visitcoach.compliance.checker import Checker, Finding, Report
from visitcoach.compliance.context import VisitContext
from visitcoach.config import Settings
from visitcoach.llm.backend import LLMClient
from visitcoach.llm.prompts import render
from visitcoach.llm.redact import Redactor

log = logging.getLogger(__name__)

CATEGORY_TEXT = {
    "threat_arrest": "threats or implications of arrest, jail, police, prosecution or criminal charges for ordinary non-payment",
    "impersonation": "posing as police, court, government, lawyer or bailiff, or (for an agency) as the lender's own staff",
    "violence_intimidation": "violence, threats to the person, family or property, stalking",
    "abusive_language": "insults, profanity, degrading labels",
    "third_party_disclosure": "revealing or threatening to reveal the debt to employer, neighbours, relatives or contacts; shaming",
    "false_amount_fee_consequence": "invented fees, false amounts, fake blacklists, exaggerated consequences",
    "pressure_borrow_sell": "pressing to borrow, use credit cards or online loans, sell assets, or pay everything immediately",
    "entry_refusal_to_leave": "entering without consent, refusing to leave, detaining",
    "unlawful_legal_threat": "threatening a suit, seizure or enforcement that is not lawful, not intended, or on a time-barred debt",
    "missing_disclosure": "an opening without identification, purpose, or (US) the debt-collector disclosure",
}


def parse_verdicts(reply: str) -> list[dict[str, str]]:
    """The model's findings; anything that is not the promised JSON yields none (and is logged)."""
    match = re.search(r"\{.*\}", reply, re.DOTALL)
    try:
        data = json.loads(match.group(0)) if match else {}
    except json.JSONDecodeError:
        data = {}
    items = data.get("findings") if isinstance(data, dict) else None
    if not isinstance(items, list):
        log.warning("second opinion: the model did not return the findings JSON; ignored")
        return []
    return [i for i in items if isinstance(i, dict) and isinstance(i.get("category"), str) and isinstance(i.get("quote"), str)]


def second_opinion(
    settings: Settings, checker: Checker, report: Report, text: str, ctx: VisitContext, lang: str, redactor: Redactor | None = None
) -> Report:
    """`report` plus the model's extra findings (BackendError propagates; callers show a notice)."""
    categories = "\n".join(f"- {k}: {v}" for k, v in CATEGORY_TEXT.items())
    system = render(settings.prompts_dir, "judge", lang, jurisdiction=ctx.jurisdiction or "CN/US/UK", categories=categories)
    redactor = redactor or Redactor()
    reply = LLMClient(settings).complete("judge", system, text, redactor=redactor).text
    extra: list[Finding] = []
    for verdict in parse_verdicts(reply):
        category, quote = verdict["category"], verdict["quote"].strip()
        if category not in CATEGORY_TEXT or not quote:
            continue
        start = text.find(quote)
        if start == -1:
            continue  # a quote the script does not contain is not evidence
        end = start + len(quote)
        if any(f.category == category and f.start is not None and f.start < end and f.end > start for f in report.findings):
            continue  # the rules already have it
        rule = next((r for r in checker.rules if r.spec.category == category and r.applies(ctx)), None)
        if rule is None:
            continue
        suggestions = rule.spec.suggestion.get(lang) or rule.spec.suggestion.get("en") or [""]
        extra.append(
            Finding(
                rule_id=f"MODEL-{category.upper()}",
                category=category,
                severity="warning",
                start=start,
                end=end,
                text=quote,
                citation=rule.citation_for(ctx.jurisdiction, lang),
                explanation=str(verdict.get("reason") or getattr(rule.spec.explanation, lang)),
                suggestion=suggestions[0],
                layer="model",
            )
        )
    findings = sorted(report.findings + extra, key=lambda f: (f.start if f.start is not None else -1, f.rule_id))
    return Report(report.verdict, findings, report.lang, report.jurisdiction)
