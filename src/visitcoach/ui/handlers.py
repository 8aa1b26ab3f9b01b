"""What each tab does, as plain functions of their inputs (no Gradio components here).

The Blocks in `visitcoach.ui` wire these to events; tests call them directly. Every handler takes
the signed-in user's name, checks the role may use that tab, calls the service layer
(`visitcoach.services`, which records what it generates with who made it) and formats the result. Errors are `VisitCoachError`s; the wiring turns them into one message in the UI.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import logging
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from visitcoach.config import Settings
from visitcoach.errors import VisitCoachError
from visitcoach.services import Live, Services, ingest_line
from visitcoach.ui import forms
from visitcoach.ui.auth import Auth
from visitcoach.ui.common import UserError
from visitcoach.ui.i18n import STRINGS, t, v

log = logging.getLogger(__name__)

SEVERITY_COLOURS = {"violation": "#f8b4b4", "warning": "#fde68a", "info": "#bfdbfe"}


class Forbidden(VisitCoachError):
    """The signed-in user's role may not use this tab."""


class Resources(Services):
    """The service layer plus what the UI adds: who may use which tab, and the case / exercise pickers."""

    def __init__(self, settings: Settings, auth: Auth, enforce_roles: bool = True) -> None:
        super().__init__(settings)
        self.auth = auth
        self.enforce_roles = enforce_roles  # False only for in-process scripts that have no signed-in user
        self._choices: dict[str, list[tuple[str, str]]] = {}

    def reset_index(self) -> None:
        super().reset_index()
        with self._lock:
            self._choices.clear()  # a re-ingest may have brought new cases or exercises

    def choices(self, kind: str) -> list[tuple[str, str]]:
        """Case or exercise picker entries, read once (not on every page load)."""
        with self._lock:
            if kind not in self._choices:
                self._choices[kind] = (case_choices if kind == "cases" else exercise_choices)(self.settings)
            return self._choices[kind]

    def forget_choices(self, kind: str) -> None:
        with self._lock:
            self._choices.pop(kind, None)

    def require(self, user: str | None, tab: str) -> str:
        if self.enforce_roles and not self.auth.allowed(user, tab):
            role = self.auth.role(user) or "not signed in"
            raise Forbidden(f"your role ({role}) cannot use {tab} / 您的角色（{role}）无权使用此功能")
        return user or ""


# -- Citations in the interface language ---------------------------------------------------------------

_POLICY_NAMES: dict[str, dict[str, str]] = {}


def policy_names(knowledge_dir: Any) -> dict[str, str]:
    """English policy citation names -> their Chinese twins, read from the paired policy files
    (`x.en.md` / `x.zh.md`, whose sections are numbered alike)."""
    key = str(knowledge_dir)
    if key not in _POLICY_NAMES:
        import frontmatter

        names: dict[str, str] = {}
        folder = Path(knowledge_dir) / "policy"
        for en in sorted(folder.glob("*.en.md")):
            zh = en.with_name(en.name.replace(".en.md", ".zh.md"))
            if zh.exists():
                try:
                    a, b = frontmatter.load(en), frontmatter.load(zh)
                except Exception:  # noqa: BLE001 - a malformed file only loses its translation
                    log.info("policy names: cannot read %s or %s", en, zh)
                    continue
                if a.get("citation") and b.get("citation"):
                    names[str(a["citation"])] = str(b["citation"])
        _POLICY_NAMES[key] = names
    return _POLICY_NAMES[key]


def cite_in(res: Any, citation: str, lang: str) -> str:
    """A citation as the interface shows it: policy names in Chinese on a zh screen (laws keep their own names)."""
    if lang != "zh" or not citation:
        return citation
    for en, zh in sorted(policy_names(res.settings.knowledge_dir).items(), key=lambda kv: -len(kv[0])):
        citation = citation.replace(en, zh)
    return citation


def localised(res: Any, findings: list[Any], lang: str) -> list[Any]:
    """Copies of findings with their citations in the interface language."""
    from dataclasses import replace as dc_replace
    from types import SimpleNamespace

    out = []
    for f in findings:
        c = cite_in(res, f.citation, lang)
        out.append(dc_replace(f, citation=c) if hasattr(f, "__dataclass_fields__") else SimpleNamespace(**{**vars(f), "citation": c}))
    return out


# -- Ask ------------------------------------------------------------------------------------------------

