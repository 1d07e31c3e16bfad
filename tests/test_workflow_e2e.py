"""The workflow end to end on the small config (config/ci.yaml), results in a temporary directory
(the session's ``ci_results`` run, see conftest.py), and the tables it produced."""
import json
import re
import subprocess
import sys

import pandas as pd
import pytest
import yaml

from conftest import CI_CONFIG, REPO, copy_of, run_workflow, workflow_env
from spiralbench import job_tables
from spiralbench.config import engine_pairs, load_config, run_ids
from spiralbench.speed import instrument


@pytest.fixture(scope="module")
def results(ci_results):
    return ci_results


@pytest.fixture(scope="module")
def ci_config():
    return load_config(CI_CONFIG)


def test_one_row_per_run_with_valid_metrics(results, ci_config):
    runs = pd.read_csv(results / "tables" / "runs.csv")
    assert runs["run_id"].tolist() == run_ids(ci_config)
    assert set(runs["status"]) <= {"ok", "diverged"}
    finished = runs[runs["status"] == "ok"]
    for column in ("train_accuracy", "test_accuracy"):
        assert finished[column].between(0, 1).all()
    assert (finished["epochs_completed"] == finished["epochs"]).all()
    assert (runs["n_parameters"] == 2 * 8 + 8 + 8 * 8 + 8 + 8 * 3 + 3).all()
    # The tutorial in the page's precisions; the sweep in both, from both initialisations, in both frameworks.
    tutorial = runs[runs["group"] == "tutorial"].set_index("framework")["precision"].to_dict()
    assert tutorial == {"neurogebra": "float64", "pytorch": "float32"}
    sweep = runs[runs["group"] == "sweep"]
    assert set(zip(sweep["framework"], sweep["init"], sweep["precision"])) == {
        (fw, init, precision) for fw in ("neurogebra", "pytorch") for init in ("page", "torch-default")
        for precision in ("float32", "float64")}
    assert set(zip(runs["group"], runs["framework"], runs["engine"])) == {
        ("sweep", "neurogebra", "tensor"), ("sweep", "pytorch", "torch"), ("tutorial", "neurogebra", "scalar"),
        ("tutorial", "pytorch", "torch"), ("engine_check", "neurogebra", "scalar")}


def test_learning_rate_50_is_recorded_as_diverged_and_the_rest_finished(results):
    runs = pd.read_csv(results / "tables" / "runs.csv")
    exploding = runs[runs["learning_rate"] == 50]
    assert len(exploding) == 16 and (exploding["status"] == "diverged").all()  # 2 frameworks, inits, precisions, seeds
    assert (exploding["diverged_epoch"] >= 1).all() and exploding["test_accuracy"].isna().all()
    assert (runs[runs["learning_rate"] != 50]["status"] == "ok").all()
    jobs = job_tables.read_tables(sorted((results / "runs").glob("**/runs.parquet")))
    recorded = jobs.set_index("run_id").loc[exploding["run_id"]]
    assert (recorded["status"] == "diverged").all() and recorded["divergence"].str.contains("exceeds").all()


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
    assert len(sweep) == 2 * len(ci_config["sweep"]["learning_rate"]) * len(ci_config["sweep"]["init"]) * len(
        ci_config["sweep"]["precision"])
    assert (sweep["n_runs"] == len(ci_config["seeds"])).all()
    stable = sweep[sweep["learning_rate"] != 50]
    assert (stable["test_accuracy_ci95_low"] <= stable["test_accuracy_mean"]).all()
    assert (stable["test_accuracy_mean"] <= stable["test_accuracy_ci95_high"]).all()
    assert (sweep[sweep["learning_rate"] == 50]["n_diverged"] == len(ci_config["seeds"])).all()


def test_both_neurogebra_engines_agree_on_every_seed(results, ci_config):
    agreement = pd.read_csv(results / "tables" / "engine_agreement.csv")
    assert sorted(agreement["seed"].unique()) == sorted(ci_config["seeds"])
    assert len(agreement) == len(ci_config["seeds"]) * ci_config["tutorial"]["epochs"]
    assert sorted((pair["scalar"], pair["tensor"]) for pair in engine_pairs(ci_config)) == sorted(
        agreement.drop_duplicates("seed")[["scalar_run_id", "tensor_run_id"]].itertuples(index=False, name=None))
    assert agreement["agree"].all() and agreement["loss_abs_diff"].max() <= 1e-9
    assert (agreement["accuracy_scalar"] == agreement["accuracy_tensor"]).all()


def test_controlled_comparison_agrees(results, ci_config):
    controlled = pd.read_csv(results / "tables" / "controlled.csv")
    assert len(controlled) == ci_config["controlled"]["epochs"]
    assert controlled["abs_diff"].max() < 1e-9
    assert (controlled["scalar_accuracy"] == controlled["tensor_accuracy"]).all()
    assert (controlled["tensor_accuracy"] == controlled["torch_accuracy"]).all()


