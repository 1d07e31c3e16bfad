"""What the paired effects say: each effect's verdict over its levels, the sameness of the
precisions (an equivalence test, not a missing difference), and the rows where two runs never differ.

Read from ``tables/effects.csv`` (``spiralbench.effects``); nothing is re-estimated here except the
equivalence interval, which needs only each row's mean, standard deviation and number of pairs.
"""
from __future__ import annotations

import math

import pandas as pd
from scipy import stats

# The metric the verdicts use. ``fresh_accuracy`` (each model on a large fresh sample of the
# generator) is free of the 60-point test set's own sampling noise; tables written before it
# existed have ``test_accuracy`` only, and then the verdicts use that.
VERDICT_METRIC = "fresh_accuracy"
FALLBACK_METRIC = "test_accuracy"
METRIC_NAMES = {"fresh_accuracy": "accuracy on a fresh sample", "test_accuracy": "test accuracy"}

# effect -> (what a positive mean favours, what a negative mean favours)
SIDES = {
    "framework": ("neurogebra", "PyTorch"),
    "init": ("the page's initialisation", "PyTorch's default initialisation"),
    "precision": ("float32", "float64"),
}
# Two precisions count as training to the same accuracy when the 90% interval of their difference
# (two one-sided tests at 5%, TOST) lies within ± this many points of the page's test set: a
# difference smaller than one test point is one the page's evaluation could never show.
EQUIVALENCE_TEST_POINTS = 1
EQUIVALENCE_ALPHA = 0.05
# When the margin was set: with the TOST itself, after the default sweep's results had been published
# (its tables on 2026-11-26, the test on 2026-12-04). The report says so rather than imply a margin
# fixed in advance.
MARGIN_FIXED_BEFORE_DATA = False


def metric_of(effects: pd.DataFrame) -> str:
    """The metric the verdicts are drawn from in this table (``VERDICT_METRIC`` when it has it)."""
    if "metric" in effects.columns and (effects["metric"] == VERDICT_METRIC).any():
        return VERDICT_METRIC
    return FALLBACK_METRIC


def for_metric(effects: pd.DataFrame, metric: str | None = None) -> pd.DataFrame:
    """The rows of one metric (the verdicts' by default); a table without a metric column is all test accuracy."""
    if "metric" not in effects.columns:
        return effects
    return effects[effects["metric"] == (metric or metric_of(effects))]


def pooled_effects(effects: pd.DataFrame, effect: str) -> pd.DataFrame:
    """The pooled rows of one effect in the verdicts' metric, indexed by the levels held fixed (``within``)."""
    effects = for_metric(effects)
    rows = effects[(effects["effect"] == effect) & (effects["scope"] == "pooled")]
    return rows.set_index("within").sort_index()


def favours(row, effect: str) -> str | None:
    """The side an effect favours when it survives Holm's correction; None when it does not."""
    if not bool(row["significant"]):
        return None
    positive, negative = SIDES[effect]
    return positive if row["mean"] > 0 else negative


def effect_verdict(effects: pd.DataFrame, effect: str) -> dict:
    """One effect's verdict over its levels: ``kind`` is 'none' (no level differs after Holm), 'same'
    (every level favours the same side), 'partial' (some do, the others show no difference) or
    'opposite' (levels favour different sides); ``sides`` per level, ``side`` when there is one."""
    pooled = pooled_effects(effects, effect)
    sides = {within: favours(row, effect) for within, row in pooled.iterrows()}
    shown = {side for side in sides.values() if side}
    if not shown:
        kind = "none"
    elif len(shown) > 1:
        kind = "opposite"
    else:
        kind = "same" if all(sides.values()) else "partial"
    return {"kind": kind, "sides": sides, "side": next(iter(shown)) if len(shown) == 1 else None, "pooled": pooled}


def pooled_ranges(effects: pd.DataFrame) -> pd.DataFrame:
    """Per effect measured: the lowest and highest pooled mean over its levels, the number of levels, and
    how many of them are significant after Holm's correction."""
    pooled = for_metric(effects)
    pooled = pooled[pooled["scope"] == "pooled"].assign(significant=lambda rows: rows["significant"].astype(bool))
    return pooled.groupby("effect", sort=False).agg(low=("mean", "min"), high=("mean", "max"),
                                                    levels=("mean", "size"), significant=("significant", "sum"))


def largest_interval_bound(pooled: pd.DataFrame) -> float:
    """The largest effect, either way, that the pooled 95% intervals leave possible."""
    return float(pooled[["t_low", "t_high"]].abs().to_numpy().max()) if len(pooled) else math.nan


