# Responsible ML for the Social Sciences: set up, build the book, run the tests.
#
#   make book    set everything up (first run) and build the executed book
#   make test    run ruff (make lint), then the whole test suite
#   make lab     JupyterLab on the course, with rmlkit and nbgrader's extensions
#   make formgrader COURSE=DIR  nbgrader's formgrader on a course made by `rmlkit course init`
#   make instructor-book  a separate book of the exercises with solutions, for instructors
#   make publish REPOSITORY_URL=https://github.com/OWNER/REPO [JUPYTERHUB_URL=...]
#                the static site for GitHub Pages, with launch buttons
#   make datasets  regenerate the data snapshots in datasets/
#   make clean   remove what the build and nbgrader generate (keeps .venv, node_modules)
#   make distclean   also remove .venv and node_modules

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
VENDOR := book/_extra/vendor
MATHJAX := node_modules/mathjax/es5
WIDGETS := node_modules/@jupyter-widgets/html-manager/dist
VEGA := node_modules/vega/build/vega.min.js node_modules/vega-lite/build/vega-lite.min.js \
	node_modules/vega-embed/build/vega-embed.min.js

# Jupyter reads its settings from this checkout, never from the user's own folders:
# .jupyter/ holds allow_root and the nbgrader course settings.
export JUPYTER_CONFIG_DIR := $(CURDIR)/.jupyter
export JUPYTER_DATA_DIR := $(CURDIR)/.jupyter/data
export JUPYTER_PLATFORM_DIRS := 1
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: book html instructor-book publish setup lint test lab formgrader datasets clean distclean

book: setup html
	@echo "The book is at $(CURDIR)/_build/html/index.html"

setup: $(VENV)/.installed $(VENDOR)/.copied

# The Python environment: exact pins, the library in editable mode, and a kernel that
# runs this environment's Python.
$(VENV)/.installed: requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -qq --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install -qq --disable-pip-version-check --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 \
		--display-name "Python 3 (ipykernel)" > /dev/null
	touch $@

# Front-end scripts from npm, pinned in package-lock.json; only what pages load is copied.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

$(VENDOR)/.copied: node_modules/.package-lock.json
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/mathjax/output/chtml/fonts $(VENDOR)/mathjax/input/tex
	cp node_modules/requirejs/require.js $(VENDOR)/require.js
	cp $(WIDGETS)/embed-amd.js $(WIDGETS)/*.woff $(WIDGETS)/*.woff2 $(VENDOR)/
	cp $(MATHJAX)/tex-chtml.js $(VENDOR)/mathjax/
	cp $(VEGA) $(VENDOR)/
	cp -r $(MATHJAX)/output/chtml/fonts/woff-v2 $(VENDOR)/mathjax/output/chtml/fonts/
	cp -r $(MATHJAX)/input/tex/extensions $(VENDOR)/mathjax/input/tex/
	touch $@

# The book: every notebook executed (cached in _build/.jupyter_cache), warnings are errors.
# The exercises appear as nbgrader's student versions (book/exercises/, generated here).
html:
	$(BIN)/python scripts/student_versions.py
	$(BIN)/jupyter-book build $(CURDIR) --builder html -W -n --keep-going

# For instructors only: the exercises with solutions, hidden tests and rubrics, in a
# separate book (_build/instructor/_build/html) with a banner on every page.
instructor-book: setup
	$(BIN)/python scripts/student_versions.py --instructor
	$(BIN)/jupyter-book build $(CURDIR) --builder html -W -n --keep-going \
		--path-output $(CURDIR)/_build/instructor \
		--toc $(CURDIR)/_build/instructor/_toc.yml --config $(CURDIR)/_build/instructor/_config.yml
	@echo "The instructor book is at $(CURDIR)/_build/instructor/_build/html/index.html"

# The site for GitHub Pages (_build/publish/_build/html): the same book plus repository
# and launch buttons (Binder; JupyterHub through nbgitpuller when JUPYTERHUB_URL is set).
publish: setup
	$(BIN)/python scripts/student_versions.py
	$(BIN)/python scripts/publish.py $(if $(REPOSITORY_URL),--repository-url "$(REPOSITORY_URL)") \
		$(if $(JUPYTERHUB_URL),--jupyterhub-url "$(JUPYTERHUB_URL)")

# ruff over the library, tests, scripts and notebooks (settings in pyproject.toml).
lint: setup
	$(BIN)/ruff check $(CURDIR)

test: setup lint
	$(BIN)/python -m pytest

# Regenerate the data snapshots in datasets/ with their datasheets and SHA256SUMS.
datasets: setup
	$(BIN)/python -c "from rmlkit.datasets import write_snapshots; write_snapshots()"
	@ls -l datasets

lab: setup
	$(BIN)/jupyter lab --notebook-dir=$(CURDIR)

# Hand-grading: the formgrader on a course folder (its own config and exchange).
formgrader: setup
	@test -n "$(COURSE)" || { echo "Say which course: make formgrader COURSE=my-course"; exit 2; }
	$(BIN)/rmlkit course formgrader --course "$(COURSE)"

clean:
	rm -rf _build book/_extra book/exercises book/exercises-instructor .jupyter/data .exchange \
		tests/artifacts
	cd exercises && rm -rf release submitted autograded feedback gradebook.db .nbgrader.log

distclean: clean
	rm -rf $(VENV) node_modules
