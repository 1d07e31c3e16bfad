"""The jobs' tables gathered into the report's tidy tables: one row per run, per run × epoch, per setting,
and the check that neurogebra's two engines trained the same runs to the same numbers.

Rows are sorted by their key columns and written with ``spiralbench.io.write_csv`` (fixed column
order, exact floats), so the same runs always give the same bytes. Timing is collected into its own
table, apart from everything deterministic.
"""
from __future__ import annotations

import pandas as pd

from spiralbench import job_tables
from spiralbench.config import SETTING_KEYS
from spiralbench.intervals import t_interval
from spiralbench.io import write_csv
from spiralbench.job_tables import RUN_KEYS

SETTING_COLUMNS = list(SETTING_KEYS)
RUNS_COLUMNS = [
    *RUN_KEYS, *SETTING_COLUMNS, "engine", "n_parameters",
    "status", "diverged_epoch", "epochs_completed", "final_loss", "train_accuracy", "test_accuracy",
    "fresh_accuracy",
]
EPOCHS_COLUMNS = [*RUN_KEYS, "optimizer", "learning_rate", "batch_size", "init", "precision", "engine", "epoch", "loss",
                  "accuracy"]
SUMMARY_KEYS = ["group", "framework", "setting"]
SUMMARY_METRICS = ["test_accuracy", "fresh_accuracy", "train_accuracy", "final_loss"]
SUMMARY_COLUMNS = [
    *SUMMARY_KEYS, *SETTING_COLUMNS, "engine", "n_runs", "n_diverged",
    *[f"{metric}_{stat}" for metric in SUMMARY_METRICS for stat in ("mean", "std", "ci95_low", "ci95_high")],
]
TIMING_COLUMNS = [
    "run_id", "framework", "engine", "setting", "seed",
    "seconds_per_epoch_median", "seconds_per_epoch_p25", "seconds_per_epoch_p75", "samples_per_second_median",
    "fresh_evaluation_seconds",
]
# Two engines agree on a run when every epoch's loss differs by at most this much (the losses are
# sums of about 15 batch means of order 1, so float64 rounding alone stays near 1e-14) and every
# accuracy is equal.
ENGINE_LOSS_TOLERANCE = 1e-9
ENGINE_AGREEMENT_COLUMNS = [
    "seed", "epoch", "scalar_run_id", "tensor_run_id", "loss_scalar", "loss_tensor", "loss_abs_diff",
    "accuracy_scalar", "accuracy_tensor", "test_accuracy_scalar", "test_accuracy_tensor", "agree",
]


def _sorted(table: pd.DataFrame, keys) -> pd.DataFrame:
    return table.sort_values(list(keys), kind="mergesort").reset_index(drop=True)


def runs_table(runs_paths) -> pd.DataFrame:
    """One row per run, from the jobs' ``runs.parquet``."""
    table = job_tables.read_tables(runs_paths, RUNS_COLUMNS)
    duplicated = table["run_id"][table["run_id"].duplicated()]
    if len(duplicated):
        raise ValueError(f"run {duplicated.iloc[0]!r} is in more than one of the jobs' tables")
    return _sorted(table, ["run_id"])


def epochs_table(runs: pd.DataFrame, epochs_paths) -> pd.DataFrame:
    """One row per run × completed epoch, from the jobs' ``epochs.parquet``, with each run's setting."""
    epochs = job_tables.read_tables(epochs_paths, job_tables.EPOCHS_SCHEMA.names)
    unknown = sorted(set(epochs["run_id"]) - set(runs["run_id"]))
    if unknown:
        raise ValueError(f"epochs of run {unknown[0]!r}, which no runs table holds")
    setting = [column for column in EPOCHS_COLUMNS if column not in epochs.columns]
    table = epochs.merge(runs[["run_id", *setting]], on="run_id", how="left", validate="many_to_one")
    return _sorted(table[EPOCHS_COLUMNS], ["run_id", "epoch"])


def confidence_interval(values) -> tuple[float, float, float, float]:
    """(mean, std, low, high) of a metric over seeds: ``intervals.t_interval`` as the summary's columns."""
    interval = t_interval(values)
    return interval["mean"], interval["std"], interval["low"], interval["high"]


