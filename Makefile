# Two entry points, both from a fresh clone with only Python 3.11+ and make:
#   make run   installs briefreader into .venv and opens the bundled briefs/ library
#   make test  installs the test dependencies into .venv and runs the whole suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: run test install install-test clean dist

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .

install-test: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'

run: install
	$(BIN)/briefreader briefs/

test: install-test
	$(BIN)/python -m pytest

# For air-gapped machines: every runtime dependency as a wheel, and one file that runs
# with a bare python3 (dist/briefreader.pyz; PyYAML runs without libyaml inside it).
dist: $(BIN)/python
	rm -rf dist build/zipapp
	$(BIN)/python -m pip wheel --quiet . -w dist/wheelhouse
	$(BIN)/python -m pip install --quiet --no-compile --no-deps --target build/zipapp dist/wheelhouse/*.whl
	rm -rf build/zipapp/bin build/zipapp/*.dist-info
	find build/zipapp -name '*.so' -delete
	$(BIN)/python -m zipapp build/zipapp -m "briefreader.cli:run" -p "/usr/bin/env python3" -o dist/briefreader.pyz
	@echo "dist/wheelhouse/ and dist/briefreader.pyz are ready"

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache
