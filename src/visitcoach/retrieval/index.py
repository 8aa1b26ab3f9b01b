"""The knowledge index: manifest + vector store + lexical index, and hybrid search over them."""

from __future__ import annotations

import logging
import re
import shutil
import threading
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

import numpy as np

from visitcoach.config import Settings
from visitcoach.retrieval.embeddings import get_embeddings
from visitcoach.retrieval.glossary import Glossary, load_glossary
from visitcoach.retrieval.jurisdiction import infer_jurisdiction, names_elsewhere, without_place
from visitcoach.retrieval.lexical import LexicalIndex
from visitcoach.retrieval.manifest import Manifest, StoredChunk
from visitcoach.retrieval.store import ChromaStore
from visitcoach.text import tokenize

log = logging.getLogger(__name__)

Method = Literal["hybrid", "dense", "lexical"]
RRF_K = 60
MIN_COVERAGE = 0.2
#: Without a glossary term, a query counts as on-topic only if this share of its words is in the hits.
DOMAIN_COVERAGE = 0.5
#: Fusion weights: a chunk whose citation names the provision the query names outranks mere similarity.
WEIGHTS = {"dense": 1.0, "lexical": 1.0, "translated": 0.5, "translated_dense": 0.5, "citation": 2.0}
#: At most this many chunks of one document in a result list, so one long document cannot fill it.
PER_DOC = 2
#: Up to this many chunks, dense search is exact: one matrix product over the vectors, read from the
#: store once (1.5 MB per 1,000 chunks), deterministic and faster than the store's HNSW query at this
#: size. Above it, the store's approximate search is used.
EXACT_DENSE_MAX = 200_000
EXCLUDED_BY_DEFAULT = ("persona", "exercise")
#: Score factor for chunks of another jurisdiction when the question names one (a soft filter).
OTHER_JURISDICTION = 0.5
CHINESE_DEFAULT = 0.75
_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
#: Dense similarity that counts as covered on its own (paraphrases sharing no words).
STRONG_DENSE = 0.88
#: Tokens that look like a legal or policy reference: "1692c", "7.9.14", "1006.18", "§4.2", 第…条.
_REFERENCE = re.compile(
    r"\d+[a-z]?(?:\.\d+)*(?:\([0-9a-z]{1,4}\))+|\d+[a-z]\b|\d+\.\d+(?:\.\d+)*[a-z]?|第[一二三四五六七八九十百千零]+条(?:之[一二三四五六七八九十])?"
)
#: A reference specific enough to be a provision number ("1692i", "1692c(b)", "7.9.14", "第二百六十六条"),
#: not a plain figure ("3.5", "2022"): if the pack has no such provision, it does not cover the question.
_PROVISION_LIKE = re.compile(r"\d{3,}[a-z]|\(|第|\d+\.\d+\.\d+")
_SECTION_OF_ACT = re.compile(r"\b(?:section|s\.)\s*(\d+[A-Z]?)\s+of\s+the\s+([A-Z][\w ]+?Act)", re.IGNORECASE)
#: A section of an act named by its usual abbreviation ("CCA s.87", "AJA 1970 s.40").
_ABBREVIATED_ACT = re.compile(r"\b(CCA|AJA)\s*(?:19\d\d\s*)?(?:s\.|section)\s*(\d+[A-Z]?)\b", re.IGNORECASE)
_ACT_NAMES = {"cca": "Consumer Credit Act", "aja": "Administration of Justice Act"}
#: A law named by its title: 《消费者权益保护法》, "民事诉讼法里", "the Telephone Consumer Protection Act", "TCPA".
_ZH_LAW = re.compile(r"《([^》]{2,30})》|([\u4e00-\u9fff]{2,12}(?:保护法|诉讼法|管理法|监督法|安全法|合同法|担保法|破产法|处罚法|条例|公约))")
_EN_ACT = re.compile(r"\b((?:[A-Z][a-z]+ ){1,5}Act)\b")
#: Capitalised words before a title that are not part of it ("What Act …", "Under the Fair … Act").
_LEADING_PLAIN = re.compile(r"^(?:(?:The|What|Which|Does|Do|Is|Are|Can|Could|Under|Per|Any|This|That|Our|Their|Is there an?) )+")
_EN_LAW_ABBREVIATION = re.compile(r"\b(TCPA|FCRA|GDPR|HIPAA|ECOA|TILA|RESPA|CCPA|SCRA|GLBA|UTCCR|CPUTR)\b")
#: The shortest tail of a Chinese law title that still names it ("按照个人信息保护法" names 个人信息保护法).
_ZH_LAW_TAIL = 4
#: A Regulation F / CFR section written as a bare decimal ("Reg F 1006.42", "12 CFR 1006.42").
_CFR_SECTION = re.compile(r"(?:\bCFR|\bReg(?:ulation)?\.?\s*F)\s*(?:§\s*)?(\d{3,4}\.\d+[a-z]?)\b", re.IGNORECASE)
_CITATION_LIKE = re.compile(r"\d+[a-z]|\d+\.\d+|§\s?\d|第[一二三四五六七八九十百千零\d]+条")


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its scores. `score` is the fused score in [0, 1] (1 = top of both lists)."""

    chunk_id: str
    doc_id: str
    text: str
    metadata: dict[str, Any]
    score: float
    dense: float | None
    lexical: float | None

    @property
    def citation(self) -> str:
        return self.metadata.get("citation", "")

    @property
    def title(self) -> str:
        return self.metadata.get("title", "")

    @property
    def section(self) -> str:
        return self.metadata.get("section", "")

    @property
    def lang(self) -> str:
        return self.metadata.get("lang", "")


@dataclass(frozen=True)
class SearchResult:
    hits: list[Hit]
    best_dense: float
    exact_match: bool  # a citation-like query token was found verbatim in a top lexical hit
    coverage: float  # idf-weighted share of the query's tokens found in the hits
    in_domain: bool = True  # the query uses collection vocabulary (glossary) or shares most words with the hits
    elsewhere: bool = False  # the query is about a jurisdiction the pack does not cover
    unknown_provision: str | None = None  # a provision the query names that no chunk carries
    query_vector: Any = None  # the query's embedding (numpy array) when dense search ran, for ranking sections by meaning

    def covered(self, min_relevance: float, min_coverage: float = MIN_COVERAGE) -> bool:
        """Whether the hits plausibly answer the query (else `ask` says the knowledge base does not cover it).

        Dense similarity alone is a weak signal with e5 (unrelated text often scores 0.75-0.85), so
        a covered query must also be about collections (a glossary term, or most of its words found
        in the hits) and share vocabulary with what was found, unless it names a citation that was
        found verbatim. Questions about other countries are not answered from CN/US/UK material, nor
        questions about a provision ("15 U.S.C. 1692i", "刑法第二百六十六条") that no document carries.
        """
        if not self.hits or self.elsewhere or self.unknown_provision:
            return False
        if self.exact_match:
            return True
        if not self.in_domain:
            return False
        if self.best_dense >= max(STRONG_DENSE, min_relevance):
            return True
        return self.best_dense >= min_relevance and self.coverage >= min_coverage


@dataclass(frozen=True)
class Filters:
    """Metadata filters. A jurisdiction also admits group-wide (ALL) documents.

    Without a `doc_type`, personas are left out: their reply banks are rehearsal scripts, not
    guidance, and their conversational text would otherwise crowd answers about real rules.
    """

    jurisdiction: str | None = None
    doc_type: str | None = None
    lang: str | None = None

    def matches(self, meta: dict[str, Any]) -> bool:
        if self.jurisdiction and meta.get("jurisdiction") not in (self.jurisdiction, "ALL"):
            return False
        if self.doc_type and meta.get("doc_type") != self.doc_type:
            return False
        if not self.doc_type and meta.get("doc_type") in EXCLUDED_BY_DEFAULT:
            return False
        return not (self.lang and meta.get("lang") != self.lang)

    def where(self) -> dict[str, Any] | None:
        clauses: list[dict[str, Any]] = []
        if self.jurisdiction:
            clauses.append({"jurisdiction": {"$in": [self.jurisdiction, "ALL"]}})
        if self.doc_type:
            clauses.append({"doc_type": self.doc_type})
        else:
            clauses.append({"doc_type": {"$nin": list(EXCLUDED_BY_DEFAULT)}})
        if self.lang:
            clauses.append({"lang": self.lang})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}


class KnowledgeIndex:
    """Opened once per process and shared; loads its parts lazily (no I/O in the constructor but SQLite)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.dir = settings.index_dir
        self.manifest = Manifest(self.dir / "manifest.sqlite")
        self._lock = threading.Lock()

    @cached_property
    def store(self) -> ChromaStore:
        return ChromaStore(self.dir / "chroma", self.settings.chroma_url)

    @cached_property
    def embedder(self):  # noqa: ANN201 - E5Embeddings | OpenAIEmbeddingsAdapter
        return get_embeddings(self.settings)

    @cached_property
    def glossary(self) -> Glossary:
        return load_glossary(self.settings.knowledge_dir)

    @cached_property
    def _chunks(self) -> dict[str, StoredChunk]:
        return {c.id: c for c in self.manifest.chunks()}

    @cached_property
    def _lexical(self) -> LexicalIndex:
        lexical = LexicalIndex.load(self.dir / "bm25")
        if set(lexical.ids) != set(self._chunks):  # stale, or built by another tokeniser version
            log.info("lexical index out of date; rebuilding")
            lexical = self.rebuild_lexical()
        return lexical

    @cached_property
    def _squashed(self) -> dict[str, str]:
        """Chunk texts lower-cased without spaces, for provision mentions ("conc7.10.1r")."""
        return {cid: c.text.lower().replace(" ", "") for cid, c in self._chunks.items()}

    @cached_property
    def _lexical_meta(self) -> list[dict[str, Any]]:
        return [self._chunks[i].metadata for i in self._lexical.ids]

    @cached_property
    def _dense(self) -> tuple[np.ndarray, np.ndarray] | None:
        """The stored vectors, unit length, one row per chunk in the lexical index's order, and which rows
        the store has (a chunk it lacks is a zero row), so dense search is one exact matrix product under
        the same filter mask as BM25; None above `EXACT_DENSE_MAX` chunks, where the store's approximate
        search is used."""
        if self.store.count() > EXACT_DENSE_MAX:
            return None
        ids, vectors = self.store.vectors()
        if not len(ids):
            return None
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        vectors = vectors / np.where(norms > 0, norms, 1.0)
        row = {cid: i for i, cid in enumerate(ids)}
        out = np.zeros((len(self._lexical.ids), vectors.shape[1]), dtype=np.float32)
        present = np.zeros(len(self._lexical.ids), dtype=bool)
        for i, cid in enumerate(self._lexical.ids):
            if cid in row:
                out[i], present[i] = vectors[row[cid]], True
        return out, present

    def _dense_top(self, vector: np.ndarray, depth: int, filters: Filters) -> list[tuple[str, float]]:
        """The `depth` chunks most similar (cosine) to `vector` among those `filters` admit, best first."""
        dense = self._dense
        if dense is None:
            return [(h.id, h.similarity) for h in self.store.query(vector, depth, filters.where()) if h.id in self._chunks]
        matrix, present = dense
        norm = float(np.linalg.norm(vector)) or 1.0
        sims = matrix @ (np.asarray(vector, dtype=np.float32) / norm)
        allowed = np.flatnonzero(self._mask(filters) & present)
        top = allowed[np.argsort(-sims[allowed], kind="stable")[:depth]]
        ids = self._lexical.ids
        return [(ids[i], float(sims[i])) for i in top]

    def rebuild_lexical(self) -> LexicalIndex:
        """Rebuild BM25 from the manifest and swap it in atomically on disk."""
        chunks = self.manifest.chunks()
        lexical = LexicalIndex.build(
            [c.id for c in chunks], [f"{c.metadata.get('section', '')}\n{c.text}" for c in chunks]
        )
        target = self.dir / "bm25"
        tmp = self.dir / "bm25.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        lexical.save(tmp)
        shutil.rmtree(target, ignore_errors=True)
        tmp.rename(target)
        for name in ("_chunks", "_lexical", "_lexical_meta", "_masks", "_squashed", "_all_text", "_dense"):
            self.__dict__.pop(name, None)
        return lexical

    def idf(self, token: str) -> float:
        return self._lexical.idf(token)

    def document_frequency(self, token: str) -> int:
        """In how many chunks a lexical token occurs (0: the pack never uses the word)."""
        return int(self._lexical.df.get(token, 0))

    def mentions(self, text: str) -> bool:
        """Whether any chunk contains `text` (lower case, spaces ignored) anywhere, even inside a word."""
        return text.lower().replace(" ", "") in self._all_text

    @cached_property
    def _all_text(self) -> str:
        return "\n".join(self._squashed.values())

    def chunk(self, chunk_id: str) -> StoredChunk | None:
        return self._chunks.get(chunk_id)

    def __len__(self) -> int:
        return len(self._chunks)

    def by_citation(self, citation: str, lang: str | None = None) -> StoredChunk | None:
        """The first chunk of the section whose citation is `citation`, in `lang` where the pack has it.

        A policy cited in one language ("Field Visit Policy §4.2") resolves to the same section of its
        other-language version ("外访管理制度 §4.2") when that language is asked for: the two documents
        share an id stem (`policy-field-visit-en` / `-zh`).
        """

        def key(c: StoredChunk) -> tuple[int, str]:
            return (int(c.metadata.get("line") or 0), c.id)

        wanted = citation.lower().replace(" ", "")
        found = sorted(
            (c for c in self._chunks.values() if str(c.metadata.get("citation", "")).lower().replace(" ", "") == wanted),
            key=key,
        )
        if not found:
            return None
        same = [c for c in found if c.metadata.get("doc_lang") == lang]
        if lang is None or same:
            return (same or found)[0]
        number = re.search(r"§\s*[\d.]+", citation)
        if number:
            sibling = found[0].doc_id.rsplit("-", 1)[0] + f"-{lang}"
            section = number.group(0).replace(" ", "")
            for c in sorted(self._chunks.values(), key=key):
                if c.doc_id == sibling and str(c.metadata.get("citation", "")).replace(" ", "").endswith(section):
                    return c
        return found[0]

    def search(
        self, query: str, k: int | None = None, filters: Filters | None = None, method: Method = "hybrid",
        per_doc: int = PER_DOC,
    ) -> SearchResult:
        """The k best chunks for `query`, at most `per_doc` of one document (later ones fill in if too few)."""
        k = k or self.settings.top_k
        filters = filters or Filters()
        depth = max(4 * k, 30)
        # The country a question names is applied from metadata (filter or hint), not matched as a word.
        core = without_place(query) if (filters.jurisdiction or infer_jurisdiction(query)) else query
        with self._lock:  # the lazy loads are not thread-safe: do them once, then search without the lock
            chunks = self._chunks
            if chunks:
                _ = (self._lexical, self._lexical_meta, self._squashed, self.store, self.embedder, self.glossary, self._dense)
                self._mask(filters)
        expansion = self.glossary.expand(query) if chunks else ""
        dense: list[tuple[str, float]] = []
        if method in ("hybrid", "dense") and chunks:
            # both query texts in one pass of the model (about 10 % cheaper than two)
            vectors = self.embedder.embed_queries([core, expansion] if method == "hybrid" and expansion else [core])
            dense = self._dense_top(vectors[0], depth, filters)
        lexical: list[tuple[str, float]] = []
        translated: list[tuple[str, float]] = []
        translated_dense: list[tuple[str, float]] = []
        if method in ("hybrid", "lexical") and chunks:
            lexical = self._lexical_top(core, depth, filters)
            if expansion:  # the other language's glossary terms, ranked on their own
                translated = self._lexical_top(expansion, depth, filters)
        if method == "hybrid" and expansion:
            translated_dense = self._dense_top(vectors[1], depth, filters)  # embedded with the question above
        best_dense = dense[0][1] if dense else 0.0
        cited = self._citation_matches(query, filters) if method == "hybrid" else []
        fused: dict[str, float] = {}
        named = (
            ("dense", dense),
            ("lexical", lexical),
            ("translated", translated),
            ("translated_dense", translated_dense),
            ("citation", cited),
        )
        lists = [(WEIGHTS[name], lst) for name, lst in named if lst]
        for weight, lst in lists:
            for rank, (cid, _) in enumerate(lst):
                fused[cid] = fused.get(cid, 0.0) + weight / (RRF_K + rank + 1)
        top_possible = sum(w for w, _ in lists) / (RRF_K + 1) if lists else 1.0
        hint, factor = (None if filters.jurisdiction else infer_jurisdiction(query)), OTHER_JURISDICTION
        if hint is None and not filters.jurisdiction and _CJK.search(query) and not _LATIN_WORD.search(query):
            # A Chinese question that names no country is, for this product, almost always about China:
            # a milder preference than a named country (US or UK material can still rank first).
            hint, factor = "CN", CHINESE_DEFAULT
        if hint:
            for cid in fused:
                if chunks[cid].metadata.get("jurisdiction") not in (hint, "ALL"):
                    fused[cid] *= factor
        dense_by_id, lexical_by_id = dict(dense), dict(lexical)
        order = _diverse(sorted(fused, key=lambda cid: (-fused[cid], cid)), chunks, k, per_doc)
        hits = [
            Hit(
                cid,
                chunks[cid].doc_id,
                chunks[cid].text,
                chunks[cid].metadata,
                round(fused[cid] / top_possible, 4),
                dense_by_id.get(cid),
                lexical_by_id.get(cid),
            )
            for cid in order
        ]
        exact = _exact_match(query, [chunks[cid] for cid, _ in lexical[:3]])
        coverage = self._coverage(query, hits)
        in_domain = bool(expansion) or coverage >= DOMAIN_COVERAGE
        return SearchResult(
            hits, best_dense, exact, coverage, in_domain, names_elsewhere(query), self._unknown_provision(query),
            vectors[0] if method in ("hybrid", "dense") and chunks else None,
        )

    def _unknown_provision(self, query: str) -> str | None:
        """The first provision the query names that appears in no chunk's citation or text, if any."""
        refs = [r for r in _REFERENCE.findall(query) if _PROVISION_LIKE.search(r)]
        refs += [m.group(1) for m in _CFR_SECTION.finditer(query) if m.group(1) not in refs]
        refs += [f"{m.group(2)} s.{m.group(1)}" for m in _SECTION_OF_ACT.finditer(query)]
        refs += [f"{m.group(1).upper()} s.{m.group(2)}" for m in _ABBREVIATED_ACT.finditer(query)]
        for ref in refs:
            if " s." in ref:  # "Consumer Credit Act s.87": the act and the section must be named together
                act, number = ref.rsplit(" s.", 1)
                keys = {name.lower().replace(" ", "") for name in (act, _ACT_NAMES.get(act.lower(), act))}
                section = re.compile(rf"(?:s\.?|section){re.escape(number.lower())}(?![0-9])")
                found = False
                for cid, c in self._chunks.items():
                    where = f"{c.metadata.get('title', '')}{c.metadata.get('citation', '')}".lower().replace(" ", "") + self._squashed[cid]
                    if any(k in where for k in keys) and section.search(where):
                        found = True
                        break
            else:
                # "第二百九十三条" is not "第二百九十三条之一"; "1006.4" is not "1006.42"
                key = re.compile(re.escape(ref.lower().replace(" ", "")) + r"(?![之0-9])")
                found = any(
                    key.search(str(c.metadata.get("citation", "")).lower().replace(" ", "")) or key.search(self._squashed[cid])
                    for cid, c in self._chunks.items()
                )
            if not found:
                return ref
        return self._unknown_law(query)

    def _unknown_law(self, query: str) -> str | None:
        """The first law the query names by its title that the pack never mentions ("民事诉讼法里怎么
        规定的", "TCPA question: …"): the pack cannot answer from a law it does not carry. A Chinese
        title counts as mentioned when any tail of it is ("按照个人信息保护法": 个人信息保护法)."""
        for m in _ZH_LAW.finditer(query):
            title = (m.group(1) or m.group(2)).strip()
            tails = [title[i:] for i in range(max(1, len(title) - _ZH_LAW_TAIL + 1))] if m.group(2) else [title]
            if not any(self.mentions(t) for t in tails):
                return title
        for m in [*_EN_LAW_ABBREVIATION.finditer(query), *_EN_ACT.finditer(query)]:
            title = _LEADING_PLAIN.sub("", m.group(1))
            if title != "Act" and not self.mentions(title):
                return title
        return None

    def _coverage(self, query: str, hits: list[Hit]) -> float:
        """Idf-weighted share of the query's words found in the hits (or of their translations, if higher)."""
        if not hits:
            return 0.0
        found: set[str] = set()
        for hit in hits:
            found |= set(tokenize(f"{hit.section}\n{hit.text}", bigrams=False))
        best = 0.0
        for text in (query, self.glossary.expand(query)):
            wanted = set(tokenize(text, bigrams=False))
            total = sum(self.idf(t) for t in wanted)
            if total:
                best = max(best, sum(self.idf(t) for t in wanted & found) / total)
        return round(best, 4)

    def _mask(self, filters: Filters) -> np.ndarray:
        """Boolean mask over the lexical index for `filters`, cached per filter combination."""
        cache = self.__dict__.setdefault("_masks", {})
        if filters not in cache:
            meta = self._lexical_meta
            cache[filters] = np.fromiter((filters.matches(m) for m in meta), dtype=bool, count=len(meta))
        return cache[filters]

    def _citation_matches(self, query: str, filters: Filters) -> list[tuple[str, float]]:
        """Chunks whose citation names a provision the query names ("1692c(a)(3)", "CONC 7.9.14"), most specific first.

        A ranked list for fusion: neither embeddings nor BM25 reliably tell 1692c(a)(1) from
        1692c(a)(3), but the chunk's citation field does. Sections whose text applies the provision
        (a policy section that cites it) follow, below every exact citation.
        """
        refs = {r.lower().replace(" ", "") for r in _REFERENCE.findall(query)}
        if not refs:
            return []
        matches: list[tuple[str, float]] = []
        for cid, chunk in self._chunks.items():
            cite = str(chunk.metadata.get("citation", "")).lower().replace(" ", "")
            best = max((len(r) for r in refs if r in cite), default=0)
            if not filters.matches(chunk.metadata):
                continue
            if best:
                # Exact provision beats a longer citation that merely contains it ("1692c" in "1692c(a)(1)").
                exactness = best / max(len(cite), 1)
                matches.append((cid, best + exactness))
            elif any(r in self._squashed[cid] for r in refs):
                matches.append((cid, 0.5))  # a section that applies the provision (a policy citing it)
        matches.sort(key=lambda m: (-m[1], m[0]))
        return matches[:20]

    def _lexical_top(self, query: str, depth: int, filters: Filters) -> list[tuple[str, float]]:
        scores = self._lexical.scores(query)
        if scores.size == 0:
            return []
        scores = np.where(self._mask(filters), scores, 0.0)
        top = np.argsort(-scores, kind="stable")[:depth]
        return [(self._lexical.ids[i], float(scores[i])) for i in top if scores[i] > 0]


def _diverse(ranked: list[str], chunks: dict[str, StoredChunk], k: int, per_doc: int = PER_DOC) -> list[str]:
    """The top k ids with at most `per_doc` per document (later ones fill in if too few documents)."""
    picked: list[str] = []
    taken: dict[str, int] = {}
    overflow: list[str] = []
    for cid in ranked:
        doc = chunks[cid].doc_id
        if taken.get(doc, 0) < per_doc:
            picked.append(cid)
            taken[doc] = taken.get(doc, 0) + 1
        else:
            overflow.append(cid)
        if len(picked) == k:
            return picked
    return picked + overflow[: k - len(picked)]


def _exact_match(query: str, top: list[StoredChunk]) -> bool:
    """True when a citation-like token of the query occurs verbatim in a top lexical hit."""
    q = query.lower()
    refs = [m.group(0) for m in _CITATION_LIKE.finditer(q)]
    if not refs:
        return False
    words = {t for t in tokenize(q) if _CITATION_LIKE.search(t)}
    for chunk in top:
        hay = f"{chunk.metadata.get('citation', '')} {chunk.metadata.get('section', '')} {chunk.text}".lower()
        if any(w in hay for w in words) or any(r in hay for r in refs):
            return True
    return False
