"""Scorers: small pure functions, each returning a `Score(value, reason)`.

Text matching understands Chinese as well as English: sentences end at 。！？； and newlines as
well as .!?; Chinese is compared as character bigrams (no word boundaries needed), English as
lower-cased words, and numbers are normalised ("1,200.00" = "1200", "２０" = "20") so a figure
matches however it is written. Where a model judges (groundedness with an LLM), it returns
structured verdicts and the number is still computed here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from math import log2
from typing import Any

from visitcoach.text import NUMBER, normalise, strip_markers
from visitcoach.text import match_tokens as tokens

#: Default share of a sentence's tokens that a chunk must contain for the sentence to count as supported.
SUPPORT_THRESHOLD = 0.6
#: Default cosine similarity (local embeddings) that also counts as support, when a similarity is given.
SEMANTIC_THRESHOLD = 0.9
#: Default share of a key fact's tokens an answer must contain for the fact to count as covered.
FACT_THRESHOLD = 0.6
_CJK_ONLY = re.compile(r"[\u3400-\u9fff]+")


@dataclass(frozen=True)
class Score:
    """A metric's value in [0, 1] (None: not applicable to this row) and why."""

    value: float | None
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"value": None if self.value is None else round(self.value, 4), "reason": self.reason}


# -- text ---------------------------------------------------------------------------------------

_SENTENCE = re.compile(r"(?<=[。！？；!?])|(?<=\.)(?=\s)|\n+")
_LEADING_MARKERS = re.compile(r"(?:\[\d{1,3}\]\s*)+")
#: Closing quotes split off after the full stop inside them (CJK closers always; ASCII ones only
#: when a space, a marker or the end follows, as an opening quote is followed by its first word).
_CLOSING = re.compile(r"[」』”’）]+|[\"')]+(?=\s|\[|$)")
#: A piece ending like this did not end a sentence ("15 U.S.C. 1692c", "e.g. a", "Mr. Smith").
_ABBREVIATION = re.compile(r"(?:\b[A-Za-z]\.|\b(?:e\.g|i\.e|etc|Mr|Mrs|Ms|Dr|No|vs|cf|para)\.)$")
_MARKER = re.compile(r"\s*\[(\d{1,3})\]")
def split_sentences(text: str) -> list[str]:
    """Sentences of Chinese or English text; a citation marker after the full stop stays with its sentence."""
    out: list[str] = []
    for piece in _SENTENCE.split(text or ""):
        piece = (piece or "").strip()
        if not piece:
            continue
        closer = _CLOSING.match(piece)
        if closer and out:  # "…。」[2]": the closing quote and its marker end the sentence before
            out[-1] += closer.group(0)
            piece = piece[closer.end() :].strip()
            if not piece:
                continue
        lead = _LEADING_MARKERS.match(piece)
        if lead and out:
            out[-1] += lead.group(0).strip()
            piece = piece[lead.end() :].strip()
            if not piece:
                continue
        if out and _ABBREVIATION.search(out[-1]):
            out[-1] += f" {piece}"
        else:
            out.append(piece)
    return out


def markers(sentence: str) -> list[int]:
    """The `[n]` citation numbers in a sentence."""
    return [int(n) for n in _MARKER.findall(sentence)]


_CLOCK_TIME = re.compile(r"(?<![\d:])(\d{1,2})[:：](\d{2})(?![\d:])")


def numbers(text: str) -> set[str]:
    """The numbers a text states; a clock time is one number ("21:00" is not stated by "21:30 … 08:00")."""
    text = normalise(text)
    clock = {f"{int(h)}:{m}" for h, m in _CLOCK_TIME.findall(text)}
    return clock | set(NUMBER.findall(_CLOCK_TIME.sub(" ", text)))


