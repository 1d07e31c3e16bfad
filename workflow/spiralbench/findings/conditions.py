"""The conditions a conclusion holds under, each computed from the result tables.

A pooled effect can hide a split (one optimizer carrying it), a setting can still be improving when
training stops, a run can end at chance without diverging, a setting can be so sensitive that rounding
alone moves a run by tens of points, and a pair can share less than "one factor apart" suggests. Each
rule is a named constant here, so that the report can state it beside the conclusion it qualifies.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from spiralbench import effects as effects_module
from spiralbench.effects import OK, SETTING_COLUMNS
from spiralbench.findings import effects as ef

# A pooled effect "hides a split" when one optimizer's settings carry at least this share of it at
# every level: the pooled number then describes that optimizer, not the sweep.
SPLIT_SHARE = 0.75
# A setting is "still improving" when its runs' training accuracy (mean over the runs that reached
# the last epoch) rose by more than STILL_IMPROVING over the last LAST_EPOCHS epochs: 1 pp is 2.4 of
# the page's 240 training points, well above the epoch-to-epoch wobble of a converged setting.
LAST_EPOCHS = 5
STILL_IMPROVING = 0.01
# A run "ends at chance" when its accuracy is within this much of 1 / classes: the network predicts
# (nearly) one class everywhere. The divergence rule (a loss that stops being finite or grows past
# ``divergence_factor``) cannot see it: the loss stays finite, near batches × ln(classes).
CHANCE_MARGIN = 0.05
# A setting is "sensitive to rounding" when a change of precision alone (same framework,
# initialisation and seed) moves some run's accuracy by more than this.
ROUNDING_SWING = 0.10


# ---------------------------------------------------------------- a pooled effect split by optimizer


def by_optimizer(effects: pd.DataFrame, effect: str) -> pd.DataFrame:
    """Per level held fixed (``within``) and optimizer: the mean of its settings' effects and their
    ``share`` of the level's pooled effect (the sum of its settings' means over all settings' sum)."""
    rows = ef.setting_rows(effects, effect).dropna(subset=["mean"])
    if rows.empty:
        return pd.DataFrame(columns=["within", "optimizer", "mean", "share", "settings"])
    table = rows.groupby(["within", "optimizer"], sort=True)["mean"].agg(["mean", "sum", "size"]).reset_index()
    total = table.groupby("within")["sum"].transform("sum")
    table["share"] = table["sum"] / total
    return table.rename(columns={"size": "settings"})[["within", "optimizer", "mean", "share", "settings"]]


def largest_setting(effects: pd.DataFrame, effect: str) -> pd.Series | None:
    """The per-setting row with the largest effect in size, with its ``share`` of its level's sum."""
    rows = ef.setting_rows(effects, effect).dropna(subset=["mean"])
    if rows.empty:
        return None
    rows = rows.assign(share=rows["mean"] / rows.groupby("within")["mean"].transform("sum"))
    return rows.loc[rows["mean"].abs().idxmax()]


def across_levels(effects: pd.DataFrame, effect: str, setting: pd.Series) -> dict:
    """One setting's effect at every level held fixed: the range of its means and of its ``share`` of each
    level's sum. The largest setting is found at one level; its size differs at the others."""
    rows = ef.setting_rows(effects, effect).dropna(subset=["mean"])
    rows = rows.assign(share=rows["mean"] / rows.groupby("within")["mean"].transform("sum"))
    keys = [key for key in SETTING_COLUMNS if key in rows.columns]
    same = rows[(rows[keys] == setting[keys]).all(axis=1)]
    return {"low": float(same["mean"].min()), "high": float(same["mean"].max()),
            "share_low": float(same["share"].min()), "share_high": float(same["share"].max()), "levels": len(same)}


def carried_by(effects: pd.DataFrame, effect: str) -> dict | None:
    """The optimizer that carries a significant pooled effect (``SPLIT_SHARE`` of it or more at every
    level): its name, its share's range over the levels, and each optimizer's range of means. None when
    no level is significant or no optimizer carries that much everywhere."""
    if ef.effect_verdict(effects, effect)["kind"] == "none":
        return None
    table = by_optimizer(effects, effect)
    if table.empty or table["optimizer"].nunique() < 2:
        return None
    lowest = table.groupby("optimizer")["share"].min()
    optimizer = lowest.idxmax()
    if not lowest[optimizer] >= SPLIT_SHARE:
        return None
    share = table.loc[table["optimizer"] == optimizer, "share"]
    means = {name: (float(rows["mean"].min()), float(rows["mean"].max())) for name, rows in table.groupby("optimizer")}
    largest = largest_setting(effects, effect)
    return {"optimizer": optimizer, "share_low": float(share.min()), "share_high": float(share.max()), "means": means,
            "largest": largest, "largest_across_levels": across_levels(effects, effect, largest)}


# ---------------------------------------------------------------- convergence


def convergence(epochs: pd.DataFrame) -> pd.DataFrame:
    """Per sweep setting: the training accuracy's ``rise`` over its last ``LAST_EPOCHS`` epochs (mean over
    the runs that reached the last epoch) and whether it is ``still_improving`` (rise > STILL_IMPROVING)."""
    keys = [key for key in SETTING_COLUMNS if key in epochs.columns]
    sweep = epochs[epochs["group"] == "sweep"]
    columns = [*keys, "last_epoch", "rise", "still_improving"]
    if sweep.empty:
        return pd.DataFrame(columns=columns)
    rows = []
    for setting, mine in sweep.groupby(keys, sort=True):
        last = int(mine["epoch"].max())
        wide = mine.pivot_table(index="run_id", columns="epoch", values="accuracy")
        if last - LAST_EPOCHS not in wide.columns:
            continue
        both = wide[[last - LAST_EPOCHS, last]].dropna()  # runs that reached the last epoch
        rise = float((both[last] - both[last - LAST_EPOCHS]).mean()) if len(both) else math.nan
        rows.append({**dict(zip(keys, setting)), "last_epoch": last, "rise": rise,
                     "still_improving": bool(rise > STILL_IMPROVING)})
    return pd.DataFrame(rows, columns=columns)


