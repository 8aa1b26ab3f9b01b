"""The Gradio app: tabs for each capability, roles, a zh/en switch.

`build_demo()` only builds components and wires events (no I/O); the handlers live in
`visitcoach.ui.handlers` and open the index, checker and stores lazily, once per process, shared
by every session. Per-session state (the chat history, the last plan) lives in `gr.State`, so
concurrent users never see each other's work.

Every action has a message box beside its button (`common.wire`): a mistake is one message there,
in the chosen language, and the other outputs stay as they were. The language switch relabels
every registered component: labels (`L`), choices (`C`), table headers (`HD`).
"""


import importlib.util
import logging
import os
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from visitcoach.config import Settings, get_settings
from visitcoach.errors import VisitCoachError
from visitcoach.repayment.calc import PRODUCTS
from visitcoach.repayment.calc import ROLES as PLAN_ROLES
from visitcoach.text import JURISDICTIONS as TYPED_JURISDICTIONS
from visitcoach.ui import ask_tab, check_tab, knowledge_tab
from visitcoach.ui import handlers as H
from visitcoach.ui import train as train_handlers
from visitcoach.ui.auth import Auth
from visitcoach.ui.common import admit, growing, in_background, message_html, set_lang, turn, user_of, wire
from visitcoach.ui.i18n import choices, headers, t, v
from visitcoach.ui.review import build_review_tab
from visitcoach.ui.theme import CSS, launch_options, locale_script
from visitcoach.ui.train import build as build_train

log = logging.getLogger(__name__)

__all__ = ["CSS", "answer_question", "build_demo", "launch", "launch_options"]

TABS = ("ask", "prepare", "plan", "check", "rehearse", "train", "knowledge", "review", "dashboard", "settings")


class Registry:
    """Components the language switch updates: labels, choices and table headers."""

    def __init__(self) -> None:
        self.items: list[tuple[Any, Callable[[str], dict[str, Any]]]] = []
        self.lang: Any = None  # the session's language (gr.State), set when the Blocks open
        #: (tab name, handler, inputs, outputs, message box): run when the tab is opened.
        self.tab_opened: list[tuple[str, Callable[..., Any], Any, Any, Any]] = []

    def L(self, component: Any, key: str, attr: str = "label") -> Any:
        self.items.append((component, lambda lang: {attr: t(key, lang)}))
        return component

    def C(self, component: Any, kind: str, codes: Any) -> Any:
        codes = list(codes)
        self.items.append((component, lambda lang: {"choices": choices(kind, codes, lang)}))
        return component

    def HD(self, component: Any, table: str) -> Any:
        """A table whose headers follow the language (Gradio applies new headers only with a value: the
        table starts empty in the new language)."""
        import pandas as pd

        self.items.append((component, lambda lang: {"value": pd.DataFrame(columns=headers(table, lang))}))
        return component

    def F(self, component: Any, make: Callable[[str], dict[str, Any]]) -> Any:
        self.items.append((component, make))
        return component


def empty(key: str, lang: str = "en") -> str:
    return f'<div class="vc-empty">{H._md_bold(t(key, lang))}</div>'


