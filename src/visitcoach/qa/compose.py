"""The offline answer: the direct answer first, then cited supporting points, then "see also".

1. Direct answer: a computed fact when an engine answers the question; otherwise the sentence of
   the best-ranked section that best answers it *for the jurisdiction asked* (a sentence labelled
   with another country is never the answer).
2. Where the question names no country and the best section gives a rule per country, one
   labelled line per country follows.
3. Supporting points: the best sentence of the next sections, each cited.
4. See also: the citations of further relevant sections, as plain references.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from visitcoach.qa.compute import Fact, assumed_country
from visitcoach.qa.sections import RankedSection, Section, SectionIndex
from visitcoach.qa.types import Citation
from visitcoach.qa.understand import AnswerKind, Question, asked_kinds, stated_kinds
from visitcoach.retrieval.index import Hit, KnowledgeIndex
from visitcoach.retrieval.manifest import StoredChunk
from visitcoach.text import detect_lang, readable_sentences, tokenize

#: At most this many cited sentences in an offline answer (direct answer and country lines included).
#: 8 -> 10 with `TOP_SECTION_MORE` 4 -> 6 and `SENTENCE_MEANING`: dev every key fact 0.715 -> 0.753
#: (answers about 19 % longer); 12 added 0.004 for another 11 %.
MAX_SENTENCES = 10
#: A supporting sentence must share at least this idf-weighted share of the question's words
#: (its overlap alone: bonuses for stating a rule or a figure do not count towards it).
MIN_SUPPORT = 0.08
#: Holidays and festivals a visit may fall on: a question naming one gets the pack's rule on them
#: beside the clock window, from the first `OCCASION_DEPTH` ranked sections.
_OCCASION = re.compile(
    r"holiday|christmas|thanksgiving|new year|easter|bank holiday|节假日|假日|春节|过年|除夕|大年|初[一二三四五六七]|国庆|中秋|元旦|清明|端午|五一|劳动节|圣诞|感恩节",
    re.IGNORECASE,
)
OCCASION_DEPTH = 5
#: How much more a word of the question counts than a word of its concepts when a sentence is chosen.
QUESTION_WORDS = 1.5
SEE_ALSO = 3
#: Weight of a sentence's closeness in meaning to the question (`qa.meaning.Closeness`) when the
#: composer chooses sentences; set on the dev split (0.2-0.4 alike; alone it moved dev every key
#: fact 0.715 -> 0.729, with the longer answers 0.726 -> 0.753).
SENTENCE_MEANING = 0.3
#: Whether meaning also picks the sentence quoted from each supporting section. Off: read as a user
#: reads them, "When may I visit a borrower in the UK?" then gained "It holds: the borrower's name and
#: visit address …" (the visit pack, close in meaning, wrong in substance) in place of "The whole visit
#: … must fall inside the window", at a dev cost of 0.789 -> 0.783 every key fact.
SUPPORT_MEANING = False
#: At most this many sentences of each supporting section, the further ones only from a section
#: scoring at least `SUPPORT_CLOSE` of the best.
SUPPORT_SENTENCES = 2
SUPPORT_CLOSE = 0.7
#: A second sentence of the best section is quoted when it scores at least this.
TOP_SECTION_SECOND = 0.0
#: At most this many further sentences of the best section follow the direct answer
#: (after a computed answer, of the section it rests on).
TOP_SECTION_MORE = 6
FACT_SECTION_MORE = 2
#: At most this many further sentences of the case file a question names by id (any of its fields):
#: dev every key fact 0.767 -> 0.778 (1 and 2 gave 0.767 and 0.771).
CASE_SENTENCES = 3
#: With no country named, a group policy section this far down the ranking still opens the answer
#: before a country's law ranked above it (dev: 3, as before, left "the sheriff will pick him up" opening with
#: the UK's AJA s.40 for a US question; 8, the whole ranking, fixes it and changes nothing else).
GROUP_OPENING_DEPTH = 8
#: Sentences quoted after the opening of a provision the question names.
NAMED_SENTENCES = 2
#: For each later question of a message that asks several, its best sentence is looked for in this
#: many of the best sections, and must hold at least this idf-weighted share of that question's words.
PART_SECTIONS = 3
PART_OVERLAP = 0.3
#: Taken from a later question's candidate sentence per place its section stands below the best.
PART_RANK = 0.1
#: Words that ask rather than say what is asked about ("谁来复核" is about 复核, not about "谁").
_INTERROGATIVE = frozenset(
    "谁 什么 啥 哪 哪个 哪些 哪里 几 多少 多久 怎么 怎样 如何 为什么 吗 呢 么 "
    "what who whom which when where why how whose".split()
)
_EXAMPLE = re.compile(
    r"^(?:non-compliant|compliant|(?:a )?worked example|example|e\.g\.|for example|合规替代|违规示例|违规|示例|算例|建议话术|例如)\s*(?:[(（][^)）]{1,20}[)）])?\s*[:：]|^[\"“「]",
    re.IGNORECASE,
)
#: Says nothing alone: a list's introduction ("The agent must not:") or a bare field value ("represented_borrower").
_HOLLOW = re.compile(r"[:：]$|^[a-z0-9]+(?:_[a-z0-9]+)+$")
#: A sentence that turns to a country after a closing quote ("…」在美国，…", '…" In the US, …') is two.
_COUNTRY_TURN = re.compile(r"(?<=[」”\"])\s*(?=(?:在(?:中国|美国|英国)|In (?:the US|the UK|China))[，,])")
_HISTORY = re.compile(
    r"(?:增设|通过|发布|施行|生效|修订).{0,20}(?:\d{4}年|\d{4}-\d{2})|(?:\d{4}年|\d{4}-\d{2}).{0,20}(?:增设|通过|发布|施行|生效)"
    r"|\b(?:adopted|published|came into force|was amended|inserted by)\b.{0,40}\b(?:19|20)\d{2}\b",
    re.IGNORECASE,
)
_NORMATIVE = re.compile(
    r"\b(?:must|never|may not|must not|only|cannot|can't|shall|is not allowed|are not allowed|no visit|do not|does not)\b"
    r"|\b(?:suspend(?:ed|s)?|on hold|paused|stopped)\b"
    r"|不得|不能|不可|必须|须|只能|禁止|严禁|应当|一律|至少|暂停|停止",
    re.IGNORECASE,
)
#: Taken from a sentence's score when the question names a country and the sentence names another too.
OTHER_COUNTRY = 0.05
#: Added to a sentence's score for each kind of answer the question still needs that it states.
ASKED_KIND = 0.3
#: Added to a sentence for standing first in its section (divided by its position + 1): a section usually opens with its rule.
POSITION = 0.04
#: A sentence that opens by pointing back ("It …", "This …", "它…", "该…") reads wrongly out of its paragraph.
_ANAPHORA = re.compile(r"^(?:it|this|that|these|those|they|such|however|but|also)\b|^(?:它|这|那|其|该|此|但|而|同时|另外)", re.IGNORECASE)
#: A sentence about the document rather than the rule ("This item singles out a common misrepresentation."):
#: it tells an agent nothing to do. (Not "本条…": the pack's Chinese law summaries open the rule with it.)
_META = re.compile(r"^this (?:item|section|subsection|provision|paragraph|clause|page|document|guide|note)\b", re.IGNORECASE)
_DISCLAIMER = re.compile(r"fictional|not legal advice|for training|虚构|仅用于培训|不构成法律意见", re.IGNORECASE)
_RECORD_FIELD = re.compile(r"(?:^|\s)[a-z_]+: ")
_COUNTRY = {
    "CN": re.compile(r"\bchina\b|\bchinese\b|\bprc\b|中国|国内|刑法|民法典|个人信息保护法|cba|gb/t|nifa", re.IGNORECASE),
    "US": re.compile(r"\bunited states\b|\bu\.s\.(?!\s*c)|\bus\b|\bfdcpa\b|\bcfpb\b|regulation f|15 u\.s\.c\.|12 cfr|美国", re.IGNORECASE),
    "UK": re.compile(r"\bunited kingdom\b|\buk\b|\bconc\b|\bfca\b|breathing space|\baja\b|英国|moneyhelper|stepchange|national debtline|citizens advice|financial ombudsman", re.IGNORECASE),
}
_LEAD = re.compile(r"^(?:\*\*)?(?:in\s+(?:the\s+)?)?(?:china|united states|united kingdom|the us|the uk|us|uk)\b|^(?:在)?(?:中国|美国|英国)", re.IGNORECASE)


@dataclass(frozen=True)
class Sentence:
    text: str
    label: str | None  # the one jurisdiction the sentence (or its list item) is about
    chunk: StoredChunk
    position: int
    #: The sentence goes on with a worked example begun in the sentence before it (it repeats one of
    #: its figures: "示例：C = 1,200.00 元 … 满足 1,200 + 3,600 ÷ n ≤ 1,700 的最小 n 为 8"): an illustration too.
    in_example: bool = False


_BRACKETED = re.compile(r"\(([^()]*)\)|（([^（）]*)）")


def narrowed(text: str, jurisdiction: str | None) -> str:
    """The sentence with a bracketed per-country list cut to the country asked:
    "(120 or 110 in China, 911 in the US, 999 in the UK)" → "(911 in the US)" for a US question,
    so a quote does not hand the reader another country's number as well."""
    if not jurisdiction:
        return text

    def cut(m: re.Match[str]) -> str:
        inner = m.group(1) if m.group(1) is not None else m.group(2)
        separators = r"\s*[;；]\s*" if re.search(r"[;；]", inner) else r"\s*[、,，]\s*"
        items = [i for i in re.split(separators, inner) if i.strip()]
        labels = [sentence_label(i) for i in items]
        if len({lab for lab in labels if lab}) < 2 or jurisdiction not in labels:
            return m.group(0)
        kept = [i for i, lab in zip(items, labels, strict=True) if lab == jurisdiction]
        open_, close = ("(", ")") if m.group(1) is not None else ("（", "）")
        return f"{open_}{'; '.join(kept) if open_ == '(' else '、'.join(kept)}{close}"

    return _BRACKETED.sub(cut, text)