def passage_html(text: str) -> str:
    """A knowledge passage as HTML: its Markdown rendered, raw HTML in it escaped."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).enable("table").render(text or "")


def render_sources(citations: list[Any], lang: str = "en") -> str:
    blocks = []
    for n, c in enumerate(citations, start=1):
        blocks.append(
            f'<details class="vc-source" id="vc-source-{n}"><summary><span class="vc-n">[{n}]</span> <b>{html.escape(c.citation)}</b> — '
            f'{html.escape(c.title)}</summary><div class="vc-source-meta"><i>{html.escape(c.section)}</i> · '
            f'<code class="vc-data">{html.escape(c.source)}</code></div><div class="vc-passage">{passage_html(c.text)}</div></details>'
        )
    return "\n".join(blocks)


def _preview(text: str, limit: int = 320) -> str:
    flat = re.sub(r"[#*_`>|]+", "", text or "")
    flat = re.sub(r"\s+", " ", flat).strip()
    return flat if len(flat) <= limit else flat[:limit].rstrip() + "…"


def cite_previews(answer: str, citations: list[Any]) -> str:
    """Each `[n]` in the answer becomes a marker with a hover card: the citation, title and the passage's start."""
    def repl(match: re.Match[str]) -> str:
        n = int(match.group(1))
        if not 1 <= n <= len(citations):
            return match.group(0)
        c = citations[n - 1]
        card = (f'<span class="vc-card"><b>{html.escape(c.citation)}</b><br><i>{html.escape(c.title)} › '
                f'{html.escape(c.section)}</i><br>{html.escape(_preview(c.text))}</span>')
        return f'<span class="vc-cite" tabindex="0">[{n}]{card}</span>'

    return re.sub(r"\[(\d{1,3})\]", repl, answer)


def ask_turn(res: Resources, user: str, question: str, jurisdiction: str, history: list[dict[str, str]],
             lang: str = "en", on_token: Callable[[str], None] | None = None,
             cancel: Any = None) -> tuple[list[dict[str, str]], str, str]:
    """One chat turn: (new plain history for the engine, sources HTML, the reply as shown: with a
    hover card at each `[n]` and the mode line). `on_token` sees a model's reply as it streams."""
    res.require(user, "ask")
    question = (question or "").strip()
    if not question:
        raise UserError("err.question_empty")
    chosen = None if jurisdiction in (None, "", "ALL") else jurisdiction
    plain = [{"role": m["role"], "content": m["content"]} for m in history or []]
    answer = res.ask(question, plain, chosen, None, user, on_token=on_token, cancel=cancel)
    text = answer.answer
    ui = "zh" if lang == "zh" else "en"
    if answer.see_also:
        text += ("\n\n" + t("see_also", answer.lang)) + "; ".join(answer.see_also)
    text += f"\n\n> ⚠ {answer.notice}" if answer.notice else ""
    mode = t("mode.offline" if answer.mode == "offline" else "mode.llm", ui)
    shown = cite_previews(text, answer.citations) + f"\n\n<sub>{t('mode', ui, mode=mode)}</sub>"
    new = [*plain, {"role": "user", "content": question}, {"role": "assistant", "content": text}]
    return new, render_sources(answer.citations, ui), shown


# -- Prepare --------------------------------------------------------------------------------------------


def case_choices(settings: Settings) -> list[tuple[str, str]]:
    from visitcoach.corpus.cases import all_cases

    return [(f"{c.id} — {c.title}", c.id) for c in all_cases(settings.knowledge_dir)]


def banner_html(data: dict[str, Any], lang: str) -> str:
    from visitcoach.prep.text import REASONS

    go = data["decision"]["visit_allowed"]
    label = ("可以上门" if go else "不得上门") if lang == "zh" else ("GO" if go else "NO-GO")
    reasons = [REASONS[c][lang] if c in REASONS else str(c) for c in data["decision"]["reasons"]]
    extra = "".join(f"<li>{html.escape(r)}</li>" for r in reasons)
    return (
        f'<div id="vc-banner" class="vc-banner vc-{"go" if go else "nogo"}" data-reasons="{html.escape(",".join(data["decision"]["reasons"]))}">'
        f'<span class="vc-banner-head">{html.escape(data["case_id"])}: {label}</span>'
        + (f"<ul>{extra}</ul>" if extra else "") + "</div>"
    )


def prepare(res: Resources, user: str, case_id: str, at: str, lang: str | None, today: dt.date | None = None
            ) -> tuple[str, str, list[list[str]], str, dict[str, Any]]:
    """(banner HTML, brief Markdown, windows rows, opening script, brief JSON)."""
    from visitcoach.prep import render_brief

    res.require(user, "prepare")
    if not (case_id or "").strip():
        raise UserError("err.pick_case")
    if case_id not in {c[1] for c in res.choices("cases")}:
        raise UserError("err.unknown_case", value=str(case_id)[:40])
    when = forms.local_datetime(at, "prep.at", not_before=today or dt.date.today())
    brief = res.prep(case_id, user, as_of=when, lang=lang or None)
    data = brief.as_dict()
    rows = [[w["date"], w["start"], w["end"]] for w in data["decision"]["windows"]]
    return banner_html(data, brief.lang), render_brief(brief), rows, data["opening_script"], data


# -- Plan -----------------------------------------------------------------------------------------------

#: The calculator's fields, as label keys, in the order of the form.
PLAN_FIELDS = ("balance", "arrears", "instalment", "term", "rate", "income", "expenses", "other", "product", "jurisdiction")


