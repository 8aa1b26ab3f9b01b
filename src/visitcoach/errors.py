"""The error hierarchy. Each error carries enough context (file, line, field) for one clear line."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError


class VisitCoachError(Exception):
    """Base of every error visitcoach raises on purpose."""


class ConfigError(VisitCoachError):
    """A setting is missing, unknown or invalid; the message names the setting."""


class KnowledgeError(VisitCoachError):
    """A knowledge file is malformed; the message names the file, and the line or field."""

    def __init__(
        self,
        path: Path | str,
        message: str,
        *,
        line: int | None = None,
        field: str | None = None,
        rule: str | None = None,
    ) -> None:
        self.path = Path(path)
        self.line = line
        self.field = field
        where = str(path) + (f":{line}" if line is not None else "") + (f": rule {rule}" if rule else "")
        what = f"field '{field}': " if field else ""
        super().__init__(f"{where}: {what}{message}")

    @classmethod
    def from_validation(
        cls, path: Path | str, exc: ValidationError, *, line: int | None = None, rule: str | None = None
    ) -> KnowledgeError:
        """The first pydantic error as one line naming the file and the field."""
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err.get("loc", ()))
        msg = err["msg"].removeprefix("Value error, ")
        if err.get("type") == "extra_forbidden":
            msg = "unknown field"
        elif err.get("type") == "missing":
            msg = "required field is missing"
        return cls(path, msg, line=line, field=loc or None, rule=rule)


class IndexStoreError(VisitCoachError):
    """The index is missing, stale in a way that needs a rebuild, or could not be written."""


class BackendError(VisitCoachError):
    """The language-model backend failed; the message says which setting to check."""


class NotFoundError(VisitCoachError):
    """An id (case, persona, document) does not exist; the message names it."""
