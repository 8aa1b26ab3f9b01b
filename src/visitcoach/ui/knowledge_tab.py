"""The Knowledge tab: search the index, list its documents; admins re-ingest and upload documents.

`build` lays out the tab's contents (call it inside its `gr.Tab`) and wires them to the handlers.
"""

# No `from __future__ import annotations` here: Gradio finds the `gr.Request` parameter of a handler
# from its evaluated annotation.
from typing import Any

from visitcoach.ui import handlers as H
from visitcoach.ui.common import JURISDICTIONS, safe, user_of
from visitcoach.ui.i18n import t


def build(res: H.Resources, L: Any) -> None:
    import gradio as gr

    with gr.Row():
        kn_query = L(gr.Textbox(label=t("kn.search", "en"), scale=4, elem_id="vc-kn-query"), "kn.search")
        kn_jur = L(gr.Dropdown(JURISDICTIONS, value="ALL", label=t("ask.jurisdiction", "en"), scale=1), "ask.jurisdiction")
    kn_btn = L(gr.Button(t("kn.search_go", "en"), elem_id="vc-kn-go"), "kn.search_go", "value")
    kn_results = gr.Dataframe(headers=["score", "citation", "title", "section", "text"], interactive=False, wrap=True)
    kn_docs = gr.Dataframe(headers=["doc_id", "title", "type", "jurisdiction", "lang", "chunks", "source"], interactive=False, elem_id="vc-kn-docs")
    with gr.Accordion("Admin / 管理", open=False):
        kn_status = L(gr.Markdown(elem_id="vc-kn-status"), "kn.status", "label")
        reingest_btn = L(gr.Button(t("kn.reingest", "en"), elem_id="vc-reingest"), "kn.reingest", "value")
        up_file = L(gr.File(label=t("kn.upload", "en"), file_types=[".pdf", ".docx", ".md"], type="filepath"), "kn.upload")
        with gr.Row():
            up_title = L(gr.Textbox(label=t("kn.upload_title", "en")), "kn.upload_title")
            up_jur = L(gr.Dropdown(JURISDICTIONS, value="ALL", label=t("kn.upload_jurisdiction", "en")), "kn.upload_jurisdiction")
            up_lang = L(gr.Dropdown(["en", "zh"], value="en", label=t("kn.upload_lang", "en")), "kn.upload_lang")
        up_btn = L(gr.Button(t("kn.upload_go", "en")), "kn.upload_go", "value")

    @safe
    def on_search(q: str, j: str, request: gr.Request) -> tuple[Any, Any]:
        user = user_of(request)
        return H.search(res, user, q, j), H.documents(res, user)

    kn_btn.click(on_search, [kn_query, kn_jur], [kn_results, kn_docs], api_name="search")
    kn_query.submit(on_search, [kn_query, kn_jur], [kn_results, kn_docs], api_visibility="private")

    @safe
    def on_reingest(request: gr.Request, progress: gr.Progress = gr.Progress()) -> tuple[Any, Any]:
        user = user_of(request)
        return H.reingest(res, user, progress), H.documents(res, user)

    reingest_btn.click(on_reingest, None, [kn_status, kn_docs], api_name="reingest")

    @safe
    def on_upload(path: str, title_: str, j: str, lg: str, request: gr.Request, progress: gr.Progress = gr.Progress()) -> tuple[Any, Any]:
        user = user_of(request)
        return H.upload_document(res, user, path, title_, j, lg, progress), H.documents(res, user)

    up_btn.click(on_upload, [up_file, up_title, up_jur, up_lang], [kn_status, kn_docs], api_name="upload")