def case_amounts(res: Resources, case_id: str) -> dict[str, Any]:
    """The calculator's fields filled from a case file (what `plan CASE_ID` computes with)."""
    from visitcoach.corpus.cases import load_case

    case = load_case(res.settings.knowledge_dir, case_id)
    other = sum((d.monthly_payment for d in case.other_debts), Decimal("0.00"))
    return {"balance": str(case.balance), "arrears": str(case.arrears), "instalment": str(case.contractual_instalment),
            "term": case.remaining_term_months, "rate": "" if case.annual_interest_rate is None else str(case.annual_interest_rate),
            "income": str(case.income_monthly), "expenses": str(case.essential_expenses_monthly), "other": str(other),
            "product": case.product, "jurisdiction": case.jurisdiction}


def plan_inputs(amounts: dict[str, Any]) -> Any:
    """PlanInputs from the form, every field checked with a message naming it."""
    from visitcoach.repayment import PlanInputs

    needed = [k for k in ("balance", "income", "expenses") if forms.blank(amounts.get(k))]
    if needed:
        raise UserError("err.plan_needs", fields=[f"plan.{k}" for k in needed])
    balance = forms.amount(amounts["balance"], "plan.balance", required=True)
    assert balance is not None
    if balance <= 0:
        raise UserError("err.balance_zero")
    arrears = forms.amount(amounts.get("arrears"), "plan.arrears") or Decimal("0.00")
    if arrears > balance:
        raise UserError("err.arrears_gt_balance", arrears=str(arrears), balance=str(balance))
    term = forms.whole(amounts.get("term"), "plan.term", 0, 600) or 0
    instalment = forms.amount(amounts.get("instalment"), "plan.instalment")
    income = forms.amount(amounts["income"], "plan.income", required=True)
    expenses = forms.amount(amounts["expenses"], "plan.expenses", required=True)
    other = forms.amount(amounts.get("other"), "plan.other") or Decimal("0.00")
    rate = forms.rate(amounts.get("rate"), "plan.rate")
    return PlanInputs(
        jurisdiction=amounts.get("jurisdiction") or "CN",
        product=amounts.get("product") or "consumer_loan",
        balance=balance,
        arrears=arrears,
        contractual_instalment=instalment if instalment is not None else (balance / (term or 12)).quantize(Decimal("0.01")),
        remaining_term_months=term,
        income=income,
        expenses=expenses,
        other_debt_service=other,
        annual_interest_rate=rate,
    )


def plan(
    res: Resources,
    user: str,
    case_id: str | None,
    amounts: dict[str, Any],
    role: str,
    style: str,
    lang: str | None,
) -> dict[str, Any]:
    """The plan as JSON (as `visitcoach plan --json`)."""
    res.require(user, "plan")
    inputs = None
    if case_id and case_id not in {c[1] for c in res.choices("cases")}:
        raise UserError("err.unknown_case", value=str(case_id)[:40])
    if not case_id:
        inputs = plan_inputs(amounts)
    result = res.plan(user, case_id=case_id or None, inputs=inputs, role=role or "agent", lang=lang or None,
                      style=style or "letter")
    data = result.as_dict()
    for o in data["options"]:
        o["citation_shown"] = cite_in(res, o["citation"], "zh" if lang == "zh" else "en")
    return data


def plan_tables(data: dict[str, Any], lang: str = "en") -> tuple[str, list[list[Any]], list[tuple[str, str]]]:
    """(assessment Markdown, options rows, option choices (label, number))."""
    a, cur, acc = data["assessment"], data["currency"], data["account"]
    segment = f"{v('ability', a['ability'], lang)} · {v('willingness', a['willingness'], lang)}"
    summary = t("plan.assessment", lang, segment=segment, cur=cur, disposable=a["disposable_income"], affordable=a["affordable_instalment"])
    summary += "\n\n" + t("plan.account_note", lang, cur=cur, balance=acc["balance"], arrears=acc["arrears"], instalment=acc["contractual_instalment"])
    summary += "\n\n" + "\n".join(f"- {r}" for r in a["reasons"])
    if data["draft_check"]["notice"]:
        summary += f"\n\n> ⚠ {data['draft_check']['notice']}"
    rows = [
        [v("kind", o["kind"], lang), o["instalment_max"], o["months"], o["total_paid"], o["total_forgiven"],
         v("approver", o["needs_approval_by"], lang) if o["needs_approval_by"] else t("plan.no_approval", lang), o["citation_shown"]]
        for o in data["options"]
    ]
    labels = [(f"{n}. {v('kind', o['kind'], lang)}", str(n)) for n, o in enumerate(data["options"], start=1)]
    return summary, rows, labels


