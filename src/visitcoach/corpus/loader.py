"""Read knowledge files (Markdown, text, YAML, PDF, DOCX) into `Document`s of headed sections.

Every parse error becomes a `KnowledgeError` naming the file, and where possible the line or
field, so a compliance officer can fix their file without reading Python.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from visitcoach.corpus.schemas import CaseFile, ExerciseFile, FrontMatter, PersonaFile
from visitcoach.errors import KnowledgeError
from visitcoach.text import JURISDICTIONS, detect_lang

log = logging.getLogger(__name__)

SUFFIXES = {".md", ".markdown", ".txt", ".yaml", ".yml", ".pdf", ".docx"}
#: Files that are data for other components, not prose to index.
SKIP_DIRS = {"rules"}
SKIP_NAMES = {"README.md", "plan_policy.yaml", "glossary.yaml", "concepts.yaml"}

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$")
_ATTRS = re.compile(r"\s*\{([^{}]*)\}\s*$")
_ATTR_PAIR = re.compile(r'(\w+)="([^"]*)"')
_SECTION_NO = re.compile(r"^(§\s?\d+(?:\.\d+)*)")


@dataclass
class Section:
    """A run of text under one heading path."""

    heading_path: list[str]
    text: str
    citation: str | None
    confidence: str | None = None
    line: int = 1


@dataclass
class Document:
    meta: FrontMatter
    path: Path
    sha256: str
    sections: list[Section] = field(default_factory=list)
    #: The validated structured record for YAML kinds (case, persona); None for prose.
    record: Any = None

    @property
    def id(self) -> str:
        return self.meta.id


def discover(root: Path) -> list[Path]:
    """Indexable files under `root`, sorted, skipping rules/ and data files."""
    if not root.is_dir():
        raise KnowledgeError(root, "knowledge directory not found (set VISITCOACH_KNOWLEDGE_DIR)")
    found = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if not path.is_file() or path.suffix.lower() not in SUFFIXES:
            continue
        if path.name in SKIP_NAMES or any(part in SKIP_DIRS or part.startswith(".") for part in rel.parts):
            continue
        if path.name.endswith(".meta.yaml"):
            continue
        found.append(path)
    return found


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_document(path: Path, root: Path | None = None) -> Document:
    """Parse one file. Raises KnowledgeError naming the file (and line or field)."""
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    suffix = path.suffix.lower()
    if suffix in (".pdf", ".docx"):
        meta = _sidecar_meta(path, root)
        sections = _pdf_sections(path) if suffix == ".pdf" else _docx_sections(path)
        if not meta.get("lang"):
            meta["lang"] = detect_lang(" ".join(s.text for s in sections)[:4000])
        fm = _front_matter(path, meta)
        for section in sections:
            section.citation = _derived_citation(fm, section.heading_path[-1]) or fm.citation
        return Document(fm, path, digest, sections)
    text = _decode(path, raw)
    if suffix in (".yaml", ".yml"):
        return _yaml_document(path, text, digest)
    meta, body, body_line = _split_front_matter(path, text)
    meta = {**_inferred_meta(path, root, body), **meta}
    fm = _front_matter(path, meta)
    doc = Document(fm, path, digest)
    # The front-matter summary describes the document (Knowledge tab, listings); it is not indexed
    # as a chunk of its own: an overview competes with the precise sections for every question.
    doc.sections = _markdown_sections(path, fm, body, body_line)
    return doc


def _decode(path: Path, raw: bytes) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise KnowledgeError(path, f"not UTF-8 (byte {exc.start}); save the file as UTF-8", line=line) from None
    return text.lstrip("\ufeff")


def _split_front_matter(path: Path, text: str) -> tuple[dict[str, Any], str, int]:
    if not text.startswith("---"):
        return {}, text, 1
    lines = text.splitlines(keepends=True)
    for i in range(1, len(lines)):
        if lines[i].rstrip() == "---":
            block = "".join(lines[1:i])
            try:
                meta = yaml.safe_load(block) or {}
            except yaml.YAMLError as exc:
                problem = getattr(exc, "problem", None) or "invalid YAML"
                raise KnowledgeError(path, f"broken front matter: {problem}", line=_yaml_line(exc, block, 2)) from None
            if not isinstance(meta, dict):
                raise KnowledgeError(path, "front matter must be a mapping of keys to values", line=2)
            return meta, "".join(lines[i + 1 :]), i + 2
    raise KnowledgeError(path, "front matter starts with '---' but has no closing '---'", line=1)


def _yaml_line(exc: yaml.YAMLError, text: str, first_line: int) -> int | None:
    """The file line of a YAML error: where it was noticed, or where the unclosed construct began."""
    problem = getattr(exc, "problem_mark", None)
    context = getattr(exc, "context_mark", None)
    mark = problem
    if context is not None and (problem is None or problem.line >= len(text.splitlines())):
        mark = context  # noticed at end of input: point at the opening bracket or quote instead
    return mark.line + first_line if mark is not None else None


def _front_matter(path: Path, meta: dict[str, Any]) -> FrontMatter:
    try:
        return FrontMatter(**meta)
    except ValidationError as exc:
        raise KnowledgeError.from_validation(path, exc) from None


def _inferred_meta(path: Path, root: Path | None, body: str) -> dict[str, Any]:
    """Defaults for files without (complete) front matter: from the folder and the text."""
    rel_parts = path.relative_to(root).parts if root and path.is_relative_to(root) else path.parts
    meta: dict[str, Any] = {"id": path.stem.replace(" ", "-"), "title": path.stem.replace("-", " ").strip()}
    folder_types = {
        "policy": "policy",
        "legal": "legal",
        "cases": "case",
        "personas": "persona",
        "exercises": "exercise",
    }
    for part in rel_parts[:-1]:
        if part in folder_types:
            meta["doc_type"] = folder_types[part]
        if part.upper() in JURISDICTIONS:
            meta["jurisdiction"] = part.upper()
    meta.setdefault("jurisdiction", "ALL")
    meta["lang"] = detect_lang(body[:4000])
    for line in body.splitlines():
        m = _HEADING.match(line)
        if m and len(m.group(1)) == 1:
            meta["title"] = _ATTRS.sub("", m.group(2))
            break
    return meta


def _sidecar_meta(path: Path, root: Path | None) -> dict[str, Any]:
    """PDF and DOCX carry metadata in `<name>.meta.yaml` beside them; the folder fills the rest."""
    meta = _inferred_meta(path, root, "")
    meta.pop("lang", None)
    sidecar = path.with_name(path.name + ".meta.yaml")
    if sidecar.exists():
        try:
            extra = yaml.safe_load(_decode(sidecar, sidecar.read_bytes())) or {}
        except yaml.YAMLError as exc:
            raise KnowledgeError(sidecar, f"broken YAML: {getattr(exc, 'problem', exc)}") from None
        if not isinstance(extra, dict):
            raise KnowledgeError(sidecar, "must be a mapping of front-matter keys")
        meta.update(extra)
    return meta


def _markdown_sections(path: Path, fm: FrontMatter, body: str, first_line: int) -> list[Section]:
    sections: list[Section] = []
    stack: list[tuple[int, str, str | None, str | None]] = []  # (level, title, citation, confidence)
    buf: list[str] = []
    buf_line = first_line

    def flush() -> None:
        text = "\n".join(buf).strip()
        if text:
            cite = next((c for _, _, c, _ in reversed(stack) if c), fm.citation)
            conf = next((c for _, _, _, c in reversed(stack) if c), None)
            sections.append(Section([t for _, t, _, _ in stack] or [fm.title], text, cite, conf, buf_line))

    for offset, line in enumerate(body.splitlines()):
        m = _HEADING.match(line)
        if not m:
            buf.append(line)
            continue
        flush()
        buf = []
        buf_line = first_line + offset + 1
        level, title = len(m.group(1)), m.group(2)
        cite: str | None = None
        confidence: str | None = None
        attrs = _ATTRS.search(title)
        if attrs:
            pairs = dict(_ATTR_PAIR.findall(attrs.group(1)))
            unknown = set(pairs) - {"cite", "confidence"}
            if unknown or not pairs:
                raise KnowledgeError(
                    path,
                    f'heading attributes must be cite="..." or confidence="C|S", got {{{attrs.group(1)}}}',
                    line=first_line + offset,
                )
            if pairs.get("confidence", "C") not in ("C", "S"):
                raise KnowledgeError(path, "confidence must be C or S", line=first_line + offset, field="confidence")
            cite, confidence = pairs.get("cite"), pairs.get("confidence")
            title = _ATTRS.sub("", title)
        cite = cite or _derived_citation(fm, title)
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, title.strip(), cite, confidence))
    flush()
    if not sections:
        raise KnowledgeError(path, "document has no text")
    return sections


def _derived_citation(fm: FrontMatter, title: str) -> str | None:
    """A policy heading that starts with a section number cites itself: "Field Visit Policy §4.2"."""
    if fm.doc_type != "policy" or not fm.citation:
        return None
    number = _SECTION_NO.match(title)
    return f"{fm.citation} {number.group(1).replace(' ', '')}" if number else None


def _yaml_document(path: Path, text: str, digest: str) -> Document:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise KnowledgeError(
            path, f"broken YAML: {getattr(exc, 'problem', None) or exc}", line=_yaml_line(exc, text, 1)
        ) from None
    if not isinstance(data, dict):
        raise KnowledgeError(path, "a YAML knowledge file must be a mapping")
    kind = data.get("doc_type")
    models = {"case": CaseFile, "persona": PersonaFile, "exercise": ExerciseFile}
    if kind not in models:
        raise KnowledgeError(
            path, f"unknown doc_type {kind!r} (YAML files are case, persona or exercise)", field="doc_type"
        )
    record: Any = None
    if kind in models:
        try:
            record = models[kind](**data)
        except ValidationError as exc:
            raise KnowledgeError.from_validation(path, exc) from None
    keys = ("id", "title", "doc_type", "jurisdiction", "lang", "fictional", "tags", "summary")
    fm = _front_matter(path, {k: data[k] for k in keys if k in data})
    doc = Document(fm, path, digest, record=record)
    doc.sections = [Section([fm.title, key], body, fm.citation or fm.id) for key, body in _render_yaml(data)]
    return doc


def _render_yaml(data: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """Readable text per top-level key, so a case or persona is searchable as prose."""
    header = []
    for key, value in data.items():
        if key in ("id", "doc_type", "fictional", "lang"):
            continue
        if isinstance(value, str) and len(value) > 200:
            yield key, value.strip()
        elif isinstance(value, (dict, list)):
            yield key, yaml.safe_dump(value, allow_unicode=True, sort_keys=False, width=100).strip()
        else:
            header.append(f"{key}: {value}")
    if header:
        yield "summary", "\n".join(header)


def _pdf_sections(path: Path) -> list[Section]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        pages = [(i + 1, (page.extract_text() or "").strip()) for i, page in enumerate(reader.pages)]
    except (PdfReadError, OSError, ValueError) as exc:
        raise KnowledgeError(path, f"cannot read PDF: {exc}") from None
    sections = [Section([f"p. {n}"], text, None, line=n) for n, text in pages if text]
    if not sections:
        raise KnowledgeError(path, "PDF has no extractable text (scanned image? OCR it first)")
    return sections


def _docx_sections(path: Path) -> list[Section]:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, OSError) as exc:
        raise KnowledgeError(path, f"cannot read DOCX: {exc}") from None
    sections: list[Section] = []
    stack: list[tuple[int, str]] = []
    buf: list[str] = []

    def flush() -> None:
        text = "\n".join(buf).strip()
        if text:
            sections.append(Section([t for _, t in stack] or [path.stem], text, None))

    for para in document.paragraphs:
        style = (para.style.name if para.style is not None else "") or ""
        level = int(style.split()[-1]) if style.startswith("Heading") and style.split()[-1].isdigit() else 0
        if style == "Title":
            level = 1
        if level:
            flush()
            buf = []
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, para.text.strip()))
        elif para.text.strip():
            buf.append(para.text)
    flush()
    if not sections:
        raise KnowledgeError(path, "DOCX has no text")
    return sections
