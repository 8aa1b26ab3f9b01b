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
from visitcoach.ui.common import UserError
from visitcoach.ui.i18n import choices, headers, t, v

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
        raise UserError("err.artifact")
    return int(match.group(1))


def queue_rows(res: H.Resources, lang: str = "en") -> list[list[Any]]:
    return [[q["id"], q["created"], q["author"], v("artifact", q["kind"], lang), q["case_id"], q["jurisdiction"],
             v("severity", q["worst_severity"], lang), ", ".join(v("category", c, lang) for c in q["categories"]),
             v("status", q["status"], lang) + ("" if q["hash_ok"] else " ⚠")] for q in _desk(res).queue()]


def _range(since: str, until: str) -> tuple[dt.date | None, dt.date | None]:
    from visitcoach.ui import forms

    lo, hi = forms.day(since, "rev.from"), forms.day(until, "rev.to")
    if lo and hi and lo > hi:
        raise UserError("err.range", lo=str(lo), hi=str(hi))
    return lo, hi


def draw(res: H.Resources, user: str, seed: Any, since: str, until: str, lang: str = "en") -> tuple[str, list[list[Any]], list[tuple[str, str]]]:
    """(run summary, queue rows, picker choices) after drawing and recording a sample."""
    from visitcoach.ui import forms

    res.require(user, "review")
    lo, hi = _range(since, until)
    seed = forms.whole(seed, "rev.seed", 0, 2**31 - 1)
    run = _desk(res).draw_queue(
        user, int(seed) if seed not in (None, "") else None,
        dt.datetime.combine(lo, dt.time()) if lo else None,
        dt.datetime.combine(hi + dt.timedelta(days=1), dt.time()) if hi else None,
    )
    rows = queue_rows(res, lang)
    summary = t("rev.run", lang, id=run.id, seed=run.seed, drawn=len(run.drawn), candidates=len(run.candidates), rate=run.policy["rate"])
    return summary, rows, [(f"#{r[0]} {r[3]} {r[2]} {r[6] or ''}".strip(), str(r[0])) for r in rows]


def highlight_findings(content: str, findings: list[dict[str, Any]], lang: str = "en") -> str:
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
    return H.highlight(content, items, lang).replace('id="vc-highlighted"', 'id="vc-rev-highlighted"', 1)


def open_artifact(res: H.Resources, user: str, artifact_id: Any, lang: str = "en") -> tuple[str, str, list[str], list[str], list[list[Any]]]:
    """(meta Markdown, highlighted HTML, checker categories, other categories, history rows)."""
    from visitcoach.compliance.rules import CATEGORIES

    res.require(user, "review")
    desk = _desk(res)
    a = desk.artifact(_artifact_id(artifact_id))
    state = desk.status(a.id)
    check = t("rev.hash_ok" if a.hash_ok else "rev.hash_bad", lang)
    meta = t("rev.meta", lang, id=a.id, kind=html.escape(v("artifact", a.kind, lang)), author=html.escape(a.author),
             created=a.created.isoformat(timespec="seconds"), case=html.escape(a.case_id or "—"), jur=a.jurisdiction or "—",
             status=v("status", state["status"], lang), hash=check)
    flagged = a.categories
    history = [[e.at.isoformat(timespec="seconds"), e.who, v("action", e.action, lang), ", ".join(v("category", c, lang) for c in e.agreed),
                ", ".join(v("category", c, lang) for c in e.disagreed), ", ".join(v("category", c, lang) for c in e.added), e.note]
               for e in desk.history(a.id)]
    return (meta, highlight_findings(a.content, a.findings, lang), flagged, [c for c in CATEGORIES if c not in flagged], history)


def reviewed(res: H.Resources, artifact_id: Any) -> str | None:
    """The artifact's status when it already has a verdict, else None."""
    status = _desk(res).status(_artifact_id(artifact_id))["status"]
    return None if status == "new" else status


def mark(res: H.Resources, user: str, artifact_id: Any, action: str, agreed: list[str], disagreed: list[str],
         added: list[str], note: str, lang: str = "en") -> tuple[str, list[list[Any]]]:
    """(result line, refreshed queue rows)."""
    res.require(user, "review")
    number = _artifact_id(artifact_id)
    if not action:
        raise UserError("err.action")
    event = _desk(res).mark(number, user, action, agreed or [], disagreed or [], added or [], note or "")
    before = (event.previous_state or {}).get("status", "new")
    line = t("rev.recorded", lang, id=event.artifact_id, before=v("status", before, lang),
             after=v("status", (event.new_state or {}).get("status"), lang), event=event.id)
    return line, queue_rows(res, lang)


def export(res: H.Resources, user: str, since: str, until: str, fmt: str) -> str:
    """The path of the export file (CSV or JSON) for the date range."""
    from visitcoach.review.export import write_export

    res.require(user, "review")
    lo, hi = _range(since, until)
    rows = _desk(res).export_records(lo, hi)
    folder = Path(tempfile.gettempdir()) / "visitcoach-exports" / ("review-" + re.sub(r"[^A-Za-z0-9_-]", "", user)[:20])
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S-%f")
    name = f"audit-{lo or 'start'}-{hi or 'now'}-{stamp}.{fmt or 'csv'}"
    return str(write_export(rows, folder / name, fmt or "csv", lo, hi))