def schedule_rows(data: dict[str, Any], label: str | None, lang: str = "en") -> tuple[list[list[str]], list[dict[str, Any]]]:
    """(schedule rows, chart points) for option number `label` (default: the first): the account's balance
    and arrears month by month under the option, and the balance on the contract beside them."""
    from visitcoach.repayment.path import account_path

    options = data.get("options") or []
    if not options:
        return [], []
    try:
        n = int(str(label).split(".")[0]) - 1 if label else 0
    except ValueError:
        n = 0
    option = options[max(0, min(n, len(options) - 1))]
    months = account_path(option, data["account"], dt.date.fromisoformat(data["start"]))
    rows = [[m.date.isoformat(), str(m.payment), str(m.balance), str(m.arrears), str(m.contract_balance)] for m in months]
    series = (("balance", "plan.series_balance"), ("arrears", "plan.series_arrears"), ("contract_balance", "plan.series_contract"))
    points = [{"date": m.date.isoformat(), "amount": float(getattr(m, attr)), "series": t(key, lang)}
              for m in months for attr, key in series]
    return rows, points


# -- Check ----------------------------------------------------------------------------------------------

MAX_SCRIPT = 20_000


def context_from_form(jurisdiction: str, visit_time: str, location: str, collectors: Any, audience: str, opening: bool, flags: list[str]) -> dict[str, Any]:
    ctx: dict[str, Any] = {"audience": audience or "debtor", "opening": bool(opening)}
    if jurisdiction and jurisdiction != "ALL":
        ctx["jurisdiction"] = jurisdiction
    when = forms.local_datetime(visit_time, "check.time")
    if when is not None:
        ctx["visit_time"] = when.isoformat(timespec="minutes")
    if location:
        ctx["location"] = location
    count = forms.whole(collectors, "check.collectors", 1, 50)
    if count is not None:
        ctx["collectors"] = count
    ctx["flags"] = {f: True for f in flags or []}
    return ctx


def _finding_card(f: Any, lang: str) -> str:
    also = getattr(f, "also", None) or []
    extra = f'<div class="vc-card-also">{t("check.also", lang)}: {html.escape(", ".join(also))}</div>' if also else ""
    return (f'<span class="vc-card"><b>{html.escape(v("severity", f.severity, lang))}</b> · {html.escape(v("category", f.category, lang))}'
            f'<br><code>{html.escape(f.rule_id)}</code> · {html.escape(f.citation)}<br>{html.escape(f.explanation)}'
            f'<br>→ <i>{html.escape(f.suggestion)}</i>{extra}</span>')


def highlight(text: str, findings: list[Any], lang: str = "en") -> str:
    """The script as HTML with each finding's span marked in place (colour by severity, a hover card with the details)."""

    def plain(piece: str) -> str:
        return html.escape(piece).replace("\n", "<br>")

    # Overlapping findings: the most severe keeps the mark (then the longest, then the first), so a
    # sentence-wide learned warning never hides a violation inside it; every finding is in the table.
    rank = {"violation": 0, "warning": 1, "info": 2}
    chosen: list[Any] = []
    for f in sorted((f for f in findings if f.start is not None), key=lambda f: (rank.get(f.severity, 3), f.start - f.end, f.start)):
        if all(f.end <= g.start or f.start >= g.end for g in chosen):
            chosen.append(f)
    out, pos = [], 0
    for f in sorted(chosen, key=lambda f: f.start):
        out.append(plain(text[pos:f.start]))
        tip = html.escape(f"{f.rule_id} · {f.category} · {f.citation}")
        out.append(
            f'<mark class="vc-finding vc-{f.severity}" data-rule="{html.escape(f.rule_id)}" data-tip="{tip}" tabindex="0">'
            f'{plain(text[f.start:f.end])}{_finding_card(f, lang)}</mark>'
        )
        pos = f.end
    out.append(plain(text[pos:]))
    context_only = [f for f in findings if f.start is None]
    notes = "".join(
        f'<li class="vc-{f.severity}"><b>{html.escape(v("category", f.category, lang))}</b> '
        f'<code>{html.escape(f.rule_id)}</code>: {html.escape(f.explanation)} — {html.escape(f.citation)}</li>'
        for f in context_only
    )
    return f'<div id="vc-highlighted" class="vc-script">{"".join(out)}</div>' + (f'<ul class="vc-context">{notes}</ul>' if notes else "")


def finding_rows(findings: list[Any], lang: str) -> list[list[str]]:
    rows = []
    for f in findings:
        also = getattr(f, "also", None) or []
        rule = f.rule_id + (f" ({t('check.also', lang)}: {', '.join(also)})" if also else "")
        shown = f.text or (t("check.missing", lang) + ": " + f.explanation if f.layer == "absence" else t("check.context", lang))
        rows.append([v("severity", f.severity, lang), rule, v("category", f.category, lang), shown, f.citation, f.suggestion])
    return rows


def read_script(text: str, upload: str | None) -> str:
    if upload:
        file = forms.upload(upload, (".txt", ".md"))
        assert file is not None
        try:
            text = file.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            raise UserError("err.not_utf8", name=file.name) from None
    if not (text or "").strip():
        raise UserError("err.script_empty")
    if len(text) > MAX_SCRIPT:
        raise UserError("err.script_long", n=len(text), max=MAX_SCRIPT)
    return text