def build_demo(settings: Settings | None = None, auth: Auth | None = None):  # noqa: ANN201 - gr.Blocks
    import gradio as gr
    import pandas as pd

    settings = settings or get_settings()
    res = H.Resources(settings, auth or Auth(settings))
    reg = Registry()
    L, C, HD = reg.L, reg.C, reg.HD

    def msg_box(elem_id: str) -> Any:
        return gr.HTML("", elem_id=elem_id, elem_classes=["vc-msgbox"])

    with gr.Blocks(title="visitcoach") as demo:
        lang = gr.State("en")
        reg.lang = lang
        with gr.Row(elem_id="vc-header"):
            L(gr.Markdown(t("title", "en"), elem_id="vc-title"), "title", "value")
            whoami = gr.Markdown(elem_id="vc-whoami")
            switch = L(gr.Radio([(t("lang.en", "en"), "en"), (t("lang.zh", "en"), "zh")], value="en", label=t("lang", "en"),
                                elem_id="vc-lang", scale=0, min_width=180), "lang")
        exports = Path(tempfile.gettempdir()) / "visitcoach-exports"
        with gr.Tabs():
            tabs: dict[str, Any] = {}
            # -- Ask -------------------------------------------------------------------------
            with gr.Tab(t("tab.ask", "en"), id="ask", elem_id="vc-tab-ask") as tabs["ask"]:
                ask_tab.build(res, reg, msg_box)
            # -- Prepare ---------------------------------------------------------------------
            with gr.Tab(t("tab.prepare", "en"), id="prepare", elem_id="vc-tab-prepare") as tabs["prepare"]:
                with gr.Row():
                    prep_case = L(gr.Dropdown([], label=t("prep.case", "en"), elem_id="vc-prep-case", scale=3, allow_custom_value=True), "prep.case")
                    prep_at = L(gr.Textbox(label=t("prep.at", "en"), placeholder="2027-03-01T09:00", elem_id="vc-prep-at", scale=2), "prep.at")
                with gr.Row():
                    prep_btn = L(gr.Button(t("prep.go", "en"), variant="primary", elem_id="vc-prep-go", scale=0, min_width=200), "prep.go", "value")
                    prep_msg = msg_box("vc-prep-msg")
                banner = gr.HTML(empty("empty.prep"), elem_id="vc-prep-banner")
                reg.F(banner, lambda lg: {})
                prep_windows = HD(gr.Dataframe(headers=headers("prep.windows", "en"), interactive=False, elem_id="vc-prep-windows",
                                               visible=False, label=t("prep.windows", "en")), "prep.windows")
                L(prep_windows, "prep.windows")
                prep_opening = L(gr.Textbox(label=t("prep.opening", "en"), lines=6, elem_id="vc-prep-opening", buttons=["copy"], visible=False),
                                 "prep.opening")
                with gr.Row():
                    prep_md = L(gr.DownloadButton(t("prep.download_md", "en"), elem_id="vc-prep-md", interactive=False), "prep.download_md", "label")
                    prep_pdf = L(gr.DownloadButton(t("prep.download_pdf", "en"), elem_id="vc-prep-pdf", interactive=False), "prep.download_pdf", "label")
                brief_md = gr.Markdown(elem_id="vc-brief")
            # -- Plan ------------------------------------------------------------------------
            with gr.Tab(t("tab.plan", "en"), id="plan", elem_id="vc-tab-plan") as tabs["plan"]:
                plan_state = gr.State({})
                plan_case = L(gr.Dropdown([], label=t("plan.source", "en"), elem_id="vc-plan-case", allow_custom_value=True), "plan.source")
                with gr.Row():
                    f_balance = L(gr.Textbox(label=t("plan.balance", "en"), elem_id="vc-plan-balance"), "plan.balance")
                    f_arrears = L(gr.Textbox(label=t("plan.arrears", "en"), elem_id="vc-plan-arrears"), "plan.arrears")
                    f_instalment = L(gr.Textbox(label=t("plan.instalment", "en"), elem_id="vc-plan-instalment"), "plan.instalment")
                    f_term = L(gr.Textbox(label=t("plan.term", "en"), elem_id="vc-plan-term"), "plan.term")
                    f_rate = L(gr.Textbox(label=t("plan.rate", "en"), elem_id="vc-plan-rate"), "plan.rate")
                with gr.Row():
                    f_income = L(gr.Textbox(label=t("plan.income", "en"), elem_id="vc-plan-income"), "plan.income")
                    f_expenses = L(gr.Textbox(label=t("plan.expenses", "en"), elem_id="vc-plan-expenses"), "plan.expenses")
                    f_other = L(gr.Textbox(label=t("plan.other", "en"), elem_id="vc-plan-other"), "plan.other")
                    f_product = C(L(gr.Dropdown(choices("product", PRODUCTS, "en"), value="consumer_loan", label=t("plan.product", "en"),
                                                elem_id="vc-plan-product"), "plan.product"), "product", PRODUCTS)
                    f_jur = C(L(gr.Dropdown(choices("jurisdiction", TYPED_JURISDICTIONS, "en"), value="CN", label=t("plan.jurisdiction", "en"),
                                            elem_id="vc-plan-jur"), "plan.jurisdiction"), "jurisdiction", TYPED_JURISDICTIONS)
                with gr.Row():
                    f_role = C(L(gr.Dropdown(choices("approver", PLAN_ROLES, "en"), value="agent", label=t("plan.role", "en"),
                                             elem_id="vc-plan-role"), "plan.role"), "approver", PLAN_ROLES)
                    f_style = C(L(gr.Radio(choices("style", ("letter", "script"), "en"), value="letter", label=t("plan.style", "en"),
                                           elem_id="vc-plan-style"), "plan.style"), "style", ("letter", "script"))
                with gr.Row():
                    plan_btn = L(gr.Button(t("plan.go", "en"), variant="primary", elem_id="vc-plan-go", scale=0, min_width=200), "plan.go", "value")
                    plan_msg = msg_box("vc-plan-msg")
                plan_summary = gr.Markdown(empty("empty.plan"), elem_id="vc-plan-summary")
                plan_options = HD(gr.Dataframe(headers=headers("plan.options", "en"), interactive=False, elem_id="vc-plan-options", wrap=True,
                                               visible=False), "plan.options")
                plan_pick = L(gr.Dropdown([], label=t("plan.pick", "en"), elem_id="vc-plan-pick", visible=False), "plan.pick")
                with gr.Row():
                    plan_schedule = HD(gr.Dataframe(headers=headers("plan.schedule", "en"), interactive=False, elem_id="vc-plan-schedule",
                                                    visible=False, max_height=420), "plan.schedule")
                    plan_chart = L(gr.LinePlot(x="date", y="amount", color="series", color_title=" ", elem_id="vc-plan-chart", visible=False,
                                               label=t("plan.chart", "en"), x_title=" ", y_title=" "), "plan.chart")
                plan_draft = L(gr.Textbox(label=t("plan.draft", "en"), lines=14, elem_id="vc-plan-draft", buttons=["copy"], visible=False), "plan.draft")
                plan_dl = L(gr.DownloadButton(t("plan.download", "en"), elem_id="vc-plan-dl", interactive=False), "plan.download", "label")
            # -- Check -----------------------------------------------------------------------
            with gr.Tab(t("tab.check", "en"), id="check", elem_id="vc-tab-check") as tabs["check"]:
                check_tab.build(res, reg, msg_box)
            # -- Rehearse --------------------------------------------------------------------
            with gr.Tab(t("tab.rehearse", "en"), id="rehearse", elem_id="vc-tab-rehearse") as tabs["rehearse"]:
                token = gr.State("")
                with gr.Row():
                    r_exercise = L(gr.Dropdown([], label=t("reh.exercise", "en"), elem_id="vc-reh-exercise", allow_custom_value=True, scale=4), "reh.exercise")
                    r_seed = L(gr.Number(value=0, precision=0, minimum=0, label=t("reh.seed", "en"), scale=1, elem_id="vc-reh-seed"), "reh.seed")
                with gr.Row():
                    r_start = L(gr.Button(t("reh.start", "en"), variant="primary", elem_id="vc-reh-start", scale=0, min_width=200), "reh.start", "value")
                    r_msg = msg_box("vc-reh-msg")
                r_brief = gr.Markdown(empty("empty.rehearse"), elem_id="vc-reh-brief")
                with gr.Row():
                    with gr.Column(scale=3):
                        r_chat = L(gr.Chatbot(label=t("reh.chat", "en"), elem_id="vc-reh-chat", height=360), "reh.chat")
                        r_say = L(gr.Textbox(label=t("reh.say", "en"), elem_id="vc-reh-say", interactive=False), "reh.say")
                        with gr.Row():
                            r_send = L(gr.Button(t("reh.send", "en"), elem_id="vc-reh-send", interactive=False), "reh.send", "value")
                            r_end = L(gr.Button(t("reh.finish", "en"), elem_id="vc-reh-finish", interactive=False), "reh.finish", "value")
                        r_turn_msg = msg_box("vc-reh-turn-msg")
                    with gr.Column(scale=2):
                        r_alerts = gr.HTML(elem_id="vc-reh-alerts")
                r_ended = gr.HTML(elem_id="vc-reh-ended")
                r_card = gr.HTML(elem_id="vc-reh-card")
                r_transcript = L(gr.Markdown(elem_id="vc-reh-transcript", visible=False, label=t("reh.transcript", "en")), "reh.transcript")
                with gr.Row():
                    r_export = L(gr.Button(t("reh.export", "en"), elem_id="vc-reh-export", interactive=False), "reh.export", "value")
                    r_mine = L(gr.Button(t("reh.mine", "en"), elem_id="vc-reh-mine"), "reh.mine", "value")
                    r_files_msg = msg_box("vc-reh-files-msg")
                r_files = L(gr.File(label=t("train.file", "en"), file_count="multiple", interactive=False, elem_id="vc-reh-files", visible=False), "train.file")
                r_progress = HD(gr.Dataframe(headers=headers("reh.progress", "en"), interactive=False, elem_id="vc-reh-progress", visible=False), "reh.progress")
            # -- Train (trainers) ------------------------------------------------------------
            with gr.Tab(t("tab.train", "en"), id="train", elem_id="vc-tab-train") as tabs["train"]:
                train = build_train(res, reg, exports, msg_box, lang)
            # -- Knowledge -------------------------------------------------------------------
            with gr.Tab(t("tab.knowledge", "en"), id="knowledge", elem_id="vc-tab-knowledge") as tabs["knowledge"]:
                knowledge_tab.build(res, reg, msg_box, lang)
            from visitcoach.ui.dashboard import dashboard_tab  # the tab builds and wires itself
            tabs["dashboard"] = dashboard_tab(res, lang, reg, msg_box)
            tabs["review"] = build_review_tab(res, reg, msg_box, lang)
            # -- Settings --------------------------------------------------------------------
            with gr.Tab(t("tab.settings", "en"), id="settings", elem_id="vc-tab-settings") as tabs["settings"]:
                set_info = gr.Markdown(elem_id="vc-settings")
                with gr.Row():
                    set_btn = L(gr.Button(t("set.test", "en"), elem_id="vc-test-connection", scale=0, min_width=220), "set.test", "value")
                    set_msg = msg_box("vc-set-msg")
                set_result = gr.Markdown(elem_id="vc-test-result")
        for name, tab in tabs.items():
            L(tab, f"tab.{name}")
        for name, fn, inputs, outputs, box in reg.tab_opened:  # content that loads when its tab is opened
            wire(tabs[name].select, fn, inputs, outputs, box, api_visibility="private")

        # -- wiring (handlers are in visitcoach.ui.handlers) -----------------------------------
        def on_load(request: gr.Request) -> list[Any]:
            set_lang(request, "en")
            user = user_of(request)
            role = res.auth.role(user) or "—"
            # "hidden", not False: Gradio 6 hides a tab on update only that way (handlers check roles anyway).
            visible = [gr.update(visible=True if res.auth.allowed(user, name) else "hidden") for name in TABS]
            cases = res.choices("cases") if res.auth.allowed(user, "prepare") else []
            exercises = H.exercise_choices(res.settings, "en") if res.auth.allowed(user, "rehearse") else []
            info = H.settings_info(res, user) if res.auth.allowed(user, "settings") else ""
            trainer = res.auth.allowed(user, "train")
            people = train_handlers.trainees(res) if trainer else []
            personas = [c for c in exercises if c[1].startswith("persona-")] if trainer else []
            return [t("whoami", "en", user=user or "—", role=v("role", role, "en")), *visible,
                    gr.update(choices=cases), gr.update(choices=cases), gr.update(choices=exercises), info,
                    *[gr.update(choices=exercises if trainer else []) for _ in train["exercise_pickers"]],
                    gr.update(choices=cases if trainer else []), gr.update(choices=personas),
                    *[gr.update(choices=people) for _ in train["trainee_pickers"]]]

        demo.load(on_load, None, [whoami, *[tabs[n] for n in TABS], prep_case, plan_case, r_exercise, set_info,
                                  *train["exercise_pickers"], train["case_picker"], train["persona_picker"],
                                  *train["trainee_pickers"]], api_visibility="private")

        def on_switch(value: str, request: gr.Request) -> list[Any]:
            value = "zh" if value == "zh" else "en"
            set_lang(request, value)
            user = user_of(request)
            updates = [value, t("whoami", value, user=user or "—", role=v("role", res.auth.role(user) or "—", value))]
            updates += [gr.update(**make(value)) for _, make in reg.items]
            exercises = H.exercise_choices(res.settings, value) if res.auth.allowed(user, "rehearse") else []
            updates += [gr.update(choices=exercises), H.settings_info(res, user, value) if res.auth.allowed(user, "settings") else ""]
            return updates

        switch.change(on_switch, switch, [lang, whoami, *[c for c, _ in reg.items], r_exercise, set_info],
                      api_visibility="private", js=locale_script())

        def folder_of(request: Any) -> Path:
            return exports / (str(getattr(request, "session_hash", None) or "s") + "-" + user_of(request))

        # -- Prepare
        def on_prepare(case_id: str, at: str, ui_lang: str, request: gr.Request) -> tuple[Any, ...]:
            from visitcoach.ui.export import markdown_to_pdf

            user = user_of(request)
            banner_html, markdown, rows, opening, data = H.prepare(res, user, case_id, at, ui_lang)
            folder = folder_of(request)
            folder.mkdir(parents=True, exist_ok=True)
            md_path = folder / f"brief-{data['case_id']}.md"
            md_path.write_text(markdown, encoding="utf-8")
            pdf_path = markdown_to_pdf(markdown, folder / f"brief-{data['case_id']}.pdf", data["lang"], f"Visit brief {data['case_id']}")
            table = pd.DataFrame(rows, columns=headers("prep.windows", ui_lang))
            return (banner_html, markdown, gr.update(value=table, visible=bool(rows)), gr.update(value=opening, visible=True),
                    gr.update(value=str(md_path), interactive=True), gr.update(value=str(pdf_path), interactive=True))

        wire(prep_btn.click, on_prepare, [prep_case, prep_at, lang], [banner, brief_md, prep_windows, prep_opening, prep_md, prep_pdf],
             prep_msg, api_name="prepare")

        # -- Plan
        plan_fields = [f_balance, f_arrears, f_instalment, f_term, f_rate, f_income, f_expenses, f_other, f_product, f_jur]

        def on_plan_case(case_id: str, request: gr.Request) -> tuple[Any, ...]:
            res.require(user_of(request), "plan")
            if not case_id:
                return tuple(gr.update() for _ in plan_fields)
            if case_id not in {c[1] for c in res.choices("cases")}:
                raise H.UserError("err.unknown_case", value=str(case_id)[:40])
            filled = H.case_amounts(res, case_id)
            return tuple(filled[k] for k in H.PLAN_FIELDS)

        wire(plan_case.change, on_plan_case, plan_case, plan_fields, plan_msg, api_visibility="private")

        def on_plan(case_id: str, balance: str, arrears: str, instalment: str, term: Any, rate: str, income: str,
                    expenses: str, other: str, product: str, jur: str, role: str, style: str, ui_lang: str,
                    request: gr.Request) -> tuple[Any, ...]:
            user = user_of(request)
            amounts = {"balance": balance, "arrears": arrears, "instalment": instalment, "term": term, "rate": rate,
                       "income": income, "expenses": expenses, "other": other, "product": product, "jurisdiction": jur}
            data = H.plan(res, user, case_id, amounts, role, style, ui_lang)
            summary, rows, labels = H.plan_tables(data, ui_lang)
            sched, points = H.schedule_rows(data, labels[0][1] if labels else None, ui_lang)
            folder = folder_of(request)
            folder.mkdir(parents=True, exist_ok=True)
            draft_path = folder / f"proposal-{data['case_id'] or 'plan'}.md"
            draft_path.write_text(data["draft"], encoding="utf-8")
            return (data, summary, gr.update(value=pd.DataFrame(rows, columns=headers("plan.options", ui_lang)), visible=True),
                    gr.update(choices=labels, value=labels[0][1] if labels else None, visible=bool(labels)),
                    gr.update(value=pd.DataFrame(sched, columns=headers("plan.schedule", ui_lang)), visible=bool(sched)),
                    gr.update(value=pd.DataFrame(points or [], columns=["date", "amount", "series"]), visible=bool(points)),
                    gr.update(value=data["draft"], visible=True), gr.update(value=str(draft_path), interactive=True))

        plan_inputs = [plan_case, *plan_fields, f_role, f_style, lang]
        wire(plan_btn.click, on_plan, plan_inputs,
             [plan_state, plan_summary, plan_options, plan_pick, plan_schedule, plan_chart, plan_draft, plan_dl], plan_msg, api_name="plan")

        def on_pick(data: dict[str, Any], label: str, ui_lang: str) -> tuple[Any, Any]:
            sched, points = H.schedule_rows(data or {}, label, ui_lang)
            return (pd.DataFrame(sched, columns=headers("plan.schedule", ui_lang)),
                    pd.DataFrame(points or [], columns=["date", "amount", "series"]))

        plan_pick.change(on_pick, [plan_state, plan_pick, lang], [plan_schedule, plan_chart], api_visibility="private")

        # -- Rehearse
        closed = (gr.update(interactive=False), gr.update(interactive=False), gr.update(interactive=False))

        def on_rehearse_start(exercise_id: str, seed: Any, ui_lang: str, request: gr.Request) -> tuple[Any, ...]:
            tok, chat_, brief_ = H.rehearse_start(res, user_of(request), exercise_id, seed, ui_lang)
            return (tok, chat_, brief_, "", "", "", gr.update(value="", visible=False), gr.update(interactive=True, value=""),
                    gr.update(interactive=True), gr.update(interactive=True), gr.update(interactive=False), gr.update(visible=False))

        wire(r_start.click, on_rehearse_start, [r_exercise, r_seed, lang],
             [token, r_chat, r_brief, r_alerts, r_card, r_ended, r_transcript, r_say, r_send, r_end, r_export, r_files],
             r_msg, api_name="rehearse_start")

        def ended_outputs(tok: str, user: str, ui_lang: str) -> tuple[Any, ...]:
            return (message_html(H.ended_line(res, user, tok, ui_lang), "info").replace("vc-msg ", "vc-ended vc-msg "),
                    gr.update(value=H.transcript_md(res, user, tok, ui_lang), visible=True), *closed, gr.update(interactive=True))

        turn_outputs = [r_chat, r_alerts, r_card, r_ended, r_transcript, r_say, r_send, r_end, r_export]

        def on_turn(tok: str, text: str, shown_chat: list[dict[str, str]], ui_lang: str,
                    request: gr.Request) -> Iterator[tuple[Any, ...]]:
            """The borrower's reply as it is produced (a model voice's tokens, a bank line sentence by
            sentence), then the turn's alerts, and the scorecard when the conversation has ended."""
            user = user_of(request)
            said = [*(shown_chat or []), {"role": "user", "content": (text or "").strip()}]
            skip = gr.skip()
            waiting = (skip,) * (len(turn_outputs) - 1)
            streamed = ""

            def work(on_token: Callable[[str], None], cancel: threading.Event) -> Any:
                with turn("rehearse"):
                    return H.rehearse_turn(res, user, tok, text, ui_lang, on_token=on_token)

            for event, value in in_background(work, res.settings.ask_timeout):
                if event == "token":
                    streamed += value
                    yield ([*said, {"role": "assistant", "content": streamed}], *waiting)
                    continue
                chat_, alerts, card = value
                if not streamed and chat_ and chat_[-1]["role"] == "assistant":
                    for part in growing(chat_[-1]["content"])[:-1]:
                        yield ([*chat_[:-1], {"role": "assistant", "content": part}], *waiting)
                if H.rehearse_over(res, user, tok):
                    ended, transcript, _say, send, end, export = ended_outputs(tok, user, ui_lang)
                    yield (chat_, alerts, card, ended, transcript, gr.update(value="", interactive=False), send, end, export)
                    return
                yield (chat_, alerts, card, gr.update(), gr.update(), gr.update(value=""), gr.update(), gr.update(), gr.update())

        wire(r_send.click, on_turn, [token, r_say, r_chat, lang], turn_outputs, r_turn_msg, api_name="rehearse_turn")
        wire(r_say.submit, on_turn, [token, r_say, r_chat, lang], turn_outputs, r_turn_msg, api_visibility="private")

        def on_rehearse_finish(tok: str, ui_lang: str, request: gr.Request) -> tuple[Any, ...]:
            user = user_of(request)
            card = H.rehearse_finish(res, user, tok, ui_lang)
            ended, transcript, say, send, end, export = ended_outputs(tok, user, ui_lang)
            return card, ended, transcript, say, send, end, export

        wire(r_end.click, on_rehearse_finish, [token, lang], [r_card, r_ended, r_transcript, r_say, r_send, r_end, r_export],
             r_turn_msg, api_name="rehearse_finish")

        def on_rehearse_export(tok: str, request: gr.Request) -> Any:
            user = user_of(request)
            return gr.update(value=H.rehearse_transcript(res, user, tok, folder_of(request)), visible=True)

        wire(r_export.click, on_rehearse_export, token, r_files, r_files_msg, api_name="rehearse_transcript")

        def on_mine(ui_lang: str, request: gr.Request) -> Any:
            rows = H.my_progress(res, user_of(request), ui_lang)
            return gr.update(value=pd.DataFrame(rows, columns=headers("reh.progress", ui_lang)), visible=True)

        wire(r_mine.click, on_mine, lang, r_progress, r_files_msg, api_name="rehearse_progress")

        # -- Settings
        def on_test(ui_lang: str, request: gr.Request) -> str:
            return H.test_connection(res, user_of(request), ui_lang)

        wire(set_btn.click, on_test, lang, set_result, set_msg, api_name="test_connection")
        demo.vc_resources = res  # type: ignore[attr-defined]  # for tests and launch
    # Admission is ours (`common.admit`): `ui_workers` requests of a kind run at once and the rest wait
    # up to `ui_wait` s for a turn, then get "busy, try again" in their language. Gradio's own limit is
    # set above it so that requests reach that gate instead of queueing silently in front of it.
    admit(settings.ui_workers, settings.ui_wait)
    lighter_events()
    demo.queue(default_concurrency_limit=max(32, 8 * settings.ui_workers))
    return demo


