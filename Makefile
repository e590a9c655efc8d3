# Two entry points on a fresh machine: `make run` (the main job) and `make test`.
# Both create or reuse the virtual environment in .venv (another: `make install VENV=/tmp/venv`),
# installing jiesu with every extra and every version pinned by constraints.txt.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
EXTRAS := dev,transformer,bench,report,ray
# Where the CPU build of torch (2.13.0+cpu, pinned by constraints.txt) comes from: empty where pip's own
# index serves it (this project's machines); elsewhere TORCH_INDEX=https://download.pytorch.org/whl/cpu.
TORCH_INDEX ?=
# scratch environment in which `make constraints` resolves the dependencies anew
RESOLVE_VENV ?= /tmp/jiesu-resolve-venv

.PHONY: run demo test test-fast lint install constraints clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# CPU build of torch first: a bare torch requirement would pull a multi-GB CUDA build.
	$(BIN)/pip install --quiet torch==2.13.0 $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX) --extra-index-url https://pypi.org/simple)
	$(BIN)/pip install --quiet -c constraints.txt -e '.[$(EXTRAS)]' $(if $(TORCH_INDEX),--extra-index-url $(TORCH_INDEX))
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/jiesu serve

# A server on a simulated history (30 days × 2,000 requests, simulated once into var/demo.db: minutes).
# The simulation writes a .partial file renamed when it completes: an interrupted one is started afresh,
# never served as if it were the whole history (the simulation commits as it goes).
DEMO_DB ?= var/demo.db
demo: $(STAMP)
	test -f $(DEMO_DB) || { rm -f $(DEMO_DB).partial $(DEMO_DB).partial-wal $(DEMO_DB).partial-shm && \
	  $(BIN)/jiesu demo simulate --days 30 --per-day 2000 --database-url sqlite:///$(DEMO_DB).partial && \
	  mv $(DEMO_DB).partial $(DEMO_DB); }
	@echo "an auditor's key for this history: JIESU_DATABASE_URL=sqlite:///$(DEMO_DB) $(BIN)/jiesu keys create --role auditor"
	JIESU_DATABASE_URL=sqlite:///$(DEMO_DB) $(BIN)/jiesu serve

# -n auto: one pytest worker per core (xdist); the first to need the seed model fits it (its folds in worker
# processes) and the others load it (tests/conftest.py).
test: $(STAMP)
	HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 $(BIN)/python -m pytest -n auto

# The inner loop: everything but the tests marked slow (each over 5 s); CI runs `make test`.
test-fast: $(STAMP)
	HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 $(BIN)/python -m pytest -n auto -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check jiesu tests
	$(BIN)/ruff format --check jiesu tests
	$(BIN)/mypy

# Refresh constraints.txt after a change to the dependencies in pyproject.toml: resolve them anew (newest
# versions allowed) in a scratch environment and pin what it installed. Review the diff, then run the tests.
constraints:
	rm -rf $(RESOLVE_VENV)
	$(PYTHON) -m venv $(RESOLVE_VENV)
	$(RESOLVE_VENV)/bin/pip install --quiet torch==2.13.0
	$(RESOLVE_VENV)/bin/pip install --quiet -e '.[$(EXTRAS)]'
	{ sed -n '/^#/p' constraints.txt; $(RESOLVE_VENV)/bin/pip freeze --exclude-editable; } > constraints.txt.new
	! grep -iE '^(nvidia|triton)' constraints.txt.new  # a CUDA build crept in: install the CPU torch first
	mv constraints.txt.new constraints.txt
	rm -rf $(RESOLVE_VENV)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