# ---------------------------------------------------------------- runs that end at chance


def chance_level(n_classes: int) -> float:
    return 1 / n_classes


def at_chance(runs: pd.DataFrame, n_classes: int, metric: str) -> pd.DataFrame:
    """The sweep's runs that finished (not diverged) with ``metric`` within ``CHANCE_MARGIN`` of chance."""
    sweep = runs[(runs["group"] == "sweep") & (runs["status"] == OK)]
    return sweep[sweep[metric] <= chance_level(n_classes) + CHANCE_MARGIN]


# ---------------------------------------------------------------- sensitivity to rounding


def rounding_swings(runs: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Per sweep setting: the largest change of ``metric`` that the precision alone makes in one run
    (|float32 − float64| at the same framework, initialisation and seed), and whether it is
    ``sensitive`` (more than ``ROUNDING_SWING``). Empty when the sweep has one precision."""
    pairs = effects_module.paired_differences(runs, "precision", metric).dropna(subset=["difference"])
    if pairs.empty:
        return pd.DataFrame(columns=[*SETTING_COLUMNS, "swing", "sensitive"])
    swing = pairs.assign(swing=pairs["difference"].abs()).groupby(SETTING_COLUMNS, sort=True)["swing"].max()
    return swing.reset_index().assign(sensitive=lambda table: table["swing"] > ROUNDING_SWING)


# ---------------------------------------------------------------- what a pair shares


# What the two runs of a pair have in common, per effect. Both frameworks' runs of one seed share the data
# split and its fresh sample; each framework draws its own initial weights and its own batch order (neurogebra
# from numpy's stream, PyTorch from torch's generator). Within one framework the seed fixes the batch order;
# the precisions start from the same draw, rounded.
SHARED = {
    "framework": ("the seed's data split and fresh sample, the initialisation scheme, the precision and the setting",
                  "the initial weights and the batch order"),
    "init": ("the seed's data split and fresh sample, the framework, the batch order, the precision and the setting",
             "the initial weights"),
    "precision": ("the seed's data split and fresh sample, the framework, the batch order, the initial weights "
                  "(up to rounding) and the setting", "the rounding"),
}


def pair_correlations(runs: pd.DataFrame, metric: str) -> dict[str, dict]:
    """Per effect, how much the two runs of a pair move together across seeds: Pearson's r of their
    ``metric`` over the seeds, per (levels held fixed, setting), summarised as ``median`` over the
    ``groups`` where both sides vary. Pairing removes the seed's noise only as far as r is high."""
    sweep = runs[(runs["group"] == "sweep") & (runs["status"] == OK)]
    found = {}
    for effect, (factor, first, second) in effects_module.EFFECTS.items():
        keys = [*effects_module.held_fixed(effect), *SETTING_COLUMNS]
        correlations = []
        for _, mine in sweep.groupby(keys, sort=True):
            wide = mine.pivot_table(index="seed", columns=factor, values=metric).dropna()
            if {first, second} <= set(wide.columns) and len(wide) > 2 and wide[first].std() > 0 and wide[second].std() > 0:
                correlations.append(float(np.corrcoef(wide[first], wide[second])[0, 1]))
        if correlations:
            found[effect] = {"median": float(np.median(correlations)), "groups": len(correlations)}
    return found


# ---------------------------------------------------------------- sameness, pooled and per setting


def setting_equivalence(effects: pd.DataFrame, effect: str, margin: float) -> pd.DataFrame:
    """Every per-setting row of an effect with its TOST (``findings.effects.equivalence``) beside it."""
    rows = ef.setting_rows(effects, effect).reset_index(drop=True)
    tested = ef.equivalence(rows.rename_axis("within"), margin)
    return rows.assign(low90=tested["low"].to_numpy(), high90=tested["high"].to_numpy(),
                       equivalent=tested["equivalent"].to_numpy())


def sameness(effects: pd.DataFrame, effect: str, margin: float) -> dict:
    """An effect's equivalence test pooled and per setting: ``verdict`` (``findings.effects
    .equivalence_verdict``), the pooled levels and settings that pass, the pooled level whose 90%
    interval reaches furthest (``widest``: its level, low and high), and the settings that fail."""
    pooled = ef.pooled_effects(effects, effect)
    tested = ef.equivalence(pooled, margin)
    settings = setting_equivalence(effects, effect, margin)
    widest = tested[["low", "high"]].abs().max(axis=1).idxmax() if len(tested) else None
    return {"verdict": ef.equivalence_verdict(effects, effect, margin), "margin": margin,
            "levels": len(tested), "levels_equivalent": int(tested["equivalent"].sum()),
            "widest": None if widest is None else {"within": widest, "low": float(tested.loc[widest, "low"]),
                                                   "high": float(tested.loc[widest, "high"])},
            "settings": len(settings), "settings_equivalent": int(settings["equivalent"].sum()),
            "failing": settings[~settings["equivalent"]]}
