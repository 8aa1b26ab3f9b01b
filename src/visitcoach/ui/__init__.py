"""The Gradio app: tabs for each capability, roles, a zh/en switch.

`build_demo()` only builds components and wires events (no I/O); the handlers live in
`visitcoach.ui.handlers` and open the index, checker and stores lazily, once per process, shared
by every session. Per-session state (the chat history, the last plan) lives in `gr.State`, so
concurrent users never see each other's work.
"""


import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from visitcoach.config import Settings, get_settings
from visitcoach.errors import VisitCoachError
from visitcoach.text import JURISDICTIONS as TYPED_JURISDICTIONS
from visitcoach.ui import ask_tab, check_tab, knowledge_tab
from visitcoach.ui import handlers as H
from visitcoach.ui import train as train_handlers
from visitcoach.ui.auth import Auth
from visitcoach.ui.common import safe, user_of
from visitcoach.ui.i18n import t
from visitcoach.ui.review import build_review_tab
from visitcoach.ui.train import build as build_train

log = logging.getLogger(__name__)

CSS = ".vc-finding{border-radius:3px;padding:0 2px;cursor:help} details.vc-source{margin:4px 0}"
TABS = ("ask", "prepare", "plan", "check", "rehearse", "train", "knowledge", "review", "dashboard", "settings")


