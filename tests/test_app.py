"""The app: built without I/O; handlers per tab with roles; a real browser and a real API client
against the app served on a loopback port."""

from __future__ import annotations

import contextlib
import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr
import pytest

from visitcoach.errors import ConfigError
from visitcoach.ui import answer_question, build_demo, launch_options
from visitcoach.ui import handlers as H
from visitcoach.ui.auth import DEMO_PASSWORD, Auth, hash_password, load_users, verify_password
from visitcoach.ui.pool import free_port

from .conftest import ROOT, make_settings

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
SHIPPED = ROOT / "knowledge"
ARTIFACTS = ROOT / "test-artifacts"


def test_building_the_app_opens_nothing(tmp_path):
    settings = make_settings(tmp_path / "never-created")
    demo = build_demo(settings)
    assert isinstance(demo, gr.Blocks)
    assert not (tmp_path / "never-created").exists()


def test_gradio_events_skip_the_monitoring_summary_and_the_missing_matplotlib(tmp_path, monkeypatch):
    import importlib.util
    import sys

    monkeypatch.delenv("GRADIO_ANALYTICS_CACHE_FREQUENCY", raising=False)
    demo = build_demo(make_settings(tmp_path / "d"))
    assert demo._queue.ANAYLTICS_CACHE_FREQUENCY == 1000  # Gradio's default: 1, a pandas rebuild per event
    installed = sys.modules.get("matplotlib") is not None or (
        "matplotlib" not in sys.modules and importlib.util.find_spec("matplotlib") is not None)
    if not installed:
        with pytest.raises(ModuleNotFoundError):
            import matplotlib  # noqa: F401 - recorded as absent: fails without a path search
        assert sys.modules["matplotlib"] is None


def test_a_serving_process_runs_one_blas_thread_per_product():
    from threadpoolctl import threadpool_info, threadpool_limits

    from visitcoach.ui import limit_blas

    blas = [i for i in threadpool_info() if i["user_api"] == "blas"]
    if not blas:
        pytest.skip("numpy has no BLAS threadpoolctl can see")
    before = blas[0]["num_threads"]
    try:
        limit_blas(1)
        assert {i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"} == {1}
    finally:
        threadpool_limits(limits=before, user_api="blas")


def test_warming_a_process_freezes_what_it_loaded_out_of_garbage_collection():
    import gc

    from visitcoach.ui import warm_and_freeze

    class Warmed:
        def warm(self) -> None:
            self.loaded = [[n] for n in range(1000)]  # long-lived objects, as an index's are

    res = Warmed()
    gc.unfreeze()
    try:
        warm_and_freeze(res)  # type: ignore[arg-type]
        assert gc.get_freeze_count() > len(res.loaded)
    finally:
        gc.unfreeze()


def test_handler_returns_answer_and_expandable_sources(fixture_index_dir):
    settings = make_settings(fixture_index_dir)
    answer, sources = answer_question("外访需要几个人？", "ALL", settings)
    assert "两名" in answer and "mode: offline" in answer
    assert "<details" in sources and "外访管理制度 §5.1" in sources


@pytest.mark.server
def test_a_failing_model_gives_the_offline_answer_with_a_visible_notice(fixture_index_dir):
    from .openai_stub import OpenAIStub

    with OpenAIStub() as server:
        server.replies.extend([503, 503, 503])
        settings = make_settings(fixture_index_dir, llm="openai", openai_base_url=server.base_url, llm_backoff=0)
        answer, sources = answer_question("外访需要几个人？", "ALL", settings)
    assert "两名" in answer and "mode: offline" in answer
    assert "the model was not used" in answer and "HTTP 503" in answer
    assert "<details" in sources


def test_handler_rejects_an_empty_question(fixture_index_dir):
    with pytest.raises(gr.Error):
        answer_question("   ", "ALL", make_settings(fixture_index_dir))


# -- users and roles ------------------------------------------------------------------------------


def test_passwords_are_hashed_and_verified():
    stored = hash_password("s3cret")
    assert stored.startswith("pbkdf2_sha256$") and "s3cret" not in stored
    assert verify_password("s3cret", stored) and not verify_password("wrong", stored)
    assert not verify_password("s3cret", "plain-text")


def test_users_from_a_file_and_inline(tmp_path):
    path = tmp_path / "users.yaml"
    path.write_text(json.dumps([{"name": "ana", "role": "reviewer", "password_hash": hash_password("pw")}]), encoding="utf-8")
    users, demo = load_users(make_settings(tmp_path, users_file=path))
    assert not demo and users["ana"].role == "reviewer"
    auth = Auth(make_settings(tmp_path, users_file=path))
    assert auth("ana", "pw") and not auth("ana", "nope") and not auth("bob", "pw")
    assert auth.allowed("ana", "check") and not auth.allowed("ana", "prepare") and not auth.allowed("ana", "settings")
    users, _ = load_users(make_settings(tmp_path, users=f"zed:admin:{hash_password('x')}"))
    assert users["zed"].role == "admin"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('[{"name": "a", "role": "boss", "password_hash": "pbkdf2_sha256$1$a$b"}]', "unknown role 'boss'"),
        ('[{"name": "a", "role": "agent", "password_hash": "plain"}]', "must be a pbkdf2_sha256 hash"),
        ('[{"name": "a", "role": "agent"}]', "entry 1 needs exactly name, role, password_hash"),
        ("{broken", "not readable YAML"),
    ],
)
def test_bad_users_file_is_one_clear_error(tmp_path, content, message):
    path = tmp_path / "users.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_users(make_settings(tmp_path, users_file=path))


