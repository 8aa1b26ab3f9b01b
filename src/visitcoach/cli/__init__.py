"""The `visitcoach` command line. Commands parse, call the library and format; errors become one line."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from decimal import ROUND_CEILING, Decimal
from pathlib import Path
from typing import Annotated, Any

import typer

from visitcoach.cli.common import AsOpt, JsonOpt, LangOpt, author, cli_settings, command, emit, fail
from visitcoach.services import Services
from visitcoach.text import JURISDICTIONS

app = typer.Typer(
    name="visitcoach",
    help="A compliance assistant for debt-collection field visits (offline by default).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
log = logging.getLogger("visitcoach")



@app.command()
@command
def ingest(
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Drop the index and index everything again.")] = False,
    who: AsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Index the knowledge pack incrementally (unchanged files are skipped)."""
    settings = cli_settings()
    bar = None
    show_bar = sys.stderr.isatty() and not as_json

    def progress(done: int, total: int, label: str) -> None:
        nonlocal bar
        if not show_bar:
            return
        if bar is None:
            from tqdm import tqdm

            bar = tqdm(total=total, desc=label, unit="chunk", file=sys.stderr)
        bar.n = done
        bar.refresh()

    try:
        report = Services(settings).ingest(author(who), rebuild=rebuild, progress=progress)
    finally:
        if bar is not None:
            bar.close()
    if as_json:
        emit(report.as_dict())
        return
    typer.echo(
        f"{len(report.added)} added, {len(report.updated)} updated, {len(report.deleted)} deleted, "
        f"{report.unchanged} unchanged; {report.chunks_total} chunks indexed in {report.seconds:.1f}s"
    )


