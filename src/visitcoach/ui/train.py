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
from visitcoach.ui.handlers import Resources

MAX_IMPORT_BYTES = 200_000
ATTEMPT_HEADERS = ["id", "trainee", "exercise", "finished", "total", "passed", "ended by"]
COHORT_HEADERS = ["trainee", "attempts", "passed", "exercises passed", "last", "best", "compliance", "discovery",
                  "empathy", "plan", "outcome", "assigned, not passed"]


def trainees(res: Resources) -> list[str]:
    """Users who may rehearse (the people a trainer assigns to)."""
    return sorted(u for u in res.auth.users if res.auth.allowed(u, "rehearse"))


def exercise_yaml(res: Resources, user: str, exercise_id: str) -> tuple[str, str]:
    """(YAML text, a line saying whether it is shipped and read-only)."""
    res.require(user, "train")
    lib = res.library()
    text = lib.export_yaml(exercise_id)
    note = ("shipped exercise: read-only — duplicate it to change it / 内置练习为只读，请复制后修改"
            if lib.is_shipped(exercise_id) else "trainer's exercise: edit and save / 培训师自建练习，可编辑保存")
    return text, note


def save(res: Resources, user: str, text: str) -> str:
    res.require(user, "train")
    if not (text or "").strip():
        raise VisitCoachError("The editor is empty. / 编辑框为空。")
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
    if not path:
        raise VisitCoachError("Choose a YAML file first. / 请先选择 YAML 文件。")
    file = Path(path)
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
    try:
        due_date = dt.date.fromisoformat(due.strip()) if (due or "").strip() else None
    except ValueError:
        raise VisitCoachError(f"due: {due!r} is not a date like 2026-12-31 / 截止日期格式应为 2026-12-31") from None
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


def attempts(res: Resources, user: str, trainee: str | None = None) -> list[list[Any]]:
    res.require(user, "train")
    return [[a["id"], a["trainee"], a["exercise_id"], a["finished"], a["total"], "✓" if a["passed"] else "✗", a["ended_by"]]
            for a in reversed(res.training().attempts(trainee or None))]


def progress(res: Resources, user: str, trainee: str) -> tuple[list[str], list[list[Any]]]:
    """(headers, rows): a trainee's scores per objective, attempt by attempt."""
    res.require(user, "train")
    rows = res.training().progress(trainee)
    keys = sorted({k for r in rows for k in r if k.startswith("objective:")})
    headers = ["finished", "exercise", "total", "passed", *(k.removeprefix("objective:") for k in keys)]
    return headers, [[r["finished"], r["exercise_id"], r["total"], "✓" if r["passed"] else "✗", *(r.get(k) for k in keys)]
                     for r in rows]


def transcript(res: Resources, user: str, attempt_id: Any, folder: Path) -> tuple[str, list[str]]:
    """(Markdown, [md path, json path]) of any attempt."""
    from visitcoach.rehearsal import transcript_markdown
    from visitcoach.ui.handlers import write_transcript

    res.require(user, "train")
    try:
        n = int(attempt_id)
    except (TypeError, ValueError):
        raise VisitCoachError(f"attempt: {attempt_id!r} is not an attempt number / 请输入练习记录编号") from None
    record = res.training().attempt(n)
    name = f"{record['exercise_id']}-attempt-{n}-{record['trainee']}"
    files = write_transcript(record["result"], name, folder, transcript_markdown)
    return transcript_markdown(record["result"], name), files


