"""`qa.meaning`: sentence vectors for ranking sections, embedded once and kept next to the index."""

from __future__ import annotations

from visitcoach.qa import meaning
from visitcoach.qa.sections import SectionIndex
from visitcoach.retrieval.vectors import PassageVectors


def test_sentences_the_model_embeds_are_saved_and_looked_up_by_the_next_process(index):
    """The fixture corpus ships no vectors: its sentences are embedded at the first build, saved in
    the index directory, and a later build (process cache cleared) embeds none of them again."""
    saved = index.settings.index_dir / meaning.SAVED
    saved.unlink(missing_ok=True)
    meaning._cache.clear()
    first = meaning.meaning_for(SectionIndex(index))
    assert first is not None and len(first.matrix) > 20
    table = PassageVectors.load(saved)
    assert table is not None and len(table) == len(set(first_texts(index)))
    assert table.lookup(index.embedder.name, first_texts(index)[:1])  # keyed by model and exact text

    meaning._cache.clear()
    before = index.embedder.embedded
    again = meaning.meaning_for(SectionIndex(index))
    assert index.embedder.embedded == before  # looked up, not embedded
    assert (again.matrix == first.matrix).all()


def first_texts(index) -> list[str]:
    sections = SectionIndex(index)
    return [
        t for s in sections.sections.values() if s.doc_type not in ("persona", "exercise")
        for c in s.chunks for t in meaning.sentence_texts(c.text)
    ]


def test_ingest_embeds_the_sentences_so_the_first_question_does_not(tmp_path):
    """The fixture corpus ships no sentence vectors: ingest embeds and saves them, and the engine's
    first question then embeds none."""
    from visitcoach.ask import Engine, ask
    from visitcoach.ingest import ingest
    from visitcoach.retrieval.index import KnowledgeIndex

    from .conftest import FIXTURE_CORPUS, make_settings

    settings = make_settings(tmp_path / "data", FIXTURE_CORPUS)
    meaning._cache.clear()
    ingest(settings)
    assert (settings.index_dir / meaning.SAVED).exists()
    meaning._cache.clear()
    index = KnowledgeIndex(settings)
    before = index.embedder.embedded
    ask(index, "When are visits allowed in the US?")
    assert Engine.of(index).meaning is not None and index.embedder.embedded == before


def test_a_sentence_put_in_the_questions_own_words_is_closest(index):
    """`SentenceMeaning.sentences`: the composer's per-sentence signal. A sentence that is the
    question in other words scores above an unrelated one; a text the table lacks scores 0."""
    table = meaning.meaning_for(SectionIndex(index))
    texts = first_texts(index)
    target = texts[len(texts) // 2]
    closeness = table.sentences(index.embedder.embed_query(target))
    others = [closeness.of(t) for t in texts if t != target]
    assert closeness.of(target) == 1.0 and closeness.of(target) > sorted(others)[len(others) // 2]
    assert closeness.of("not a sentence of this pack at all") == 0.0
