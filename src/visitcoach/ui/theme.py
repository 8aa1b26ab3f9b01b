"""The app's look: a Gradio theme on local system fonts (nothing is fetched at run time) and a little CSS
for the brand: compact spacing, cards, status colours, hover cards for findings and citations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", "system-ui", "Segoe UI", "Roboto",
         "Helvetica Neue", "Arial", "sans-serif")
MONO = ("Noto Sans Mono CJK SC", "ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace")

CSS = """
:root { --vc-brand: #0f766e; --vc-ink: #0f172a; --vc-muted: #64748b; --vc-line: #e2e8f0;
        --vc-go: #15803d; --vc-nogo: #b91c1c; --vc-violation: #fecaca; --vc-warning: #fde68a; --vc-info: #bfdbfe; }
.gradio-container { max-width: 1240px !important; margin: 0 auto !important; }
#vc-header { align-items: center; border-bottom: 2px solid var(--vc-brand); padding-bottom: 6px; margin-bottom: 4px; }
#vc-title h1 { margin: 0; font-size: 1.45rem; color: var(--vc-brand); letter-spacing: -0.01em; }
#vc-title p { margin: 0; color: var(--vc-muted); }
#vc-whoami { color: var(--vc-muted); font-size: 0.9rem; }
/* Gradio's status line ("queue: 1/2 | 0.4s", "processing | 0.4s") is hard-coded English: a Chinese page
   keeps the spinner and the bar and drops the words (the queue position has its own zh-CN text). */
body:has(#vc-lang input[value="zh"]:checked) .progress-text { display: none !important; }
.vc-msg { border-radius: 8px; padding: 8px 12px; margin: 2px 0; font-size: 0.95rem; }
.vc-msg-error { background: #fff7ed; border: 1px solid #fdba74; color: #9a3412; }
.vc-msg-info { background: #f0fdfa; border: 1px solid #99f6e4; color: #115e59; }
.vc-empty { color: var(--vc-muted); border: 1px dashed var(--vc-line); border-radius: 10px; padding: 14px 16px; background: #f8fafc; }
.vc-banner, .vc-banner * { color: #fff !important; } .vc-banner { border-radius: 10px; padding: 10px 14px; }
.vc-banner.vc-go { background: var(--vc-go); } .vc-banner.vc-nogo { background: var(--vc-nogo); }
.vc-banner-head { font-weight: 700; font-size: 1.05rem; }
.vc-banner ul { margin: 4px 0 0 18px; padding: 0; }
.vc-verdict { display: inline-block; border-radius: 999px; padding: 4px 14px; font-weight: 600; }
.vc-verdict-pass { background: #dcfce7; color: var(--vc-go); } .vc-verdict-fail { background: #fee2e2; color: var(--vc-nogo); }
.vc-script { line-height: 1.8; padding: 10px 12px; border: 1px solid var(--vc-line); border-radius: 10px; background: #fff; }
mark.vc-finding { position: relative; border-radius: 3px; padding: 0 2px; cursor: help; color: inherit; }
mark.vc-violation { background: var(--vc-violation); } mark.vc-warning { background: var(--vc-warning); } mark.vc-info { background: var(--vc-info); }
.vc-card { display: none; position: absolute; z-index: 50; left: 0; top: 1.6em; width: 340px; max-width: 80vw; background: #fff;
           color: var(--vc-ink); border: 1px solid var(--vc-line); border-radius: 10px; padding: 10px 12px; font-size: 0.85rem;
           line-height: 1.45; box-shadow: 0 8px 24px rgba(15, 23, 42, .16); white-space: normal; font-weight: 400; text-align: left; }
mark.vc-finding:hover > .vc-card, mark.vc-finding:focus > .vc-card, .vc-cite:hover > .vc-card, .vc-cite:focus > .vc-card { display: block; }
.vc-cite { position: relative; color: var(--vc-brand); font-weight: 600; cursor: help; white-space: nowrap; }
.vc-cite .vc-card { white-space: normal; }
.vc-card-also { color: var(--vc-muted); margin-top: 4px; }
details.vc-source { border: 1px solid var(--vc-line); border-radius: 10px; padding: 6px 12px; margin: 6px 0; background: #fff; }
details.vc-source summary { cursor: pointer; } .vc-n { color: var(--vc-brand); font-weight: 700; }
.vc-source-meta { color: var(--vc-muted); font-size: 0.85rem; margin: 4px 0; }
.vc-passage { border-left: 3px solid var(--vc-brand); padding-left: 10px; margin: 6px 0; }
#vc-alerts { list-style: none; padding: 0; margin: 0; }
.vc-alert { border-radius: 10px; padding: 8px 10px; margin: 0 0 8px; border: 1px solid var(--vc-line); }
.vc-alert.vc-violation { background: #fef2f2; border-color: #fecaca; } .vc-alert.vc-warning { background: #fffbeb; border-color: #fde68a; }
.vc-alert.vc-info { background: #eff6ff; border-color: #bfdbfe; }
.vc-ok { color: var(--vc-go); padding: 8px 10px; }
.vc-ended { background: #f1f5f9; border-left: 4px solid var(--vc-brand); padding: 8px 12px; border-radius: 6px; }
.vc-table { width: 100%; border-collapse: collapse; font-size: 0.9rem; }
.vc-table th, .vc-table td { border-bottom: 1px solid var(--vc-line); padding: 6px 8px; text-align: left; vertical-align: top;
                             word-break: normal; overflow-wrap: normal; hyphens: manual; }
.vc-table th { white-space: nowrap; background: #f8fafc; } .vc-table td.vc-num { white-space: nowrap; text-align: right; }
.vc-card-block { border: 1px solid var(--vc-line); border-radius: 10px; padding: 10px 12px; background: #fff; }
.vc-card-head { margin: 0 0 6px; }
.vc-context { margin: 8px 0 0 18px; }
#vc-findings td, #vc-findings th { white-space: normal !important; word-break: normal !important; }
.vc-note { color: var(--vc-muted); font-size: 0.85rem; }
"""


def theme() -> Any:
    """Soft theme in the brand colour on local fonts (a Google font would be fetched by the browser)."""
    import gradio as gr

    return gr.themes.Soft(
        primary_hue="teal", secondary_hue="slate", neutral_hue="slate", radius_size="md", spacing_size="sm", text_size="md",
        font=[gr.themes.Font(f) for f in FONTS], font_mono=[gr.themes.Font(f) for f in MONO],
    )


def locale_script() -> str:
    """JavaScript for the language switch: also switch Gradio's own words ("Drop File Here", …) by
    calling its `changeLocale` (the module is already loaded by the page, so importing it is free)."""
    import gradio

    assets = Path(gradio.__file__).parent / "templates" / "frontend" / "assets"
    core = next((p.name for p in sorted(assets.glob("core-*.js")) if "changeLocale" in p.read_text(encoding="utf-8", errors="ignore")), None)
    if core is None:
        return "(v) => v"
    url = "new URL('assets/" + core + "', document.baseURI || location.href).href"
    return (
        "async (v) => { try { const m = await import(" + url + ");"
        " m.changeLocale(v === 'zh' ? 'zh-CN' : 'en'); } catch (e) { console.warn('visitcoach: locale', e); } return v; }"
    )


def launch_options(max_request_mb: int | None = None) -> dict[str, Any]:
    """What `demo.launch` takes for the look, the API docs and the request size limit (the tests'
    server and `serve` use the same).

    FastAPI's own `/openapi.json` (and `/docs`) would describe every route before sign-in: switched
    off. The app's API page (footer "Use via API", `/gradio_api/info`) needs a signed-in session.
    A request body over `max_request_mb` (the setting when not given) is refused with HTTP 413
    before it is read; an upload over it gets Gradio's own message."""
    import gradio as gr

    if max_request_mb is None:
        from visitcoach.config import get_settings

        max_request_mb = get_settings().max_request_mb
    # Gradio's own status words lacking a Chinese entry (their key, or the English text, would show).
    words = gr.I18n(**{
        "zh-CN": {"common.complete": "完成", "status.queue_position": "排队中：第 {position} 位，共 {size} 位"},
        "en": {"common.complete": "complete", "status.queue_position": "In queue: {position} of {size}"},
    })
    limit = max_request_mb * 1024 * 1024
    return {"css": CSS, "theme": theme(), "footer_links": ["api", "settings"], "i18n": words,
            "max_file_size": limit,
            # the body may carry a file of the largest size plus its multipart framing
            "app_kwargs": {"openapi_url": None, "docs_url": None, "redoc_url": None, "max_body_size": limit + 64 * 1024}}
