"""`visitcoach ask`: a cited answer from the knowledge index.

Offline, the answer is extractive: the sentences of the top chunks that best match the
question (idf-weighted word overlap, in the question's language where the corpus has it), each
tied to its chunk's citation. With an LLM, the same retrieved chunks go into `prompts/ask.*`;
every `[n]` marker in the reply must point at a retrieved chunk, others are dropped.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from visitcoach.config import Settings
from visitcoach.errors import BackendError, ConfigError
from visitcoach.retrieval.index import Filters, Hit, KnowledgeIndex, SearchResult
from visitcoach.text import detect_lang, readable_sentences, tokenize

log = logging.getLogger(__name__)

Lang = Literal["zh", "en"]
MAX_SENTENCES = 4
_MARKER = re.compile(r"\[(\d{1,3})\]")

NOT_COVERED = {
    "en": "The knowledge base (internal policy, case files and legal guidance for China, the US and the UK) "
    "does not cover this question, so I will not guess. Ask a compliance officer, or add the relevant policy "
    "or legal guidance to the knowledge pack.",
    "zh": "知识库（内部制度、案例以及中国、美国、英国的法律指引）中没有涵盖这个问题的内容，为避免误导，不作推测。"
    "请咨询合规人员，或将相关制度、法规指引加入知识库。",
}


@dataclass
class Citation:
    chunk_id: str
    doc_id: str
    title: str
    section: str
    citation: str
    source: str
    score: float
    text: str = field(repr=False, default="")

    def as_dict(self, with_text: bool = False) -> dict[str, Any]:
        row: dict[str, Any] = {
            "chunk_id": self.chunk_id,
            "doc_id": self.doc_id,
            "title": self.title,
            "section": self.section,
            "citation": self.citation,
            "source": self.source,
            "score": self.score,
        }
        if with_text:
            row["text"] = self.text
        return row

    @classmethod
    def of(cls, hit: Hit) -> Citation:
        m = hit.metadata
        return cls(
            hit.chunk_id, hit.doc_id, hit.title, hit.section, hit.citation, m.get("source", ""), hit.score, hit.text
        )


@dataclass
class Answer:
    answer: str
    citations: list[Citation]
    mode: Literal["offline", "llm"]
    covered: bool
    lang: Lang
    notice: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "answer": self.answer,
            "citations": [c.as_dict() for c in self.citations],
            "mode": self.mode,
            "covered": self.covered,
            "lang": self.lang,
        }
        if self.notice:
            out["notice"] = self.notice
        return out


def question_lang(question: str, lang: str | None = None) -> Lang:
    if lang in ("zh", "en"):
        return lang  # type: ignore[return-value]
    return "zh" if detect_lang(question) == "zh" else "en"


def ask(
    index: KnowledgeIndex,
    question: str,
    *,
    jurisdiction: str | None = None,
    lang: str | None = None,
    settings: Settings | None = None,
) -> Answer:
    settings = settings or index.settings
    question = question.strip()
    qlang = question_lang(question, lang)
    if not question:
        return Answer(NOT_COVERED[qlang], [], "offline", False, qlang)
    result = index.search(question, settings.top_k, Filters(jurisdiction=jurisdiction))
    if not result.covered(settings.min_relevance):
        log.info("ask: not covered (best dense %.3f, coverage %.2f)", result.best_dense, result.coverage)
        return Answer(NOT_COVERED[qlang], [], "offline" if settings.llm == "offline" else "llm", False, qlang)
    if settings.llm == "openai":
        from visitcoach.llm.ask import llm_answer

        try:
            return llm_answer(settings, question, qlang, result)
        except (BackendError, ConfigError) as exc:
            log.warning("ask: model failed, answering offline: %s", exc)
            answer = extractive_answer(index, question, qlang, result)
            answer.notice = f"the model was not used ({exc}); this is the offline answer"
            return answer
    return extractive_answer(index, question, qlang, result)


_RECORD_FIELD = re.compile(r"(?:^|\s)[a-z_]+: ")


def extractive_answer(index: KnowledgeIndex, question: str, qlang: Lang, result: SearchResult) -> Answer:
    hits = result.hits
    same_lang = [h for h in hits if h.lang == qlang]
    # Answer in the question's language where the top results have it; else from whatever matched.
    pool = same_lang if same_lang and hits.index(same_lang[0]) < 3 else hits
    wanted = set(tokenize(question, bigrams=False))
    weight = sum(index.idf(t) for t in wanted) or 1.0
    scored: list[tuple[float, int, int, str]] = []  # (score, hit rank, position, sentence)
    for rank, hit in enumerate(pool):
        for pos, sentence in enumerate(readable_sentences(hit.text)):
            if len(sentence) < 8 or sentence.startswith("#") or len(_RECORD_FIELD.findall(sentence)) >= 2:
                continue  # headings and raw record fields ("name: … phone: …") are not answers
            overlap = sum(index.idf(t) for t in wanted & set(tokenize(sentence, bigrams=False))) / weight
            scored.append((overlap + 0.25 / (rank + 1) + 0.02 / (pos + 1), rank, pos, sentence))
    scored.sort(key=lambda s: -s[0])
    chosen: list[tuple[int, int, str]] = []
    per_hit: dict[int, int] = {}
    for _, rank, pos, sentence in scored:
        if per_hit.get(rank, 0) >= 2 or any(sentence == c[2] for c in chosen):
            continue
        chosen.append((rank, pos, sentence))
        per_hit[rank] = per_hit.get(rank, 0) + 1
        if len(chosen) >= MAX_SENTENCES:
            break
    chosen.sort()
    numbers: dict[int, int] = {}
    parts: list[str] = []
    for rank, _, sentence in chosen:
        first = rank not in numbers
        n = numbers.setdefault(rank, len(numbers) + 1)
        if first and pool[rank].metadata.get("doc_type") == "case" and pool[rank].citation:
            sentence = f"{pool[rank].citation}{'：' if qlang == 'zh' else ': '}{sentence}"  # which case it is
        parts.append(f"{sentence}[{n}]" if qlang == "zh" else f"{sentence} [{n}]")
    joiner = "" if qlang == "zh" else " "
    citations = [Citation.of(pool[rank]) for rank in sorted(numbers, key=numbers.get)]
    return Answer(joiner.join(parts), citations, "offline", True, qlang)


def keep_valid_citations(text: str, hits: list[Hit]) -> tuple[str, list[Citation]]:
    """Drop `[n]` markers that do not point at a retrieved chunk; renumber the rest in order of use."""
    renumber: dict[int, int] = {}

    def repl(match: re.Match[str]) -> str:
        n = int(match.group(1))
        if not 1 <= n <= len(hits):
            log.info("dropped citation [%d]: only %d chunks were retrieved", n, len(hits))
            return ""
        return f"[{renumber.setdefault(n, len(renumber) + 1)}]"

    cleaned = _MARKER.sub(repl, text)
    cleaned = re.sub(r"[ \t]+([。.,，;；])", r"\1", cleaned).strip()
    citations = [Citation.of(hits[n - 1]) for n in sorted(renumber, key=renumber.get)]
    return cleaned, citations
