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
from decimal import Decimal
from pathlib import Path
from typing import Any

from visitcoach.config import Settings
from visitcoach.errors import VisitCoachError
from visitcoach.services import Live, Services, ingest_line
from visitcoach.ui.auth import Auth

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


# -- Ask ------------------------------------------------------------------------------------------------

def render_sources(citations: list[Any]) -> str:
    blocks = []
    for n, c in enumerate(citations, start=1):
        blocks.append(
            f'<details class="vc-source"><summary>[{n}] <b>{html.escape(c.citation)}</b> — '
            f"{html.escape(c.title)}</summary><div><i>{html.escape(c.section)}</i> · "
            f"<code>{html.escape(c.source)}</code></div><blockquote>{html.escape(c.text)}</blockquote></details>"
        )
    return "\n".join(blocks)


def ask_turn(res: Resources, user: str, question: str, jurisdiction: str, history: list[dict[str, str]]) -> tuple[list[dict[str, str]], str]:
    """One chat turn: (new history, sources HTML)."""
    res.require(user, "ask")
    question = (question or "").strip()
    chosen = None if jurisdiction in (None, "", "ALL") else jurisdiction
    answer = res.ask(question, history, chosen, None, user)
    text = answer.answer
    if answer.see_also:
        text += ("\n\n另见：" if answer.lang == "zh" else "\n\nSee also: ") + "; ".join(answer.see_also)
    text += f"\n\n> ⚠ {answer.notice}" if answer.notice else ""
    text += f"\n\n<sub>mode: {'offline' if answer.mode == 'offline' else 'LLM'}</sub>"
    new = [*history, {"role": "user", "content": question}, {"role": "assistant", "content": text}]
    return new, render_sources(answer.citations)


# -- Prepare --------------------------------------------------------------------------------------------


def case_choices(settings: Settings) -> list[tuple[str, str]]:
    from visitcoach.corpus.cases import all_cases

    return [(f"{c.id} — {c.title}", c.id) for c in all_cases(settings.knowledge_dir)]


def banner_html(data: dict[str, Any], lang: str) -> str:
    go = data["decision"]["visit_allowed"]
    label = ("可以上门" if go else "不得上门") if lang == "zh" else ("GO" if go else "NO-GO")
    colour = "#16a34a" if go else "#dc2626"
    reasons = ", ".join(data["decision"]["reasons"])
    extra = f" — {html.escape(reasons)}" if reasons else ""
    return (
        f'<div id="vc-banner" class="vc-{"go" if go else "nogo"}" style="background:{colour};color:white;'
        f'padding:10px 14px;border-radius:8px;font-weight:600">{data["case_id"]}: {label}{extra}</div>'
    )


def prepare(res: Resources, user: str, case_id: str, at: str, lang: str | None) -> tuple[str, str, list[list[str]], str, dict[str, Any]]:
    """(banner HTML, brief Markdown, windows rows, opening script, brief JSON)."""
    from visitcoach.prep import render_brief

    res.require(user, "prepare")
    if not case_id:
        raise VisitCoachError("Pick a case first. / 请先选择案件。")
    when = None
    if at and at.strip():
        try:
            when = dt.datetime.fromisoformat(at.strip())
        except ValueError:
            raise VisitCoachError(f"not a local date-time like 2026-11-30T09:00: {at!r}") from None
    brief = res.prep(case_id, user, as_of=when, lang=lang or None)
    data = brief.as_dict()
    rows = [[w["date"], w["start"], w["end"]] for w in data["decision"]["windows"]]
    return banner_html(data, brief.lang), render_brief(brief), rows, data["opening_script"], data


# -- Plan -----------------------------------------------------------------------------------------------


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
    from visitcoach.repayment import PlanInputs
    from visitcoach.repayment.calc import money

    res.require(user, "plan")
    inputs = None
    if not case_id:
        needed = ("balance", "income", "expenses")
        missing = [k for k in needed if amounts.get(k) in (None, "")]
        if missing:
            raise VisitCoachError(f"pick a case or fill in: {', '.join(missing)} / 请选择案件或填写：{', '.join(missing)}")
        balance = money(amounts["balance"], "balance")
        term = int(amounts.get("term") or 0)
        instalment = amounts.get("instalment")
        inputs = PlanInputs(
            jurisdiction=amounts.get("jurisdiction") or "CN",
            product=amounts.get("product") or "consumer_loan",
            balance=balance,
            arrears=amounts.get("arrears") or "0",
            contractual_instalment=instalment if instalment not in (None, "") else (balance / (term or 12)).quantize(Decimal("0.01")),
            remaining_term_months=term,
            income=amounts["income"],
            expenses=amounts["expenses"],
            other_debt_service=amounts.get("other") or "0",
            annual_interest_rate=amounts.get("rate") or None,
        )
    result = res.plan(user, case_id=case_id or None, inputs=inputs, role=role or "agent", lang=lang or None,
                      style=style or "letter")
    return result.as_dict()


