# Shared by every rule file: the validated config, result paths, and the target lists of `rule all`.
import sys

from snakemake.exceptions import WorkflowError

from spiralbench import config as spiral_config


# The config is checked before any job is scheduled: a bad value stops here, with every problem listed.
try:
    spiral_config.load_config(config)
except spiral_config.ConfigError as error:
    raise WorkflowError(str(error)) from None


RESULTS = config["results_dir"].rstrip("/")
RUNS = {run["run_id"]: run for run in spiral_config.runs(config)}
RUN_FILES = ("history.csv", "metrics.json", "predictions.csv", "params.npz", "timing.json")


wildcard_constraints:
    group="sweep|tutorial",
    setting="[^/]+",
    seed=r"\d+",


def result(path):
    """A path inside the results directory."""
    return f"{RESULTS}/{path}"


def run_dir(run_id):
    return result(f"runs/{run_id}")


def run_params(framework):
    """The `run` param of a training rule: the run's full description, looked up from its wildcards."""

    def lookup(wildcards):
        run_id = f"{wildcards.group}/{framework}/{wildcards.setting}/seed{wildcards.seed}"
        if run_id not in RUNS:
            raise WorkflowError(f"the config has no run {run_id!r}")
        return RUNS[run_id]

    return lookup


def run_outputs(framework):
    """The five files of a run, named as the training script writes them."""
    prefix = result(f"runs/{{group}}/{framework}/{{setting}}/seed{{seed}}")
    return {name.split(".")[0]: f"{prefix}/{name}" for name in RUN_FILES}


def speed_threads():
    # Claiming every core keeps other jobs off the machine while the speed job times epochs. A cluster
    # run need not give --cores (asking for it then raises): there the job asks for a node of its own.
    try:
        cores = workflow.cores
    except WorkflowError:
        return 1
    return cores if isinstance(cores, int) else 1


# ---------------------------------------------------------------- targets of `rule all`


def data_targets():
    return [result(f"data/seed{seed}.npz") for seed in spiral_config.data_seeds(config)]


def run_targets(name, run_ids=None):
    """One file (e.g. "metrics.json") of every run."""
    return [f"{run_dir(run_id)}/{name}" for run_id in (RUNS if run_ids is None else run_ids)]


def training_targets():
    return [path for name in RUN_FILES for path in run_targets(name)]


def table_targets():
    return [result(f"tables/{name}.csv") for name in ("runs", "epochs", "summary", "controlled")]


def timing_targets():
    return [result("timing/runs.csv"), result("timing/speed.csv")]
