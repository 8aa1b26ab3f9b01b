"""The compliance checker: rules as data, four detection layers, findings with citations."""

from visitcoach.compliance.checker import Checker, CheckInputError, Finding, Report
from visitcoach.compliance.context import VisitContext, load_context, parse_context

_DEFAULT: dict[tuple[str, str], Checker] = {}


def check(text: str, context: VisitContext | dict | None = None, lang: str | None = None) -> Report:
    """Check a script against the rules of the configured knowledge pack (the checker is built once)."""
    from visitcoach.config import get_settings

    settings = get_settings()
    key = (str(settings.knowledge_dir), str(settings.data_dir))
    if key not in _DEFAULT:
        _DEFAULT[key] = Checker.from_settings(settings)
    ctx = context if isinstance(context, VisitContext) else parse_context(context)
    return _DEFAULT[key].check(text, ctx, lang=lang)


__all__ = [
    "CheckInputError",
    "Checker",
    "Finding",
    "Report",
    "VisitContext",
    "check",
    "load_context",
    "parse_context",
]
