"""Compliance rules as data (`knowledge/rules/*.yaml`), validated and compiled once at load.

A rules file holds `rules: [...]`. Each rule has one category of the fixed taxonomy, a severity,
the jurisdictions it applies to, a citation (one string, or one per jurisdiction) that must name a
section of a legal or policy document in the pack, bilingual title / explanation / suggestions,
how it is detected, and its own examples (which are tests).

Detection, any combination of:
  patterns  regular expressions per language (case-insensitive)
  lexicon   literal phrases per language (English ones match whole words)
  semantic  violating exemplar sentences per language for the embedding layer
            (`semantic_compliant`: look-alike compliant sentences that must not fire)
  require   absence check: the rule fires when NONE of these patterns occurs (openings)
  context   a check on the visit context alone: visit_time | visit_place | visit_staffing | contact
Conditions: `when` must hold for the rule to apply; `unless` switches it off.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from visitcoach.compliance.context import Location, VisitContext, parse_context
from visitcoach.compliance.prefilter import required_literals
from visitcoach.corpus.records import load_yaml
from visitcoach.corpus.schemas import FLAG_NAMES
from visitcoach.errors import KnowledgeError
from visitcoach.text import Jurisdiction

Category = Literal[
    "threat_arrest",
    "impersonation",
    "violence_intimidation",
    "abusive_language",
    "third_party_disclosure",
    "false_amount_fee_consequence",
    "pressure_borrow_sell",
    "entry_refusal_to_leave",
    "unlawful_legal_threat",
    "missing_disclosure",
    "visit_time",
    "visit_place",
    "contact_prohibited",
    "visit_staffing",
]
CATEGORIES: tuple[str, ...] = Category.__args__  # type: ignore[attr-defined]
Severity = Literal["violation", "warning", "info"]
Lang = Literal["zh", "en"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LangText(_Strict):
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


class LangList(_Strict):
    zh: list[str] = Field(default_factory=list)
    en: list[str] = Field(default_factory=list)

    def get(self, lang: str) -> list[str]:
        return self.zh if lang == "zh" else self.en

    def __bool__(self) -> bool:
        return bool(self.zh or self.en)


class Condition(_Strict):
    """All listed facts must hold. Flags compare to the context's flags."""

    flags: dict[str, bool] = Field(default_factory=dict)
    audience: Literal["debtor", "third_party"] | None = None
    locations: list[Location] | None = None
    opening: bool | None = None

    @field_validator("flags")
    @classmethod
    def _known_flags(cls, flags: dict[str, bool]) -> dict[str, bool]:
        unknown = [f for f in flags if f not in FLAG_NAMES]
        if unknown:
            raise ValueError(f"unknown flag(s) {unknown}; known: {', '.join(FLAG_NAMES)}")
        return flags

    def holds(self, ctx: VisitContext) -> bool:
        if any(getattr(ctx.flags, name) != value for name, value in self.flags.items()):
            return False
        if self.audience is not None and ctx.audience != self.audience:
            return False
        if self.locations is not None and ctx.location not in self.locations:
            return False
        return self.opening is None or ctx.opening == self.opening


class Window(_Strict):
    start: str = Field(pattern=r"^\d{2}:\d{2}$")
    end: str = Field(pattern=r"^\d{2}:\d{2}$")


class Detect(_Strict):
    patterns: LangList = Field(default_factory=LangList)
    lexicon: LangList = Field(default_factory=LangList)
    semantic: LangList = Field(default_factory=LangList)
    semantic_compliant: LangList = Field(default_factory=LangList)
    require: LangList = Field(default_factory=LangList)
    context: Literal["visit_time", "visit_place", "visit_staffing", "contact"] | None = None
    windows: dict[Jurisdiction, Window] = Field(default_factory=dict)  # visit_time
    min_collectors: dict[Jurisdiction, int] = Field(default_factory=dict)  # visit_staffing: fewer is a breach
    max_collectors: dict[Jurisdiction, int] = Field(default_factory=dict)  # visit_staffing: more is a breach

    @model_validator(mode="after")
    def _something(self) -> Detect:
        if not (self.patterns or self.lexicon or self.semantic or self.require or self.context):
            raise ValueError("detect needs patterns, lexicon, semantic, require or context")
        if self.context == "visit_time" and not self.windows:
            raise ValueError("a visit_time rule needs windows per jurisdiction")
        if self.context == "visit_staffing" and not (self.min_collectors or self.max_collectors):
            raise ValueError("a visit_staffing rule needs min_collectors or max_collectors per jurisdiction")
        return self


class Example(_Strict):
    text: str = ""
    context: dict[str, Any] = Field(default_factory=dict)
    lang: Lang | None = None


def _examples(value: Any) -> Any:
    """Examples are strings, or {text, context} mappings; grouped per language."""
    if not isinstance(value, dict):
        return value
    out: dict[str, list[Any]] = {}
    for lang, items in value.items():
        out[lang] = [{"text": i} if isinstance(i, str) else i for i in (items or [])]
    return out


class Examples(_Strict):
    violating: dict[Lang, list[Example]] = Field(default_factory=dict)
    compliant: dict[Lang, list[Example]] = Field(default_factory=dict)

    _normalise = field_validator("violating", "compliant", mode="before")(classmethod(lambda cls, v: _examples(v)))