def test_demo_accounts_cover_every_role(tmp_path):
    auth = Auth(make_settings(tmp_path))
    assert auth.demo and {auth.role(u) for u in auth.users} == {"agent", "trainer", "reviewer", "admin"}
    assert auth("demo-admin", DEMO_PASSWORD) and "demo-agent" in auth.banner()


# -- handlers over the shipped pack -----------------------------------------------------------------


@pytest.fixture(scope="module")
def res(pack_index_dir, tmp_path_factory):
    data = tmp_path_factory.mktemp("app-data")
    shutil.copytree(pack_index_dir / "index", data / "index")
    settings = make_settings(data, SHIPPED)
    return H.Resources(settings, Auth(settings))


def test_follow_up_questions_keep_context(res):
    history, _, _ = H.ask_turn(res, "demo-agent", "What hours can we visit in the US?", "ALL", [])
    assert "21:00" in history[-1]["content"]
    history, sources, shown = H.ask_turn(res, "demo-agent", "and in the UK?", "ALL", history)
    assert len(history) == 4 and history[2]["content"] == "and in the UK?"
    assert "20:00" in history[3]["content"].split("\n")[0] and "<details" in sources
    assert '<span class="vc-cite"' in shown and "vc-cite" not in history[3]["content"]  # the engine reads plain text
    history, _, _ = H.ask_turn(res, "demo-agent", "那英国呢？", "ALL", history[:2])
    assert "20:00" in history[-1]["content"]


def test_prepare_shows_the_banner_and_stores_who_made_it(res):
    banner, _markdown, rows, _opening, _data = H.prepare(res, "demo-agent", "US-004", "2027-03-01T09:00", "en")
    assert "NO-GO" in banner and "dispute_pending" in banner and rows == []
    banner, _, rows, opening, data = H.prepare(res, "demo-trainer", "UK-001", "2027-03-01T09:00", "zh")
    assert "可以上门" in banner and rows and opening and data["lang"] == "zh"
    stored = res.store().list(kind="brief")
    assert stored[0]["user"] == "demo-trainer" and stored[0]["ref"] == "UK-001"
    with pytest.raises(H.Forbidden, match="reviewer"):
        H.prepare(res, "demo-reviewer", "UK-001", "", "en")


def test_plan_tables_schedule_and_chart_points(res):
    data = H.plan(res, "demo-agent", "US-004", {}, "agent", "letter", "en")
    summary, rows, labels = H.plan_tables(data)
    assert "Able to pay · willing" in summary and [r[0] for r in rows] == ["Catch-up plan", "Term extension", "Settlement"]
    schedule, points = H.schedule_rows(data, labels[1][1])
    assert len(schedule) == 31 and schedule[-1][2] == "0.00" and schedule[-1][3] == "0.00"
    assert points[-3]["series"] == "Balance (plan)" and points[-3]["amount"] == 0.0
    amounts = {"balance": "6000", "income": "3000", "expenses": "1833.33", "arrears": "1600", "instalment": "600",
               "product": "credit_card", "jurisdiction": "US", "rate": "0.24"}
    data = H.plan(res, "demo-agent", "", amounts, "manager", "script", "en")
    assert next(o for o in data["options"] if o["kind"] == "settlement")["needs_approval_by"] is None
    with pytest.raises(Exception, match="balance"):
        H.plan(res, "demo-agent", "", {"income": "1"}, "agent", "letter", "en")


