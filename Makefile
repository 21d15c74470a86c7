# Two commands do everything: `make run` and `make test`. Both install what they need the
# first time and are quick the second.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test check setup system-packages browser clean

# Links in the emails name the port the web server is on, unless SITE_URL says otherwise.
run: setup
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo_data
	@echo
	@echo "Starting the web server, a Celery worker and the beat scheduler."
	@echo "Open http://127.0.0.1:$(PORT)/ and sign in with a demo login above. Ctrl+C stops all three."
	@echo "Emails are written as .eml files to var/mail/."
	@echo
	WEB_PORT=$(PORT) SITE_URL="$${SITE_URL:-http://127.0.0.1:$(PORT)}" $(BIN)/honcho start -f Procfile

test: setup
	$(BIN)/pytest $(PYTEST_ARGS)

# Lint, types, migrations and deployment settings: CI runs these beside the tests.
check: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run
	DEBUG=false SECRET_KEY=check-deploy-$$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n') \
		ALLOWED_HOSTS=strategy.example.org SECURE_HSTS_PRELOAD=true \
		$(BIN)/python manage.py check --deploy --fail-level WARNING

setup: system-packages $(VENV)/.installed node_modules/.installed static/build/app.css

# WeasyPrint needs Pango from the operating system.
system-packages:
	@ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 || { \
		echo "Installing Pango for WeasyPrint (apt-get)"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0; }

# Debian's Chromium for the browser tests (never a downloaded browser build).
browser:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium; }

$(VENV)/.installed: requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/build/app.css: static/scss/app.scss node_modules/.installed
	npm run --silent build:css

clean:
	rm -rf $(VENV) node_modules static/build var
