"""The Review tab (reviewer and admin): draw the spot-check queue, read an artifact with its findings
marked in place, approve / flag / escalate with the categories agreed, disagreed and missed, export
the audit trail, and see violation statistics.

`build_review_tab` builds the tab inside the app's `gr.Tabs` and wires it; the handlers below are
plain functions of their inputs (tests call them directly) that check the role like every tab.
No `from __future__ import annotations`: Gradio reads the `gr.Request` annotations at wiring time.
"""


import datetime as dt
import html
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from visitcoach.errors import VisitCoachError
from visitcoach.ui import handlers as H
from visitcoach.ui.i18n import t

QUEUE_HEADERS = ["id", "created", "author", "kind", "case", "jurisdiction", "worst", "categories", "status"]
HISTORY_HEADERS = ["at", "who", "action", "agreed", "disagreed", "added", "note"]
GROUPS = ("category", "jurisdiction", "author", "week")


def _desk(res: H.Resources) -> Any:
    return res.store().desk


def _day(value: str | None, label: str) -> dt.date | None:
    if not value or not str(value).strip():
        return None
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise VisitCoachError(f"{label}: not a date like 2026-03-01: {value!r} / 日期格式应为 2026-03-01") from None


def _artifact_id(value: Any) -> int:
    text = str(value if value is not None else "").strip()
    match = re.match(r"#?(\d+)", text)
    if not match:
        raise VisitCoachError("Pick an artifact from the queue first. / 请先从队列中选择一项。")
    return int(match.group(1))


def queue_rows(res: H.Resources) -> list[list[Any]]:
    return [[q["id"], q["created"], q["author"], q["kind"], q["case_id"], q["jurisdiction"], q["worst_severity"],
             ", ".join(q["categories"]), q["status"] + ("" if q["hash_ok"] else " ⚠ hash")] for q in _desk(res).queue()]


def draw(res: H.Resources, user: str, seed: Any, since: str, until: str) -> tuple[str, list[list[Any]], list[tuple[str, str]]]:
    """(run summary, queue rows, picker choices) after drawing and recording a sample."""
    res.require(user, "review")
    lo, hi = _day(since, "from"), _day(until, "to")
    run = _desk(res).draw_queue(
        user, int(seed) if seed not in (None, "") else None,
        dt.datetime.combine(lo, dt.time()) if lo else None,
        dt.datetime.combine(hi + dt.timedelta(days=1), dt.time()) if hi else None,
    )
    rows = queue_rows(res)
    summary = (f"Run **{run.id}** · seed `{run.seed}` · {len(run.drawn)} of {len(run.candidates)} drawn "
               f"(rate {run.policy['rate']}, every warning/violation)")
    return summary, rows, [(f"#{r[0]} {r[3]} {r[2]} {r[6] or ''}".strip(), str(r[0])) for r in rows]


def highlight_findings(content: str, findings: list[dict[str, Any]]) -> str:
    """The content as HTML with each finding's span in a `<mark>` (escaped); a span that does not match
    the stored text is listed below instead of being marked in the wrong place."""
    items = []
    for f in findings:
        start, end, text = f.get("start"), f.get("end"), f.get("text")
        valid = (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(content)
                 and (text is None or content[start:end] == text))
        items.append(SimpleNamespace(
            rule_id=str(f.get("rule_id", "")), category=str(f.get("category", "")), severity=str(f.get("severity", "info")),
            citation=str(f.get("citation", "")), explanation=str(f.get("explanation", "")),
            suggestion=str(f.get("suggestion", "")), start=start if valid else None, end=end if valid else None,
        ))
    return H.highlight(content, items).replace('id="vc-highlighted"', 'id="vc-rev-highlighted"', 1)


def open_artifact(res: H.Resources, user: str, artifact_id: Any) -> tuple[str, str, list[str], list[str], list[list[Any]]]:
    """(meta Markdown, highlighted HTML, checker categories, other categories, history rows)."""
    from visitcoach.compliance.rules import CATEGORIES

    res.require(user, "review")
    desk = _desk(res)
    a = desk.artifact(_artifact_id(artifact_id))
    state = desk.status(a.id)
    check = "✓ hash ok" if a.hash_ok else "⚠ **content does not match its stored hash — do not rely on it / 内容与存证哈希不符**"
    meta = (f"**#{a.id}** {html.escape(a.kind)} · {html.escape(a.author)} · {a.created.isoformat(timespec='seconds')} UTC · "
            f"case {html.escape(a.case_id or '—')} · {a.jurisdiction or '—'} · {a.lang or '—'} · {html.escape(a.mode or '—')} · "
            f"status **{state['status']}** · {check}")
    flagged = a.categories
    history = [[e.at.isoformat(timespec="seconds"), e.who, e.action, ", ".join(e.agreed), ", ".join(e.disagreed),
                ", ".join(e.added), e.note] for e in desk.history(a.id)]
    return meta, highlight_findings(a.content, a.findings), flagged, [c for c in CATEGORIES if c not in flagged], history