def containment(part: str, whole: str, *, cjk_chars: bool = False) -> float:
    """Share of `part`'s distinct tokens found in `whole` (1.0 when `part` has none). With `cjk_chars`, a
    Chinese token also counts when `whole` holds its characters, wherever jieba cut `whole`."""
    wanted = set(tokens(part))
    if not wanted:
        return 1.0
    have = set(tokens(whole))
    return sum(1 for t in wanted if t in have or (cjk_chars and _CJK_ONLY.fullmatch(t) and t in whole)) / len(wanted)


def _mean(values: Iterable[float]) -> float | None:
    vs = list(values)
    return sum(vs) / len(vs) if vs else None


# -- retrieval ----------------------------------------------------------------------------------


def recall_at_k(relevant: Sequence[bool], k: int, needed: int = 1) -> Score:
    """Share of the `needed` relevant items found in the top k (`relevant[i]`: whether hit i+1 is gold).

    The retrieval dataset lists alternatives (the zh and en versions of a policy), so `needed` is 1 there.
    """
    found = sum(relevant[:k])
    value = min(found, needed) / needed if needed else 1.0
    return Score(value, f"{found} relevant in the top {k} (needed {needed})")


def reciprocal_rank(relevant: Sequence[bool]) -> Score:
    rank = next((i for i, r in enumerate(relevant, start=1) if r), None)
    if rank is None:
        return Score(0.0, f"no relevant hit in {len(relevant)}")
    return Score(1.0 / rank, f"first relevant hit at rank {rank}")


def ndcg_at_k(relevant: Sequence[bool], k: int, needed: int = 1) -> Score:
    """Binary-relevance nDCG@k over the first `needed` relevant hits; the ideal puts them at the top."""
    gains = [i for i, r in enumerate(relevant[:k]) if r][:needed]  # alternatives beyond `needed` add nothing
    dcg = sum(1.0 / log2(i + 2) for i in gains)
    ideal = sum(1.0 / log2(i + 2) for i in range(min(needed, k)))
    value = min(1.0, dcg / ideal) if ideal else 1.0
    ranks = [i + 1 for i, r in enumerate(relevant[:k]) if r]
    return Score(value, f"relevant at ranks {ranks} of {k}" if ranks else f"nothing relevant in the top {k}")


# -- answers ------------------------------------------------------------------------------------


def key_fact_coverage(answer: str, key_facts: Sequence[str], threshold: float = FACT_THRESHOLD) -> Score:
    """Share of key facts the answer states: most of the fact's words/bigrams and every number in it."""
    if not key_facts:
        return Score(None, "no key facts")
    missing = [fact for fact in key_facts if not fact_present(fact, answer, threshold)]
    covered = len(key_facts) - len(missing)
    reason = f"{covered}/{len(key_facts)} key facts stated"
    if missing:
        reason += "; missing: " + " | ".join(missing[:3])
    return Score(covered / len(key_facts), reason)


def _cited_sentences(answer: str) -> list[tuple[str, list[int]]]:
    """(sentence without markers, its citation numbers) for every sentence that says something."""
    out = []
    for s in split_sentences(answer):
        text = strip_markers(s)
        if tokens(text):
            out.append((text, markers(s)))
    return out


def citation_precision(
    answer: str, cited: Sequence[Mapping[str, Any]], retrieved_ids: Iterable[str], threshold: float = SUPPORT_THRESHOLD
) -> Score:
    """Share of citations that point at a retrieved chunk containing the text they are cited for.

    `cited[n-1]` is the chunk behind marker `[n]` (`chunk_id`, `text`). A citation is correct when its
    chunk was retrieved and supports at least one sentence carrying its marker (any sentence, if the
    answer has no markers).
    """
    if not cited:
        return Score(None, "no citations")
    retrieved = set(retrieved_ids)
    sentences = _cited_sentences(answer)
    any_marker = any(m for _, m in sentences)
    bad = []
    for n, chunk in enumerate(cited, start=1):
        if chunk.get("chunk_id") not in retrieved:
            bad.append(f"[{n}] not retrieved")
            continue
        claims = [s for s, ms in sentences if n in ms] if any_marker else [s for s, _ in sentences]
        if not claims:
            bad.append(f"[{n}] cited by no sentence")
        elif max(containment(s, str(chunk.get("text", ""))) for s in claims) < threshold:
            bad.append(f"[{n}] does not contain what it is cited for")
    good = len(cited) - len(bad)
    return Score(good / len(cited), f"{good}/{len(cited)} citations correct" + (f" ({'; '.join(bad)})" if bad else ""))


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s).lower())


