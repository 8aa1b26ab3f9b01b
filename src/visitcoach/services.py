"""The service layer: the long-lived resources and the use cases every edge (CLI, UI) calls.

`Services` opens the index, checker, plan policy, artifact store and training store lazily, once,
and keeps the rehearsal sessions in progress. Each use case (ask, check, check a batch, plan, prep,
rehearse, ingest, upload a document) is one call that also records what it produced in the review
desk with its author, so a script checked on the command line reaches the desk exactly as one
checked in the browser. The edges parse their input, call one of these, and format the result.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from visitcoach.config import Settings
from visitcoach.errors import IndexStoreError, VisitCoachError

log = logging.getLogger(__name__)

MAX_SESSIONS = 200
EMPTY_INDEX = "the index is empty: run `visitcoach ingest` first / 索引为空，请先运行 visitcoach ingest"


@dataclass
class BatchRun:
    """A checked batch: the contract's result, and where its JSON and CSV reports went."""

    result: dict[str, Any]
    json_path: Path
    csv_path: Path


@dataclass
class Live:
    """A rehearsal in progress, kept server side under a token."""

    rehearsal: Any  # visitcoach.rehearsal.Rehearsal
    user: str
    ref: str  # exercise or persona id
    seed: int
    started: str
    attempt_id: int | None = None
    result: dict[str, Any] | None = None