def summary_table(runs: pd.DataFrame) -> pd.DataFrame:
    """Per group × framework × setting: counts, and mean/std/95% CI of each metric over the seeds
    whose run did not diverge."""
    rows = []
    for keys, group in runs.groupby(SUMMARY_KEYS, sort=True):
        group = _sorted(group, ["seed"])
        finished = group[group["status"] == "ok"]
        row = dict(zip(SUMMARY_KEYS, keys))
        row.update({column: group.iloc[0][column] for column in [*SETTING_COLUMNS, "engine"]})
        row["n_runs"] = len(group)
        row["n_diverged"] = int((group["status"] == "diverged").sum())
        for metric in SUMMARY_METRICS:
            mean, std, low, high = confidence_interval(finished[metric])
            row.update({f"{metric}_mean": mean, f"{metric}_std": std,
                        f"{metric}_ci95_low": low, f"{metric}_ci95_high": high})
        rows.append(row)
    return _sorted(pd.DataFrame(rows, columns=SUMMARY_COLUMNS), SUMMARY_KEYS)


def timing_table(timing_paths) -> pd.DataFrame:
    """One row per run, from the jobs' ``timing.parquet``."""
    return _sorted(job_tables.read_tables(timing_paths, TIMING_COLUMNS), ["run_id"])


def write_tables(runs_paths, epochs_paths, runs_csv, epochs_csv, summary_csv) -> None:
    runs = runs_table(runs_paths)
    write_csv(runs_csv, runs, RUNS_COLUMNS)
    write_csv(epochs_csv, epochs_table(runs, epochs_paths), EPOCHS_COLUMNS)
    write_csv(summary_csv, summary_table(runs), SUMMARY_COLUMNS)


def engine_agreement_table(pairs, runs_paths, epochs_paths) -> pd.DataFrame:
    """One row per seed × epoch of the runs both neurogebra engines trained: both losses, their
    difference, both accuracies (and each run's test accuracy), and whether they agree.

    ``pairs`` is ``spiralbench.config.engine_pairs(config)``; ``runs_paths`` and ``epochs_paths`` are the
    tables of the jobs that trained them. An epoch only one engine completed (one run diverged earlier)
    has no value for the other and does not agree.
    """
    runs = job_tables.read_tables(runs_paths, ["run_id", "test_accuracy"]).set_index("run_id")["test_accuracy"]
    epochs = job_tables.read_tables(epochs_paths, job_tables.EPOCHS_SCHEMA.names)
    frames = []
    for pair in pairs:
        row = {"seed": pair["seed"], "scalar_run_id": pair["scalar"], "tensor_run_id": pair["tensor"]}
        histories = []
        for engine in ("scalar", "tensor"):
            run_id = pair[engine]
            if run_id not in runs.index:
                raise ValueError(f"no job table holds run {run_id!r} of the engine check")
            history = epochs.loc[epochs["run_id"] == run_id, ["epoch", "loss", "accuracy"]]
            histories.append(history.rename(columns={"loss": f"loss_{engine}", "accuracy": f"accuracy_{engine}"}))
            row[f"test_accuracy_{engine}"] = runs[run_id]
        table = histories[0].merge(histories[1], on="epoch", how="outer")
        frames.append(table.assign(**row))
    if not frames:
        return pd.DataFrame(columns=ENGINE_AGREEMENT_COLUMNS)
    table = pd.concat(frames, ignore_index=True)
    for column in ("test_accuracy_scalar", "test_accuracy_tensor"):
        table[column] = table[column].astype(float)
    table["loss_abs_diff"] = (table["loss_scalar"] - table["loss_tensor"]).abs()
    table["agree"] = (
        (table["loss_abs_diff"] <= ENGINE_LOSS_TOLERANCE)
        & (table["accuracy_scalar"] == table["accuracy_tensor"])
        & (table["test_accuracy_scalar"].fillna(-1.0) == table["test_accuracy_tensor"].fillna(-1.0))
    )
    return _sorted(table[ENGINE_AGREEMENT_COLUMNS], ["seed", "epoch"])


def write_engine_agreement(pairs, runs_paths, epochs_paths, engine_agreement_csv) -> None:
    write_csv(engine_agreement_csv, engine_agreement_table(pairs, runs_paths, epochs_paths),
              ENGINE_AGREEMENT_COLUMNS)


def write_timing(timing_paths, timing_csv) -> None:
    write_csv(timing_csv, timing_table(timing_paths), TIMING_COLUMNS)
