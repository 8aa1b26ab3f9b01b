"""The vector store: Chroma, embedded on disk by default or a server when VISITCOACH_CHROMA_URL is set.

Four operations (add, query, delete, ids) over precomputed embeddings: the ingestor embeds in
batches with a progress bar and can reuse vectors, so the store never embeds on its own.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from visitcoach.errors import ConfigError, IndexStoreError

log = logging.getLogger(__name__)

COLLECTION = "visitcoach_chunks"
#: HNSW candidate list size for queries. Chroma's default (100) is barely above the 96 neighbours a
#: hybrid search asks for, and with a metadata filter the tail of the list then varied between
#: processes on the same index, so the same question could rank differently after a restart. At 512
#: the search is effectively exact for packs of a few thousand chunks, and costs no measurable time
#: on the shipped pack (3.6 ms per 96-neighbour query at either setting).
EF_SEARCH = 512


@dataclass(frozen=True)
class DenseHit:
    id: str
    similarity: float  # cosine similarity, 1 = identical


def _client(chroma_dir: Path, url: str | None):  # noqa: ANN202 - chromadb's client type is private
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=True)
    if url:
        parsed = urlparse(url if "://" in url else f"http://{url}")
        if not parsed.hostname:
            raise ConfigError(f"VISITCOACH_CHROMA_URL is not a URL: {url!r}")
        try:
            return chromadb.HttpClient(
                host=parsed.hostname,
                port=parsed.port or (443 if parsed.scheme == "https" else 8000),
                ssl=parsed.scheme == "https",
                settings=chroma_settings,
            )
        except (ValueError, OSError) as exc:  # chromadb raises ValueError("Could not connect ...")
            raise ConfigError(f"cannot reach the Chroma server at VISITCOACH_CHROMA_URL={url}: {exc}") from None
    chroma_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(chroma_dir), settings=chroma_settings)


class ChromaStore:
    def __init__(self, chroma_dir: Path, url: str | None = None, collection: str = COLLECTION) -> None:
        self._client = _client(chroma_dir, url)
        self._name = collection
        self._count: int | None = None  # the collection's size, kept between writes (a query asks it each time)
        self._collection = self._open(collection)

    def _open(self, name: str):  # noqa: ANN202 - chromadb's collection type is private
        collection = self._client.get_or_create_collection(name, metadata={"hnsw:space": "cosine"})
        hnsw = (collection.configuration or {}).get("hnsw") or {}
        if hnsw.get("ef_search", 0) < EF_SEARCH:
            from chromadb.errors import ChromaError

            try:
                collection.modify(configuration={"hnsw": {"ef_search": EF_SEARCH}})
            except (ChromaError, ValueError, TypeError) as exc:  # an older server may refuse it; search still works
                log.warning("could not raise the vector search's ef_search to %d: %s", EF_SEARCH, exc)
        return collection

    @property
    def client(self):  # noqa: ANN201 - chromadb's client type is private
        """The Chroma client (for LangChain's `Chroma` over the same collection, e.g. the dense-only baseline)."""
        return self._client

    @property
    def collection_name(self) -> str:
        return self._name

    def add(self, ids: list[str], vectors: np.ndarray, texts: list[str], metadatas: list[dict[str, Any]]) -> None:
        self._count = None
        batch = 2000  # Chroma rejects very large batches
        for i in range(0, len(ids), batch):
            self._collection.upsert(
                ids=ids[i : i + batch],
                embeddings=vectors[i : i + batch].tolist(),
                documents=texts[i : i + batch],
                metadatas=metadatas[i : i + batch],
            )

    def delete(self, ids: list[str]) -> None:
        self._count = None
        for i in range(0, len(ids), 2000):
            self._collection.delete(ids=ids[i : i + 2000])

    def ids(self) -> set[str]:
        return set(self._collection.get(include=[])["ids"])

    def vectors(self, batch: int = 5000) -> tuple[list[str], np.ndarray]:
        """Every stored id and its vector (float32, one row each), read in batches."""
        ids: list[str] = []
        rows: list[np.ndarray] = []
        for offset in range(0, self.count(), batch):
            got = self._collection.get(include=["embeddings"], limit=batch, offset=offset)
            ids.extend(got["ids"])
            rows.append(np.asarray(got["embeddings"], dtype=np.float32).reshape(len(got["ids"]), -1))
        return ids, (np.vstack(rows) if rows else np.zeros((0, 0), dtype=np.float32))

    def count(self) -> int:
        """Chunks in the collection; written through this store, so it is asked of Chroma only after a write."""
        if self._count is None:
            self._count = self._collection.count()
        return self._count

    def query(self, vector: np.ndarray, k: int, where: dict[str, Any] | None = None) -> list[DenseHit]:
        n = self.count()
        if n == 0:
            return []
        try:
            res = self._collection.query(
                query_embeddings=[vector.tolist()], n_results=min(k, n), where=where or None, include=["distances"]
            )
        except Exception as exc:
            raise IndexStoreError(f"vector query failed: {exc}") from exc
        return [DenseHit(i, 1.0 - float(d)) for i, d in zip(res["ids"][0], res["distances"][0], strict=True)]

    def drop(self) -> None:
        self._client.delete_collection(self._name)
        self._count = None
        self._collection = self._open(self._name)
