"""Sentence vectors for training the learned layer, cached on disk by text hash and model id.

Embedding the ~40k training and calibration texts takes about half an hour on one shared core, so
`make train-checker` keeps what it embedded in a local, git-ignored file
(`knowledge/rules/learned/.cache/vectors.npz`); a rebuild from scratch (no cache file) embeds them
again and gives the same vectors. A vector is keyed by sha1("<model id>\\n<text>"), so a change of
embedding model never reads stale vectors.
"""

from __future__ import annotations

import hashlib
import logging
import time
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

DIM = 384
CACHE_DIR = ".cache"
CACHE_FILE = "vectors.npz"


def key(model_id: str, text: str) -> str:
    return hashlib.sha1(f"{model_id}\n{text}".encode()).hexdigest()


class VectorCache:
    """Vectors of texts, embedded once by `embedder` (anything with `name` and `embed_passages`)."""

    def __init__(self, path: Path | None, embedder: Any, save_every: int = 512) -> None:
        self.path = path
        self.embedder = embedder
        self.model_id = getattr(embedder, "name", "embedder")
        self.save_every = save_every
        self._vectors: dict[str, np.ndarray] = {}
        self._dirty = False
        if path is not None and path.is_file():
            try:
                with np.load(path, allow_pickle=False) as data:
                    keys, vecs = data["keys"], data["vectors"]
                self._vectors = {str(k): v.astype(np.float32) for k, v in zip(keys, vecs, strict=True)}
            except (OSError, ValueError, KeyError) as exc:  # a broken cache is rebuilt, never trusted
                log.warning("ignoring unreadable vector cache %s (%s)", path, exc)
                self._vectors = {}

    def __len__(self) -> int:
        return len(self._vectors)

    def has(self, text: str) -> bool:
        return key(self.model_id, text) in self._vectors

    def vectors(self, texts: list[str], batch: int = 64) -> np.ndarray:
        """(len(texts) x 384) float32; texts not in the cache are embedded (and saved every `save_every`)."""
        keys = [key(self.model_id, t) for t in texts]
        todo = list(dict.fromkeys(t for t, k in zip(texts, keys, strict=True) if k not in self._vectors))
        t0, done = time.perf_counter(), 0
        for start in range(0, len(todo), batch):
            part = todo[start : start + batch]
            for t, vec in zip(part, np.atleast_2d(self.embedder.embed_passages(part)), strict=True):
                self._vectors[key(self.model_id, t)] = np.asarray(vec, dtype=np.float32)
            done += len(part)
            self._dirty = True
            if done % self.save_every < batch or done == len(todo):
                self.save()
                log.info("embedded %d/%d texts (%.0f s)", done, len(todo), time.perf_counter() - t0)
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        for i, k in enumerate(keys):
            out[i] = self._vectors[k]
        return out

    def save(self) -> None:
        if self.path is None or not self._dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = sorted(self._vectors)
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(tmp, keys=np.array(keys), vectors=np.vstack([self._vectors[k] for k in keys]).astype(np.float32))
        tmp.replace(self.path)
        self._dirty = False
