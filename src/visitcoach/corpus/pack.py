"""Whole-pack validation: every file parses, legal sections are cited, citations resolve, the plan
policy is complete, and the sample pack keeps its promises (fictional, bilingual, covered).

`validate_pack` returns problems as one-line strings naming the file (and field), so a compliance
officer can run `visitcoach validate` after editing the pack and fix each line.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from visitcoach.corpus.concepts import load_vocabulary, quantity_conflicts
from visitcoach.corpus.loader import Document, discover, load_document
from visitcoach.corpus.records import read_record
from visitcoach.corpus.schemas import PlanPolicy
from visitcoach.errors import KnowledgeError
from visitcoach.retrieval.glossary import load_glossary
from visitcoach.text import JURISDICTIONS

PLAN_POLICY = Path("policy") / "plan_policy.yaml"
_H2 = re.compile(r"^##\s+(?!#)(.*)$", re.MULTILINE)
_SECTION_NO = re.compile(r"§\d+(?:\.\d+)*")
#: Full-form legal citations as written in prose; each must resolve to a legal section (or its parent).
_CITED = re.compile(
    r"15 U\.S\.C\. 16\d\d[a-z]?(?:\([0-9a-z]+\))*"
    r"|12 CFR 1006\.\d+(?:\([0-9a-z]+\))*"
    r"|CONC \d+\.\d+(?:\.\d+[A-Z]?)?(?: [RG]\b)?"
    r"|(?:刑法|民法典|个人信息保护法)第[一二三四五六七八九十百千零]+条(?:之[一二三四五六七八九十])?"
)
_DISCLAIMER = ("not legal advice", "不构成法律意见")
_SECONDARY = ("secondary", "二手来源")


@dataclass
class PackReport:
    documents: list[Document] = field(default_factory=list)
    plan_policy: PlanPolicy | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def section_citations(self, *doc_types: str) -> set[str]:
        return {s.citation for d in self.documents if d.meta.doc_type in doc_types for s in d.sections if s.citation}


def load_plan_policy(root: Path) -> PlanPolicy:
    return read_record(root / PLAN_POLICY, PlanPolicy, "plan policy")


def validate_pack(root: Path, *, sample_pack: bool = False) -> PackReport:
    """Check the pack under `root`. `sample_pack` adds the promises of the shipped sample pack."""
    report = PackReport()
    for path in discover(root):
        try:
            report.documents.append(load_document(path, root))
        except KnowledgeError as exc:
            report.problems.append(str(exc))
    try:
        report.plan_policy = load_plan_policy(root)
    except KnowledgeError as exc:
        report.problems.append(str(exc))
    try:
        load_glossary(root)
    except KnowledgeError as exc:
        report.problems.append(str(exc))

    ids = Counter(d.id for d in report.documents)
    report.problems += [f"duplicate document id {i!r}" for i, n in ids.items() if n > 1]
    for doc in report.documents:
        if doc.meta.doc_type == "legal":
            report.problems += _check_legal(doc)

    legal_and_policy = report.section_citations("legal", "policy")
    for doc in report.documents:
        for cite in doc.meta.legal_basis:
            if cite not in legal_and_policy:
                report.problems.append(
                    f"{doc.path}: field 'legal_basis': citation {cite!r} is not a section of any legal or policy document"
                )
    if report.plan_policy is not None:
        for product, by_jur in report.plan_policy.products.items():
            for jur, pol in by_jur.items():
                for kind, cite in pol.citations.items():
                    if cite not in legal_and_policy:
                        report.problems.append(
                            f"{root / PLAN_POLICY}: field 'products.{product}.{jur}.citations.{kind}': {cite!r} is not a policy section"
                        )
    legal = report.section_citations("legal")
    for doc in report.documents:
        if doc.meta.doc_type == "legal":
            continue  # a legal document may mention provisions it does not itself summarise
        text = "\n".join(sec.text for sec in doc.sections)
        for cite in sorted(set(_CITED.findall(text))):
            if not _resolves(cite, legal):
                report.problems.append(f"{doc.path}: cites {cite!r}, which no legal document covers")
    report.problems += _check_exercises(report)
    report.problems += _check_concepts(root, report)
    if sample_pack:
        report.problems += _check_sample_pack(report)
    return report


def _check_concepts(root: Path, report: PackReport) -> list[str]:
    """The concept vocabulary parses, names only sections the pack has, and its quantities agree."""
    try:
        vocabulary = load_vocabulary(root)
    except KnowledgeError as exc:
        return [str(exc)]
    if vocabulary.path is None:
        return []
    cites = report.section_citations("legal", "policy")
    problems = [
        f"{vocabulary.path}: field 'concept {c.id}: sections.{j}': {cite!r} is not a section of any legal or policy document"
        for c in vocabulary.spec.concepts
        for j, listed in c.sections.items()
        for cite in listed
        if cite not in cites
    ]
    sections = [
        (str(d.path), d.meta.lang, s.citation, s.text)
        for d in report.documents
        if d.meta.doc_type == "policy"
        for s in d.sections
        if s.citation
    ]
    return problems + quantity_conflicts(vocabulary, sections)


def _check_exercises(report: PackReport) -> list[str]:
    """An exercise's persona and case exist, in the exercise's jurisdiction; its context is a valid visit context."""
    from visitcoach.compliance.context import parse_context

    records = {d.id: d.record for d in report.documents if d.record is not None}
    problems = []
    for doc in report.documents:
        if doc.meta.doc_type != "exercise" or doc.record is None:
            continue
        ex = doc.record
        persona = records.get(ex.persona)
        if persona is None:
            problems.append(f"{doc.path}: field 'persona': no persona {ex.persona!r} in the pack")
        elif persona.jurisdiction != ex.jurisdiction:
            problems.append(f"{doc.path}: field 'persona': {ex.persona} is {persona.jurisdiction}, the exercise {ex.jurisdiction}")
        if ex.case_id is not None:
            case = records.get(ex.case_id)
            if case is None:
                problems.append(f"{doc.path}: field 'case_id': no case {ex.case_id!r} in the pack")
            elif case.jurisdiction != ex.jurisdiction:
                problems.append(f"{doc.path}: field 'case_id': {ex.case_id} is {case.jurisdiction}, the exercise {ex.jurisdiction}")
        try:
            parse_context(ex.context, f"{doc.path}: field 'context'")
        except Exception as exc:  # noqa: BLE001 - reported, not raised
            problems.append(str(exc))
    return problems


def _resolves(cite: str, sections: set[str]) -> bool:
    """`cite` is a section citation, or a sub-provision of one ("1692b(2)" under "1692b", "7.9.14" under "7.9.14 R")."""
    if cite in sections:
        return True
    return any(
        s.startswith(cite + " ") or (cite.startswith(s) and not cite[len(s) : len(s) + 1].isdigit()) for s in sections
    )


def _check_legal(doc: Document) -> list[str]:
    problems = []
    text = doc.path.read_text(encoding="utf-8")
    for match in _H2.finditer(text):
        heading = match.group(1)
        if 'cite="' not in heading:
            line = text[: match.start()].count("\n") + 1
            problems.append(f"{doc.path}:{line}: legal section without a cite attribute: {heading.strip()}")
    for section in doc.sections:
        if section.confidence == "S" and not any(w in section.text.lower() for w in _SECONDARY):
            problems.append(f"{doc.path}:{section.line}: section marked confidence S must say it is a secondary source")
    if not any(d in text.lower() for d in _DISCLAIMER):
        problems.append(f"{doc.path}: legal guidance must say it is not legal advice")
    return problems


def _check_sample_pack(report: PackReport) -> list[str]:
    problems = []
    for doc in report.documents:
        if doc.meta.doc_type in ("policy", "case", "persona", "exercise") and doc.meta.fictional is not True:
            problems.append(f"{doc.path}: field 'fictional': sample-pack files must say fictional: true")
    if report.plan_policy is not None and not report.plan_policy.fictional:
        problems.append("plan_policy.yaml: field 'fictional': sample-pack files must say fictional: true")
    by_type: dict[str, Counter[str]] = defaultdict(Counter)
    for doc in report.documents:
        by_type[doc.meta.doc_type][doc.meta.jurisdiction] += 1
    for doc_type, minimum in (("case", 12), ("persona", 3)):
        for jur in JURISDICTIONS:
            if by_type[doc_type][jur] < minimum:
                problems.append(
                    f"sample pack has {by_type[doc_type][jur]} {doc_type} files for {jur}; at least {minimum} expected"
                )
    policies = {d.id: d for d in report.documents if d.meta.doc_type == "policy"}
    for doc_id, doc in policies.items():
        if doc_id.endswith("-en"):
            twin = policies.get(doc_id[:-3] + "-zh")
            if twin is None:
                problems.append(f"{doc.path}: no Chinese version ({doc_id[:-3]}-zh)")
                continue
            if _numbers(doc) != _numbers(twin):
                problems.append(f"{twin.path}: section numbers differ from {doc.path.name}")
    return problems


def _numbers(doc: Document) -> set[str]:
    return {m.group(0) for s in doc.sections for h in s.heading_path for m in [_SECTION_NO.match(h)] if m}
