"""`visitcoach ask`: a cited answer to an agent's question.

The steps live in `visitcoach.qa`: understand the question (language, jurisdiction, case, topic
concepts), rank whole sections inside the jurisdiction asked, compute what the deterministic
engines can compute, then compose the answer direct-answer first (offline) or hand the same
understood question, ranked sections and computed facts to the model (`visitcoach.llm.ask`),
whose reply is guarded and falls back to the offline answer.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, ClassVar

from visitcoach.config import Settings
from visitcoach.corpus.cases import case_paths
from visitcoach.corpus.concepts import Vocabulary, load_vocabulary
from visitcoach.errors import BackendError, ConfigError, VisitCoachError
from visitcoach.qa.compose import Composer
from visitcoach.qa.compute import Fact, compute
from visitcoach.qa.conversation import resolve
from visitcoach.qa.meaning import SentenceMeaning, meaning_for
from visitcoach.qa.sections import RankedSection, SectionIndex, rank_sections
from visitcoach.qa.types import Answer, Citation, Lang, keep_valid_citations
from visitcoach.qa.understand import Question, case_flags, question_lang, stated_kinds, understand, with_case_topics
from visitcoach.retrieval.index import KnowledgeIndex
from visitcoach.text import split_sentences, tokenize

log = logging.getLogger(__name__)

__all__ = ["NOT_COVERED", "Answer", "Citation", "Lang", "QuestionError", "ask", "keep_valid_citations", "question_lang"]

#: Longest question accepted (characters); agents' questions are a few lines at most.
MAX_QUESTION = 2000

NOT_COVERED = {
    "en": "The knowledge base (internal policy, case files and legal guidance for China, the US and the UK) "
    "does not cover this question, so I will not guess. Ask a compliance officer, or add the relevant policy "
    "or legal guidance to the knowledge pack.",
    "zh": "知识库（内部制度、案例以及中国、美国、英国的法律指引）中没有涵盖这个问题的内容，为避免误导，不作推测。"
    "请咨询合规人员，或将相关制度、法规指引加入知识库。",
}
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")
_FRENCH = re.compile(
    r"\b(?:le|la|les|des|une|est|pour|peut|puis|je|nous|vous|quand|avec|dans|chez|emprunteur|dette|visiter|heure)\b",
    re.IGNORECASE,
)
_SPANISH_GERMAN = re.compile(r"\b(?:cuando|puedo|deudor|visitar|wann|darf|ich|schuldner|besuchen|der|die|das|und)\b", re.IGNORECASE)


class QuestionError(VisitCoachError):
    """A question the engine refuses to take (empty, too long, binary, another language)."""


def validate_question(question: Any) -> str:
    """The question stripped, or one `QuestionError` saying what is wrong with it."""
    if isinstance(question, bytes):
        try:
            question = question.decode("utf-8")
        except UnicodeDecodeError:
            raise QuestionError("question: not UTF-8 text") from None
    if not isinstance(question, str):
        raise QuestionError(f"question: expected text, got {type(question).__name__}")
    text = question.strip()
    if not text:
        raise QuestionError("question: empty; type a question in Chinese or English / 请输入中文或英文问题")
    if len(text) > MAX_QUESTION:
        raise QuestionError(f"question: {len(text):,} characters is too long (at most {MAX_QUESTION:,}); ask one question at a time")
    controls = sum(1 for ch in text if (ord(ch) < 32 and ch not in "\t\n\r") or ch == "\ufffd")
    if controls:
        raise QuestionError("question: contains binary or control characters; paste plain text")
    if _KANA.search(text) or _HANGUL.search(text):
        raise QuestionError("question: looks like Japanese or Korean; visitcoach answers in Chinese or English / 请用中文或英文提问")
    words = re.findall(r"[A-Za-zÀ-ÿ']+", text)
    if words and not re.search(r"[\u4e00-\u9fff]", text):
        foreign = len(_FRENCH.findall(text)) + len(_SPANISH_GERMAN.findall(text)) + len(re.findall(r"[À-ÿ]", text))
        english = len(re.findall(r"\b(?:the|is|can|i|a|to|of|my|he|she|what|how|when|do|may|in|and)\b", text, re.IGNORECASE))
        if foreign >= 2 and foreign > english:
            raise QuestionError("question: looks like French, Spanish or German; visitcoach answers in Chinese or English")
    return text


class Engine:
    """What answering needs, built once per knowledge index: the vocabulary, sections and composer."""

    _lock = threading.Lock()
    _cache: ClassVar[dict[tuple[int, str], Engine]] = {}

    def __init__(self, index: KnowledgeIndex, vocabulary: Vocabulary) -> None:
        self.index = index
        self.vocabulary = vocabulary
        self.sections = SectionIndex(index)
        self.composer = Composer(index, self.sections)
        self._meaning: SentenceMeaning | None = None
        self._meaning_built = False
        self._meaning_lock = threading.Lock()

    @property
    def meaning(self) -> SentenceMeaning | None:
        """The sentence vectors of the sections (`qa.meaning`), built at the first question."""
        with self._meaning_lock:
            if not self._meaning_built:
                self._meaning = meaning_for(self.sections)
                self._meaning_built = True
        return self._meaning

    @classmethod
    def of(cls, index: KnowledgeIndex) -> Engine:
        vocabulary = load_vocabulary(Path(index.settings.knowledge_dir))
        with index._lock:
            chunks = index._chunks
        key = (id(chunks), str(vocabulary.path))
        with cls._lock:
            engine = cls._cache.get(key)
            if engine is None or engine.vocabulary is not vocabulary:
                engine = cls(index, vocabulary)
                cls._cache = {k: v for k, v in cls._cache.items() if v.index is not index}
                cls._cache[key] = engine
            return engine


def ask(
    index: KnowledgeIndex,
    question: str,
    *,
    jurisdiction: str | None = None,
    lang: str | None = None,
    settings: Settings | None = None,
    history: Sequence[dict[str, str]] | None = None,
    on_token: Callable[[str], None] | None = None,
) -> Answer:
    """Answer one question (a follow-up when `history` holds earlier turns); raises `QuestionError` on bad input.

    With a model, `on_token` receives the reply as it streams (the returned answer is the final word:
    a rejected reply is replaced by the offline answer). Offline answers are whole at once."""
    settings = settings or index.settings
    text = validate_question(question)
    engine = Engine.of(index)
    q = understand(text, engine.vocabulary, jurisdiction=jurisdiction, lang=lang)
    q = resolve(q, history, engine.vocabulary)
    if q.case_id:
        fields = {s.heading.rsplit("›", 1)[-1].strip(): s.text for s in engine.sections.of_document(q.case_id)}
        q = with_case_topics(q, case_flags(fields), engine.vocabulary)
    mode = "offline" if settings.llm == "offline" else "llm"
    if q.elsewhere:
        log.info("ask: about a jurisdiction the pack does not carry")
        return _not_covered(q, mode)
    if q.case_id and not engine.sections.of_document(q.case_id) and q.case_id not in case_paths(Path(settings.knowledge_dir)):
        log.info("ask: names a case the pack does not hold")
        return _not_covered(q, mode)
    ranked, result = rank_sections(engine.sections, q, meaning=engine.meaning)
    if engine.meaning is not None and result.query_vector is not None:
        q = q.with_(closeness=engine.meaning.sentences(result.query_vector))
    facts = compute(q, settings)
    understood = {**q.as_dict(), "ranked": [{"citation": r.citation, "doc_id": r.section.doc_id} for r in ranked], "retrieved": [c.id for r in ranked for c in r.section.chunks]}
    if not _covered(index, q, ranked, result, facts, settings, engine.vocabulary, engine.sections):
        log.info("ask: not covered (best dense %.3f)", result.best_dense)
        return _not_covered(q, mode, understood)
    offline = _offline(engine, q, ranked, facts, understood)
    if settings.llm == "openai":
        from visitcoach.llm.ask import llm_answer

        try:
            return llm_answer(settings, q, ranked, facts, offline, on_token=on_token)
        except (BackendError, ConfigError) as exc:
            log.warning("ask: model failed, answering offline: %s", exc)
            offline.notice = f"the model was not used ({exc}); this is the offline answer"
    return offline


def _not_covered(q: Question, mode: str, understood: dict[str, Any] | None = None) -> Answer:
    return Answer(NOT_COVERED[q.lang], [], mode, False, q.lang, understood=understood or q.as_dict())  # type: ignore[arg-type]


def _covered(
    index: KnowledgeIndex, q: Question, ranked: list[RankedSection], result: Any, facts: list[Fact], settings: Settings,
    vocabulary: Vocabulary | None = None, sections: SectionIndex | None = None,
) -> bool:
    """Whether the pack answers the question (else the answer says it does not, rather than guess)."""
    # (a computed answer for a named case answers it, whatever else the question's words ask)
    unknown = _unknown_subject(index, q, vocabulary) and not (q.case_id and facts)
    if not ranked or result.unknown_provision or unknown or _outside_its_nations(q, ranked, sections):
        return False
    if _not_covered_topic(q, vocabulary):
        return False
    if facts or (q.case_id and any(r.section.doc_id == q.case_id for r in ranked)):
        return True  # a computed answer, or a case of the pack named by its id
    # a question about a case lists the case files first; whether its topic is one the pack governs
    # is told by the first section that is not a case file
    lead = next((r for r in ranked if r.section.doc_type != "case"), None) if q.about_case else ranked[0]
    if q.concepts and lead is not None and lead.signals.get("concept", 0) > 0:
        return True
    top = [h for r in ranked[:3] for h in r.hits][:5] or result.hits[:5]
    coverage = index._coverage(q.query, top)
    best = max((h.dense or 0.0) for h in result.hits) if result.hits else 0.0
    return type(result)(top, best, result.exact_match, coverage, result.in_domain, result.elsewhere, None).covered(settings.min_relevance)


def _not_covered_topic(q: Question, vocabulary: Vocabulary | None) -> str | None:
    """The topic of `concepts.yaml`'s `not_covered` list ("底薪", "1099-C", "Chapter 7") the question
    is mainly about: one that scores higher than the question's strongest concept."""
    hit = vocabulary.outside(q.text) if vocabulary is not None else None
    if hit is None:
        return None
    topic, score = hit
    if q.concepts and q.concepts[0].score >= score:
        return None  # beside a topic the pack covers ("his bonus is 500 a month, what can he afford?")
    log.info("ask: about %s, which the pack does not cover", topic.id)
    return topic.id


