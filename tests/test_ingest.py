"""Incremental ingestion: skip, replace, delete; never duplicates or stale chunks; atomic on failure."""

import random
from pathlib import Path

import pytest

from visitcoach.errors import KnowledgeError
from visitcoach.ingest import ingest
from visitcoach.retrieval.index import KnowledgeIndex

from .conftest import make_settings


def state(settings) -> tuple[set[str], set[str], set[str]]:
    """(manifest chunk ids, vector-store ids, lexical ids) — all three must always agree."""
    index = KnowledgeIndex(settings)
    manifest = set(index.manifest.chunk_ids())
    return manifest, index.store.ids(), set(index._lexical.ids)


def assert_consistent(settings) -> set[str]:
    manifest, store, lexical = state(settings)
    assert manifest == store == lexical
    return manifest


def test_first_ingest_then_unchanged_is_skipped(tmp_path, corpus_copy):
    settings = make_settings(tmp_path / "data", corpus_copy)
    first = ingest(settings)
    assert len(first.added) == 7 and first.chunks_total > 10
    again = ingest(settings)
    assert not again.changed and again.unchanged == 7 and again.chunks_written == 0
    assert again.chunks_total == first.chunks_total
    assert_consistent(settings)


def test_changed_file_replaces_its_chunks(tmp_path, corpus_copy):
    settings = make_settings(tmp_path / "data", corpus_copy)
    ingest(settings)
    path = corpus_copy / "legal" / "us" / "fdcpa-mini.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace("9 p.m.", "9 p.m. (nine in the evening)"), encoding="utf-8"
    )
    report = ingest(settings)
    assert report.updated == ["legal/us/fdcpa-mini.md"] and not report.added
    ids = assert_consistent(settings)
    index = KnowledgeIndex(settings)
    texts = [index.chunk(i).text for i in ids]
    assert sum("nine in the evening" in t for t in texts) == 1
    assert not any("9 p.m. Before" in t for t in texts)  # no stale copy of the old text


def test_deleted_file_removes_its_chunks(tmp_path, corpus_copy):
    settings = make_settings(tmp_path / "data", corpus_copy)
    ingest(settings)
    (corpus_copy / "legal" / "uk" / "conc-mini.md").unlink()
    report = ingest(settings)
    assert report.deleted == ["legal/uk/conc-mini.md"]
    ids = assert_consistent(settings)
    assert not any(i.startswith("fx-uk-conc") for i in ids)


def test_random_edit_sequences_leave_no_duplicates_or_stale_chunks(tmp_path, corpus_copy):
    """Any sequence of add / edit / delete / restore ends equal to a fresh build of the final tree."""
    rng = random.Random(7)
    settings = make_settings(tmp_path / "data", corpus_copy)
    originals = {p: p.read_bytes() for p in corpus_copy.rglob("*.md")}
    ingest(settings)
    for step in range(6):
        path = rng.choice(sorted(originals))
        action = rng.choice(["edit", "delete", "restore", "add"])
        if action == "edit" and path.exists():
            path.write_text(path.read_text(encoding="utf-8") + f"\n\nAppended paragraph {step}.\n", encoding="utf-8")
        elif action == "delete" and path.exists():
            path.unlink()
        elif action == "restore":
            path.write_bytes(originals[path])
        else:
            (corpus_copy / f"policy/extra-{step}.md").write_text(
                f"---\nid: extra-{step}\ntitle: Extra {step}\ndoc_type: policy\njurisdiction: ALL\nlang: en\n---\nNote {step}.\n",
                encoding="utf-8",
            )
        ingest(settings)
        assert_consistent(settings)
    incremental = KnowledgeIndex(settings)
    fresh_settings = make_settings(tmp_path / "fresh", corpus_copy)
    ingest(fresh_settings)
    fresh = KnowledgeIndex(fresh_settings)
    assert sorted(incremental.manifest.chunk_ids()) == sorted(fresh.manifest.chunk_ids())
    assert {c.id: c.text for c in incremental.manifest.chunks()} == {c.id: c.text for c in fresh.manifest.chunks()}


