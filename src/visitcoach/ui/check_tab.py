"""The Check tab: a script and its visit context checked against the rules, highlighted in place; batches.

`build` lays out the tab's contents (call it inside its `gr.Tab`) and wires them to the handlers.
"""

# No `from __future__ import annotations` here: Gradio finds the `gr.Request` parameter of a handler
# from its evaluated annotation.
from typing import Any

from visitcoach.corpus.schemas import FLAG_NAMES
from visitcoach.ui import handlers as H
from visitcoach.ui.common import JURISDICTIONS, user_of, wire
from visitcoach.ui.i18n import choices, headers, t

LOCATIONS = ("", "home", "workplace", "public", "hospital", "other")
AUDIENCES = ("debtor", "third_party")


def build(res: H.Resources, reg: Any, msg_box: Any) -> None:
    import gradio as gr
    import pandas as pd

    L, C, HD = reg.L, reg.C, reg.HD
    lang = reg.lang
    with gr.Row():
        with gr.Column(scale=3):
            script = L(L(gr.Textbox(label=t("check.script", "en"), lines=8, elem_id="vc-script", placeholder=t("check.placeholder", "en")),
                         "check.script"), "check.placeholder", "placeholder")
            script_file = L(gr.File(label=t("check.upload", "en"), file_types=[".txt", ".md"], type="filepath", elem_id="vc-script-file",
                                    height=110), "check.upload")
        with gr.Column(scale=2):
            c_jur = C(L(gr.Dropdown(choices("jurisdiction", JURISDICTIONS, "en"), value="ALL", label=t("check.jurisdiction", "en"),
                                    elem_id="vc-check-jur"), "check.jurisdiction"), "jurisdiction", JURISDICTIONS)
            c_time = L(gr.Textbox(label=t("check.time", "en"), placeholder="2027-03-01T19:30", elem_id="vc-check-time"), "check.time")
            c_loc = C(L(gr.Dropdown(choices("location", LOCATIONS, "en"), value="", label=t("check.location", "en"), elem_id="vc-check-loc"),
                        "check.location"), "location", LOCATIONS)
            c_coll = L(gr.Number(value=2, precision=0, minimum=1, label=t("check.collectors", "en"), elem_id="vc-check-collectors"),
                       "check.collectors")
            c_aud = C(L(gr.Radio(choices("audience", AUDIENCES, "en"), value="debtor", label=t("check.audience", "en"), elem_id="vc-check-aud"),
                        "check.audience"), "audience", AUDIENCES)
            c_open = L(gr.Checkbox(label=t("check.opening", "en"), elem_id="vc-check-opening"), "check.opening")
            c_flags = C(L(gr.CheckboxGroup(choices("flag", FLAG_NAMES, "en"), label=t("check.flags", "en"), elem_id="vc-check-flags"),
                          "check.flags"), "flag", FLAG_NAMES)
    with gr.Row():
        check_btn = L(gr.Button(t("check.go", "en"), variant="primary", elem_id="vc-check-go", interactive=False, scale=0, min_width=200),
                      "check.go", "value")
        msg = msg_box("vc-check-msg")
    verdict = gr.HTML(f'<div class="vc-empty">{H._md_bold(t("empty.check", "en"))}</div>', elem_id="vc-verdict")
    highlighted = gr.HTML(elem_id="vc-highlight")
    findings = HD(gr.Dataframe(headers=headers("check.findings", "en"), interactive=False, elem_id="vc-findings", wrap=True,
                               column_widths=["9%", "14%", "14%", "18%", "15%", "30%"], visible=False), "check.findings")
    with L(gr.Accordion(t("check.batch_title", "en"), open=False), "check.batch_title"):
        batch_file = L(gr.File(label=t("check.batch", "en"), file_types=[".jsonl", ".csv"], type="filepath", elem_id="vc-batch-file", height=110),
                       "check.batch")
        with gr.Row():
            batch_btn = L(gr.Button(t("check.batch_go", "en"), elem_id="vc-batch-go", interactive=False, scale=0, min_width=200),
                          "check.batch_go", "value")
            batch_msg = msg_box("vc-batch-msg")
        batch_summary = gr.Markdown(elem_id="vc-batch-summary")
        batch_table = HD(gr.Dataframe(headers=headers("check.batch", "en"), interactive=False, elem_id="vc-batch-table", visible=False), "check.batch")
        batch_reports = L(gr.File(label=t("check.batch_report", "en"), file_count="multiple", interactive=False, visible=False), "check.batch_report")

    # The Check button acts once there is something to check.
    def ready(text: str, upload: Any) -> Any:
        return gr.update(interactive=bool((text or "").strip()) or bool(upload))

    script.change(ready, [script, script_file], check_btn, api_visibility="private", show_progress="hidden")
    script_file.change(ready, [script, script_file], check_btn, api_visibility="private", show_progress="hidden")
    batch_file.change(lambda f: gr.update(interactive=bool(f)), batch_file, batch_btn, api_visibility="private", show_progress="hidden")

    def on_check(text: str, upload: str | None, j: str, vt: str, loc: str, coll: Any, aud: str, opening: bool,
                 flags: list[str], ui_lang: str, request: gr.Request) -> tuple[Any, ...]:
        ctx = H.context_from_form(j, vt, loc, coll, aud, opening, flags)
        verdict_, html_, rows = H.check(res, user_of(request), text, upload, ctx, ui_lang)
        table = pd.DataFrame(rows, columns=headers("check.findings", ui_lang))
        return verdict_, html_, gr.update(value=table, visible=bool(rows))

    wire(check_btn.click, on_check, [script, script_file, c_jur, c_time, c_loc, c_coll, c_aud, c_open, c_flags, lang],
         [verdict, highlighted, findings], msg, api_name="check")

    def on_batch(path: str, ui_lang: str, request: gr.Request, progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:
        rows, reports, summary = H.check_batch(res, user_of(request), path, progress, ui_lang)
        return (gr.update(value=pd.DataFrame(rows, columns=headers("check.batch", ui_lang)), visible=True),
                gr.update(value=reports, visible=True), summary)

    wire(batch_btn.click, on_batch, [batch_file, lang], [batch_table, batch_reports, batch_summary], batch_msg, api_name="check_batch")
