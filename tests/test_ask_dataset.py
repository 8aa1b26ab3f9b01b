"""The `ask` evaluation set (evals/datasets/ask.jsonl): schema, balance, and references that resolve.

Every expected citation and document id must name something the shipped pack really indexes:
policy and legal chunks come from the ingested pack (`pack_index_dir`); that fixture leaves the
case files out, so case chunks are produced by the same loader and chunker that `ingest` uses.
Several expected citations or documents are alternatives (the zh and en versions of a policy, a
statute and the policy section applying it): a good answer cites at least one of them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field, model_validator

from visitcoach.corpus.chunking import chunk_document
from visitcoach.corpus.loader import load_document
from visitcoach.evals.datasets import read_jsonl
from visitcoach.retrieval.index import KnowledgeIndex

from .conftest import ROOT, SHIPPED, make_settings

DATASET = ROOT / "evals" / "datasets" / "ask.jsonl"
#: A key fact is a short phrase a good answer contains ("22:00", "两名", "CONC 7.9.14 R"), not a paraphrase.
MAX_FACT_CHARS = 40


class AskCase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^ask-[a-z]+-\d{2,3}$")
    lang: Literal["zh", "en"]
    jurisdiction: Literal["CN", "US", "UK"] | None
    question: str = Field(min_length=3)
    answerable: bool
    key_facts: list[str] = Field(max_length=4)
    expected_citations: list[str]
    expected_doc_ids: list[str]
    tags: list[str] = Field(min_length=1)
    forbidden_facts: list[str] = Field(default_factory=list, max_length=4)
    split: Literal["dev", "test"]
    selected_jurisdiction: Literal["CN", "US", "UK"] | None = None
    follow_up_of: str | None = None

    @model_validator(mode="after")
    def _answerable_rows_have_gold(self) -> AskCase:
        gold = (self.key_facts, self.expected_citations, self.expected_doc_ids)
        if self.answerable and not all(gold):
            raise ValueError("an answerable row needs key_facts, expected_citations and expected_doc_ids")
        if not self.answerable and (any(gold) or "unanswerable" not in self.tags):
            raise ValueError(
                "an unanswerable row has no key facts, citations or documents and is tagged 'unanswerable'"
            )
        if any(not f.strip() or len(f) > MAX_FACT_CHARS for f in self.key_facts):
            raise ValueError(f"each key fact is a non-empty phrase of at most {MAX_FACT_CHARS} characters")
        return self


ROWS = [row for _, row in read_jsonl(DATASET, AskCase)]


def test_the_set_is_large_balanced_and_covers_every_jurisdiction():
    assert len(ROWS) >= 60
    zh = sum(r.lang == "zh" for r in ROWS)
    assert abs(zh - (len(ROWS) - zh)) <= len(ROWS) // 10, f"zh {zh} of {len(ROWS)}"
    answerable = [r for r in ROWS if r.answerable]
    assert {r.jurisdiction for r in answerable} == {"CN", "US", "UK", None}
    for jurisdiction in ("CN", "US", "UK"):
        langs = {r.lang for r in answerable if r.jurisdiction == jurisdiction}
        assert langs == {"zh", "en"}, f"{jurisdiction} questions in {langs} only"
    assert sum(not r.answerable for r in ROWS) >= 10
    assert sum("case" in r.tags for r in answerable) >= 6
    assert sum("provision" in r.tags for r in answerable) >= 10
    assert len({r.question for r in ROWS if not r.follow_up_of}) == len([r for r in ROWS if not r.follow_up_of]), "a question appears twice"
    assert len(ROWS) >= 180 and sum(not r.answerable for r in ROWS) >= 20


def test_the_test_split_is_held_out_and_balanced():
    """A dev split to tune on, a test split only measured (benchmarks/ask_dataset.py assigns them)."""
    test = [r for r in ROWS if r.split == "test"]
    assert len(test) >= 90
    assert {r.lang for r in test} == {"zh", "en"} and {r.jurisdiction for r in test if r.answerable} == {"CN", "US", "UK", None}
    assert sum(not r.answerable for r in test) >= 5
    by_id = {r.id: r for r in ROWS}
    for r in ROWS:
        if r.follow_up_of:
            assert by_id[r.follow_up_of].split == r.split, f"{r.id} and the row it follows are in different splits"


@pytest.fixture(scope="module")
def pack_references(pack_index_dir: Path) -> dict[str, set[str]]:
    """doc id -> the citations of its chunks, for everything the shipped pack indexes."""
    settings = make_settings(pack_index_dir, SHIPPED)
    refs: dict[str, set[str]] = {}
    index = KnowledgeIndex(settings)
    try:
        for chunk in index.manifest.chunks():
            refs.setdefault(chunk.doc_id, set()).add(chunk.metadata["citation"])
    finally:
        index.manifest.close()
    assert not any(doc.startswith(("CN-", "US-", "UK-")) for doc in refs), "the fixture now indexes cases"
    for path in sorted((SHIPPED / "cases").glob("*.yaml")):
        doc = load_document(path, SHIPPED)
        for chunk in chunk_document(doc, settings.chunk_tokens, path.relative_to(SHIPPED).as_posix()):
            refs.setdefault(chunk.doc_id, set()).add(chunk.citation)
    return refs


@pytest.mark.parametrize("row", [r for r in ROWS if r.answerable], ids=lambda r: r.id)
def test_expected_citations_and_documents_exist_in_the_pack(pack_references, row):
    missing_docs = [d for d in row.expected_doc_ids if d not in pack_references]
    assert not missing_docs, f"{row.id}: no document {missing_docs} in the pack"
    cited = set().union(*(pack_references[d] for d in row.expected_doc_ids))
    missing = [c for c in row.expected_citations if c not in cited]
    assert not missing, f"{row.id}: no chunk of {row.expected_doc_ids} carries the citation {missing}"
    uncited = [d for d in row.expected_doc_ids if not pack_references[d] & set(row.expected_citations)]
    assert not uncited, f"{row.id}: {uncited} carry none of the expected citations"