def plan_tables(data: dict[str, Any]) -> tuple[str, list[list[Any]], list[str]]:
    """(assessment Markdown, options rows, option labels)."""
    a, cur = data["assessment"], data["currency"]
    summary = (
        f"**{a['segment']}** · disposable income {cur} {a['disposable_income']} · affordable instalment "
        f"{cur} {a['affordable_instalment']}\n\n" + "\n".join(f"- {r}" for r in a["reasons"])
    )
    if data["draft_check"]["notice"]:
        summary += f"\n\n> ⚠ {data['draft_check']['notice']}"
    rows = [
        [o["kind"], o["instalment_max"], o["months"], o["total_paid"], o["total_forgiven"], o["needs_approval_by"] or "", o["citation"]]
        for o in data["options"]
    ]
    labels = [f"{n}. {o['kind']}" for n, o in enumerate(data["options"], start=1)]
    return summary, rows, labels


def schedule_rows(data: dict[str, Any], label: str | None) -> tuple[list[list[str]], list[dict[str, Any]]]:
    """(schedule rows, balance-over-time points) for the option labelled `label` (default: the first)."""
    options = data.get("options") or []
    if not options:
        return [], []
    n = int(label.split(".")[0]) - 1 if label else 0
    option = options[max(0, min(n, len(options) - 1))]
    total = Decimal(option["total_paid"])
    points, remaining = [], total
    rows = []
    for p in option["schedule"]:
        remaining -= Decimal(p["amount"])
        rows.append([p["date"], p["amount"], str(remaining)])
        points.append({"date": p["date"], "remaining": float(remaining)})
    return rows, points


# -- Check ----------------------------------------------------------------------------------------------


def context_from_form(jurisdiction: str, visit_time: str, location: str, collectors: Any, audience: str, opening: bool, flags: list[str]) -> dict[str, Any]:
    ctx: dict[str, Any] = {"audience": audience or "debtor", "opening": bool(opening)}
    if jurisdiction and jurisdiction != "ALL":
        ctx["jurisdiction"] = jurisdiction
    if visit_time and visit_time.strip():
        ctx["visit_time"] = visit_time.strip()
    if location:
        ctx["location"] = location
    if collectors not in (None, "", 0):
        ctx["collectors"] = int(collectors)
    ctx["flags"] = {f: True for f in flags or []}
    return ctx


def highlight(text: str, findings: list[Any]) -> str:
    """The script as HTML with each finding's span marked in place (colour by severity, details on hover)."""

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
        tip = html.escape(f"{f.rule_id} · {f.category} · {f.citation}\n{f.explanation}\n→ {f.suggestion}").replace("\n", "&#10;")
        out.append(
            f'<mark class="vc-finding vc-{f.severity}" data-rule="{html.escape(f.rule_id)}" '
            f'style="background:{SEVERITY_COLOURS.get(f.severity, "#eee")}" title="{tip}">{plain(text[f.start:f.end])}</mark>'
        )
        pos = f.end
    out.append(plain(text[pos:]))
    context_only = [f for f in findings if f.start is None]
    notes = "".join(
        f'<li class="vc-{f.severity}"><b>{html.escape(f.rule_id)}</b> ({html.escape(f.category)}): '
        f"{html.escape(f.explanation)} — {html.escape(f.citation)}</li>"
        for f in context_only
    )
    return f'<div id="vc-highlighted" style="line-height:1.7">{"".join(out)}</div>' + (f"<ul>{notes}</ul>" if notes else "")


def check(res: Resources, user: str, text: str, upload: str | None, ctx: dict[str, Any], lang: str | None) -> tuple[str, str, list[list[str]]]:
    """(verdict line, highlighted HTML, findings rows)."""
    res.require(user, "check")
    if upload:
        raw = Path(upload).read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise VisitCoachError(f"{Path(upload).name}: not UTF-8 text / 文件不是 UTF-8 文本") from None
    report = res.check(text, ctx, lang or None, user)
    rows = [[f.severity, f.rule_id, f.category, f.text or "(context)", f.citation, f.suggestion] for f in report.findings]
    verdict = f"**{report.verdict.upper()}** — {len(report.findings)} finding(s)"
    return verdict, highlight(text, report.findings), rows


