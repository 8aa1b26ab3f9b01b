"""The exercise library: shipped exercises (read-only) and the ones trainers make (data dir, YAML).

Shipped exercises live in `knowledge/exercises/` and are never rewritten by the tool; a trainer
changes one by duplicating it. Trainers' exercises are YAML files in `DATA_DIR/exercises/`, the same
schema (`ExerciseFile`), so they export and import as they are. Every save validates the record and
its references (the persona exists and is of the exercise's jurisdiction, the context is a valid
visit context) and writes atomically, so a bad edit changes nothing.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from visitcoach.compliance.context import parse_context
from visitcoach.corpus.cases import load_case
from visitcoach.corpus.records import read_record
from visitcoach.corpus.schemas import CaseFile, ExerciseFile, PersonaFile
from visitcoach.errors import NotFoundError, VisitCoachError

log = logging.getLogger(__name__)

HEADER = "# Fictional training material: all people, companies and events are fictional; for rehearsal practice only.\n"
PLACES = {"home": ("家中", "at home"), "workplace": ("工作单位", "at work"), "public": ("公共场所", "in a public place"),
          "other": ("约定地点", "at an agreed place")}
PRODUCTS = {"consumer_loan": ("消费贷", "consumer loan"), "credit_card": ("信用卡", "credit card"),
            "sme_loan": ("经营贷", "business loan"), "auto_loan": ("车贷", "car loan")}


class ExerciseError(VisitCoachError):
    """An exercise that cannot be saved, imported or found."""


def _errors(exc: ValidationError) -> str:
    return "; ".join(f"field '{'.'.join(str(x) for x in e['loc']) or '(top)'}': {e['msg']}" for e in exc.errors())


class ExerciseLibrary:
    def __init__(self, knowledge_dir: Path, data_dir: Path) -> None:
        self.shipped_dir = Path(knowledge_dir) / "exercises"
        self.personas_dir = Path(knowledge_dir) / "personas"
        self.knowledge_dir = Path(knowledge_dir)
        self.custom_dir = Path(data_dir) / "exercises"

    # -- reading ------------------------------------------------------------------------------------

    def _paths(self) -> dict[str, tuple[Path, bool]]:
        """Exercise id -> (file, shipped?)."""
        out = {p.stem.lower(): (p, False) for p in sorted(self.custom_dir.glob("ex-*.yaml"))}
        out.update({p.stem.lower(): (p, True) for p in sorted(self.shipped_dir.glob("ex-*.yaml"))})
        return out

    def ids(self) -> list[str]:
        return sorted(self._paths())

    def is_shipped(self, exercise_id: str) -> bool:
        entry = self._paths().get(exercise_id.lower())
        return bool(entry and entry[1])

    def get(self, exercise_id: str) -> ExerciseFile:
        entry = self._paths().get((exercise_id or "").strip().lower())
        if entry is None:
            raise NotFoundError(f"unknown exercise {exercise_id!r} (known: {', '.join(self.ids()) or 'none'})")
        return read_record(entry[0], ExerciseFile, "exercise")

    def all(self) -> list[ExerciseFile]:
        return [self.get(i) for i in self.ids()]

    def persona(self, persona_id: str) -> PersonaFile:
        from visitcoach.rehearsal import load_persona

        return load_persona(self.knowledge_dir, persona_id)

    def export_yaml(self, exercise_id: str) -> str:
        data = self.get(exercise_id).model_dump(mode="json", exclude_none=True)
        return HEADER + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)

    # -- writing ------------------------------------------------------------------------------------

    def parse(self, text: str, source: str = "the exercise") -> ExerciseFile:
        """Validate a YAML text as an exercise, with its references; one error naming the field."""
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" (line {mark.line + 1})" if mark else ""
            raise ExerciseError(f"{source}: not valid YAML{where}: {getattr(exc, 'problem', exc)}") from None
        if not isinstance(data, dict):
            raise ExerciseError(f"{source}: expected a mapping of exercise fields, got {type(data).__name__}")
        try:
            ex = ExerciseFile.model_validate(data)
        except ValidationError as exc:
            raise ExerciseError(f"{source}: {_errors(exc)}") from None
        try:
            persona = self.persona(ex.persona)
        except NotFoundError:
            raise ExerciseError(f"{source}: field 'persona': unknown persona {ex.persona!r}") from None
        if persona.jurisdiction != ex.jurisdiction:
            raise ExerciseError(f"{source}: field 'persona': {ex.persona} is {persona.jurisdiction}, the exercise {ex.jurisdiction}")
        if ex.case_id:
            try:
                case = load_case(self.knowledge_dir, ex.case_id)
            except NotFoundError:
                raise ExerciseError(f"{source}: field 'case_id': unknown case {ex.case_id!r}") from None
            if case.jurisdiction != ex.jurisdiction:
                raise ExerciseError(f"{source}: field 'case_id': {ex.case_id} is {case.jurisdiction}, the exercise {ex.jurisdiction}")
        try:
            parse_context({"jurisdiction": ex.jurisdiction, **ex.context}, f"{source}: field 'context'")
        except VisitCoachError as exc:
            raise ExerciseError(str(exc)) from None
        return ex

    def _write(self, ex: ExerciseFile) -> ExerciseFile:
        if self.is_shipped(ex.id):
            raise ExerciseError(f"{ex.id} is a shipped exercise and is read-only here; duplicate it to change it")
        self.custom_dir.mkdir(parents=True, exist_ok=True)
        text = HEADER + yaml.safe_dump(ex.model_dump(mode="json", exclude_none=True), allow_unicode=True, sort_keys=False, width=100)
        fd, tmp = tempfile.mkstemp(dir=self.custom_dir, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, self.custom_dir / f"{ex.id}.yaml")
        return ex

    def save(self, text: str, user: str, source: str = "the exercise") -> ExerciseFile:
        """Create or replace a trainer's exercise from YAML text."""
        ex = self._write(self.parse(text, source))
        log.info("exercise %s saved by %s", ex.id, user)
        return ex

    def next_id(self, jurisdiction: str) -> str:
        prefix = f"ex-{jurisdiction.lower()}-"
        used = {int(i.removeprefix(prefix)) for i in self.ids() if i.startswith(prefix) and i.removeprefix(prefix).isdigit()}
        n = 10  # trainers' exercises start at 10, leaving 01-09 to the shipped pack
        while n in used:
            n += 1
        if n > 999:
            raise ExerciseError(f"no free exercise id left for {jurisdiction}")
        return f"{prefix}{n:02d}"

    def duplicate(self, exercise_id: str, user: str) -> ExerciseFile:
        ex = self.get(exercise_id)
        copy = ex.model_copy(update={"id": self.next_id(ex.jurisdiction), "title": f"{ex.title} (copy)"})
        self._write(copy)
        log.info("exercise %s duplicated as %s by %s", ex.id, copy.id, user)
        return copy

    def import_yaml(self, text: str, filename: str, user: str) -> ExerciseFile:
        """Import an exported exercise; one whose id is taken by a shipped exercise gets a new id."""
        ex = self.parse(text, filename)
        if self.is_shipped(ex.id):
            ex = ex.model_copy(update={"id": self.next_id(ex.jurisdiction)})
        self._write(ex)
        log.info("exercise %s imported from %s by %s", ex.id, Path(filename).name, user)
        return ex

    def from_case(self, case_id: str, user: str, persona_id: str | None = None) -> ExerciseFile:
        """A new exercise from a shipped case, anonymised: no name, phone, address, employer or lender
        of the case reaches the exercise; the trainee gets the situation, not the person."""
        case = load_case(self.knowledge_dir, case_id)
        persona = self.persona(persona_id) if persona_id else self._persona_for(case)
        if persona.jurisdiction != case.jurisdiction:
            raise ExerciseError(f"persona {persona.id} is {persona.jurisdiction}, case {case.id} is {case.jurisdiction}")
        brief = anonymised_brief(case)
        ex = ExerciseFile(
            id=self.next_id(case.jurisdiction),
            title=f"{PRODUCTS[case.product][1 if case.lang == 'en' else 0]}: {', '.join(case.scenario_tags[:3])}",
            doc_type="exercise",
            jurisdiction=case.jurisdiction,
            lang=persona.lang,
            fictional=True,
            persona=persona.id,
            case_id=None,  # the exercise stands alone: it does not point back at the person
            difficulty=persona.difficulty,
            time_limit_minutes=15,
            brief=brief,
            objectives=_default_objectives(),
            rubric={"compliance": 0.35, "discovery": 0.2, "empathy": 0.15, "plan": 0.15, "outcome": 0.15},
            pass_mark=0.7,
            context={"location": case.address_type, "collectors": 2, "audience": "debtor", "opening": True,
                     "flags": case.flags.model_dump()},
            tags=["from-case", *case.scenario_tags],
        )
        self._write(ex)
        log.info("exercise %s created from a case by %s", ex.id, user)
        return ex

    def _persona_for(self, case: CaseFile) -> PersonaFile:
        personas = [read_record(p, PersonaFile, "persona") for p in sorted(self.personas_dir.glob("persona-*.yaml"))]
        same = [p for p in personas if p.jurisdiction == case.jurisdiction]
        if not same:
            raise ExerciseError(f"no persona for jurisdiction {case.jurisdiction}")
        linked = [p for p in same if p.case_id == case.id]
        return (linked or same)[0]