#: A quoted table's column header that belongs to one country ("Min instalment CN", "最低月供（中国）", "美国").
_COLUMN_COUNTRY = {"CN": re.compile(r"\bCN\b|中国"), "US": re.compile(r"\bUS\b|美国"), "UK": re.compile(r"\bUK\b|英国")}


def narrowed_table(text: str, product: str | None, jurisdiction: str | None) -> str:
    """A quoted table (one line of `| … |` rows, as the pack's plan limits are quoted) cut to what was
    asked: the rows of the product the question names ("auto_loan" in "Auto loan (auto_loan)") and
    the columns of the country it names, so a $500 auto-loan question is not handed the SME row's
    figures too. Left whole when it is not a table, nothing was named, or nothing would be left."""
    if not text.lstrip().startswith("|") or not (product or jurisdiction):
        return text
    separator = re.search(r"\|(?:\s*:?-{3,}:?\s*\|)+", text)
    if separator is None:
        return text
    width = len(re.findall(r"-{3,}", separator.group(0)))
    rows = [[c.strip() for c in row.strip("|").split("|")] for row in re.findall(rf"\|(?:[^|]*\|){{{width}}}", text)]
    if len(rows) < 3 or any(len(r) != width for r in rows):
        return text
    header, rule, body = rows[0], rows[1], rows[2:]
    if product:
        mine = [r for r in body if re.search(rf"[(（]{product}[)）]", r[0])]
        body = mine or body
    keep = list(range(width))
    if jurisdiction:
        owned = [next((j for j, pat in _COLUMN_COUNTRY.items() if pat.search(h)), None) for h in header]
        if jurisdiction in owned:
            keep = [i for i, j in enumerate(owned) if j in (None, jurisdiction)]
    if len(body) == len(rows) - 2 and len(keep) == width:
        return text
    return " ".join("| " + " | ".join(r[i] for i in keep) + " |" for r in [header, rule, *body])


def sentence_label(text: str) -> str | None:
    """The one country a sentence is about. A law cited in brackets as the reason for a group rule
    ("不接受任何还款（CONC 7.3.4 R 要求…）") does not make the rule that country's; a country named
    in brackets ("call 911 (US)") does."""
    found = sentence_facts(text).countries
    if len(found) != 1:
        return None
    bare = text
    for _ in range(3):  # nested brackets ("(15 U.S.C. 1692e(4))") from the inside out
        bare, n = _BRACKETED.subn(_unless_country_named, bare)
        if not n:
            break
    if not any(p.search(bare) for p in _COUNTRY.values()):
        return None  # named only by a law cited in brackets
    return next(iter(found))


_COUNTRY_NAME = re.compile(r"\bchina\b|\bchinese\b|\bunited states\b|\bus\b|\bunited kingdom\b|\buk\b|中国|国内|美国|英国", re.IGNORECASE)


def _unless_country_named(m: re.Match[str]) -> str:
    return m.group(0) if _COUNTRY_NAME.search(m.group(0)) else ""


@dataclass(frozen=True)
class SentenceFacts:
    """What scoring reads of a sentence that does not depend on the question: its words, the countries
    it names, its language, the kinds of answer it states and its shape (a rule, an example, a
    disclaimer …). The pack's sentences recur in every answer, so these are worked out once per text."""

    words: frozenset[str]
    countries: frozenset[str]
    lang: str
    kinds: frozenset[AnswerKind]
    secondary: bool
    history: bool
    normative: bool
    disclaimer: bool
    example: bool
    anaphora: bool
    meta: bool


@lru_cache(maxsize=65536)
def sentence_facts(text: str) -> SentenceFacts:
    return SentenceFacts(
        words=frozenset(tokenize(text, bigrams=False)),
        countries=frozenset(j for j, p in _COUNTRY.items() if p.search(text)),
        lang=detect_lang(text),
        kinds=frozenset(stated_kinds(text)),
        secondary=bool(re.search(r"secondary source|二手来源", text, re.IGNORECASE)),
        history=bool(_HISTORY.search(text)),
        normative=bool(_NORMATIVE.search(text)),
        disclaimer=bool(_DISCLAIMER.search(text)),
        example=bool(_EXAMPLE.match(text)),
        anaphora=bool(_ANAPHORA.match(text)),
        meta=bool(_META.match(text)),
    )


