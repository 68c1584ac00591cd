# Two commands do all the set-up:  `make lab` (a classroom or your laptop) and `make test`.
# Both create .venv/ on first use from the pinned versions in requirements/lock.txt.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
LOCK   := requirements/lock.txt
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml $(LOCK) | cksum | cut -d' ' -f1)
# torch is installed first and pinned, so pip never swaps in a multi-GB build behind our back.
# GPU users: `make lab TORCH_INDEX=https://download.pytorch.org/whl/cu126` (see README).
TORCH_SPEC  ?= torch==2.13.0
TORCH_INDEX ?=
EXTRAS ?= test,data,fl,he,classroom,anon,synth
PORT   ?= 8888
# make lab LAB_ROOT=classroom/release serves the student edition (after make student)
LAB_ROOT ?= notebooks
export PPML_LAB_CACHE ?= $(CURDIR)/.cache/ppml_lab
PYTEST_NOTEBOOKS := --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout=600
# Batch runs draw no progress bars (a saved tqdm widget reads "0%" on GitHub); `make lab` keeps them live.
BATCH := PPML_LAB_PROGRESS=off
# The cross-machine pass: every notebook again, compared strictly with its committed (native) outputs, under
# another CPU's arithmetic: PyTorch's kernels without SIMD, MKL's and oneDNN's most basic code paths, two
# torch and OpenMP threads instead of one, NumPy's OpenBLAS on one thread instead of all cores, and an empty
# cache so that nothing is reused from the native run. Idle OpenMP threads sleep (OMP_WAIT_POLICY=PASSIVE)
# instead of spinning: two notebooks with two threads each share two cores (measured: the pass takes 4.9
# minutes instead of over 10).
PORTABLE_CACHE := $(CURDIR)/.cache/portable
PORTABLE := ATEN_CPU_CAPABILITY=default MKL_CBWR=COMPATIBLE ONEDNN_MAX_CPU_ISA=SSE41 OMP_WAIT_POLICY=PASSIVE \
            PPML_LAB_TORCH_THREADS=2 OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=1 PPML_LAB_CACHE=$(PORTABLE_CACHE)
# Two workers; each file (a notebook's cells share one kernel) stays on one worker.
PYTEST_PARALLEL ?= -n 2 --dist loadfile
# Unit tests: each file on one worker too (tests/conftest.py groups them), but the bad-input table spread over both.
PYTEST_UNIT_PARALLEL ?= -n 2 --dist loadgroup

.PHONY: lab student grade test test-unit test-notebooks test-portable test-browser test-latest test-scale notebooks lock browser-deps clean

$(STAMP): pyproject.toml $(LOCK)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(TORCH_SPEC) $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX))
	$(BIN)/python -m pip install --quiet -e ".[$(EXTRAS)]" -c $(LOCK)
	mkdir -p $(VENV)/share/jupyter/lab/settings && cp lab/overrides.json $(VENV)/share/jupyter/lab/settings/
	@rm -f $(VENV)/.installed-*
	@touch $@

## lab: create the environment if needed and start JupyterLab on notebooks/ (prints the URL)
lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=$(LAB_ROOT) --ip=127.0.0.1 --port=$(PORT) --no-browser \
	  $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

## student: the student edition (no solutions, no outputs) of every lesson in classroom/release/ (nbgrader)
student: $(STAMP)
	$(BATCH) $(BIN)/python -m ppml_lab.classroom student $(NB)