def test_timing_is_kept_apart(results, ci_config):
    timing = pd.read_csv(results / "timing" / "runs.csv")
    assert len(timing) == len(run_ids(ci_config))
    speed = pd.read_csv(results / "timing" / "speed.csv")
    speed_config = ci_config["speed"]
    # Every implementation in every precision at every width, the scalar engine only in float64 and up to
    # scalar_max_width.
    cells = {(name, precision, width) for name in speed_config["implementations"]
             for precision in speed_config["precisions"] for width in speed_config["hidden_widths"]
             if name != "scalar" or (precision == "float64" and width <= speed_config["scalar_max_width"])}
    # Every cell of a width timed in the same rounds: at least `repeats`, more (up to `max_repeats`) while a
    # cell of the width was unstable.
    rounds = speed.groupby(["implementation", "precision", "hidden_width"])["repeat"].count()
    assert rounds.groupby(level="hidden_width").nunique().eq(1).all()
    assert rounds.between(speed_config["repeats"], instrument(speed_config)["max_repeats"]).all()
    # A cell is stable or not as a whole.
    assert speed.groupby(["implementation", "precision", "hidden_width"])["stable"].nunique().eq(1).all()
    assert set(zip(speed["implementation"], speed["precision"], speed["hidden_width"])) == cells
    assert (speed["seconds_per_epoch"] > 0).all()


def test_rerun_has_nothing_to_do(results):
    done = run_workflow(results, extra=("--dry-run",))
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Nothing to be done" in done.stdout + done.stderr


def test_a_lost_output_is_rebuilt_identically(results, tmp_path):
    """A job's tables deleted (as after an interrupted job) come back with the same bytes."""
    copy = copy_of(results, tmp_path)  # only the lost job reruns
    job = copy / "runs" / "sweep" / "neurogebra" / "sgd-lr0.05-bs16-ep3-h8x8-relu"
    before = {name: (job / name).read_bytes() for name in job_tables.DETERMINISTIC_FILES}
    (job / "runs.parquet").unlink()
    done = run_workflow(copy, str(job / "runs.parquet"))
    assert done.returncode == 0, done.stderr[-3000:]
    assert {name: (job / name).read_bytes() for name in job_tables.DETERMINISTIC_FILES} == before


@pytest.mark.parametrize(
    "key, value, message",
    [
        ("learning_rate", [-0.5], "sweep.learning_rate[0]: -0.5 is not allowed; it must be greater than 0"),
        ("batch_size", [500], "sweep.batch_size[0]: 500 is larger than the training set (72 points"),
    ],
)
def test_bad_config_stops_before_any_job(tmp_path, key, value, message):
    config = yaml.safe_load(CI_CONFIG.read_text())
    config["sweep"][key] = value
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(config))
    done = run_workflow(tmp_path / "results", config=bad)
    assert done.returncode != 0
    assert message in done.stdout + done.stderr
    assert not (tmp_path / "results").exists()


def test_seeds_can_be_changed_on_the_command_line(tmp_path):
    """Snakemake hands `--config seeds=[1,2]` over as ['1', '2']; the workflow takes them as seeds."""
    command = [sys.executable, "-m", "snakemake", "-n", "--cores", "1",
               "--config", "seeds=[1,2]", f"results_dir={tmp_path / 'results'}", "data={'n_points':40}"]
    done = subprocess.run(command, cwd=REPO, env=workflow_env(), capture_output=True, text=True)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-3000:]
    assert "is not an integer" not in output
    for seed in (1, 2, 42):  # the two seeds, and the tutorial's
        assert f"data/seed{seed}.npz" in output
    assert "data/seed0.npz" not in output and "/seed8/" not in output
    assert not (tmp_path / "results").exists()


def test_the_jobs_run_under_the_pins_and_the_speed_job_without(results, ci_config):
    """The trained runs' numbers are pinned; the timings are taken as the libraries run when left alone,
    and the speed job's platform records the BLAS threads its timings ran with."""
    from spiralbench import numeric_platform
    jobs = json.loads((results / "platform.json").read_text())
    speed = json.loads((results / "timing" / "speed_platform.json").read_text())
    assert jobs["pins"] == ("on" if numeric_platform.pins_apply() else "none")
    assert speed["pins"] == "off"
    threads = re.findall(r"(\d+) threads", speed["blas"])
    assert threads and set(threads) == {str(ci_config["speed"]["threads"])}, speed["blas"]


def test_a_changed_setting_retrains_only_the_jobs_it_touches(results, tmp_path):
    """One learning rate changed: only the two jobs (one per framework) of the new setting are trained."""
    copy = copy_of(results, tmp_path)
    done = run_workflow(copy, extra=("--dry-run",), settings=("sweep={'learning_rate': [0.05, 40]}",))
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-3000:]
    trained = set(re.findall(r"rule (train_\w+):(?:(?!\nrule ).)*?stem=(\S+)", output, flags=re.S))
    assert trained == {("train_sweep_neurogebra", "sgd-lr40-bs16-ep3-h8x8-relu"),
                       ("train_sweep_pytorch", "sgd-lr40-bs16-ep3-h8x8-relu")}


def test_a_results_directory_of_the_old_layout_is_refused_and_kept(tmp_path):
    results = tmp_path / "results"
    old_run = results / "runs" / "sweep" / "pytorch" / "sgd-lr0.05-bs16-ep3-h8x8-relu-page-f32" / "seed7"
    old_run.mkdir(parents=True)
    (old_run / "metrics.json").write_text('{"status": "ok"}\n')
    done = run_workflow(results)
    assert done.returncode != 0
    output = done.stdout + done.stderr
    assert f"{results} holds runs in the old layout" in output and f"results_dir={results}-new" in output
    assert (old_run / "metrics.json").read_text() == '{"status": "ok"}\n'
    assert sorted(path.name for path in results.iterdir()) == ["runs"]
