# Thin wrapper: every target calls Python. `make lab` and `make test` are the two
# commands a student needs; the rest are for instructors and maintainers.
#
# If a virtual or conda environment is already active we install into it;
# otherwise we create .venv here.
# bash with pipefail: a failing pip must fail the target even when its output is filtered
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c

ifneq ($(strip $(VIRTUAL_ENV)$(CONDA_PREFIX)),)
  PY := python
  STAMP := .env-installed
else
  PY := .venv/bin/python
  STAMP := .venv/.installed
endif
PIP := $(PY) -m pip --disable-pip-version-check

CHAPTERS ?=
JOBS ?= 2
PYTEST_ARGS ?=

.PHONY: sandbox lab formgrader test test-slurm test-full-bank test-plans release grade export demo report bench sweep data install clean

install: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@test -x "$(PY)" || python3 -m venv .venv
	$(PIP) install -q -r requirements.txt 2>&1 | { grep -v "is ignored: it is neither" || true; }
	$(PIP) install -q --no-deps -e .
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (cnn-course)" >/dev/null
	@touch $@

# bubblewrap isolates each graded kernel (files, network, processes); without it the grader warns and
# flags every row `not_isolated`.
sandbox:
	@command -v bwrap >/dev/null || { apt-get update -qq && apt-get install -y -qq bubblewrap >/dev/null; } \
	  || sudo -n apt-get install -y -qq bubblewrap >/dev/null \
	  || echo "WARNING: bubblewrap missing: graded kernels will not be file-isolated"

# JupyterLab refuses to run as root (common in containers) unless told it is on purpose
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: install
	$(PY) -m jupyter lab $(ROOT_FLAG) notebooks/

test: install sandbox
	bash tests/browser/install.sh $(PY)
	bash tests/servers/install.sh $(PY)
	$(PY) -m pytest -n $(JOBS) --dist loadgroup $(PYTEST_ARGS)

# opt-in: a single-node Slurm cluster on 127.0.0.1 grades a small class through dask-jobqueue (needs root)
test-slurm: install sandbox
	bash tests/servers/install.sh $(PY) --slurm
	AUTOGRADER_SLURM_TEST=1 $(PY) -m pytest -p no:xdist -s tests/test_grader_slurm.py $(PYTEST_ARGS)

# opt-in: every answer of each chapter's exercise bank through the real grader, under both plans (minutes per chapter)
FULL_BANK := $(or $(CHAPTERS),ch16_train_vs_eval)
test-full-bank: install sandbox
	FULL_BANK_CHAPTERS="$(FULL_BANK)" $(PY) -m pytest -n $(JOBS) --dist loadgroup tests/test_chapters.py \
	  -k "(through_the_grader or pruned_and_full) and ($$(echo $(FULL_BANK) | sed 's/ / or /g'))" $(PYTEST_ARGS)

# opt-in (most of an hour on 2 cores): the same points under --plan pruned and --plan full for every bank answer of
# every chapter, ch16's demo class, and the hostile batch (which `make test` grades under the default plan)
GRADED_CHAPTERS := $(filter-out ch00_start_here,$(notdir $(wildcard solutions/ch*)))
test-plans: install sandbox
	$(MAKE) test-full-bank CHAPTERS="$(GRADED_CHAPTERS)"
	TEST_PLANS=1 CHAPTERS= $(PY) -m pytest -p no:xdist -s tests/test_plans.py $(PYTEST_ARGS)
	AUTOGRADER_PLAN=full $(PY) -m pytest -n $(JOBS) --dist loadgroup tests/test_grader_hostile.py $(PYTEST_ARGS)

# make formgrader OUT=grading/ch18: JupyterLab at the repository root, Nbgrader > Formgrader shows that graded OUT
formgrader: install
	AUTOGRADER_OUT="$(OUT)" $(PY) -m jupyter lab $(ROOT_FLAG)

release: install
	$(PY) -m autograder release $(CHAPTERS)

# Missing variables are named before anything is installed or run.
ifneq ($(filter grade,$(MAKECMDGOALS)),)
  ifeq ($(strip $(CHAPTER)),)
    $(error make grade needs CHAPTER= and SUBMISSIONS=, e.g. make grade CHAPTER=ch16_train_vs_eval SUBMISSIONS=path/to/submissions [OUT=grading/ch16_train_vs_eval]; the chapters are the folders of solutions/)
  endif
  ifeq ($(strip $(SUBMISSIONS)),)
    $(error make grade needs SUBMISSIONS= (a folder of <student_id>/$(CHAPTER).ipynb, or a Canvas or Moodle download, folder or zip), e.g. make grade CHAPTER=$(CHAPTER) SUBMISSIONS=path/to/submissions)
  endif
endif
ifneq ($(filter export,$(MAKECMDGOALS)),)
  ifeq ($(and $(strip $(OUT)),$(strip $(FORMAT)),$(strip $(OUTPUT))),)
    $(error make export needs OUT=, FORMAT= (canvas, moodle, csv, canvas-feedback or moodle-feedback) and OUTPUT=; ROSTER= and COLUMN= are optional, e.g. make export OUT=grading/ch16 FORMAT=canvas ROSTER=canvas-gradebook.csv OUTPUT=canvas-import.csv)
  endif
endif

# make grade CHAPTER=ch16_train_vs_eval SUBMISSIONS=path/to/submissions OUT=grading/ch16
# SUBMISSIONS may be a Canvas or Moodle download as it is (folder or zip); EXTRA="--deadline ... --late-policy ..."
grade: install sandbox
	$(PY) -m autograder grade $(CHAPTER) --submissions $(SUBMISSIONS) --out $(or $(OUT),grading/$(CHAPTER)) $(EXTRA)

# make export OUT=grading/ch16 FORMAT=canvas ROSTER=canvas-gradebook.csv OUTPUT=canvas-import.csv
export: install
	$(PY) -m autograder export $(OUT) --format $(FORMAT) --output $(OUTPUT) $(if $(ROSTER),--roster $(ROSTER)) \
	  $(if $(COLUMN),--column "$(COLUMN)")

demo: install sandbox
	$(PY) -m autograder demo

report: install
	$(PY) -m autograder report $(OUT)

bench: install   # the scale section grades a class of 1,000 through Dask (requirements-scale.txt)
	$(PIP) install -q -r requirements-scale.txt 2>&1 | { grep -v "is ignored: it is neither" || true; }
	$(PY) -m autograder bench $(CHAPTERS)

sweep: install   # every solution notebook under stand-ins for other machines (about 10 minutes)
	$(PY) -m autograder sweep $(CHAPTERS)

data: install
	$(PY) -m cnnlab.data --write-manifest

clean:
	rm -rf grading bench-out demo-out .pytest_cache