def build(res: Resources, L: Any, t: Any, exports: Path, safe: Any, user_of: Any) -> dict[str, Any]:
    """Lay out the Train tab's contents (call inside its `gr.Tab`) and wire them; returns the
    components the page load fills in."""
    import gradio as gr

    with gr.Tabs():
        with gr.Tab(t("train.exercises", "en")) as sub_ex:
            with gr.Row():
                ex_pick = L(gr.Dropdown([], label=t("reh.exercise", "en"), allow_custom_value=True, elem_id="vc-train-exercise", scale=3), "reh.exercise")
                ex_load = L(gr.Button(t("train.load", "en"), elem_id="vc-train-load", scale=1), "train.load", "value")
                ex_dup = L(gr.Button(t("train.duplicate", "en"), elem_id="vc-train-duplicate", scale=1), "train.duplicate", "value")
                ex_export = L(gr.Button(t("train.export", "en"), elem_id="vc-train-export", scale=1), "train.export", "value")
            ex_note = gr.Markdown(elem_id="vc-train-note")
            ex_code = gr.Code(language="yaml", label="YAML", elem_id="vc-train-yaml", interactive=True, lines=18)
            ex_save = L(gr.Button(t("train.save", "en"), variant="primary", elem_id="vc-train-save"), "train.save", "value")
            ex_status = gr.Markdown(elem_id="vc-train-status")
            ex_file = L(gr.File(label=t("train.file", "en"), interactive=False), "train.file")
            with gr.Row():
                case_pick = L(gr.Dropdown([], label=t("prep.case", "en"), allow_custom_value=True, elem_id="vc-train-case", scale=3), "prep.case")
                persona_pick = L(gr.Dropdown([], label=t("train.persona", "en"), allow_custom_value=True, scale=2), "train.persona")
                from_case_btn = L(gr.Button(t("train.from_case", "en"), elem_id="vc-train-from-case", scale=1), "train.from_case", "value")
            with gr.Row():
                up = L(gr.File(label=t("train.import", "en"), file_types=[".yaml", ".yml"], type="filepath", elem_id="vc-train-upload"), "train.import")
                up_btn = L(gr.Button(t("train.import_go", "en"), elem_id="vc-train-import"), "train.import_go", "value")
        with gr.Tab(t("train.assign", "en")) as sub_as:
            with gr.Row():
                as_trainee = L(gr.Dropdown([], label=t("train.trainee", "en"), allow_custom_value=True, elem_id="vc-train-trainee"), "train.trainee")
                as_ex = L(gr.Dropdown([], label=t("reh.exercise", "en"), allow_custom_value=True, elem_id="vc-train-as-exercise"), "reh.exercise")
                as_due = L(gr.Textbox(label=t("train.due", "en"), placeholder="2026-12-31"), "train.due")
            as_btn = L(gr.Button(t("train.assign_go", "en"), variant="primary", elem_id="vc-train-assign"), "train.assign_go", "value")
            as_table = gr.Dataframe(headers=["trainee", "exercise", "due", "assigned by", "attempts", "passed"], interactive=False, elem_id="vc-train-assignments")
        with gr.Tab(t("train.cohort", "en")) as sub_co:
            co_btn = L(gr.Button(t("train.refresh", "en"), elem_id="vc-train-refresh"), "train.refresh", "value")
            co_table = gr.Dataframe(headers=COHORT_HEADERS, interactive=False, elem_id="vc-train-cohort")
            co_plot = gr.LinePlot(x="finished", y="total", color="trainee", title="Scores over time / 成绩变化", elem_id="vc-train-chart", y_lim=[0, 1])
            with gr.Row():
                pr_trainee = L(gr.Dropdown([], label=t("train.trainee", "en"), allow_custom_value=True), "train.trainee")
                pr_btn = L(gr.Button(t("train.progress", "en")), "train.progress", "value")
            pr_table = gr.Dataframe(interactive=False, elem_id="vc-train-progress")
            at_table = gr.Dataframe(headers=ATTEMPT_HEADERS, interactive=False, elem_id="vc-train-attempts")
            with gr.Row():
                at_id = L(gr.Number(precision=0, label=t("train.attempt", "en"), elem_id="vc-train-attempt-id"), "train.attempt")
                at_btn = L(gr.Button(t("train.show", "en"), elem_id="vc-train-show"), "train.show", "value")
            at_md = gr.Markdown(elem_id="vc-train-transcript")
            at_files = L(gr.File(label=t("train.file", "en"), file_count="multiple", interactive=False), "train.file")
    for sub, key in ((sub_ex, "train.exercises"), (sub_as, "train.assign"), (sub_co, "train.cohort")):
        L(sub, key)

    def folder(request: Any) -> Path:
        return exports / (str(getattr(request, "session_hash", None) or "s") + "-" + user_of(request))

    def picks(choice: str | None = None) -> Any:
        return gr.update(choices=res.choices("exercises"), value=choice) if choice else gr.update(choices=res.choices("exercises"))

    @safe
    def on_load_ex(ex_id: str, request: gr.Request) -> tuple[str, str]:
        text, note = exercise_yaml(res, user_of(request), ex_id)
        return text, note

    ex_load.click(on_load_ex, ex_pick, [ex_code, ex_note], api_name="train_exercise")
    ex_pick.change(on_load_ex, ex_pick, [ex_code, ex_note], api_visibility="private")

    @safe
    def on_save(text: str, request: gr.Request) -> tuple[str, Any]:
        return save(res, user_of(request), text), picks()

    ex_save.click(on_save, ex_code, [ex_status, ex_pick], api_name="train_save")

    @safe
    def on_dup(ex_id: str, request: gr.Request) -> tuple[Any, ...]:
        status, new, text = duplicate(res, user_of(request), ex_id)
        return status, picks(new), text

    ex_dup.click(on_dup, ex_pick, [ex_status, ex_pick, ex_code], api_name="train_duplicate")

    @safe
    def on_from_case(case_id: str, persona_id: str, request: gr.Request) -> tuple[Any, ...]:
        status, new, text = from_case(res, user_of(request), case_id, persona_id)
        return status, picks(new), text

    from_case_btn.click(on_from_case, [case_pick, persona_pick], [ex_status, ex_pick, ex_code], api_name="train_from_case")

    @safe
    def on_export(ex_id: str, request: gr.Request) -> str:
        return export(res, user_of(request), ex_id, folder(request))

    ex_export.click(on_export, ex_pick, ex_file, api_name="train_export")

    @safe
    def on_import(path: str, request: gr.Request) -> tuple[Any, ...]:
        status, new, text = import_file(res, user_of(request), path)
        return status, picks(new), text

    up_btn.click(on_import, up, [ex_status, ex_pick, ex_code], api_name="train_import")

    @safe
    def on_assign(trainee: str, ex_id: str, due: str, request: gr.Request) -> list[list[Any]]:
        return assign(res, user_of(request), trainee, ex_id, due)

    as_btn.click(on_assign, [as_trainee, as_ex, as_due], as_table, api_name="train_assign")

    @safe
    def on_cohort(request: gr.Request) -> tuple[Any, ...]:
        user = user_of(request)
        rows, frame = cohort(res, user)
        return rows, frame, attempts(res, user), assignments(res, user)

    co_btn.click(on_cohort, None, [co_table, co_plot, at_table, as_table], api_name="train_cohort")

    @safe
    def on_progress(trainee: str, request: gr.Request) -> Any:
        headers, rows = progress(res, user_of(request), trainee)
        return gr.update(value=rows, headers=headers)

    pr_btn.click(on_progress, pr_trainee, pr_table, api_name="train_progress")

    @safe
    def on_transcript(attempt_id: Any, request: gr.Request) -> tuple[str, list[str]]:
        return transcript(res, user_of(request), attempt_id, folder(request))

    at_btn.click(on_transcript, at_id, [at_md, at_files], api_name="train_transcript")

    return {"exercise_pickers": [ex_pick, as_ex], "case_picker": case_pick, "persona_picker": persona_pick,
            "trainee_pickers": [as_trainee, pr_trainee]}
