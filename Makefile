# Jorgebot: `make run` for a running admin with demo data, `make test` for the suite.
# Both need only Python 3.11+: without DATABASE_URL / REDIS_URL they start embedded servers.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: install run test bench soak lint clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

run: install
	$(PY) -m jorgebot.embedded -- $(PY) -m jorgebot.devserver

test: install
	$(PY) -m jorgebot.embedded -- $(PY) -m pytest $(PYTEST_ARGS)

# ruff, then mypy (pyproject.toml's [tool.mypy]; the Django plugin imports the settings, which need DEBUG or a
# secret key).
lint: install
	$(PY) -m ruff check .
	DJANGO_DEBUG=1 $(PY) -m mypy

bench: install
	@for script in $(filter-out bench/__init__.py bench/harness.py bench/faults.py bench/soak.py bench/soak_figures.py,$(wildcard bench/*.py)); do \
		echo "== $$script"; $(PY) -m jorgebot.embedded -- $(PY) $$script || exit 1; done

# 10 minutes of mixed traffic under faults, on servers of its own (bench/soak.py; SOAK_ARGS="--minutes 1").
soak: install
	$(PY) bench/soak.py $(SOAK_ARGS)

clean:
	rm -rf var staticfiles