def block_sentences(text: str) -> list[list[tuple[int, str]]]:
    """The quotable sentences of a chunk's text, per paragraph or list item, each with its place in
    its block (0: the block's opening, which may name the country the block is about)."""
    out = []
    for block in _blocks(text):
        kept = []
        for i, sent in enumerate(s for whole in readable_sentences(block) for s in _COUNTRY_TURN.split(whole) if s.strip()):
            if (
                len(sent) < 8 or sent.startswith("#") or len(_RECORD_FIELD.findall(sent)) >= 2
                or _HOLLOW.search(sent.strip()) or _unbalanced(sent)
            ):
                continue
            kept.append((i, sent))
        out.append(kept)
    return out


#: A record field left at the end of a case file's sentence ("…结束拜访并上报 result: aborted").
_TRAILING_FIELD = re.compile(r"\s+[a-z_]+: [\w'.-]+$")
_CJK_END = re.compile(r"[\u4e00-\u9fff]$|(?<![。！？])）$")


def _tidy(text: str, lang: str) -> str:
    """A quoted sentence as shown: without a trailing record field, and, in a Chinese answer, ended
    with a full stop when its source (a list item, a case file field) gave it none."""
    text = _TRAILING_FIELD.sub("", text)
    if lang == "zh" and _CJK_END.search(text):
        text += "。"
    return text


def labelled_sentences(section: Section) -> list[Sentence]:
    """Readable sentences of a section; a sentence in a list item or paragraph that opens by naming a
    country ("- **China:** …", "在美国和英国…") inherits that label."""
    out: list[Sentence] = []
    pos = 0
    for chunk in section.chunks:
        for block in block_sentences(chunk.text):
            inherited: str | None = None
            example_figures: set[str] = set()
            for i, sent in block:
                own = sentence_label(sent)
                if i == 0:
                    lead = _LEAD.match(sent.lstrip("-* "))
                    inherited = own if lead else None
                figures = {f.replace(",", "").split(".")[0] for f in _EXAMPLE_FIGURE.findall(sent)}
                continues = bool(figures & example_figures)
                out.append(Sentence(sent, own or inherited, chunk, pos, continues))
                example_figures = figures if (_EXAMPLE.match(sent) or continues) else set()
                pos += 1
    return out


#: Share of the question's words a further line of a list of case flags must hold to be quoted.
FLAG_SUPPORT = 0.25
#: A line of a list of case flags ("time_barred: no visit (group policy) …").
_FLAG_LINE = re.compile(r"^[a-z]+(?:_[a-z]+)+:\s")
#: A figure of four or more digits, which a worked example's sentences repeat ("1,200.00" and "1,200").
_EXAMPLE_FIGURE = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{4,}(?:\.\d+)?")


def _unbalanced(text: str) -> bool:
    """A piece of a sentence cut at a chunk boundary ("《弱势客户保护制度》§7）。", "…不得外访（CONC 7.9.14 R；")
    or out of a quoted script ("I'd rather agree a plan with you.\""): its brackets or quotes do not
    pair up, and quoted alone it reads as a fragment."""
    return (text.count('"') % 2 == 1 and text.rstrip().endswith('"')) or any(text.count(a) != text.count(b) for a, b in (("（", "）"), ("(", ")"), ("「", "」"), ("“", "”")))


def _blocks(text: str) -> list[str]:
    """Paragraphs and list items (each list item its own block)."""
    blocks: list[str] = []
    for para in re.split(r"\n\s*\n", text):
        current: list[str] = []
        for line in para.splitlines():
            if re.match(r"\s*(?:[-*+]|\d+[.)])\s+", line) and current:
                blocks.append("\n".join(current))
                current = []
            current.append(line)
        if current:
            blocks.append("\n".join(current))
    return blocks


def _repeats(text: str, said: set[str]) -> bool:
    """Whether a sentence mostly repeats one already in the answer."""
    words = _bigram_words(text)
    if not words:
        return True
    return any(len(words & _bigram_words(s)) / len(words) > 0.6 for s in said)


@lru_cache(maxsize=65536)
def _bigram_words(text: str) -> frozenset[str]:
    return frozenset(tokenize(text, bigrams=True))


@dataclass
class Said:
    """The kinds of answer (duration, count, …) the question still needs after what the answer has
    said so far. (Discounting the question words already covered was tried on dev and lost: the
    facts an agent needs are mostly about the same topic words.)"""

    needs: Counter[AnswerKind]

    @classmethod
    def start(cls, q: Question) -> Said:
        return cls(Counter(q.asks))

    def add(self, text: str) -> None:
        for kind in stated_kinds(text):
            if self.needs[kind] > 0:
                self.needs[kind] -= 1