class Services:
    """What every session shares: opened once and read-only (the index is swapped after a re-ingest)."""

    def __init__(self, settings: Settings, *, semantic: bool = True, learned: bool = True) -> None:
        self.settings = settings
        self.semantic = semantic  # False: no semantic (embedding) layer
        self.learned = learned  # False: no learned layer (its weights are never read)
        self._lock = threading.Lock()
        self._index: Any = None
        self._checker: Any = None
        self._policy: Any = None
        self._store: Any = None
        self._training: Any = None
        self._sessions: dict[str, Live] = {}

    # -- resources ----------------------------------------------------------------------------------

    def index(self) -> Any:
        with self._lock:
            if self._index is None:
                from visitcoach.retrieval.index import KnowledgeIndex

                self._index = KnowledgeIndex(self.settings)
            return self._index

    def reset_index(self) -> None:
        with self._lock:
            self._index = None

    def checker(self) -> Any:
        with self._lock:
            if self._checker is None:
                from visitcoach.compliance import Checker

                self._checker = Checker.from_settings(self.settings, semantic=self.semantic, learned=self.learned)
            return self._checker

    def policy(self) -> Any:
        with self._lock:
            if self._policy is None:
                from visitcoach.corpus.pack import load_plan_policy

                self._policy = load_plan_policy(self.settings.knowledge_dir)
            return self._policy

    def store(self) -> Any:
        with self._lock:
            if self._store is None:
                from visitcoach.review.store import ArtifactStore

                self._store = ArtifactStore.from_settings(self.settings)
            return self._store

    def training(self) -> Any:
        with self._lock:
            if self._training is None:
                from visitcoach.training import TrainingStore

                self._training = TrainingStore(Path(self.settings.data_dir) / "training.sqlite")
            return self._training

    def library(self) -> Any:
        from visitcoach.training import ExerciseLibrary

        return ExerciseLibrary(Path(self.settings.knowledge_dir), Path(self.settings.data_dir))

    def keep_session(self, token: str, entry: Live) -> None:
        with self._lock:
            if len(self._sessions) >= MAX_SESSIONS:
                self._sessions.pop(next(iter(self._sessions)))  # the oldest
            self._sessions[token] = entry

    def session(self, token: str) -> Live | None:
        return self._sessions.get(token or "")

    def record(self, kind: str, author: str, summary: str, payload: dict[str, Any], **fields: Any) -> int:
        """Store one artifact for the review desk (see `ArtifactStore.save`)."""
        return self.store().save(kind, author, summary, payload, **fields)

    def _ready_index(self) -> Any:
        index = self.index()
        if len(index) == 0:
            raise IndexStoreError(EMPTY_INDEX)
        return index

    def warm(self) -> None:
        """Load what the first ask and check would (the index, the embedder, jieba, the checker's models)
        by answering one question per language and checking one line, storing nothing; a process that
        serves people runs this once at start so its first user does not wait seconds. Never raises:
        an empty index or a missing model shows up on first use, with its own message."""
        from visitcoach.ask import ask as answer_question

        started = time.perf_counter()
        try:
            index = self.index()
            if len(index):
                for question in ("When may I visit?", "外访需要几个人？"):
                    answer_question(index, question, settings=self.settings)
            self.checker().check("Good morning, I am here about your account.", lang="en", semantic=self.semantic)
            self.store()
        except Exception as exc:  # noqa: BLE001 - warming is an optimisation; the real call reports the fault
            log.warning("warm-up stopped early (%s: %s); the first request will load the rest", type(exc).__name__, exc)
            return
        log.info("warmed up in %.1f s", time.perf_counter() - started)

    # -- use cases ----------------------------------------------------------------------------------

    def ask(self, question: str, history: list[dict[str, str]] | None = None, jurisdiction: str | None = None,
            lang: str | None = None, author: str = "", on_token: Callable[[str], None] | None = None,
            cancel: threading.Event | None = None) -> Any:
        """A cited answer to a chat turn; a follow-up ("and in the UK?") is read with the turns before it
        (`visitcoach.qa.conversation`). A rejected question raises `QuestionError` and stores nothing; so
        does an answer finished after `cancel` was set (the asker stopped waiting)."""
        from visitcoach.ask import ask as answer_question
        from visitcoach.ask import validate_question

        question = validate_question(question)
        index = self._ready_index()
        turns = [m for m in (history or []) if m.get("role") == "user"]
        answer = answer_question(index, question, jurisdiction=jurisdiction, lang=lang, settings=self.settings, history=turns,
                                 on_token=on_token)
        if cancel is not None and cancel.is_set():  # the asker was told the app is busy: they never saw it
            log.info("ask: answered after the asker gave up waiting; not stored")
            return answer
        self.record("answer", author, question[:120], {"question": question, "query": answer.understood.get("query", question), **answer.as_dict()})
        return answer

    def check(self, text: str | bytes, context: Any = None, lang: str | None = None, author: str = "", *,
              second_opinion: bool = False) -> Any:
        """Compliance findings for one script; `context` is a `VisitContext`, a mapping (validated) or None."""
        from visitcoach.compliance import VisitContext, parse_context

        if isinstance(context, dict):
            ctx, ctx_data = parse_context(context, "the context form"), context
        else:
            ctx = context or VisitContext()
            ctx_data = ctx.model_dump(mode="json", exclude_none=True)
        checker = self.checker()
        report = checker.check(text, ctx, lang=lang, semantic=self.semantic)
        plain = text.decode("utf-8", errors="replace") if isinstance(text, bytes) else text
        if second_opinion:
            from visitcoach.compliance.second_opinion import second_opinion as ask_model
            from visitcoach.errors import BackendError

            try:
                report = ask_model(self.settings, checker, report, plain, ctx, report.lang)
            except BackendError as exc:
                report.notice = f"no second opinion ({exc}); rule findings only"
        self.record("check", author, f"{report.verdict}: {len(report.findings)} finding(s)",
                    {"text": plain, "context": ctx_data, **report.as_dict()})
        return report

    def check_batch(self, path: Path, author: str = "", *, lang: str | None = None, out: Path | None = None,
                    progress: Callable[[int, int], None] | None = None) -> BatchRun:
        """Check every row of a .jsonl or .csv file, write the reports, record the batch and each row."""
        from visitcoach.compliance.batch import check_batch, write_reports

        path = Path(path)
        result = check_batch(self.checker(), path, semantic=self.semantic, lang=lang, progress=progress)
        tag = re.sub(r"[^A-Za-z0-9_-]", "", author)[:20]
        stem = f"check-{dt.datetime.now():%Y%m%d-%H%M%S}" + (f"-{tag}" if tag else "")
        json_path, csv_path = write_reports(result, out or self.settings.data_dir / "reports", stem)
        s = result["summary"]
        self.record("batch", author, f"{s['rows']} rows: {s['failed']} fail", {"summary": s, "report": str(json_path)},
                    ref=path.name)
        self._record_batch_items(author, path, result["results"])
        return BatchRun(result, json_path, csv_path)

    def _record_batch_items(self, author: str, path: Path, results: list[dict[str, Any]]) -> None:
        """Each checked row of a batch is an artifact of its own (kind `batch_item`), for the review desk."""
        from visitcoach.compliance.batch import read_rows

        rows = {n: row for n, row in read_rows(path) if isinstance(row, dict)}
        by_id = {str(row.get("id") or f"row-{n}"): row for n, row in rows.items()}
        for r in results:
            row = by_id.get(str(r["id"]))
            if "findings" not in r or row is None:
                continue
            ctx = row.get("context") if isinstance(row.get("context"), dict) else {}
            payload = {"text": str(row.get("text") or ""), "context": ctx, "verdict": r["verdict"],
                       "findings": r["findings"], "batch": path.name, "row_id": r["id"]}
            self.record("batch_item", author, f"{path.name}#{r['id']}: {r['verdict']}", payload, ref=f"{path.name}#{r['id']}")

    def plan(self, author: str = "", *, case_id: str | None = None, inputs: Any = None, role: str = "agent",
             as_of: dt.date | None = None, start: dt.date | None = None, lang: str | None = None,
             style: str = "letter") -> Any:
        """Repayment-plan options and a checked proposal draft, for a case id or explicit inputs."""
        from visitcoach.repayment import make_plan

        result = make_plan(self.settings, case_id=case_id, inputs=inputs, role=role, as_of=as_of, start=start,
                           lang=lang, style=style, checker=self.checker(), policy=self.policy())
        data = result.as_dict()
        self.record("plan", author, f"{data['case_id'] or data['product']}: {len(data['options'])} option(s)", data,
                    ref=data["case_id"])
        return result

    def prep(self, case_id: str, author: str = "", *, as_of: dt.datetime | None = None, lang: str | None = None) -> Any:
        """The visit brief for a case."""
        from visitcoach.prep import build_brief

        brief = build_brief(self.settings, case_id, as_of=as_of, lang=lang, checker=self.checker(), index=self.index(),
                            policy=self.policy())
        data = brief.as_dict()
        self.record("brief", author, f"{case_id}: {'go' if data['decision']['visit_allowed'] else 'no-go'}", data, ref=case_id,
                    jurisdiction=brief.case.jurisdiction)
        return brief

    def rehearse_start(self, author: str = "", *, exercise_id: str | None = None, persona_id: str | None = None,
                       case_id: str | None = None, seed: int = 0, model: bool | None = None) -> tuple[str, Live]:
        """Set up a rehearsal and keep it under a new token: (token, live session)."""
        from visitcoach.training import prepare

        r = prepare(self.settings, self.checker(), exercise_id=exercise_id, persona_id=persona_id, case_id=case_id,
                    seed=seed, model=model)
        token = secrets.token_hex(8)
        live = Live(r, author, exercise_id or persona_id or "", seed, dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
        self.keep_session(token, live)
        return token, live

    def rehearse_finish(self, live: Live, ended_by: str = "agent_stopped") -> dict[str, Any]:
        """Score the rehearsal and record it (once): the training attempt and the review-desk artifact."""
        from visitcoach.rehearsal import result

        r = live.rehearsal
        if live.result is None:
            r.session.finish(ended_by)
            live.result = result(r.session, r.grading, r.session.persona.lang)
            if r.notices:
                live.result["notices"] = r.notices
            card = live.result["scorecard"]
            live.attempt_id = self.training().record_attempt(live.user, live.ref, live.seed, live.result, live.started)
            persona = r.session.persona
            self.record("rehearsal", live.user, f"{live.ref}: {card['total']:.2f} {'pass' if card['passed'] else 'fail'}",
                        {"exercise": live.ref, "attempt": live.attempt_id, **live.result}, ref=live.ref,
                        jurisdiction=persona.jurisdiction, lang=persona.lang)
        return live.result

    def ingest(self, author: str = "", *, rebuild: bool = False,
               progress: Callable[[int, int, str], None] | None = None) -> Any:
        """Index the knowledge pack incrementally and swap the index in."""
        from visitcoach.ingest import ingest

        report = ingest(self.settings, rebuild=rebuild, progress=progress)
        self.reset_index()
        self.record("ingest", author, ingest_line(report), report.as_dict())
        return report

    def upload_document(self, path: Path, title: str, jurisdiction: str | None, lang: str | None, author: str = "",
                        progress: Callable[[int, int, str], None] | None = None) -> tuple[Path, Any]:
        """Copy a policy file into knowledge/uploads/ (front matter or a metadata sidecar) and index it."""
        target = place_upload(Path(path), title, jurisdiction, lang, Path(self.settings.knowledge_dir) / "uploads")
        log.info("upload by %s: %s", author, target.name)
        return target, self.ingest(author, progress=progress)


def ingest_line(report: Any) -> str:
    return (
        f"{len(report.added)} added, {len(report.updated)} updated, {len(report.deleted)} deleted, "
        f"{report.unchanged} unchanged; {report.chunks_total} chunks indexed in {report.seconds:.1f}s"
    )


def place_upload(src: Path, title: str, jurisdiction: str | None, lang: str | None, target_dir: Path) -> Path:
    """Where an uploaded document goes, written with its metadata: Markdown without front matter gets
    the form's fields as front matter; PDF and DOCX get a `.meta.yaml` sidecar."""
    import yaml

    if src.suffix.lower() not in (".pdf", ".docx", ".md"):
        raise VisitCoachError(f"{src.name}: only PDF, DOCX or Markdown files / 仅支持 PDF、DOCX、Markdown")
    if not title or not title.strip():
        raise VisitCoachError("Give the document a title. / 请填写标题。")
    target_dir.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", src.stem).strip("-").lower() or "document"
    target = target_dir / f"{stem}{src.suffix.lower()}"
    meta = {"id": f"upload-{stem}", "title": title.strip(), "doc_type": "policy", "jurisdiction": jurisdiction or "ALL",
            "lang": lang or "en"}
    if target.suffix == ".md":
        try:
            body = src.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise VisitCoachError(f"{src.name}: not UTF-8 text / 文件不是 UTF-8 文本") from None
        if not body.startswith("---"):  # no front matter of its own: the form's fields become it
            body = "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n" + body
        target.write_text(body, encoding="utf-8")
    else:
        shutil.copyfile(src, target)
        (target.parent / f"{target.name}.meta.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True), encoding="utf-8")
    return target