def check(res: Resources, user: str, text: str, upload: str | None, ctx: dict[str, Any], lang: str | None) -> tuple[str, str, list[list[str]]]:
    """(verdict line, highlighted HTML, findings rows); `lang` is the interface language."""
    res.require(user, "check")
    text = read_script(text, upload)
    ui = "zh" if lang == "zh" else "en"
    report = res.check(text, ctx, None, user)
    verdict = t("check.verdict", ui, verdict=v("verdict", report.verdict, ui), n=len(report.findings))
    verdict = f'<div class="vc-verdict vc-verdict-{report.verdict}">{_md_bold(verdict)}</div>'
    shown = localised(res, report.findings, ui)
    return verdict, highlight(text, shown, ui), finding_rows(shown, ui)


def _md_bold(text: str) -> str:
    return re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", html.escape(text))


def check_batch(res: Resources, user: str, path: str, progress: Any = None, lang: str = "en") -> tuple[list[list[Any]], list[str], str]:
    """(result rows, [json report, csv report], summary Markdown)."""
    res.require(user, "check")
    file = forms.upload(path, (".jsonl", ".csv"))
    if file is None:
        raise UserError("err.file_needed")

    def report(done: int, total: int) -> None:
        if progress is not None and total:
            progress(done / total, desc=t("check.batch_progress", lang, n=done + 1, total=total))

    run = res.check_batch(file, user, progress=report)
    result, json_path, csv_path = run.result, run.json_path, run.csv_path
    s = result["summary"]
    rows = [
        [r["id"], v("verdict", r.get("verdict", "error"), lang), len(r.get("findings", [])),
         ", ".join(sorted({v("category", f["category"], lang) for f in r.get("findings", [])})) or r.get("error", "")]
        for r in result["results"]
    ]
    summary = t("check.batch_summary", lang, rows=s["rows"], passed=s["passed"], failed=s["failed"], errors=s["errors"]) + "\n\n" + "\n".join(
        f"- {v('category', k, lang)}: {n}" for k, n in s["findings_by_category"].items()
    )
    return rows, [str(json_path), str(csv_path)], summary


# -- Rehearse -------------------------------------------------------------------------------------------

def exercise_choices(settings: Settings, lang: str = "en") -> list[tuple[str, str]]:
    """Exercises (shipped and trainers'), then the personas for a free rehearsal."""
    from visitcoach.corpus.records import read_record
    from visitcoach.corpus.schemas import PersonaFile
    from visitcoach.training import ExerciseLibrary

    def titled(title: str, difficulty: str) -> str:
        word = v("difficulty", difficulty, lang)
        # Titles often already say the difficulty ("… (easy)"): say it once.
        return title if re.search(rf"[（(]\s*({re.escape(difficulty)}|{re.escape(word)})\s*[)）]\s*$", title) else f"{title} ({word})"

    out = [(f"{ex.id} — {titled(ex.title, ex.difficulty)}", ex.id)
           for ex in ExerciseLibrary(Path(settings.knowledge_dir), Path(settings.data_dir)).all()]
    for path in sorted((Path(settings.knowledge_dir) / "personas").glob("persona-*.yaml")):
        p = read_record(path, PersonaFile, "persona")
        out.append((f"{p.id} — {p.name} ({v('difficulty', p.difficulty, lang)}, {t('reh.free', lang)})", p.id))
    return out


def alerts_html(findings: list[Any], lang: str = "en") -> str:
    if not findings:
        return f'<div id="vc-alerts" class="vc-ok">✓ {html.escape(t("reh.ok", lang))}</div>'
    items = []
    for f in findings:
        if f.text:
            said = f"“{html.escape(f.text)}” → "
        elif f.layer == "absence":
            said = f"<span class=\"vc-missing\">{html.escape(t('check.missing', lang))}: {html.escape(f.explanation)}</span><br>→ "
        else:
            said = f"{html.escape(f.explanation)}<br>→ "
        items.append(
            f'<li class="vc-alert vc-{html.escape(f.severity)}"><b>{html.escape(v("severity", f.severity, lang))}</b> '
            f'{html.escape(v("category", f.category, lang))} <code>{html.escape(f.rule_id)}</code> — {html.escape(f.citation)}<br>'
            f"{said}<i>{html.escape(f.suggestion)}</i></li>"
        )
    return f'<ul id="vc-alerts">{"".join(items)}</ul>'


