# The commands in the README. `make run` and `make test` create .venv/ on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint format install install-dev migrate worker bench clean axe

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==25.3

$(STAMP): $(BIN)/python requirements.txt
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

$(STAMP)-dev: $(STAMP) requirements-dev.txt requirements-nodeps.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	$(BIN)/pip install --quiet --no-deps -r requirements-nodeps.txt
	@touch $@

install: $(STAMP)

install-dev: $(STAMP)-dev

migrate: install
	$(BIN)/python manage.py migrate --no-input

# Serves on http://127.0.0.1:8000/. With REDIS_URL set, a Celery worker runs beside it.
run: migrate
	$(BIN)/python manage.py ensure_first_teacher
	@# a refused or failed build leaves encoding to dlib (slower; `manage.py check` says why)
	-$(BIN)/python manage.py build_face_encoder
ifeq ($(strip $(REDIS_URL)),)
	$(BIN)/python manage.py runserver 127.0.0.1:8000
else
	$(BIN)/honcho start -f Procfile.dev
endif

worker: install
	$(BIN)/celery -A attendance_site worker --beat --loglevel=INFO

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# axe-core (npm, pinned in package-lock.json) for the browser tests' accessibility checks;
# installed into the git-ignored node_modules/.
AXE := node_modules/axe-core/axe.min.js
$(AXE): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

axe: $(AXE)

test: lint $(AXE)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Benchmarks (issue 5): ~5 minutes on 2 cores, BENCH_ARGS=--quick for ~1.5. Prints the
# results and writes bench/results/results.md and results.json (git-ignored).
bench: install-dev
	$(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache node_modules
