"""A training job's runs as three Parquet tables in the job's directory, one row per run or run × epoch.

A job trains every seed of a setting in each initialisation and precision (``workflow/rules/train.smk``)
and writes, in ``runs/{group}/{framework}/{stem}/``:

- ``runs.parquet``: one row per run: its identity and setting (the columns of ``tables/runs.csv``), how it
  ended, its metrics, the run's full description (``description``, JSON), the trained parameters
  (``parameters``: W0, b0, W1, b1, ... flattened, each W of shape (n_out, n_in), row-major, float64) and the test set's predicted
  classes (``y_pred``, in the split's order);
- ``epochs.parquet``: one row per run × completed epoch: loss and training accuracy, as the page
  computes them;
- ``timing.parquet``: one row per run: wall-clock seconds of each epoch and of the fresh sample's
  evaluation. Not deterministic, so kept apart from the two above.

Every job writes the same columns, so one line reads every run of a results directory:
``pd.read_parquet("results/runs", filters=...)`` or ``duckdb.sql("from 'results/runs/**/epochs.parquet'")``.

The files are written byte-reproducibly: an explicit schema (so that an all-empty column has the same
type in every job), no pandas metadata (it names the pandas version), rows in run order, a fixed
compression. A file is one row group: the tables are small. Every page carries a checksum, which the
reader verifies: a damaged file is refused with its name, never read as other numbers.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from spiralbench.config import SETTING_KEYS, hidden_slug
from spiralbench.io import ResultFileError

RUNS_FILE, EPOCHS_FILE, TIMING_FILE = "runs.parquet", "epochs.parquet", "timing.parquet"
JOB_FILES = (RUNS_FILE, EPOCHS_FILE, TIMING_FILE)
DETERMINISTIC_FILES = (RUNS_FILE, EPOCHS_FILE)

RUN_KEYS = ["run_id", "group", "framework", "setting", "seed"]
_SETTING_TYPES = {"optimizer": pa.string(), "learning_rate": pa.float64(), "batch_size": pa.int64(),
                  "epochs": pa.int64(), "hidden_sizes": pa.string(), "activation": pa.string(), "init": pa.string(),
                  "precision": pa.string()}
RUNS_SCHEMA = pa.schema([
    ("run_id", pa.string()), ("group", pa.string()), ("framework", pa.string()), ("setting", pa.string()),
    ("seed", pa.int64()),
    *((key, _SETTING_TYPES[key]) for key in SETTING_KEYS),
    ("engine", pa.string()), ("n_parameters", pa.int64()),
    ("status", pa.string()), ("diverged_epoch", pa.int64()), ("epochs_completed", pa.int64()),
    ("final_loss", pa.float64()), ("train_accuracy", pa.float64()), ("test_accuracy", pa.float64()),
    ("fresh_accuracy", pa.float64()),
    ("divergence", pa.string()), ("n_train", pa.int64()), ("n_test", pa.int64()), ("n_fresh", pa.int64()),
    ("description", pa.string()), ("parameters", pa.list_(pa.float64())), ("y_pred", pa.list_(pa.int64())),
])
EPOCHS_SCHEMA = pa.schema([("run_id", pa.string()), ("epoch", pa.int64()), ("loss", pa.float64()),
                           ("accuracy", pa.float64())])
TIMING_SCHEMA = pa.schema([
    ("run_id", pa.string()), ("framework", pa.string()), ("engine", pa.string()), ("setting", pa.string()),
    ("seed", pa.int64()), ("threads", pa.int64()), ("epoch_seconds", pa.list_(pa.float64())),
    ("seconds_per_epoch_median", pa.float64()), ("seconds_per_epoch_p25", pa.float64()),
    ("seconds_per_epoch_p75", pa.float64()), ("samples_per_second_median", pa.float64()),
    ("fresh_evaluation_seconds", pa.float64()),
])
SCHEMAS = {RUNS_FILE: RUNS_SCHEMA, EPOCHS_FILE: EPOCHS_SCHEMA, TIMING_FILE: TIMING_SCHEMA}
# The columns of ``runs.parquet`` that hold a value per run (not the model it trained).
METRIC_COLUMNS = [name for name in RUNS_SCHEMA.names if name not in ("description", "parameters", "y_pred")]


def flat_parameters(weights) -> list[float]:
    """``[(W0, b0), (W1, b1), ...]`` (W of shape (n_out, n_in)) as one float64 list: W0 row-major, then b0,
    W1, b1, ..."""
    return np.concatenate([np.ravel(np.asarray(array, dtype=np.float64)) for W, b in weights for array in (W, b)]
                          ).tolist() if weights else []


def unflatten_parameters(values, layer_sizes) -> list:
    """The inverse of ``flat_parameters`` for a network of ``layer_sizes``."""
    values = np.array(values, dtype=np.float64)  # a copy: the arrays Parquet gives are read-only
    weights, start = [], 0
    for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:]):
        W = values[start:start + n_in * n_out].reshape(n_out, n_in)
        start += n_in * n_out
        b = values[start:start + n_out]
        start += n_out
        weights.append((W, b))
    if start != len(values):
        raise ValueError(f"{len(values)} parameters do not fit layer sizes {layer_sizes} ({start} expected)")
    return weights


def variant_suffix(init: str, precision: str) -> str:
    """The end of a setting's name that names its initialisation and precision (spiralbench.config)."""
    return f"-{init}-f{precision[-2:]}"


