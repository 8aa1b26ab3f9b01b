"""The Dashboard tab: visit effectiveness for managers (reviewer, trainer, admin), with charts and a CSV.

No `from __future__ import annotations` here: Gradio must see `gr.Request` as a class to inject it.

`dashboard_tab()` builds the tab inside the app's `gr.Tabs()` and wires its one event; the figures
come from `visitcoach.effectiveness`, the same code as `visitcoach report effectiveness`.
"""

import tempfile
from pathlib import Path
from typing import Any

from visitcoach.ui.common import JURISDICTIONS
from visitcoach.ui.i18n import t


def dashboard_data(res: Any, user: str, jurisdiction: str, days: Any, lang: str) -> dict[str, Any]:
    """The report (role-checked) for the tab: the whole JSON of `report effectiveness`."""
    from visitcoach.effectiveness import report
    from visitcoach.ui import forms
    from visitcoach.ui.common import UserError

    res.require(user, "dashboard")
    try:
        window = forms.whole(days, "dash.days", 1, 3650)
    except UserError:
        raise UserError("err.window", value=str(days)[:20]) from None
    return report(res.settings, window_days=window, jurisdiction=None if jurisdiction in ("", "ALL", None) else jurisdiction,
                  lang="zh" if lang == "zh" else "en")


def report_words(markdown: str, lang: str) -> str:
    """The report names products and segments by code: say them in words."""
    import re

    from visitcoach.prep.text import word
    from visitcoach.ui.i18n import v

    markdown = re.sub(r"\b(consumer_loan|credit_card|sme_loan|auto_loan)\b", lambda m: v("product", m.group(1), lang), markdown)
    return re.sub(r"\b((?:able|partial|unable)_(?:willing|low))\b", lambda m: word(m.group(1), lang), markdown)


def chart_frames(data: dict[str, Any], lang: str) -> tuple[Any, Any, Any, Any]:
    """DataFrames for the four charts; every bar's label carries its sample size."""
    import pandas as pd

    def label(key: str) -> str:
        return t(f"dash.{key}", lang)

    rec = data["recovery"]
    recovery = []
    for group in ("visited", "remote"):
        s = rec[group]
        for period in ("before", "after"):
            if s[period] is not None:
                recovery.append({"bar": f"{label(group)} · {label(period)} (n={s['n']})", "group": label(group),
                                 "rate_pct": float(s[period]) * 100})
    cost = [
        {"bar": f"{r['jurisdiction']} ({r['currency']}, n={r['n_cases']})", "per_unit_cost": float(r["recovered_per_unit_cost"])}
        for r in data["cost_benefit"]["by_jurisdiction"] if r["recovered_per_unit_cost"] is not None
    ]
    complaints = [
        {"bar": f"{b['jurisdiction']} (n={b['visits']})", "per_100": float(b["per_100_visits"])}
        for b in data["complaints"]["by_jurisdiction"] if b["per_100_visits"] is not None
    ]
    satisfaction = [
        {"bar": f"{b['jurisdiction']} (n={b['n']})", "mean": float(b["mean_satisfaction"])}
        for b in data["satisfaction"]["by_jurisdiction"] if b["mean_satisfaction"] is not None
    ]
    return (
        pd.DataFrame(recovery or [{"bar": "", "group": "", "rate_pct": 0.0}]),
        pd.DataFrame(cost or [{"bar": "", "per_unit_cost": 0.0}]),
        pd.DataFrame(complaints or [{"bar": "", "per_100": 0.0}]),
        pd.DataFrame(satisfaction or [{"bar": "", "mean": 0.0}]),
    )


def dashboard_tab(res: Any, lang: Any, reg: Any, msg_box: Any) -> Any:
    """Build the Dashboard tab (call inside `gr.Tabs()`); `reg` registers components for the language switch.
    The figures load when the tab is opened, and again on the button (after changing the filters)."""
    import gradio as gr

    from visitcoach.effectiveness import render_markdown, write_csv
    from visitcoach.ui.common import user_of as _user
    from visitcoach.ui.common import wire
    from visitcoach.ui.i18n import choices

    L, C = reg.L, reg.C
    with gr.Tab(t("tab.dashboard", "en"), id="dashboard", elem_id="vc-tab-dashboard") as tab:
        L(gr.Markdown(t("dash.intro", "en"), elem_id="vc-dash-intro"), "dash.intro", "value")
        with gr.Row():
            d_jur = C(L(gr.Dropdown(choices("jurisdiction", JURISDICTIONS, "en"), value="ALL", label=t("ask.jurisdiction", "en"),
                                    elem_id="vc-dash-jur"), "ask.jurisdiction"), "jurisdiction", JURISDICTIONS)
            d_days = L(gr.Number(value=res.settings.effect_window_days, precision=0, minimum=1,
                                 label=t("dash.days", "en"), elem_id="vc-dash-days"), "dash.days")
        with gr.Row():
            d_go = L(gr.Button(t("dash.go", "en"), variant="primary", elem_id="vc-dash-go", scale=0, min_width=200), "dash.go", "value")
            d_msg = msg_box("vc-dash-msg")
        with gr.Row():
            c_recovery = L(gr.BarPlot(x="bar", y="rate_pct", color="group", color_title=" ", label=t("dash.chart_recovery", "en"),
                                      y_title="%", x_title=" ", y_lim=[0, None], elem_id="vc-dash-recovery"), "dash.chart_recovery")
            c_cost = L(gr.BarPlot(x="bar", y="per_unit_cost", x_title=" ", y_title="×", y_lim=[0, None], label=t("dash.chart_cost", "en"), elem_id="vc-dash-cost"),
                       "dash.chart_cost")
        with gr.Row():
            c_complaints = L(gr.BarPlot(x="bar", y="per_100", x_title=" ", y_title="/100", y_lim=[0, None], label=t("dash.chart_complaints", "en"),
                                        elem_id="vc-dash-complaints"), "dash.chart_complaints")
            c_satisfaction = L(gr.BarPlot(x="bar", y="mean", x_title=" ", y_title="1–5", y_lim=[0, 5], label=t("dash.chart_satisfaction", "en"),
                                          elem_id="vc-dash-satisfaction"), "dash.chart_satisfaction")
        d_csv = L(gr.DownloadButton(t("dash.csv", "en"), elem_id="vc-dash-csv", interactive=False), "dash.csv", "label")
        d_report = gr.Markdown(elem_id="vc-dash-report")

    exports = Path(tempfile.gettempdir()) / "visitcoach-exports"

    def on_dashboard(jurisdiction: str, days: Any, ui_lang: str, request: gr.Request) -> tuple[Any, ...]:
        user = _user(request)
        data = dashboard_data(res, user, jurisdiction, days, ui_lang)
        folder = exports / (str(getattr(request, "session_hash", None) or "s") + "-" + user)
        csv_path = write_csv(data, folder / f"effectiveness-{data['jurisdiction']}-{data['window_days']}d.csv")
        # Bars in the order given (recovery before/after, jurisdictions CN, US, UK), not alphabetically.
        plots = [gr.BarPlot(value=frame, sort=list(frame["bar"])) for frame in chart_frames(data, data["lang"])]
        return (report_words(render_markdown(data), data["lang"]), *plots, gr.update(value=str(csv_path), interactive=True))

    outputs = [d_report, c_recovery, c_cost, c_complaints, c_satisfaction, d_csv]
    wire(d_go.click, on_dashboard, [d_jur, d_days, lang], outputs, d_msg, api_name="dashboard")
    reg.tab_opened.append(("dashboard", on_dashboard, [d_jur, d_days, lang], outputs, d_msg))
    return tab
