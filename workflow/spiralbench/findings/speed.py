"""Speed: the implementations' seconds per epoch compared, from ``timing/speed.csv`` (the speed job,
alone on the machine) and ``timing/runs.csv`` (every training run, timed while jobs shared it).

Timing is not deterministic, so nothing here enters ``tables/verdicts.csv``. What is made
deterministic instead is the step from samples to verdicts: a pure function of the rounds, which
draws a verdict only where the interval of a ratio allows it and none from a cell the machine
disturbed, so that a rerun on the same machine gives the same verdicts where it gives any.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.stats import binom

from spiralbench.contract import CONTROLLED_IMPLEMENTATIONS, FLOOR
from spiralbench.frameworks import FRAMEWORKS

# The implementations the speed job times, and how the report names them.
IMPLEMENTATIONS = (*CONTROLLED_IMPLEMENTATIONS, FLOOR)
# Ratios of seconds per epoch, median of the per-round ratios: (name, numerator, denominator).
SPEED_RATIOS = (("ratio", "scalar", "torch"), ("tensor_ratio", "tensor", "torch"), ("floor_ratio", "tensor", "numpy"))
# The precision every implementation is timed in (the scalar engine's Python floats): the one the
# implementations are compared in.
COMPARED_PRECISION = "float64"


# Verdicts. A ratio of times is read from the rounds of the speed job: one sample of every cell of a width
# per round (``spiralbench.speed``), so the ratio of two cells is taken round by round, paired, and its
# point is the median of those per-round ratios, with a distribution-free interval for that median
# (order statistics: no resampling, so the same samples always give the same interval).
CONFIDENCE = 0.95
# Fewer rounds than this give no interval worth a verdict.
MIN_ROUNDS = 3
# "faster" only when the whole interval of the speed-up is above CLEAR_SPEEDUP (10%), "slower" when it
# is below 1 / CLEAR_SPEEDUP, "about the same" when it lies within [1 / CLEAR_SPEEDUP, CLEAR_SPEEDUP]; an
# interval that straddles a bound gives no verdict ("not resolved"). Timings of the same code differ by
# several per cent from round to round even on a quiet machine (the rerun: quartile ratios up to
# 1.3×), so a gain under 10% is not one a rerun would be sure to find again.
CLEAR_SPEEDUP = 1.1
FASTER, SLOWER, SAME, NOT_RESOLVED, UNSTABLE = "faster", "slower", "about the same", "not resolved", "unstable"
# A cell whose samples spread by more than this (interquartile range over median) was disturbed; the speed
# job's own threshold (``speed.unstable_threshold``) decides the ``stable`` column, this one serves tables
# written without it.
UNSTABLE_SPREAD = 0.10


def median_interval(values, confidence: float = CONFIDENCE) -> tuple[float, float, float, float]:
    """Median of ``values`` and a distribution-free interval for it: the k-th smallest and k-th largest
    values, k the largest with coverage (binomial, p = 1/2) of at least ``confidence``, or k = 1 (the
    smallest and largest) when too few values reach it. Returns (median, low, high, coverage)."""
    values = np.sort(np.asarray(values, dtype=float))
    values = values[np.isfinite(values)]
    n = len(values)
    if n == 0:
        return math.nan, math.nan, math.nan, math.nan
    median = float(np.median(values))
    k, coverage = 1, 1 - 2 * binom.cdf(0, n, 0.5) if n > 1 else 0.0
    for candidate in range(2, n // 2 + 1):
        candidate_coverage = 1 - 2 * binom.cdf(candidate - 1, n, 0.5)
        if candidate_coverage < confidence:
            break
        k, coverage = candidate, candidate_coverage
    return median, float(values[k - 1]), float(values[n - k]), float(coverage)


def paired_ratio(numerator: pd.Series, denominator: pd.Series) -> dict:
    """The ratio of two cells' seconds per epoch (each a Series indexed by round), round by round: its
    median (``ratio``), interval (``low``, ``high``, ``coverage``) and the rounds both were timed in."""
    both = pd.concat([numerator.rename("a"), denominator.rename("b")], axis=1).dropna()
    ratio, low, high, coverage = median_interval(both["a"] / both["b"])
    return {"ratio": ratio, "low": low, "high": high, "coverage": coverage, "rounds": len(both)}


def speed_verdict(low: float, high: float, rounds: int = MIN_ROUNDS, stable: bool = True) -> str:
    """The verdict on a speed-up (the other's time over this one's: above 1, this one is faster) whose
    interval is [``low``, ``high``]: ``faster``, ``slower``, ``about the same`` or ``not resolved``; and
    ``unstable`` when a cell it comes from was disturbed (``stable`` False), whatever the interval."""
    if not stable:
        return UNSTABLE
    if rounds < MIN_ROUNDS or not (np.isfinite(low) and np.isfinite(high)):
        return NOT_RESOLVED
    if low > CLEAR_SPEEDUP:
        return FASTER
    if high < 1 / CLEAR_SPEEDUP:
        return SLOWER
    if low >= 1 / CLEAR_SPEEDUP and high <= CLEAR_SPEEDUP:
        return SAME
    return NOT_RESOLVED


def cell_stability(speed: pd.DataFrame) -> pd.DataFrame:
    """Per cell (implementation, precision, hidden width): rounds, median seconds per epoch, relative spread
    (interquartile range over median) and ``stable``: the speed job's own mark where the table has one,
    else the spread at most ``UNSTABLE_SPREAD``."""
    rows = []
    for (name, precision, width), cell in speed.groupby(["implementation", "precision", "hidden_width"]):
        seconds = cell["seconds_per_epoch"]
        median = float(seconds.median())
        spread = float((seconds.quantile(0.75) - seconds.quantile(0.25)) / median) if median > 0 else math.inf
        stable = bool(cell["stable"].astype(str).str.lower().isin(["true", "1"]).all()) if "stable" in cell \
            else spread <= UNSTABLE_SPREAD
        rows.append((name, precision, int(width), len(cell), median, spread, stable))
    return pd.DataFrame(rows, columns=["implementation", "precision", "hidden_width", "rounds", "median",
                                       "relative_spread", "stable"])


def unstable_cells(speed: pd.DataFrame) -> pd.DataFrame:
    """The cells the machine disturbed (``cell_stability`` rows with ``stable`` False)."""
    cells = cell_stability(speed)
    return cells[~cells["stable"]].reset_index(drop=True)


def _by_round(speed: pd.DataFrame, name: str, precision: str, width) -> pd.Series:
    rows = speed[(speed["implementation"] == name) & (speed["precision"] == precision)
                 & (speed["hidden_width"] == width)]
    return rows.groupby("repeat")["seconds_per_epoch"].median()


def _stable(stability: dict, *cells) -> bool:
    return all(stability.get(cell, True) for cell in cells)


def speed_by_width(speed: pd.DataFrame, precision: str = COMPARED_PRECISION) -> pd.DataFrame:
    """Per hidden width, in one precision: median and interquartile range of seconds per epoch for each
    implementation (``_stable``: not disturbed), and ratios.

    ``ratio`` is scalar engine / PyTorch, ``tensor_ratio`` tensor engine / PyTorch (below 1: the tensor
    engine is faster), ``floor_ratio`` tensor engine / numpy floor: each the median of the per-round
    ratios, with ``_low``/``_high`` its interval (``paired_ratio``) and ``_verdict`` the verdict on the
    denominator's speed-up (``speed_verdict``: ``faster`` when the denominator, e.g. PyTorch, is clearly
    faster). NaN where an implementation was not timed at that width.
    """
    stability = {(r.implementation, r.precision, r.hidden_width): r.stable
                 for r in cell_stability(speed).itertuples()} if len(speed) else {}
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
            row[f"{name}_stable"] = stability.get((name, precision, int(width)), True)
        for key, slow, fast in SPEED_RATIOS:
            paired = paired_ratio(_by_round(speed, slow, precision, width), _by_round(speed, fast, precision, width))
            row[key], row[f"{key}_low"], row[f"{key}_high"] = paired["ratio"], paired["low"], paired["high"]
            row[f"{key}_rounds"] = paired["rounds"]
            row[f"{key}_verdict"] = speed_verdict(paired["low"], paired["high"], paired["rounds"],
                                                  _stable(stability, (slow, precision, int(width)),
                                                          (fast, precision, int(width))))
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
    """The smallest width from which ``peer`` is faster than ``fast`` at every larger width measured, each
    width's verdict drawn from the interval of the per-round ratio (``speed_verdict``: ``faster``).

    ``speed``: rows with columns ``implementation``, ``precision``, ``hidden_width``, ``repeat`` (the round),
    ``seconds_per_epoch`` (timing/speed.csv). None when ``peer`` is not shown faster at the largest width
    (or either is missing).
    """
    verdicts = ratio_verdicts(speed, fast, peer, precision)
    if verdicts.empty:
        return None
    return _from_width_on(verdicts.set_index("hidden_width")["verdict"] == FASTER)


RATIO_COLUMNS = ["hidden_width", "ratio", "low", "high", "rounds", "stable", "verdict"]


def ratio_verdicts(speed: pd.DataFrame, slow: str, fast: str, precision: str = COMPARED_PRECISION) -> pd.DataFrame:
    """Per width both were timed at: ``slow``'s time over ``fast``'s (``fast``'s speed-up) round by round,
    its interval, whether both cells were stable, and the verdict on ``fast``'s speed-up."""
    stability = {(r.implementation, r.precision, r.hidden_width): r.stable for r in cell_stability(speed).itertuples()}
    rows = []
    in_precision = speed[speed["precision"] == precision]
    widths = sorted(set(in_precision.loc[in_precision["implementation"] == slow, "hidden_width"])
                    & set(in_precision.loc[in_precision["implementation"] == fast, "hidden_width"]))
    for width in widths:
        paired = paired_ratio(_by_round(in_precision, slow, precision, width),
                              _by_round(in_precision, fast, precision, width))
        stable = _stable(stability, (slow, precision, int(width)), (fast, precision, int(width)))
        rows.append((int(width), paired["ratio"], paired["low"], paired["high"], paired["rounds"], stable,
                     speed_verdict(paired["low"], paired["high"], paired["rounds"], stable)))
    return pd.DataFrame(rows, columns=RATIO_COLUMNS)


PRECISION_SPEEDUP_COLUMNS = ["implementation", "hidden_width", "speedup", "speedup_low", "speedup_high", "rounds",
                             "stable", "verdict"]


def precision_speedups(speed: pd.DataFrame) -> pd.DataFrame:
    """float64's seconds per epoch over float32's round by round (above 1: float32 is faster), for every
    implementation and width timed in both: the median ratio, ``speedup_low``/``_high`` its interval, and
    the verdict on float32 (``speed_verdict``)."""
    if not {"float32", "float64"} <= set(speed["precision"]):
        return pd.DataFrame(columns=PRECISION_SPEEDUP_COLUMNS)
    stability = {(r.implementation, r.precision, r.hidden_width): r.stable for r in cell_stability(speed).itertuples()}
    rows = []
    for name in IMPLEMENTATIONS:
        timed = speed[speed["implementation"] == name]
        widths = sorted(set(timed.loc[timed["precision"] == "float64", "hidden_width"])
                        & set(timed.loc[timed["precision"] == "float32", "hidden_width"]))
        for width in widths:
            paired = paired_ratio(_by_round(timed, name, "float64", width), _by_round(timed, name, "float32", width))
            stable = _stable(stability, (name, "float64", int(width)), (name, "float32", int(width)))
            rows.append((name, int(width), paired["ratio"], paired["low"], paired["high"], paired["rounds"], stable,
                         speed_verdict(paired["low"], paired["high"], paired["rounds"], stable)))
    table = pd.DataFrame(rows, columns=PRECISION_SPEEDUP_COLUMNS)
    return table[np.isfinite(table["speedup"].astype(float))].reset_index(drop=True)


def float32_faster_from(speedups: pd.DataFrame, implementation: str):
    """The smallest width from which float32 is shown faster than float64 (the whole interval of the
    speed-up above ``CLEAR_SPEEDUP``) at every larger width measured for ``implementation`` (rows of
    ``precision_speedups``); None when it is not at the largest width."""
    rows = speedups[speedups["implementation"] == implementation]
    return _from_width_on(rows.set_index("hidden_width")["verdict"] == FASTER)


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


def tensor_against_torch(speed: pd.DataFrame, width=None) -> dict:
    """The tensor engine's speed-up over PyTorch (PyTorch's time over the tensor engine's, round by round)
    at ``width`` (default: the largest both were timed at), in every precision both were timed in:
    {precision: {"width", "speedup", "low", "high", "rounds", "stable", "verdict"}}, the verdict on the
    tensor engine (``faster``: it is clearly faster than PyTorch)."""
    answers = {}
    for precision in sorted(set(speed["precision"])):
        rows = ratio_verdicts(speed, "torch", "tensor", precision)
        if rows.empty or (width is not None and width not in set(rows["hidden_width"])):
            continue
        row = rows.set_index("hidden_width").loc[width if width is not None else rows["hidden_width"].max()]
        answers[precision] = {"width": int(row.name), "speedup": float(row["ratio"]), "low": float(row["low"]),
                              "high": float(row["high"]), "rounds": int(row["rounds"]), "stable": bool(row["stable"]),
                              "verdict": row["verdict"]}
    return answers


def speed_facts(speed: pd.DataFrame, page_width: int) -> dict:
    """The speed numbers the report quotes, at the page's hidden width (or the scalar engine's width
    nearest it), in float64: the scalar engine against PyTorch (``ratio``), the tensor engine against
    PyTorch (``tensor_speedup``: how many times faster, with its interval and verdict) at that width and
    at the largest width timed, the crossover, and the growth exponents over a common range of widths;
    and, beside them, the tensor engine against PyTorch at the largest width in every precision timed
    (``largest_by_precision``) and the cells the machine disturbed (``unstable``)."""
    float64 = speed[speed["precision"] == COMPARED_PRECISION]
    by_width = speed_by_width(speed)
    scalar_widths = list(by_width.loc[np.isfinite(by_width["ratio"]), "hidden_width"])
    widths = scalar_widths or list(by_width["hidden_width"])
    width = page_width if page_width in widths else min(widths, key=lambda w: abs(w - page_width))
    at = by_width.set_index("hidden_width").loc[width]
    largest = by_width.iloc[-1]
    at_width = tensor_against_torch(float64, int(width)).get(COMPARED_PRECISION, {})
    at_largest = tensor_against_torch(float64).get(COMPARED_PRECISION, {})
    return {
        "width": int(width), "ratio": float(at["ratio"]), "ratio_low": float(at["ratio_low"]),
        "ratio_high": float(at["ratio_high"]), "scalar_verdict": at["ratio_verdict"],
        "neurogebra_seconds": float(at["scalar_median"]),
        "pytorch_seconds": float(at["torch_median"]), "tensor_seconds": float(at["tensor_median"]),
        "tensor_speedup": at_width.get("speedup", math.nan), "tensor_speedup_low": at_width.get("low", math.nan),
        "tensor_speedup_high": at_width.get("high", math.nan), "tensor_verdict": at_width.get("verdict", NOT_RESOLVED),
        "floor_ratio": float(at["floor_ratio"]),
        "largest_width": int(largest["hidden_width"]), "largest_tensor_speedup": at_largest.get("speedup", math.nan),
        "largest_tensor_speedup_low": at_largest.get("low", math.nan),
        "largest_tensor_speedup_high": at_largest.get("high", math.nan),
        "largest_tensor_verdict": at_largest.get("verdict", NOT_RESOLVED),
        "crossover": crossover_width(speed),
        "scalar_growth": growth_exponents(speed, ("scalar", "torch")),
        "tensor_growth": growth_exponents(speed, ("tensor", "torch", "numpy")),
        "largest_by_precision": tensor_against_torch(speed),
        "unstable": [(r.implementation, r.precision, int(r.hidden_width)) for r in unstable_cells(speed).itertuples()],
    }


def run_speedup(run_timing: pd.DataFrame) -> dict:
    """PyTorch's seconds per epoch over neurogebra's, per (setting, seed) both trained in the sweep
    (above 1: neurogebra faster), as ``run_speed_ratios`` inverted to read in the same direction as
    the speed job's ``tensor_speedup``."""
    ratios = run_speed_ratios(run_timing)
    return {"pairs": ratios["pairs"], "median": 1 / ratios["median"], "p25": 1 / ratios["p75"],
            "p75": 1 / ratios["p25"]}
