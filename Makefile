# visitcoach — the two commands: `make run` and `make test`. Both install what they need.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test install vectors train-checker screenshots browser-deps bench lint eval eval-suite-bench eval-retrieval eval-compliance eval-plans eval-prep eval-rehearsal bench-load clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(STAMP)

## Serve the app on http://127.0.0.1:7860 (offline unless an LLM is configured).
run: $(STAMP)
	$(VENV)/bin/visitcoach ingest
	$(VENV)/bin/visitcoach serve

## Run the whole test suite (installs test extras and, when absent, Debian's chromium, CJK fonts and postgresql).
test: $(TEST_STAMP) browser-deps
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
		{ command -v apt-get >/dev/null 2>&1 && (apt-get update -qq && apt-get install -y -qq postgresql >/dev/null) || \
		  echo "note: postgresql not installed; the PostgreSQL review tests will be skipped"; }
	$(VENV)/bin/ruff check src tests benchmarks scripts app.py
	$(PY) -m pytest -q

## Chromium for the browser tests and CJK fonts for Chinese screens (Debian packages, when absent).
browser-deps:
	@command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || \
		{ command -v apt-get >/dev/null 2>&1 && (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) || \
		  echo "note: chromium not installed; browser tests will be skipped"; }
	@{ command -v fc-list >/dev/null 2>&1 && fc-list :lang=zh | grep -q .; } || \
		{ command -v apt-get >/dev/null 2>&1 && (apt-get install -y -qq fonts-noto-cjk >/dev/null 2>&1 || \
		  (apt-get update -qq && apt-get install -y -qq fonts-noto-cjk >/dev/null)) || \
		  echo "note: fonts-noto-cjk not installed; Chinese text in screenshots shows as boxes"; }

## README screenshots: the browser tests walk every tab in English and Chinese (docs/screenshots/).
screenshots: $(TEST_STAMP) browser-deps
	$(PY) scripts/screenshots.py

## The shipped passage vectors (a first start skips embedding the shipped pack); run after editing knowledge/.
vectors: $(STAMP)
	$(PY) scripts/ship_vectors.py

## Rebuild the learned checker layer's weights (knowledge/rules/learned/model.npz) from its training data,
## reproducibly (fixed seeds). Reviewer exports in knowledge/rules/learned/reviews/*.jsonl are included, and any
## EXTRA=file.jsonl (from `visitcoach review export-training --out FILE.jsonl`). ~5 min on 2 cores.
REVIEWS := $(wildcard knowledge/rules/learned/reviews/*.jsonl)
train-checker: $(STAMP)
	$(PY) -m visitcoach.compliance.train $(REVIEWS) $(EXTRA)

## Speed and memory benchmarks (medians; see benchmarks/README.md).
bench: $(STAMP)
	$(PY) benchmarks/run.py

## The eval suite (offline): every dataset scored, report in evals/reports/<timestamp>/, gate on evals/thresholds.yaml.
eval: $(STAMP)
	$(VENV)/bin/visitcoach ingest
	$(VENV)/bin/visitcoach eval --fail-under

## Wall time and peak memory of the full offline eval suite (median of 3 rounds).
eval-suite-bench: $(STAMP)
	$(PY) benchmarks/eval_suite.py

## Rehearsal: scripted agents against the shipped exercises (evals/datasets/rehearsal.jsonl).
eval-rehearsal: $(STAMP)
	$(PY) benchmarks/rehearsal_eval.py

## Load check: 20 simulated users doing ask + check for 60 s against the served app (needs `visitcoach ingest`).
bench-load: $(TEST_STAMP)
	$(VENV)/bin/visitcoach ingest
	$(PY) benchmarks/load.py

## Retrieval quality: recall@5 and MRR for hybrid vs dense vs BM25 over the shipped pack.
eval-retrieval: $(STAMP)
	$(PY) benchmarks/retrieval_eval.py

## Compliance checker quality: P/R/F1 per category, false-positive rate, with and without the semantic layer.
eval-compliance: $(STAMP)
	$(PY) benchmarks/compliance_eval.py

## Plan calculator: share of evals/datasets/plans.jsonl rows whose options and key figures match.
eval-plans: $(STAMP)
	$(PY) benchmarks/plans_eval.py

## Visit briefs: go/no-go, reasons and windows against evals/datasets/prep.jsonl; required elements.
eval-prep: $(STAMP)
	$(PY) benchmarks/prep_eval.py

lint: $(TEST_STAMP)
	$(VENV)/bin/ruff check src tests benchmarks scripts app.py

clean:
	rm -rf data .pytest_cache
