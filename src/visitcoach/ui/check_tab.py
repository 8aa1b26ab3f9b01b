"""The Check tab: a script and its visit context checked against the rules, highlighted in place; batches.

`build` lays out the tab's contents (call it inside its `gr.Tab`) and wires them to the handlers.
"""

# No `from __future__ import annotations` here: Gradio finds the `gr.Request` parameter of a handler
# from its evaluated annotation.
from typing import Any

from visitcoach.corpus.schemas import FLAG_NAMES
from visitcoach.ui import handlers as H
from visitcoach.ui.common import JURISDICTIONS, safe, user_of
from visitcoach.ui.i18n import t


def build(res: H.Resources, L: Any) -> None:
    import gradio as gr

    with gr.Row():
        with gr.Column(scale=3):
            script = L(gr.Textbox(label=t("check.script", "en"), lines=8, elem_id="vc-script"), "check.script")
            script_file = L(gr.File(label=t("check.upload", "en"), file_types=[".txt", ".md"], type="filepath"), "check.upload")
        with gr.Column(scale=2):
            c_jur = L(gr.Dropdown(JURISDICTIONS, value="ALL", label=t("check.jurisdiction", "en"), elem_id="vc-check-jur"), "check.jurisdiction")
            c_time = L(gr.Textbox(label=t("check.time", "en"), elem_id="vc-check-time"), "check.time")
            c_loc = L(gr.Dropdown(["", "home", "workplace", "public", "hospital", "other"], value="", label=t("check.location", "en")), "check.location")
            c_coll = L(gr.Number(label=t("check.collectors", "en"), precision=0), "check.collectors")
            c_aud = L(gr.Radio(["debtor", "third_party"], value="debtor", label=t("check.audience", "en")), "check.audience")
            c_open = L(gr.Checkbox(label=t("check.opening", "en")), "check.opening")
            c_flags = L(gr.CheckboxGroup(list(FLAG_NAMES), label=t("check.flags", "en")), "check.flags")
    check_btn = L(gr.Button(t("check.go", "en"), variant="primary", elem_id="vc-check-go"), "check.go", "value")
    verdict = gr.Markdown(elem_id="vc-verdict")
    highlighted = gr.HTML(elem_id="vc-highlight")
    findings = gr.Dataframe(headers=["severity", "rule", "category", "text", "citation", "suggestion"], interactive=False, elem_id="vc-findings")
    with gr.Accordion("Batch / 批量", open=False):
        batch_file = L(gr.File(label=t("check.batch", "en"), file_types=[".jsonl", ".csv"], type="filepath", elem_id="vc-batch-file"), "check.batch")
        batch_btn = L(gr.Button(t("check.batch_go", "en"), elem_id="vc-batch-go"), "check.batch_go", "value")
        batch_summary = gr.Markdown(elem_id="vc-batch-summary")
        batch_table = gr.Dataframe(headers=["id", "verdict", "findings", "categories"], interactive=False, elem_id="vc-batch-table")
        batch_reports = L(gr.File(label=t("check.batch_report", "en"), file_count="multiple", interactive=False), "check.batch_report")

    @safe
    def on_check(text: str, upload: str | None, j: str, vt: str, loc: str, coll: Any, aud: str, opening: bool,
                 flags: list[str], request: gr.Request) -> tuple[Any, ...]:
        ctx = H.context_from_form(j, vt, loc, coll, aud, opening, flags)
        return H.check(res, user_of(request), text, upload, ctx, None)

    check_btn.click(on_check, [script, script_file, c_jur, c_time, c_loc, c_coll, c_aud, c_open, c_flags], [verdict, highlighted, findings], api_name="check")

    @safe
    def on_batch(path: str, request: gr.Request, progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:
        rows, reports, summary = H.check_batch(res, user_of(request), path, progress)
        return rows, reports, summary

    batch_btn.click(on_batch, batch_file, [batch_table, batch_reports, batch_summary], api_name="check_batch")
