"""Shared fixtures: every test gets its own data dir; the fixture corpus is ingested once per session."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from visitcoach.config import Settings, reset_settings

ROOT = Path(__file__).resolve().parents[1]
FIXTURE_CORPUS = ROOT / "tests" / "fixtures" / "corpus"
SHIPPED = ROOT / "knowledge"

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test reads the developer's environment, .env or ./data."""
    for key in list(os.environ):
        if key.startswith("VISITCOACH_") or key == "OPENAI_API_KEY":
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("VISITCOACH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("VISITCOACH_KNOWLEDGE_DIR", str(FIXTURE_CORPUS))
    monkeypatch.setenv("VISITCOACH_PROMPTS_DIR", str(ROOT / "prompts"))
    reset_settings()
    yield
    reset_settings()


def make_settings(data_dir: Path, knowledge_dir: Path = FIXTURE_CORPUS, **overrides: object) -> Settings:
    return Settings(data_dir=data_dir, knowledge_dir=knowledge_dir, prompts_dir=ROOT / "prompts", **overrides)


@pytest.fixture(scope="session")
def fixture_index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture corpus ingested once; tests that only read share it."""
    from visitcoach.ingest import ingest

    data = tmp_path_factory.mktemp("shared-index")
    ingest(make_settings(data))
    return data


@pytest.fixture()
def index(fixture_index_dir: Path):
    from visitcoach.retrieval.index import KnowledgeIndex

    return KnowledgeIndex(make_settings(fixture_index_dir))


@pytest.fixture()
def corpus_copy(tmp_path: Path) -> Path:
    """A private, editable copy of the fixture corpus."""
    target = tmp_path / "knowledge"
    shutil.copytree(FIXTURE_CORPUS, target)
    return target


@pytest.fixture(scope="session")
def pack_index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped policy and legal documents, ingested once (cases and personas are read from files)."""
    from visitcoach.ingest import ingest

    source = tmp_path_factory.mktemp("pack-src")
    for part in ("policy", "legal"):
        shutil.copytree(SHIPPED / part, source / part)
    shutil.copy(SHIPPED / "glossary.yaml", source / "glossary.yaml")
    shutil.copy(SHIPPED / "concepts.yaml", source / "concepts.yaml")
    shutil.copytree(SHIPPED / "rules", source / "rules")  # read by the computed answers, not indexed
    data = tmp_path_factory.mktemp("pack-data")
    ingest(make_settings(data, source))
    return data


from .pgserver import postgres_cluster  # noqa: E402, F401 - a real PostgreSQL server, session-scoped
