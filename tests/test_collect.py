"""Collected tables: one row per run and per run x epoch, a summary over seeds with t-intervals,
fixed columns and bytes."""
import math

import numpy as np
import pandas as pd
import pytest

from spiralbench import collect, job_tables
from spiralbench.io import ResultFileError
from spiralbench.training import RunResult

SETTING = "sgd-lr0.05-bs16-ep2-h8x8-relu-page"


def fake_run(root, seed, status="ok", test_accuracy=0.5, fresh_accuracy=0.6, framework="neurogebra", group="sweep",
             engine="scalar", losses=(3.25, 1.5), accuracies=(0.5, 0.75)):
    """Write the job tables of a job holding one run, with chosen numbers; return the job's directory."""
    run_id = f"{group}/{framework}/{SETTING}/seed{seed}"
    directory = root / "runs" / group / framework / f"{SETTING}-seed{seed}-{engine}"
    run = {"run_id": run_id, "group": group, "framework": framework, "setting": SETTING, "seed": seed,
           "optimizer": "sgd", "learning_rate": 0.05, "batch_size": 16, "epochs": 2, "hidden_sizes": [8, 8],
           "init": "page", "engine": engine if framework == "neurogebra" else "torch",
           "layer_sizes": [2, 8, 8, 3], "activation": "relu", "precision": "float64", "divergence_factor": 10}
    ok = status == "ok"
    completed = 2 if ok else 1
    y_test = np.zeros(4, dtype=np.int64)
    result = RunResult(
        run=run, history=list(zip([1, 2], losses, accuracies))[:completed], epoch_seconds=[0.1, 0.3][:completed],
        status=status, diverged_epoch=None if ok else 2,
        weights=[(np.zeros((8, 2)), np.zeros(8)), (np.zeros((8, 8)), np.zeros(8)), (np.zeros((3, 8)), np.zeros(3))],
        y_test=y_test, y_pred=(np.arange(4) >= round(test_accuracy * 4)).astype(np.int64),
        fresh_correct=round(fresh_accuracy * 40) if ok else None, n_fresh=40, fresh_seconds=0.004 if ok else None,
        n_train=72)
    job_tables.write_job([result], *(directory / name for name in job_tables.JOB_FILES))
    return directory


def runs_of(dirs, name="runs.parquet"):
    return [d / name for d in dirs]


def test_confidence_interval_matches_a_t_table():
    # Three values 1, 2, 3: mean 2, sample std 1; t(0.975, df=2) = 4.302653 from any t table.
    mean, std, low, high = collect.confidence_interval([1.0, 2.0, 3.0])
    assert mean == 2.0 and std == 1.0
    assert low == pytest.approx(2 - 4.302653 / math.sqrt(3), abs=1e-6)
    assert high == pytest.approx(2 + 4.302653 / math.sqrt(3), abs=1e-6)
    # Five values: t(0.975, df=4) = 2.776445.
    values = [0.9, 0.95, 1.0, 0.85, 0.8]
    mean, std, low, high = collect.confidence_interval(values)
    assert high - mean == pytest.approx(2.776445 * np.std(values, ddof=1) / math.sqrt(5), abs=1e-6)


def test_confidence_interval_of_one_or_no_value_has_no_spread():
    mean, std, low, high = collect.confidence_interval([0.7])
    assert mean == 0.7 and math.isnan(std) and math.isnan(low) and math.isnan(high)
    assert all(math.isnan(x) for x in collect.confidence_interval([]))


def test_tables_from_job_tables(tmp_path):
    dirs = [fake_run(tmp_path, 2, test_accuracy=0.5, fresh_accuracy=0.625), fake_run(tmp_path, 0, test_accuracy=1.0),
            fake_run(tmp_path, 1, status="diverged"), fake_run(tmp_path, 42, framework="pytorch", group="tutorial")]
    out = {name: tmp_path / "tables" / f"{name}.csv" for name in ("runs", "epochs", "summary")}
    collect.write_tables(runs_of(dirs), runs_of(dirs, "epochs.parquet"), out["runs"], out["epochs"], out["summary"])

    runs = pd.read_csv(out["runs"])
    assert list(runs.columns) == collect.RUNS_COLUMNS
    assert runs["run_id"].tolist() == sorted(runs["run_id"])
    assert runs["seed"].tolist() == [0, 1, 2, 42]
    diverged = runs[runs["status"] == "diverged"].iloc[0]
    assert diverged["diverged_epoch"] == 2 and math.isnan(diverged["test_accuracy"])
    assert math.isnan(diverged["fresh_accuracy"])
    assert runs.loc[runs["seed"] == 2, "fresh_accuracy"].item() == 0.625
    assert runs["hidden_sizes"].unique().tolist() == ["8x8"]
    assert runs["init"].unique().tolist() == ["page"]
    assert runs["engine"].tolist() == ["scalar", "scalar", "scalar", "torch"]

    epochs = pd.read_csv(out["epochs"])
    assert list(epochs.columns) == collect.EPOCHS_COLUMNS
    assert len(epochs) == 2 + 2 + 1 + 2  # the diverged run completed one epoch
    assert epochs[epochs["seed"] == 0]["loss"].tolist() == [3.25, 1.5]

    summary = pd.read_csv(out["summary"])
    assert list(summary.columns) == collect.SUMMARY_COLUMNS
    sweep = summary[(summary["group"] == "sweep")].iloc[0]
    assert sweep["n_runs"] == 3 and sweep["n_diverged"] == 1
    # Mean and interval over the two seeds that finished: 0.5 and 1.0; t(0.975, df=1) = 12.7062.
    assert sweep["test_accuracy_mean"] == 0.75
    assert sweep["test_accuracy_ci95_high"] == pytest.approx(0.75 + 12.7062 * np.std([0.5, 1.0], ddof=1) / math.sqrt(2), abs=1e-4)
    tutorial = summary[summary["group"] == "tutorial"].iloc[0]
    assert tutorial["n_runs"] == 1 and math.isnan(tutorial["test_accuracy_std"])

    # Same inputs, same bytes.
    first = {name: path.read_bytes() for name, path in out.items()}
    collect.write_tables(runs_of(dirs[::-1]), runs_of(dirs[::-1], "epochs.parquet"),
                         out["runs"], out["epochs"], out["summary"])
    assert {name: path.read_bytes() for name, path in out.items()} == first
    assert b"\r\n" not in first["runs"] and first["runs"].endswith(b"\n")