#: The UK nations whose own law the pack does not carry where it differs (it carries England and
#: Wales's breathing space and limitation periods), by the names a question uses for them or their cities.
_NATIONS = {
    "Northern Ireland": re.compile(r"northern ireland|北爱尔兰|belfast|贝尔法斯特|\bderry\b|londonderry", re.IGNORECASE),
    "Scotland": re.compile(r"scotland|scottish|苏格兰|glasgow|格拉斯哥|edinburgh|爱丁堡|aberdeen|dundee", re.IGNORECASE),
}
_ENGLAND_AND_WALES = re.compile(r"england and wales|英格兰和威尔士|英格兰与威尔士", re.IGNORECASE)
#: A document that says it covers England and Wales only ("As the title says, they cover England and Wales").
_SCOPE_STATEMENT = re.compile(r"cover England and Wales|appl(?:y|ies) (?:only )?(?:in|to) England and Wales|适用于英格兰和威尔士", re.IGNORECASE)
#: The rank of the first UK legal section looked at for its scope.
NATION_DEPTH = 3


def _outside_its_nations(q: Question, ranked: list[RankedSection], sections: SectionIndex | None) -> str | None:
    """The UK nation a question asks a figure for ("how long does the Northern Ireland version of
    breathing space last?", "limitation period in Scotland?") when the UK law that answers it is
    England and Wales's and says nothing of that nation: quoting its 60 days or six years would
    answer for the wrong nation. A nation the section also covers ("in Scotland a five-year
    prescription period applies") is answered."""
    nation = next((name for name, pattern in _NATIONS.items() if pattern.search(q.text)), None)
    if nation is None or not set(q.asks) & _FIGURE_KINDS:
        return None
    lead = next((r.section for r in ranked[:NATION_DEPTH] if r.section.jurisdiction == "UK" and r.section.doc_type == "legal"), None)
    if lead is None:
        return None
    scope = f"{lead.heading}\n{lead.text}"
    whole_doc = sections is not None and any(_SCOPE_STATEMENT.search(s.text) for s in sections.of_document(lead.doc_id))
    if (_ENGLAND_AND_WALES.search(scope) or whole_doc) and not _NATIONS[nation].search(scope):
        log.info("ask: %s asked, but %s covers England and Wales", nation, lead.citation)
        return nation
    return None


