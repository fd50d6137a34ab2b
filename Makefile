# Two commands do all the set-up on a fresh machine:
#   make run    installs the Python packages and chromium (for the board pack's PDF) and serves the dashboard on the
#               bundled synthetic sample
#   make test   installs everything the tests need (Python packages, Debian's chromium, npm's axe-core and
#               the OpenID Connect provider the single sign-on test signs in through) and runs them all
VENV ?= .venv
PYTHON := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed

NODE_TOOLS := node_modules/.installed

.PHONY: run test browser bench

$(INSTALLED): requirements.txt
	python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -r requirements.txt
	touch $(INSTALLED)

$(NODE_TOOLS): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_TOOLS)

browser:
	@bash scripts/install-browser.sh

run: $(INSTALLED) browser
	$(PYTHON) -m cseboard.serve

test: $(INSTALLED) browser $(NODE_TOOLS)
	$(PYTHON) -m pytest

bench: $(INSTALLED)
	$(PYTHON) -m cseboard.bench