def check_batch(res: Resources, user: str, path: str, progress: Any = None) -> tuple[list[list[Any]], list[str], str]:
    """(result rows, [json report, csv report], summary Markdown)."""
    res.require(user, "check")
    if not path:
        raise VisitCoachError("Upload a .jsonl or .csv file first. / 请先上传 .jsonl 或 .csv 文件。")

    def report(done: int, total: int) -> None:
        if progress is not None and total:
            progress(done / total, desc=f"checking row {done + 1} of {total}")

    run = res.check_batch(Path(path), user, progress=report)
    result, json_path, csv_path = run.result, run.json_path, run.csv_path
    s = result["summary"]
    rows = [
        [r["id"], r.get("verdict", "error"), len(r.get("findings", [])), ", ".join(sorted({f["category"] for f in r.get("findings", [])})) or r.get("error", "")]
        for r in result["results"]
    ]
    summary = f"{s['rows']} rows: {s['passed']} pass, {s['failed']} fail, {s['errors']} error(s)\n\n" + "\n".join(
        f"- {k}: {v}" for k, v in s["findings_by_category"].items()
    )
    return rows, [str(json_path), str(csv_path)], summary


# -- Rehearse -------------------------------------------------------------------------------------------

def exercise_choices(settings: Settings) -> list[tuple[str, str]]:
    """Exercises (shipped and trainers'), then the personas for a free rehearsal."""
    from visitcoach.corpus.records import read_record
    from visitcoach.corpus.schemas import PersonaFile
    from visitcoach.training import ExerciseLibrary

    out = [(f"{ex.id} — {ex.title} ({ex.difficulty})", ex.id)
           for ex in ExerciseLibrary(Path(settings.knowledge_dir), Path(settings.data_dir)).all()]
    for path in sorted((Path(settings.knowledge_dir) / "personas").glob("persona-*.yaml")):
        p = read_record(path, PersonaFile, "persona")
        out.append((f"{p.id} — {p.name} ({p.difficulty}, free rehearsal)", p.id))
    return out


def alerts_html(findings: list[Any]) -> str:
    if not findings:
        return '<div id="vc-alerts" class="vc-ok">✓</div>'
    items = "".join(
        f'<li class="vc-alert vc-{html.escape(f.severity)}"><b>{html.escape(f.severity)}</b> {html.escape(f.rule_id)} '
        f"({html.escape(f.category)}) — {html.escape(f.citation)}<br>“{html.escape(f.text or '')}” → "
        f"<i>{html.escape(f.suggestion)}</i></li>"
        for f in findings
    )
    return f'<ul id="vc-alerts">{items}</ul>'


def scorecard_md(card: dict[str, Any], ended_by: str | None) -> str:
    head = f"**{'PASSED' if card['passed'] else 'NOT PASSED'}** — {card['total']:.2f} (pass mark {card['pass_mark']}); ended by {ended_by}"
    rows = "\n".join(f"| {c['name']} | {c['score']:.2f} | {c['weight']} | {'; '.join(c['evidence'][:2])} |" for c in card["criteria"])
    out = f"{head}\n\n| criterion | score | weight | evidence |\n|---|---|---|---|\n{rows}"
    if card.get("objectives"):
        out += "\n\n" + "\n".join(f"- {o['score']:.2f} — {o['text']}" for o in card["objectives"])
    return out


def rehearse_start(res: Resources, user: str, choice: str, seed: Any) -> tuple[str, list[dict[str, str]], str]:
    """(session token, chat, the brief) for an exercise id or, for a free rehearsal, a persona id."""
    res.require(user, "rehearse")
    choice = (choice or "").strip()
    if not choice:
        raise VisitCoachError("Choose an exercise first. / 请先选择练习。")
    try:
        seed_ = int(seed or 0)
    except (TypeError, ValueError):
        raise VisitCoachError(f"seed: {seed!r} is not a whole number / 随机种子须为整数") from None
    is_persona = choice.lower().startswith("persona-")
    token, live = res.rehearse_start(user, exercise_id=None if is_persona else choice,
                                     persona_id=choice if is_persona else None, seed=seed_)
    r = live.rehearsal
    persona = r.session.persona
    if r.exercise is None:
        return token, [], f"**{persona.name}** ({persona.difficulty}, free rehearsal)\n\n{persona.background}"
    ex = r.exercise
    goals = "\n".join(f"- {getattr(o.text, ex.lang)}" for o in ex.objectives)
    return token, [], f"**{ex.title}** ({ex.difficulty}, {ex.time_limit_minutes} min)\n\n{getattr(ex.brief, ex.lang)}\n\n{goals}"


def _live(res: Resources, user: str, token: str) -> Live:
    entry = res.session(token)
    if not isinstance(entry, Live) or entry.user != user:
        raise VisitCoachError("Start a rehearsal first. / 请先开始练习。")
    return entry


