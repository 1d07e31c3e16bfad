"""The facts of the report's reproducibility section, computed from the results and the published record.

What the ML Reproducibility Checklist asks a report to state (how many runs and seeds, how the data
are split, every hyperparameter, the computing infrastructure, the compute spent) and what this
project adds (the manifest, the check's levels, the ledger of reproductions, the verdicts a rerun is judged on).
Only pandas here: the report words these facts and lays them out; nothing here is a sentence.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

# The sweep's keys a run's setting is made of, in the order the config lists them.
SWEEP_KEYS = ("optimizer", "learning_rate", "batch_size", "epochs", "hidden_sizes", "activation", "init",
              "precision")


def run_counts(runs: pd.DataFrame) -> pd.DataFrame:
    """Per group: runs, frameworks, settings, seeds and diverged runs."""
    rows = []
    for group, mine in runs.groupby("group", sort=True):
        rows.append({"group": group, "runs": len(mine), "frameworks": mine["framework"].nunique(),
                     "settings": mine["setting"].nunique(), "seeds": mine["seed"].nunique(),
                     "diverged": int((mine["status"] != "ok").sum())})
    return pd.DataFrame(rows, columns=["group", "runs", "frameworks", "settings", "seeds", "diverged"])


def split(config: dict) -> dict:
    """The data: points per class, classes, the training fraction, the set sizes, and what one test point
    weighs in percentage points of accuracy (the finest step a run's test accuracy can move by)."""
    data = config["data"]
    n_total = data["n_points"] * data["n_classes"]
    n_train = int(data["train_fraction"] * n_total)  # as the page splits: int(0.8 * len(X))
    n_test = n_total - n_train
    return {"n_points": data["n_points"], "n_classes": data["n_classes"], "noise": data.get("noise"),
            "train_fraction": data["train_fraction"], "n_train": n_train, "n_test": n_test,
            "test_point_pp": 100 / n_test}


def hyperparameters(config: dict) -> pd.DataFrame:
    """Every hyperparameter of the runs: the sweep's grid, the tutorial's runs, the controlled run and the
    speed job, each with the config key it comes from."""
    rows = [{"hyperparameter": key, "values": _values(config["sweep"][key]), "config key": f"sweep.{key}"}
            for key in SWEEP_KEYS if key in config["sweep"]]
    tutorial = config["tutorial"]
    for key in ("batch_size", "epochs", "hidden_sizes", "activation", "seed"):
        value = tutorial[key]
        rows.append({"hyperparameter": f"tutorial {key}", "values": _values([value] if key == "hidden_sizes" else value),
                     "config key": f"tutorial.{key}"})
    for framework in ("neurogebra", "pytorch"):
        chosen = ", ".join(f"{k} {_values(v)}" for k, v in tutorial[framework].items())
        rows.append({"hyperparameter": f"tutorial {framework}", "values": chosen,
                     "config key": f"tutorial.{framework}"})
    for key, value in config["controlled"].items():
        value = [value] if key == "hidden_sizes" else value
        rows.append({"hyperparameter": f"controlled {key}", "values": _values(value), "config key": f"controlled.{key}"})
    for key, value in config["speed"].items():
        rows.append({"hyperparameter": f"speed {key}", "values": _values(value), "config key": f"speed.{key}"})
    rows.append({"hyperparameter": "divergence factor", "values": _values(config["divergence_factor"]),
                 "config key": "divergence_factor"})
    return pd.DataFrame(rows, columns=["hyperparameter", "values", "config key"])


def _values(value) -> str:
    """A config value as text: lists joined with commas, a list of sizes as 16x16."""
    if isinstance(value, list) and value and all(isinstance(v, list) for v in value):
        return ", ".join("x".join(map(str, v)) for v in value)  # hidden sizes: 16x16, 32x32
    if isinstance(value, list):
        return ", ".join(_values(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k} {_values(v)}" for k, v in value.items())
    return f"{value:g}" if isinstance(value, float) else str(value)


def compute(runs: pd.DataFrame, run_timing: pd.DataFrame, speed: pd.DataFrame, speed_epochs: int) -> dict:
    """Compute spent: seconds of training summed over every run (median seconds per epoch × epochs trained),
    and over the speed job's timed samples: each row of ``timing/speed.csv`` is one sample's mean seconds
    per epoch over its ``epochs_per_sample`` epochs (tables written before the calibration: over
    ``speed_epochs``, ``speed.epochs`` in the config), so a sample timed that many times its row
    (calibration and warm-up samples are not counted)."""
    timed = runs[["run_id", "epochs_completed"]].merge(run_timing[["run_id", "seconds_per_epoch_median"]], on="run_id")
    training = float((timed["epochs_completed"] * timed["seconds_per_epoch_median"]).sum())
    return {"runs": len(runs), "runs_timed": len(timed), "training_seconds": training,
            "speed_seconds": float((speed["seconds_per_epoch"] * speed.get("epochs_per_sample", speed_epochs)).sum())}


def manifest_entries(manifest_path: Path) -> pd.DataFrame:
    """The published manifest's entries by kind of output (its first directory and, under ``runs/``,
    the file name), e.g. ``runs/…/runs.parquet``: one per training job."""
    paths = [line.split("  ", 1)[1] for line in Path(manifest_path).read_text(encoding="utf-8").splitlines() if line]
    kinds = [f"runs/…/{path.rsplit('/', 1)[-1]}" if path.startswith("runs/") else f"{path.split('/', 1)[0]}/…"
             for path in paths]
    counts = pd.Series(kinds).value_counts().sort_index()
    return pd.DataFrame({"output": counts.index, "entries": counts.to_numpy()})


def ledger_machines(published_dir: Path) -> pd.DataFrame:
    """The published ledger's machines (``spiralbench.ledger.machines``), as the report shows them."""
    from spiralbench import ledger

    machines = ledger.machines(ledger.read(Path(published_dir) / ledger.LEDGER_NAME))
    return pd.DataFrame({
        "CPU (vendor family model)": machines["cpu"] + " (" + machines["vendor"] + " " + machines["family"] + " "
        + machines["model"] + ")",
        "ISA level": machines["isa_level"], "published here": machines["published"].map({True: "yes", False: ""}),
        "checks": machines["checks"], "strongest level": machines["strongest"], "where": machines["runners"],
        "last": machines["last"]})


def level_experiment(published_dir: Path) -> pd.DataFrame:
    """The published level experiment (``spiralbench.level_experiment``): each variant, whether the
    distributions level passed it, and the first difference it named; empty where none is published."""
    path = Path(published_dir) / "level_experiment.csv"
    if not path.is_file():
        return pd.DataFrame()
    table = pd.read_csv(path, keep_default_na=False)
    return pd.DataFrame({"rerun": table["what"], "runs whose bytes differ": table["runs_differing_from_reference"],
                         "distributions reproduced": table["passes"].map({True: "yes", False: "no"}),
                         "tests failing": table["tests_failing"].replace("", "–"),
                         # a SHA-256 by its first 12 digits, so that the cell can wrap on a narrow page
                         "first difference named": table["first_difference"].str.replace(
                             r"\b([0-9a-f]{12})[0-9a-f]{52}\b", r"\1…", regex=True).replace("", "–")})


def verdict_count(verdicts: pd.DataFrame) -> int:
    """The verdicts a rerun is judged on: every row but the one naming the metric they use."""
    return int((verdicts["verdict"] != "the metric the verdicts use").sum())
