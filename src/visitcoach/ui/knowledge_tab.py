"""The Knowledge tab: search the index, list its documents; admins re-ingest and upload documents.

`build` lays out the tab's contents (call it inside its `gr.Tab`) and wires them to the handlers.
"""

# No `from __future__ import annotations` here: Gradio finds the `gr.Request` parameter of a handler
# from its evaluated annotation.
from typing import Any

from visitcoach.ui import handlers as H
from visitcoach.ui.common import JURISDICTIONS, user_of, wire
from visitcoach.ui.i18n import choices, headers, t

LANGS = ("en", "zh")


def build(res: H.Resources, reg: Any, msg_box: Any, lang: Any) -> None:
    import gradio as gr
    import pandas as pd

    L, C, HD = reg.L, reg.C, reg.HD
    with gr.Row():
        kn_query = L(gr.Textbox(label=t("kn.search", "en"), scale=4, elem_id="vc-kn-query"), "kn.search")
        kn_jur = C(L(gr.Dropdown(choices("jurisdiction", JURISDICTIONS, "en"), value="ALL", label=t("ask.jurisdiction", "en"), scale=1,
                                 elem_id="vc-kn-jur"), "ask.jurisdiction"), "jurisdiction", JURISDICTIONS)
    with gr.Row():
        kn_btn = L(gr.Button(t("kn.search_go", "en"), elem_id="vc-kn-go", variant="primary", scale=0, min_width=160), "kn.search_go", "value")
        kn_msg = msg_box("vc-kn-msg")
    kn_results = HD(gr.Dataframe(headers=headers("kn.results", "en"), interactive=False, wrap=True, elem_id="vc-kn-results", visible=False,
                                 elem_classes=["vc-data"]),
                    "kn.results")
    kn_docs = HD(L(gr.Dataframe(headers=headers("kn.docs", "en"), interactive=False, elem_id="vc-kn-docs", label=t("kn.docs", "en"), elem_classes=["vc-data"],
                                max_height=360), "kn.docs"), "kn.docs")
    with L(gr.Accordion(t("kn.admin", "en"), open=False), "kn.admin"):
        kn_status = L(gr.Markdown(elem_id="vc-kn-status"), "kn.status", "label")
        with gr.Row():
            reingest_btn = L(gr.Button(t("kn.reingest", "en"), elem_id="vc-reingest", scale=0, min_width=200), "kn.reingest", "value")
            admin_msg = msg_box("vc-kn-admin-msg")
        up_file = L(gr.File(label=t("kn.upload", "en"), file_types=[".pdf", ".docx", ".md"], type="filepath", elem_id="vc-kn-file", height=110),
                    "kn.upload")
        with gr.Row():
            up_title = L(gr.Textbox(label=t("kn.upload_title", "en"), elem_id="vc-kn-title"), "kn.upload_title")
            up_jur = C(L(gr.Dropdown(choices("jurisdiction", JURISDICTIONS, "en"), value="ALL", label=t("kn.upload_jurisdiction", "en")),
                         "kn.upload_jurisdiction"), "jurisdiction", JURISDICTIONS)
            up_lang = C(L(gr.Dropdown(choices("doclang", LANGS, "en"), value="en", label=t("kn.upload_lang", "en")), "kn.upload_lang"),
                        "doclang", LANGS)
        up_btn = L(gr.Button(t("kn.upload_go", "en"), elem_id="vc-kn-upload", interactive=False), "kn.upload_go", "value")
    up_file.change(lambda f: gr.update(interactive=bool(f)), up_file, up_btn, api_visibility="private", show_progress="hidden")

    def docs_frame(user: str, ui_lang: str) -> Any:
        return pd.DataFrame(H.documents(res, user, ui_lang), columns=headers("kn.docs", ui_lang))

    def on_search(q: str, j: str, ui_lang: str, request: gr.Request) -> tuple[Any, Any]:
        user = user_of(request)
        rows = H.search(res, user, q, j)
        return gr.update(value=pd.DataFrame(rows, columns=headers("kn.results", ui_lang)), visible=True), docs_frame(user, ui_lang)

    wire(kn_btn.click, on_search, [kn_query, kn_jur, lang], [kn_results, kn_docs], kn_msg, api_name="search")
    wire(kn_query.submit, on_search, [kn_query, kn_jur, lang], [kn_results, kn_docs], kn_msg, api_visibility="private")

    def on_open(ui_lang: str, request: gr.Request) -> Any:
        return docs_frame(user_of(request), ui_lang)

    reg.tab_opened.append(("knowledge", on_open, [lang], kn_docs, kn_msg))

    def on_reingest(ui_lang: str, request: gr.Request, progress: gr.Progress = gr.Progress()) -> tuple[Any, Any]:
        user = user_of(request)
        return H.reingest(res, user, progress), docs_frame(user, ui_lang)

    wire(reingest_btn.click, on_reingest, lang, [kn_status, kn_docs], admin_msg, api_name="reingest")

    def on_upload(path: str, title_: str, j: str, lg: str, ui_lang: str, request: gr.Request,
                  progress: gr.Progress = gr.Progress()) -> tuple[Any, Any]:
        user = user_of(request)
        return H.upload_document(res, user, path, title_, j, lg, progress), docs_frame(user, ui_lang)

    wire(up_btn.click, on_upload, [up_file, up_title, up_jur, up_lang, lang], [kn_status, kn_docs], admin_msg, api_name="upload")
