# Two commands do everything: `make run` and `make test`. See README.md.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
BUILD := static/build

.PHONY: run test deps assets demo lint clean bench _test-in-services _bench-in-services

# DEMO=false starts an empty council: create its first administrator with
# `.venv/bin/python manage.py createsuperuser`, then follow the Set up page.
DEMO ?= true

run: deps assets
	$(PY) manage.py migrate --noinput
	@if [ "$(DEMO)" != "false" ]; then \
		$(PY) manage.py load_demo && $(PY) manage.py create_demo_users; \
	else \
		echo "Empty council (DEMO=false): $(PY) manage.py createsuperuser, then open /setup/"; \
	fi
	@echo ""
	@echo "  Serving on http://127.0.0.1:8000  (stop with Ctrl+C)"
	@echo ""
	@# The demo reads as at the day before its meeting of 15 September 2022 (AS_AT= for today).
	@if [ "$(DEMO)" != "false" ]; then export AS_AT=$${AS_AT-2022-09-14}; fi; \
		$(PY) manage.py runserver 127.0.0.1:8000

test: deps assets
	bin/install-system-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	bin/with-test-services $(MAKE) --no-print-directory _test-in-services

# Runs inside bin/with-test-services, which provides DATABASE_URL and CELERY_BROKER_URL.
_test-in-services:
	$(PY) manage.py makemigrations --check --dry-run
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(VENV)/bin/pytest

deps: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

assets: $(BUILD)/.built

$(BUILD)/.built: node_modules/.installed $(VENV)/.installed static/scss/app.scss
	mkdir -p $(BUILD)/govuk/assets
	npx --no-install sass --load-path=node_modules --style=compressed --no-source-map \
		--quiet-deps static/scss/app.scss $(BUILD)/app.css
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js $(BUILD)/
	cp -r node_modules/govuk-frontend/dist/govuk/assets/images $(BUILD)/govuk/assets/
	cp node_modules/htmx.org/dist/htmx.min.js $(BUILD)/
	cp "$$($(PY) -c 'import plotly, pathlib; print(pathlib.Path(plotly.__file__).parent / "package_data" / "plotly.min.js")')" $(BUILD)/
	touch $@

# Every benchmark, one after another, against a throwaway PostgreSQL and Redis (each makes its
# own generated data and removes it); the last lines are the figures the README quotes.
bench: deps assets
	bin/install-system-deps bench
	bin/with-test-services $(MAKE) --no-print-directory _bench-in-services

_bench-in-services:
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py bench all

clean:
	rm -rf $(VENV) node_modules $(BUILD) staticfiles db.sqlite3