def _default_objectives() -> list[dict[str, Any]]:
    return [
        {"id": "identify_and_disclose", "criterion": "compliance",
         "text": {"zh": "表明身份、公司和来意，核实对方身份后再谈账户，全程不违规。",
                  "en": "Identifies themselves, the company and the purpose, confirms who they are speaking to before the account, and breaks no rule."}},
        {"id": "understand_situation", "criterion": "discovery",
         "text": {"zh": "问清收入、开支和困难原因。", "en": "Learns the customer's income, outgoings and what went wrong."}},
        {"id": "listen", "criterion": "empathy",
         "text": {"zh": "耐心倾听，对客户的处境表示理解。", "en": "Listens and acknowledges the customer's situation."}},
        {"id": "affordable_offer", "criterion": "plan",
         "text": {"zh": "提出客户负担得起、在本人权限内的方案。", "en": "Offers a plan the customer can afford, within the agent's authority."}},
        {"id": "next_step", "criterion": "outcome",
         "text": {"zh": "确认约定和下一步，并书面告知。", "en": "Confirms what was agreed and the next step, in writing."}},
    ]


def anonymised_brief(case: CaseFile) -> dict[str, str]:
    """The trainee's brief from a case's structured facts only (never its free text), then checked:
    if any identifier of the case is still in it, nothing is returned."""
    from visitcoach.llm.redact import Redactor

    people = [p for p in (case.borrower, case.guarantor, *case.household) if p is not None]
    relations = sorted({getattr(p, "relationship", None) for p in case.household} - {None})
    days, arrears, cur = case.days_past_due, case.arrears, case.currency
    place_zh, place_en = PLACES.get(case.address_type, PLACES["other"])
    prod_zh, prod_en = PRODUCTS[case.product]
    zh = (f"你将{place_zh}拜访一位客户（{case.borrower.age}岁），{prod_zh}已逾期{days}天，逾期金额{arrears} {cur}。"
          f"客户每月收入约{case.income_monthly} {cur}，必要开支约{case.essential_expenses_monthly} {cur}。"
          + (f"同住家人：{'、'.join(relations) if case.lang == 'zh' else f'{len(relations)}人'}。" if relations else "")
          + f"情况标签：{'、'.join(case.scenario_tags)}。请按制度完成一次合规、体谅的上门沟通。")
    en = (f"You call on a customer (aged {case.borrower.age}) {place_en} about a {prod_en} {days} days in arrears "
          f"({arrears} {cur} overdue). Their income is about {case.income_monthly} {cur} a month and essential spending about "
          f"{case.essential_expenses_monthly} {cur}."
          + ((f" They live with: {', '.join(relations)}." if case.lang == "en" else f" {len(relations)} relative(s) live with them.")
             if relations else "")
          + f" Situation: {', '.join(case.scenario_tags)}. Hold a compliant, considerate visit as the policy asks.")
    redactor = Redactor.for_people(people)
    identifiers = [case.borrower.name, case.borrower.name_latin, case.borrower.phone, case.borrower.address, case.employer,
                   case.lender, *(p.name for p in people)]
    for text in (zh, en):
        if redactor.redact(text) != text or any(i and i in text for i in identifiers):
            raise ExerciseError(f"case {case.id}: the brief still held an identifier; not created")
    return {"zh": re.sub(r"\s+", " ", zh), "en": re.sub(r"\s+", " ", en)}
