# Two commands do all the set-up on a fresh machine:
#   make run    installs the Python packages and opens the dashboard on the bundled synthetic sample
#   make test   installs everything the tests need (Python packages, Debian's chromium, the test OpenID Connect
#               provider from npm) and runs them all
VENV ?= .venv
PYTHON := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed

.PHONY: run test browser oidc bench

$(INSTALLED): requirements.txt
	python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -r requirements.txt
	touch $(INSTALLED)

browser:
	@bash scripts/install-browser.sh

# The OpenID Connect provider the single sign-on test signs in through (npm oidc-provider, locked in package-lock.json).
oidc:
	npm ci --prefix tests/oidc --no-audit --no-fund --silent

run: $(INSTALLED)
	$(PYTHON) -m streamlit run dashboard.py

test: $(INSTALLED) browser oidc
	$(PYTHON) -m pytest

bench: $(INSTALLED)
	$(PYTHON) -m cseboard.bench
