"""The Train tab (trainers and admins): exercises, assignments, the cohort and any attempt's transcript.

`handlers` below are plain functions of (Resources, user, ...) that check the role and call the
library (`visitcoach.training`); `build` lays out the tab and wires them. Shipped exercises are
read-only: a trainer duplicates one to change it.
"""

# No `from __future__ import annotations` here: Gradio finds the `gr.Request` parameter of a handler
# from its evaluated annotation (as in ui/__init__.py).
import datetime as dt
from pathlib import Path
from typing import Any

from visitcoach.errors import VisitCoachError
from visitcoach.ui import forms
from visitcoach.ui.common import UserError
from visitcoach.ui.handlers import Resources
from visitcoach.ui.i18n import t

MAX_IMPORT_BYTES = 200_000
ATTEMPT_HEADERS = ["id", "trainee", "exercise", "finished", "total", "passed", "ended by"]
COHORT_HEADERS = ["trainee", "attempts", "passed", "exercises passed", "last", "best", "compliance", "discovery",
                  "empathy", "plan", "outcome", "assigned, not passed"]


def trainees(res: Resources) -> list[str]:
    """Users who may rehearse (the people a trainer assigns to)."""
    return sorted(u for u in res.auth.users if res.auth.allowed(u, "rehearse"))


def exercise_yaml(res: Resources, user: str, exercise_id: str, lang: str = "en") -> tuple[str, str]:
    """(YAML text, a line saying whether it is shipped and read-only)."""
    res.require(user, "train")
    lib = res.library()
    text = lib.export_yaml(exercise_id)
    note = t("train.read_only" if lib.is_shipped(exercise_id) else "train.editable", lang)
    return text, note


def save(res: Resources, user: str, text: str) -> str:
    res.require(user, "train")
    if not (text or "").strip():
        raise UserError("err.editor_empty")
    ex = res.library().save(text, user, "the editor")
    res.forget_choices("exercises")
    return f"saved {ex.id} / 已保存"


def duplicate(res: Resources, user: str, exercise_id: str) -> tuple[str, str, str]:
    """(status, new id, its YAML)."""
    res.require(user, "train")
    if not exercise_id:
        raise VisitCoachError("Choose an exercise first. / 请先选择练习。")
    lib = res.library()
    ex = lib.duplicate(exercise_id, user)
    res.forget_choices("exercises")
    return f"{exercise_id} duplicated as {ex.id} / 已复制", ex.id, lib.export_yaml(ex.id)


def from_case(res: Resources, user: str, case_id: str, persona_id: str | None) -> tuple[str, str, str]:
    """(status, new id, its YAML): an anonymised exercise made from a case."""
    res.require(user, "train")
    if not case_id:
        raise VisitCoachError("Choose a case first. / 请先选择案例。")
    lib = res.library()
    ex = lib.from_case(case_id, user, persona_id or None)
    res.forget_choices("exercises")
    return f"created {ex.id} from a case, anonymised / 已由案例生成（已匿名化）", ex.id, lib.export_yaml(ex.id)


def export(res: Resources, user: str, exercise_id: str, folder: Path) -> str:
    res.require(user, "train")
    if not exercise_id:
        raise VisitCoachError("Choose an exercise first. / 请先选择练习。")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{exercise_id}.yaml"
    path.write_text(res.library().export_yaml(exercise_id), encoding="utf-8")
    return str(path)


def import_file(res: Resources, user: str, path: str | None) -> tuple[str, str, str]:
    """(status, id, its YAML) for an uploaded exercise file."""
    res.require(user, "train")
    file = forms.upload(path, (".yaml", ".yml"))
    if file is None:
        raise UserError("err.file_needed")
    size = file.stat().st_size
    if size > MAX_IMPORT_BYTES:
        raise VisitCoachError(f"{file.name}: {size:,} bytes; an exercise file is at most {MAX_IMPORT_BYTES:,}")
    try:
        text = file.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise VisitCoachError(f"{file.name}: not UTF-8 text (byte {exc.start}); save it as UTF-8 and import again") from None
    lib = res.library()
    ex = lib.import_yaml(text, file.name, user)
    res.forget_choices("exercises")
    return f"imported {ex.id} / 已导入", ex.id, lib.export_yaml(ex.id)


