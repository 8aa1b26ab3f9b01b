"""Text primitives on the ground floor: the language and jurisdiction types, CJK ranges, language
detection, sentence splitting, tokenising and the stop lists. Nothing here imports `visitcoach`.

Two tokenisers, on purpose. `tokenize` makes the lexical index's tokens (jieba words plus CJK
bigrams, whole section numbers, plural folding); the index is persisted and the retrieval eval is
measured on it, so its behaviour is frozen with `retrieval.lexical.VERSION`. `match_tokens` makes
the eval scorers' matching units (NFKC-normalised numbers, bigrams only, a wider suffix strip); the
eval figures are measured with it. They share the CJK ranges and the sentence rules; their stop
lists stay apart because each is part of what its figures mean (`INDEX_*` and `MATCH_*` below).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from functools import cache, lru_cache
from typing import Any, Literal

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")
Jurisdiction = Literal["CN", "US", "UK"]
#: The jurisdictions the code knows how to type; which ones the knowledge pack ships is data
#: (`knowledge/legal/<code>/`, see `corpus.pack.jurisdictions`).
JURISDICTIONS: tuple[Jurisdiction, ...] = ("CN", "US", "UK")

#: Chinese characters: Extension A, the basic block and the compatibility ideographs. (The code
#: before #15 also used U+3400-9FFF and U+4E00-9FFF; they differ only on hexagram symbols and
#: compatibility ideographs, none of which occur in the knowledge pack or the eval sets.)
CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_CHAR = re.compile(f"[{CJK}]")
CJK_RUN = re.compile(f"[{CJK}]+")
_LATIN = re.compile(r"[A-Za-z]")


def detect_lang(text: str) -> Lang:
    """'zh' when CJK characters make up a real share of the letters (a third of the Latin ones), else 'en'."""
    cjk = len(CJK_CHAR.findall(text or ""))
    latin = len(_LATIN.findall(text or ""))
    return "zh" if cjk and cjk * 3 >= latin else "en"


# -- sentences ----------------------------------------------------------------------------------

_SENTENCE_END = re.compile(rf"(?<=[。！？；!?])|(?<=[.;])\s+(?=[A-Z0-9\"'(“（{CJK}])")
#: Abbreviations after which a full stop does not end a sentence ("15 U.S.C. 1692", "e.g. a visit").
_ABBREVIATION = re.compile(
    r"(?:\b(?:U\.S\.C|U\.S|C\.F\.R|e\.g|i\.e|etc|No|Nos|Art|art|para|paras|reg|regs|s|ss|Sch|cf|vs|v|Mr|Mrs|Ms|Dr|St|Ltd|Inc|Co))\.$"
)


def split_sentences(text: str) -> list[str]:
    """Sentences in Chinese or English text; keeps the punctuation, drops empty pieces."""
    parts: list[str] = []
    for line in text.splitlines():
        for piece in _SENTENCE_END.split(line):
            piece = piece.strip()
            if not piece:
                continue
            if parts and _ABBREVIATION.search(parts[-1]) and not parts[-1].endswith(("。", "！", "？")):
                parts[-1] = f"{parts[-1]} {piece}"
            else:
                parts.append(piece)
    return parts


_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_MARKUP = re.compile(r"\*\*|__|`")
_PAIRS = (("「", "」"), ("“", "”"), ("『", "』"), ("（", "）"), ("(", ")"))
_CLOSERS = re.compile(r"[」』”’）)\]\"']+")
_CJK_END = re.compile(rf"[{CJK}，、；：（“]$")
_CJK_START = re.compile(rf"[{CJK}，。、；：）”]")


def sentence_spans(text: str, min_chars: int = 4) -> list[tuple[int, int]]:
    """(start, end) of each sentence (`split_sentences`, zh/en aware) of at least `min_chars`, as offsets into `text`
    (the compliance checker's and its learned layer's unit of text)."""
    spans = []
    pos = 0
    for piece in split_sentences(text):
        start = text.find(piece, pos)
        if start == -1:  # split_sentences re-joined abbreviations with one space; fall back to its head
            head = piece.split(" ", 1)[0]
            start = text.find(head, pos)
            if start == -1:
                continue
            end = start + len(head)
        else:
            end = start + len(piece)
        pos = end
        if end - start >= min_chars:
            spans.append((start, end))
    return spans


def readable_sentences(text: str) -> list[str]:
    """Sentences for quoting to a reader: hard-wrapped lines rejoined, list markers and emphasis dropped.

    Markdown sources wrap paragraphs at ~100 characters; splitting on lines would quote fragments.
    """
    sentences: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        lines: list[str] = []
        for line in paragraph.splitlines():
            stripped = _MARKUP.sub("", line.strip())
            if not stripped or stripped.startswith("#"):
                continue
            if _LIST_ITEM.match(stripped) or not lines:
                lines.append(_LIST_ITEM.sub("", stripped))
            else:
                joiner = "" if _CJK_END.search(lines[-1]) and _CJK_START.match(stripped) else " "
                lines[-1] = f"{lines[-1]}{joiner}{stripped}"
        for line in lines:
            for piece in _listed(_balanced(split_sentences(line))):
                closers = _closing(piece, sentences[-1]) if sentences else ""
                if closers:  # a closing quote split off after 。 belongs to its sentence
                    sentences[-1] += closers
                    piece = piece[len(closers) :].strip()
                if piece:
                    sentences.append(piece)
    return sentences


def _closing(piece: str, before: str) -> str:
    """The closing quotes and brackets `piece` opens with that end the sentence `before`. A straight
    double quote closes only a quote `before` left open: in `… or call instead. "Impracticable"
    means …` it opens the next sentence."""
    closers = _CLOSERS.match(piece)
    if not closers:
        return ""
    run = closers.group(0)
    if '"' in run and before.count('"') % 2 == 0:
        run = run[: run.index('"')]
    return run


#: Longest list sentence ("不得在以下地点找客户：医院…；学校…；宗教场所；…。") kept whole when quoted.
LIST_SENTENCE = 260


def _listed(pieces: list[str]) -> list[str]:
    """Rejoin a sentence that introduces a list with a colon and separates its items with "；"
    (split_sentences cuts at every "；", which quotes "医院、诊所；" without "不得在以下地点").
    Kept apart when the whole would be longer than `LIST_SENTENCE`."""
    out: list[str] = []
    run: list[str] = []
    for piece in pieces:
        if run:
            run.append(piece)
            if not piece.endswith("；"):
                joined = "".join(run)
                out.extend([joined] if len(joined) <= LIST_SENTENCE else run)
                run = []
        elif piece.endswith("；") and "：" in piece:
            run = [piece]
        else:
            out.append(piece)
    out.extend(run)
    return out


def _balanced(pieces: list[str]) -> list[str]:
    """Rejoin sentences split inside a quotation or a bracket (「…。…」, "(CONC 7.9.14 R; CONC 7.3.4 R)"),
    so a quote or a list of citations is never cut in half."""
    out: list[str] = []
    for piece in pieces:
        if out and any(out[-1].count(o) > out[-1].count(c) for o, c in _PAIRS):
            out[-1] += piece if out[-1].endswith(("。", "；", "！", "？")) else f" {piece}"
        else:
            out.append(piece)
    return out


# -- the index's tokens -------------------------------------------------------------------------

_INDEX_WORD = re.compile(rf"[a-z0-9]+(?:[./][a-z0-9]+)*|[{CJK}]+")
#: A provision with its paragraph path, kept whole as an extra token: "1692c(a)(3)", "1006.6(b)(1)".
_PROVISION = re.compile(r"\d+[a-z]?(?:\.\d+)*(?:\([0-9a-z]{1,4}\))+")
INDEX_EN_STOP = frozenset(
    "a an and are as at be by can do does for from has have how i if in into is it may must my no not of on or our "
    "should so than that the their them then there these they this to under was we what when where which who will "
    "with you your".split()
)
#: Function characters: a bigram containing one ("有什", "么规") carries no meaning of its own.
INDEX_ZH_STOP_CHARS = frozenset("的了是在和与或及对把被就也都而但吗呢啊吧我你他她它们这那有没么什怎哪些可以否")
INDEX_ZH_STOP = frozenset(
    "的 了 是 在 和 与 或 及 对 把 被 就 也 都 而 但 吗 呢 啊 吧 我 你 他 她 它 们 这 那 有 没 么 什么 怎么 哪些 可以 是否".split()
)


@cache
def _jieba() -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba


def tokenize(text: str, bigrams: bool = True) -> list[str]:
    """Tokens for BM25: English words, section numbers, jieba words and (optionally) CJK bigrams.

    The pack's sentences are tokenized again on every question (coverage, composing), so results are
    memoised (`_tokens`, an LRU of 32k texts); each call gets its own list."""
    return list(_tokens(text, bigrams))


@lru_cache(maxsize=32768)
def _tokens(text: str, bigrams: bool) -> tuple[str, ...]:
    return tuple(_tokenize(text, bigrams))


def _tokenize(text: str, bigrams: bool) -> list[str]:
    lowered = text.lower()
    tokens: list[str] = [m.group(0) for m in _PROVISION.finditer(lowered)]
    for match in _INDEX_WORD.finditer(lowered):
        token = match.group(0)
        if CJK_RUN.fullmatch(token):
            tokens.extend(w for w in _jieba().lcut_for_search(token) if w.strip() and w not in INDEX_ZH_STOP)
            if bigrams:
                pairs = (token[i : i + 2] for i in range(len(token) - 1))
                tokens.extend(p for p in pairs if not (INDEX_ZH_STOP_CHARS & set(p)))
        elif token not in INDEX_EN_STOP:
            tokens.append(_fold_plural(token))
            if "." in token or "/" in token:  # "1006.18" also matches a bare "1006"
                tokens.append(re.split(r"[./]", token)[0])
    return tokens


def _fold_plural(token: str) -> str:
    """Fold English plurals ("visits" → "visit", "policies" → "policy"); leave numbers and short words."""
    if len(token) <= 3 or not token.isalpha():
        return token
    if token.endswith("ies"):
        return token[:-3] + "y"
    if token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


# -- the scorers' matching units ----------------------------------------------------------------

_MATCH_WORD = re.compile(r"[a-z0-9§]+(?:[./][a-z0-9]+)*[a-z0-9]*")
NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
_MARKER = re.compile(r"\s*\[(\d{1,3})\]")
MATCH_EN_STOP = frozenset(
    "a an the of to in on at for and or is are be was were it its this that with as by from not no you your "
    "we our they their he she his her i me my do does did can may must shall will should would could if then "
    "than so such any all there here what which who whom when where why how".split()
)
#: CJK bigrams made only of these characters carry no meaning on their own.
MATCH_ZH_STOP_CHARS = frozenset("的了是在和与及或也就都而且把被对于之其这那个")


def normalise(text: str) -> str:
    """NFKC (full-width digits and letters to ASCII), lower case, thousands separators and trailing zeros dropped."""
    text = unicodedata.normalize("NFKC", text).lower()

    def number(match: re.Match[str]) -> str:
        raw = match.group(0).replace(",", "")
        if "." in raw:
            raw = raw.rstrip("0").rstrip(".")
        return raw

    return NUMBER.sub(number, text)


def strip_markers(text: str) -> str:
    """The text without its `[n]` citation markers."""
    return _MARKER.sub("", text).strip()


def match_tokens(text: str) -> list[str]:
    """Matching units: CJK character bigrams (a lone character as itself), English words without stop words, numbers."""
    text = normalise(strip_markers(text))
    out: list[str] = []
    for run in CJK_RUN.findall(text):
        if len(run) == 1:
            out.append(run)
        out.extend(run[i : i + 2] for i in range(len(run) - 1) if not set(run[i : i + 2]) <= MATCH_ZH_STOP_CHARS)
    latin = CJK_RUN.sub(" ", text)
    out.extend(_strip_suffix(w) for w in _MATCH_WORD.findall(latin) if w not in MATCH_EN_STOP)
    return out


def _strip_suffix(word: str) -> str:
    """A crude, symmetric suffix strip so "visits", "visited" and "visiting" meet "visit"."""
    if word.isdigit() or len(word) <= 4:
        return word
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and not word.endswith("ss") and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word