#: Words too general to be the subject of a question, even when the pack never uses them.
_PLAIN = frozenset(
    "gonna wanna okay please thanks hello today tomorrow tonight really actually anything something "
    "哪天 哪些 哪里 哪儿 怎么办 多久 多少 多长 多长时间 长时间 为啥 咋办 是啥 啥时候 国内 境内".split()
)


#: A question after a figure ("how much", "多少"): internal figures the pack does not hold are asked like this.
_ASKS_FIGURE = re.compile(r"how (?:much|many|long)|what (?:percentage|rate|percent|is the rate)|\brate\b|多少|几[天个名次年月]|多久|多长|比例|费率", re.IGNORECASE)


#: What a question about a named case asks of its file: a figure, or which one / who.
_ASKS_CASE_DETAIL = re.compile(_ASKS_FIGURE.pattern + r"|哪家|哪个|哪位|是谁|谁是|\bwhich\b|\bwho(?:'s| is| was)\b|\bwhat(?:'s| is| was) (?:the|his|her|their)\b", re.IGNORECASE)


def _unknown_subject(index: KnowledgeIndex, q: Question, vocabulary: Vocabulary | None = None) -> str | None:
    """What the question asks about that the pack does not carry: a US state's own law, or, for a
    question after a figure, a content word the pack never uses ("底薪", "payday", "mileage"). When
    a concept matched, only English words and Chinese nouns count ("诉讼费是多少" matches the
    legal-threats topic, yet no document gives a court fee): jieba's other Chinese words of a
    matched question ("多长时间内要") are too often phrasing. Only the clauses that ask for the figure
    are read. Places and people are not subjects: the pack need not mention Boston or a borrower's
    name to answer about them, so the vocabulary's place words and English words capitalised inside
    a sentence are skipped, and so are words of the triggers the question matched."""
    if q.state_law:
        return q.state_law
    # a question about a named case may also ask which one ("CN-010 的案号是多少，承办法官是谁？")
    asks = _ASKS_FIGURE if not q.case_id else _ASKS_CASE_DETAIL
    if (q.about_case and not q.case_id) or vocabulary is None or vocabulary.path is None or not asks.search(q.text):
        return None  # (without a concept vocabulary every question would look unmatched)
    # the clauses that ask for the figure: "公司最多罚多少？我们经手的个人呢？" asks about a fine, not 经手
    asking = " ".join(c for c in _CLAUSE.split(q.text) if asks.search(c))
    text = vocabulary.without_places(asking)
    words = tokenize(text, bigrams=False)
    if q.concepts:
        words = _chinese_nouns(text) + [w for w in words if w.isascii()]
    names = {m.group(1).lower() for m in _INNER_NAME.finditer(q.text)}
    matched = " ".join(t for m in q.concepts for t in m.triggers)  # the vocabulary knows these ("壮声势")
    for token in words:
        if token in _PLAIN or token in names or token.isdigit() or (token.isascii() and len(token) < 4) or len(token) < 2:
            continue
        if token in matched:
            continue
        if index.document_frequency(token) == 0 and not index.mentions(token):
            return token
    return None


