"""Settings: one typed object read from the environment (prefix VISITCOACH_) and `.env`."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from visitcoach.errors import ConfigError

ENV_PREFIX = "VISITCOACH_"


class Settings(BaseSettings):
    """Every setting visitcoach reads. README.md lists them all (a test checks it)."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
    )

    data_dir: Path = Field(Path("data"), description="Where the index, databases and logs live.")
    knowledge_dir: Path = Field(Path("knowledge"), description="The knowledge pack to ingest.")
    prompts_dir: Path = Field(Path("prompts"), description="Prompt templates, one file per task and language.")
    evals_dir: Path = Field(
        Path("evals"),
        description="The eval suite: `datasets/*.jsonl`, `thresholds.yaml`, and `reports/` where `visitcoach eval` writes.",
    )
    llm: Literal["offline", "openai"] | None = Field(
        None,
        description="Generation backend: `offline` (deterministic engine) or `openai` (any OpenAI-compatible "
        "server). Default: `openai` when an API key or base URL is set, else `offline`.",
    )
    openai_api_key: str | None = Field(
        None,
        validation_alias=AliasChoices("OPENAI_API_KEY", "VISITCOACH_OPENAI_API_KEY"),
        description="API key for the OpenAI-compatible server (`VISITCOACH_OPENAI_API_KEY` also works).",
    )
    openai_base_url: str | None = Field(
        None,
        description="Base URL of an OpenAI-compatible server (vLLM, Ollama, llama.cpp), e.g. http://127.0.0.1:8000/v1.",
    )
    chat_model: str = Field("gpt-4o-mini", description="Chat model name sent to the OpenAI-compatible server.")
    llm_timeout: float = Field(30.0, gt=0, description="Seconds to wait for the language model before giving up.")
    llm_retries: int = Field(
        2, ge=0, le=10, description="Retries after a transient model error (5xx, 429, timeout, connection), with backoff."
    )
    llm_backoff: float = Field(0.5, ge=0, le=60, description="Seconds before the first retry; doubled for each later one.")
    guard_max_tries: int = Field(
        2,
        ge=0,
        le=5,
        description="Times the model is asked to rewrite a draft the compliance checker rejects before it is blocked.",
    )
    llm_price_input: float | None = Field(
        None,
        ge=0,
        description="USD per million prompt tokens for the call log's cost estimate (default: a built-in table "
        "for common OpenAI models, else 0).",
    )
    llm_price_output: float | None = Field(
        None, ge=0, description="USD per million completion tokens for the call log's cost estimate (as above)."
    )
    embeddings: Literal["local", "openai"] = Field(
        "local", description="Embedding provider: `local` (bundled multilingual-e5-small, offline) or `openai`."
    )
    embedding_model: str = Field(
        "text-embedding-3-small", description="Embedding model name when `VISITCOACH_EMBEDDINGS=openai`."
    )
    ui_workers: int = Field(
        4, ge=1, le=64, description="Requests of one kind (ask, check, ...) the app works on at once; more wait."
    )
    processes: int = Field(
        1, ge=1, le=32, description="App processes behind the one port of `visitcoach serve` (each browser stays "
        "with one). More help only with cores to spare: on a 2-core machine one process served 50 users "
        "faster than two, which with the proxy use every core (benchmarks/README.md). Each loads the index "
        "and the models (about 0.4 GB).",
    )
    ui_wait: float = Field(
        20.0, gt=0, description="Seconds a request may wait for a free worker before the user is told the app is "
        "busy (in their language; nothing is stored).",
    )
    max_request_mb: int = Field(
        32, ge=1, le=1024, description="Largest request body the app reads, uploads included (MB); a larger one "
        "is refused (HTTP 413) before it is read, and an upload over it gets Gradio's size message.",
    )
    ask_timeout: float = Field(
        30.0, gt=0, description="Seconds an answer may take before the user is told the app is busy; an answer "
        "that finishes later is not stored.",
    )
    embed_threads: int = Field(
        1,
        ge=1,
        le=64,
        description="OpenMP threads of the local embedding model. 1 serves best: with more, each query spins "
        "on every core and, when the app has other work running, one takes over a second instead of ~35 ms "
        "(benchmarks/README.md). Raise it only for a large ingest on an otherwise idle machine.",
    )
    blas_threads: int = Field(
        1,
        ge=1,
        le=64,
        description="Threads of numpy's BLAS (OpenBLAS) in a serving process. 1 serves best: the matrices of one "
        "request are small, and with one thread per core each product's threads spin waiting for cores the other "
        "requests hold (50 users: 39 % more server CPU, /ask p95 3.9 s instead of 2.6 s; benchmarks/README.md).",
    )
    chroma_url: str | None = Field(
        None,
        description="URL of a Chroma server (e.g. http://127.0.0.1:8000); empty = embedded Chroma in the data dir.",
    )
    chunk_tokens: int = Field(380, ge=64, le=2000, description="Token budget per chunk (counted with tiktoken).")
    top_k: int = Field(5, ge=1, le=50, description="Chunks returned by retrieval and used for an answer.")
    min_relevance: float = Field(
        0.78,
        ge=0,
        le=1,
        description="Dense cosine similarity below which (absent a verbatim citation match) `ask` says the "
        "knowledge base does not cover the question; above it, the question must also share vocabulary with the hits.",
    )
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL of the app database (review desk, call log; read by the features that use it): "
        "`sqlite:///PATH` or `postgresql+psycopg://user:pw@host/db`; default SQLite `app.sqlite` in the data dir.",
    )
    review_sample_rate: float = Field(
        0.1,
        ge=0,
        le=1,
        description="Share of clean artifacts (no warning or violation) drawn at random into the review queue; "
        "every artifact with a warning or violation is always drawn.",
    )
    review_recent_days: int = Field(
        30, ge=1, le=3650, description="An author with a warning or violation in this many days is sampled more often."
    )
    review_author_weight: float = Field(
        3.0,
        ge=1,
        le=100,
        description="Sampling weight of a clean artifact whose author had recent findings (others weigh 1).",
    )
    retention_days: int = Field(
        1095,
        ge=1,
        description="Days generated artifacts, reviews and sampling runs are kept; `visitcoach review purge` deletes "
        "older ones and records the purge.",
    )
    users_file: Path | None = Field(
        None,
        description="YAML list of app users {name, role, password_hash} (roles: agent, trainer, reviewer, admin); "
        "neither this nor `VISITCOACH_USERS` set = the four demo accounts.",
    )
    users: str | None = Field(
        None, description="App users inline, `name:role:hash;...` (used when VISITCOACH_USERS_FILE is not set)."
    )
    effect_window_days: int = Field(
        90,
        ge=1,
        le=730,
        description="Days after a visit (or a remote case's index date) counted as its effect in "
        "`visitcoach report effectiveness` and the Dashboard (and the same number before, as a baseline).",
    )
    port: int = Field(7860, ge=1, le=65535, description="Port of the web app (`visitcoach serve`, `make run`).")
    log_level: str = Field("INFO", description="Log level for the CLI and app (DEBUG, INFO, WARNING, ERROR).")

    @model_validator(mode="after")
    def _default_llm(self) -> Settings:
        if self.llm is None:
            self.llm = "openai" if (self.openai_api_key or self.openai_base_url) else "offline"
        return self

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"


