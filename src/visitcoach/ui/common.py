"""What every tab's wiring shares: errors as one UI message, and the signed-in user's name."""

import functools
import logging
from collections.abc import Callable
from typing import Any

from visitcoach.errors import VisitCoachError
from visitcoach.text import JURISDICTIONS as TYPED_JURISDICTIONS

log = logging.getLogger("visitcoach.ui")

#: The jurisdiction pickers: every jurisdiction, or one.
JURISDICTIONS = ["ALL", *TYPED_JURISDICTIONS]


def safe(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Any VisitCoachError (or bad value) becomes one message in the UI, never a stack trace."""
    import gradio as gr

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except gr.Error:
            raise
        except (VisitCoachError, ValueError) as exc:
            raise gr.Error(str(exc)) from exc
        except Exception as exc:
            log.exception("handler %s failed", fn.__name__)
            raise gr.Error(f"Something went wrong ({type(exc).__name__}); the details are in the server log.") from exc

    return wrapper


def user_of(request: Any) -> str:
    return getattr(request, "username", None) or ""
