"""The check's middle level: a rerun whose runs are draws of the published runs' distributions.

A rerun on another CPU or code path is not a copy of the published run. One last-bit difference in a
kernel moves every weight a little, and training, chaotic at a high learning rate, can turn that into
tens of points of accuracy (a run at Adam lr 0.2 moved from 96.7% to 36.7% test accuracy that way).
What a faithful rerun reproduces is what the report concludes from: each setting's distribution over
seeds. Per-value tolerances cannot separate that from a real change; a test over seeds can.

**Inputs** are not random draws: every data split and fresh sample must hold the published values
(labels exactly, by hash; coordinates by their sums, plain, of magnitudes and of squares, within
``INPUT_RTOL`` of their magnitude: room for a last-bit difference in ``sin``/``cos`` on another
architecture). A change to one split fails here, named. Publishing keeps these summaries (``reference/inputs.csv``), not the files.

**Outcomes**, per group × setting × framework × metric (``METRICS``, from ``tables/runs.csv``): the
rerun's and the published values of the same seeds are paired, ``d = rerun − published``. A faithful
rerun changes only the rounding, so for each seed the published and rerun value are two draws of the
same process: exchangeable, so ``d`` is as likely as ``−d``. The Wilcoxon signed-rank test (scipy) tests
exactly that symmetry, using the pairing (a real change shifts most seeds the same way, so it is seen
long before the two samples' spreads would show it), with no assumption on the shape of ``d``; seeds
with ``d = 0`` (bit-identical runs) carry no evidence either way and are left out. Holm's correction
over every test of the check holds the chance that a faithful rerun fails any of them at ``ALPHA``
(1%). A difference fails only if it is also larger than ``MINIMUM_EFFECT``: a rounding bias far below
a reader's resolution is not a failure, however consistent.

Error rates: the false-alarm rate is at most ``ALPHA`` by construction (under exchangeability); the
power against real changes is measured (``spiralbench.level_experiment``, published as
``level_experiment.csv``: a learning rate 10% off, Adam's β₂ changed, one split altered).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import wilcoxon
from statsmodels.stats.multitest import multipletests

ALPHA = 0.01
# A shift smaller than this is not a failure: a tenth of a percentage point of accuracy (a sixteenth
# of one test point of the default split), a thousandth of the published mean loss, no run of
# difference in the divergence rate.
MINIMUM_EFFECT = {"final_loss": ("relative", 1e-3), "train_accuracy": ("absolute", 1e-3),
                  "test_accuracy": ("absolute", 1e-3), "fresh_accuracy": ("absolute", 1e-3),
                  "diverged": ("absolute", 0.0)}
METRICS = tuple(MINIMUM_EFFECT)
IDENTITY = ("group", "setting", "framework")
INPUT_RTOL = 1e-10
RUNS_TABLE = "tables/runs.csv"


@dataclass(frozen=True)
class Difference:
    """One group × setting × framework × metric whose rerun is not a draw of the published distribution."""

    where: str
    metric: str
    seeds: int
    mean_difference: float
    p_holm: float

    def __str__(self) -> str:
        return (f"{self.where}, {self.metric}: the rerun's values are shifted by {self.mean_difference:+.4g} on "
                f"average over {self.seeds} seeds (Wilcoxon signed-rank, Holm-adjusted p = {self.p_holm:.2g} < {ALPHA})")


def outcomes(runs: pd.DataFrame) -> pd.DataFrame:
    """The metrics of every run, ``diverged`` as 0/1, the final loss only of runs that did not diverge."""
    table = runs.copy()
    table["diverged"] = (table["status"] != "ok").astype(float)
    table["final_loss"] = pd.to_numeric(table["final_loss"], errors="coerce").where(table["status"] == "ok")
    for metric in METRICS:
        table[metric] = pd.to_numeric(table[metric], errors="coerce")
    return table[[*IDENTITY, "seed", *METRICS]]


def tests(published: pd.DataFrame, rerun: pd.DataFrame) -> pd.DataFrame:
    """One row per group × setting × framework × metric: seeds paired, mean difference, raw and Holm p,
    and whether it fails (significant after Holm and larger than the metric's minimum effect)."""
    paired = outcomes(published).merge(outcomes(rerun), on=[*IDENTITY, "seed"], suffixes=("_published", "_rerun"),
                                       validate="one_to_one")
    rows = []
    for key, mine in paired.groupby(list(IDENTITY), sort=True):
        for metric in METRICS:
            both = mine[[f"{metric}_published", f"{metric}_rerun"]].dropna()
            d = (both[f"{metric}_rerun"] - both[f"{metric}_published"]).to_numpy()
            rows.append({**dict(zip(IDENTITY, key)), "metric": metric, "seeds": len(d),
                         "seeds_differing": int(np.count_nonzero(d)),
                         "mean_difference": float(d.mean()) if len(d) else 0.0,
                         "published_mean": float(both[f"{metric}_published"].mean()) if len(d) else 0.0,
                         "p": signed_rank_p(d)})
    table = pd.DataFrame(rows)
    table["p_holm"] = multipletests(table["p"], method="holm")[1] if len(table) else []
    table["fails"] = (table["p_holm"] < ALPHA) & table.apply(_beyond_minimum_effect, axis=1)
    return table


def signed_rank_p(d: np.ndarray) -> float:
    """Two-sided p of the Wilcoxon signed-rank test that ``d`` is symmetric about 0; 1 with no nonzero ``d``."""
    nonzero = d[d != 0]
    if len(nonzero) == 0:
        return 1.0
    return float(wilcoxon(nonzero, zero_method="wilcox", alternative="two-sided").pvalue)


def _beyond_minimum_effect(row) -> bool:
    kind, size = MINIMUM_EFFECT[row["metric"]]
    scale = abs(row["published_mean"]) if kind == "relative" else 1.0
    return abs(row["mean_difference"]) > size * scale


def failing(table: pd.DataFrame) -> pd.DataFrame:
    """The tests of ``table`` (``tests``) that fail, the most significant first."""
    return table[table["fails"]].sort_values("p_holm", kind="stable")


def first_difference(published_runs: Path, rerun_runs: Path) -> tuple[str | None, pd.DataFrame]:
    """The first outcome that fails, in words (None when none does), and the table of every test."""
    published, rerun = (pd.read_csv(path, keep_default_na=False, na_values=[""]) for path in (published_runs, rerun_runs))
    if sorted(published["run_id"]) != sorted(rerun["run_id"]):
        missing = sorted(set(published["run_id"]) - set(rerun["run_id"]))
        return f"not the same runs ({len(missing)} published runs missing, e.g. {missing[:1]})", pd.DataFrame()
    table = tests(published, rerun)
    failed = failing(table)
    if failed.empty:
        return None, table
    row = failed.iloc[0]
    return str(Difference(f"{row['group']} {row['setting']} {row['framework']}", row["metric"], int(row["seeds"]),
                          row["mean_difference"], row["p_holm"])), table


def input_summary(path: Path, name: str) -> list[dict]:
    """One row per array of an input file (a data split or fresh sample): its shape and dtype, and its
    values summed (floating arrays, compared within ``INPUT_RTOL``) or hashed (labels, compared exactly).
    A summary, not a copy: the fresh samples are too large to publish."""
    rows = []
    with np.load(path) as arrays:
        for array_name in sorted(arrays.files):
            a = arrays[array_name]
            floating = np.issubdtype(a.dtype, np.floating)
            rows.append({"file": name, "array": array_name, "dtype": str(a.dtype), "shape": "x".join(map(str, a.shape)),
                         "sum": float(a.sum(dtype=np.float64)) if floating else "",
                         "sum_of_abs": float(np.abs(a).sum(dtype=np.float64)) if floating else "",
                         "sum_of_squares": float(np.square(a, dtype=np.float64).sum()) if floating else "",
                         "sha256": "" if floating else hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()})
    return rows


def input_summaries(results_dir: Path, names: list[str]) -> pd.DataFrame:
    return pd.DataFrame([row for name in sorted(names) for row in input_summary(Path(results_dir) / name, name)])


def input_difference(published: pd.DataFrame, results_dir: Path, name: str) -> str | None:
    """How the input file ``name`` under ``results_dir`` differs from its published summary beyond
    rounding, in words; None when it does not."""
    want = published[published["file"] == name].fillna("")
    if want.empty:
        return "no published summary of this input"
    got = pd.DataFrame(input_summary(Path(results_dir) / name, name)).fillna("")
    if list(want["array"]) != list(got["array"]):
        return f"arrays {list(want['array'])} expected, {list(got['array'])} found"
    for expected, found in zip(want.to_dict("records"), got.to_dict("records")):
        for key in ("dtype", "shape", "sha256"):
            if str(expected[key]) != str(found[key]):
                return f"{expected['array']}: {key} {expected[key]} expected, {found[key]} found"
        if expected["sum"] == "":
            continue
        # A sum may cancel to near 0: its tolerance is relative to the sum of magnitudes.
        scale = {"sum": float(expected["sum_of_abs"]), "sum_of_abs": float(expected["sum_of_abs"]),
                 "sum_of_squares": float(expected["sum_of_squares"])}
        for key, magnitude in scale.items():
            if abs(float(found[key]) - float(expected[key])) > INPUT_RTOL * magnitude:
                return f"{expected['array']}: {key} {float(expected[key])!r} expected, {float(found[key])!r} found"
    return None