def job_path(run, name: str) -> str:
    """The table ``name`` (e.g. ``runs.parquet``) of the job that trains ``run`` (a run's description or
    its row of ``tables/runs.csv``: its id, initialisation and precision), relative to the results directory."""
    group, framework, setting, _ = run["run_id"].split("/")
    stem = setting.removesuffix(variant_suffix(run["init"], run["precision"]))
    return f"runs/{group}/{framework}/{stem}/{name}"


def old_layout(results_dir) -> Path | None:
    """A run directory of the layout before jobs wrote tables (``runs/.../seed42/metrics.json``), if
    ``results_dir`` holds one."""
    return next(Path(results_dir).glob("runs/*/*/*/seed*/metrics.json"), None)


def run_row(result) -> dict:
    """The ``runs.parquet`` row of a ``spiralbench.training.RunResult``."""
    run, metrics = result.run, result.metrics()
    return {
        **{key: run[key] for key in RUN_KEYS},
        **{key: run[key] for key in SETTING_KEYS},
        "hidden_sizes": hidden_slug(run["hidden_sizes"]),
        "engine": run["engine"],
        **{key: metrics[key] for key in ("n_parameters", "status", "diverged_epoch", "epochs_completed",
                                         "final_loss", "train_accuracy", "test_accuracy", "fresh_accuracy",
                                         "divergence", "n_train", "n_test", "n_fresh")},
        "description": json.dumps(run, sort_keys=True),
        "parameters": flat_parameters(result.weights),
        "y_pred": np.asarray(result.y_pred, dtype=np.int64).tolist(),
    }


def epoch_rows(result) -> list[dict]:
    return [{"run_id": result.run["run_id"], "epoch": epoch, "loss": loss, "accuracy": accuracy}
            for epoch, loss, accuracy in result.history]


def timing_row(result) -> dict:
    run = result.run
    return {**{key: value for key, value in result.timing().items() if key in TIMING_SCHEMA.names},
            "framework": run["framework"], "setting": run["setting"], "seed": run["seed"]}


def write_table(path, rows: list[dict], schema: pa.Schema) -> None:
    """``rows`` as a Parquet file with ``schema``: the same rows give the same bytes."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pylist(rows, schema=schema)
    # Page checksums: a reader then refuses a damaged file instead of reading wrong numbers from it.
    pq.write_table(table, path, compression="zstd", compression_level=3, write_statistics=False,
                   store_schema=False, row_group_size=max(len(rows), 1), write_page_checksum=True)


def write_job(results, runs_path, epochs_path, timing_path) -> None:
    """The three tables of a job's ``results`` (``RunResult``s, in run order)."""
    write_table(runs_path, [run_row(result) for result in results], RUNS_SCHEMA)
    write_table(epochs_path, [row for result in results for row in epoch_rows(result)], EPOCHS_SCHEMA)
    write_table(timing_path, [timing_row(result) for result in results], TIMING_SCHEMA)


def read_table(path, columns=None) -> pd.DataFrame:
    """A job table as a DataFrame (``columns``: only those). Integer columns with gaps come as pandas'
    nullable ``Int64``; a missing or unreadable file is a ``ResultFileError`` that names it."""
    path = Path(path)
    if not path.is_file():
        raise ResultFileError(f"{path}: file not found")
    schema = SCHEMAS.get(path.name)
    try:
        table = pq.read_table(path, columns=columns, page_checksum_verification=True)
    except (pa.ArrowException, OSError) as error:
        raise ResultFileError(f"{path}: not a readable Parquet table (truncated or corrupted?): {error}") from None
    if schema is not None:
        wanted = columns or schema.names
        missing = [name for name in wanted if name not in table.column_names]
        if missing:
            raise ResultFileError(f"{path}: missing column(s) {', '.join(missing)}")
    return table.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)


def read_tables(paths, columns=None) -> pd.DataFrame:
    """The rows of several job tables of one kind, in the order given."""
    frames = [read_table(path, columns) for path in paths]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


def trained_weights(runs_path, run_id) -> tuple[dict, list]:
    """``(run, [(W0, b0), ...])``: a run's description and its trained parameters, from its job's
    ``runs.parquet`` (for a diverged run, those at the end of its last complete epoch)."""
    table = read_table(runs_path, ["run_id", "description", "parameters"])
    rows = table[table["run_id"] == run_id]
    if rows.empty:
        raise ResultFileError(f"{runs_path}: no run {run_id!r}")
    run = json.loads(rows["description"].iloc[0])
    return run, unflatten_parameters(rows["parameters"].iloc[0], run["layer_sizes"])


def row_digests(table: pd.DataFrame) -> pd.Series:
    """A SHA-256 (16 hex digits) of each run's rows in a job table, by run id: what names the first run
    that differs when a table's bytes do. Floats enter by their exact bits, lists element by element."""
    digests = {}
    for run_id, rows in table.groupby("run_id", sort=True):
        digest = hashlib.sha256()
        for column in sorted(rows.columns):
            digest.update(column.encode())
            for value in rows[column]:
                if isinstance(value, (list, tuple, np.ndarray)):
                    digest.update(np.asarray(value).tobytes())
                else:
                    digest.update(repr(None if pd.isna(value) else value).encode())
        digests[run_id] = digest.hexdigest()[:16]
    return pd.Series(digests, name="sha256")
