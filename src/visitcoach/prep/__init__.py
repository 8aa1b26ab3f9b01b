"""Visit preparation: the brief an agent reads in the car (`visitcoach prep CASE_ID`).

Everything that decides whether and when a visit may happen is computed by deterministic code from
the case file and the same rules the compliance checker uses; the plan options come from the
repayment module. Every statement carries citations, and a citation is kept only if it resolves to
a chunk of the indexed knowledge pack (`KnowledgeIndex.by_citation`): the brief never cites what
was not retrieved.
"""

from __future__ import annotations

from visitcoach.prep.brief import RECORD_TEMPLATE, Brief, build_brief, opening_script, render_brief
from visitcoach.prep.decision import Decision, Statement, busy_times, decide, min_collectors, permitted_hours
from visitcoach.prep.situation import RULE_CATEGORIES, applicable_rules, situation
from visitcoach.prep.worth import worth_it

__all__ = [
    "RECORD_TEMPLATE", "RULE_CATEGORIES", "Brief", "Decision", "Statement", "applicable_rules", "build_brief", "busy_times",
    "decide", "min_collectors", "opening_script", "permitted_hours", "render_brief", "situation", "worth_it",
]