@app.command()
@command
def ask(
    question: Annotated[str, typer.Argument(help="The question, in Chinese or English.")],
    jurisdiction: Annotated[
        str | None, typer.Option("--jurisdiction", "-j", help="Restrict to CN, US or UK (plus group-wide policy).")
    ] = None,
    follow_up_of: Annotated[
        list[str] | None,
        typer.Option("--follow-up-of", help="An earlier question this one follows up (repeatable, oldest first): 'and in the UK?'."),
    ] = None,
    lang: LangOpt = None,
    who: AsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Answer a question from the knowledge base, with citations."""
    settings = cli_settings()
    if jurisdiction is not None:
        jurisdiction = jurisdiction.upper()
        if jurisdiction not in JURISDICTIONS:
            fail(f"--jurisdiction must be CN, US or UK, not {jurisdiction!r}")
    if lang is not None and lang not in ("zh", "en"):
        fail(f"--lang must be zh or en, not {lang!r}")
    history = [{"role": "user", "content": q} for q in (follow_up_of or [])]
    answer = Services(settings).ask(question, history, jurisdiction, lang, author(who))
    if as_json:
        emit(answer.as_dict())
        return
    typer.echo(answer.answer)
    if answer.citations:
        typer.echo("")
        for n, c in enumerate(answer.citations, start=1):
            typer.echo(f"[{n}] {c.citation} — {c.title} › {c.section} ({c.source})")
    if answer.see_also:
        typer.echo(("另见：" if answer.lang == "zh" else "See also: ") + "; ".join(answer.see_also))
    if answer.notice:
        typer.echo(f"note: {answer.notice}", err=True)


@app.command()
@command
def check(
    file: Annotated[str | None, typer.Argument(help="Script file, or - for standard input.")] = None,
    context: Annotated[Path | None, typer.Option("--context", help="Visit context (YAML or JSON).")] = None,
    batch: Annotated[Path | None, typer.Option("--batch", help="Check every row of a .jsonl or .csv file.")] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Where batch reports go (default: DATA_DIR/reports).")
    ] = None,
    fail_on: Annotated[
        str | None, typer.Option("--fail-on", help="Exit 1 when a finding of this severity (or worse) is found.")
    ] = None,
    no_semantic: Annotated[
        bool, typer.Option("--no-semantic", help="Without the semantic (embedding) layer.")
    ] = False,
    no_learned: Annotated[
        bool, typer.Option("--no-learned", help="Without the learned layer (its weights are not read).")
    ] = False,
    second: Annotated[
        bool,
        typer.Option("--second-opinion", help="Also ask the configured model; it may add warnings, never remove findings."),
    ] = False,
    lang: LangOpt = None,
    who: AsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Check a script (or a batch) against the compliance rules; the result goes to the review desk."""
    from visitcoach.compliance import load_context

    settings = cli_settings()
    if fail_on not in (None, "violation", "warning"):
        fail(f"--fail-on must be violation or warning, not {fail_on!r}")
    if lang is not None and lang not in ("zh", "en"):
        fail(f"--lang must be zh or en, not {lang!r}")
    if (file is None) == (batch is None):
        fail("give a script FILE (or -) or --batch FILE, not both")
    services = Services(settings, semantic=not no_semantic, learned=not no_learned)
    worst = {"violation": ("violation",), "warning": ("violation", "warning"), None: ()}[fail_on]
    if batch is not None:
        run = services.check_batch(batch, author(who), lang=lang, out=out)
        result, json_path, csv_path = run.result, run.json_path, run.csv_path
        if as_json:
            emit(result)
        else:
            s = result["summary"]
            typer.echo(f"{s['rows']} rows: {s['passed']} pass, {s['failed']} fail, {s['errors']} error(s)")
            for category, n in s["findings_by_category"].items():
                typer.echo(f"  {category:<30} {n}")
            for r in result["results"]:
                if "error" in r:
                    typer.echo(f"  error: {r['error']}", err=True)
            typer.echo(f"reports: {json_path} {csv_path}")
        hit = any(f["severity"] in worst for r in result["results"] for f in r.get("findings", []))
        if hit or (fail_on and result["summary"]["errors"]):
            raise typer.Exit(1)
        return
    if file == "-":
        raw = sys.stdin.buffer.read()
    else:
        try:
            raw = Path(file).read_bytes()  # type: ignore[arg-type]
        except OSError as exc:
            fail(f"{file}: cannot read ({exc.strerror or exc})")
    if second:
        from visitcoach.llm.backend import available

        if not available(settings):
            fail("--second-opinion needs a model: set VISITCOACH_LLM=openai with OPENAI_API_KEY or VISITCOACH_OPENAI_BASE_URL")
    ctx = load_context(context) if context else None
    report = services.check(raw, ctx, lang, author(who), second_opinion=second)
    if as_json:
        emit(report.as_dict())
    else:
        typer.echo(f"verdict: {report.verdict} ({len(report.findings)} finding(s))")
        if report.notice:
            typer.echo(f"notice: {report.notice}")
        for f in report.findings:
            where = f"@{f.start}-{f.end} “{f.text}”" if f.start is not None else "(visit context)"
            typer.echo(f"[{f.severity}] {f.rule_id} {f.category} {where} — {f.citation}")
            typer.echo(f"    why: {f.explanation}")
            typer.echo(f"    say instead: {f.suggestion}")
    if any(f.severity in worst for f in report.findings):
        raise typer.Exit(1)


@app.command()
@command
def plan(
    case_id: Annotated[str | None, typer.Argument(help="Case id (e.g. CN-001); or give the amounts instead.")] = None,
    balance: Annotated[str | None, typer.Option("--balance", help="Outstanding balance, arrears included.")] = None,
    income: Annotated[str | None, typer.Option("--income", help="Monthly net income.")] = None,
    expenses: Annotated[str | None, typer.Option("--expenses", help="Monthly essential expenses.")] = None,
    other_debts: Annotated[str, typer.Option("--other-debts", help="Monthly payments to other creditors.")] = "0",
    arrears: Annotated[str, typer.Option("--arrears", help="Amount in arrears.")] = "0",
    instalment: Annotated[
        str | None,
        typer.Option("--instalment", help="Contractual monthly instalment (default: the balance over --term)."),
    ] = None,
    term: Annotated[int, typer.Option("--term", help="Remaining term in months (0: none, e.g. a card).")] = 0,
    rate: Annotated[str | None, typer.Option("--rate", help="Annual interest rate as a share, e.g. 0.18.")] = None,
    product: Annotated[str, typer.Option("--product", help="consumer_loan, credit_card, sme_loan or auto_loan.")] = "consumer_loan",
    jurisdiction: Annotated[str, typer.Option("--jurisdiction", help="CN, US or UK.")] = "CN",
    role: Annotated[str, typer.Option("--role", help="Who offers the plan: agent, supervisor or manager.")] = "agent",
    lump_sum: Annotated[
        str | None, typer.Option("--lump-sum", help="Money the customer already has and offers towards a settlement.")
    ] = None,
    start: Annotated[str | None, typer.Option("--start", help="First instalment date (default: 1st of next month).")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Assessment date (default: today).")] = None,
    style: Annotated[str, typer.Option("--style", help="letter or script (door-step).")] = "letter",
    lang: LangOpt = None,
    who: AsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Repayment-plan options within policy and a checked proposal draft."""
    from visitcoach.repayment import PlanInputError, PlanInputs
    from visitcoach.repayment.calc import money

    settings = cli_settings()
    dates = {}
    for name, value in (("--start", start), ("--as-of", as_of)):
        try:
            dates[name] = dt.date.fromisoformat(value) if value else None
        except ValueError:
            fail(f"{name}: not a date like 2027-01-01: {value!r}")
    inputs = None
    amounts = {"--balance": balance, "--income": income, "--expenses": expenses}
    if case_id is None:
        missing = [k for k, v in amounts.items() if v is None]
        if missing:
            fail(f"give a CASE_ID, or the amounts: missing {', '.join(missing)}")
        jurisdiction, product = jurisdiction.upper(), product.lower()
        total = money(balance, "--balance")
        months = term or 12
        contractual = money(instalment, "--instalment") if instalment else (total / months).quantize(
            Decimal("0.01"), rounding=ROUND_CEILING
        )
        inputs = PlanInputs(
            jurisdiction=jurisdiction,
            product=product,
            balance=total,
            arrears=money(arrears, "--arrears"),
            contractual_instalment=contractual,
            remaining_term_months=term,
            income=money(income, "--income"),
            expenses=money(expenses, "--expenses"),
            other_debt_service=money(other_debts, "--other-debts"),
            annual_interest_rate=rate,  # type: ignore[arg-type]
            lump_sum=money(lump_sum, "--lump-sum") if lump_sum else None,
        )
    elif any(v is not None for v in amounts.values()):
        raise PlanInputError("give a CASE_ID or the amounts (--balance, --income, --expenses), not both")
    result = Services(settings).plan(
        author(who),
        case_id=case_id,
        inputs=inputs,
        role=role,
        as_of=dates["--as-of"],
        start=dates["--start"],
        lang=lang,
        style=style,
    )
    data = result.as_dict()
    if as_json:
        emit(data)
    else:
        _print_plan(data)
    if result.draft.verdict != "pass":
        raise typer.Exit(1)


def _print_plan(data: dict[str, Any]) -> None:
    a, cur = data["assessment"], data["currency"]
    who = data["case_id"] or f"{data['jurisdiction']} {data['product']}"
    typer.echo(f"{who}: segment {a['segment']}; disposable income {cur} {a['disposable_income']}, "
               f"affordable instalment {cur} {a['affordable_instalment']}")
    for reason in a["reasons"]:
        typer.echo(f"  - {reason}")
    if not data["options"]:
        typer.echo("no option fits")
    for o in data["options"]:
        approval = f", needs approval by {o['needs_approval_by']}" if o["needs_approval_by"] else ""
        typer.echo(
            f"{o['kind']}: up to {cur} {o['instalment_max']} a month for {o['months']} months, "
            f"total paid {o['total_paid']}, forgiven {o['total_forgiven']}{approval}"
        )
        typer.echo(f"    {o['rationale']}")
    check = data["draft_check"]
    for f in check["contact_findings"]:
        typer.echo(f"contact: [{f['severity']}] {f['rule_id']} {f['category']} — {f['explanation']}")
    if check["verdict"] != "pass":
        typer.echo("draft blocked:", err=True)
        for e in check["number_errors"]:
            typer.echo(f"  {e}", err=True)
        for f in check["findings"]:
            typer.echo(f"  [{f['severity']}] {f['rule_id']} “{f['text']}” — {f['citation']}", err=True)
        return
    if check["notice"]:
        typer.echo(f"notice: {check['notice']}")
    typer.echo("")
    typer.echo(data["draft"])


@app.command()
@command
def prep(
    case_id: Annotated[str, typer.Argument(help="Case id, e.g. CN-001.")],
    at: Annotated[
        str | None, typer.Option("--at", help="Local date-time at the address to plan from (default: now there).")
    ] = None,
    lang: LangOpt = None,
    who: AsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Visit brief: may we visit and when, is it worth it, the plan, an opening script, a checklist."""
    from visitcoach.prep import render_brief

    settings = cli_settings()
    when = None
    if at:
        try:
            when = dt.datetime.fromisoformat(at)
        except ValueError:
            fail(f"--at: not a local date-time like 2026-11-30T09:00: {at!r}")
    if lang is not None and lang not in ("zh", "en"):
        fail(f"--lang must be zh or en, not {lang!r}")
    brief = Services(settings).prep(case_id, author(who), as_of=when, lang=lang)
    if as_json:
        emit(brief.as_dict())
    else:
        typer.echo(render_brief(brief))


@app.command()
@command
def followup(
    case_id: Annotated[str, typer.Argument(help="Case id, e.g. CN-001.")],
    record: Annotated[Path, typer.Option("--record", help="The filled-in post-visit record (YAML, from `prep`).")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate and schedule without saving.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Validate a post-visit record and schedule the follow-up (appended to the case history)."""
    from visitcoach.prep.followup import followup as run_followup

    settings = cli_settings()
    result = run_followup(settings, case_id, record, save=not dry_run)
    if as_json:
        emit(result)
    else:
        typer.echo(f"{result['case_id']}: record {'valid' if result['valid'] else 'has violations'}"
                   + ("; saved to the case history" if result["saved"] else ""))
        for p in result["problems"]:
            typer.echo(f"[{p['severity']}] {p['text']} ({p['citation']})")
        for t in result["schedule"]:
            typer.echo(f"{t['date']}  {t['action']}  ({t['citation']})")
    if not result["valid"]:
        raise typer.Exit(1)


@app.command()
@command
def rehearse(
    persona_id: Annotated[str | None, typer.Argument(help="Persona id, e.g. persona-us-01 (or use --exercise).")] = None,
    exercise: Annotated[str | None, typer.Option("--exercise", help="Exercise id, e.g. ex-us-01 (persona, rubric, context).")] = None,
    case: Annotated[str | None, typer.Option("--case", help="Case id: its visit context and affordable limits.")] = None,
    script: Annotated[Path | None, typer.Option("--script", help="Replay a scripted agent: one turn per line.")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the persona's reply choices.")] = 0,
    transcript: Annotated[Path | None, typer.Option("--transcript", help="Also write the transcript to FILE (.md or .json).")] = None,
    offline: Annotated[bool, typer.Option("--offline", help="Use the reply bank even when a model is configured.")] = False,
    who: AsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Rehearse a visit against a simulated borrower (interactive, or --script FILE)."""
    from visitcoach.rehearsal import transcript_markdown

    settings = cli_settings()
    if not (persona_id or exercise):
        fail("give a PERSONA_ID or --exercise")
    lines: list[str] | None = None
    if script is not None:
        try:
            lines = script.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            fail(f"{script}: cannot read ({exc})")
    services = Services(settings)
    _, live = services.rehearse_start(author(who), exercise_id=exercise, persona_id=persona_id, case_id=case, seed=seed,
                                      model=False if offline else None)
    r = live.rehearsal
    session, persona = r.session, r.session.persona
    if lines is not None:
        for line in lines:
            if line.strip() and not session.over:
                session.agent_says(line.strip())
        out = services.rehearse_finish(live, "script_end")
    else:
        typer.echo(f"{persona.name} ({persona.id}). Type what you say at the door; an empty line or /end finishes.")
        while not session.over:
            line = typer.prompt("you", default="", show_default=False)
            if not line.strip() or line.strip() == "/end":
                break
            turn = session.agent_says(line)
            for f in turn.findings:
                typer.echo(f"  ⚠ [{f.severity}] {f.rule_id} {f.citation}: say instead: {f.suggestion}")
            typer.echo(f"{persona.name}: {session.transcript[-1].text}")
        out = services.rehearse_finish(live, "agent_stopped")
    if transcript is not None:
        title = r.exercise.title if r.exercise else persona.id
        text = transcript_markdown(out, title) if transcript.suffix.lower() == ".md" else json.dumps(out, ensure_ascii=False, indent=2)
        transcript.write_text(text, encoding="utf-8")
    if as_json:
        emit(out)
        return
    if lines is not None:
        for t in out["transcript"]:
            typer.echo(f"{'agent' if t['role'] == 'agent' else persona.name}: {t['text']}")
            for f in t["findings"]:
                typer.echo(f"  ⚠ [{f['severity']}] {f['rule_id']} {f['citation']}")
    for notice in r.notices:
        typer.echo(f"note: {notice}", err=True)
    card = out["scorecard"]
    typer.echo(f"ended by: {out['ended_by']}; score {card['total']:.2f} (pass mark {card['pass_mark']}): "
               f"{'PASSED' if card['passed'] else 'not passed'}")


@app.command()
@command
def validate(
    sample: Annotated[
        bool, typer.Option("--sample", help="Also check the sample pack's promises (fictional, zh+en, counts).")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Check every knowledge file, citation and the plan policy; one line per problem."""
    from visitcoach.corpus.pack import validate_pack

    settings = cli_settings()
    report = validate_pack(settings.knowledge_dir, sample_pack=sample)
    if as_json:
        emit({"ok": report.ok, "documents": len(report.documents), "problems": report.problems})
    else:
        for problem in report.problems:
            typer.echo(problem, err=True)
        typer.echo(f"{len(report.documents)} documents, {len(report.problems)} problem(s)")
    if not report.ok:
        raise typer.Exit(1)


@app.command("eval")
@command
def eval_(
    suite: Annotated[
        list[str] | None,
        typer.Option("--suite", "-s", help="Suite to run (repeatable): retrieval, ask, compliance, cold, english_abuse, plans, prep, rehearsal, redaction. Default: all."),
    ] = None,
    mode: Annotated[str, typer.Option("--mode", help="offline (default) or llm (answers and the groundedness judge by the model).")] = "offline",
    baseline: Annotated[Path | None, typer.Option("--baseline", help="A previous report directory or its summary.json to diff against.")] = None,
    fail_under: Annotated[bool, typer.Option("--fail-under", help="Exit non-zero when a metric misses its threshold (evals/thresholds.yaml).")] = False,
    thresholds: Annotated[Path | None, typer.Option("--thresholds", help="Thresholds file (default: VISITCOACH_EVALS_DIR/thresholds.yaml).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Run the eval suite and write a report to evals/reports/<timestamp>/ (results.jsonl, summary.json, report.html)."""
    from visitcoach.evals.runner import run

    settings = cli_settings()
    if mode not in ("offline", "llm"):
        fail(f"--mode must be offline or llm, not {mode!r}")
    names = suite or None
    if names is None or {"retrieval", "ask", "prep"} & set(names):
        from visitcoach.ingest import ingest as run_ingest

        run_ingest(settings)  # incremental: unchanged files are skipped
    evals = settings.evals_dir
    thresholds_path = thresholds or (evals / "thresholds.yaml")
    result = run(
        settings, suites=names, mode=mode, datasets_dir=evals / "datasets", root=evals.resolve().parent,  # type: ignore[arg-type]
        reports_dir=evals / "reports", thresholds_path=thresholds_path if thresholds_path.exists() else None,
        baseline=baseline, progress=sys.stderr.isatty(),
    )
    summary = result.summary
    failed = [t for t in summary["thresholds"] if not t["passed"]]
    if as_json:
        emit({"report": str(result.directory), "passed": summary["passed"], "metrics": summary["metrics"],
               "thresholds": summary["thresholds"], "baseline": summary["baseline"], "skipped": summary["skipped"],
               "seconds": summary["seconds"]})
    else:
        for name, value in summary["metrics"].items():
            typer.echo(f"{name:<48} {value:.4f}")
        for name, why in summary["skipped"].items():
            typer.echo(f"skipped {name}: {why}")
        if summary["baseline"]:
            regressions = summary["baseline"]["regressions"]
            typer.echo(f"baseline: {len(regressions)} regression(s){': ' + ', '.join(regressions) if regressions else ''}")
        typer.echo(f"report: {result.directory / 'report.html' if result.directory else '-'} ({summary['seconds']['total']:.1f} s)")
    if fail_under and failed:
        for t in failed:
            value = "missing" if t["value"] is None else f"{t['value']:.4f}"
            typer.echo(f"below threshold: {t['metric']} = {value} ({t['kind']} {t['limit']})", err=True)
        raise typer.Exit(1)


@app.command()
@command
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int | None, typer.Option(help="Port (default VISITCOACH_PORT or 7860).")] = None,
    processes: Annotated[int | None, typer.Option(help="App processes behind the port (default VISITCOACH_PROCESSES or 1).")] = None,
) -> None:
    """Serve the web app (sign-in required; the accounts are printed at start)."""
    from visitcoach.ui import build_demo, launch

    settings = cli_settings()
    count = processes or settings.processes
    if count > 1:
        from visitcoach.ui.auth import Auth
        from visitcoach.ui.pool import serve_pool

        typer.echo(f"visitcoach: http://{host}:{port or settings.port} ({count} processes) — sign in with {Auth(settings).banner()}")
        serve_pool(settings, host, port or settings.port, count)
        return
    demo = build_demo(settings)
    typer.echo(f"visitcoach: http://{host}:{port or settings.port} — sign in with {demo.vc_resources.auth.banner()}")
    launch(settings, host=host, port=port or settings.port, demo=demo)


@app.command("user-hash")
@command
def user_hash() -> None:
    """Print a password hash for VISITCOACH_USERS_FILE (the password is read without echo)."""
    from visitcoach.ui.auth import hash_password

    password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    if len(password) < 8:
        fail("use at least 8 characters")
    typer.echo(hash_password(password))


@app.command()
@command
def settings(as_json: JsonOpt = False) -> None:
    """Show every setting with its current value (secrets masked)."""
    from visitcoach.config import setting_docs

    current = cli_settings()
    rows = []
    for env, default, description in setting_docs():
        name = env.removeprefix("VISITCOACH_").lower()
        value = getattr(current, name, None)
        if name == "openai_api_key" and value:
            value = "***"
        rows.append(
            {
                "name": env,
                "value": None if value is None else str(value),
                "default": default,
                "description": description,
            }
        )
    if as_json:
        emit({"settings": rows})
        return
    for row in rows:
        typer.echo(f"{row['name']}={row['value'] or ''}    # {row['description']}")


report_app = typer.Typer(help="Reports for managers.", no_args_is_help=True)
app.add_typer(report_app, name="report")


@report_app.command("effectiveness")
@command
def report_effectiveness(
    jurisdiction: Annotated[str | None, typer.Option("--jurisdiction", help="Only CN, US or UK.")] = None,
    days: Annotated[
        int | None, typer.Option("--days", help="Days counted after (and before) the index date (default: VISITCOACH_EFFECT_WINDOW_DAYS).")
    ] = None,
    csv_path: Annotated[Path | None, typer.Option("--csv", help="Also write every figure with its n to this CSV file.")] = None,
    lang: LangOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Visit effectiveness: recovery vs remote-only cases, cost-benefit, promises kept, satisfaction, complaints."""
    from visitcoach.effectiveness import render_markdown, report, write_csv

    settings = cli_settings()
    if lang is not None and lang not in ("zh", "en"):
        fail(f"--lang must be zh or en, not {lang!r}")
    data = report(settings, window_days=days, jurisdiction=jurisdiction, lang=lang or "en")
    if csv_path is not None:
        write_csv(data, csv_path)
        data["csv"] = str(csv_path)
    if as_json:
        emit(data)
    else:
        typer.echo(render_markdown(data))
        if csv_path is not None:
            typer.echo(f"csv: {csv_path}")
from visitcoach.cli.review import review_app  # noqa: E402 - registered after the commands above

app.add_typer(review_app, name="review")


def main() -> None:
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