def test_check_highlights_findings_in_place(res):
    text = "Hello.\nIf you don't pay today, the police will arrest you <tonight>."
    ctx = H.context_from_form("US", "2026-03-02T21:30", "home", 1, "debtor", False, [])
    verdict, html, rows = H.check(res, "demo-reviewer", text, None, ctx, None)
    assert "<b>FAIL</b>" in verdict
    assert '<mark class="vc-finding vc-violation" data-rule="THREAT-ARREST' in html
    assert "&lt;tonight&gt;" in html and "<br>" in html  # the script is escaped, line breaks kept
    assert {r[2] for r in rows} >= {"Threat of arrest or police", "Visit time", "Visit staffing"}
    assert "VISIT-TIME" in html  # context findings listed under the script


def test_highlight_keeps_the_violation_mark_under_an_overlapping_warning():
    from types import SimpleNamespace

    def finding(start, end, severity, rule):
        return SimpleNamespace(rule_id=rule, category="c", severity=severity, citation="", explanation="", suggestion="", start=start, end=end)

    text = "你不还钱我们就报警抓你。后面没事。"
    html = H.highlight(text, [finding(0, 12, "warning", "LEARNED-W"), finding(1, 11, "violation", "RULE-V"), finding(12, 16, "info", "I")])
    assert html.count("<mark") == 2
    assert '<mark class="vc-finding vc-violation" data-rule="RULE-V"' in html and "LEARNED-W" not in html
    assert html.index("你") < html.index("RULE-V") < html.index("不还钱") < html.index("后面没事")  # text kept, in order
    assert "vc-info" in html


def test_batch_check_writes_reports(res, tmp_path):
    batch = tmp_path / "batch.jsonl"
    batch.write_text(
        json.dumps({"id": "a", "text": "You will be arrested.", "context": {"jurisdiction": "US"}}) + "\n{broken\n"
        + json.dumps({"id": "c", "text": "We can agree a plan you can afford.", "context": {}}) + "\n",
        encoding="utf-8",
    )
    rows, reports, summary = H.check_batch(res, "demo-reviewer", str(batch))
    assert [r[1] for r in rows] == ["FAIL", "Error in row", "PASS"]
    assert all(Path(p).exists() for p in reports) and "3 rows" in summary


def test_knowledge_lists_and_searches_documents(res):
    docs = H.documents(res, "demo-agent")
    assert any(d[0] == "policy-field-visit-en" for d in docs)
    hits = H.search(res, "demo-agent", "two-person rule", "ALL")
    assert hits and any("§5.1" in h[1] for h in hits)
    with pytest.raises(H.Forbidden):
        H.reingest(res, "demo-agent")


def test_settings_tab_is_for_admins(res):
    assert "offline" in H.settings_info(res, "demo-admin")
    assert "offline mode" in H.test_connection(res, "demo-admin")
    with pytest.raises(H.Forbidden):
        H.settings_info(res, "demo-agent")


def test_pdf_export_of_a_brief(res, tmp_path):
    from pypdf import PdfReader

    from visitcoach.ui.export import markdown_to_pdf

    _, markdown, _, _, _ = H.prepare(res, "demo-agent", "US-001", "2027-03-01T09:00", "en")
    pdf = markdown_to_pdf(markdown, tmp_path / "brief.pdf", "en")
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "US-001" in text and "Permitted windows" in text
    _, markdown_zh, _, _, _ = H.prepare(res, "demo-agent", "CN-001", "2027-03-01T09:00", "zh")
    assert PdfReader(markdown_to_pdf(markdown_zh, tmp_path / "brief-zh.pdf", "zh")).pages


# -- the served app: a real browser and a real API client ---------------------------------------------



@contextlib.contextmanager
def served(settings) -> Iterator[str]:
    demo = build_demo(settings)
    port = free_port()
    demo.launch(
        server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True,
        auth=demo.vc_resources.auth, **launch_options(),
    )
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        demo.close()


