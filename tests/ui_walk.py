"""Walk every tab of the served app in a real browser, doing one typical action per tab.

Used by the browser tests (`tests/test_ui_walk.py`) and by `make screenshots`
(`scripts/screenshots.py`), which saves one PNG per tab and language into docs/screenshots/.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

TAB_NAMES = {
    "en": {"ask": "Ask", "prepare": "Prepare", "plan": "Plan", "check": "Check", "rehearse": "Rehearse", "train": "Train",
           "knowledge": "Knowledge", "dashboard": "Dashboard", "review": "Review", "settings": "Settings"},
    "zh": {"ask": "问答", "prepare": "上门准备", "plan": "还款方案", "check": "合规检查", "rehearse": "模拟演练", "train": "培训管理",
           "knowledge": "知识库", "dashboard": "成效看板", "review": "合规抽检", "settings": "设置"},
}

#: Latin-script words allowed on a zh screen: ids, citations' own words, codes, units, the brand, the switch back.
ALLOWED = re.compile(
    r"^(?:visitcoach|English|demo-[a-z]+|[A-Z]{2,6}|[A-Z]{2}-\d{3}|ex-[a-z]{2}(?:-\d{2})?(?:-[a-z0-9]+)?|Regulation|Chroma|persona-[a-z0-9-]+|"
    r"[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+|U\.S\.C|CFR|Reg|[a-z]|[A-Z]|R|G|s|ss|n|YAML|Markdown|PDF|CSV|JSON|UTC|API|LLM|CNY|USD|GBP|"
    r"Gradio|TXT|MD|DOCX|JSONL|id|text|context|jsonl|csv|txt|md|pdf|docx|yaml|yml|Enter|Shift|Ctrl|"
    r"App)$"  # "App" is how Chinese writes it too (短信或App, 官方App), in the pack's own zh texts
)
WORD = re.compile(r"[A-Za-z][A-Za-z.'’-]*[A-Za-z]|[A-Za-z]")


def latin_words(text: str) -> list[str]:
    """Latin-script words of `text` not in the allowed list (citations such as 15 U.S.C. 1692c are split into parts)."""
    out = []
    for w in WORD.findall(text):
        w = w.strip(".'’-")
        if w and not ALLOWED.match(w) and not re.fullmatch(r"\d+[a-z]?", w):
            out.append(w)
    return out


def visible_text(page: Any) -> str:
    """The visible text of the open tab and the header, without data regions (class vc-data: code, file names)."""
    return page.evaluate(
        """() => {
            const skip = el => el.closest('.vc-data, .cm-editor, [data-testid=code], textarea, input, pre, code');
            const out = [];
            const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
            let n;
            while ((n = walker.nextNode())) {
                const el = n.parentElement;
                if (!el || skip(el)) continue;
                const r = el.getBoundingClientRect();
                const st = getComputedStyle(el);
                if (r.width === 0 || r.height === 0 || st.visibility === 'hidden' || st.display === 'none') continue;
                if (el.closest('[hidden], .hidden, [aria-hidden=true]')) continue;
                out.push(n.textContent);
            }
            document.querySelectorAll('input[placeholder], textarea[placeholder]').forEach(e => {
                const r = e.getBoundingClientRect(); if (r.width && r.height && !e.value) out.push(e.placeholder); });
            document.querySelectorAll('input[type=text], textarea').forEach(e => {
                const r = e.getBoundingClientRect();
                if (r.width && r.height && e.closest('.vc-choice, [data-testid=dropdown], .wrap-inner')) out.push(e.value); });
            return out.join('\\n');
        }"""
    )


def wait_for(page: Any, selector: str, timeout: float = 90) -> Any:
    page.locator(selector).first.wait_for(state="visible", timeout=timeout * 1000)
    return page.locator(selector).first


def wait_text(page: Any, selector: str, text: str, timeout: float = 90) -> str:
    deadline = time.monotonic() + timeout
    while True:
        content = page.locator(selector).first.inner_text()
        if text in content:
            return content
        if time.monotonic() > deadline:
            raise AssertionError(f"{text!r} not in {selector}: {content[:400]!r}")
        time.sleep(0.4)


def pick(page: Any, selector: str, value: str) -> None:
    """Choose a dropdown entry by typing (the first match)."""
    box = page.locator(f"{selector} input").first
    box.click()
    box.fill(value)
    page.wait_for_timeout(300)
    page.keyboard.press("Enter")
    page.wait_for_timeout(400)


def fill(page: Any, selector: str, value: str) -> None:
    page.locator(f"{selector} textarea, {selector} input").first.fill(value)


def open_tab(page: Any, lang: str, name: str) -> None:
    page.get_by_role("tab", name=TAB_NAMES[lang][name], exact=True).click()
    page.wait_for_timeout(500)


def settle(page: Any) -> None:
    """Wait until no event is pending (Gradio shows a progress overlay while one runs)."""
    page.wait_for_timeout(400)
    page.wait_for_function(
        "() => ![...document.querySelectorAll('.eta-bar, .progress-text, .progress-level')].some(e => e.offsetParent !== null)",
        timeout=90000)
    page.wait_for_timeout(300)


def switch_language(page: Any, lang: str) -> None:
    page.locator("#vc-lang").get_by_text("中文" if lang == "zh" else "English", exact=True).click()
    page.get_by_role("tab", name=TAB_NAMES[lang]["ask"], exact=True).wait_for(timeout=30000)
    page.wait_for_timeout(800)


# -- one action per tab -------------------------------------------------------------------------------


def ask(page: Any, lang: str) -> None:
    q = "外访需要几个人？" if lang == "zh" else "When may I visit a borrower in the UK?"
    fill(page, "#vc-question", q)
    page.locator("#vc-ask").click()
    wait_for(page, "#vc-sources details")
    wait_for(page, "#vc-chat .vc-cite")
    page.locator("#vc-sources summary").first.click()
    page.locator("#vc-chat .vc-cite").first.hover()
    page.wait_for_timeout(400)


def prepare(page: Any, lang: str) -> None:
    pick(page, "#vc-prep-case", "CN-001" if lang == "zh" else "US-001")
    fill(page, "#vc-prep-at", "2027-03-01T09:00")
    page.locator("#vc-prep-go").click()
    wait_for(page, "#vc-banner")
    settle(page)


def plan(page: Any, lang: str) -> None:
    pick(page, "#vc-plan-case", "CN-001" if lang == "zh" else "US-004")
    page.wait_for_function("() => { const e = document.querySelector('#vc-plan-balance textarea, #vc-plan-balance input'); return e && e.value; }",
                           timeout=60000)
    page.locator("#vc-plan-go").click()
    wait_for(page, "#vc-plan-schedule table")
    settle(page)


def check(page: Any, lang: str) -> None:
    text = "你不还钱我们就报警抓你。" if lang == "zh" else "If you don't pay, the police will arrest you tonight."
    fill(page, "#vc-script", text)
    page.wait_for_timeout(400)
    page.locator("#vc-check-go").click()
    wait_for(page, "#vc-highlight mark.vc-violation")
    settle(page)
    page.locator("#vc-highlight mark.vc-violation").first.hover()
    page.wait_for_timeout(300)


def rehearse(page: Any, lang: str) -> None:
    pick(page, "#vc-reh-exercise", "ex-cn-01" if lang == "zh" else "ex-us-01")
    page.locator("#vc-reh-start").click()
    page.wait_for_function("() => { const e = document.querySelector('#vc-reh-say textarea'); return e && !e.disabled; }", timeout=90000)
    said = "你好，我是北辰信用管理的工作人员，你不还钱就报警抓你。" if lang == "zh" else "You owe $1,140. Pay it all today or the police will arrest you."
    fill(page, "#vc-reh-say", said)
    page.locator("#vc-reh-send").click()
    wait_for(page, "#vc-alerts li")
    settle(page)
    if page.locator("#vc-reh-finish").is_enabled():  # the borrower may have ended the visit already
        page.locator("#vc-reh-finish").click()
    wait_for(page, "#vc-reh-card .vc-card-block")
    settle(page)


def train(page: Any, lang: str) -> None:
    pick(page, "#vc-train-exercise", "ex-us-02")
    wait_for(page, "#vc-train-note p")
    settle(page)


def knowledge(page: Any, lang: str) -> None:
    fill(page, "#vc-kn-query", "两人" if lang == "zh" else "two-person rule")
    page.locator("#vc-kn-go").click()
    wait_for(page, "#vc-kn-results table")
    settle(page)


def dashboard(page: Any, lang: str) -> None:
    wait_for(page, "#vc-dash-report h1, #vc-dash-report h2, #vc-dash-report table, #vc-dash-report p")
    settle(page)


def review(page: Any, lang: str) -> None:
    page.locator("#vc-rev-draw").click()
    wait_for(page, "#vc-rev-run p")
    settle(page)


def settings(page: Any, lang: str) -> None:
    page.locator("#vc-test-connection").click()
    wait_for(page, "#vc-test-result p")
    settle(page)


ACTIONS: dict[str, Callable[[Any, str], None]] = {
    "ask": ask, "prepare": prepare, "plan": plan, "check": check, "rehearse": rehearse, "train": train,
    "knowledge": knowledge, "dashboard": dashboard, "review": review, "settings": settings,
}


def walk(page: Any, lang: str, shots: Path | None = None, tabs: Any = None) -> dict[str, str]:
    """Do each tab's action in `lang`; (tab -> visible text). Saves `{lang}-{tab}.png` into `shots` when given."""
    if lang == "zh":
        switch_language(page, "zh")
    seen = {}
    for name in tabs or ACTIONS:
        open_tab(page, lang, name)
        ACTIONS[name](page, lang)
        page.mouse.move(5, 5) if name not in ("check", "ask") else None
        seen[name] = visible_text(page)
        if shots is not None:
            shots.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shots / f"{lang}-{name}.png"))
    return seen