def assign(res: Resources, user: str, trainee: str, exercise_id: str, due: str) -> list[list[Any]]:
    res.require(user, "train")
    if trainee not in trainees(res):
        raise VisitCoachError(f"trainee: {trainee!r} is not a user who can rehearse / 学员不存在")
    res.library().get(exercise_id)  # a clear error for an unknown id
    due_date = forms.day(due, "train.due", not_before=dt.date.today())
    res.training().assign(trainee, exercise_id, user, due_date)
    return assignments(res, user)


def assignments(res: Resources, user: str) -> list[list[Any]]:
    res.require(user, "train")
    return [[s["trainee"], s["exercise_id"], s["due"] or "", s["assigned_by"], s["attempts"], "✓" if s["passed"] else ""]
            for s in res.training().assignments()]


def cohort(res: Resources, user: str) -> tuple[list[list[Any]], Any]:
    """(the cohort table, the attempts over time as a DataFrame for the chart)."""
    import pandas as pd

    res.require(user, "train")
    store = res.training()
    rows = [[r["trainee"], r["attempts"], r["passed"], r["exercises_passed"], r["last_total"], r["best_total"],
             r["compliance"], r["discovery"], r["empathy"], r["plan"], r["outcome"], ", ".join(r["assigned_not_passed"])]
            for r in store.cohort()]
    points = [{"finished": pd.Timestamp(a["finished"]).tz_localize(None), "total": a["total"], "trainee": a["trainee"]}
              for a in store.attempts()]
    frame = pd.DataFrame(points or [], columns=["finished", "total", "trainee"])
    return rows, frame


def attempts(res: Resources, user: str, trainee: str | None = None, lang: str = "en") -> list[list[Any]]:
    from visitcoach.ui.i18n import v

    res.require(user, "train")
    return [[a["id"], a["trainee"], a["exercise_id"], a["finished"], a["total"], "✓" if a["passed"] else "✗", v("ended_by", a["ended_by"], lang)]
            for a in reversed(res.training().attempts(trainee or None))]


def objective_title(res: Resources, exercise_id: str, key: str, lang: str) -> str:
    """An objective's words (in `lang`, shortened) for a column header; its key when the exercise is gone."""
    try:
        objectives = list(res.library().get(exercise_id).objectives)
    except VisitCoachError:
        return key
    match = next((o for o in objectives if o.id == key), None)
    if match is None and key.isdigit() and 1 <= int(key) <= len(objectives):
        match = objectives[int(key) - 1]
    if match is None:
        return key
    text = getattr(match.text, lang, None) or match.text.en
    return text if len(text) <= 36 else text[:35].rstrip() + "…"


def progress(res: Resources, user: str, trainee: str, lang: str = "en") -> tuple[list[str], list[list[Any]]]:
    """(headers, rows): a trainee's scores per objective, attempt by attempt; each objective column is
    headed by the objective's words."""
    from visitcoach.ui.i18n import t

    res.require(user, "train")
    if not (trainee or "").strip():
        raise UserError("err.trainee")
    rows = res.training().progress(trainee)
    keys = sorted({(r["exercise_id"], k) for r in rows for k in r if k.startswith("objective:")})
    titles = [objective_title(res, ex, k.removeprefix("objective:"), lang) for ex, k in keys]
    # Two exercises may word an objective alike: keep headers unique.
    seen: dict[str, int] = {}
    for i, title in enumerate(titles):
        seen[title] = seen.get(title, 0) + 1
        if seen[title] > 1:
            titles[i] = f"{title} ({keys[i][0]})"
    headers = [t("col.finished", lang), t("col.exercise", lang), t("col.total", lang), t("col.passed", lang), *titles]
    return headers, [[r["finished"], r["exercise_id"], r["total"], "✓" if r["passed"] else "✗",
                      *(r.get(k) if r["exercise_id"] == ex else None for ex, k in keys)] for r in rows]