def mark(res: H.Resources, user: str, artifact_id: Any, action: str, agreed: list[str], disagreed: list[str],
         added: list[str], note: str) -> tuple[str, list[list[Any]]]:
    """(result line, refreshed queue rows)."""
    res.require(user, "review")
    if not action:
        raise VisitCoachError("Choose approve, flag or escalate. / 请选择通过、标记或上报。")
    event = _desk(res).mark(_artifact_id(artifact_id), user, action, agreed or [], disagreed or [], added or [], note or "")
    before = (event.previous_state or {}).get("status", "new")
    return f"#{event.artifact_id}: {before} → **{(event.new_state or {}).get('status')}** (audit event {event.id})", queue_rows(res)


def export(res: H.Resources, user: str, since: str, until: str, fmt: str) -> str:
    """The path of the export file (CSV or JSON) for the date range."""
    from visitcoach.review.export import write_export

    res.require(user, "review")
    lo, hi = _day(since, "from"), _day(until, "to")
    rows = _desk(res).export_records(lo, hi)
    folder = Path(tempfile.gettempdir()) / "visitcoach-exports" / ("review-" + re.sub(r"[^A-Za-z0-9_-]", "", user)[:20])
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S-%f")
    name = f"audit-{lo or 'start'}-{hi or 'now'}-{stamp}.{fmt or 'csv'}"
    return str(write_export(rows, folder / name, fmt or "csv", lo, hi))


def statistics(res: H.Resources, user: str, since: str, until: str, group: str) -> tuple[Any, list[list[Any]], list[list[Any]]]:
    """(bar-chart frame, grouped rows, agreement rows)."""
    import pandas as pd

    res.require(user, "review")
    data = _desk(res).stats(_day(since, "from"), _day(until, "to"))
    rows = data[f"by_{group if group in GROUPS else 'category'}"]
    frame = pd.DataFrame(rows or [{"key": "", "violations": 0, "warnings": 0}])
    agree = [[r["category"], r["agreed"], r["disagreed"], r["added"],
              "—" if r["precision"] is None else f"{r['precision']:.2f}", "—" if r["recall"] is None else f"{r['recall']:.2f}"]
             for r in data["agreement"]]
    return frame, [[r["key"], r["violations"], r["warnings"]] for r in rows], agree


