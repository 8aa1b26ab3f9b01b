"""The learned checker layer: shipped weights, bad weights, training files, negation, and reviewers teaching it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import numpy as np
import pytest

from visitcoach.compliance.checker import Checker
from visitcoach.compliance.context import VisitContext
from visitcoach.compliance.learned import (
    TEXT_CATEGORIES,
    LearnedModel,
    LearnedModelError,
    features,
    load_for_rules,
    model_path,
)
from visitcoach.compliance.rules import load_rules
from visitcoach.compliance.train import Sources, read_training_file, train
from visitcoach.errors import KnowledgeError

from .conftest import ROOT, make_settings

RULES_DIR = ROOT / "knowledge" / "rules"
RULES = load_rules(RULES_DIR)


@pytest.fixture(scope="module")
def shipped() -> Checker:
    return Checker(RULES, learned=load_for_rules(RULES_DIR))


def test_the_shipped_weights_load_small_and_cover_the_text_categories():
    path = model_path(RULES_DIR)
    assert path.stat().st_size <= 20 * 1024 * 1024
    model = LearnedModel.load(path)
    assert model.categories == list(TEXT_CATEGORIES)
    assert set(model.thresholds) == {"zh", "en"}
    assert model.meta["seed"] == 17 and model.meta["rows"]
    # The zh vector head of abusive_language (multilingual-e5-small); English was tried and dropped (data card).
    assert model.vector is not None and model.vector.model_id == "local:multilingual-e5-small-q4"
    assert set(model.vector.thresholds["zh"]) == {"abusive_language"} and not model.vector.thresholds["en"]


@pytest.mark.parametrize(
    ("text", "jurisdiction"),
    [
        ("你真恶心，欠钱不还还有脸出门？", "CN"),
        ("You're a hoe, pay up.", "US"),
    ],
)
def test_the_learned_layer_finds_insults_the_rules_missed(shipped, text, jurisdiction):
    ctx = VisitContext(jurisdiction=jurisdiction)
    assert "abusive_language" not in shipped.check(text, ctx, learned=False).categories()
    report = shipped.check(text, ctx)
    learned = [f for f in report.findings if f.layer == "learned"]
    assert learned and learned[0].category == "abusive_language"
    f = learned[0]
    assert f.citation and f.suggestion and f.rule_id and f.score is not None
    assert text[f.start : f.end] == f.text


def test_a_learned_finding_keeps_the_check_json_contract(shipped):
    out = shipped.check("你真恶心，欠钱不还还有脸出门？", VisitContext(jurisdiction="CN")).as_dict()
    assert set(out) == {"verdict", "findings"}
    for f in out["findings"]:
        assert {"rule_id", "category", "severity", "start", "end", "text", "citation", "explanation", "suggestion"} <= set(f)


def _spiked(text: str, category: str) -> LearnedModel:
    """A model that scores sentences like `text` high for `category` only (for deterministic layer tests)."""
    x = features([text])
    coef = np.zeros((x.shape[1], len(TEXT_CATEGORIES)), dtype=np.float32)
    j = TEXT_CATEGORIES.index(category)
    coef[x.indices, j] = x.data * 40.0
    intercept = np.full(len(TEXT_CATEGORIES), -20.0, dtype=np.float32)
    thresholds = {lang: dict.fromkeys(TEXT_CATEGORIES, 0.5) for lang in ("zh", "en")}
    return LearnedModel(list(TEXT_CATEGORIES), coef, intercept, thresholds)


def test_a_negation_the_phrase_layer_understands_suppresses_a_learned_hit_of_its_category():
    model = _spiked("我们不会告诉你单位领导", "third_party_disclosure")
    checker = Checker(RULES, learned=model)
    ctx = VisitContext(jurisdiction="CN")
    denied = checker.check("我们不会告诉你单位领导。", ctx)
    assert not [f for f in denied.findings if f.category == "third_party_disclosure"]
    # The model itself is sure of the sentence: it is the negation that held it back.
    assert model.scores(["我们不会告诉你单位领导。"])[0, TEXT_CATEGORIES.index("third_party_disclosure")] > 0.99


def test_a_learned_hit_inside_a_quotation_is_info():
    model = _spiked("pay now you worthless piece", "abusive_language")
    checker = Checker(RULES, learned=model)
    report = checker.check('Trainer note: never say "pay now you worthless piece" to anyone.', VisitContext(jurisdiction="US"))
    learned = [f for f in report.findings if f.layer == "learned"]
    assert learned and all(f.severity == "info" for f in learned)


def _pack_with_weights(tmp_path, content: bytes | None):
    knowledge = tmp_path / "knowledge"
    shutil.copytree(RULES_DIR, knowledge / "rules", ignore=shutil.ignore_patterns("data", "model.npz"))
    if content is not None:
        (knowledge / "rules" / "learned" / "model.npz").write_bytes(content)
    return knowledge


@pytest.mark.parametrize("content", [None, b"not a zip file", b"PK\x03\x04garbage"])
def test_missing_or_corrupt_weights_name_the_file_and_the_rebuild_command(tmp_path, content):
    knowledge = _pack_with_weights(tmp_path, content)
    settings = make_settings(tmp_path / "data", knowledge)
    with pytest.raises(LearnedModelError) as err:
        Checker.from_settings(settings, semantic=False)
    message = str(err.value)
    assert "model.npz" in message and "make train-checker" in message and "--no-learned" in message
    checker = Checker.from_settings(settings, semantic=False, learned=False)
    assert checker.check("We will have you arrested.", VisitContext(jurisdiction="US")).verdict == "fail"


def test_cli_check_with_corrupt_weights_is_one_line_and_no_learned_still_works(tmp_path):
    knowledge = _pack_with_weights(tmp_path, b"corrupt")
    script = tmp_path / "s.txt"
    script.write_text("We will have you arrested.", encoding="utf-8")
    env = {"VISITCOACH_KNOWLEDGE_DIR": str(knowledge), "VISITCOACH_DATA_DIR": str(tmp_path / "data"),
           "VISITCOACH_PROMPTS_DIR": str(ROOT / "prompts"), "PATH": "/usr/bin:/bin"}
    base = [sys.executable, "-m", "visitcoach", "check", str(script), "--json", "--no-semantic"]
    bad = subprocess.run(base, capture_output=True, text=True, env=env, timeout=300)
    assert bad.returncode != 0
    lines = [line for line in bad.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "model.npz" in lines[0] and "make train-checker" in lines[0]
    ok = subprocess.run([*base, "--no-learned"], capture_output=True, text=True, env=env, timeout=300)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["verdict"] == "fail"


def test_a_malformed_training_file_names_its_row(tmp_path):
    path = tmp_path / "extra.jsonl"
    path.write_text(
        '{"id": "a", "text": "fine", "categories": []}\n{"id": "b", "text": "x", "categories": ["not_a_category"]}\n',
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeError, match=r"extra\.jsonl:2"):
        read_training_file(path, "review")
    path.write_text('{"id": "a", "text": "fine"}\n{not json\n', encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"extra\.jsonl:2: not JSON"):
        read_training_file(path, "review")


def test_reviewers_teach_it_mark_export_retrain_and_the_missed_phrase_is_found(tmp_path):
    """End to end: a reviewer adds a category the checker missed; the export retrains a tiny model that finds it."""
    from typer.testing import CliRunner

    from visitcoach.cli import app
    from visitcoach.review import ReviewDesk

    phrase = "Cough up the cash, you gutter rat."
    ctx = VisitContext(jurisdiction="US")
    assert "abusive_language" not in Checker(RULES).check(phrase, ctx).categories()
    data_dir = tmp_path / "data"
    settings = make_settings(data_dir)
    desk = ReviewDesk.from_settings(settings)
    payload = {"text": phrase, "context": {"jurisdiction": "US"}, "verdict": "pass", "findings": []}
    artifact_id = desk.record("check", "agent-7", "pass: 0 finding(s)", payload)
    desk.mark(artifact_id, "rev-ann", "flag", added=["abusive_language"], note="an insult")

    out = tmp_path / "reviews.jsonl"
    env = {"VISITCOACH_DATA_DIR": str(data_dir)}
    result = CliRunner().invoke(app, ["review", "export-training", "--out", str(out), "--json"], env=env)
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 1
    row = rows[0]
    assert row["artifact_id"] == artifact_id and row["reviewer"] == "rev-ann"
    assert row["categories"] == ["abusive_language"] and row["labelled"] == "listed"

    tiny = tmp_path / "tiny"
    tiny.mkdir()
    (tiny / "base.jsonl").write_text(
        "\n".join(json.dumps({"id": f"n{i}", "text": t, "categories": []}) for i, t in enumerate(
            ["Good morning, I am calling about your account.", "Can we agree a plan you can afford?",
             "Thank you for your time today.", "We can pause interest for three months."])) + "\n",
        encoding="utf-8",
    )
    before = train(Sources(RULES_DIR, None, tiny, []), tmp_path / "before.npz", folds=1)
    model = train(Sources(RULES_DIR, None, tiny, [out]), tmp_path / "model.npz", folds=1)
    assert model.meta["reviewer_rows"] == {"abusive_language": 1} and not before.meta["reviewer_rows"]

    def learned_categories(m: LearnedModel) -> set[str]:
        return {f.category for f in Checker(RULES, learned=m).check(phrase, ctx).findings if f.layer == "learned"}

    assert "abusive_language" not in learned_categories(before)
    assert "abusive_language" in learned_categories(LearnedModel.load(tmp_path / "model.npz"))


class _CountingEmbedder:
    """Stands in for e5: counts the sentences it is asked to embed (every vector the same)."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        self.seen += texts
        v = np.zeros((len(texts), 384), dtype=np.float32)
        v[:, 0] = 1.0
        return v