class RuleSpec(_Strict):
    id: str = Field(pattern=r"^[A-Z][A-Z0-9-]+$")
    category: Category
    severity: Severity
    jurisdictions: list[Jurisdiction] = Field(min_length=1)
    citation: str | dict[Jurisdiction, str]
    title: LangText
    explanation: LangText
    suggestion: LangList
    detect: Detect
    when: Condition = Field(default_factory=Condition)
    unless: Condition | None = None
    examples: Examples

    @model_validator(mode="after")
    def _complete(self) -> RuleSpec:
        if isinstance(self.citation, dict):
            missing = [j for j in self.jurisdictions if j not in self.citation]
            if missing:
                raise ValueError(f"citation lacks jurisdictions {missing}")
        if not (self.suggestion.zh and self.suggestion.en):
            raise ValueError("suggestion needs compliant alternatives in both zh and en")
        for kind in ("violating", "compliant"):
            group = getattr(self.examples, kind)
            if not (group.get("zh") and group.get("en")):
                raise ValueError(f"examples.{kind} needs both zh and en examples")
        return self


@dataclass
class Rule:
    """A validated rule with its patterns compiled."""

    spec: RuleSpec
    source: Path
    patterns: dict[str, list[re.Pattern[str]]] = field(default_factory=dict)
    #: Per pattern, literals of which a match must contain one (None: always run the pattern).
    literals: dict[str, list[tuple[frozenset[str], ...] | None]] = field(default_factory=dict)
    required: dict[str, list[re.Pattern[str]]] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def category(self) -> str:
        return self.spec.category

    def citation_for(self, jurisdiction: str | None, lang: str) -> str:
        cite = self.spec.citation
        if isinstance(cite, str):
            return cite
        if jurisdiction and jurisdiction in cite:
            return cite[jurisdiction]  # type: ignore[index]
        # No jurisdiction: every country's citation, labelled ("CN: …; US: …; UK: …").
        preferred = ("CN", "US", "UK") if lang == "zh" else ("US", "UK", "CN")
        return "; ".join(f"{j}: {cite[j]}" for j in preferred if j in cite)  # type: ignore[index]

    def applies(self, ctx: VisitContext) -> bool:
        """Whether the rule applies in this context. Without a jurisdiction, only rules of all three apply."""
        if ctx.jurisdiction is None and len(set(self.spec.jurisdictions)) < 3:
            return False
        if ctx.jurisdiction and ctx.jurisdiction not in self.spec.jurisdictions:
            return False
        if not self.spec.when.holds(ctx):
            return False
        return not (self.spec.unless is not None and self.spec.unless.holds(ctx))


def _lexicon_pattern(phrase: str, lang: str) -> str:
    escaped = re.escape(phrase.strip())
    if lang == "en":
        escaped = escaped.replace(r"\ ", r"\s+")
        return rf"(?<![\w]){escaped}(?![\w])"
    return escaped


def _compile(path: Path, rule_id: str, fieldname: str, regexes: list[str]) -> list[re.Pattern[str]]:
    compiled = []
    for n, rx in enumerate(regexes):
        try:
            compiled.append(re.compile(rx, re.IGNORECASE))
        except re.error as exc:
            raise KnowledgeError(
                path, f"bad regular expression ({exc})", field=f"{fieldname}.{n}", rule=rule_id
            ) from None
    return compiled


CALIBRATION = "calibration.yaml"


def load_calibration(directory: Path) -> dict[str, float]:
    """Semantic-layer threshold and margin from `calibration.yaml`, if present."""
    path = directory / CALIBRATION
    if not path.exists():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        semantic = data["semantic"]
        return {"threshold": float(semantic["threshold"]), "margin": float(semantic["margin"])}
    except (yaml.YAMLError, KeyError, TypeError, ValueError) as exc:
        raise KnowledgeError(path, f"expected semantic: {{threshold: number, margin: number}} ({exc})") from None


def load_rules(directory: Path) -> list[Rule]:
    """Every rule in `directory/*.yaml`. A broken rule fails with its file, rule id and field."""
    if not directory.is_dir():
        raise KnowledgeError(directory, "rules directory not found (VISITCOACH_KNOWLEDGE_DIR/rules)")
    rules: list[Rule] = []
    seen: dict[str, Path] = {}
    for path in sorted(directory.glob("*.yaml")):
        if path.name == CALIBRATION:
            continue
        data = load_yaml(path)
        if not isinstance(data, dict) or not isinstance(data.get("rules"), list) or set(data) - {"rules"}:
            raise KnowledgeError(path, "a rules file is a mapping with one key, 'rules', holding a list", field="rules")
        for n, raw in enumerate(data["rules"]):
            rule_id = raw.get("id", f"#{n}") if isinstance(raw, dict) else f"#{n}"
            try:
                spec = RuleSpec(**raw)
            except ValidationError as exc:
                raise KnowledgeError.from_validation(path, exc, rule=str(rule_id)) from None
            except TypeError:
                raise KnowledgeError(path, "must be a mapping", rule=str(rule_id)) from None
            if spec.id in seen:
                raise KnowledgeError(path, f"duplicate id (also in {seen[spec.id].name})", field="id", rule=spec.id)
            seen[spec.id] = path
            rule = Rule(spec, path)
            for lang in ("zh", "en"):
                regexes = spec.detect.patterns.get(lang) + [
                    _lexicon_pattern(p, lang) for p in spec.detect.lexicon.get(lang)
                ]
                rule.patterns[lang] = _compile(path, spec.id, f"detect.patterns.{lang}", regexes)
                rule.literals[lang] = [required_literals(rx) for rx in regexes]
                rule.required[lang] = _compile(path, spec.id, f"detect.require.{lang}", spec.detect.require.get(lang))
            for kind in ("violating", "compliant"):
                for lang, items in getattr(spec.examples, kind).items():
                    for i, example in enumerate(items):
                        parse_context(example.context, f"{path} rule {spec.id} examples.{kind}.{lang}.{i}")
            rules.append(rule)
    return rules
