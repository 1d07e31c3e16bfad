# The two commands of the README, and the maintenance targets around them.
#   make run    set up a fresh machine (.venv) and run the default sweep and the report
#   make test   set up (with test tools) and run the test suite
# PYTHON=... names the interpreter .venv is made with (a command or a path); without it, the newest
# supported Python on the PATH is used (workflow/envs/venv.sh; the supported versions are pyproject.toml's
# requires-python).
# TORCH=... names the build of PyTorch .venv gets (workflow/envs/torch_index.py): cpu, the default, is on
# Linux the CPU build from PyTorch's CPU-only index TORCH_CPU_INDEX (from PyPI, with a line that says so,
# where that index cannot be reached or lacks the pinned wheel); cuda is PyPI's build, on Linux the CUDA
# one (several GB). An existing $(VENV) keeps the build it was made with.
PYTHON ?=
VENV   ?= .venv
# Every core of the machine by default (Snakemake's `--cores all`): no more jobs than cores share them.
CORES  ?= all
TORCH  ?= cpu
# pytest-xdist workers of `make test`, each a whole test file at a time (auto: one per core). The suite
# waits on SLURM's status polls for minutes; a second worker fills the cores meanwhile.
TEST_WORKERS ?= auto
TORCH_CPU_INDEX ?= https://download.pytorch.org/whl/cpu
BIN    := $(abspath $(VENV))/bin
# PYTHON is looked for on the PATH as it was, not in the environment's own bin.
PATH_OUTSIDE_VENV := $(PATH)
# Rules call `python -m spiralbench ...`: make sure that is the project's interpreter.
export PATH := $(BIN):$(PATH)

.PHONY: setup setup-dev run test publish check venv

# Exactly one of the builds, refused before anything is done.
ifneq ($(words $(TORCH))$(filter cpu cuda,$(TORCH)),1$(TORCH))
$(error TORCH=$(TORCH) is not a build this project installs: TORCH=cpu (the default) or TORCH=cuda)
endif

# The command that installs torch before the other requirements, or nothing (torch then comes with them
# from pip's own indexes); it also says which, in one line. Expanded when the recipe below runs, after
# $(VENV) is made: its Python asks the index (`make -n` before that shows where the command goes).
TORCH_FIRST = $(if $(wildcard $(BIN)/python),$(shell '$(BIN)/python' workflow/envs/torch_index.py \
	'$(TORCH)' '$(TORCH_CPU_INDEX)' requirements.txt)$(if $(filter-out 0,$(.SHELLSTATUS)),$(error \
	workflow/envs/torch_index.py failed: see above)),: the torch of TORCH=$(TORCH), once $(VENV) exists)

$(VENV)/.installed: requirements.txt pyproject.toml | venv
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(TORCH_FIRST)
	$(BIN)/python -m pip install --quiet -r requirements.txt -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

# Runs every time: says which Python $(VENV) has, and makes it if it is missing.
venv:
	@PATH='$(PATH_OUTSIDE_VENV)' GOAL='$(MAKECMDGOALS)' sh workflow/envs/venv.sh '$(VENV)' '$(PYTHON)'

setup: $(VENV)/.installed
setup-dev: $(VENV)/.installed-dev

run: setup
	snakemake --cores $(CORES)

test: setup-dev
	python -m pytest -n $(TEST_WORKERS) --dist loadfile

# Rerun everything and rewrite the published report and manifests (when a change of the numbers is
# intended): report/published/ for the default sweep, report/published/ci/ for config/ci.yaml. Each
# starts a new reproduction ledger with the publisher's own record, and the README's claim is rewritten
# from it (spiralbench.ledger).
# The published report is Quarto's page: without Quarto on the PATH, publishing stops before any work.
publish: setup
	@command -v quarto >/dev/null || { echo "make publish renders the published report with Quarto," \
		"which is not on the PATH: install it (https://quarto.org/docs/get-started/)" >&2; exit 2; }
	snakemake --cores $(CORES) --forceall publish
	snakemake --cores $(CORES) --configfile config/ci.yaml --forceall publish_manifest
	python -m spiralbench.ledger claim report/published/$(LEDGER) --write $(CLAIMED_IN)
	# Rendered once more: the report describes the published manifest and ledger, which the first pass
	# rewrites after rendering; the same outputs keep their manifest and the ledger its records.
	snakemake --cores $(CORES) --forcerun report publish

# Rerun the default sweep into a fresh directory and say how far it reproduces the published one; add
# the check's record to the ledger and rewrite the README's claim from it. It fails below REQUIRE:
# auto by default, what the README promises for this CPU (bit-identical on x86-64-v3 and up, Intel or
# AMD; conclusions-reproduced elsewhere); or name a level: bit-identical, distributions-reproduced,
# conclusions-reproduced. The record is added whether the check passes or not.
REQUIRE ?= auto
LEDGER := reproductions.csv
CLAIMED_IN := README.md docs/reproducibility.md
check: setup
	rm -rf results-check
	snakemake --cores $(CORES) check --config results_dir=results-check check_require=$(REQUIRE); \
		status=$$?; \
		python -m spiralbench.ledger add results-check/reproduction.csv report/published/$(LEDGER) && \
		python -m spiralbench.ledger claim report/published/$(LEDGER) --write $(CLAIMED_IN); \
		exit $$status
