"""The facts of the report's reproducibility section, computed from tables and files (and changed with them)."""
from __future__ import annotations

import pandas as pd
import pytest

from spiralbench.findings import reproducibility as facts

CONFIG = {
    "data": {"n_points": 100, "n_classes": 3, "noise": 0.2, "train_fraction": 0.8},
    "sweep": {"optimizer": ["sgd", "adam"], "learning_rate": [0.05], "batch_size": [16], "epochs": [30],
              "hidden_sizes": [[16, 16]], "activation": ["relu"], "init": ["page"], "precision": ["float64"]},
    "tutorial": {"batch_size": 16, "epochs": 30, "hidden_sizes": [16, 16], "activation": "relu", "seed": 42,
                 "neurogebra": {"optimizer": "sgd", "learning_rate": 0.05}, "pytorch": {"optimizer": "adam"}},
    "controlled": {"seed": 42, "hidden_sizes": [16, 16]},
    "speed": {"threads": 1},
    "divergence_factor": 10.0,
}


def test_one_test_point_is_the_accuracy_step():
    split = facts.split(CONFIG)
    assert (split["n_train"], split["n_test"]) == (240, 60)
    assert split["test_point_pp"] == pytest.approx(1.6667, abs=1e-4)
    smaller = facts.split({**CONFIG, "data": {**CONFIG["data"], "n_points": 30}})
    assert smaller["n_test"] == 18 and smaller["test_point_pp"] == pytest.approx(100 / 18)


def test_every_hyperparameter_is_listed_with_its_config_key():
    table = facts.hyperparameters(CONFIG).set_index("config key")["values"]
    assert table["sweep.optimizer"] == "sgd, adam" and table["sweep.hidden_sizes"] == "16x16"
    assert table["tutorial.hidden_sizes"] == "16x16" and table["controlled.hidden_sizes"] == "16x16"
    assert table["tutorial.neurogebra"] == "optimizer sgd, learning_rate 0.05"
    assert table["divergence_factor"] == "10"


def test_runs_are_counted_per_group_and_compute_summed():
    runs = pd.DataFrame({"run_id": ["a", "b", "c"], "group": ["sweep", "sweep", "tutorial"],
                         "framework": ["neurogebra", "pytorch", "pytorch"], "setting": ["s", "s", "t"],
                         "seed": [1, 2, 1], "status": ["ok", "diverged", "ok"], "epochs_completed": [10, 4, 10]})
    counts = facts.run_counts(runs).set_index("group")
    assert counts.loc["sweep"].tolist() == [2, 2, 1, 2, 1] and counts.loc["tutorial", "diverged"] == 0
    timing = pd.DataFrame({"run_id": ["a", "b", "c"], "seconds_per_epoch_median": [0.5, 1.0, 0.1]})
    speed = pd.DataFrame({"seconds_per_epoch": [0.25, 0.75]})
    # Each speed row is one repeat's mean seconds per epoch over the config's speed.epochs epochs.
    spent = facts.compute(runs, timing, speed, speed_epochs=2)
    assert spent["training_seconds"] == pytest.approx(5 + 4 + 1) and spent["speed_seconds"] == pytest.approx(2.0)


def test_the_manifest_is_summarised_from_its_file(tmp_path):
    manifest = tmp_path / "manifest.sha256"
    manifest.write_text("".join(f"{'0' * 64}  {path}\n" for path in (
        "data/seed1.npz", "runs/sweep/a/x/runs.parquet", "runs/sweep/b/x/runs.parquet", "runs/sweep/b/x/epochs.parquet",
        "tables/runs.csv")))
    entries = facts.manifest_entries(manifest).set_index("output")["entries"]
    assert entries.to_dict() == {"data/…": 1, "runs/…/epochs.parquet": 1, "runs/…/runs.parquet": 2, "tables/…": 1}


def test_the_verdicts_counted_leave_out_the_row_naming_their_metric():
    verdicts = pd.DataFrame({"verdict": ["the metric the verdicts use", "a", "b"], "value": ["fresh_accuracy", "x", "y"]})
    assert facts.verdict_count(verdicts) == 2


def test_the_level_experiment_is_shown_from_its_published_file(tmp_path):
    assert facts.level_experiment(tmp_path).empty
    (tmp_path / "level_experiment.csv").write_text(
        "variant,what,runs_differing_from_reference,passes,tests_failing,first_difference\n"
        "generic,faithful,12,True,0 of 20,\nsplit,changed,3,False,,data/seed1.npz: y\n")
    shown = facts.level_experiment(tmp_path)
    assert list(shown["distributions reproduced"]) == ["yes", "no"] and shown["first difference named"].iloc[0] == "–"