@pytest.fixture(scope="module")
def app_url(pack_index_dir, tmp_path_factory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("served")
    shutil.copytree(pack_index_dir / "index", data / "index")
    with served(make_settings(data, SHIPPED)) as url:
        yield url


def value_of(output: Any) -> Any:
    """An output as the API returns it: the value itself, or the update (``{"__type__": "update", "value": ...}``) carrying it."""
    if isinstance(output, dict) and output.get("__type__") == "update":
        return output.get("value")
    return output


def client(url: str, user: str = "demo-agent"):
    from gradio_client import Client

    return Client(url, auth=(user, DEMO_PASSWORD), verbose=False)


@pytest.mark.server
def test_api_ask_prepare_plan_check(app_url, tmp_path):
    from gradio_client import handle_file

    c = client(app_url)
    _chat, sources, cleared, msg = c.predict("What does 1692c(a)(3) require?", "ALL", api_name="/ask")
    assert "15 U.S.C. 1692c(a)(3)" in sources and cleared == "" and msg == ""
    banner, _brief, _windows, _opening, _md, pdf_file, msg = c.predict("CN-004", "2027-03-01T09:00", api_name="/prepare")
    pdf_file = value_of(pdf_file)  # the button's update (enabled, with its file)
    assert "NO-GO" in banner and "dispute_pending" in banner and Path(pdf_file).read_bytes().startswith(b"%PDF")
    out = c.predict("US-004", "", "", "", "", "", "", "", "", "consumer_loan", "CN", "agent", "letter", api_name="/plan")
    summary, options, _pick, schedule, _chart, draft, _download, msg = out
    options, schedule, draft = value_of(options), value_of(schedule), value_of(draft)
    assert "Able to pay · willing" in summary and options["data"][0][0] == "Catch-up plan" and schedule["data"] and msg == ""
    assert "debt collector" in draft
    verdict, html, _findings, msg = c.predict("你不还钱我们就报警抓你。", None, "CN", "", "", 2, "debtor", False, [], api_name="/check")
    assert "FAIL" in verdict and "vc-violation" in html
    batch = tmp_path / "b.jsonl"
    batch.write_text(json.dumps({"id": "x", "text": "You will be arrested.", "context": {"jurisdiction": "UK"}}) + "\n", encoding="utf-8")
    _table, reports, summary, _msg = client(app_url, "demo-reviewer").predict(handle_file(str(batch)), api_name="/check_batch")
    assert "1 rows" in summary and len(value_of(reports)) == 2
    results, docs, _msg = c.predict("two-person rule", "ALL", api_name="/search")
    assert value_of(results)["data"] and value_of(docs)["data"]


@pytest.mark.server
def test_api_rehearsal_with_live_alerts_and_a_stored_scorecard(app_url):
    c = client(app_url)
    out = c.predict("ex-us-01", 0, api_name="/rehearse_start")
    assert "min" in out[1] and out[-1] == ""
    chat, alerts, card, _ended, _transcript, cleared, *_rest = c.predict("Pay everything today or the police will arrest you.",
                                                                         api_name="/rehearse_turn")
    assert "THREAT-ARREST" in alerts and value_of(cleared) == "" and len(chat) == 2
    card = card or c.predict(api_name="/rehearse_finish")[0]
    assert "NOT PASSED" in card and "<td>Compliance</td>" in card
    with pytest.raises(Exception, match="reviewer"):
        client(app_url, "demo-reviewer").predict("ex-us-01", 0, api_name="/rehearse_start")


@pytest.mark.server
def test_api_enforces_roles_and_login(app_url):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="reviewer"):
        client(app_url, "demo-reviewer").predict("CN-001", "", api_name="/prepare")
    with pytest.raises(AppError, match="agent"):
        client(app_url).predict(api_name="/test_connection")
    assert "offline mode" in client(app_url, "demo-admin").predict(api_name="/test_connection")[0]
    with pytest.raises(Exception):  # noqa: B017 - the client refuses to connect with a wrong password
        from gradio_client import Client

        Client(app_url, auth=("demo-agent", "wrong"), verbose=False)


@pytest.mark.server
def test_api_upload_and_reingest(fixture_index_dir, corpus_copy, tmp_path):
    from gradio_client import handle_file

    data = tmp_path / "data"
    shutil.copytree(fixture_index_dir / "index", data / "index")
    note = tmp_path / "Door Etiquette.md"
    note.write_text("# Door etiquette\n\nKnock twice, then wait at least two metres from the door.\n", encoding="utf-8")
    with served(make_settings(data, corpus_copy)) as url:
        status, _docs, _msg = client(url, "demo-admin").predict(handle_file(str(note)), "Door etiquette", "ALL", "en", api_name="/upload")
        assert "door-etiquette.md" in status and "1 added" in status
        assert (corpus_copy / "uploads" / "door-etiquette.md").exists()
        results, _, _ = client(url, "demo-admin").predict("two metres from the door", "ALL", api_name="/search")
        assert any("Door etiquette" in str(row) for row in value_of(results)["data"])
        status, _docs, _msg = client(url, "demo-trainer").predict(api_name="/reingest")
        assert status.startswith("0 added, 0 updated, 0 deleted")


