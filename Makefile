# Two commands do all the set-up on a fresh machine:
#   make run    installs the Python packages and chromium (for the board pack's PDF) and serves the dashboard on the
#               bundled synthetic sample
#   make test   installs everything the tests need (Python packages and Debian's chromium) and runs them all
VENV ?= .venv
PYTHON := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed

.PHONY: run test browser bench

$(INSTALLED): requirements.txt
	python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -r requirements.txt
	touch $(INSTALLED)

browser:
	@bash scripts/install-browser.sh

run: $(INSTALLED) browser
	$(PYTHON) -m streamlit run dashboard.py

test: $(INSTALLED) browser
	$(PYTHON) -m pytest

bench: $(INSTALLED)
	$(PYTHON) -m cseboard.bench
