"""One YAML file read into one schema, with errors that name the file and the field."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from visitcoach.errors import KnowledgeError

M = TypeVar("M", bound=BaseModel)


def load_yaml(path: Path) -> Any:
    """`path` parsed as YAML; one KnowledgeError naming the file (and line) when it is not UTF-8 or not YAML."""
    try:
        return yaml.safe_load(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError:
        raise KnowledgeError(path, "not UTF-8 text") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise KnowledgeError(
            path, f"broken YAML: {getattr(exc, 'problem', None) or exc}", line=mark.line + 1 if mark else None
        ) from None


def read_record(path: Path, model: type[M], what: str, hint: str = "") -> M:
    """`path` parsed as YAML and validated as `model`; KnowledgeError names the file (and field)."""
    try:
        data = yaml.safe_load(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        raise KnowledgeError(path, f"{what} not found") from None
    except UnicodeDecodeError:
        raise KnowledgeError(path, "not UTF-8 text") from None
    except yaml.YAMLError as exc:
        raise KnowledgeError(path, f"broken YAML: {getattr(exc, 'problem', None) or exc}") from None
    if not isinstance(data, dict):
        raise KnowledgeError(path, f"a {what} must be a mapping{hint}")
    try:
        return model(**data)
    except ValidationError as exc:
        raise KnowledgeError.from_validation(path, exc) from None