def significant_settings(effects: pd.DataFrame, effect: str) -> dict:
    """How many per-setting effects were tested, how many survive Holm, and the sides they favour."""
    effects = for_metric(effects)
    rows = effects[(effects["effect"] == effect) & (effects["scope"] == "setting") & effects["p_value"].notna()]
    significant = rows[rows["significant"].astype(bool)]
    return {"tested": len(rows), "significant": len(significant),
            "sides": sorted({favours(row, effect) for _, row in significant.iterrows()})}


def test_points(config: dict) -> int:
    """Points in the page's test set: the data's points per class × classes × the test fraction."""
    data = config["data"]
    return round(data["n_points"] * data["n_classes"] * (1 - data["train_fraction"]))


def equivalence_margin(config: dict) -> float:
    """The margin of the equivalence test, as a difference of accuracies (``EQUIVALENCE_TEST_POINTS``)."""
    return EQUIVALENCE_TEST_POINTS / test_points(config)


def equivalence(pooled: pd.DataFrame, margin: float, alpha: float = EQUIVALENCE_ALPHA) -> pd.DataFrame:
    """TOST per pooled row: the (1 − 2α) t-interval of the mean difference and whether it lies within
    ± ``margin``. That is the two one-sided t-tests at level α (what ``statsmodels``' ``ttost_paired``
    does on the pairs), computed from the row's mean, sd and pairs. Every level equivalent is an
    intersection–union test: no correction for multiplicity is needed."""
    rows = []
    for within, row in pooled.iterrows():
        n, mean, sd = int(row["n_pairs"]), float(row["mean"]), float(row["sd"])
        half = float(stats.t.ppf(1 - alpha, n - 1)) * sd / math.sqrt(n) if n > 1 else math.nan
        low, high = mean - half, mean + half
        rows.append({"within": within, "low": low, "high": high,
                     "equivalent": bool(math.isfinite(half) and -margin < low and high < margin)})
    return pd.DataFrame(rows, columns=["within", "low", "high", "equivalent"]).set_index("within")


def equivalence_verdict(effects: pd.DataFrame, effect: str, margin: float) -> str:
    """'equivalent' (every level within ± margin), 'not shown' (some level's interval reaches past it),
    'different' (a level differs after Holm) or 'not measured'."""
    pooled = pooled_effects(effects, effect)
    if pooled.empty:
        return "not measured"
    if effect_verdict(effects, effect)["kind"] != "none":
        return "different"
    return "equivalent" if equivalence(pooled, margin)["equivalent"].all() else "not shown"


def setting_rows(effects: pd.DataFrame, effect: str) -> pd.DataFrame:
    """The effect's per-setting rows, in the verdicts' metric."""
    effects = for_metric(effects)
    return effects[(effects["effect"] == effect) & (effects["scope"] == "setting")]


def identical_settings(effects: pd.DataFrame, effect: str) -> pd.DataFrame:
    """The per-setting rows whose two runs gave the same accuracy on every seed (mean and sd both 0)."""
    rows = setting_rows(effects, effect)
    return rows[(rows["mean"] == 0) & (rows["sd"] == 0)]


def by_metric(effects: pd.DataFrame) -> pd.DataFrame:
    """The pooled effects measured both ways, one row per effect and levels held fixed: each metric's
    mean, 95% t-interval and Holm verdict, and ``narrower``, how many times narrower the verdicts'
    metric's interval is than the page's test set's. Empty unless the table has both metrics."""
    if "metric" not in effects.columns or set(effects["metric"]) < {VERDICT_METRIC, FALLBACK_METRIC}:
        return pd.DataFrame()
    rows = []
    pooled = effects[effects["scope"] == "pooled"]
    for (effect, within), same in pooled.groupby(["effect", "within"], sort=False):
        row = {"effect": effect, "within": within}
        for metric, measured in same.set_index("metric").iterrows():
            row.update({f"{metric}_mean": measured["mean"], f"{metric}_low": measured["t_low"],
                        f"{metric}_high": measured["t_high"], f"{metric}_significant": bool(measured["significant"])})
        rows.append(row)
    table = pd.DataFrame(rows)
    width = {metric: table[f"{metric}_high"] - table[f"{metric}_low"] for metric in (VERDICT_METRIC, FALLBACK_METRIC)}
    table["narrower"] = width[FALLBACK_METRIC] / width[VERDICT_METRIC]
    return table


def instrument_gain(both: pd.DataFrame) -> dict:
    """What measuring on the fresh sample gains over the page's test set: the median of how many times
    narrower the pooled intervals are, and on how many pooled rows the two metrics' Holm verdicts agree."""
    if both.empty:
        return {"rows": 0}
    agree = both[f"{VERDICT_METRIC}_significant"] == both[f"{FALLBACK_METRIC}_significant"]
    return {"rows": len(both), "median_narrower": float(both["narrower"].median()), "agree": int(agree.sum())}