#: Events between Gradio's recomputations of its monitoring summary (a pandas table of up to 10,000
#: past events, by default rebuilt after every event: 4 % of a loaded server's time). visitcoach does
#: not serve Gradio's monitoring page; its own figures are in the dashboard and `benchmarks/`.
ANALYTICS_EVERY = 1000


def lighter_events() -> None:
    """Take two costs off every Gradio event that buy visitcoach nothing (each ~4 % under load):
    the monitoring summary rebuilt per event (`ANALYTICS_EVERY`; an explicit
    GRADIO_ANALYTICS_CACHE_FREQUENCY wins), and, when matplotlib is not installed, the failed
    `import matplotlib` Gradio attempts around each call, which searches every path entry each time:
    its absence is recorded once in `sys.modules`, the documented way to make that import fail at
    once."""
    os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", str(ANALYTICS_EVERY))
    if "matplotlib" not in sys.modules and importlib.util.find_spec("matplotlib") is None:
        sys.modules["matplotlib"] = None  # type: ignore[assignment]


def limit_blas(threads: int) -> None:
    """At most `threads` BLAS threads for numpy's products in this process (`Settings.blas_threads`):
    a server answers many requests at once, each with small products, and OpenBLAS's own thread
    pool only makes them wait for each other's cores."""
    import numpy  # noqa: F401 - its BLAS must be loaded to be limited
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=threads, user_api="blas")
    log.debug("BLAS limited to %d thread(s) per product", threads)


