"""Case files by id (knowledge/cases/*.yaml), validated against the CaseFile schema."""

from __future__ import annotations

from pathlib import Path

from visitcoach.corpus.records import read_record
from visitcoach.corpus.schemas import CaseFile
from visitcoach.errors import NotFoundError


def case_paths(knowledge_dir: Path) -> dict[str, Path]:
    """Case id -> file, read from each file's `id` line so a renamed file is still found."""
    out: dict[str, Path] = {}
    for path in sorted((knowledge_dir / "cases").glob("*.y*ml")):
        try:
            head = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # load_case reports it when that case is asked for; `validate` lists it
        for line in head.splitlines():
            if line.startswith("id:"):
                out[line.split(":", 1)[1].strip().strip("'\"").upper()] = path
                break
    return out


def load_case(knowledge_dir: Path, case_id: str) -> CaseFile:
    """The case with this id (case-insensitive); NotFoundError lists the known ids."""
    paths = case_paths(knowledge_dir)
    path = paths.get(case_id.strip().upper())
    if path is None:
        known = ", ".join(sorted(paths)) or "none"
        raise NotFoundError(f"unknown case id {case_id!r} (known cases in {knowledge_dir / 'cases'}: {known})")
    return read_record(path, CaseFile, "case file")


def all_cases(knowledge_dir: Path) -> list[CaseFile]:
    """Every case, each file read once (not one directory scan per case)."""
    return [read_record(path, CaseFile, "case file") for path in case_paths(knowledge_dir).values()]
