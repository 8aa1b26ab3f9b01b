"""Rebuild the shipped passage vectors (`src/visitcoach/retrieval/data/pack-vectors.npz`).

They let a first `make run` skip embedding the shipped pack (see `visitcoach.retrieval.vectors`).
Run `make vectors` after editing anything under `knowledge/` that ingest reads or the rules'
semantic exemplars; `tests/test_vectors.py` fails when the file no longer covers the pack.

Texts whose key (model and exact text) is already in the file keep their vector; the rest are
embedded, with the default chunk size. `--fresh` embeds every text again.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

log = logging.getLogger("ship_vectors")


def main() -> int:
    from visitcoach.ingest import pack_texts
    from visitcoach.retrieval.embeddings import E5Embeddings
    from visitcoach.retrieval.vectors import SHIPPED, PassageVectors, key

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--knowledge", type=Path, default=ROOT / "knowledge")
    parser.add_argument("--out", type=Path, default=SHIPPED)
    parser.add_argument("--fresh", action="store_true", help="embed every text, ignoring the vectors in --out")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    texts = pack_texts(args.knowledge)
    old = None if args.fresh else PassageVectors.load(args.out)
    embedder = E5Embeddings(shipped=False, table=old)
    started = time.perf_counter()
    vectors = embedder.embed_passages(texts)
    table = PassageVectors(embedder.name, [key(embedder.name, t) for t in texts], vectors)
    table.save(args.out)
    log.info("%d passages (%d kept, %d embedded in %.0f s) -> %s (%.1f MB)", len(texts), len(texts) - embedder.embedded, embedder.embedded,
             time.perf_counter() - started, args.out, args.out.stat().st_size / 1e6)
    return 0


if __name__ == "__main__":
    sys.exit(main())
