"""Microsoft Presidio against visitcoach's own redactor, offline (#20): does the field's library do better?

    pip install presidio-analyzer        # not a project dependency; it brings spaCy
    python benchmarks/presidio_compare.py [--split dev|test] [--json]

Three maskers are scored on the redaction eval set with the suite's own metrics
(`visitcoach.evals.redaction`), and timed on the same texts:

- `visitcoach`: `Redactor().spans`, as the product runs it;
- `presidio+ours`: Presidio's `AnalyzerEngine` hosting visitcoach's recognisers (every pattern of
  `visitcoach.llm.pii` registered as a `PatternRecognizer` with its score, the validators and the name
  detector wrapped as `EntityRecognizer`s) behind a no-op NLP engine, so no spaCy model is downloaded;
- `presidio-builtin`: Presidio's own predefined recognisers (phone, e-mail, credit card, US SSN,
  UK NINO, IBAN, …) with the same no-op NLP engine: what Presidio gives without a language model.

Only the dev split is scored by default: it is the split a design decision may look at.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATASET = ROOT / "evals" / "datasets" / "redaction.jsonl"

#: Presidio's entity names -> the eval's types (for type agreement only; recall ignores kinds).
PRESIDIO_TYPES = {"PHONE_NUMBER": "PHONE", "EMAIL_ADDRESS": "EMAIL", "CREDIT_CARD": "CARD", "US_SSN": "SSN", "UK_NINO": "NINO",
                  "IBAN_CODE": "ACCOUNT", "US_BANK_NUMBER": "ACCOUNT", "PERSON": "PERSON", "LOCATION": "ADDRESS"}


def _noop_nlp_engine() -> Any:
    """An NLP engine that tokenises nothing and finds no entity: pattern recognisers need no model."""
    from presidio_analyzer.nlp_engine import NlpArtifacts, NlpEngine

    class NoOpNlpEngine(NlpEngine):
        def __init__(self) -> None:
            self._loaded = True

        def load(self) -> None:
            pass

        def is_loaded(self) -> bool:
            return True

        def process_text(self, text: str, language: str) -> NlpArtifacts:
            return NlpArtifacts(entities=[], tokens=[], tokens_indices=[], lemmas=[], nlp_engine=self, language=language)

        def process_batch(self, texts, language, batch_size=1, n_process=1, **kwargs):
            for text in texts:
                yield text, self.process_text(text, language)

        def is_stopword(self, word: str, language: str) -> bool:
            return False

        def is_punct(self, word: str, language: str) -> bool:
            return False

        def get_supported_entities(self) -> list[str]:
            return []

        def get_supported_languages(self) -> list[str]:
            return ["en", "zh"]

    return NoOpNlpEngine()


def presidio_with_ours() -> Any:
    """AnalyzerEngine hosting visitcoach's recognisers (patterns, validators, names)."""
    from presidio_analyzer import AnalyzerEngine, EntityRecognizer, RecognizerRegistry, RecognizerResult

    from visitcoach.llm import names, pii

    class OurPattern(EntityRecognizer):
        """One row of `pii.RECOGNISERS` (its regex, group, validator and gate) as a Presidio recogniser."""

        def __init__(self, row: pii.Recogniser, language: str) -> None:
            self.row = row
            super().__init__(supported_entities=[row.kind, "CARD", "ACCOUNT", "CN_ID"], name=f"{row.name}_{language}",
                             supported_language=language)

        def load(self) -> None:
            pass

        def analyze(self, text, entities, nlp_artifacts=None):
            return [RecognizerResult(s.kind, s.start, s.end, s.score) for s in pii.matches(self.row, text.translate(pii.FULLWIDTH))]

    class OurFunction(EntityRecognizer):
        def __init__(self, name: str, fn: Any, language: str) -> None:
            self.fn = fn
            super().__init__(supported_entities=["PERSON", "CARD", "ACCOUNT", "CN_ID"], name=f"{name}_{language}",
                             supported_language=language)

        def load(self) -> None:
            pass

        def analyze(self, text, entities, nlp_artifacts=None):
            return [RecognizerResult(s.kind, s.start, s.end, s.score) for s in self.fn(text)]

    registry = RecognizerRegistry(supported_languages=["en", "zh"])
    for language in ("en", "zh"):
        for row in pii.RECOGNISERS:
            registry.add_recognizer(OurPattern(row, language))
        registry.add_recognizer(OurFunction("digit_runs", lambda t: pii._digit_run_spans(t.translate(pii.FULLWIDTH)), language))
        registry.add_recognizer(OurFunction("names", names.find, language))
    return AnalyzerEngine(registry=registry, nlp_engine=_noop_nlp_engine(), supported_languages=["en", "zh"])


def presidio_builtin() -> Any:
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry

    registry = RecognizerRegistry(supported_languages=["en"])
    registry.load_predefined_recognizers(languages=["en"])
    return AnalyzerEngine(registry=registry, nlp_engine=_noop_nlp_engine(), supported_languages=["en"])


def maskers() -> dict[str, Any]:
    from visitcoach.evals import redaction

    ours = presidio_with_ours()
    builtin = presidio_builtin()

    def via(engine: Any, language: str | None) -> Any:
        def mask(text: str, lang: str = "en") -> list[redaction.Masked]:
            results = engine.analyze(text=text, language=language or lang)
            return [redaction.Masked(r.start, r.end, PRESIDIO_TYPES.get(r.entity_type, r.entity_type)) for r in results]

        return mask

    return {"visitcoach": redaction.redactor_masker(), "presidio+ours": via(ours, None), "presidio-builtin": via(builtin, "en")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=["dev", "test"], default="dev")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    try:
        import presidio_analyzer  # noqa: F401
    except ImportError:
        print("presidio-analyzer is not installed: pip install presidio-analyzer", file=sys.stderr)
        return 2
    import logging

    logging.disable(logging.WARNING)
    from visitcoach.evals import redaction

    cases = redaction.load_cases(DATASET, split=args.split)
    out: dict[str, Any] = {}
    for name, mask in maskers().items():
        call = (lambda m: lambda c: m(c.text, c.lang))(mask) if name.startswith("presidio") else (lambda m: lambda c: m(c.text))(mask)
        call(cases[0])  # warm
        runs = []
        for _ in range(3):
            t = time.perf_counter()
            scores = [redaction.score_row(c, call(c)) for c in cases]
            runs.append(time.perf_counter() - t)
        chars = sum(len(c.text) for c in cases)
        metrics = redaction.metrics(scores, "")
        out[name] = {"chars_per_s": round(chars / statistics.median(runs)), **{k: metrics[k] for k in sorted(metrics)}}
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    keys = ["chars_per_s", "recall.all", "recall.numbers", "recall.PERSON.zh", "recall.PERSON.en", "over_masking_rate", "precision"]
    print(f"{args.split} split, {len(cases)} rows")
    print(f"{'masker':<18}" + "".join(f"{k:>18}" for k in keys))
    for name, row in out.items():
        print(f"{name:<18}" + "".join(f"{row.get(k, 0):>18}" for k in keys))
    return 0


if __name__ == "__main__":
    sys.exit(main())
