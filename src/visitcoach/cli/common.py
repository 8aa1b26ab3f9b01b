"""What every `visitcoach` command shares: the --json and --lang options, settings with logging set up,
JSON output, and the one-line error exit. Only the CLI imports this module."""

from __future__ import annotations

import getpass
import json
import logging
import sys
from collections.abc import Callable
from functools import wraps
from typing import Annotated, Any, NoReturn, TypeVar

import typer

from visitcoach.config import Settings, get_settings
from visitcoach.errors import VisitCoachError

F = TypeVar("F", bound=Callable[..., Any])

JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
LangOpt = Annotated[str | None, typer.Option("--lang", help="Output language: zh or en (default: the input's).")]
AsOpt = Annotated[
    str | None, typer.Option("--as", help="Your name as it goes into the review desk (default: the OS user).")
]


def author(who: str | None) -> str:
    """Who a command records its artifact as: `--as`, else the OS user."""
    if who and who.strip():
        return who.strip()
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):  # no user name in the environment or the password database
        return "cli"


def _setup_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=getattr(logging, settings.log_level.upper(), logging.INFO),
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    for noisy in ("httpx", "chromadb", "bm25s", "jieba", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    from visitcoach.llm.redact import install_log_redaction

    install_log_redaction()  # nothing identifying reaches the log in clear, whichever module logs it


def fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def command(func: F) -> F:
    """Turn VisitCoachError into one clear line on stderr and a non-zero exit."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except VisitCoachError as exc:
            fail(str(exc))
        except KeyboardInterrupt:
            fail("interrupted", 130)

    return wrapper  # type: ignore[return-value]


def cli_settings() -> Settings:
    """The settings, with logging set up for a command."""
    settings = get_settings()
    _setup_logging(settings)
    return settings


def emit(data: dict[str, Any]) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