def test_a_broken_file_aborts_and_writes_nothing(tmp_path, corpus_copy):
    settings = make_settings(tmp_path / "data", corpus_copy)
    ingest(settings)
    before = assert_consistent(settings)
    good = corpus_copy / "legal" / "us" / "fdcpa-mini.md"
    good.write_text(good.read_text(encoding="utf-8") + "\nA new paragraph.\n", encoding="utf-8")
    (corpus_copy / "policy" / "broken.md").write_text("---\nid: broken\ntitle: [oops\n---\ntext\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"broken\.md:3: broken front matter") as info:
        ingest(settings)
    assert "\n" not in str(info.value)
    assert assert_consistent(settings) == before  # the good edit was not half-applied either
    (corpus_copy / "policy" / "broken.md").unlink()
    assert ingest(settings).updated == ["legal/us/fdcpa-mini.md"]


def test_several_broken_files_are_counted_in_one_line(tmp_path, corpus_copy):
    settings = make_settings(tmp_path / "data", corpus_copy)
    (corpus_copy / "policy" / "a.md").write_bytes(b"---\nid: a\n---\n\xff\xfe")
    (corpus_copy / "policy" / "b.md").write_text("---\nid: b\nbogus: 1\n---\ntext", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"and 1 more file error"):
        ingest(settings)
    assert KnowledgeIndex(settings).manifest.count() == 0


def test_duplicate_document_ids_are_rejected(tmp_path, corpus_copy):
    settings = make_settings(tmp_path / "data", corpus_copy)
    src = corpus_copy / "legal" / "us" / "fdcpa-mini.md"
    (corpus_copy / "legal" / "us" / "copy.md").write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"duplicate id 'fx-us-fdcpa'"):
        ingest(settings)


def test_interrupted_write_is_reconciled_on_the_next_run(tmp_path, corpus_copy, monkeypatch):
    """A crash after the vector-store write but before the manifest commit must not leave orphans."""
    settings = make_settings(tmp_path / "data", corpus_copy)
    ingest(settings)
    path = corpus_copy / "policy" / "visit-policy.en.md"
    path.write_text(path.read_text(encoding="utf-8").replace("## §5 Staffing", "## §6 Staffing"), encoding="utf-8")

    from visitcoach.retrieval import manifest as manifest_module

    def crash(*args, **kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(manifest_module.Manifest, "replace_file", staticmethod(crash))
    with pytest.raises(RuntimeError):
        ingest(settings)
    monkeypatch.undo()
    manifest, store, _ = state(settings)
    assert store != manifest  # the crash did leave the store ahead of the manifest
    ingest(settings)
    assert_consistent(settings)


def test_rebuild_and_settings_change_rebuild_the_index(tmp_path, corpus_copy):
    settings = make_settings(tmp_path / "data", corpus_copy)
    first = ingest(settings)
    assert ingest(settings, rebuild=True).rebuilt
    smaller = make_settings(tmp_path / "data", corpus_copy, chunk_tokens=64)
    report = ingest(smaller)
    assert report.rebuilt and report.chunks_total > first.chunks_total
    assert_consistent(smaller)


def test_empty_knowledge_dir_gives_an_empty_index(tmp_path):
    empty = tmp_path / "k"
    empty.mkdir()
    settings = make_settings(tmp_path / "data", empty)
    assert ingest(settings).chunks_total == 0
    assert len(KnowledgeIndex(settings)) == 0


def test_fixture_paths_are_relative(tmp_path, corpus_copy):
    settings = make_settings(tmp_path / "data", corpus_copy)
    ingest(settings)
    sources = {c.metadata["source"] for c in KnowledgeIndex(settings).manifest.chunks()}
    assert all(not Path(s).is_absolute() for s in sources)