def test_the_semantic_layer_embeds_only_its_budget_of_sentences_ranked_by_the_learned_layer(tmp_path, monkeypatch):
    from visitcoach.compliance import checker as checker_module

    monkeypatch.setattr(checker_module, "SEMANTIC_MAX_SENTENCES", 2)
    model = load_for_rules(RULES_DIR)
    embedder = _CountingEmbedder()
    ck = Checker(RULES, embedder, tmp_path, learned=model)
    ck._exemplars()  # exemplar vectors are embedded once, before the count starts
    embedder.seen.clear()
    filler = "We will visit your office and tell your manager about it today."
    risky = "You stupid bitch, we will post your photo in the lobby for your neighbours."
    text = " ".join([filler.replace("today", f"on day {i}") for i in range(8)] + [risky])
    ck.check(text, VisitContext(jurisdiction="US"), learned=False)
    assert len(embedder.seen) == 2  # of 9 candidate sentences (each shares a cue word with some exemplar)
    assert risky in embedder.seen  # the sentence the learned layer scores highest is among those embedded
    embedder.seen.clear()
    ck._sentence_cache.clear()
    ck.check(risky, VisitContext(jurisdiction="US"), learned=False)
    assert embedder.seen == [risky]


# -- the vector head (multilingual-e5-small sentence vectors stacked on the n-gram score) ----------


