# The commands in the README. `make run` and `make test` create .venv/ on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-fast lint format install install-dev migrate messages worker bench clean axe cluster-test

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

# The translations (locale/<language>/LC_MESSAGES/*.po, docs/languages.md) compiled to the
# git-ignored .mo files the app reads. Needs GNU gettext's msgfmt (Debian: gettext).
messages: install
	@command -v msgfmt >/dev/null || { echo "msgfmt not found: install gettext (apt-get install gettext) to build the translations" >&2; exit 1; }
	$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=node_modules --verbosity 0

# Serves on http://$(HOST):$(PORT)/ (127.0.0.1:8000 unless given, e.g. `make run HOST=0.0.0.0`
# for a kiosk tablet on the same network). With REDIS_URL set, a Celery worker runs beside it.
HOST ?= 127.0.0.1
PORT ?= 8000
export RUN_ADDRESS := $(HOST):$(PORT)
# Another device reaches the server by an address not known in advance: accept any Host
# header then (development server only; production sets ALLOWED_HOSTS).
ifneq ($(HOST),127.0.0.1)
export ALLOWED_HOSTS ?= *
endif

run: migrate
	@# without gettext the pages stay in English
	-@$(MAKE) --no-print-directory messages
	$(BIN)/python manage.py ensure_first_teacher
	@# a refused or failed build leaves encoding to dlib (slower; `manage.py check` says why)
	-$(BIN)/python manage.py build_face_encoder
ifeq ($(strip $(REDIS_URL)),)
	$(BIN)/python manage.py runserver $(RUN_ADDRESS)
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

# The whole suite: real dlib and ONNX Runtime on the sample faces, a Celery worker and
# PostgreSQL when DATABASE_URL/REDIS_URL are set, headless Chromium.
test: lint messages $(AXE)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The fast tier (about a minute on 2 quiet cores): services, views and permissions, with the
# recorded face table of tests/fakes.py at the face seam instead of dlib; no worker, no
# browser, none of the tests marked real_faces. A quick gate before `make test`.
FAST_TESTS := $(wildcard tests/test_*.py) tests/api tests/dashboard
test-fast: lint messages
	$(BIN)/python -m pytest --face-stand-in -m "not real_faces and not worker and not browser" \
		$(FAST_TESTS) $(PYTEST_ARGS)

# Benchmarks: ~5-8 minutes on 2 cores, BENCH_ARGS=--quick for a shorter run. Prints the
# report and writes it to docs/benchmarks.md (committed), every number to
# bench/results/results.json (git-ignored).
bench: install-dev
	$(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache node_modules

# Several hosts on this machine (network namespaces; needs root): PostgreSQL, Redis and an
# S3-compatible server, two gunicorn hosts behind nginx, a Celery host; 8 kiosks check in for
# 60 s while a web host and the worker are killed. About 4 minutes; stops all it started.
cluster-test: install-dev
	$(BIN)/python -m deploy.cluster $(CLUSTER_ARGS)