def _unknown_settings() -> list[str]:
    known = {ENV_PREFIX + name.upper() for name in Settings.model_fields}
    known.add("VISITCOACH_OPENAI_API_KEY")
    return sorted(k for k in os.environ if k.startswith(ENV_PREFIX) and k not in known)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; `reset_settings()` forgets them (tests, the Settings tab)."""
    unknown = _unknown_settings()
    if unknown:
        raise ConfigError(f"unknown setting {unknown[0]} (known: {', '.join(sorted(_setting_env_names()))})")
    try:
        return Settings()
    except ValidationError as exc:
        err = exc.errors()[0]
        name = ENV_PREFIX + str(err["loc"][0]).upper() if err.get("loc") else "settings"
        raise ConfigError(f"{name}: {err['msg']}") from None


def reset_settings() -> None:
    get_settings.cache_clear()


def _setting_env_names() -> list[str]:
    return [ENV_PREFIX + name.upper() for name in Settings.model_fields]


def setting_docs() -> list[tuple[str, str, str]]:
    """(environment name, default, description) for every setting, for README and `--help`."""
    rows = []
    for name, field in Settings.model_fields.items():
        env = "OPENAI_API_KEY" if name == "openai_api_key" else ENV_PREFIX + name.upper()
        default = "" if field.default is None else str(field.default)
        rows.append((env, default, field.description or ""))
    return rows
