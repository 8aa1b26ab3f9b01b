"""Passage vectors shipped with the package, so a first start does not embed the shipped pack again.

Embedding the shipped knowledge pack (about a thousand chunks) and the checker's exemplars on two
cores takes minutes; a new user's first `make run` would wait for it before anything is served. The
file `data/pack-vectors.npz` holds the vectors of those texts, each keyed by the SHA-1 of the model
name and the exact text embedded. A vector is used only when both match, so an edited or added
file, another chunker setting or another model is embedded as usual; nothing else changes.

Rebuild the file (texts from `visitcoach.ingest.pack_texts`) after editing the shipped pack or the rules' exemplars with `make vectors`
(`python scripts/ship_vectors.py`); `tests/test_vectors.py` fails when it has gone stale.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

SHIPPED = Path(__file__).with_name("data") / "pack-vectors.npz"


def key(model: str, text: str) -> str:
    """The lookup key of one passage: SHA-1 over the model name and the exact text embedded."""
    return hashlib.sha1(f"{model}\n{text}".encode()).hexdigest()


class PassageVectors:
    """A read-only table key -> vector, loaded once from an `.npz` with `model`, `keys` and `vectors`."""

    def __init__(self, model: str, keys: Sequence[str], vectors: np.ndarray) -> None:
        if len(keys) != len(vectors):
            raise ValueError(f"{len(keys)} keys for {len(vectors)} vectors")
        self.model = model
        self.vectors = np.asarray(vectors, dtype=np.float32)
        self._row = {k: i for i, k in enumerate(keys)}

    def __len__(self) -> int:
        return len(self._row)

    @classmethod
    def load(cls, path: Path) -> PassageVectors | None:
        """The table in `path`, or None (logged) when it is absent or unreadable: then texts are embedded."""
        if not path.exists():
            return None
        try:
            with np.load(path, allow_pickle=False) as data:
                return cls(str(data["model"]), [str(k) for k in data["keys"]], data["vectors"])
        except (OSError, KeyError, ValueError) as exc:
            log.warning("shipped vectors %s unreadable (%s); embedding instead", path, exc)
            return None

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        keys = sorted(self._row, key=self._row.__getitem__)
        np.savez_compressed(path, model=np.array(self.model), keys=np.array(keys), vectors=self.vectors)

    def lookup(self, model: str, texts: Sequence[str]) -> dict[int, np.ndarray]:
        """{position in `texts`: vector} for the texts this table holds for `model`."""
        if model != self.model:
            return {}
        found = {}
        for i, text in enumerate(texts):
            row = self._row.get(key(model, text))
            if row is not None:
                found[i] = self.vectors[row]
        return found


_lock = threading.Lock()
_loaded: dict[Path, PassageVectors | None] = {}


def shipped(path: Path = SHIPPED) -> PassageVectors | None:
    """The shipped table, loaded once per process (None when the package has none)."""
    with _lock:
        if path not in _loaded:
            _loaded[path] = PassageVectors.load(path)
            if _loaded[path] is not None:
                log.debug("loaded %d shipped passage vectors from %s", len(_loaded[path]), path)
        return _loaded[path]