def scorecard_html(card: dict[str, Any], ended_by: str | None, lang: str = "en") -> str:
    """The scorecard as an HTML table that wraps at word boundaries (never mid-word)."""
    result = t("reh.passed" if card["passed"] else "reh.not_passed", lang)
    head = t("reh.card_head", lang, result=result, total=f"{card['total']:.2f}", mark=card["pass_mark"],
             why=v("ended_by", ended_by or "", lang))
    cols = "".join(f"<th>{t(k, lang)}</th>" for k in ("col.criterion", "col.total", "col.weight", "col.evidence"))
    rows = "".join(
        f"<tr><td>{html.escape(t('col.' + str(c['name']), lang) if 'col.' + str(c['name']) in STRINGS else str(c['name']))}</td>"
        f"<td class='vc-num'>{c['score']:.2f}</td><td class='vc-num'>{c['weight']}</td>"
        f"<td>{html.escape(_codes_in(lang, '; '.join(c['evidence'][:2])))}</td></tr>"
        for c in card["criteria"]
    )
    out = (f'<div class="vc-card-block vc-{"pass" if card["passed"] else "fail"}"><p class="vc-card-head">{_md_bold(head)}</p>'
           f'<table class="vc-table"><thead><tr>{cols}</tr></thead><tbody>{rows}</tbody></table>')
    if card.get("objectives"):
        out += "<ul>" + "".join(f"<li>{o['score']:.2f} — {html.escape(o['text'])}</li>" for o in card["objectives"]) + "</ul>"
    return out + "</div>"


#: The scorecard's evidence lines (English from the grader) in Chinese: (pattern, template).
EVIDENCE_ZH: list[tuple[str, str]] = [
    (r"^ended by: (?P<code>\w*)$", "结束原因：{code}"),
    (r"^agreed (?P<x>.+)$", "已约定 {x}"),
    (r"^violation (?P<rule>\S+) \((?P<cat>\w+)\): (?P<q>.*)$", "违规 {rule}（{cat}）：{q}"),
    (r"^identified and disclosed: (?P<q>.*)$", "已表明身份并告知来意：{q}"),
    (r"^never identified themselves$", "始终未表明身份"),
    (r"^learned: (?P<x>.*)$", "了解到：{x}"),
    (r"^asked about income$", "询问了收入"),
    (r"^asked about expenses$", "询问了支出"),
    (r"^learned nothing of the customer's situation$", "未了解客户的情况"),
    (r"^no acknowledgement of the customer's situation$", "没有体谅客户的处境"),
    (r"^no plan offered$", "未提出还款方案"),
    (r"^put collection on hold$", "已暂停催收"),
    (r"^did not offer to pause collection$", "未提出暂停催收"),
    (r"^signposted free advice and support$", "已告知免费咨询与帮扶渠道"),
    (r"^did not signpost free advice or support$", "未告知免费咨询或帮扶渠道"),
    (r"^asked for a payment of (?P<x>\S+) when the visit should have stopped$", "本应停止上门，却要求还款 {x}"),
    (r"^offered (?P<x>\S+) \((?P<kinds>[^)]*)\): affordable$", "提出 {x}（{kinds}）：客户可负担"),
    (r"^offered (?P<x>\S+) \((?P<kinds>[^)]*)\): (?P<rest>.*)$", "提出 {x}（{kinds}）：超出客户能力或客户不接受的方式"),
    (r"^“(?P<q>.*)”$", "“{q}”"),
]


def evidence_line(line: str, lang: str) -> str:
    """One evidence line in the interface language (codes as words)."""
    if lang == "zh":
        for pattern, template in EVIDENCE_ZH:
            m = re.match(pattern, line)
            if m:
                parts = dict(m.groupdict())
                if "code" in parts:
                    parts["code"] = v("ended_by", parts["code"], lang)
                if "cat" in parts:
                    parts["cat"] = v("category", parts["cat"], lang)
                if "kinds" in parts:
                    parts["kinds"] = "、".join(v("kind", k.strip(), lang) for k in parts["kinds"].split(","))
                return template.format(**parts)
    line = re.sub(r"^ended by: (\w*)$", lambda m: "ended: " + v("ended_by", m.group(1), lang), line)
    line = re.sub(r"\(([a-z_]+)\)", lambda m: f"({v('category', m.group(1), lang)})", line)
    return re.sub(r"^violation\b", v("severity", "violation", lang), line)


def _codes_in(lang: str, text: str) -> str:
    return "; ".join(evidence_line(part, lang) for part in text.split("; "))


def scorecard_md(card: dict[str, Any], ended_by: str | None, lang: str = "en") -> str:
    """Kept for scripts: the scorecard (HTML table inside Markdown)."""
    return scorecard_html(card, ended_by, lang)