def build_demo(settings: Settings | None = None, auth: Auth | None = None):  # noqa: ANN201 - gr.Blocks
    import gradio as gr
    import pandas as pd

    settings = settings or get_settings()
    res = H.Resources(settings, auth or Auth(settings))
    labelled: list[tuple[Any, str, str]] = []  # (component, i18n key, attribute) relabelled by the switch

    def L(component: Any, key: str, attr: str = "label") -> Any:
        labelled.append((component, key, attr))
        return component

    with gr.Blocks(title="visitcoach") as demo:
        lang = gr.State("en")
        with gr.Row():
            L(gr.Markdown(t("title", "en"), elem_id="vc-title"), "title", "value")
            switch = gr.Radio(["en", "zh"], value="en", label="Language / 语言", elem_id="vc-lang", scale=0)
        whoami = gr.Markdown(elem_id="vc-whoami")
        exports = Path(tempfile.gettempdir()) / "visitcoach-exports"
        with gr.Tabs():
            tabs: dict[str, Any] = {}
            # -- Ask -------------------------------------------------------------------------
            with gr.Tab(t("tab.ask", "en"), id="ask", elem_id="vc-tab-ask") as tabs["ask"]:
                ask_tab.build(res, L)
            # -- Prepare ---------------------------------------------------------------------
            with gr.Tab(t("tab.prepare", "en"), id="prepare", elem_id="vc-tab-prepare") as tabs["prepare"]:
                with gr.Row():
                    prep_case = L(gr.Dropdown([], label=t("prep.case", "en"), elem_id="vc-prep-case", scale=3, allow_custom_value=True), "prep.case")
                    prep_at = L(gr.Textbox(label=t("prep.at", "en"), elem_id="vc-prep-at", scale=2), "prep.at")
                prep_btn = L(gr.Button(t("prep.go", "en"), variant="primary", elem_id="vc-prep-go"), "prep.go", "value")
                banner = gr.HTML(elem_id="vc-prep-banner")
                prep_windows = gr.Dataframe(headers=["date", "start", "end"], interactive=False, elem_id="vc-prep-windows")
                prep_opening = gr.Textbox(label="Opening script / 开场话术", lines=6, elem_id="vc-prep-opening", buttons=["copy"])
                with gr.Row():
                    prep_md = L(gr.DownloadButton(t("prep.download_md", "en"), elem_id="vc-prep-md"), "prep.download_md", "value")
                    prep_pdf = L(gr.DownloadButton(t("prep.download_pdf", "en"), elem_id="vc-prep-pdf"), "prep.download_pdf", "value")
                brief_md = gr.Markdown(elem_id="vc-brief")
            # -- Plan ------------------------------------------------------------------------
            with gr.Tab(t("tab.plan", "en"), id="plan", elem_id="vc-tab-plan") as tabs["plan"]:
                plan_state = gr.State({})
                plan_case = L(gr.Dropdown([], label=t("plan.source", "en"), elem_id="vc-plan-case", allow_custom_value=True), "plan.source")
                with gr.Row():
                    f_balance = L(gr.Textbox(label=t("plan.balance", "en")), "plan.balance")
                    f_arrears = L(gr.Textbox(label=t("plan.arrears", "en")), "plan.arrears")
                    f_instalment = L(gr.Textbox(label=t("plan.instalment", "en")), "plan.instalment")
                    f_term = L(gr.Number(label=t("plan.term", "en"), precision=0), "plan.term")
                    f_rate = L(gr.Textbox(label=t("plan.rate", "en")), "plan.rate")
                with gr.Row():
                    f_income = L(gr.Textbox(label=t("plan.income", "en")), "plan.income")
                    f_expenses = L(gr.Textbox(label=t("plan.expenses", "en")), "plan.expenses")
                    f_other = L(gr.Textbox(label=t("plan.other", "en")), "plan.other")
                    f_product = L(gr.Dropdown(["consumer_loan", "credit_card", "sme_loan", "auto_loan"], value="consumer_loan", label=t("plan.product", "en")), "plan.product")
                    f_jur = L(gr.Dropdown(list(TYPED_JURISDICTIONS), value="CN", label=t("plan.jurisdiction", "en")), "plan.jurisdiction")
                with gr.Row():
                    f_role = L(gr.Dropdown(["agent", "supervisor", "manager"], value="agent", label=t("plan.role", "en")), "plan.role")
                    f_style = L(gr.Radio(["letter", "script"], value="letter", label=t("plan.style", "en")), "plan.style")
                plan_btn = L(gr.Button(t("plan.go", "en"), variant="primary", elem_id="vc-plan-go"), "plan.go", "value")
                plan_summary = gr.Markdown(elem_id="vc-plan-summary")
                plan_options = gr.Dataframe(
                    headers=["kind", "instalment_max", "months", "total_paid", "total_forgiven", "needs_approval_by", "citation"],
                    interactive=False, elem_id="vc-plan-options",
                )
                plan_pick = L(gr.Dropdown([], label=t("plan.pick", "en"), elem_id="vc-plan-pick", allow_custom_value=True), "plan.pick")
                with gr.Row():
                    plan_schedule = gr.Dataframe(headers=["date", "amount", "remaining"], interactive=False, elem_id="vc-plan-schedule")
                    plan_chart = gr.LinePlot(x="date", y="remaining", elem_id="vc-plan-chart")
                plan_draft = L(gr.Textbox(label=t("plan.draft", "en"), lines=14, elem_id="vc-plan-draft", buttons=["copy"]), "plan.draft")
                plan_dl = L(gr.DownloadButton(t("plan.download", "en"), elem_id="vc-plan-dl"), "plan.download", "value")
            # -- Check -----------------------------------------------------------------------
            with gr.Tab(t("tab.check", "en"), id="check", elem_id="vc-tab-check") as tabs["check"]:
                check_tab.build(res, L)
            # -- Rehearse --------------------------------------------------------------------
            with gr.Tab(t("tab.rehearse", "en"), id="rehearse", elem_id="vc-tab-rehearse") as tabs["rehearse"]:
                token = gr.State("")
                with gr.Row():
                    r_exercise = L(gr.Dropdown([], label=t("reh.exercise", "en"), elem_id="vc-reh-exercise", allow_custom_value=True, scale=4), "reh.exercise")
                    r_seed = L(gr.Number(value=0, precision=0, label=t("reh.seed", "en"), scale=1), "reh.seed")
                r_start = L(gr.Button(t("reh.start", "en"), variant="primary", elem_id="vc-reh-start"), "reh.start", "value")
                r_brief = gr.Markdown(elem_id="vc-reh-brief")
                with gr.Row():
                    with gr.Column(scale=3):
                        r_chat = L(gr.Chatbot(label=t("reh.chat", "en"), elem_id="vc-reh-chat", height=380), "reh.chat")
                        r_say = L(gr.Textbox(label=t("reh.say", "en"), elem_id="vc-reh-say"), "reh.say")
                        with gr.Row():
                            r_send = L(gr.Button(t("reh.send", "en"), elem_id="vc-reh-send"), "reh.send", "value")
                            r_end = L(gr.Button(t("reh.finish", "en"), elem_id="vc-reh-finish"), "reh.finish", "value")
                    with gr.Column(scale=2):
                        r_alerts = gr.HTML(elem_id="vc-reh-alerts")
                r_card = gr.Markdown(elem_id="vc-reh-card")
                with gr.Row():
                    r_export = L(gr.Button(t("reh.export", "en"), elem_id="vc-reh-export"), "reh.export", "value")
                    r_mine = L(gr.Button(t("reh.mine", "en"), elem_id="vc-reh-mine"), "reh.mine", "value")
                r_files = L(gr.File(label=t("train.file", "en"), file_count="multiple", interactive=False, elem_id="vc-reh-files"), "train.file")
                r_progress = gr.Dataframe(headers=["when", "exercise", "total", "passed", "ended by"], interactive=False, elem_id="vc-reh-progress")
            # -- Train (trainers) ------------------------------------------------------------
            with gr.Tab(t("tab.train", "en"), id="train", elem_id="vc-tab-train") as tabs["train"]:
                train = build_train(res, L, t, exports, safe, user_of)
            # -- Knowledge -------------------------------------------------------------------
            with gr.Tab(t("tab.knowledge", "en"), id="knowledge", elem_id="vc-tab-knowledge") as tabs["knowledge"]:
                knowledge_tab.build(res, L)
            from visitcoach.ui.dashboard import dashboard_tab  # the tab builds and wires itself
            tabs["dashboard"] = dashboard_tab(res, lang, L)
            tabs["review"] = build_review_tab(res, L)
            # -- Settings --------------------------------------------------------------------
            with gr.Tab(t("tab.settings", "en"), id="settings", elem_id="vc-tab-settings") as tabs["settings"]:
                set_info = gr.Markdown(elem_id="vc-settings")
                set_btn = L(gr.Button(t("set.test", "en"), elem_id="vc-test-connection"), "set.test", "value")
                set_result = gr.Markdown(elem_id="vc-test-result")
        for name, tab in tabs.items():
            labelled.append((tab, f"tab.{name}", "label"))

        # -- wiring (handlers are in visitcoach.ui.handlers) -----------------------------------
        def on_load(request: gr.Request) -> list[Any]:
            user = user_of(request)
            role = res.auth.role(user) or "—"
            # "hidden", not False: Gradio 6 hides a tab on update only that way (handlers check roles anyway).
            visible = [gr.update(visible=True if res.auth.allowed(user, name) else "hidden") for name in TABS]
            choices = res.choices("cases") if res.auth.allowed(user, "prepare") else []
            exercises = res.choices("exercises") if res.auth.allowed(user, "rehearse") else []
            info = H.settings_info(res, user) if res.auth.allowed(user, "settings") else ""
            trainer = res.auth.allowed(user, "train")
            people = train_handlers.trainees(res) if trainer else []
            personas = [c for c in exercises if c[1].startswith("persona-")] if trainer else []
            return [t("whoami", "en").format(user=user or "—", role=role), *visible,
                    gr.update(choices=choices), gr.update(choices=[("", ""), *choices]), gr.update(choices=exercises), info,
                    *[gr.update(choices=exercises if trainer else []) for _ in train["exercise_pickers"]],
                    gr.update(choices=choices if trainer else []), gr.update(choices=[("", ""), *personas]),
                    *[gr.update(choices=people) for _ in train["trainee_pickers"]]]

        demo.load(on_load, None, [whoami, *[tabs[n] for n in TABS], prep_case, plan_case, r_exercise, set_info,
                                  *train["exercise_pickers"], train["case_picker"], train["persona_picker"],
                                  *train["trainee_pickers"]], api_visibility="private")

        def on_switch(value: str, request: gr.Request) -> list[Any]:
            user = user_of(request)
            updates = [value, t("whoami", value).format(user=user or "—", role=res.auth.role(user) or "—")]
            updates += [gr.update(**{attr: t(key, value)}) for _, key, attr in labelled]
            return updates

        switch.change(on_switch, switch, [lang, whoami, *[c for c, _, _ in labelled]], api_visibility="private")


        @safe
        def on_prepare(case_id: str, at: str, ui_lang: str, request: gr.Request) -> tuple[Any, ...]:
            from visitcoach.ui.export import markdown_to_pdf

            user = user_of(request)
            banner_html, markdown, rows, opening, data = H.prepare(res, user, case_id, at, ui_lang)
            folder = exports / (str(getattr(request, "session_hash", None) or "s") + "-" + user)
            folder.mkdir(parents=True, exist_ok=True)
            md_path = folder / f"brief-{data['case_id']}.md"
            md_path.write_text(markdown, encoding="utf-8")
            pdf_path = markdown_to_pdf(markdown, folder / f"brief-{data['case_id']}.pdf", data["lang"], f"Visit brief {data['case_id']}")
            return banner_html, markdown, rows, opening, str(md_path), str(pdf_path)

        prep_btn.click(on_prepare, [prep_case, prep_at, lang], [banner, brief_md, prep_windows, prep_opening, prep_md, prep_pdf], api_name="prepare")

        @safe
        def on_plan(case_id: str, balance: str, arrears: str, instalment: str, term: Any, rate: str, income: str,
                    expenses: str, other: str, product: str, jur: str, role: str, style: str, ui_lang: str,
                    request: gr.Request) -> tuple[Any, ...]:
            user = user_of(request)
            amounts = {"balance": balance, "arrears": arrears, "instalment": instalment, "term": term, "rate": rate,
                       "income": income, "expenses": expenses, "other": other, "product": product, "jurisdiction": jur}
            data = H.plan(res, user, case_id, amounts, role, style, ui_lang)
            summary, rows, labels = H.plan_tables(data)
            sched, points = H.schedule_rows(data, labels[0] if labels else None)
            folder = exports / (str(getattr(request, "session_hash", None) or "s") + "-" + user)
            folder.mkdir(parents=True, exist_ok=True)
            draft_path = folder / f"proposal-{data['case_id'] or 'plan'}.md"
            draft_path.write_text(data["draft"], encoding="utf-8")
            chart = pd.DataFrame(points or [{"date": "", "remaining": 0.0}])
            return (data, summary, rows, gr.update(choices=labels, value=labels[0] if labels else None), sched, chart,
                    data["draft"], str(draft_path))

        plan_inputs = [plan_case, f_balance, f_arrears, f_instalment, f_term, f_rate, f_income, f_expenses, f_other,
                       f_product, f_jur, f_role, f_style, lang]
        plan_btn.click(on_plan, plan_inputs, [plan_state, plan_summary, plan_options, plan_pick, plan_schedule, plan_chart, plan_draft, plan_dl], api_name="plan")

        def on_pick(data: dict[str, Any], label: str) -> tuple[Any, Any]:
            sched, points = H.schedule_rows(data or {}, label)
            return sched, pd.DataFrame(points or [{"date": "", "remaining": 0.0}])

        plan_pick.change(on_pick, [plan_state, plan_pick], [plan_schedule, plan_chart], api_visibility="private")


        @safe
        def on_rehearse_start(exercise_id: str, seed: Any, request: gr.Request) -> tuple[Any, ...]:
            tok, chat_, brief_ = H.rehearse_start(res, user_of(request), exercise_id, seed)
            return tok, chat_, brief_, "", ""

        r_start.click(on_rehearse_start, [r_exercise, r_seed], [token, r_chat, r_brief, r_alerts, r_card], api_name="rehearse_start")

        @safe
        def on_rehearse_turn(tok: str, text: str, request: gr.Request) -> tuple[Any, ...]:
            chat_, alerts, card = H.rehearse_turn(res, user_of(request), tok, text)
            return chat_, alerts, card, ""

        r_send.click(on_rehearse_turn, [token, r_say], [r_chat, r_alerts, r_card, r_say], api_name="rehearse_turn")
        r_say.submit(on_rehearse_turn, [token, r_say], [r_chat, r_alerts, r_card, r_say], api_visibility="private")

        @safe
        def on_rehearse_finish(tok: str, request: gr.Request) -> str:
            return H.rehearse_finish(res, user_of(request), tok)

        r_end.click(on_rehearse_finish, token, r_card, api_name="rehearse_finish")

        @safe
        def on_rehearse_export(tok: str, request: gr.Request) -> list[str]:
            user = user_of(request)
            return H.rehearse_transcript(res, user, tok, exports / (str(getattr(request, "session_hash", None) or "s") + "-" + user))

        r_export.click(on_rehearse_export, token, r_files, api_name="rehearse_transcript")

        @safe
        def on_mine(request: gr.Request) -> list[list[Any]]:
            return H.my_progress(res, user_of(request))

        r_mine.click(on_mine, None, r_progress, api_name="rehearse_progress")


        @safe
        def on_test(request: gr.Request) -> str:
            return H.test_connection(res, user_of(request))

        set_btn.click(on_test, None, set_result, api_name="test_connection")
        demo.vc_resources = res  # type: ignore[attr-defined]  # for tests and launch
    # Handlers release the GIL in numpy/ONNX-style code and wait on SQLite; a few run at once per event.
    demo.queue(default_concurrency_limit=4)
    return demo


def launch(settings: Settings, host: str = "127.0.0.1", port: int = 7860, demo: Any = None) -> None:
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    demo = demo or build_demo(settings)
    res: H.Resources = demo.vc_resources
    from visitcoach.llm.redact import install_log_redaction

    if not logging.getLogger().handlers:  # `python app.py`: no CLI set logging up
        logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    install_log_redaction()
    log.warning("visitcoach on http://%s:%d (mode: %s); sign in with %s", host, port, settings.llm, res.auth.banner())
    demo.launch(server_name=host, server_port=port, show_error=True, auth=res.auth, auth_message="visitcoach", css=CSS)


def answer_question(question: str, jurisdiction: str, settings: Settings | None = None) -> tuple[str, str]:
    """One stateless question (kept for scripts and tests): (answer Markdown, sources HTML)."""
    import gradio as gr

    settings = settings or get_settings()
    res = H.Resources(settings, Auth(settings), enforce_roles=False)
    try:
        history, sources = H.ask_turn(res, "", question, jurisdiction, [])
    except VisitCoachError as exc:
        raise gr.Error(str(exc)) from exc
    return history[-1]["content"], sources
