"""The eval suite: every scorer on hand-made cases (Chinese and English), the runner on a tiny suite,
the --fail-under gate, and the baseline diff."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from visitcoach.errors import KnowledgeError
from visitcoach.evals import scorers as s
from visitcoach.evals.runner import diff_metrics, load_baseline, load_thresholds, run

from .conftest import ROOT, SHIPPED, make_settings

TINY = ROOT / "tests" / "fixtures" / "evals" / "datasets"


# -- text -----------------------------------------------------------------------------------------


def test_sentences_split_on_chinese_and_english_punctuation():
    text = "外访须两人同行。不得在22:00后上门！可以吗？[2]先核实身份；再说明来意\nWe leave when asked. Under 15 U.S.C. 1692c(a)(1) no calls before 8am. [1] Done?"
    assert s.split_sentences(text) == [
        "外访须两人同行。",
        "不得在22:00后上门！",
        "可以吗？[2]",
        "先核实身份；",
        "再说明来意",
        "We leave when asked.",
        "Under 15 U.S.C. 1692c(a)(1) no calls before 8am.[1]",
        "Done?",
    ]
    assert s.markers("可以吗？[2][3]") == [2, 3]


def test_tokens_understand_chinese_without_spaces_and_normalise_numbers():
    assert s.tokens("还款1,200.00元") == s.tokens("还款１２００元")  # full-width digits, separators, trailing zeros
    assert {"还款", "1200"} <= set(s.tokens("还款1,200.00元"))
    assert s.tokens("The agents visited") == s.tokens("the agent visits")  # stop words and plural/tense
    assert s.containment("两名催收人员", "每次外访须由至少两名催收人员共同进行") == 1.0
    assert s.containment("三名律师", "每次外访须由至少两名催收人员共同进行") == 0.0


# -- retrieval ------------------------------------------------------------------------------------


def test_retrieval_scorers_on_a_hand_ranked_list():
    ranked = [False, False, True, False, True]
    assert s.recall_at_k(ranked, 5).value == 1.0
    assert s.recall_at_k(ranked, 2).value == 0.0
    assert s.recall_at_k(ranked, 5, needed=3).value == pytest.approx(2 / 3)
    rr = s.reciprocal_rank(ranked)
    assert rr.value == pytest.approx(1 / 3) and "rank 3" in rr.reason
    assert s.reciprocal_rank([False] * 5).value == 0.0
    assert s.ndcg_at_k([True, False], 5).value == 1.0
    assert s.ndcg_at_k(ranked, 5).value == pytest.approx(0.5)  # 1/log2(4) over the ideal 1
    assert s.ndcg_at_k(ranked, 5, needed=2).value == pytest.approx((0.5 + 1 / 2.584962500721156) / (1 + 1 / 1.584962500721156))


# -- answers --------------------------------------------------------------------------------------

CHUNK_ZH = "每次外访须由至少两名催收人员共同进行，不得单人上门。在中国，外访只能在当地时间8:00至22:00之间进行。"
CHUNK_EN = "In the United States visits take place between 08:00 and 21:00 local time. Visit a workplace only with consent."


def test_a_chinese_fact_counts_wherever_jieba_cut_the_answer():
    answer = "即便是共同借款人或担保人，也至少等待 30 天再联系。[1]"  # jieba: "30 / 天再 / 联系"
    assert s.fact_present("30 天", answer) and s.key_fact_coverage(answer, ["30 天"]).value == 1.0
    assert not s.fact_present("60 天", answer)  # the number must match
    assert not s.fact_present("当日停止", answer)  # characters the answer does not hold
    assert not s.fact_present("cap", "affordability capacity")  # Latin words still match whole


def test_key_fact_coverage_zh_and_en_and_numbers_must_match():
    zh = "外访须由至少两名催收人员共同进行[1]。时间为8:00至22:00[1]。"
    assert s.key_fact_coverage(zh, ["至少两名催收人员", "8:00至22:00"]).value == 1.0
    half = s.key_fact_coverage(zh, ["至少两名催收人员", "须出示工作证"])
    assert half.value == 0.5 and "须出示工作证" in half.reason
    en = "Visits take place between 08:00 and 21:00 local time. [1]"
    assert s.key_fact_coverage(en, ["between 08:00 and 21:00"]).value == 1.0
    assert s.key_fact_coverage(en, ["between 08:00 and 20:00"]).value == 0.0  # a wrong figure is not covered
    assert s.key_fact_coverage(en, []).value is None


def test_citation_precision_needs_a_retrieved_chunk_that_contains_the_claim():
    answer = "每次外访须由至少两名催收人员共同进行。[1]美国的外访时间为8:00至21:00。[2]"
    cited = [{"chunk_id": "a", "text": CHUNK_ZH}, {"chunk_id": "b", "text": CHUNK_ZH}]
    got = s.citation_precision(answer, cited, ["a", "b"])
    assert got.value == 0.5 and "[2] does not contain" in got.reason
    not_retrieved = s.citation_precision(answer, cited, ["b"])
    assert "[1] not retrieved" in not_retrieved.reason and not_retrieved.value == 0.0
    en = "Visits take place between 08:00 and 21:00 local time. [1]"
    assert s.citation_precision(en, [{"chunk_id": "c", "text": CHUNK_EN}], {"c"}).value == 1.0
    assert s.citation_precision(en, [], {"c"}).value is None


def test_a_quoted_sentence_keeps_its_closing_quote_and_marker():
    chunk = "违规示例：「明天就起诉你，法院马上冻结你全部财产。」外访须由至少两名催收人员共同进行。"
    right = "违规示例：「明天就起诉你，法院马上冻结你全部财产。」[1]外访须由至少两名催收人员共同进行。[1]"
    assert s.split_sentences(right)[0].endswith("。」[1]")
    assert s.citation_precision(right, [{"chunk_id": "a", "text": chunk}], ["a"]).value == 1.0
    wrong = "违规示例：「明天就起诉你，法院马上冻结你全部财产。」[1]外访须由至少两名催收人员共同进行。[2]"
    got = s.citation_precision(wrong, [{"chunk_id": "a", "text": "外访须由至少两名催收人员共同进行。"}, {"chunk_id": "b", "text": chunk}], ["a", "b"])
    assert got.value == 0.5 and "[1] does not contain" in got.reason  # the quote is still checked against its own chunk
    en = 'Ask: "Does she still live here?" [1] "Quoted" openers stay put. [1]'
    assert s.split_sentences(en) == ['Ask: "Does she still live here?"[1]', '"Quoted" openers stay put.[1]']


def test_citation_recall_matches_parts_and_the_other_language_version():
    cited = [
        {"citation": "15 U.S.C. 1692c(a)(1)", "doc_id": "fdcpa"},
        {"citation": "外访管理制度 §4.2", "doc_id": "policy-field-visit-zh"},
    ]
    assert s.citation_recall(cited, ["15 U.S.C. 1692c"]).value == 1.0  # a part of the provision names it
    assert s.citation_recall(cited, ["Field Visit Policy §4.2"], ["policy-field-visit-en", "policy-field-visit-zh"]).value == 1.0
    miss = s.citation_recall([{"citation": "CONC 7.9.14 R", "doc_id": "conc"}], ["CONC 7.9.1"])
    assert miss.value == 0.0 and "missing" in miss.reason  # 7.9.14 is not a part of 7.9.1
    assert s.citation_recall(cited, [], ["fdcpa"]).value == 1.0
    assert s.citation_recall(cited, [], ["other"]).value == 0.0


def test_groundedness_lexical_zh_en_and_semantic_fallback():
    zh = s.groundedness("每次外访须由至少两名催收人员共同进行。[1]借款人可以拒绝任何还款计划。[1]", [CHUNK_ZH])
    assert zh.value == 0.5 and "借款人可以拒绝" in zh.reason
    assert s.groundedness("Visits take place between 08:00 and 21:00 local time. [1]", [CHUNK_EN]).value == 1.0
    # The marker decides which chunk must support the sentence.
    assert s.groundedness("Visits take place between 08:00 and 21:00. [2]", [CHUNK_EN, CHUNK_ZH]).value == 0.0
    calls = []

    def similarity(a: str, b: str) -> float:
        calls.append(a)
        return 0.95 if "paraphrase" in a else 0.1

    got = s.groundedness("A paraphrase no word supports. [1] Visits take place between 08:00 and 21:00. [1]", [CHUNK_EN],
                         similarity=similarity)
    assert got.value == 1.0
    assert calls == ["A paraphrase no word supports."]  # embeddings only for sentences the words do not support
    assert s.groundedness("", [CHUNK_EN]).value is None


def test_groundedness_from_judge_verdicts_is_computed_in_python():
    reply = 'Sure: {"verdicts": [{"sentence": 1, "supported": true}, {"sentence": 2, "supported": false}, {"sentence": 9, "supported": true}]}'
    verdicts = s.parse_judge_verdicts(reply, 3)
    assert verdicts == [True, False, None]
    got = s.groundedness_from_verdicts(verdicts)
    assert got.value == pytest.approx(1 / 3) and "1 not judged" in got.reason
    assert s.parse_judge_verdicts("not json", 2) == [None, None]


def test_refusal_scores_both_ways():
    assert s.refusal(answered=False, answerable=False).value == 1.0
    assert s.refusal(answered=True, answerable=False).value == 0.0
    assert s.refusal(answered=False, answerable=True).value == 0.0
    assert s.refusal(answered=True, answerable=True).value == 1.0


# -- compliance, plans, prep, rehearsal -------------------------------------------------------------


def test_compliance_metrics_per_category_and_false_positive_rate():
    pairs = [
        ({"threat_arrest"}, {"threat_arrest"}),
        ({"threat_arrest"}, set()),
        (set(), {"abusive_language"}),
        (set(), set()),
        ({"visit_time"}, {"visit_time", "abusive_language"}),
    ]
    m = s.compliance_metrics(pairs, ["threat_arrest", "abusive_language", "visit_time", "impersonation"])
    assert m["per_category"]["threat_arrest"]["recall"] == 0.5
    assert m["per_category"]["threat_arrest"]["precision"] == 1.0
    assert m["per_category"]["abusive_language"]["precision"] == 0.0
    assert m["per_category"]["impersonation"]["f1"] == 1.0  # nothing to find, nothing wrongly found
    assert m["micro"]["tp"] == 2 and m["micro"]["fp"] == 2 and m["micro"]["fn"] == 1
    assert m["false_positive_rate"].value == 0.5
    assert s.category_match(["threat_arrest"], ["threat_arrest", "abusive_language"]).reason == "wrongly flagged ['abusive_language']"


def test_plan_prep_and_rehearsal_scorers():
    expected = {"segment": "able_willing", "options": ["catch_up"], "catch_up": {"months": 5, "total_paid": "100.00"}}
    got = {"segment": "able_willing", "options": ["catch_up"], "catch_up": {"months": 5, "total_paid": "99.00"}}
    assert s.plan_validity(expected, got).value == 1.0
    acc = s.figure_accuracy(expected, got)
    assert acc.value == 0.5 and "catch_up.total_paid" in acc.reason
    assert s.plan_validity(expected, {**got, "options": ["settlement"]}).value == 0.0
    assert s.go_no_go(False, True).reason == "go, expected no-go"
    card = {"passed": False, "total": 0.35}
    assert s.rehearsal_agreement(False, (0.0, 0.4), ["complaint"], card, "complaint").value == 1.0
    off = s.rehearsal_agreement(False, (0.0, 0.3), ["complaint"], card, "agreement")
    assert off.value == 0.0 and "outside" in off.reason and "ended by agreement" in off.reason


# -- runner ---------------------------------------------------------------------------------------


def test_thresholds_file_errors_name_the_key(tmp_path):
    bad = tmp_path / "t.yaml"
    bad.write_text("min:\n  plans.exact: high\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"t\.yaml.*min\.plans\.exact: limit must be a number"):
        load_thresholds(bad)
    bad.write_text("minimum: {}\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="only the sections"):
        load_thresholds(bad)


def test_diff_marks_regressions_by_direction():
    diff = {d["metric"]: d for d in diff_metrics(
        {"ask.groundedness": 0.8, "compliance.all_layers.test.false_positive_rate": 0.1, "plans.exact": 1.0},
        {"ask.groundedness": 0.9, "compliance.all_layers.test.false_positive_rate": 0.05, "plans.exact": 0.9},
    )}
    assert diff["ask.groundedness"]["regression"]
    assert diff["compliance.all_layers.test.false_positive_rate"]["regression"]  # a rate that rose
    assert diff["plans.exact"]["improvement"] and not diff["plans.exact"]["regression"]


@pytest.fixture()
def tiny_run(tmp_path, index):
    from visitcoach.compliance.checker import Checker

    settings = make_settings(tmp_path / "data", SHIPPED)
    checker = Checker.from_settings(settings, semantic=False)
    return run(
        settings, datasets_dir=TINY, root=ROOT, reports_dir=tmp_path / "reports", index=index, checker=checker,
        suites=["retrieval", "ask", "compliance", "plans", "rehearsal"],
    )


def test_runner_on_a_tiny_suite_writes_results_summary_and_html(tiny_run):
    directory = tiny_run.directory
    assert directory is not None and directory.parent.name == "reports"
    rows = [json.loads(line) for line in (directory / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    expected_rows = {"retrieval": 3, "ask": 4, "compliance": 4, "plans": 2, "rehearsal": 2}
    assert {k: sum(r["suite"] == k for r in rows) for k in expected_rows} == expected_rows
    for row in rows:
        assert set(row) == {"suite", "id", "lang", "jurisdiction", "tags", "input", "output", "scores"}
        assert row["scores"] and all("value" in v and "reason" in v for v in row["scores"].values())
    summary = json.loads((directory / "summary.json").read_text(encoding="utf-8"))
    metrics = summary["metrics"]
    for name in ("retrieval.hybrid.recall@5", "retrieval.dense_langchain.mrr", "retrieval.bm25.ndcg@5",
                 "ask.key_fact_coverage", "ask.citation_precision", "ask.groundedness", "ask.refusal_accuracy",
                 "compliance.all_layers.test.micro_f1", "compliance.phrase_only.dev.false_positive_rate",
                 "plans.exact", "rehearsal.agreement"):
        assert name in metrics, name
    assert metrics["plans.exact"] == 0.5  # the fixture's deliberately wrong row is caught
    assert metrics["ask.refusal_accuracy"] == 1.0  # a cake recipe and hiking are not in the knowledge base
    assert metrics["retrieval.hybrid.recall@5"] == 1.0
    # The dense-only baseline really goes through LangChain's Chroma search: it ranks the same chunks as the index's own dense search.
    ask_rows = {r["id"]: r for r in rows if r["suite"] == "ask"}
    assert ask_rows["t-ask-02"]["output"]["covered"] and ask_rows["t-ask-02"]["scores"]["key_fact_coverage"]["value"] == 1.0
    assert set(summary["breakdowns"]["by_lang"]["ask"]["refusal"]) == {"en", "zh"}
    assert any(w["id"] == "t-plan-wrong-figure" for w in summary["worst"])
    html = (directory / "report.html").read_text(encoding="utf-8")
    assert "<svg" in html and "<style>" in html and "t-plan-wrong-figure" in html and "Per language" in html
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html)  # self-contained
    assert "<script" not in html


def test_dense_baseline_matches_the_index_dense_search(index):
    from visitcoach.config import Settings
    from visitcoach.evals.suites import EvalContext, _dense_langchain

    ctx = EvalContext(Settings(), TINY, ROOT, injected_index=index)
    question = "What hours may a field visit take place in the United States?"
    via_langchain = [h["chunk_id"] for h in _dense_langchain(ctx)(question, 5)]
    via_index = [h.chunk_id for h in index.search(question, 30, method="dense").hits]
    assert via_langchain and via_langchain[0] == via_index[0]


def _evals_dir(tmp_path: Path, limit: float | None) -> Path:
    evals = tmp_path / "evals"
    (evals / "datasets").mkdir(parents=True)
    shutil.copy(TINY / "plans.jsonl", evals / "datasets" / "plans.jsonl")
    if limit is not None:
        (evals / "thresholds.yaml").write_text(yaml.safe_dump({"min": {"plans.exact": limit}}), encoding="utf-8")
    return evals


def _eval_cli(monkeypatch, evals: Path, *args: str):
    from visitcoach.cli import app
    from visitcoach.config import reset_settings

    monkeypatch.setenv("VISITCOACH_EVALS_DIR", str(evals))
    reset_settings()  # the CLI reads settings once per process
    monkeypatch.setenv("VISITCOACH_KNOWLEDGE_DIR", str(SHIPPED))
    return CliRunner().invoke(app, ["eval", "--suite", "plans", *args])


def test_gate_passes_at_the_measured_value_and_fails_above_it(tmp_path, monkeypatch):
    at = _eval_cli(monkeypatch, _evals_dir(tmp_path / "at", 0.5), "--fail-under", "--json")
    assert at.exit_code == 0, at.output
    out = json.loads(at.stdout)
    assert out["metrics"]["plans.exact"] == 0.5 and out["passed"]
    above = _eval_cli(monkeypatch, _evals_dir(tmp_path / "above", 0.51), "--fail-under")
    assert above.exit_code == 1
    assert "below threshold: plans.exact = 0.5000 (min 0.51)" in above.stderr
    # Without --fail-under the same miss is reported but does not fail the command.
    assert _eval_cli(monkeypatch, _evals_dir(tmp_path / "report-only", 0.51)).exit_code == 0


def test_baseline_diff_marks_a_regression(tmp_path, monkeypatch):
    evals = _evals_dir(tmp_path, None)
    first = _eval_cli(monkeypatch, evals, "--json")
    report = Path(json.loads(first.stdout)["report"])
    baseline = load_baseline(report)  # a report directory works as well as its summary.json
    baseline["metrics"]["plans.exact"] = 1.0  # a better past: today's 0.5 is a regression
    baseline["metrics"]["plans.validity"] = 0.0  # and a worse past: an improvement
    (tmp_path / "base.json").write_text(json.dumps(baseline), encoding="utf-8")
    second = _eval_cli(monkeypatch, evals, "--baseline", str(tmp_path / "base.json"), "--json")
    assert second.exit_code == 0, second.output
    diff = json.loads(second.stdout)["baseline"]
    assert diff["regressions"] == ["plans.exact"]
    html = (Path(json.loads(second.stdout)["report"]) / "report.html").read_text(encoding="utf-8")
    assert re.search(r'<tr class="regression"><td>plans\.exact</td>', html)
    assert re.search(r'<tr class="improvement"><td>plans\.validity</td>', html)
    missing = _eval_cli(monkeypatch, evals, "--baseline", str(tmp_path / "nope.json"))
    assert missing.exit_code == 1 and "--baseline" in missing.stderr


@pytest.mark.server
def test_llm_judge_groundedness_over_a_real_openai_compatible_server(tmp_path):
    from visitcoach.evals.suites import judge_groundedness

    from .openai_stub import OpenAIStub

    answer = "每次外访须由至少两名催收人员共同进行。[1]借款人可以拒绝任何还款计划。[1]"
    with OpenAIStub() as server:
        server.replies.append('{"verdicts": [{"sentence": 1, "supported": true, "source": 1, "reason": "原文"},'
                              ' {"sentence": 2, "supported": false, "source": null, "reason": "资料未提及"}]}')
        settings = make_settings(tmp_path / "data", llm="openai", openai_base_url=server.base_url, llm_backoff=0)
        got = judge_groundedness(settings, "zh", answer, [CHUNK_ZH])
        sent = server.bodies()
    assert got.value == 0.5 and "judge: 1/2" in got.reason
    assert "1. 每次外访须由至少两名催收人员共同进行。" in sent and "2. 借款人可以拒绝任何还款计划。" in sent
    assert CHUNK_ZH[:20] in sent  # the cited chunk is the judge's source


def test_eval_help_names_every_suite():
    from visitcoach.cli import app
    from visitcoach.evals.suites import SUITES

    result = CliRunner().invoke(app, ["eval", "--help"], env={"COLUMNS": "240", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    missing = [name for name in SUITES if not re.search(rf"\b{name}\b", result.output)]
    assert not missing, f"`visitcoach eval --help` does not name {missing}"