class _NamedEmbedder(_CountingEmbedder):
    """A stand-in embedder with a model id; each text's vector is fixed by its characters."""

    def __init__(self, name: str = "local:multilingual-e5-small-q4") -> None:
        super().__init__()
        self.name = name

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        import zlib

        self.seen += texts
        out = np.vstack([np.random.default_rng(zlib.crc32(t.encode())).normal(size=384) for t in texts]) if texts \
            else np.zeros((0, 384))
        return (out / np.linalg.norm(out, axis=1, keepdims=True)).astype(np.float32)


def _with_head(model: LearnedModel, low: float = 0.0, stack: tuple[float, float, float] = (0.0, 0.0, 5.0),
               threshold: float = 0.5) -> LearnedModel:
    """A copy of `model` whose abusive_language vector head ignores the n-gram score (stack a=0, b=0, c)."""
    from visitcoach.compliance.learned import VectorHead

    cats = model.categories
    head = VectorHead("local:multilingual-e5-small-q4", np.zeros((384, len(cats)), dtype=np.float32),
                      np.zeros(len(cats), dtype=np.float32), {"abusive_language": {"en": low, "zh": low}},
                      {"abusive_language": {"en": list(stack), "zh": list(stack)}},
                      {"en": {"abusive_language": threshold}, "zh": {"abusive_language": threshold}})
    return LearnedModel(cats, model.coef, model.intercept, model.thresholds, model.n_features, model.ngrams,
                        model.meta, None, head)


def test_a_vector_head_survives_save_and_load(tmp_path):
    model = _with_head(load_for_rules(RULES_DIR) or pytest.fail("no shipped model"), low=0.25, stack=(1.0, 0.5, -1.0))
    model.save(tmp_path / "m.npz")
    again = LearnedModel.load(tmp_path / "m.npz")
    assert again.vector is not None
    assert again.vector.band == {"abusive_language": {"en": 0.25, "zh": 0.25}}
    assert again.vector.stack["abusive_language"]["en"] == [1.0, 0.5, -1.0]
    assert again.threshold("abusive_language", "en", vectors=True) == 0.5
    assert again.threshold("abusive_language", "en") == model.thresholds["en"]["abusive_language"]