def _section_number(s: str) -> str | None:
    m = re.search(r"§\s*([\d.]+\d)", unicodedata.normalize("NFKC", s))
    return m.group(1) if m else None


def citation_matches(expected: str, cited: str, cited_doc: str = "", expected_docs: Iterable[str] = ()) -> bool:
    """An expected citation is met by a cited one that names it (or a part of it), or by the
    same policy section (§n) in another-language version of an expected document."""
    e, c = _squash(expected), _squash(cited)
    if e and c.startswith(e):
        rest = c[len(e) :]
        # "1692c(a)(1)" names a part of "1692c"; "7.9.14" is not a part of "7.9.1".
        if not rest or not (rest[0].isdigit() or re.match(r"\.\d", rest)):
            return True
    number = _section_number(expected)
    return bool(number and cited_doc in set(expected_docs) and _section_number(cited) == number)


def citation_recall(
    cited: Sequence[Mapping[str, Any]], expected_citations: Sequence[str], expected_doc_ids: Sequence[str] = ()
) -> Score:
    """Share of the expected citations the answer cites; without any, whether it cites an expected document."""
    if expected_citations:
        found = [
            e
            for e in expected_citations
            if any(citation_matches(e, str(c.get("citation", "")), str(c.get("doc_id", "")), expected_doc_ids) for c in cited)
        ]
        missing = [e for e in expected_citations if e not in found]
        reason = f"{len(found)}/{len(expected_citations)} expected citations cited"
        return Score(len(found) / len(expected_citations), reason + (f"; missing {missing}" if missing else ""))
    if expected_doc_ids:
        hit = any(c.get("doc_id") in set(expected_doc_ids) for c in cited)
        return Score(1.0 if hit else 0.0, "an expected document is cited" if hit else f"none of {list(expected_doc_ids)} cited")
    return Score(None, "no expected citations")


def sentence_support(
    sentence: str, chunks: Sequence[str], similarity: Callable[[str, str], float] | None = None
) -> tuple[float, float | None]:
    """(best lexical containment, best semantic similarity or None) of a sentence in any of `chunks`."""
    lexical = max((containment(sentence, c) for c in chunks), default=0.0)
    semantic = max((similarity(sentence, c) for c in chunks), default=0.0) if similarity and chunks else None
    return lexical, semantic


def groundedness(
    answer: str,
    cited_texts: Sequence[str],
    *,
    threshold: float = SUPPORT_THRESHOLD,
    similarity: Callable[[str, str], float] | None = None,
    semantic_threshold: float = SEMANTIC_THRESHOLD,
) -> Score:
    """Share of answer sentences supported by a chunk they cite (`cited_texts[n-1]` for marker `[n]`;
    every cited chunk for a sentence without markers): lexical containment, or semantic similarity
    when `similarity` is given."""
    sentences = _cited_sentences(answer)
    if not sentences:
        return Score(None, "no sentences")
    unsupported = []
    for text, ms in sentences:
        chunks = [cited_texts[m - 1] for m in ms if 1 <= m <= len(cited_texts)] if ms else list(cited_texts)
        lexical = max((containment(text, c) for c in chunks), default=0.0)
        if lexical >= threshold:
            continue
        # The embedding check is dearer: only for sentences the words do not already support.
        semantic = max((similarity(text, c) for c in chunks), default=0.0) if similarity and chunks else None
        if semantic is None or semantic < semantic_threshold:
            unsupported.append(text[:60])
    ok = len(sentences) - len(unsupported)
    reason = f"{ok}/{len(sentences)} sentences supported by a cited chunk"
    return Score(ok / len(sentences), reason + (f"; unsupported: {' | '.join(unsupported[:2])}" if unsupported else ""))


