"""`visitcoach ingest`: index the knowledge pack incrementally.

Files are compared by content hash: unchanged files are skipped, changed files replace their
chunks, deleted files remove theirs. Every file is parsed and embedded before anything is
written, so a broken file leaves the index exactly as it was. A crash between the vector-store
write and the manifest commit leaves a "dirty" mark; the next run reconciles the store with the
manifest, so no duplicate or stale chunk survives any sequence of edits.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from visitcoach.config import Settings
from visitcoach.corpus import Chunk, chunk_document, discover, load_document
from visitcoach.corpus.chunking import CHUNKER_VERSION
from visitcoach.corpus.loader import file_sha256
from visitcoach.errors import KnowledgeError
from visitcoach.retrieval.embeddings import get_embeddings
from visitcoach.retrieval.index import KnowledgeIndex

log = logging.getLogger(__name__)

#: progress(done, total, label)
Progress = Callable[[int, int, str], None]


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    unchanged: int = 0
    chunks_written: int = 0
    chunks_total: int = 0
    rebuilt: bool = False
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.deleted)

    def as_dict(self) -> dict[str, object]:
        return {
            "added": self.added,
            "updated": self.updated,
            "deleted": self.deleted,
            "unchanged": self.unchanged,
            "chunks_written": self.chunks_written,
            "chunks_total": self.chunks_total,
            "rebuilt": self.rebuilt,
            "seconds": round(self.seconds, 3),
        }


class IngestErrors(KnowledgeError):
    """One or more files could not be parsed; carries each error, nothing was written."""

    def __init__(self, errors: list[KnowledgeError]) -> None:
        self.errors = errors
        first = errors[0]
        more = f" (and {len(errors) - 1} more file error(s); nothing was indexed)" if len(errors) > 1 else ""
        super().__init__(first.path, str(first).split(": ", 1)[1] + more, line=first.line, field=None)
        self.args = (str(first) + more,)


def _signature(settings: Settings) -> str:
    return f"{get_embeddings(settings).name}|chunker={CHUNKER_VERSION}|tokens={settings.chunk_tokens}"


def ingest(settings: Settings, *, rebuild: bool = False, progress: Progress | None = None) -> IngestReport:
    started = time.perf_counter()
    root = settings.knowledge_dir.resolve()
    index = KnowledgeIndex(settings)
    report = IngestReport()
    manifest = index.manifest
    signature = _signature(settings)
    stored_signature = manifest.get_meta("signature")
    if rebuild or (stored_signature is not None and stored_signature != signature):
        if stored_signature and stored_signature != signature and not rebuild:
            log.info("index was built with %s; rebuilding for %s", stored_signature, signature)
        index.store.drop()
        manifest.clear()
        report.rebuilt = True

    paths = discover(root)
    known = manifest.files()
    current: dict[str, Path] = {p.relative_to(root).as_posix(): p for p in paths}
    changed: list[tuple[str, str, list[Chunk]]] = []  # (rel path, sha, chunks)
    errors: list[KnowledgeError] = []
    doc_ids: dict[str, str] = {}
    for rel, path in current.items():
        sha = file_sha256(path)
        if rel in known and known[rel][0] == sha:
            report.unchanged += 1
            doc_ids[known[rel][1]] = rel
            continue
        try:
            doc = load_document(path, root)
        except KnowledgeError as exc:
            errors.append(exc)
            continue
        except OSError as exc:
            errors.append(KnowledgeError(path, f"cannot read: {exc.strerror or exc}"))
            continue
        changed.append((rel, sha, chunk_document(doc, settings.chunk_tokens, rel)))
    for rel, _, chunks in changed:
        doc_id = chunks[0].doc_id if chunks else Path(rel).stem
        if doc_id in doc_ids and doc_ids[doc_id] != rel:
            errors.append(
                KnowledgeError(current[rel], f"duplicate id {doc_id!r}, also used by {doc_ids[doc_id]}", field="id")
            )
        doc_ids[doc_id] = rel
    if errors:
        raise IngestErrors(errors)

    deleted = sorted(set(known) - set(current))
    new_chunks = [c for _, _, chunks in changed for c in chunks]
    vectors = _embed(settings, new_chunks, progress)

    if changed or deleted or manifest.get_meta("dirty") == "1":
        manifest.set_meta("dirty", "1")
        stale = manifest.chunk_ids([rel for rel, _, _ in changed if rel in known] + deleted)
        index.store.delete(stale)
        if new_chunks:
            index.store.add(
                [c.id for c in new_chunks], vectors, [c.text for c in new_chunks], [c.metadata for c in new_chunks]
            )
        with manifest.transaction() as db:
            for rel in deleted:
                manifest.remove_file(db, rel)
            for rel, sha, chunks in changed:
                doc_id = chunks[0].doc_id if chunks else Path(rel).stem
                manifest.replace_file(db, rel, sha, doc_id, [(c.id, c.text, c.metadata) for c in chunks])
        _reconcile(settings, index, progress)
        index.rebuild_lexical()
        manifest.set_meta("signature", signature)
        manifest.set_meta("dirty", "0")
        _sentence_table(settings)
    elif stored_signature is None:
        manifest.set_meta("signature", signature)

    for rel, _, _ in changed:
        (report.updated if rel in known and not report.rebuilt else report.added).append(rel)
    report.deleted = deleted
    report.chunks_written = len(new_chunks)
    report.chunks_total = manifest.count()
    report.seconds = time.perf_counter() - started
    log.info(
        "ingest: %d added, %d updated, %d deleted, %d unchanged; %d chunks in the index (%.1fs)",
        len(report.added),
        len(report.updated),
        len(report.deleted),
        report.unchanged,
        report.chunks_total,
        report.seconds,
    )
    return report


def _sentence_table(settings: Settings) -> None:
    """The sentence vectors the answer engine ranks sections by (`qa.meaning`), embedded here for
    sentences neither shipped nor saved, so a large pack's first question does not wait for them."""
    from visitcoach.qa.meaning import meaning_for
    from visitcoach.qa.sections import SectionIndex

    meaning_for(SectionIndex(KnowledgeIndex(settings)))


