# Shared by the other .smk files: the validated config, result paths, and the lists of targets.
import sys

from snakemake.exceptions import WorkflowError

from spiralbench import config as spiral_config

# Values given with --config arrive as text inside lists and mappings (seeds=[1,2] gives ['1', '2']):
# convert them to the types the schema asks for. Values from the config file are left as they are.
config.update(
    spiral_config.coerce_command_line(
        config, workflow.config_settings.overwrite_config or {}
    )
)

# The config is checked before any job is scheduled: a bad value stops here, with every problem listed.
# Its directories too (results_dir a file would otherwise end in a traceback from Snakemake's file
# inventory): relative ones from the working directory, the current one while the Snakefile is read.
try:
    spiral_config.load_config(config, check_directories=True)
except spiral_config.ConfigError as error:
    raise WorkflowError(str(error)) from None


RESULTS = config["results_dir"].rstrip("/")
RUNS = {run["run_id"]: run for run in spiral_config.runs(config)}
RUN_FILES = (
    "history.csv",
    "metrics.json",
    "predictions.csv",
    "params.npz",
    "timing.json",
)


wildcard_constraints:
    setting="[^/]+",
    seed=r"\d+",


def result(path):
    """A path inside the results directory."""
    return f"{RESULTS}/{path}"


def run_dir(run_id):
    return result(f"runs/{run_id}")


def run_groups():
    """For each group of runs: the seeds it is trained for, the frameworks it trains, and whether a
    job trains one seed (True) or every seed of a setting (False).

    The sweep and the tutorial train every seed of a setting in one job: a PyTorch job spends about
    4 s importing torch, longer than its runs take, and the seeds share that cost. The engine check's
    scalar-engine runs take seconds each, one after the other they would make the longest job of the
    workflow, so it trains one seed per job and as many run side by side as there are cores.
    """
    return {
        "sweep": (config["seeds"], config["frameworks"], False),
        "tutorial": ([config["tutorial"]["seed"]], spiral_config.FRAMEWORKS, False),
        "engine_check": (
            config["seeds"],
            [fw for fw in config["frameworks"] if fw == "neurogebra"],
            True,
        ),
    }


def job_seeds(seeds, per_seed):
    """The seeds of one training job: all of them, or the `{seed}` wildcard for a job per seed."""
    return ["{seed}"] if per_seed else seeds


def train_log(group, framework, per_seed):
    job = "{setting}/seed{seed}" if per_seed else "{setting}"
    return result(f"logs/train/{group}/{framework}/{job}.log")


def setting_inputs(seeds):
    """The split and the fresh sample of each run of a job, in run order: `split_0`, `fresh_0`, ..."""
    inputs = {}
    for i, seed in enumerate(seeds):
        inputs[f"split_{i}"] = result(f"data/seed{seed}.npz")
        inputs[f"fresh_{i}"] = result(f"data/seed{seed}_fresh.npz")
    return inputs


def setting_outputs(group, framework, seeds):
    """The five files of each run of a job, in run order: `history_0`, `metrics_0`, ..."""
    prefix = result(f"runs/{group}/{framework}/{{setting}}")
    return {
        f"{name.split('.')[0]}_{i}": f"{prefix}/seed{seed}/{name}"
        for i, seed in enumerate(seeds)
        for name in RUN_FILES
    }


def setting_runs(group, framework, seeds):
    """The `runs` param of a training job: the full description of each run, found from the wildcards."""

    def lookup(wildcards):
        run_ids = [
            f"{group}/{framework}/{wildcards.setting}/seed{wildcards.seed if seed == '{seed}' else seed}"
            for seed in seeds
        ]
        missing = [run_id for run_id in run_ids if run_id not in RUNS]
        if missing:
            raise WorkflowError(f"the config has no run {', '.join(missing)}")
        return [RUNS[run_id] for run_id in run_ids]

    return lookup


def speed_threads():
    # Claiming every core keeps other jobs off the machine while the speed job times epochs. A cluster
    # run need not give --cores (asking for it then raises): there the job asks for a node of its own.
    try:
        cores = workflow.cores
    except WorkflowError:
        return 1
    return cores if isinstance(cores, int) else 1


# ---------------------------------------------------------------- targets (inputs of the default target)


def data_targets():
    return [
        result(f"data/seed{seed}{kind}.npz")
        for seed in spiral_config.data_seeds(config)
        for kind in ("", "_fresh")
    ]


def run_targets(name, run_ids=None):
    """One file (e.g. "metrics.json") of every run."""
    return [
        f"{run_dir(run_id)}/{name}" for run_id in (RUNS if run_ids is None else run_ids)
    ]


def training_targets():
    return [path for name in RUN_FILES for path in run_targets(name)]


def table_targets():
    return [
        result(f"tables/{name}.csv")
        for name in ("runs", "epochs", "summary", "controlled", "engine_agreement")
    ]


def timing_targets():
    return [
        result("timing/runs.csv"),
        result("timing/speed.csv"),
        result("timing/speed_platform.json"),
    ]