def test_the_vector_head_is_used_only_with_its_own_embedder_and_within_its_budget(tmp_path):
    """The stacked score decides the sentences in the band; at most VECTOR_MAX_NEW are embedded anew, a
    sentence the semantic layer already embedded is reused, and another embedder (or none) leaves the n-gram score."""
    from visitcoach.compliance.learned import VECTOR_MAX_NEW

    base = load_for_rules(RULES_DIR)
    assert base is not None
    model = _with_head(base)  # in band (low 0): stacked logit 5 -> 0.993 >= 0.5, every sentence fires
    ctx = VisitContext(jurisdiction="US")
    sentences = [f"Thank you for meeting me on day {i}." for i in range(6)]
    text = " ".join(sentences)

    def learned_hits(ck: Checker) -> int:
        report = ck.check(text, ctx, semantic=False)
        return len([f for f in report.findings if f.layer == "learned" and f.category == "abusive_language"])

    assert learned_hits(Checker(RULES, learned=model)) == 0  # no embedder: the n-gram score and threshold stand
    other = _NamedEmbedder("openai:text-embedding-3-small")
    assert learned_hits(Checker(RULES, other, tmp_path, learned=model)) == 0 and not other.seen
    own = _NamedEmbedder()
    ck = Checker(RULES, own, tmp_path, learned=model)
    assert learned_hits(ck) >= 1
    assert len(own.seen) == VECTOR_MAX_NEW
    # Vectors already computed for a sentence (the semantic layer's cache) are reused, not recomputed:
    # the next check embeds only new ones.
    first = list(own.seen)
    own.seen.clear()
    ck.check(text, ctx, semantic=False)
    assert len(own.seen) == VECTOR_MAX_NEW and set(own.seen).isdisjoint(first)
    # Out of the band (low 1.0 > any n-gram score) nothing is embedded and nothing changes.
    high = _NamedEmbedder()
    assert learned_hits(Checker(RULES, high, tmp_path, learned=_with_head(base, low=1.0))) == 0 and not high.seen


def test_training_a_vector_head_caches_vectors_and_rebuilds_identically_without_the_cache(tmp_path):
    tiny = tmp_path / "tiny"
    tiny.mkdir()
    rows = [("You are a worthless idiot.", ["abusive_language"]), ("Shut up, you filthy pig.", ["abusive_language"]),
            ("你这个废物，滚。", ["abusive_language"]), ("你真是个蠢货。", ["abusive_language"]),
            ("Good morning, I am calling about your account.", []), ("Can we agree a plan you can afford?", []),
            ("我们可以商量一个还款计划。", []), ("谢谢您今天抽时间。", [])] * 3
    (tiny / "base.jsonl").write_text("\n".join(json.dumps({"id": f"r{i}", "text": f"{t} ({i})", "categories": c})
                                               for i, (t, c) in enumerate(rows)) + "\n", encoding="utf-8")
    rules = tmp_path / "rules"  # one rule file keeps it quick (every rule's examples would be 2,345 rows more)
    rules.mkdir()
    shutil.copy(RULES_DIR / "abusive_language.yaml", rules)
    cache = tmp_path / "cache" / "vectors.npz"
    first = _NamedEmbedder()
    a = train(Sources(rules, None, tiny, []), tmp_path / "a.npz", embedder=first, cache=cache)
    assert cache.is_file() and first.seen
    again = _NamedEmbedder()
    train(Sources(rules, None, tiny, []), tmp_path / "b.npz", embedder=again, cache=cache)
    assert not again.seen  # every vector came from the cache
    fresh = _NamedEmbedder()
    c = train(Sources(rules, None, tiny, []), tmp_path / "c.npz", embedder=fresh, cache=None)
    assert fresh.seen
    b, c = LearnedModel.load(tmp_path / "b.npz"), LearnedModel.load(tmp_path / "c.npz")
    assert a.vector is not None and b.vector is not None and c.vector is not None
    assert np.array_equal(b.vector.coef, c.vector.coef) and b.vector.thresholds == c.vector.thresholds
    assert b.vector.stack == c.vector.stack and np.array_equal(b.coef, c.coef)


def test_with_the_semantic_layer_the_vector_head_shares_its_budget_of_new_embeddings(tmp_path):
    """Both layers together embed at most SEMANTIC_MAX_SENTENCES / VECTOR_MAX_NEW new sentences a check:
    the semantic layer picks the vector head's sentences first, and the head reuses them."""
    from visitcoach.compliance.checker import SEMANTIC_MAX_SENTENCES
    from visitcoach.compliance.learned import VECTOR_MAX_NEW

    base = load_for_rules(RULES_DIR)
    assert base is not None
    embedder = _NamedEmbedder()
    ck = Checker(RULES, embedder, tmp_path, learned=_with_head(base))
    ck._exemplars()
    embedder.seen.clear()
    filler = "We will visit your office and tell your manager about it today."
    text = " ".join(filler.replace("today", f"on day {i}") for i in range(8))
    ck.check(text, VisitContext(jurisdiction="US"))
    assert 0 < len(embedder.seen) <= max(SEMANTIC_MAX_SENTENCES, VECTOR_MAX_NEW)