def rehearse_start(res: Resources, user: str, choice: str, seed: Any, lang: str = "en") -> tuple[str, list[dict[str, str]], str]:
    """(session token, chat, the brief) for an exercise id or, for a free rehearsal, a persona id."""
    res.require(user, "rehearse")
    choice = (choice or "").strip()
    if not choice:
        raise UserError("err.exercise")
    if choice not in {c[1] for c in res.choices("exercises")}:
        raise UserError("err.exercise")
    try:
        seed_ = forms.whole(seed, "reh.seed", 0, 1_000_000) or 0
    except UserError:
        raise UserError("err.seed", value=str(seed)[:20]) from None
    is_persona = choice.lower().startswith("persona-")
    token, live = res.rehearse_start(user, exercise_id=None if is_persona else choice,
                                     persona_id=choice if is_persona else None, seed=seed_)
    r = live.rehearsal
    persona = r.session.persona
    if r.exercise is None:
        return token, [], f"**{persona.name}** ({v('difficulty', persona.difficulty, lang)}, {t('reh.free', lang)})\n\n{persona.background}"
    ex = r.exercise
    title = re.sub(r"\s*[（(]\s*(easy|medium|hard|简单|中等|困难)\s*[)）]\s*$", "", ex.title)  # said once, below
    goals = "\n".join(f"- {getattr(o.text, ex.lang)}" for o in ex.objectives)
    minutes = t("reh.minutes", lang, n=ex.time_limit_minutes)
    return token, [], f"**{title}** ({v('difficulty', ex.difficulty, lang)}, {minutes})\n\n{getattr(ex.brief, ex.lang)}\n\n{goals}"


def _live(res: Resources, user: str, token: str) -> Live:
    entry = res.session(token)
    if not isinstance(entry, Live) or entry.user != user:
        raise UserError("err.start_first")
    return entry


def chat_of(session: Any) -> list[dict[str, str]]:
    return [{"role": "user" if turn.role == "agent" else "assistant", "content": turn.text} for turn in session.transcript]


def rehearse_turn(res: Resources, user: str, token: str, text: str, lang: str = "en",
                  on_token: Callable[[str], None] | None = None) -> tuple[list[dict[str, str]], str, str]:
    """(chat, live alerts HTML, scorecard HTML when the conversation has ended). With a model voice,
    `on_token` sees the borrower's reply as it streams."""
    res.require(user, "rehearse")
    live = _live(res, user, token)
    session = live.rehearsal.session
    if session.over or live.result is not None:
        raise UserError("err.ended", why=v("ended_by", session.ended_by or (live.result or {}).get("ended_by") or "", lang))
    if not text or not text.strip():
        raise UserError("err.say_empty")
    if len(text) > 4000:
        raise UserError("err.say_long", n=len(text))
    turn = session.agent_says(text.strip(), on_token=on_token)
    card = rehearse_finish(res, user, token, lang) if session.over else ""
    notices = "".join(f'<p class="vc-notice">{html.escape(n)}</p>' for n in live.rehearsal.notices)
    return chat_of(session), alerts_html(localised(res, turn.findings, lang), lang) + notices, card


def rehearse_over(res: Resources, user: str, token: str) -> bool:
    entry = res.session(token)
    return isinstance(entry, Live) and entry.user == user and (entry.rehearsal.session.over or entry.result is not None)


def ended_line(res: Resources, user: str, token: str, lang: str) -> str:
    live = _live(res, user, token)
    why = live.rehearsal.session.ended_by or (live.result or {}).get("ended_by") or ""
    return t("reh.ended", lang, why=v("ended_by", why, lang))


def rehearse_finish(res: Resources, user: str, token: str, lang: str = "en") -> str:
    """Score the rehearsal, store the attempt (once) and return the scorecard HTML."""
    res.require(user, "rehearse")
    live = _live(res, user, token)
    res.rehearse_finish(live)
    return scorecard_html(live.result["scorecard"], live.result["ended_by"], lang)


def transcript_md(res: Resources, user: str, token: str, lang: str = "en") -> str:
    """The finished rehearsal's transcript as Markdown, in the interface language (shown under the scorecard)."""
    live = _live(res, user, token)
    record = live.result
    if record is None:
        return ""
    lines = [f"### {t('reh.transcript', lang)}", ""]
    for turn in record["transcript"]:
        who = t("reh.agent" if turn["role"] == "agent" else "reh.borrower", lang)
        lines.append(f"**{who}**: {turn['text']}")
        for f in turn.get("findings") or []:
            lines.append(f"  - ⚠ {v('severity', f['severity'], lang)} · {v('category', f['category'], lang)} · "
                         f"{cite_in(res, f['citation'], lang)} → {f['suggestion']}")
        lines.append("")
    return "\n".join(lines)


def rehearse_transcript(res: Resources, user: str, token: str, folder: Path) -> list[str]:
    """The finished rehearsal's transcript as Markdown and JSON files (paths)."""
    from visitcoach.rehearsal import transcript_markdown

    res.require(user, "rehearse")
    live = _live(res, user, token)
    if live.result is None:
        raise UserError("err.finish_first")
    return write_transcript(live.result, f"{live.ref}-attempt-{live.attempt_id}", folder, transcript_markdown)


def write_transcript(record: dict[str, Any], name: str, folder: Path, to_markdown: Any) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    md, js = folder / f"{name}.md", folder / f"{name}.json"
    md.write_text(to_markdown(record, name), encoding="utf-8")
    js.write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")
    return [str(md), str(js)]


