"""The visit context of a compliance check (DESIGN §6): every field optional, unknown fields an error."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from visitcoach.corpus.schemas import Flags
from visitcoach.errors import KnowledgeError
from visitcoach.text import Jurisdiction

Location = Literal["home", "workplace", "public", "hospital", "other"]


class VisitContext(BaseModel):
    model_config = ConfigDict(extra="forbid")

    jurisdiction: Jurisdiction | None = None
    visit_time: dt.datetime | None = None  # local time at the borrower's location
    location: Location | None = None
    collectors: int | None = None
    audience: Literal["debtor", "third_party"] = "debtor"
    opening: bool = False
    flags: Flags = Flags()

    @field_validator("visit_time", mode="before")
    @classmethod
    def _time(cls, value: Any) -> Any:
        if value is None or isinstance(value, dt.datetime):
            return value
        try:
            return dt.datetime.fromisoformat(str(value))
        except ValueError:
            raise ValueError(f"not a local date-time like 2026-03-02T21:30:00: {value!r}") from None

    @field_validator("collectors")
    @classmethod
    def _collectors(cls, value: int | None) -> int | None:
        if value is not None and not 0 <= value <= 50:
            raise ValueError("must be between 0 and 50")
        return value


def parse_context(data: Any, source: str = "context") -> VisitContext:
    """Validate a context mapping; errors name the source and the field."""
    if data is None:
        return VisitContext()
    if not isinstance(data, dict):
        raise KnowledgeError(source, "context must be a mapping of fields")
    try:
        return VisitContext(**data)
    except ValidationError as exc:
        raise KnowledgeError.from_validation(source, exc) from None


def load_context(path: Path) -> VisitContext:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KnowledgeError(path, "context file not found") from None
    except UnicodeDecodeError:
        raise KnowledgeError(path, "not UTF-8") from None
    except yaml.YAMLError as exc:
        raise KnowledgeError(path, f"broken YAML/JSON: {getattr(exc, 'problem', exc)}") from None
    return parse_context(data, str(path))