def warm_and_freeze(res: H.Resources) -> None:
    """Warm the process (`Services.warm`), then move everything it loaded out of the garbage
    collector's sight (`gc.freeze`). The index, the tokenizer's caches and the models are a few
    hundred thousand objects that live as long as the process; each full collection walked all of
    them (145 ms here) and a loaded server spent 13 % of its time so, mostly in the middle of
    answering. Frozen objects are never collected, which is what they would have been anyway."""
    import gc

    res.warm()
    gc.collect()
    gc.freeze()
    log.info("%d long-lived objects frozen out of garbage collection", gc.get_freeze_count())


def launch(settings: Settings, host: str = "127.0.0.1", port: int = 7860, demo: Any = None, quiet: bool = False) -> None:
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    demo = demo or build_demo(settings)
    res: H.Resources = demo.vc_resources
    from visitcoach.llm.redact import install_log_redaction

    if not logging.getLogger().handlers:  # `python app.py`: no CLI set logging up
        logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    install_log_redaction()
    limit_blas(settings.blas_threads)
    threading.Thread(target=warm_and_freeze, args=(res,), name="visitcoach-warm", daemon=True).start()  # while the server starts
    log.warning("visitcoach on http://%s:%d (mode: %s); sign in with %s", host, port, settings.llm, res.auth.banner())
    demo.launch(
        server_name=host, server_port=port, show_error=False, auth=res.auth, auth_message="visitcoach", quiet=quiet, **launch_options(settings.max_request_mb)
    )


def answer_question(question: str, jurisdiction: str, settings: Settings | None = None, lang: str = "en") -> tuple[str, str]:
    """One stateless question (kept for scripts and tests): (answer as shown, sources HTML)."""
    import gradio as gr

    from visitcoach.ui.common import localise

    settings = settings or get_settings()
    res = H.Resources(settings, Auth(settings), enforce_roles=False)
    try:
        _history, sources, shown = H.ask_turn(res, "", question, jurisdiction, [], lang)
    except VisitCoachError as exc:
        raise gr.Error(localise(exc, lang)) from exc
    return shown, sources