def statistics(res: H.Resources, user: str, since: str, until: str, group: str, lang: str = "en") -> tuple[Any, list[list[Any]], list[list[Any]]]:
    """(bar-chart frame, grouped rows, agreement rows)."""
    import pandas as pd

    res.require(user, "review")
    data = _desk(res).stats(*_range(since, until))
    group = group if group in GROUPS else "category"
    rows = data[f"by_{group}"]

    def key(k: Any) -> str:
        return v("category", k, lang) if group == "category" else str(k)

    frame = pd.DataFrame([{"key": key(r["key"]), "violations": r["violations"], "warnings": r["warnings"]} for r in rows]
                         or [{"key": "", "violations": 0, "warnings": 0}])
    agree = [[v("category", r["category"], lang), r["agreed"], r["disagreed"], r["added"],
              "—" if r["precision"] is None else f"{r['precision']:.2f}", "—" if r["recall"] is None else f"{r['recall']:.2f}"]
             for r in data["agreement"]]
    return frame, [[key(r["key"]), r["violations"], r["warnings"]] for r in rows], agree


def build_review_tab(res: H.Resources, reg: Any, msg_box: Callable[[str], Any], lang: Any) -> Any:
    """Build and wire the Review tab inside the enclosing `gr.Tabs`; returns the tab."""
    import gradio as gr
    import pandas as pd

    from visitcoach.ui.common import user_of as _user
    from visitcoach.ui.common import wire

    L, C, HD = reg.L, reg.C, reg.HD
    with gr.Tab(t("tab.review", "en"), id="review", elem_id="vc-tab-review") as tab:
        pending = gr.State(None)  # the reviewed artifact whose re-recording the reviewer was asked to confirm
        with gr.Row():
            seed = L(gr.Number(value=0, precision=0, minimum=0, label=t("rev.seed", "en"), elem_id="vc-rev-seed", scale=1), "rev.seed")
            since = L(gr.Textbox(label=t("rev.from", "en"), placeholder="2026-01-01", elem_id="vc-rev-from", scale=2), "rev.from")
            until = L(gr.Textbox(label=t("rev.to", "en"), placeholder="2026-12-31", elem_id="vc-rev-to", scale=2), "rev.to")
        with gr.Row():
            draw_btn = L(gr.Button(t("rev.draw", "en"), variant="primary", elem_id="vc-rev-draw", scale=0, min_width=200), "rev.draw", "value")
            draw_msg = msg_box("vc-rev-draw-msg")
        run_md = gr.Markdown(f'<div class="vc-empty">{H._md_bold(t("empty.review", "en"))}</div>', elem_id="vc-rev-run")
        table = HD(gr.Dataframe(headers=headers("rev.queue", "en"), interactive=False, elem_id="vc-rev-queue", visible=False), "rev.queue")
        pick = L(gr.Dropdown([], label=t("rev.pick", "en"), elem_id="vc-rev-pick", allow_custom_value=True), "rev.pick")
        meta = gr.Markdown(elem_id="vc-rev-meta")
        content = gr.HTML(elem_id="vc-rev-content")
        with gr.Row():
            action = C(L(gr.Radio(choices("action", ("approve", "flag", "escalate"), "en"), value=None, label=t("rev.action", "en"),
                                  elem_id="vc-rev-action"), "rev.action"), "action", ("approve", "flag", "escalate"))
            agree = L(gr.CheckboxGroup([], label=t("rev.agree", "en"), elem_id="vc-rev-agree"), "rev.agree")
            disagree = L(gr.CheckboxGroup([], label=t("rev.disagree", "en"), elem_id="vc-rev-disagree"), "rev.disagree")
        added = L(gr.CheckboxGroup([], label=t("rev.added", "en"), elem_id="vc-rev-added"), "rev.added")
        note = L(gr.Textbox(label=t("rev.note", "en"), elem_id="vc-rev-note"), "rev.note")
        with gr.Row():
            mark_btn = L(gr.Button(t("rev.mark", "en"), variant="primary", elem_id="vc-rev-mark", interactive=False, scale=0, min_width=200),
                         "rev.mark", "value")
            mark_msg = msg_box("vc-rev-mark-msg")
        result = gr.Markdown(elem_id="vc-rev-result")
        history = HD(gr.Dataframe(headers=headers("rev.history", "en"), interactive=False, elem_id="vc-rev-history", visible=False), "rev.history")
        with gr.Row():
            fmt = C(L(gr.Radio(choices("format", ("csv", "json"), "en"), value="csv", label=t("rev.format", "en"), elem_id="vc-rev-format"),
                      "rev.format"), "format", ("csv", "json"))
            export_btn = L(gr.Button(t("rev.export", "en"), elem_id="vc-rev-export"), "rev.export", "value")
            stats_btn = L(gr.Button(t("rev.stats", "en"), elem_id="vc-rev-stats"), "rev.stats", "value")
        export_msg = msg_box("vc-rev-export-msg")
        export_file = L(gr.File(label=t("rev.export_file", "en"), interactive=False, elem_id="vc-rev-export-file", visible=False), "rev.export_file")
        group = C(L(gr.Radio(choices("group", GROUPS, "en"), value="category", label=t("rev.group", "en"), elem_id="vc-rev-group"), "rev.group"),
                  "group", GROUPS)
        with gr.Row():
            plot = L(gr.BarPlot(x="key", y="violations", label=t("rev.chart", "en"), elem_id="vc-rev-plot", x_title=" ", y_title=" "), "rev.chart")
            grouped = HD(gr.Dataframe(headers=headers("rev.grouped", "en"), interactive=False, elem_id="vc-rev-grouped"), "rev.grouped")
        agreement = HD(L(gr.Dataframe(headers=headers("rev.agreement", "en"), interactive=False, label=t("rev.agreement", "en"),
                                      elem_id="vc-rev-agreement"), "rev.agreement"), "rev.agreement")

    def frame(rows: list[list[Any]], name: str, ui_lang: str) -> Any:
        return pd.DataFrame(rows, columns=headers(name, ui_lang))

    def on_draw(seed_: Any, lo: str, hi: str, ui_lang: str, request: gr.Request) -> tuple[Any, ...]:
        summary, rows, picks = draw(res, _user(request), seed_, lo, hi, ui_lang)
        return summary, gr.update(value=frame(rows, "rev.queue", ui_lang), visible=True), gr.update(choices=picks, value=None)

    wire(draw_btn.click, on_draw, [seed, since, until, lang], [run_md, table, pick], draw_msg, api_name="review_queue")

    def on_open(artifact: Any, ui_lang: str, request: gr.Request) -> tuple[Any, ...]:
        if artifact in (None, ""):
            return ("", "", gr.update(choices=[], value=[]), gr.update(choices=[], value=[]), gr.update(choices=[], value=[]),
                    gr.update(visible=False), gr.update(value=None), gr.update(interactive=False), None)
        meta_, html_, flagged, others, hist = open_artifact(res, _user(request), artifact, ui_lang)
        cats = [(v("category", c, ui_lang), c) for c in flagged]
        rest = [(v("category", c, ui_lang), c) for c in others]
        return (meta_, html_, gr.update(choices=cats, value=[]), gr.update(choices=cats, value=[]),
                gr.update(choices=rest, value=[]), gr.update(value=frame(hist, "rev.history", ui_lang), visible=True),
                gr.update(value=None), gr.update(interactive=False), None)

    wire(pick.change, on_open, [pick, lang], [meta, content, agree, disagree, added, history, action, mark_btn, pending], mark_msg,
         api_name="review_open")
    # "Record the review" acts once a verdict is chosen (nothing is pre-selected).
    action.change(lambda a: gr.update(interactive=bool(a)), action, mark_btn, api_visibility="private", show_progress="hidden")

    def on_select(evt: gr.SelectData) -> Any:
        row = getattr(evt, "row_value", None) or []
        return gr.update(value=str(row[0])) if row else gr.update()

    table.select(on_select, None, pick, api_visibility="private")

    def on_mark(artifact: Any, action_: str, agree_: list[str], disagree_: list[str], added_: list[str], note_: str,
                asked: Any, ui_lang: str, request: gr.Request) -> tuple[Any, ...]:
        user = _user(request)
        res.require(user, "review")
        status = reviewed(res, artifact)
        if status is not None and str(asked) != str(_artifact_id(artifact)):
            ask = t("rev.again", ui_lang, id=_artifact_id(artifact), status=v("status", status, ui_lang))
            return f"⚠ {ask}", gr.skip(), gr.skip(), gr.skip(), str(_artifact_id(artifact))
        line, rows = mark(res, user, artifact, action_, agree_, disagree_, added_, note_, ui_lang)
        hist = open_artifact(res, user, artifact, ui_lang)[4]
        return line, frame(rows, "rev.queue", ui_lang), gr.update(value=frame(hist, "rev.history", ui_lang), visible=True), "", None

    wire(mark_btn.click, on_mark, [pick, action, agree, disagree, added, note, pending, lang], [result, table, history, note, pending],
         mark_msg, api_name="review_mark")

    def on_export(lo: str, hi: str, fmt_: str, request: gr.Request) -> Any:
        return gr.update(value=export(res, _user(request), lo, hi, fmt_), visible=True)

    wire(export_btn.click, on_export, [since, until, fmt], export_file, export_msg, api_name="review_export")

    def on_stats(lo: str, hi: str, group_: str, ui_lang: str, request: gr.Request) -> tuple[Any, ...]:
        chart, rows, agree_rows = statistics(res, _user(request), lo, hi, group_, ui_lang)
        return chart, frame(rows, "rev.grouped", ui_lang), frame(agree_rows, "rev.agreement", ui_lang)

    wire(stats_btn.click, on_stats, [since, until, group, lang], [plot, grouped, agreement], export_msg, api_name="review_stats")
    wire(group.change, on_stats, [since, until, group, lang], [plot, grouped, agreement], export_msg, api_visibility="private")
    return tab