def test_timing_table(tmp_path):
    dirs = [fake_run(tmp_path, seed) for seed in (3, 1)]
    collect.write_timing(runs_of(dirs, "timing.parquet"), tmp_path / "timing" / "runs.csv")
    timing = pd.read_csv(tmp_path / "timing" / "runs.csv")
    assert list(timing.columns) == collect.TIMING_COLUMNS
    assert timing["seed"].tolist() == [1, 3] and timing["seconds_per_epoch_median"].tolist() == [0.2, 0.2]
    assert timing["engine"].tolist() == ["scalar", "scalar"]


def test_a_broken_job_table_is_named(tmp_path):
    directory = fake_run(tmp_path, 5)
    table = directory / "runs.parquet"
    table.write_bytes(table.read_bytes()[:-20])
    with pytest.raises(ResultFileError, match=r"seed5-scalar/runs\.parquet: not a readable Parquet table"):
        collect.runs_table([table])


def test_a_run_in_two_jobs_is_refused(tmp_path):
    directory = fake_run(tmp_path, 5)
    with pytest.raises(ValueError, match=r"run 'sweep/neurogebra/.*/seed5' is in more than one"):
        collect.runs_table(runs_of([directory, directory]))


def test_job_tables_are_the_same_bytes_for_the_same_runs(tmp_path):
    first = fake_run(tmp_path / "a", 3)
    second = fake_run(tmp_path / "b", 3)
    for name in job_tables.DETERMINISTIC_FILES:
        assert (first / name).read_bytes() == (second / name).read_bytes()
    assert (first / "runs.parquet").read_bytes() != fake_run(tmp_path / "c", 3, test_accuracy=0.25).joinpath(
        "runs.parquet").read_bytes()


def engine_pair(root, seed, tensor_losses=(3.25, 1.5), tensor_accuracies=(0.5, 0.75), tensor_test=0.5, status="ok"):
    scalar = fake_run(root, seed, group="engine_check", engine="scalar")
    tensor = fake_run(root, seed, engine="tensor", losses=tensor_losses, accuracies=tensor_accuracies,
                      test_accuracy=tensor_test, status=status)
    pair = {"seed": seed, "scalar": f"engine_check/neurogebra/{SETTING}/seed{seed}",
            "tensor": f"sweep/neurogebra/{SETTING}/seed{seed}"}
    return pair, [scalar, tensor]


def test_engine_agreement_table_compares_every_epoch_of_both_engines(tmp_path):
    pairs, dirs = [], []
    for seed, changes in (
        (3, {}),                                                     # the same numbers
        (1, {"tensor_losses": (3.25 + 4e-10, 1.5 - 1e-10)}),         # within 1e-9: agree
        (2, {"tensor_losses": (3.25, 1.5 + 2e-9)}),                  # a loss 2e-9 off: disagree
        (4, {"tensor_accuracies": (0.5, 0.7)}),                      # an accuracy off: disagree
        (5, {"tensor_test": 0.25}),                                  # the test accuracy off: disagree
        (6, {"status": "diverged"}),                                 # an epoch missing: disagree
    ):
        pair, run_dirs = engine_pair(tmp_path, seed, **changes)
        pairs.append(pair)
        dirs += run_dirs
    out = tmp_path / "tables" / "engine_agreement.csv"
    collect.write_engine_agreement(pairs, runs_of(dirs), runs_of(dirs, "epochs.parquet"), out)
    table = pd.read_csv(out)
    assert list(table.columns) == collect.ENGINE_AGREEMENT_COLUMNS
    assert table["seed"].tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6]
    agree = table.groupby("seed")["agree"].all().to_dict()
    assert agree == {1: True, 2: False, 3: True, 4: False, 5: False, 6: False}
    assert table[table["seed"] == 2]["loss_abs_diff"].max() == pytest.approx(2e-9, rel=1e-6)
    assert table[table["seed"] == 3]["loss_abs_diff"].max() == 0
    missing = table[(table["seed"] == 6) & (table["epoch"] == 2)].iloc[0]
    assert missing["loss_scalar"] == 1.5 and math.isnan(missing["loss_tensor"]) and not missing["agree"]


def test_engine_agreement_without_pairs_is_an_empty_table(tmp_path):
    collect.write_engine_agreement([], [], [], tmp_path / "agreement.csv")
    table = pd.read_csv(tmp_path / "agreement.csv")
    assert list(table.columns) == collect.ENGINE_AGREEMENT_COLUMNS and table.empty