def rehearse_turn(res: Resources, user: str, token: str, text: str) -> tuple[list[dict[str, str]], str, str]:
    """(chat, live alerts HTML, scorecard Markdown when the conversation has ended)."""
    res.require(user, "rehearse")
    live = _live(res, user, token)
    session = live.rehearsal.session
    if not text or not text.strip():
        raise VisitCoachError("Say something first. / 请先输入您要说的话。")
    if len(text) > 4000:
        raise VisitCoachError(f"A turn is at most 4,000 characters (this one has {len(text):,}). / 单次发言最多4000字。")
    if session.over:
        raise VisitCoachError(f"The conversation has ended ({session.ended_by}). / 对话已结束。")
    turn = session.agent_says(text.strip())
    chat = [{"role": "user" if t.role == "agent" else "assistant", "content": t.text} for t in session.transcript]
    card = rehearse_finish(res, user, token) if session.over else ""
    notices = "".join(f'<p class="vc-notice">{html.escape(n)}</p>' for n in live.rehearsal.notices)
    return chat, alerts_html(turn.findings) + notices, card


def rehearse_finish(res: Resources, user: str, token: str) -> str:
    """Score the rehearsal, store the attempt (once) and return the scorecard Markdown."""
    res.require(user, "rehearse")
    live = _live(res, user, token)
    res.rehearse_finish(live)
    return scorecard_md(live.result["scorecard"], live.result["ended_by"])


def rehearse_transcript(res: Resources, user: str, token: str, folder: Path) -> list[str]:
    """The finished rehearsal's transcript as Markdown and JSON files (paths)."""
    from visitcoach.rehearsal import transcript_markdown

    res.require(user, "rehearse")
    live = _live(res, user, token)
    if live.result is None:
        raise VisitCoachError("Finish the rehearsal first. / 请先结束演练。")
    return write_transcript(live.result, f"{live.ref}-attempt-{live.attempt_id}", folder, transcript_markdown)


def write_transcript(record: dict[str, Any], name: str, folder: Path, to_markdown: Any) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    md, js = folder / f"{name}.md", folder / f"{name}.json"
    md.write_text(to_markdown(record, name), encoding="utf-8")
    js.write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")
    return [str(md), str(js)]


def my_progress(res: Resources, user: str) -> list[list[Any]]:
    """The signed-in trainee's attempts and assignments, newest first."""
    res.require(user, "rehearse")
    store = res.training()
    rows = [[a["finished"], a["exercise_id"], a["total"], "✓" if a["passed"] else "✗", a["ended_by"]]
            for a in reversed(store.attempts(user))]
    todo = [["assigned" + (f" (due {s['due']})" if s["due"] else ""), s["exercise_id"], None, "✓" if s["passed"] else "…", ""]
            for s in store.assignments(user) if not s["passed"]]
    return todo + rows


# -- Knowledge ------------------------------------------------------------------------------------------


def documents(res: Resources, user: str) -> list[list[Any]]:
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
    return sorted(per_doc.values(), key=lambda r: (str(r[2]), str(r[0])))


def search(res: Resources, user: str, query: str, jurisdiction: str) -> list[list[Any]]:
    from visitcoach.retrieval.index import Filters

    res.require(user, "knowledge")
    if not query or not query.strip():
        raise VisitCoachError("Type something to search for. / 请输入搜索内容。")
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
    if not path:
        raise VisitCoachError("Choose a file first. / 请先选择文件。")

    def report(done: int, total: int, label: str) -> None:
        if progress is not None and total:
            progress(done / total, desc=label)

    target, out = res.upload_document(Path(path), title, jurisdiction, lang, user, progress=report)
    return f"{target.name}: " + ingest_line(out)


# -- Settings -------------------------------------------------------------------------------------------


def settings_info(res: Resources, user: str) -> str:
    res.require(user, "settings")
    s = res.settings
    rows = [
        ("mode", s.llm), ("chat model", s.chat_model if s.llm == "openai" else "—"),
        ("base URL", s.openai_base_url or ("the OpenAI API" if s.llm == "openai" else "—")),
        ("API key", "set" if s.openai_api_key else "not set"), ("embeddings", s.embeddings),
        ("Chroma", s.chroma_url or "embedded"), ("data dir", str(s.data_dir)), ("knowledge dir", str(s.knowledge_dir)),
        ("users", res.auth.banner()),
    ]
    return "\n".join(f"- **{k}**: {v}" for k, v in rows)


def test_connection(res: Resources, user: str) -> str:
    from visitcoach.llm.backend import LLMClient, available

    res.require(user, "settings")
    if not available(res.settings):
        return "offline mode: no model configured (set VISITCOACH_LLM=openai with OPENAI_API_KEY or VISITCOACH_OPENAI_BASE_URL)"
    try:
        out = LLMClient(res.settings).complete("connection_test", "Reply with the single word: ok", "ping")
    except VisitCoachError as exc:
        return f"failed: {exc}"
    return f"ok: {out.model} answered in {out.latency_ms:.0f} ms ({out.text.strip()[:40]!r})"
