"""Evaluation datasets: JSONL rows validated by a pydantic model, errors naming file, line and field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from visitcoach.errors import KnowledgeError
from visitcoach.text import Jurisdiction

Row = TypeVar("Row", bound=BaseModel)


class EvalRow(BaseModel):
    """What every dataset row carries besides its input and expected output: an id, the language,
    the jurisdiction (null for group-wide or off-topic rows) and tags, for per-slice breakdowns."""

    model_config = ConfigDict(extra="forbid")

    id: str
    lang: Literal["zh", "en"]
    jurisdiction: Jurisdiction | None
    tags: list[str]


def read_jsonl(path: Path, model: type[Row]) -> list[tuple[int, Row]]:
    """(line number, row) for every non-blank line; ids must be unique within the file."""
    rows: list[tuple[int, Row]] = []
    seen: set[str] = set()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise KnowledgeError(path, f"cannot read: {exc}") from None
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = model(**json.loads(line))
        except json.JSONDecodeError as exc:
            raise KnowledgeError(path, f"not JSON: {exc.msg}", line=n) from None
        except ValidationError as exc:
            raise KnowledgeError.from_validation(path, exc, line=n) from None
        except TypeError:
            raise KnowledgeError(path, "a row must be a JSON object", line=n) from None
        row_id = getattr(row, "id", None)
        if row_id is not None:
            if row_id in seen:
                raise KnowledgeError(path, f"duplicate id {row_id!r}", line=n, field="id")
            seen.add(row_id)
        rows.append((n, row))
    return rows
