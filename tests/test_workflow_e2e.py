"""The workflow end to end on the small config (config/ci.yaml), in a copy of the repository's
workflow files in a temporary directory, and the tables it produced."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from spiralbench.config import load_config, run_ids

REPO = Path(__file__).resolve().parents[1]
# What the Snakefile reads, relative to the directory snakemake runs in.
WORKFLOW_FILES = ("Snakefile", "config", "workflow", "report")


def snakemake(workdir, *args, check=True):
    command = [sys.executable, "-m", "snakemake", "--cores", "2", "--configfile", "config/ci.yaml", *args]
    done = subprocess.run(command, cwd=workdir, capture_output=True, text=True)
    if check and done.returncode != 0:
        raise AssertionError(f"snakemake {' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}")
    return done


def copy_workflow(destination):
    for name in WORKFLOW_FILES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, destination / name, ignore=shutil.ignore_patterns("__pycache__", "published"))
        elif source.exists():
            shutil.copy2(source, destination / name)
    return destination


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return copy_workflow(tmp_path_factory.mktemp("workflow"))


@pytest.fixture(scope="module")
def results(workdir):
    """Run the whole small workflow once; the tests below read what it wrote."""
    snakemake(workdir)
    return workdir / load_config(REPO / "config" / "ci.yaml")["results_dir"]


@pytest.fixture(scope="module")
def ci_config():
    return load_config(REPO / "config" / "ci.yaml")


def test_one_row_per_run_with_valid_metrics(results, ci_config):
    runs = pd.read_csv(results / "tables" / "runs.csv")
    assert runs["run_id"].tolist() == run_ids(ci_config)
    assert set(runs["status"]) <= {"ok", "diverged"}
    finished = runs[runs["status"] == "ok"]
    for column in ("train_accuracy", "test_accuracy"):
        assert finished[column].between(0, 1).all()
    assert (finished["epochs_completed"] == finished["epochs"]).all()
    assert (runs["n_parameters"] == 2 * 8 + 8 + 8 * 8 + 8 + 8 * 3 + 3).all()
    assert set(runs[runs["framework"] == "pytorch"]["dtype"]) == {"float32"}


def test_learning_rate_50_is_recorded_as_diverged_and_the_rest_finished(results):
    runs = pd.read_csv(results / "tables" / "runs.csv")
    exploding = runs[runs["learning_rate"] == 50]
    assert len(exploding) == 4 and (exploding["status"] == "diverged").all()
    assert (exploding["diverged_epoch"] >= 1).all() and exploding["test_accuracy"].isna().all()
    assert (runs[runs["learning_rate"] != 50]["status"] == "ok").all()
    for run_id in exploding["run_id"]:
        metrics = json.loads((results / "runs" / run_id / "metrics.json").read_text())
        assert metrics["status"] == "diverged" and metrics["divergence"]


def test_epochs_table_has_every_completed_epoch(results):
    runs = pd.read_csv(results / "tables" / "runs.csv")
    epochs = pd.read_csv(results / "tables" / "epochs.csv")
    assert len(epochs) == runs["epochs_completed"].sum()
    counts = epochs.groupby("run_id")["epoch"].max()
    finished = runs[runs["status"] == "ok"].set_index("run_id")
    assert (counts[finished.index] == finished["epochs"]).all()


def test_summary_over_seeds(results, ci_config):
    summary = pd.read_csv(results / "tables" / "summary.csv")
    sweep = summary[summary["group"] == "sweep"]
    assert len(sweep) == 2 * len(ci_config["sweep"]["learning_rate"])
    assert (sweep["n_runs"] == len(ci_config["seeds"])).all()
    stable = sweep[sweep["learning_rate"] != 50]
    assert (stable["test_accuracy_ci95_low"] <= stable["test_accuracy_mean"]).all()
    assert (stable["test_accuracy_mean"] <= stable["test_accuracy_ci95_high"]).all()
    assert (sweep[sweep["learning_rate"] == 50]["n_diverged"] == len(ci_config["seeds"])).all()


def test_controlled_comparison_agrees(results, ci_config):
    controlled = pd.read_csv(results / "tables" / "controlled.csv")
    assert len(controlled) == ci_config["controlled"]["epochs"]
    assert controlled["abs_diff"].max() < 1e-6


def test_timing_is_kept_apart(results, ci_config):
    timing = pd.read_csv(results / "timing" / "runs.csv")
    assert len(timing) == len(run_ids(ci_config))
    speed = pd.read_csv(results / "timing" / "speed.csv")
    speed_config = ci_config["speed"]
    assert len(speed) == 2 * len(speed_config["hidden_widths"]) * speed_config["repeats"]
    assert (speed["seconds_per_epoch"] > 0).all()


def test_rerun_has_nothing_to_do(results, workdir):
    done = snakemake(workdir, "--dry-run")
    assert "Nothing to be done" in done.stdout + done.stderr


def test_a_lost_output_is_rebuilt_identically(results, workdir):
    """A run's files deleted (as after an interrupted job) come back with the same bytes."""
    run_dir = results / "runs" / "sweep" / "neurogebra" / "sgd-lr0.05-bs16-ep3-h8x8-relu" / "seed7"
    before = {path.name: path.read_bytes() for path in run_dir.iterdir() if path.name != "timing.json"}
    (run_dir / "params.npz").unlink()
    snakemake(workdir, str((run_dir / "params.npz").relative_to(workdir)))
    after = {path.name: path.read_bytes() for path in run_dir.iterdir() if path.name != "timing.json"}
    assert after == before


def test_bad_config_stops_before_any_job(tmp_path):
    workdir = copy_workflow(tmp_path)
    config = yaml.safe_load((REPO / "config" / "ci.yaml").read_text())
    config["sweep"]["learning_rate"] = [-0.5]
    config["sweep"]["batch_size"] = [500]
    (workdir / "config" / "ci.yaml").write_text(yaml.safe_dump(config))
    done = snakemake(workdir, check=False)
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert "sweep.learning_rate[0]: -0.5 is not allowed; it must be greater than 0" in output
    assert not (workdir / config["results_dir"]).exists()