def parse_judge_verdicts(reply: str, count: int) -> list[bool | None]:
    """Per-sentence verdicts from the judge's JSON ({"verdicts": [{"sentence": i, "supported": bool, ...}]});
    sentences the reply does not judge are None."""
    import json

    found: list[bool | None] = [None] * count
    match = re.search(r"\{.*\}", reply, re.DOTALL)
    try:
        data = json.loads(match.group(0)) if match else {}
    except json.JSONDecodeError:
        return found
    items = data.get("verdicts") if isinstance(data, dict) else None
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        i, ok = item.get("sentence"), item.get("supported")
        if isinstance(i, int) and not isinstance(i, bool) and 1 <= i <= count and isinstance(ok, bool):
            found[i - 1] = ok
    return found


def groundedness_from_verdicts(verdicts: Sequence[bool | None]) -> Score:
    """The judged share of supported sentences; an unjudged sentence counts as unsupported."""
    if not verdicts:
        return Score(None, "no sentences")
    ok = sum(v is True for v in verdicts)
    unjudged = sum(v is None for v in verdicts)
    reason = f"judge: {ok}/{len(verdicts)} sentences supported" + (f" ({unjudged} not judged)" if unjudged else "")
    return Score(ok / len(verdicts), reason)


def refusal(answered: bool, answerable: bool) -> Score:
    """1 when the assistant answers an answerable question or declines an unanswerable one."""
    if answerable:
        return Score(1.0 if answered else 0.0, "answered" if answered else "refused an answerable question")
    return Score(0.0 if answered else 1.0, "answered an unanswerable question" if answered else "correctly declined")


# -- compliance ---------------------------------------------------------------------------------


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    """Precision, recall and F1 (1.0 for an empty denominator: nothing to find, nothing wrongly found)."""
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0, "support": tp + fn, "tp": tp, "fp": fp, "fn": fn}


def category_match(expected: Iterable[str], got: Iterable[str]) -> Score:
    """1 when the reported categories are exactly the expected ones."""
    want, have = set(expected), set(got)
    if want == have:
        return Score(1.0, f"exactly {sorted(want) or 'compliant'}")
    parts = []
    if want - have:
        parts.append(f"missed {sorted(want - have)}")
    if have - want:
        parts.append(f"wrongly flagged {sorted(have - want)}")
    return Score(0.0, "; ".join(parts))


def compliance_metrics(
    pairs: Sequence[tuple[Iterable[str], Iterable[str]]], categories: Sequence[str]
) -> dict[str, Any]:
    """Per-category P/R/F1, micro P/R/F1 and the false-positive rate over (expected, got) category sets.

    The false-positive rate is the share of compliant scripts (nothing expected) with any finding.
    """
    tp = dict.fromkeys(categories, 0)
    fp = dict.fromkeys(categories, 0)
    fn = dict.fromkeys(categories, 0)
    compliant = flagged = 0
    for expected, got in pairs:
        want, have = set(expected), set(got)
        for c in want | have:
            tp.setdefault(c, 0), fp.setdefault(c, 0), fn.setdefault(c, 0)
        for c in want & have:
            tp[c] += 1
        for c in have - want:
            fp[c] += 1
        for c in want - have:
            fn[c] += 1
        if not want:
            compliant += 1
            flagged += bool(have)
    per = {c: prf(tp[c], fp[c], fn[c]) for c in tp}
    micro = prf(sum(tp.values()), sum(fp.values()), sum(fn.values()))
    fpr = flagged / compliant if compliant else 0.0
    return {
        "per_category": per,
        "micro": micro,
        "false_positive_rate": Score(fpr, f"{flagged} of {compliant} compliant scripts flagged"),
    }