def wait_text(locator: Any, text: str, timeout: float = 60) -> str:
    """A Gradio table keeps its cells in hidden copies too: wait on the element's text instead."""
    deadline = time.monotonic() + timeout
    while True:
        content = locator.inner_text()
        if text in content:
            return content
        if time.monotonic() > deadline:
            raise AssertionError(f"{text!r} not in {content[:500]!r}")
        time.sleep(0.5)


@contextlib.contextmanager
def signed_in(app_url: str, user: str) -> Iterator[Any]:
    """A page of the served app in headless Debian Chromium, signed in as `user`."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        deadline = time.monotonic() + 60
        while True:
            try:
                page.goto(app_url, timeout=5000)
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        page.locator("input[type=text]").first.fill(user)
        page.locator("input[type=password]").first.fill(DEMO_PASSWORD)
        page.keyboard.press("Enter")
        page.locator("#vc-whoami").get_by_text(user).wait_for(timeout=60000)
        try:
            yield page
        finally:
            browser.close()


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium not installed (make test installs it)")
def test_the_app_in_a_real_browser(app_url):
    with signed_in(app_url, "demo-agent") as page:
        page.screenshot(path=str(ARTIFACTS / "ask.png"))
        # ask, see a citation
        page.locator("#vc-question textarea").fill("What does 1692c(a)(3) require?")
        page.locator("#vc-ask").click()
        page.locator("#vc-sources details").first.wait_for(timeout=60000)
        assert "15 U.S.C. 1692c(a)(3)" in page.locator("#vc-sources").inner_text()
        page.locator("#vc-sources summary").first.click()
        page.screenshot(path=str(ARTIFACTS / "ask-answered.png"))
        # prepare a shipped case: the go/no-go banner
        page.get_by_role("tab", name="Prepare").click()
        page.locator("#vc-prep-case input").fill("CN-004")
        page.keyboard.press("Enter")
        page.locator("#vc-prep-at textarea, #vc-prep-at input").first.fill("2027-03-01T09:00")
        page.locator("#vc-prep-go").click()
        page.locator("#vc-banner").wait_for(timeout=60000)
        assert "NO-GO" in page.locator("#vc-banner").inner_text()
        page.screenshot(path=str(ARTIFACTS / "prepare.png"))
        # plan tab renders
        page.get_by_role("tab", name="Plan").click()
        page.screenshot(path=str(ARTIFACTS / "plan.png"))
        # check a violating script: the finding is highlighted in place
        page.get_by_role("tab", name="Check").click()
        page.locator("#vc-script textarea").fill("If you don't pay, the police will arrest you tonight.")
        page.locator("#vc-check-go").click()
        mark = page.locator("#vc-highlight mark.vc-violation").first
        mark.wait_for(timeout=60000)
        assert "arrest" in mark.inner_text() and "threat_arrest" in (mark.get_attribute("data-tip") or "")
        page.screenshot(path=str(ARTIFACTS / "check.png"))
        # rehearse: a live alert beside the turn, then the scorecard
        page.get_by_role("tab", name="Rehearse").click()
        page.locator("#vc-reh-exercise input").fill("ex-us-01")
        page.keyboard.press("Enter")
        page.locator("#vc-reh-start").click()
        page.locator("#vc-reh-brief").get_by_text("15 min").first.wait_for(timeout=60000)
        page.locator("#vc-reh-say textarea").fill("You owe $1,140. Pay it all today or the police will arrest you.")
        page.locator("#vc-reh-send").click()
        page.locator("#vc-alerts li.vc-violation").first.wait_for(timeout=60000)
        assert "THREAT-ARREST" in page.locator("#vc-alerts").inner_text()
        page.wait_for_timeout(1000)  # the turn's last outputs (the visit may have ended with it)
        if page.locator("#vc-reh-finish").is_enabled():
            page.locator("#vc-reh-finish").click()
        page.locator("#vc-reh-card").get_by_text("NOT PASSED").wait_for(timeout=60000)
        page.screenshot(path=str(ARTIFACTS / "rehearse.png"))
        page.get_by_role("tab", name="Knowledge").click()
        page.screenshot(path=str(ARTIFACTS / "knowledge.png"))
        # the agent sees no Settings tab
        assert page.get_by_role("tab", name="Settings").count() == 0
        # switch language: the tabs are relabelled
        page.locator("#vc-lang").get_by_text("中文", exact=True).click()
        page.get_by_role("tab", name="问答").wait_for(timeout=30000)
        assert page.get_by_role("tab", name="合规检查").count() == 1
        page.screenshot(path=str(ARTIFACTS / "zh.png"))


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium not installed (make test installs it)")
def test_a_trainer_duplicates_an_exercise_and_reads_a_trainees_attempt(app_url):
    agent = client(app_url, "demo-agent")
    agent.predict("ex-us-02", 0, api_name="/rehearse_start")
    agent.predict("Good morning. My name is Sam Hale from Northstar Recovery; am I speaking with Raymond Tillman?", api_name="/rehearse_turn")
    agent.predict(api_name="/rehearse_finish")
    with signed_in(app_url, "demo-trainer") as page:
        page.get_by_role("tab", name="Train").click()
        page.locator("#vc-train-exercise input").fill("ex-us-02")
        page.keyboard.press("Enter")
        page.locator("#vc-train-note").get_by_text("read-only").wait_for(timeout=60000)
        page.locator("#vc-train-duplicate").click()
        page.locator("#vc-train-status").get_by_text("duplicated as ex-us-").wait_for(timeout=60000)
        page.screenshot(path=str(ARTIFACTS / "train-exercises.png"))
        page.get_by_role("tab", name="Cohort").click()
        page.locator("#vc-train-refresh").click()
        wait_text(page.locator("#vc-train-cohort"), "demo-agent")
        wait_text(page.locator("#vc-train-attempts"), "ex-us-02")
        _cohort, _chart, attempts, _assigned, _ids, _msg = client(app_url, "demo-trainer").predict(api_name="/train_cohort")
        attempt = next(row[0] for row in attempts["data"] if row[2] == "ex-us-02")
        page.locator("#vc-train-attempt-id input").fill(str(attempt))
        page.keyboard.press("Enter")
        page.wait_for_timeout(500)
        page.locator("#vc-train-show").click()
        page.locator("#vc-train-transcript").get_by_text("Raymond Tillman").first.wait_for(timeout=60000)
        page.screenshot(path=str(ARTIFACTS / "train-cohort.png"))
    with signed_in(app_url, "demo-agent") as page:
        assert page.get_by_role("tab", name="Train").count() == 0


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium not installed (make test installs it)")
def test_the_ask_tab_answers_basic_questions_from_the_right_section(app_url):
    """The three questions a new user tried, in both languages, and a follow-up in each."""
    asks = [
        ("When may I visit a borrower in the UK?", ("20:00",), "Field Visit Policy §4.2"),
        ("and in the US?", ("21:00",), "§4.2"),
        ("外访需要几个人？", ("两名",), "外访管理制度 §5.1"),
        ("那在英国呢？", ("两名",), "外访管理制度 §5.1"),
        ("Can I tell his wife why I'm there?", ("never tell a third party",), "Field Visit Policy §8"),
        ("英国什么时候可以上门？", ("20:00",), "外访管理制度 §4.2"),
        ("How many collectors must go on a visit?", ("two",), "Field Visit Policy §5.1"),
        ("我能告诉他老婆我为什么来吗？", ("不得向第三人透露",), "外访管理制度 §8"),
    ]
    with signed_in(app_url, "demo-agent") as page:
        for n, (question, facts, citation) in enumerate(asks):
            if n in (2, 4, 5, 6, 7):
                page.locator("#vc-clear").click()  # a new conversation
                page.wait_for_timeout(300)
            page.locator("#vc-question textarea").fill(question)
            page.locator("#vc-ask").click()
            page.locator("#vc-chat").get_by_text(question).first.wait_for(timeout=60000)
            bot = page.locator("#vc-chat [data-testid='bot'], #vc-chat .bot").last
            bot.wait_for(timeout=60000)
            page.wait_for_function(
                "c => document.querySelector('#vc-sources') && document.querySelector('#vc-sources').innerText.includes(c)",
                arg=citation, timeout=60000,
            )
            answer = bot.inner_text()
            for fact in facts:
                assert fact in answer, (question, answer)
            if question.startswith(("When may I", "and in the US")):
                assert ("21:00" in answer) == (question == "and in the US?"), answer  # no other country's window
        page.screenshot(path=str(ARTIFACTS / "ask-basic.png"))