class Composer:
    def __init__(self, index: KnowledgeIndex, sections: SectionIndex) -> None:
        self.index = index
        self.sections = sections
        self._sentences: dict[tuple[str, str], list[Sentence]] = {}

    def sentences(self, section: Section) -> list[Sentence]:
        """`labelled_sentences(section)`, split once per section of the index (sections are fixed
        until the index is rebuilt, when a new composer is made)."""
        if self.sections.sections.get(section.key) is not section:
            return labelled_sentences(section)
        found = self._sentences.get(section.key)
        if found is None:
            found = self._sentences[section.key] = labelled_sentences(section)
        return found

    def _weights(self, q: Question) -> tuple[dict[str, float], float]:
        """{word: weight} of what a sentence should say, and their total: the question's own words
        count `QUESTION_WORDS` times the words of its concepts (the triggers it used and the words
        the governing rule uses), so "a $150 visit fee" picks the sentence about fees over the
        payment-channel sentence the concept's words favour."""
        words = {t: self.index.idf(t) * QUESTION_WORDS for t in tokenize(q.query, bigrams=False)}
        for m in q.concepts[:2]:
            for trig in [*m.triggers, *m.concept.answer_words.en, *m.concept.answer_words.zh]:
                for t in tokenize(trig, bigrams=False):
                    words.setdefault(t, self.index.idf(t))
        return words, (sum(words.values()) or 1.0)

    def score(
        self, sentence: Sentence, q: Question, words: dict[str, float], total: float, provisions: frozenset[str] = frozenset(), said: Said | None = None
    ) -> float:
        """How well a sentence answers: shared words (idf-weighted, with the concept's words), the
        jurisdiction it is about, whether it states a rule, whether it states the kind of answer
        asked ("多久" → a duration) that the answer still lacks; a section the question names by
        its citation ("what does 1692c(b) say") is answered from its opening."""
        said = said or Said.start(q)
        overlap = self.overlap(sentence, words, total)
        if sentence.chunk.metadata.get("citation", "") in provisions:
            # "what does 1692c(b) say": the provision's opening says it; shared words matter little
            s = 0.3 * overlap + 0.35 / (1 + 0.4 * sentence.position)
        else:
            s = overlap + POSITION / (sentence.position + 1)
        if sentence.chunk.metadata.get("jurisdiction") == "ALL":  # group policy with a line per country
            if q.jurisdiction and sentence.label == q.jurisdiction:
                s += 0.25
            elif not q.jurisdiction and sentence.label is None:
                s += 0.05
        if q.closeness is not None:
            s += SENTENCE_MEANING * q.closeness.of(sentence.text)  # put in other words than the question's
        f = sentence_facts(sentence.text)
        if q.jurisdiction and f.countries - {q.jurisdiction}:
            s -= OTHER_COUNTRY  # "120 in China, 911 in the US, 999 in the UK" answers a UK question with two wrong numbers
        if f.secondary:
            s -= 0.1
        if f.lang != q.lang:
            s -= 0.2  # the pack carries most rules in both languages: quote the question's
        if f.history:
            s -= 0.25  # when a rule was adopted is rarely what an agent asks
        if f.normative:
            s += 0.12  # a rule ("never", "must", 不得, 须) answers an agent's "may I" better than a definition
        if f.disclaimer:
            s -= 1.0  # "this case is fictional" / "not legal advice" says nothing about the question
        if f.example:
            s -= 0.3  # a quoted example line is an illustration, not the rule
        if f.anaphora and sentence.position > 0:
            s -= 0.1  # "It is consistent with …" quoted alone leaves the reader asking what "it" is
        if f.meta:
            s -= 0.3  # "This item singles out …" describes the document, not what to do
        s += ASKED_KIND * sum(1 for kind in f.kinds if said.needs[kind] > 0)
        return s

    def overlap(self, sentence: Sentence, words: dict[str, float], total: float) -> float:
        """The weighted share of the question's (and its concepts') words the sentence holds."""
        return sum(words[t] for t in sentence_facts(sentence.text).words if t in words) / total

    def about(self, sentence: Sentence, weights: tuple[dict[str, float], float]) -> bool:
        """Whether a supporting sentence is about the question at all: it shares at least
        `MIN_SUPPORT` of its words (`weights`: the question's `_weights`; a rule's "must" or a
        figure alone does not make a sentence relevant)."""
        return self.overlap(sentence, *weights) >= MIN_SUPPORT

    def candidates(self, section: Section, q: Question, said: Said | None = None) -> list[tuple[float, Sentence]]:
        words, total = self._weights(q)
        named = frozenset({section.citation} if self._names(q, section) else set())
        out, examples = [], []
        for sent in self.sentences(section):
            if q.jurisdiction and sent.label and sent.label != q.jurisdiction:
                continue  # another country's rule is never the answer
            scored = (self.score(sent, q, words, total, named, said), sent)
            f = sentence_facts(sent.text)
            (examples if f.example or f.disclaimer or sent.in_example else out).append(scored)
        same = [c for c in out if sentence_facts(c[1].text).lang == q.lang]
        other = [c for c in out if sentence_facts(c[1].text).lang != q.lang]
        for group in (same, other, examples):
            group.sort(key=lambda x: (-x[0], x[1].position))
        # the question's language first ("中文要点" lines serve a Chinese question, not an English one);
        # quoted examples and disclaimers only when a section has nothing else
        return same or other or examples

    def compose(self, q: Question, ranked: list[RankedSection], facts: list[Fact]) -> tuple[str, list[Citation], list[str]]:
        numbers: dict[str, int] = {}  # chunk id -> marker number
        cited: list[Citation] = []
        used_sections: set[tuple[str, str]] = set()
        parts: list[str] = []
        used_text: set[str] = set()

        def cite(chunk: StoredChunk, score: float) -> int:
            if chunk.id not in numbers:
                numbers[chunk.id] = len(numbers) + 1
                hit = Hit(chunk.id, chunk.doc_id, chunk.text, chunk.metadata, round(score, 4), None, None)
                cited.append(Citation.of(hit))
            return numbers[chunk.id]

        def say(text: str, chunk: StoredChunk, score: float, section: Section | None = None) -> None:
            first = chunk.id not in numbers
            n = cite(chunk, score)
            used_text.add(text.strip())
            text = _tidy(narrowed_table(narrowed(text.strip(), q.jurisdiction), q.product, table_country), q.lang)
            if first and chunk.metadata.get("doc_type") == "case" and chunk.metadata.get("citation"):
                text = f"{chunk.metadata['citation']}{'：' if q.lang == 'zh' else ': '}{text}"  # which case it is
            if q.lang == "zh":
                # an English sentence in a Chinese answer keeps a space before the next one
                parts.append(f"{text} [{n}] " if text[-1:] in ".?!" else f"{text}[{n}]")
            else:
                parts.append(f"{text} [{n}]")
            used_text.add(text)
            said.add(text)
            if section is not None:
                used_sections.add(section.key)

        # a computed answer is for the country compute assumed (China for a Chinese question): so are its tables
        table_country = assumed_country(q) if facts else q.jurisdiction
        top_score = ranked[0].score if ranked else 1.0
        countries_said: set[str] = set()
        said = Said.start(q)
        weights = self._weights(q)  # the question's words, for telling a supporting sentence is about it
        # 1. the direct answer: computed facts, each followed by the quoted rule it rests on
        for fact in facts:
            section = self._section_of(fact.citation, q.lang)
            if section is None:
                continue
            cands = self.candidates(section, q)
            chunk = cands[0][1].chunk if cands else section.chunks[0]
            say(fact.sentence, chunk, 1.0, section)
            quote = self._supporting_quote(cands, fact, q)
            if quote is not None and len(parts) < MAX_SENTENCES:
                say(quote.text, quote.chunk, 1.0, section)
            # the question asks something the engine did not compute ("最多能去几个人" after the minimum)
            wanted = {kind for kind, n in said.needs.items() if n > 0}
            more = [c for c in self.candidates(section, q, said) if sentence_facts(c[1].text).kinds & wanted and not _repeats(c[1].text, used_text)]
            if more and len(parts) < MAX_SENTENCES:
                say(more[0][1].text, more[0][1].chunk, 1.0, section)
            # a visit on a holiday ("春节初三…下午三点"): the clock window is not the whole answer
            if fact.kind == "visit_time" and _OCCASION.search(q.text):
                for r in ranked[:OCCASION_DEPTH]:
                    held = [c for c in self.candidates(r.section, q, said) if _OCCASION.search(c[1].text) and not _repeats(c[1].text, used_text)]
                    if held and len(parts) < MAX_SENTENCES:
                        say(held[0][1].text, held[0][1].chunk, 1.0, r.section)
                        break
        # 2. otherwise the best sentence of the best section
        first = ranked[:3]
        if not q.jurisdiction and not q.about_case:
            # no country named: the group rule answers first, each country's law follows it
            first = sorted(first, key=lambda r: r.section.jurisdiction != "ALL")
            group = next((r for r in ranked[:GROUP_OPENING_DEPTH] if r.section.jurisdiction == "ALL"), None)
            if first and first[0].section.jurisdiction != "ALL" and group is not None:
                first = [group, *first]  # one country's law does not open an answer for every country
        if q.about_case and not q.case_id and ranked and ranked[0].section.doc_type == "case":
            # "which case …": the case's best sentence opens, whichever of its fields holds it (the best
            # field may hold only a visit's result line, or only tags with nothing to quote)
            doc = ranked[0].section.doc_id
            fields = {r.section.key: r for r in ranked if r.section.doc_id == doc}
            for section in self.sections.of_document(doc):
                fields.setdefault(section.key, RankedSection(section, ranked[0].score, {}))
            first = sorted(fields.values(), key=lambda r: -max((c[0] for c in self.candidates(r.section, q, said)), default=-9.0))
        # the section the direct answer comes from: a computed answer's own, else the best one quoted
        answering = self._section_of(facts[0].citation, q.lang) if facts else (ranked[0].section if ranked else None)
        for best in first if not parts else []:
            cands = self.candidates(best.section, q, said)
            if cands:
                answering = best.section
                say(cands[0][1].text, cands[0][1].chunk, best.score / top_score, best.section)
                if self._names(q, best.section):
                    # "what does CONC 7.9.14 R ban?": the provision's own next sentences, in order
                    following = sorted((c[1] for c in cands[1:] if c[1].position > cands[0][1].position), key=lambda x: x.position)
                    for sent in following[:NAMED_SENTENCES]:
                        say(sent.text, sent.chunk, best.score / top_score, best.section)
                break
        # 2a. a message that asks more than one thing: each later question gets its own best sentence
        if parts and q.parts and not facts:
            for sent, section in self._part_answers(q, ranked[:PART_SECTIONS], used_text):
                say(sent.text, sent.chunk, 1.0, section)
        # 2b. the answering section's next best sentences: it usually holds the answer's detail too
        if parts and answering is not None:
            for _ in range(FACT_SECTION_MORE if facts else TOP_SECTION_MORE):
                more = [
                    c for c in self.candidates(answering, q, said)
                    if not _repeats(c[1].text, used_text) and (q.jurisdiction or not c[1].label)
                    # a list of flags ("vulnerable: no visit …") answers only through the flags asked about
                    and not (_FLAG_LINE.match(c[1].text) and self.overlap(c[1], *weights) < FLAG_SUPPORT)
                ]
                if not more or more[0][0] < TOP_SECTION_SECOND or _EXAMPLE.match(more[0][1].text):
                    break
                say(more[0][1].text, more[0][1].chunk, 1.0, answering)
        # 2c. a question that names a case: the case file's own best sentences (its notes hold the
        # instructions for that borrower: "如确需面谈，只能约在借款人同意的公共场所")
        if parts and q.case_id:
            own = [
                (score, sent, r) for r in ranked if r.section.doc_id == q.case_id
                for score, sent in self.candidates(r.section, q, said)
                if not _repeats(sent.text, used_text) and not _EXAMPLE.match(sent.text)
            ]
            own.sort(key=lambda x: -x[0])
            for _, sent, r in own[:CASE_SENTENCES]:
                if len(parts) >= MAX_SENTENCES:
                    break
                say(sent.text, sent.chunk, r.score / top_score, r.section)
        # 3. per-country lines when the question names no country and the top section differs by country
        if not q.jurisdiction and ranked and not any(f.kind == "visit_time" for f in facts):
            top = self._section_of(facts[0].citation, q.lang) if facts else ranked[0].section
            if top is not None:
                countries_said |= self._country_lines(top, q, say, used_text)
        # 4. supporting points from the next sections
        plain = q.with_(closeness=None)  # (see SUPPORT_MEANING)
        for r in ranked:
            if len(parts) >= MAX_SENTENCES:
                break
            if r.section.key in used_sections:
                continue
            if r.score < 0.35 * top_score:
                break
            cands = [
                c for c in self.candidates(r.section, q if SUPPORT_MEANING else plain, said)
                # an English reader gets no Chinese support lines (a Chinese reader of US/UK law may get English ones)
                if not _repeats(c[1].text, used_text) and (q.lang == "zh" or sentence_facts(c[1].text).lang == "en")
            ]
            if not cands or not self.about(cands[0][1], weights) or _EXAMPLE.match(cands[0][1].text):
                continue
            label = cands[0][1].label
            if not q.jurisdiction and label and label in countries_said:
                continue  # one line per country when none was named
            if label:
                countries_said.add(label)
            if not q.jurisdiction and cands[0][1].label and len(parts) > 0 and r.section.jurisdiction != "ALL":
                # a country's law under a question that names none: say whose it is
                label = cands[0][1].label
                text = cands[0][1].text
                say(self._prefixed(text, label, q), cands[0][1].chunk, r.score / top_score, r.section)
            else:
                say(cands[0][1].text, cands[0][1].chunk, r.score / top_score, r.section)
                # a section close behind the best one usually holds part of the answer too
                for _, sent in cands[1:SUPPORT_SENTENCES]:
                    if len(parts) >= MAX_SENTENCES or not self.about(sent, weights) or r.score < SUPPORT_CLOSE * top_score:
                        break
                    if _EXAMPLE.match(sent.text) or _repeats(sent.text, used_text) or (not q.jurisdiction and sent.label):
                        continue
                    say(sent.text, sent.chunk, r.score / top_score, r.section)
        see_also = []
        for r in ranked:
            if r.section.key not in used_sections and r.citation and r.citation not in see_also:
                if r.citation not in {c.citation for c in cited}:
                    see_also.append(r.citation)
            if len(see_also) >= SEE_ALSO:
                break
        joiner = "" if q.lang == "zh" else " "
        return joiner.join(parts).strip(), cited, see_also

    def _part_answers(self, q: Question, ranked: list[RankedSection], used_text: set[str]) -> list[tuple[Sentence, Section]]:
        """For each question after the first of a message ("…多长时间内上报？报给谁？"), the sentence of
        the best sections that shares most of that question's own words and states the kind of answer
        it asks (an elliptical "经理呢？" asks what the question before it asked)."""
        out: list[tuple[Sentence, Section]] = []
        said = set(used_text)
        previous: tuple[AnswerKind, ...] = asked_kinds(q.parts[0]) if q.parts else ()
        for part in q.parts[1:]:
            asks = asked_kinds(part) or previous
            previous = asks
            words = {t: self.index.idf(t) for t in tokenize(part, bigrams=False) if t not in _INTERROGATIVE}
            total = sum(words.values()) or 1.0
            best: tuple[float, Sentence, Section] | None = None
            for rank, r in enumerate(ranked):
                for _, sent in self.candidates(r.section, q):
                    overlap = self.overlap(sent, words, total)
                    if overlap < PART_OVERLAP or _repeats(sent.text, said) or _EXAMPLE.match(sent.text):
                        continue
                    score = overlap + ASKED_KIND * len(set(asks) & sentence_facts(sent.text).kinds) + POSITION / (sent.position + 1) - PART_RANK * rank
                    if best is None or score > best[0]:
                        best = (score, sent, r.section)
            if best is not None:
                out.append((best[1], best[2]))
                said.add(best[1].text)
        return out

    @staticmethod
    def _names(q: Question, section: Section) -> bool:
        """Whether the question names this section by its citation ("1692c(b)", "CONC 7.9.14 R")."""
        if not section.citation or section.doc_type != "legal":
            return False
        cite = re.sub(r"\s+", "", section.citation).lower().split("u.s.c.")[-1]
        return cite in re.sub(r"\s+", "", q.query).lower()

    def _section_of(self, citation: str, lang: str) -> Section | None:
        found = self.sections.by_citation(citation)
        if not found:
            return None
        return self.sections.version(found[0].family, lang)

    def _supporting_quote(self, cands: list[tuple[float, Sentence]], fact: Fact, q: Question) -> Sentence | None:
        """The sentence of the fact's section that carries its anchors, then its figures, for the jurisdiction asked."""
        figures = [f for f in fact.figures if f]
        best = None
        for score, sent in cands:
            if q.jurisdiction and sent.label not in (q.jurisdiction, None):
                continue
            # the rule's own words ("C + R ÷ n") before figures, which a worked example shares by chance
            anchored = sum(1 for a in fact.anchors if a and a in sent.text)
            have = sum(1 for f in figures if f in sent.text)
            key = (anchored, have, sent.label == q.jurisdiction if q.jurisdiction else sent.label is None, score)
            if best is None or key > best[0]:
                best = (key, sent)
        return best[1] if best else None

    def _prefixed(self, text: str, label: str, q: Question) -> str:
        names = {"zh": {"CN": "中国", "US": "美国", "UK": "英国"}, "en": {"CN": "China", "US": "United States", "UK": "United Kingdom"}}[q.lang]
        name = names[label]
        if name.lower() in text[:24].lower() or _LEAD.match(text):
            return text
        return f"{name}：{text}" if q.lang == "zh" else f"{name}: {text}"

    def _country_lines(self, section: Section, q: Question, say, used_text: set[str]) -> set[str]:  # noqa: ANN001
        cands = self.candidates(section, q)
        per: dict[str, Sentence] = {}
        for _, sent in cands:
            if (
                sent.label and sent.label not in per and sent.text not in used_text
                and not _ANAPHORA.match(sent.text) and not _EXAMPLE.match(sent.text)
            ):
                per[sent.label] = sent
        if len(per) < 2:
            return set()
        for j in ("CN", "US", "UK"):
            if j in per:
                say(self._prefixed(per[j].text, j, q), per[j].chunk, 1.0, section)
        return set(per)