def passage_text(chunk: Chunk) -> str:
    """What is embedded for a chunk: the heading path gives a short chunk its context ("§4.2 Permitted hours" + body)."""
    return f"{chunk.section}\n{chunk.text}"


def pack_chunks(settings: Settings) -> list[Chunk]:
    """Every chunk of the knowledge pack at `settings.knowledge_dir`, as ingest would write them."""
    root = settings.knowledge_dir.resolve()
    return [c for path in discover(root) for c in chunk_document(load_document(path, root), settings.chunk_tokens,
                                                                  path.relative_to(root).as_posix())]


def pack_texts(knowledge_dir: Path) -> list[str]:
    """The passages a first start embeds for the pack at `knowledge_dir`: every chunk as ingest embeds
    it (default chunk size), the quotable sentences the answer engine ranks sections by
    (`qa.meaning`), then the rules' semantic exemplars; each text once."""
    from visitcoach.compliance.checker import exemplar_texts
    from visitcoach.compliance.rules import load_rules
    from visitcoach.qa.meaning import sentence_texts

    settings = Settings(knowledge_dir=knowledge_dir)
    chunks = pack_chunks(settings)
    texts = [passage_text(c) for c in chunks]
    texts += [t for c in chunks if c.metadata.get("doc_type") not in ("persona", "exercise") for t in sentence_texts(c.text)]
    rules = knowledge_dir / "rules"
    texts += exemplar_texts(load_rules(rules)) if rules.is_dir() else []
    return list(dict.fromkeys(texts))


def _embed(settings: Settings, chunks: list[Chunk], progress: Progress | None):  # noqa: ANN202 - numpy array
    import numpy as np

    embedder = get_embeddings(settings)
    if not chunks:
        return np.zeros((0, 384), dtype=np.float32)
    batch = 16
    parts = []
    for i in range(0, len(chunks), batch):
        part = chunks[i : i + batch]
        parts.append(embedder.embed_passages([passage_text(c) for c in part]))
        if progress:
            progress(min(i + batch, len(chunks)), len(chunks), "embedding")
    return np.vstack(parts)


def _reconcile(settings: Settings, index: KnowledgeIndex, progress: Progress | None) -> None:
    """Make the vector store hold exactly the manifest's chunks."""
    in_store = index.store.ids()
    in_manifest = set(index.manifest.chunk_ids())
    extra = sorted(in_store - in_manifest)
    if extra:
        log.warning("removing %d chunk(s) from the vector store that the manifest does not list", len(extra))
        index.store.delete(extra)
    missing = sorted(in_manifest - in_store)
    if missing:
        log.warning("re-adding %d chunk(s) missing from the vector store", len(missing))
        stored = index.manifest.chunks(missing)
        again = [
            Chunk(s.id, s.doc_id, s.text, tuple(s.metadata["section"].split(" › ")), s.metadata["citation"], s.metadata)
            for s in stored
        ]
        index.store.add(
            [c.id for c in again],
            _embed(settings, again, progress),
            [c.text for c in again],
            [c.metadata for c in again],
        )
