"""Speed: the implementations' seconds per epoch compared, from ``timing/speed.csv`` (the speed job,
alone on the machine) and ``timing/runs.csv`` (every training run, timed while jobs shared it).

Timing is not deterministic, so nothing here enters ``tables/verdicts.csv``.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from spiralbench.contract import CONTROLLED_IMPLEMENTATIONS, FLOOR
from spiralbench.frameworks import FRAMEWORKS

# The implementations the speed job times, and how the report names them.
IMPLEMENTATIONS = (*CONTROLLED_IMPLEMENTATIONS, FLOOR)
# Ratios of median seconds per epoch: (name, numerator, denominator).
SPEED_RATIOS = (("ratio", "scalar", "torch"), ("tensor_ratio", "tensor", "torch"), ("floor_ratio", "tensor", "numpy"))
# The precision every implementation is timed in (the scalar engine's Python floats): the one the
# implementations are compared in.
COMPARED_PRECISION = "float64"


def _median_ratio(slow_row: dict, slow: str, fast_row: dict, fast: str) -> tuple[float, float, float]:
    """``slow``'s median time over ``fast``'s (each read from its ``speed_by_width`` row), and the spread of
    that ratio across repeats: the slower quartile over the faster one, both ways."""
    return (slow_row[f"{slow}_median"] / fast_row[f"{fast}_median"],
            slow_row[f"{slow}_p25"] / fast_row[f"{fast}_p75"],
            slow_row[f"{slow}_p75"] / fast_row[f"{fast}_p25"])


def speed_by_width(speed: pd.DataFrame, precision: str = COMPARED_PRECISION) -> pd.DataFrame:
    """Per hidden width, in one precision: median and interquartile range of seconds per epoch for each
    implementation, and ratios.

    ``ratio`` is scalar engine / PyTorch, ``tensor_ratio`` tensor engine / PyTorch (below 1: the tensor
    engine is faster), ``floor_ratio`` tensor engine / numpy floor; each with ``_low``/``_high``, the
    spread across repeats (``_median_ratio``). NaN where an implementation was not timed at that width.
    """
    speed = speed[speed["precision"] == precision]
    grouped = speed.groupby(["hidden_width", "implementation"])["seconds_per_epoch"]
    summary = grouped.agg(median="median", p25=lambda s: s.quantile(0.25), p75=lambda s: s.quantile(0.75),
                          repeats="count").reset_index()
    wide = summary.pivot(index="hidden_width", columns="implementation")
    rows = []
    for width in wide.index:
        row = {"hidden_width": int(width)}
        for name in IMPLEMENTATIONS:
            for stat in ("median", "p25", "p75", "repeats"):
                row[f"{name}_{stat}"] = wide.loc[width, (stat, name)] if (stat, name) in wide.columns else math.nan
        for key, slow, fast in SPEED_RATIOS:
            row[key], row[f"{key}_low"], row[f"{key}_high"] = _median_ratio(row, slow, row, fast)
        rows.append(row)
    return pd.DataFrame(rows)


def growth_exponents(speed: pd.DataFrame, names=None, precision: str = COMPARED_PRECISION) -> dict:
    """Slope of log(seconds per epoch) against log(hidden width) for each of ``names`` (default: every
    implementation timed), fitted over the same widths for all: those every one of them was timed at.
    Cost grows like width ** slope. ``widths``: the widths fitted (NaN slopes with fewer than two)."""
    speed = speed[speed["precision"] == precision]
    medians = speed.pivot_table(index="hidden_width", columns="implementation", values="seconds_per_epoch",
                                aggfunc="median")
    names = [name for name in (names or medians.columns) if name in medians.columns]
    common = medians[names].dropna()
    exponents = {"widths": [int(width) for width in common.index]}
    for name in names:
        exponents[name] = (float(np.polyfit(np.log(common.index.to_numpy(dtype=float)), np.log(common[name]), 1)[0])
                           if len(common) > 1 else math.nan)
    return exponents


def _from_width_on(holds: pd.Series):
    """The smallest width from which ``holds`` (True or False per width) is True at every larger width
    measured; None when it is False at the largest width (or nothing was measured)."""
    start = None
    for width, true in holds.sort_index().items():
        start = (start or int(width)) if true else None
    return start


def crossover_width(speed: pd.DataFrame, fast: str = "tensor", peer: str = "torch",
                    precision: str = COMPARED_PRECISION):
    """The smallest width from which ``peer`` is faster than ``fast`` at every larger width measured.

    ``speed``: rows with columns ``implementation``, ``precision``, ``hidden_width``, ``seconds_per_epoch``
    (the repeats of timing/speed.csv, compared by their medians). None when ``peer`` is not faster at the
    largest width (or either is missing).
    """
    seconds = speed[speed["precision"] == precision].pivot_table(
        index="hidden_width", columns="implementation", values="seconds_per_epoch", aggfunc="median")
    if fast not in seconds or peer not in seconds:
        return None
    return _from_width_on(seconds[peer] < seconds[fast])


# float32 counts as faster than float64 from this ratio of their median times on. Timings of the same
# code differ too: under the default speed config on the shared 2-core development machine, the 5
# repeats of a cell (tensor engine, PyTorch, numpy floor; each precision, widths 4 to 1024) spread by a
# median of 6% of their median (interquartile range), so a ratio below 1.1 is within what the machine
# alone moves.
CLEAR_SPEEDUP = 1.1
PRECISION_SPEEDUP_COLUMNS = ["implementation", "hidden_width", "speedup", "speedup_low", "speedup_high"]


def precision_speedups(speed: pd.DataFrame) -> pd.DataFrame:
    """float64's median seconds per epoch over float32's (above 1: float32 is faster), for every
    implementation and width timed in both, with ``speedup_low``/``_high`` its spread across repeats."""
    if not {"float32", "float64"} <= set(speed["precision"]):
        return pd.DataFrame(columns=PRECISION_SPEEDUP_COLUMNS)
    in_float64, in_float32 = (speed_by_width(speed, precision).set_index("hidden_width").to_dict("index")
                              for precision in ("float64", "float32"))
    rows = [(name, int(width), *_median_ratio(in_float64[width], name, in_float32[width], name))
            for name in IMPLEMENTATIONS for width in sorted(in_float64.keys() & in_float32.keys())]
    table = pd.DataFrame(rows, columns=PRECISION_SPEEDUP_COLUMNS)
    return table[np.isfinite(table["speedup"])].reset_index(drop=True)


def float32_faster_from(speedups: pd.DataFrame, implementation: str):
    """The smallest width from which float32 is faster than float64 by ``CLEAR_SPEEDUP`` at every larger
    width measured for ``implementation`` (rows of ``precision_speedups``); None when it is not at the
    largest width."""
    rows = speedups[speedups["implementation"] == implementation]
    return _from_width_on(rows.set_index("hidden_width")["speedup"] >= CLEAR_SPEEDUP)


def sweep_timing(run_timing: pd.DataFrame) -> pd.DataFrame:
    """The sweep's runs of ``timing/runs.csv`` (their ``run_id`` starts with the group). The engine check
    trains the page's neurogebra setting again, with the scalar engine, under the same setting and seed
    names: left in, a (setting, seed) would hold two neurogebra runs of different engines."""
    return run_timing[run_timing["run_id"].str.startswith("sweep/")]


def run_speed_ratios(run_timing: pd.DataFrame) -> dict:
    """Neurogebra over PyTorch seconds per epoch for every (setting, seed) both trained in the sweep (one
    run each: ``sweep_timing``): median and quartiles."""
    wide = sweep_timing(run_timing).pivot_table(index=["setting", "seed"], columns="framework",
                                                values="seconds_per_epoch_median", aggfunc="first").dropna()
    if wide.empty or not set(FRAMEWORKS) <= set(wide.columns):
        return {"pairs": 0, "median": math.nan, "p25": math.nan, "p75": math.nan}
    ratios = wide["neurogebra"] / wide["pytorch"]
    return {"pairs": len(ratios), "median": float(ratios.median()),
            "p25": float(ratios.quantile(0.25)), "p75": float(ratios.quantile(0.75))}


def training_cost(runs: pd.DataFrame, run_timing: pd.DataFrame) -> dict:
    """Seconds of training summed over every run (median seconds per epoch × epochs completed)."""
    joined = runs[["run_id", "framework", "epochs_completed"]].merge(
        run_timing[["run_id", "seconds_per_epoch_median"]], on="run_id", how="inner")
    seconds_each = joined["seconds_per_epoch_median"] * joined["epochs_completed"]
    by_framework = seconds_each.groupby(joined["framework"]).sum().to_dict()
    return {"runs": len(joined), "seconds": float(seconds_each.sum()), "by_framework": by_framework}


def floor_distance(speed: pd.DataFrame) -> pd.DataFrame:
    """The tensor engine's median time over the numpy floor's, per precision and width: how far
    autograd over numpy arrays is from the same loop written by hand without it."""
    rows = []
    for precision in sorted(set(speed["precision"])):
        by_width = speed_by_width(speed, precision)
        for _, row in by_width[np.isfinite(by_width["floor_ratio"])].iterrows():
            rows.append({"precision": precision, "hidden_width": int(row["hidden_width"]),
                         "floor_ratio": row["floor_ratio"]})
    return pd.DataFrame(rows, columns=["precision", "hidden_width", "floor_ratio"])


def speed_facts(speed: pd.DataFrame, page_width: int) -> dict:
    """The speed numbers the report quotes, at the page's hidden width (or the scalar engine's width
    nearest it), in float64: the scalar engine against PyTorch (``ratio``), the tensor engine against
    PyTorch (``tensor_speedup``: how many times faster) at that width and at the largest width timed,
    the crossover, and the growth exponents over a common range of widths."""
    by_width = speed_by_width(speed)
    scalar_widths = list(by_width.loc[np.isfinite(by_width["ratio"]), "hidden_width"])
    widths = scalar_widths or list(by_width["hidden_width"])
    width = page_width if page_width in widths else min(widths, key=lambda w: abs(w - page_width))
    at = by_width.set_index("hidden_width").loc[width]
    largest = by_width.iloc[-1]
    return {
        "width": int(width), "ratio": float(at["ratio"]), "ratio_low": float(at["ratio_low"]),
        "ratio_high": float(at["ratio_high"]), "neurogebra_seconds": float(at["scalar_median"]),
        "pytorch_seconds": float(at["torch_median"]), "tensor_seconds": float(at["tensor_median"]),
        "tensor_speedup": float(1 / at["tensor_ratio"]), "floor_ratio": float(at["floor_ratio"]),
        "largest_width": int(largest["hidden_width"]), "largest_tensor_speedup": float(1 / largest["tensor_ratio"]),
        "crossover": crossover_width(speed),
        "scalar_growth": growth_exponents(speed, ("scalar", "torch")),
        "tensor_growth": growth_exponents(speed, ("tensor", "torch", "numpy")),
    }


def run_speedup(run_timing: pd.DataFrame) -> dict:
    """PyTorch's seconds per epoch over neurogebra's, per (setting, seed) both trained in the sweep
    (above 1: neurogebra faster), as ``run_speed_ratios`` inverted to read in the same direction as
    the speed job's ``tensor_speedup``."""
    ratios = run_speed_ratios(run_timing)
    return {"pairs": ratios["pairs"], "median": 1 / ratios["median"], "p25": 1 / ratios["p75"],
            "p75": 1 / ratios["p25"]}
