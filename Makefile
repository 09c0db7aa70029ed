# Folio: `make run` serves the app with a worker; `make test` runs the whole suite (PostgreSQL and SQLite).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Test databases and Redis keys are named after this checkout, so that two checkouts (two people, or two
# branches) on one server never share them: test_folio_<id>_gw0, … and Redis keys under folio-<id>:.
TEST_ID := $(shell printf '%s' "$(CURDIR)" | cksum | cut -d' ' -f1)
PG_TEST_AUTH ?= postgres
PG_TEST_URL ?= postgres://$(PG_TEST_AUTH)@127.0.0.1:5432/folio_$(TEST_ID)
REDIS_TEST_URL ?= redis://127.0.0.1:6379/15
PYTEST_WORKERS ?= 2

.PHONY: messages messages-compile install run worker worker-slow test test-pg test-sqlite lint fmt migrations-check bench bench-library bench-import bench-search check-deploy bench-save

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test,dev]"
	touch $@

# Translations (README, "Languages"): the .po catalogues are committed, the .mo files are compiled here
# from them with Babel's pure-Python compiler (no GNU gettext needed), and only when a .po changed.
# `make messages` refreshes the catalogues from the code and templates (Django's makemessages, which needs
# GNU gettext's xgettext/msgmerge: Debian's `gettext` package); then fill the new msgstr and commit.
MESSAGE_LANGUAGES := de fr es
PO_FILES := $(wildcard locale/*/LC_MESSAGES/*.po)
MO_FILES := $(PO_FILES:.po=.mo)
locale/%.mo: locale/%.po
	$(BIN)/pybabel -q compile -i $< -o $@ -l $(word 2,$(subst /, ,$<))

messages-compile: $(MO_FILES)

messages:
	@command -v xgettext >/dev/null || { echo "make messages needs GNU gettext: apt-get install gettext"; exit 1; }
	$(BIN)/python manage.py makemessages $(addprefix -l ,$(MESSAGE_LANGUAGES)) -e html,txt,py --no-obsolete \
	  --add-location file -i ".venv/*" -i "staticfiles/*" -i "data/*" -i "tests/*" -i "bench/*" -i "shared/*" -i "static/*"
	@echo "Folio: now fill the new (empty or fuzzy) msgstr in locale/*/LC_MESSAGES/django.po; tests/test_i18n.py checks."

install: $(BIN)/.installed $(MO_FILES)

# Static files are collected (hashed, brotli and gzip copies; a minute or more) only when a file under
# static/ or the installed packages changed since the last run: the stamp file records the last collection.
STATIC_STAMP := staticfiles/.collected
$(STATIC_STAMP): $(shell find static -type f 2>/dev/null) $(BIN)/.installed
	@echo "Folio: collecting static files (only after a change under static/)…"
	FOLIO_STATIC_FINDERS=false $(BIN)/python manage.py collectstatic --noinput -v0
	touch $@

# Ctrl-C stops the worker and the web server and ends quietly (scripts/serve.sh).
run: install $(STATIC_STAMP)
	@$(BIN)/python manage.py ensure_database
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py ensure_user
	@echo "Folio: http://127.0.0.1:$(PORT)/  (Ctrl-C stops the web server and the worker)"
	@BIN=$(BIN) PORT=$(PORT) bash scripts/serve.sh

worker: install
	$(BIN)/celery -A reader worker -l info -Q folio,folio-import

# The slow lane: slow pages, retries and late images (FOLIO_SLOW_QUEUE), apart from people's saves.
worker-slow: install
	$(BIN)/celery -A reader worker -l info -Q folio-slow -n slow@%h

# Both passes always run; the target fails if either failed.
test: install
	@status=0; $(MAKE) --no-print-directory test-pg || status=1; \
	  $(MAKE) --no-print-directory test-sqlite || status=1; exit $$status

test-pg: $(MO_FILES)
	DATABASE_URL=$(PG_TEST_URL) CELERY_BROKER_URL=$(REDIS_TEST_URL) FOLIO_REDIS_PREFIX=folio-$(TEST_ID) \
	  $(BIN)/pytest -n $(PYTEST_WORKERS) -p no:cacheprovider $(PYTEST_ARGS)

test-sqlite: $(MO_FILES)
	DATABASE_URL= CELERY_BROKER_URL= REDIS_URL= FOLIO_DATA_DIR=$(CURDIR)/data/test-sqlite FOLIO_REDIS_PREFIX=folio-$(TEST_ID) \
	  $(BIN)/pytest -n $(PYTEST_WORKERS) -p no:cacheprovider $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy
	$(BIN)/djlint templates --lint

fmt: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrations-check: install
	$(BIN)/python manage.py makemigrations --check --dry-run

check-deploy: install
	DEBUG=false FOLIO_HTTPS=true SECRET_KEY=$$($(BIN)/python -c 'import secrets;print(secrets.token_urlsafe(50))') \
	  ALLOWED_HOSTS=folio.example.com $(BIN)/python manage.py check --deploy --fail-level WARNING

bench: install
	$(BIN)/python bench/corpus_score.py

LIBBENCH_URL ?= postgres://postgres@127.0.0.1:5432/folio_libbench
bench-library: install
	$(BIN)/python bench/library_bench.py --database-url $(LIBBENCH_URL)
bench-import: install
	$(BIN)/python bench/import_bench.py 20000 300

# A separate database, built once and reused (1,000,000: SEARCHBENCH_ARTICLES=1000000, its own database).
SEARCHBENCH_URL ?= postgres://postgres@127.0.0.1:5432/folio_bench
SEARCHBENCH_ARTICLES ?= 100000
bench-search: install
	DATABASE_URL=$(SEARCHBENCH_URL) $(BIN)/python bench/search_bench.py --articles $(SEARCHBENCH_ARTICLES)

# Saves through the API with 10 clients against gunicorn at 100 and 100,000 articles (one database per size).
SAVEBENCH_URL ?= postgres://postgres@127.0.0.1:5432/folio_savebench
bench-save: install
	DATABASE_URL=$(SAVEBENCH_URL) CELERY_BROKER_URL=redis://127.0.0.1:6379/14 $(BIN)/python bench/save_bench.py