# -- plans, prep, rehearsal ---------------------------------------------------------------------


def _leaves(prefix: str, value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(_leaves(f"{prefix}.{k}" if prefix else str(k), v))
        return out
    return {prefix: value}


def plan_validity(expected: Mapping[str, Any], got: Mapping[str, Any]) -> Score:
    """1 when the calculator offers exactly the expected option kinds, in order, for the expected segment."""
    problems = []
    if "options" in expected and list(got.get("options", [])) != list(expected["options"]):
        problems.append(f"options {got.get('options')} != expected {expected['options']}")
    if "segment" in expected and got.get("segment") != expected["segment"]:
        problems.append(f"segment {got.get('segment')!r} != expected {expected['segment']!r}")
    return Score(0.0 if problems else 1.0, "; ".join(problems) or "option set and segment as expected")


def figure_accuracy(expected: Mapping[str, Any], got: Mapping[str, Any]) -> Score:
    """Share of the expected key figures (every leaf except the option list) the calculator reproduces exactly."""
    want = {k: v for k, v in _leaves("", dict(expected)).items() if k not in ("options", "segment")}
    if not want:
        return Score(None, "no figures expected")
    have = _leaves("", dict(got))
    wrong = [f"{k}: expected {v!r}, got {have.get(k)!r}" for k, v in want.items() if have.get(k) != v]
    ok = len(want) - len(wrong)
    return Score(ok / len(want), f"{ok}/{len(want)} figures match" + (f"; {'; '.join(wrong[:3])}" if wrong else ""))


def go_no_go(expected: bool, got: bool) -> Score:
    word = {True: "go", False: "no-go"}
    if expected == got:
        return Score(1.0, f"{word[got]} as expected")
    return Score(0.0, f"{word[got]}, expected {word[expected]}")


def exact(expected: Any, got: Any, what: str) -> Score:
    return Score(1.0, f"{what} as expected") if expected == got else Score(0.0, f"{what} differ: expected {expected!r}, got {got!r}")


def rehearsal_agreement(
    expected_passed: bool, band: tuple[float, float], ended_by: Sequence[str], card: Mapping[str, Any], got_ended_by: str | None
) -> Score:
    """1 when the scorecard's pass/fail, total (within the expected band) and ending all agree with the expectation."""
    problems = []
    if bool(card["passed"]) != expected_passed:
        problems.append(f"passed {card['passed']}, expected {expected_passed}")
    if not band[0] <= float(card["total"]) <= band[1]:
        problems.append(f"total {card['total']} outside [{band[0]}, {band[1]}]")
    if got_ended_by not in ended_by:
        problems.append(f"ended by {got_ended_by}, expected one of {list(ended_by)}")
    return Score(0.0 if problems else 1.0, "; ".join(problems) or f"agrees (total {card['total']}, ended by {got_ended_by})")


def mean_score(scores: Iterable[Score]) -> float | None:
    """Mean of the applicable values (None values are left out)."""
    return _mean(s.value for s in scores if s.value is not None)


# -- answer correctness -------------------------------------------------------------------------

#: The "see also" paragraph of an offline answer lists references, not claims.
_SEE_ALSO = re.compile(r"\n+\s*(?:see also|另见)\s*[:：].*$", re.IGNORECASE | re.DOTALL)


def claims_text(answer: str) -> str:
    """The answer without its trailing "See also" references."""
    return _SEE_ALSO.sub("", answer or "").strip()


def fact_present(fact: str, answer: str, threshold: float = FACT_THRESHOLD) -> bool:
    """Whether the answer states the fact: most of its words/bigrams and every number in it.

    A Chinese token of the fact counts when the answer holds its characters, wherever jieba cut the
    answer: "30 天" is stated by "至少等待 30 天再联系", which jieba cuts as "30 / 天再"."""
    fact, answer = _canonical_clock(fact), _canonical_clock(answer)
    return numbers(fact) <= numbers(answer) and containment(fact, answer, cjk_chars=True) >= threshold


def _canonical_clock(text: str) -> str:
    """"08:00" and "8:00" are the same time."""
    return _CLOCK_TIME.sub(lambda m: f"{int(m.group(1))}:{m.group(2)}", text)


def all_key_facts(answer: str, key_facts: Sequence[str]) -> Score:
    """1 when every key fact is stated (a right answer), else 0."""
    if not key_facts:
        return Score(None, "no key facts")
    missing = [f for f in key_facts if not fact_present(f, answer)]
    return Score(0.0 if missing else 1.0, "every key fact stated" if not missing else "missing: " + " | ".join(missing[:3]))


def forbidden_facts(answer: str, forbidden: Sequence[str]) -> Score:
    """1 when the answer states a fact it must not (another jurisdiction's rule, a wrong figure), else 0."""
    if not forbidden:
        return Score(0.0, "no forbidden facts listed")
    found = [f for f in forbidden if fact_present(f, answer)]
    return Score(1.0 if found else 0.0, ("states: " + " | ".join(found[:3])) if found else "no forbidden fact")


def wrong_jurisdiction(
    answer: str, cited: Sequence[Mapping[str, Any]], jurisdiction: str | None, forbidden: Sequence[str]
) -> Score:
    """1 when the answer gives another jurisdiction's rule as the answer: a forbidden fact, or a first
    sentence resting on a document of another jurisdiction than the one asked, else 0."""
    bad = forbidden_facts(answer, forbidden)
    if bad.value:
        return bad
    if jurisdiction in ("CN", "US", "UK"):
        first = split_sentences(claims_text(answer))[:1]
        for n in markers(first[0]) if first else []:
            if 1 <= n <= len(cited):
                j = cited[n - 1].get("jurisdiction")
                if j and j not in (jurisdiction, "ALL"):
                    return Score(1.0, f"first sentence rests on a {j} source [{n}] for a {jurisdiction} question")
    return Score(0.0, "no other jurisdiction's rule given as the answer")


#: An opening that is only a verdict ("No.", "不可以。"): the sentence after it is the direct answer's body.
_BARE_VERDICT = re.compile(r"^(?:no|yes|no,? never|not usually)[.!]?$|^(?:不可以|可以|不行|不能|能|不得|是的|不是|否)[。！]?$", re.IGNORECASE)


def direct_answer(answer: str, key_facts: Sequence[str]) -> Score:
    """1 when the opening carries a key fact (the answer comes first), else 0. The opening is the
    first sentence, and the one after it when the first is a bare verdict ("No. In the UK visits
    are made only between 08:00 and 20:00 [1]")."""
    if not key_facts:
        return Score(None, "no key facts")
    sentences = split_sentences(claims_text(answer))
    first = sentences[:1]
    if first and _BARE_VERDICT.match(strip_markers(first[0]).strip()):
        first = [" ".join(sentences[:2])]
    if first and any(fact_present(f, first[0]) for f in key_facts):
        return Score(1.0, "the first sentence states a key fact")
    return Score(0.0, "the first sentence states no key fact")


def citation_in_top(
    citations: Sequence[Mapping[str, Any]], expected_citations: Sequence[str], expected_doc_ids: Sequence[str], k: int = 5
) -> Score:
    """1 when one of the first k citations (or ranked sections) is an expected citation."""
    top = list(citations)[:k]
    if not expected_citations:
        return citation_recall(top, expected_citations, expected_doc_ids)
    hit = [e for e in expected_citations if any(citation_matches(e, str(c.get("citation", "")), str(c.get("doc_id", "")), expected_doc_ids) for c in top)]
    return Score(1.0 if hit else 0.0, f"{hit[0]} in the top {k}" if hit else f"no expected citation in the top {k}")