## grade: autograde SUBMISSIONS=DIR (DIR/STUDENT/LESSON/*.ipynb) into classroom/gradebook.db and classroom/grades.csv
grade: $(STAMP)
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade SUBMISSIONS=DIR (DIR/STUDENT/LESSON/*.ipynb)"; exit 2; }
	$(BATCH) $(BIN)/python -m ppml_lab.classroom grade $(SUBMISSIONS)

# The browser lessons `make test` runs: lesson 01 (its epsilon slider must redraw from the cache in under a
# second) and the student edition of lesson 01. `make test-browser` runs every lesson in JupyterLab.
BROWSER_QUICK := -k "01_laplace or student"

## test: ruff, the unit tests, every notebook under strict nbval on another CPU's arithmetic (the cross-machine
## pass, see README) and, beside them, the real-browser test of lesson 01 and its student edition (rendering, the
## live widget, errors; the nbval pass checks the numbers). CI runs `make test-scale` after it.
test: $(STAMP) browser-deps
	$(BIN)/ruff check .
	@mkdir -p .cache
	@echo "running the browser test (lesson 01 and its student edition) beside the unit tests and the cross-machine pass"
	@$(BATCH) PPML_LAB_CACHE=$(CURDIR)/.cache/browser $(BIN)/python -m pytest -q tests/test_browser.py \
	  $(BROWSER_QUICK) $(PYTEST_ARGS) > .cache/browser-test.log 2>&1 & browser=$$!; \
	  $(BATCH) $(BIN)/python -m pytest -q tests -m "not browser" $(PYTEST_UNIT_PARALLEL) $(PYTEST_ARGS) \
	  && $(MAKE) --no-print-directory test-portable; passes=$$?; \
	  wait $$browser; status=$$?; echo "--- the browser test:"; cat .cache/browser-test.log; \
	  test $$passes = 0 && test $$status = 0

test-unit: $(STAMP)
	$(BATCH) $(BIN)/python -m pytest -q tests -m "not browser" $(PYTEST_ARGS)

## test-notebooks: strict nbval on this machine's native kernels (NB=one notebook)
test-notebooks: $(STAMP)
	$(BATCH) $(BIN)/python -m pytest -q $(or $(NB),notebooks) $(PYTEST_NOTEBOOKS) $(PYTEST_PARALLEL) $(PYTEST_ARGS)

## test-portable: strict nbval under another CPU's arithmetic and thread count, from an empty cache (NB=one)
test-portable: $(STAMP)
	rm -rf $(PORTABLE_CACHE)
	$(BATCH) $(PORTABLE) $(BIN)/python -m pytest -q $(or $(NB),notebooks) $(PYTEST_NOTEBOOKS) $(PYTEST_PARALLEL) \
	  $(PYTEST_ARGS)

## test-browser: every lesson, and the student edition of lesson 01, run in JupyterLab in headless Chromium
test-browser: $(STAMP) browser-deps
	$(BATCH) $(BIN)/python -m pytest -q tests/test_browser.py $(PYTEST_ARGS)

## test-scale: beyond one machine, on this one: FedAvg across a SuperLink and SuperNode processes on 127.0.0.1
## (Flower's Deployment Engine) against the in-process and simulated runs, Flower's SecAgg+ beside the lab's, and
## sweeps on a local Ray cluster against the process pool. The two files run side by side (the Flower federation
## mostly waits on its processes). CI runs it after `make test` (.ci/run).
test-scale: $(STAMP)
	$(BATCH) PPML_LAB_TEST_SCALE=1 PPML_LAB_CACHE=$(CURDIR)/.cache/scale $(BIN)/python -m pytest -q \
	  tests/test_flower_deployment.py tests/test_sweep.py $(PYTEST_PARALLEL) $(PYTEST_ARGS)

## test-latest: the same suite against the newest releases, in .venv-latest (may fail; never blocks CI)
test-latest:
	@test -x .venv-latest/bin/python || $(PYTHON) -m venv .venv-latest
	.venv-latest/bin/python -m pip install --quiet --upgrade pip $(TORCH_SPEC)
	.venv-latest/bin/python -m pip install --quiet --upgrade -e ".[$(EXTRAS)]"
	.venv-latest/bin/python -m pytest -q tests notebooks --nbval-lax $(PYTEST_ARGS)

## notebooks: re-execute every notebook in place (after changing code under them), then commit
notebooks: $(STAMP)
	$(BATCH) $(BIN)/python scripts/execute_notebooks.py $(NB)

## lock: re-pin requirements/lock.txt from the current .venv (after changing dependencies)
lock:
	@echo "# Exact versions for 'make test' and Binder (pip constraints). Regenerate with 'make lock'." > $(LOCK).new
	$(BIN)/python -m pip freeze --exclude-editable | grep -iv '^ppml' | sed 's/+cpu$$//' >> $(LOCK).new
	mv $(LOCK).new $(LOCK)

## browser-deps: Debian's chromium for the Playwright test (installed when running as root with apt)
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium not found and cannot apt-get it: the browser test will be skipped"; fi; }

clean:
	rm -rf $(VENV) .venv-latest .cache screenshots classroom