_CLAUSE = re.compile(r"[，,。？?！!；;]")
#: An English word written with a capital inside a sentence (not after . ? ! or at the start): a
#: name ("Phoenix", "Trevor"), not what the question asks about. All-capital acronyms (ASIC) are kept.
_INNER_NAME = re.compile(r"(?<![.?!]\s)(?<=\s)([A-Z][a-z]+)\b")


def _chinese_nouns(text: str) -> list[str]:
    """The common nouns of a Chinese question (jieba part of speech n/vn; names of people, places
    and organisations left out: the pack need not mention a city to answer about it)."""
    if not re.search(r"[\u4e00-\u9fff]", text):
        return []
    from jieba import posseg

    return [w for w, flag in posseg.cut(text) if flag in ("n", "vn", "nz")]


#: Kinds of answer that are figures: a question asking one is answered only by an answer that gives one.
_FIGURE_KINDS = frozenset({"count", "amount", "duration", "clock"})
#: The figure must be in the answer's opening: this many sentences.
FIGURE_SENTENCES = 2
_TABLE_FIGURE = re.compile(r"\|[^|\n]*\d[^|\n]*\|")
_MARKER = re.compile(r"\s*\[\d+\]")


def _figure_missing(q: Question, text: str, facts: list[Fact]) -> bool:
    """Whether the question asks for a figure ("回款率是多少", "what commission rate …") that the
    composed answer never states: the pack talks about the topic but does not hold the number (an
    internal figure, a fee schedule), and quoting the topic's rules would read as if it answered.
    The figure must come in the answer's opening, or, when the question names what it is the figure
    of, in a sentence that names it too. A table row with a figure counts as stating one (the plan
    limits are tables)."""
    asked = set(q.asks) & _FIGURE_KINDS
    if not asked or facts:
        return False

    def states(sentence: str) -> bool:
        return bool(asked & stated_kinds(sentence) or _TABLE_FIGURE.search(sentence))

    sentences = split_sentences(_MARKER.sub("", text))
    if q.figure_of:
        # "what commission rate …": a figure counts only in a sentence about the commission
        return not any(states(s) and any(w in s.lower() for w in q.figure_of) for s in sentences)
    return not any(states(s) for s in sentences[:FIGURE_SENTENCES])


def _offline(engine: Engine, q: Question, ranked: list[RankedSection], facts: list[Fact], understood: dict[str, Any]) -> Answer:
    text, citations, see_also = engine.composer.compose(q, ranked, facts)
    if not text or _figure_missing(q, text, facts):
        if text:
            log.info("ask: the pack does not state the figure asked (%s)", ", ".join(q.asks))
        return _not_covered(q, "offline", understood)
    understood = {**understood, "facts": [f.sentence for f in facts]}
    return Answer(text, citations, "offline", True, q.lang, understood=understood, see_also=see_also)
