# Kiosque — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
HOST ?= 127.0.0.1
# Absolute links (Stripe simulator pages, feeds, calendar, emails) point where `make run` serves.
SITE_URL ?= http://$(HOST):$(PORT)
# Embedded defaults for `make run`: SQLite, in-process tasks, console email, Stripe simulator.
RUN_ENV := DEBUG=true SITE_URL=$(SITE_URL)
# The test suite always runs against real services (PostgreSQL, Redis), as CI does.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/kiosque
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
LINT_ENV := SECRET_KEY=lint-only ALLOWED_HOSTS=localhost DATABASE_URL=sqlite:///:memory:

.PHONY: install messages run serve test lint bench services browser clean

install: $(VENV)/.installed

$(VENV)/.installed: requirements.lock pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check uv==0.13.9
	$(VENV)/bin/uv pip install --quiet --python $(PY) -r requirements.lock
	@touch $@

messages: install
	@command -v msgfmt >/dev/null || scripts/apt_install.sh gettext
	@$(RUN_ENV) $(PY) manage.py compilemessages --ignore=.venv --verbosity 0

run: messages
	$(RUN_ENV) $(PY) manage.py migrate --noinput
	$(RUN_ENV) $(PY) manage.py load_demo
	$(RUN_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

# The production stack locally (gunicorn, Celery worker and beat, PostgreSQL, Redis, DEBUG off):
# see scripts/serve.sh and README.md, "Running in production". PORT, WEB_CONCURRENCY etc. apply.
serve: messages
	PORT=$(PORT) HOST=$(HOST) VENV=$(VENV) scripts/serve.sh

services:
	@scripts/ensure_services.sh "$(TEST_DATABASE_URL)" "$(TEST_REDIS_URL)"

browser:
	@command -v chromium >/dev/null || scripts/apt_install.sh chromium fonts-dejavu-core fonts-liberation2

test: messages services browser
	DATABASE_URL=$(TEST_DATABASE_URL) KIOSQUE_TEST_REDIS_URL=$(TEST_REDIS_URL) $(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(LINT_ENV) $(VENV)/bin/mypy core accounts magazine subscriptions events newsletters config stripe_simulator
	$(LINT_ENV) $(PY) manage.py makemigrations --check --dry-run

bench: messages services
	DATABASE_URL=$(TEST_DATABASE_URL) KIOSQUE_TEST_REDIS_URL=$(TEST_REDIS_URL) $(PY) bench/run.py

clean:
	rm -rf $(VENV) staticfiles media db.sqlite3 test-artifacts
