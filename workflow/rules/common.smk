# Shared by the other .smk files: the validated config, result paths, and the lists of targets.
import sys

from snakemake.exceptions import WorkflowError

from spiralbench import config as spiral_config
from spiralbench import job_tables

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
# A results directory from before jobs wrote tables holds a directory of files per run: its runs would be
# trained again beside the old ones and the old ones left to mislead. Stop before any job, and say why.
if old_run := job_tables.old_layout(RESULTS):
    raise WorkflowError(
        f"{RESULTS} holds runs in the old layout, a directory of files per run ({old_run.parent}); this "
        "workflow writes a few tables per job instead, and does not convert them. Run into a fresh "
        f"directory (--config results_dir={RESULTS}-new), or delete {RESULTS}/runs to retrain here."
    )
RUNS = {run["run_id"]: run for run in spiral_config.runs(config)}


wildcard_constraints:
    setting="[^/]+",
    stem="[^/]+",
    seed=r"\d+",


def result(path):
    """A path inside the results directory."""
    return f"{RESULTS}/{path}"


def run_groups():
    """For each group of runs: the seeds it is trained for and the frameworks it trains."""
    return {
        "sweep": (config["seeds"], config["frameworks"]),
        "tutorial": ([config["tutorial"]["seed"]], spiral_config.FRAMEWORKS),
        "engine_check": (
            config["seeds"],
            [fw for fw in config["frameworks"] if fw == "neurogebra"],
        ),
    }


# What one training job trains. A job spends one to four seconds starting Python and importing numpy,
# pandas and torch (or neurogebra), longer than most of its runs take; so one job trains every seed of
# a setting in every initialisation and precision of its group: the settings that differ only in the
# last two parts of their name (`{stem}-{init}-f{bits}`). The default sweep has 6 such jobs per
# framework. The engine check's scalar-engine runs are the workflow's longest job; it starts with the
# first jobs, and the others fill the other cores meanwhile.


variant_suffix = job_tables.variant_suffix


def job_variants(group, framework):
    """The (init, precision) pairs of a group's runs of one framework, in the config's order."""
    variants = []
    for run in RUNS.values():
        if (run["group"], run["framework"]) != (group, framework):
            continue
        variant = (run["init"], run["precision"])
        if not run["setting"].endswith(variant_suffix(*variant)):
            raise WorkflowError(
                f"setting {run['setting']} does not end with its initialisation and precision"
            )
        if variant not in variants:
            variants.append(variant)
    return variants


def train_log(group, framework):
    return result(f"logs/train/{group}/{framework}/{{stem}}.log")


def job_inputs(seeds):
    """Each seed's split and fresh sample: `split_42`, `fresh_42`, ..."""
    inputs = {}
    for seed in seeds:
        inputs[f"split_{seed}"] = result(f"data/seed{seed}.npz")
        inputs[f"fresh_{seed}"] = result(f"data/seed{seed}_fresh.npz")
    return inputs


def job_run_settings(group, framework, seeds):
    """(setting pattern, seed) of each run of a job, in run order: variant by variant, seed by seed."""
    return [
        (f"{{stem}}{variant_suffix(*variant)}", seed)
        for variant in job_variants(group, framework)
        for seed in seeds
    ]


def job_outputs(group, framework):
    """A job's three tables (spiralbench.job_tables): `runs`, `epochs`, `timing`."""
    return {
        name.removesuffix(".parquet"): result(
            f"runs/{group}/{framework}/{{stem}}/{name}"
        )
        for name in job_tables.JOB_FILES
    }


def job_table(run_id, name):
    """The table `name` (e.g. "runs.parquet") of the job that trains `run_id`."""
    return result(job_tables.job_path(RUNS[run_id], name))


def job_runs(group, framework, seeds):
    """The `runs` param of a training job: the full description of each run, found from the wildcards."""

    def lookup(wildcards):
        run_ids = [
            f"{group}/{framework}/{setting.format(stem=wildcards.stem)}/seed{seed}"
            for setting, seed in job_run_settings(group, framework, seeds)
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
    """The table `name` (e.g. "runs.parquet") of every job that trains one of `run_ids` (all runs by
    default), each once, sorted."""
    return sorted(
        {job_table(run_id, name) for run_id in (RUNS if run_ids is None else run_ids)}
    )


def training_targets():
    return [path for name in job_tables.JOB_FILES for path in run_targets(name)]


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