def build_review_tab(res: H.Resources, L: Callable[..., Any]) -> Any:
    """Build and wire the Review tab inside the enclosing `gr.Tabs`; returns the tab."""
    import gradio as gr

    from visitcoach.ui.common import safe as _safe
    from visitcoach.ui.common import user_of as _user

    with gr.Tab(t("tab.review", "en"), id="review", elem_id="vc-tab-review") as tab:
        with gr.Row():
            seed = L(gr.Number(value=0, precision=0, label=t("rev.seed", "en"), elem_id="vc-rev-seed", scale=1), "rev.seed")
            since = L(gr.Textbox(label=t("rev.from", "en"), placeholder="2026-01-01", elem_id="vc-rev-from", scale=2), "rev.from")
            until = L(gr.Textbox(label=t("rev.to", "en"), placeholder="2026-12-31", elem_id="vc-rev-to", scale=2), "rev.to")
        draw_btn = L(gr.Button(t("rev.draw", "en"), variant="primary", elem_id="vc-rev-draw"), "rev.draw", "value")
        run_md = gr.Markdown(elem_id="vc-rev-run")
        table = gr.Dataframe(headers=QUEUE_HEADERS, interactive=False, elem_id="vc-rev-queue")
        pick = L(gr.Dropdown([], label=t("rev.pick", "en"), elem_id="vc-rev-pick", allow_custom_value=True), "rev.pick")
        meta = gr.Markdown(elem_id="vc-rev-meta")
        content = gr.HTML(elem_id="vc-rev-content")
        with gr.Row():
            action = L(gr.Radio(["approve", "flag", "escalate"], value="approve", label=t("rev.action", "en"),
                                elem_id="vc-rev-action"), "rev.action")
            agree = L(gr.CheckboxGroup([], label=t("rev.agree", "en"), elem_id="vc-rev-agree"), "rev.agree")
            disagree = L(gr.CheckboxGroup([], label=t("rev.disagree", "en"), elem_id="vc-rev-disagree"), "rev.disagree")
        added = L(gr.CheckboxGroup([], label=t("rev.added", "en"), elem_id="vc-rev-added"), "rev.added")
        note = L(gr.Textbox(label=t("rev.note", "en"), elem_id="vc-rev-note"), "rev.note")
        mark_btn = L(gr.Button(t("rev.mark", "en"), variant="primary", elem_id="vc-rev-mark"), "rev.mark", "value")
        result = gr.Markdown(elem_id="vc-rev-result")
        history = gr.Dataframe(headers=HISTORY_HEADERS, interactive=False, elem_id="vc-rev-history")
        with gr.Row():
            fmt = L(gr.Radio(["csv", "json"], value="csv", label=t("rev.format", "en"), elem_id="vc-rev-format"), "rev.format")
            export_btn = L(gr.Button(t("rev.export", "en"), elem_id="vc-rev-export"), "rev.export", "value")
            stats_btn = L(gr.Button(t("rev.stats", "en"), elem_id="vc-rev-stats"), "rev.stats", "value")
        export_file = L(gr.File(label=t("rev.export_file", "en"), interactive=False, elem_id="vc-rev-export-file"), "rev.export_file")
        group = L(gr.Radio(list(GROUPS), value="category", label=t("rev.group", "en"), elem_id="vc-rev-group"), "rev.group")
        with gr.Row():
            plot = L(gr.BarPlot(x="key", y="violations", label=t("rev.chart", "en"), elem_id="vc-rev-plot"), "rev.chart")
            grouped = gr.Dataframe(headers=["key", "violations", "warnings"], interactive=False, elem_id="vc-rev-grouped")
        agreement = L(gr.Dataframe(headers=["category", "agreed", "disagreed", "added", "precision", "recall"],
                                   interactive=False, label=t("rev.agreement", "en"), elem_id="vc-rev-agreement"), "rev.agreement")

    @_safe
    def on_draw(seed_: Any, lo: str, hi: str, request: gr.Request) -> tuple[Any, ...]:
        summary, rows, choices = draw(res, _user(request), seed_, lo, hi)
        return summary, rows, gr.update(choices=choices, value=None)

    draw_btn.click(on_draw, [seed, since, until], [run_md, table, pick], api_name="review_queue")

    @_safe
    def on_open(artifact: Any, request: gr.Request) -> tuple[Any, ...]:
        if artifact in (None, ""):
            return "", "", gr.update(choices=[], value=[]), gr.update(choices=[], value=[]), gr.update(choices=[], value=[]), []
        meta_, html_, flagged, others, hist = open_artifact(res, _user(request), artifact)
        return (meta_, html_, gr.update(choices=flagged, value=[]), gr.update(choices=flagged, value=[]),
                gr.update(choices=others, value=[]), hist)

    pick.change(on_open, pick, [meta, content, agree, disagree, added, history], api_name="review_open")

    def on_select(evt: gr.SelectData) -> Any:
        row = getattr(evt, "row_value", None) or []
        return gr.update(value=str(row[0])) if row else gr.update()

    table.select(on_select, None, pick, api_visibility="private")

    @_safe
    def on_mark(artifact: Any, action_: str, agree_: list[str], disagree_: list[str], added_: list[str], note_: str,
                request: gr.Request) -> tuple[Any, ...]:
        user = _user(request)
        line, rows = mark(res, user, artifact, action_, agree_, disagree_, added_, note_)
        hist = open_artifact(res, user, artifact)[4]
        return line, rows, hist, ""

    mark_btn.click(on_mark, [pick, action, agree, disagree, added, note], [result, table, history, note], api_name="review_mark")

    @_safe
    def on_export(lo: str, hi: str, fmt_: str, request: gr.Request) -> str:
        return export(res, _user(request), lo, hi, fmt_)

    export_btn.click(on_export, [since, until, fmt], export_file, api_name="review_export")

    @_safe
    def on_stats(lo: str, hi: str, group_: str, request: gr.Request) -> tuple[Any, ...]:
        return statistics(res, _user(request), lo, hi, group_)

    stats_btn.click(on_stats, [since, until, group], [plot, grouped, agreement], api_name="review_stats")
    group.change(on_stats, [since, until, group], [plot, grouped, agreement], api_visibility="private")
    return tab
