"""Speed and memory benchmarks: `make bench` (or `python benchmarks/run.py`).

Each phase runs in its own process so its peak memory (max RSS) is its own. Latencies are
medians / percentiles over many warm calls, and each is also given as a ratio to a baseline
measured in the same run (embedding one query), since shared machines are noisy.

Phases
  ingest     fresh ingest of knowledge/ into a temp data dir: chunks/s
  reingest   ingest again with nothing changed: seconds in-process, and the whole CLI command
  ask        offline `ask` latency over the evaluation questions, warm, on the shipped pack
  ask10k     the same over a synthetic 10,000-chunk index (see `synthesise`)
  check      compliance check of a 300-word script with and without the semantic layer; 1,000-script batch
  prep       offline visit brief per shipped case (median), and PII redaction throughput
  redaction  the redactor before #20 against today's (chars/s, medians, same run), and a 50,000-char
             hostile question (digits, mixed scripts, emoji)
  plan       assessment + options + schedules for every shipped case (median per case), and the
             whole `make_plan` with its checked draft
Results go to benchmarks/out/results.json and are printed as a table.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

    from visitcoach.retrieval.index import KnowledgeIndex

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
QUESTIONS = ROOT / "evals" / "datasets" / "retrieval.jsonl"


def _settings(data_dir: Path):
    from visitcoach.config import Settings

    return Settings(data_dir=data_dir, knowledge_dir=ROOT / "knowledge", prompts_dir=ROOT / "prompts")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _questions() -> list[str]:
    return [json.loads(line)["question"] for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]


def _baseline_ms(index) -> float:
    """Median time to embed one query: the unit every `ask` pays at least once."""
    times = []
    for q in _questions()[:30]:
        t = time.perf_counter()
        index.embedder.embed_queries([q])
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def phase_ingest(data_dir: Path) -> dict:
    from visitcoach.ingest import ingest

    report = ingest(_settings(data_dir))
    return {
        "chunks": report.chunks_total,
        "seconds": round(report.seconds, 2),
        "chunks_per_s": round(report.chunks_total / report.seconds, 2),
    }


def phase_reingest(data_dir: Path) -> dict:
    from visitcoach.ingest import ingest

    times = []
    for _ in range(5):
        t = time.perf_counter()
        report = ingest(_settings(data_dir))
        times.append(time.perf_counter() - t)
        assert not report.changed
    cli = []
    env = {**os.environ, "VISITCOACH_DATA_DIR": str(data_dir), "VISITCOACH_KNOWLEDGE_DIR": str(ROOT / "knowledge")}
    for _ in range(3):
        t = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "visitcoach", "ingest", "--json"], check=True, capture_output=True, env=env
        )
        cli.append(time.perf_counter() - t)
    return {"in_process_s_median": round(statistics.median(times), 3), "cli_s_median": round(statistics.median(cli), 3)}


def _ask_latency(data_dir: Path, rounds: int = 3) -> dict:
    from visitcoach.ask import ask
    from visitcoach.retrieval.index import KnowledgeIndex

    index = KnowledgeIndex(_settings(data_dir))
    questions = _questions()
    for q in questions[:5]:  # warm: load the model, the BM25 index and Chroma's HNSW
        ask(index, q)
    baseline = _baseline_ms(index)
    times = []
    for _ in range(rounds):
        for q in questions:
            t = time.perf_counter()
            ask(index, q)
            times.append((time.perf_counter() - t) * 1000)
    p50, p95 = statistics.median(times), _percentile(times, 0.95)
    return {
        "chunks": len(index),
        "calls": len(times),
        "p50_ms": round(p50, 1),
        "p95_ms": round(p95, 1),
        "baseline_embed_query_ms": round(baseline, 1),
        "p50_over_baseline": round(p50 / baseline, 2),
        "p95_over_baseline": round(p95 / baseline, 2),
    }


def phase_ask(data_dir: Path) -> dict:
    return _ask_latency(data_dir)


def synthesise(source_dir: Path, target_dir: Path, total: int = 10_000, seed: int = 1) -> int:
    """A 10,000-chunk index built from the shipped pack through the real store, manifest and BM25 code.

    Texts are the pack's chunks with their sentences shuffled among chunks of the same language, so
    vocabulary and lengths are realistic. Embedding 10,000 chunks on 2 cores takes ~30 minutes, so
    each synthetic chunk gets its source chunk's vector plus small Gaussian noise (re-normalised):
    the vector store then holds 10,000 distinct, realistically distributed vectors, which is what
    query latency depends on. The original chunks are kept, so answers stay meaningful.
    """
    import numpy as np

    from visitcoach.retrieval.index import KnowledgeIndex
    from visitcoach.text import split_sentences

    rng = random.Random(seed)
    source = KnowledgeIndex(_settings(source_dir))
    chunks = source.manifest.chunks()
    raw = source.store._collection.get(ids=[c.id for c in chunks], include=["embeddings"])
    vectors = dict(zip(raw["ids"], np.asarray(raw["embeddings"], dtype=np.float32), strict=True))
    target = KnowledgeIndex(_settings(target_dir))
    sentences: dict[str, list[str]] = {}
    for c in chunks:
        sentences.setdefault(c.metadata.get("lang", "en"), []).extend(split_sentences(c.text))
    rows = [(c.id, c.text, c.metadata, vectors[c.id]) for c in chunks]
    np_rng = np.random.default_rng(seed)
    n = 0
    while len(rows) < total:
        c = chunks[n % len(chunks)]
        n += 1
        pool = sentences[c.metadata.get("lang", "en")]
        text = "".join(rng.sample(pool, k=min(len(pool), max(2, len(split_sentences(c.text))))))
        vec = vectors[c.id] + np_rng.normal(0, 0.02, size=vectors[c.id].shape).astype(np.float32)
        meta = {**c.metadata, "doc_id": f"synthetic-{n:05d}", "source": f"synthetic/{n:05d}.md"}
        rows.append((f"synthetic-{n:05d}::0::0", text, meta, vec / np.linalg.norm(vec)))
    by_file: dict[str, list] = {}
    for row in rows:
        by_file.setdefault(row[2]["source"], []).append(row)
    with target.manifest.transaction() as db:
        for path, group in by_file.items():
            target.manifest.replace_file(
                db, path, "synthetic", group[0][2]["doc_id"], [(r[0], r[1], r[2]) for r in group]
            )
    target.store.add([r[0] for r in rows], np.vstack([r[3] for r in rows]), [r[1] for r in rows], [r[2] for r in rows])
    target.rebuild_lexical()
    target.manifest.set_meta("signature", source.manifest.get_meta("signature") or "")
    _synthetic_sentence_vectors(target, np_rng)
    return len(rows)


def _synthetic_sentence_vectors(target: KnowledgeIndex, np_rng: np.random.Generator) -> None:
    """The sentence table `qa.meaning` ranks sections by, for the synthetic chunks, the way their chunk
    vectors are made: a shipped sentence's vector plus small noise for each sentence the pack does not
    ship (embedding ~25,000 new sentences would take ~8 minutes; the ranking's cost depends on the
    table's size, not on its values)."""
    import numpy as np

    from visitcoach.qa.meaning import SAVED, sentence_texts
    from visitcoach.qa.sections import SectionIndex
    from visitcoach.retrieval.vectors import PassageVectors, key, shipped

    table = shipped()
    model = target.embedder.name
    texts = list(dict.fromkeys(
        t for sec in SectionIndex(target).sections.values() if sec.doc_type not in ("persona", "exercise")
        for c in sec.chunks for t in sentence_texts(c.text)
    ))
    found = table.lookup(model, texts) if table is not None else {}
    pool = np.vstack(list(found.values())) if found else np.eye(384, dtype=np.float32)
    vectors = np.zeros((len(texts), 384), dtype=np.float32)
    for i in range(len(texts)):
        if i in found:
            vectors[i] = found[i]
        else:
            v = pool[np_rng.integers(len(pool))] + np_rng.normal(0, 0.02, size=384).astype(np.float32)
            vectors[i] = v / np.linalg.norm(v)
    PassageVectors(model, [key(model, t) for t in texts], vectors).save(target.settings.index_dir / SAVED)


def phase_ask10k(data_dir: Path, source_dir: Path) -> dict:
    t = time.perf_counter()
    built = synthesise(source_dir, data_dir)
    build_s = time.perf_counter() - t
    result = _ask_latency(data_dir)
    result["build_s"] = round(build_s, 1)
    assert result["chunks"] == built
    return result


def _scripts(n: int, words: int, seed: int) -> list[str]:
    """`n` distinct English scripts of about `words` words, from the rules' own example sentences
    (violating and compliant) plus neutral doorstep talk, shuffled and numbered so none repeats."""
    from visitcoach.compliance.rules import load_rules

    pool = [
        "Good afternoon, my name is Alex from Northstar Recovery, visiting on behalf of Lanting Credit.",
        "I'd like to talk about your account and see what plan could work for you.",
        "Could you tell me a little about your income and your regular bills?",
        "We can look at a smaller monthly amount for a few months and review it later.",
        "Free, impartial debt advice is available from MoneyHelper if you would like it.",
        "Thank you for your time today; I will send the details in writing.",
    ]
    for rule in load_rules(ROOT / "knowledge" / "rules"):
        for kind in ("violating", "compliant"):
            pool += [e.text for e in getattr(rule.spec.examples, kind).get("en", []) if len(e.text.split()) > 3]
    rng = random.Random(seed)
    scripts = []
    for i in range(n):
        out: list[str] = []
        while sum(len(x.split()) for x in out) < words:
            out.append(rng.choice(pool))
        scripts.append(f"Visit note {i}. " + " ".join(out))
    return scripts


def _long_texts(n: int, seed: int) -> list[str]:
    """Texts of 300 to 2,000 characters: compliance-set scripts (zh and en) strung together, as long narratives are."""
    rows = [json.loads(line) for line in (ROOT / "evals" / "datasets" / "compliance.jsonl").read_text(encoding="utf-8").splitlines()]
    rng = random.Random(seed)
    out = []
    for i in range(n):
        lang = "zh" if i % 2 else "en"
        pool = [r["text"] for r in rows if r["lang"] == lang]
        limit = rng.randint(300, 2000)
        text = ""
        while len(text) < limit:
            text += ("" if lang == "zh" else " ") + rng.choice(pool)
        out.append(text[:2000])
    return out


def phase_check(data_dir: Path) -> dict:
    from visitcoach.compliance import Checker, VisitContext
    from visitcoach.compliance.batch import check_batch

    checker = Checker.from_settings(_settings(data_dir))
    ctx = VisitContext(jurisdiction="US", opening=True)
    scripts = _scripts(40, 300, seed=3)
    checker.check(scripts[0], ctx)  # warm: exemplar vectors, model load
    result: dict = {"script_words": 300, "scripts": len(scripts)}
    variants = (("rules_only", False, False), ("without_semantic", False, True), ("with_semantic", True, True))
    for label, semantic, learned in variants:
        times = []
        for text in scripts:
            checker._sentence_cache.clear()  # every sentence embedded afresh: no help from earlier scripts
            t = time.perf_counter()
            checker.check(text, ctx, semantic=semantic, learned=learned)
            times.append((time.perf_counter() - t) * 1000)
        result[f"{label}_median_ms"] = round(statistics.median(times), 2)
    # Long texts (300-2,000 characters), every layer, and where the time goes layer by layer.
    longs = _long_texts(60, seed=5)
    for label, semantic, learned in variants:
        times = []
        for text in longs:
            checker._sentence_cache.clear()
            t = time.perf_counter()
            checker.check(text, VisitContext(jurisdiction="CN" if detect_cjk(text) else "US"), semantic=semantic, learned=learned)
            times.append((time.perf_counter() - t) * 1000)
        times.sort()
        result[f"long_{label}_median_ms"] = round(statistics.median(times), 2)
        result[f"long_{label}_p95_ms"] = round(times[int(0.95 * (len(times) - 1))], 2)
        result[f"long_{label}_max_ms"] = round(times[-1], 2)
    result["long_texts"] = len(longs)
    result["long_chars_max"] = max(len(t) for t in longs)
    unit = []
    for text in scripts[:10]:
        sentence = text.split(". ")[1]
        t = time.perf_counter()
        checker._embedder.embed_passages([sentence])
        unit.append((time.perf_counter() - t) * 1000)
    result["baseline_embed_sentence_ms"] = round(statistics.median(unit), 2)
    batch_file = data_dir / "batch.jsonl"
    data_dir.mkdir(parents=True, exist_ok=True)
    rows = [
        {"id": f"s{i}", "text": t, "context": {"jurisdiction": "US"}} for i, t in enumerate(_scripts(1000, 120, seed=4))
    ]
    batch_file.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    fresh = Checker.from_settings(_settings(data_dir))
    t = time.perf_counter()
    out = check_batch(fresh, batch_file)
    result["batch_1000_s"] = round(time.perf_counter() - t, 1)
    result["batch_rows"] = out["summary"]["rows"]
    return result


def detect_cjk(text: str) -> bool:
    from visitcoach.text import detect_lang

    return detect_lang(text) == "zh"


def phase_plan(data_dir: Path) -> dict:
    import datetime as dt

    from visitcoach.compliance import Checker
    from visitcoach.corpus.cases import all_cases
    from visitcoach.corpus.pack import load_plan_policy
    from visitcoach.repayment import make_plan
    from visitcoach.repayment.calc import assess, inputs_from_case, plan_options

    settings = _settings(data_dir)
    policy = load_plan_policy(settings.knowledge_dir)
    cases = all_cases(settings.knowledge_dir)
    as_of, start = dt.date(2026, 11, 29), dt.date(2027, 1, 1)
    per_case = []
    for case in cases:
        runs = []
        for _ in range(21):
            t = time.perf_counter()
            inputs = inputs_from_case(case, as_of)
            plan_options(inputs, policy, start=start, assessment=assess(inputs, policy))
            runs.append((time.perf_counter() - t) * 1000)
        per_case.append(statistics.median(runs))
    checker = Checker.from_settings(settings)
    make_plan(settings, case_id=cases[0].id, as_of=as_of, checker=checker, policy=policy)  # warm
    drafts = []
    for case in cases:
        t = time.perf_counter()
        make_plan(settings, case_id=case.id, as_of=as_of, checker=checker, policy=policy)
        drafts.append((time.perf_counter() - t) * 1000)
    return {
        "cases": len(cases),
        "options_median_ms": round(statistics.median(per_case), 3),
        "options_max_ms": round(max(per_case), 3),
        "with_draft_median_ms": round(statistics.median(drafts), 1),
    }


def phase_prep(data_dir: Path) -> dict:
    """Offline brief latency on the shipped pack (needs the index: run after `ingest`), and redaction throughput."""
    import datetime as dt

    from visitcoach.compliance import Checker
    from visitcoach.corpus.cases import all_cases
    from visitcoach.llm.redact import Redactor
    from visitcoach.prep import build_brief
    from visitcoach.retrieval.index import KnowledgeIndex

    settings = _settings(data_dir)
    checker, index = Checker.from_settings(settings), KnowledgeIndex(settings)
    cases = all_cases(settings.knowledge_dir)
    at = dt.datetime(2026, 11, 30, 9, 0)
    build_brief(settings, cases[0].id, as_of=at, checker=checker, index=index)  # warm
    times = []
    for case in cases:
        t = time.perf_counter()
        build_brief(settings, case.id, as_of=at, checker=checker, index=index)
        times.append((time.perf_counter() - t) * 1000)
    text = "\n".join(f"{c.borrower.name} {c.borrower.phone or ''} {c.borrower.email or ''} {c.notes}" for c in cases)
    redactors = [Redactor.for_people([c.borrower, c.guarantor, *c.household]) for c in cases]
    t = time.perf_counter()
    rounds = 5
    for _ in range(rounds):
        for r in redactors[:6]:
            r.redact(text)
    seconds = time.perf_counter() - t
    chars = len(text) * rounds * 6
    return {
        "cases": len(cases),
        "brief_median_ms": round(statistics.median(times), 1),
        "brief_max_ms": round(max(times), 1),
        "redaction_chars_per_s": round(chars / seconds),
        "redaction_text_chars": len(text),
    }


def phase_review(data_dir: Path, n: int = 2000) -> dict:
    """Review desk on SQLite: storing artifacts, drawing the queue, exporting and the statistics over
    `n` artifacts (a tenth with a violation); and the effectiveness report on the shipped cases."""
    import random

    from visitcoach.effectiveness import report
    from visitcoach.review.desk import ReviewDesk

    settings = _settings(data_dir)
    desk = ReviewDesk(f"sqlite:///{data_dir / 'bench-review.sqlite'}")
    rng = random.Random(5)
    store_ms = []
    for i in range(n):
        bad = rng.random() < 0.1
        findings = [{"rule_id": "THREAT-ARREST-001", "category": "threat_arrest", "severity": "violation",
                     "start": 0, "end": 6, "text": "police"}] if bad else []
        t = time.perf_counter()
        desk.record("check", f"agent-{i % 20}", f"script {i}", {"text": f"script {i}"}, content=f"script {i} " * 20,
                    findings=findings, jurisdiction=rng.choice(["CN", "US", "UK"]), lang="en")
        store_ms.append((time.perf_counter() - t) * 1000)
    timings = {}
    for name, fn in (("queue", lambda: desk.draw_queue("bench", seed=1)), ("export", desk.export_records),
                     ("stats", desk.stats), ("effectiveness", lambda: report(settings))):
        runs = []
        for _ in range(3):
            t = time.perf_counter()
            fn()
            runs.append((time.perf_counter() - t) * 1000)
        timings[f"{name}_median_ms"] = round(statistics.median(runs), 1)
    return {"artifacts": n, "store_median_ms": round(statistics.median(store_ms), 2), **timings}


def _noise(n: int, seed: int = 7) -> str:
    """Hostile input: digits, mixed scripts, emoji, brackets and look-alike placeholders, `n` characters."""
    rng = random.Random(seed)
    parts = ["13800138000", "4111 1111 1111 1111", "😀🙏🏽", "借款人张伟", "Mr Smith", "١٢٣٤", "１３８００１３８０００",
             "SW1A 1AA", "x@y.zz", " ", "，", "Ω≈ç√", "\u200b", "[PERSON_1]", "[", "】", "0" * 40, "路12号", "\n"]
    out: list[str] = []
    while sum(map(len, out)) < n:
        out.append(rng.choice(parts) if rng.random() < 0.6 else str(rng.randint(0, 10 ** rng.randint(1, 25))))
    return "".join(out)[:n]


def phase_redaction(data_dir: Path, rounds: int = 7) -> dict:
    """Redaction throughput, the redactor before #20 (`redact_baseline.py`) against today's, on the same
    text in the same process: agents' messages (the redaction eval's texts) and the case notes, each
    redacted by a fresh redactor of the case's people; medians of `rounds`. Then a 50,000-character
    hostile question (digits, mixed scripts, emoji): its redaction time, median of 5."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import redact_baseline

    from visitcoach.corpus.cases import all_cases
    from visitcoach.llm.redact import Redactor

    cases = all_cases(ROOT / "knowledge")
    messages = [json.loads(line)["text"] for line in (ROOT / "evals" / "datasets" / "redaction.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    notes = [f"{c.borrower.name} {c.borrower.phone or ''} {c.borrower.email or ''} {c.borrower.address or ''} {c.notes}" for c in cases]
    texts = messages + notes
    chars = sum(map(len, texts))
    people = [[c.borrower, c.guarantor, *c.household] for c in cases]
    Redactor().redact("借款人张伟 Mr Smith 13800138000")  # jieba's dictionary and the name lists load once

    def throughput(make) -> float:
        runs = []
        for _ in range(rounds):
            t = time.perf_counter()
            for n, text in enumerate(texts):
                make(people[n % len(people)]).redact(text)
            runs.append(time.perf_counter() - t)
        return chars / statistics.median(runs)

    before = throughput(redact_baseline.Redactor.for_people)
    after = throughput(Redactor.for_people)
    noise = _noise(50_000)
    times = []
    for _ in range(5):
        t = time.perf_counter()
        out = Redactor().redact(noise)
        times.append((time.perf_counter() - t) * 1000)
    assert "13800138000" not in out
    return {
        "texts": len(texts),
        "chars": chars,
        "before_chars_per_s": round(before),
        "after_chars_per_s": round(after),
        "after_over_before": round(after / before, 3),
        "message_median_ms": round(statistics.median([_time_one(Redactor().redact, t) for t in messages]), 3),
        "hostile_50k_median_ms": round(statistics.median(times), 1),
        "hostile_50k_max_ms": round(max(times), 1),
    }


def _time_one(fn, text: str) -> float:
    t = time.perf_counter()
    fn(text)
    return (time.perf_counter() - t) * 1000


PHASES = {
    "ingest": phase_ingest,
    "reingest": phase_reingest,
    "ask": phase_ask,
    "check": phase_check,
    "plan": phase_plan,
    "prep": phase_prep,
    "review": phase_review,
    "redaction": phase_redaction,
}


def run_phase(name: str, data_dir: Path, source_dir: Path | None) -> dict:
    cmd = [sys.executable, __file__, "--phase", name, "--data", str(data_dir)]
    if source_dir:
        cmd += ["--source", str(source_dir)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description="visitcoach benchmarks")
    parser.add_argument("--phase", choices=[*PHASES, "ask10k"])
    parser.add_argument("--data", type=Path)
    parser.add_argument("--source", type=Path)
    parser.add_argument("--skip-10k", action="store_true")
    parser.add_argument("--only", choices=[*PHASES, "ask10k"], help="run one phase and print its result")
    args = parser.parse_args()
    if args.phase:
        result = phase_ask10k(args.data, args.source) if args.phase == "ask10k" else PHASES[args.phase](args.data)
        result["peak_rss_mb"] = round(_peak_mb(), 1)
        print(json.dumps(result))
        return 0

    import logging

    logging.disable(logging.WARNING)
    if args.only:
        with tempfile.TemporaryDirectory() as tmp:
            print(json.dumps(run_phase(args.only, Path(tmp) / "d", None), indent=2))
        return 0
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        pack, big = Path(tmp) / "pack", Path(tmp) / "10k"
        print("running check ...", file=sys.stderr, flush=True)
        results["check"] = run_phase("check", Path(tmp) / "check", None)
        print("running plan ...", file=sys.stderr, flush=True)
        results["plan"] = run_phase("plan", Path(tmp) / "plan", None)
        print("running redaction ...", file=sys.stderr, flush=True)
        results["redaction"] = run_phase("redaction", Path(tmp) / "redaction", None)
        for name in ("ingest", "reingest", "ask", "prep"):
            print(f"running {name} ...", file=sys.stderr, flush=True)
            results[name] = run_phase(name, pack, None)
        if not args.skip_10k:
            print("running ask10k ...", file=sys.stderr, flush=True)
            results["ask10k"] = run_phase("ask10k", big, pack)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    i, r = results["ingest"], results["reingest"]
    print(
        f"ingest     {i['chunks']} chunks in {i['seconds']} s = {i['chunks_per_s']} chunks/s (peak {i['peak_rss_mb']} MB)"
    )
    print(
        f"reingest   unchanged: {r['in_process_s_median']} s in-process, {r['cli_s_median']} s as a CLI command (target <= 3 s)"
    )
    for key, target in (("ask", 300), ("ask10k", 600)):
        if key in results:
            x = results[key]
            print(
                f"{key:<10} {x['chunks']} chunks, {x['calls']} calls: p50 {x['p50_ms']} ms, p95 {x['p95_ms']} ms "
                f"(target p95 <= {target} ms); {x['p50_over_baseline']}x / {x['p95_over_baseline']}x one query "
                f"embedding ({x['baseline_embed_query_ms']} ms); peak {x['peak_rss_mb']} MB"
            )
    c = results["check"]
    print(
        f"check      300-word script median: {c['rules_only_median_ms']} ms rules only (target <= 5 ms), "
        f"{c['without_semantic_median_ms']} ms with the learned layer, {c['with_semantic_median_ms']} ms all layers; "
        f"texts up to {c['long_chars_max']} chars, all layers: median {c['long_with_semantic_median_ms']} ms, "
        f"p95 {c['long_with_semantic_p95_ms']} ms (targets <= 100 / 200 ms; rules only p95 {c['long_rules_only_p95_ms']} ms, "
        f"+learned p95 {c['long_without_semantic_p95_ms']} ms); "
        f"1,000-script batch {c['batch_1000_s']} s (target <= 60 s); peak {c['peak_rss_mb']} MB"
    )
    pr = results["prep"]
    print(
        f"prep       offline brief, {pr['cases']} shipped cases: median {pr['brief_median_ms']} ms (max {pr['brief_max_ms']} ms; "
        f"target <= 1000 ms); redaction {pr['redaction_chars_per_s']:,} chars/s"
    )
    pl = results["plan"]
    print(
        f"plan       options + schedules, {pl['cases']} shipped cases: median {pl['options_median_ms']} ms per case "
        f"(max {pl['options_max_ms']} ms; target <= 20 ms); with the checked draft {pl['with_draft_median_ms']} ms"
    )
    rd = results["redaction"]
    print(
        f"redaction  {rd['texts']} messages and case notes ({rd['chars']:,} chars): {rd['before_chars_per_s']:,} chars/s before #20 -> "
        f"{rd['after_chars_per_s']:,} chars/s now ({rd['after_over_before']}x); one message median {rd['message_median_ms']} ms; "
        f"50,000-char hostile question {rd['hostile_50k_median_ms']} ms (max {rd['hostile_50k_max_ms']} ms; target < 1000 ms)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