def transcript(res: Resources, user: str, attempt_id: Any, folder: Path) -> tuple[str, list[str]]:
    """(Markdown, [md path, json path]) of any attempt."""
    from visitcoach.rehearsal import transcript_markdown
    from visitcoach.ui.handlers import write_transcript

    res.require(user, "train")
    if attempt_id in (None, "", 0):
        raise UserError("err.attempt")
    try:
        n = int(attempt_id)
    except (TypeError, ValueError):
        raise UserError("err.attempt") from None
    record = res.training().attempt(n)
    name = f"{record['exercise_id']}-attempt-{n}-{record['trainee']}"
    files = write_transcript(record["result"], name, folder, transcript_markdown)
    return transcript_markdown(record["result"], name), files


def build(res: Resources, reg: Any, exports: Path, msg_box: Any, lang: Any) -> dict[str, Any]:
    """Lay out the Train tab's contents (call inside its `gr.Tab`) and wire them; returns the
    components the page load fills in. The cohort loads when its sub-tab is opened."""
    import gradio as gr
    import pandas as pd

    from visitcoach.ui.common import user_of, wire
    from visitcoach.ui.i18n import headers

    L, HD = reg.L, reg.HD
    with gr.Tabs():
        with L(gr.Tab(t("train.exercises", "en")), "train.exercises"):
            with gr.Row():
                ex_pick = L(gr.Dropdown([], label=t("reh.exercise", "en"), allow_custom_value=True, elem_id="vc-train-exercise", scale=3), "reh.exercise")
                ex_load = L(gr.Button(t("train.load", "en"), elem_id="vc-train-load", scale=1), "train.load", "value")
                ex_dup = L(gr.Button(t("train.duplicate", "en"), elem_id="vc-train-duplicate", scale=1), "train.duplicate", "value")
                ex_export = L(gr.Button(t("train.export", "en"), elem_id="vc-train-export", scale=1), "train.export", "value")
            ex_msg = msg_box("vc-train-msg")
            ex_note = gr.Markdown(elem_id="vc-train-note")
            ex_code = gr.Code(language="yaml", label="YAML", elem_id="vc-train-yaml", interactive=True, lines=18, elem_classes=["vc-data"])
            ex_save = L(gr.Button(t("train.save", "en"), variant="primary", elem_id="vc-train-save"), "train.save", "value")
            ex_status = gr.Markdown(elem_id="vc-train-status")
            ex_file = L(gr.File(label=t("train.file", "en"), interactive=False, visible=False), "train.file")
            with gr.Row():
                case_pick = L(gr.Dropdown([], label=t("prep.case", "en"), allow_custom_value=True, elem_id="vc-train-case", scale=3), "prep.case")
                persona_pick = L(gr.Dropdown([], label=t("train.persona", "en"), allow_custom_value=True, scale=2), "train.persona")
                from_case_btn = L(gr.Button(t("train.from_case", "en"), elem_id="vc-train-from-case", scale=1), "train.from_case", "value")
            with gr.Row():
                up = L(gr.File(label=t("train.import", "en"), file_types=[".yaml", ".yml"], type="filepath", elem_id="vc-train-upload", height=110),
                       "train.import")
                up_btn = L(gr.Button(t("train.import_go", "en"), elem_id="vc-train-import", interactive=False), "train.import_go", "value")
        with L(gr.Tab(t("train.assign", "en")), "train.assign"):
            with gr.Row():
                as_trainee = L(gr.Dropdown([], label=t("train.trainee", "en"), allow_custom_value=True, elem_id="vc-train-trainee"), "train.trainee")
                as_ex = L(gr.Dropdown([], label=t("reh.exercise", "en"), allow_custom_value=True, elem_id="vc-train-as-exercise"), "reh.exercise")
                as_due = L(gr.Textbox(label=t("train.due", "en"), placeholder="2027-01-31", elem_id="vc-train-due"), "train.due")
            with gr.Row():
                as_btn = L(gr.Button(t("train.assign_go", "en"), variant="primary", elem_id="vc-train-assign", scale=0, min_width=200),
                           "train.assign_go", "value")
                as_msg = msg_box("vc-train-assign-msg")
            as_table = HD(gr.Dataframe(headers=headers("train.assignments", "en"), interactive=False, elem_id="vc-train-assignments"),
                          "train.assignments")
        with L(gr.Tab(t("train.cohort", "en"), elem_id="vc-train-cohort-tab"), "train.cohort") as sub_co:
            with gr.Row():
                co_btn = L(gr.Button(t("train.refresh", "en"), elem_id="vc-train-refresh", scale=0, min_width=160), "train.refresh", "value")
                co_msg = msg_box("vc-train-cohort-msg")
            co_table = HD(gr.Dataframe(headers=headers("train.cohort", "en"), interactive=False, elem_id="vc-train-cohort"), "train.cohort")
            # Points, not lines: a trainee with one attempt is still drawn.
            co_plot = L(gr.ScatterPlot(x="finished", y="total", color="trainee", label=t("train.chart", "en"), elem_id="vc-train-chart",
                                       y_lim=[0, 1], x_title=" ", y_title=" "), "train.chart")
            with gr.Row():
                pr_trainee = L(gr.Dropdown([], label=t("train.trainee", "en"), allow_custom_value=True, elem_id="vc-train-pr-trainee"), "train.trainee")
                pr_btn = L(gr.Button(t("train.progress", "en"), elem_id="vc-train-pr-go"), "train.progress", "value")
            pr_msg = msg_box("vc-train-pr-msg")
            pr_table = gr.Dataframe(interactive=False, elem_id="vc-train-progress", visible=False, wrap=True)
            at_table = HD(gr.Dataframe(headers=headers("train.attempts", "en"), interactive=False, elem_id="vc-train-attempts"), "train.attempts")
            with gr.Row():
                at_id = L(gr.Dropdown([], value=None, label=t("train.attempt", "en"), elem_id="vc-train-attempt-id", allow_custom_value=True),
                          "train.attempt")
                at_btn = L(gr.Button(t("train.show", "en"), elem_id="vc-train-show", interactive=False), "train.show", "value")
            at_msg = msg_box("vc-train-at-msg")
            at_md = gr.Markdown(elem_id="vc-train-transcript")
            at_files = L(gr.File(label=t("train.file", "en"), file_count="multiple", interactive=False, visible=False), "train.file")

    def folder(request: Any) -> Path:
        return exports / (str(getattr(request, "session_hash", None) or "s") + "-" + user_of(request))

    def picks(choice: str | None = None) -> Any:
        return gr.update(choices=res.choices("exercises"), value=choice) if choice else gr.update(choices=res.choices("exercises"))

    def on_load_ex(ex_id: str, ui_lang: str, request: gr.Request) -> tuple[str, str]:
        if not ex_id:
            raise UserError("err.exercise")
        text, note = exercise_yaml(res, user_of(request), ex_id, ui_lang)
        return text, note

    wire(ex_load.click, on_load_ex, [ex_pick, lang], [ex_code, ex_note], ex_msg, api_name="train_exercise")
    wire(ex_pick.change, on_load_ex, [ex_pick, lang], [ex_code, ex_note], ex_msg, api_visibility="private")

    def on_save(text: str, request: gr.Request) -> tuple[str, Any]:
        return save(res, user_of(request), text), picks()

    wire(ex_save.click, on_save, ex_code, [ex_status, ex_pick], ex_msg, api_name="train_save")

    def on_dup(ex_id: str, request: gr.Request) -> tuple[Any, ...]:
        status, new, text = duplicate(res, user_of(request), ex_id)
        return status, picks(new), text

    wire(ex_dup.click, on_dup, ex_pick, [ex_status, ex_pick, ex_code], ex_msg, api_name="train_duplicate")

    def on_from_case(case_id: str, persona_id: str, request: gr.Request) -> tuple[Any, ...]:
        status, new, text = from_case(res, user_of(request), case_id, persona_id)
        return status, picks(new), text

    wire(from_case_btn.click, on_from_case, [case_pick, persona_pick], [ex_status, ex_pick, ex_code], ex_msg, api_name="train_from_case")

    def on_export(ex_id: str, request: gr.Request) -> Any:
        return gr.update(value=export(res, user_of(request), ex_id, folder(request)), visible=True)

    wire(ex_export.click, on_export, ex_pick, ex_file, ex_msg, api_name="train_export")

    up.change(lambda f: gr.update(interactive=bool(f)), up, up_btn, api_visibility="private", show_progress="hidden")

    def on_import(path: str, request: gr.Request) -> tuple[Any, ...]:
        status, new, text = import_file(res, user_of(request), path)
        return status, picks(new), text

    wire(up_btn.click, on_import, up, [ex_status, ex_pick, ex_code], ex_msg, api_name="train_import")

    def frame(rows: list[list[Any]], name: str, ui_lang: str) -> Any:
        return pd.DataFrame(rows, columns=headers(name, ui_lang))

    def on_assign(trainee: str, ex_id: str, due: str, ui_lang: str, request: gr.Request) -> Any:
        return frame(assign(res, user_of(request), trainee, ex_id, due), "train.assignments", ui_lang)

    wire(as_btn.click, on_assign, [as_trainee, as_ex, as_due, lang], as_table, as_msg, api_name="train_assign")

    def on_cohort(ui_lang: str, request: gr.Request) -> tuple[Any, ...]:
        user = user_of(request)
        rows, chart = cohort(res, user)
        tries = attempts(res, user, None, ui_lang)
        ids = [(f"#{a[0]} · {a[1]} · {a[2]}", str(a[0])) for a in tries]
        return (frame(rows, "train.cohort", ui_lang), chart, frame(tries, "train.attempts", ui_lang),
                frame(assignments(res, user), "train.assignments", ui_lang), gr.update(choices=ids))

    cohort_outputs = [co_table, co_plot, at_table, as_table, at_id]
    wire(co_btn.click, on_cohort, lang, cohort_outputs, co_msg, api_name="train_cohort")
    wire(sub_co.select, on_cohort, lang, cohort_outputs, co_msg, api_visibility="private")

    def on_progress(trainee: str, ui_lang: str, request: gr.Request) -> Any:
        heads, rows = progress(res, user_of(request), trainee, ui_lang)
        return gr.update(value=pd.DataFrame(rows, columns=heads), visible=True)

    wire(pr_btn.click, on_progress, [pr_trainee, lang], pr_table, pr_msg, api_name="train_progress")

    at_id.change(lambda a: gr.update(interactive=bool(a)), at_id, at_btn, api_visibility="private", show_progress="hidden")

    def on_transcript(attempt_id: Any, request: gr.Request) -> tuple[Any, Any]:
        md, files = transcript(res, user_of(request), attempt_id, folder(request))
        return md, gr.update(value=files, visible=True)

    wire(at_btn.click, on_transcript, at_id, [at_md, at_files], at_msg, api_name="train_transcript")

    return {"exercise_pickers": [ex_pick, as_ex], "case_picker": case_pick, "persona_picker": persona_pick,
            "trainee_pickers": [as_trainee, pr_trainee]}