def my_progress(res: Resources, user: str, lang: str = "en") -> list[list[Any]]:
    """The signed-in trainee's attempts and assignments, newest first."""
    res.require(user, "rehearse")
    store = res.training()
    rows = [[a["finished"], a["exercise_id"], a["total"], "✓" if a["passed"] else "✗", v("ended_by", a["ended_by"], lang)]
            for a in reversed(store.attempts(user))]
    todo = [[t("train.assigned", lang) + (f" ({t('train.due_on', lang, due=s['due'])})" if s["due"] else ""), s["exercise_id"], None,
             "✓" if s["passed"] else "…", ""]
            for s in store.assignments(user) if not s["passed"]]
    return todo + rows


# -- Knowledge ------------------------------------------------------------------------------------------


def documents(res: Resources, user: str, lang: str = "en") -> list[list[Any]]:
    res.require(user, "knowledge")
    index = res.index()
    per_doc: dict[str, list[Any]] = {}
    for chunk_id in index.manifest.chunk_ids():
        chunk = index.chunk(chunk_id)
        if chunk is None:
            continue
        m = chunk.metadata
        row = per_doc.setdefault(chunk.doc_id, [chunk.doc_id, m.get("title"), m.get("doc_type"), m.get("jurisdiction"), m.get("doc_lang"), 0, m.get("source")])
        row[5] += 1
    rows = sorted(per_doc.values(), key=lambda r: (str(r[2]), str(r[0])))
    return [[r[0], r[1], v("doc_type", r[2], lang), v("jurisdiction", r[3], lang) if r[3] else "", r[4], r[5], r[6]] for r in rows]


def search(res: Resources, user: str, query: str, jurisdiction: str) -> list[list[Any]]:
    from visitcoach.retrieval.index import Filters

    res.require(user, "knowledge")
    if not query or not query.strip():
        raise UserError("err.search_empty")
    result = res.index().search(query, 10, Filters(jurisdiction=None if jurisdiction in (None, "", "ALL") else jurisdiction))
    return [[h.score, h.citation, h.title, h.section, h.text[:240]] for h in result.hits]


def reingest(res: Resources, user: str, progress: Any = None) -> str:
    res.require(user, "knowledge_admin")

    def report(done: int, total: int, label: str) -> None:
        if progress is not None and total:
            progress(done / total, desc=label)

    return ingest_line(res.ingest(user, progress=report))


def upload_document(res: Resources, user: str, path: str, title: str, jurisdiction: str, lang: str, progress: Any = None) -> str:
    """Copy an uploaded policy file into knowledge/uploads/ (with a metadata sidecar) and index it."""
    res.require(user, "knowledge_admin")
    file = forms.upload(path, (".pdf", ".docx", ".md"))
    if file is None:
        raise UserError("err.file_needed")

    def report(done: int, total: int, label: str) -> None:
        if progress is not None and total:
            progress(done / total, desc=label)

    target, out = res.upload_document(file, title, jurisdiction, lang, user, progress=report)
    return f"{target.name}: " + ingest_line(out)


# -- Settings -------------------------------------------------------------------------------------------


def settings_info(res: Resources, user: str, lang: str = "en") -> str:
    res.require(user, "settings")
    s = res.settings
    zh = lang == "zh"
    mode = t("mode.offline" if s.llm == "offline" else "mode.llm", lang)
    if res.auth.demo:
        people = ", ".join(res.auth.users)
        users = (f"演示账户（密码 `visitcoach`）：{people}；正式使用请设置 `VISITCOACH_USERS_FILE`" if zh else res.auth.banner())
    else:
        users = f"{len(res.auth.users)} 个用户（来自配置）" if zh else res.auth.banner()
    rows = [
        ("模式" if zh else "mode", mode), ("对话模型" if zh else "chat model", s.chat_model if s.llm == "openai" else "—"),
        ("接口地址" if zh else "base URL", s.openai_base_url or ("OpenAI API" if s.llm == "openai" else "—")),
        ("API 密钥" if zh else "API key", ("已设置" if zh else "set") if s.openai_api_key else ("未设置" if zh else "not set")),
        ("向量模型" if zh else "embeddings", ("本地" if zh else "local") if s.embeddings == "local" else s.embeddings),
        ("Chroma 向量库" if zh else "Chroma", s.chroma_url or ("内嵌" if zh else "embedded")),
        ("数据目录" if zh else "data dir", f"`{s.data_dir}`"), ("知识库目录" if zh else "knowledge dir", f"`{s.knowledge_dir}`"),
        ("用户" if zh else "users", users),
    ]
    return "\n".join(f"- **{k}**: {val}" for k, val in rows)


def test_connection(res: Resources, user: str, lang: str = "en") -> str:
    from visitcoach.llm.backend import LLMClient, available

    res.require(user, "settings")
    if not available(res.settings):
        return t("set.offline", lang)
    try:
        out = LLMClient(res.settings).complete("connection_test", "Reply with the single word: ok", "ping")
    except VisitCoachError as exc:
        return f"failed: {exc}"
    return f"ok: {out.model} answered in {out.latency_ms:.0f} ms ({out.text.strip()[:40]!r})"
