"""The sweep's settings, and the ones the report follows epoch by epoch."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from spiralbench.frameworks import FRAMEWORKS
from spiralbench.effects import OK


def sweep_settings(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per sweep setting (optimizer, learning rate, batch size, ...), sorted."""
    keys = ["setting", "optimizer", "learning_rate", "batch_size", "epochs", "hidden_sizes", "activation"]
    keys += [key for key in ("init",) if key in runs.columns]
    sweep = runs[runs["group"] == "sweep"]
    return sweep[keys].drop_duplicates().sort_values(["optimizer", "learning_rate", "batch_size", "setting"]).reset_index(drop=True)


def ordered_pairs(pairs: dict[str, dict]) -> dict[str, dict]:
    """Inspection pairs with the page's own ('tutorial') first."""
    return dict(sorted(pairs.items(), key=lambda item: (item[0] != "tutorial", item[0])))


def reference_settings(runs: pd.DataFrame, config: dict) -> dict[str, str]:
    """For each optimizer of the sweep, the setting the report follows epoch by epoch.

    It is the tutorial's own choice for that optimizer (the learning rate the page
    gives the framework it trains with it, the page's batch size) when the sweep
    has it; otherwise the setting with the best mean test accuracy over both frameworks.
    """
    tutorial = config["tutorial"]
    page_learning_rate = {tutorial[fw]["optimizer"]: tutorial[fw]["learning_rate"] for fw in FRAMEWORKS}
    settings = sweep_settings(runs)
    sweep = runs[(runs["group"] == "sweep") & (runs["status"] == OK)]
    chosen = {}
    for optimizer, candidates in settings.groupby("optimizer", sort=True):
        page_like = candidates[
            np.isclose(candidates["learning_rate"], page_learning_rate.get(optimizer, math.nan))
            & (candidates["batch_size"] == tutorial["batch_size"])
        ]
        if len(page_like):
            chosen[optimizer] = page_like["setting"].iloc[0]
            continue
        means = sweep[sweep["setting"].isin(candidates["setting"])].groupby("setting")["test_accuracy"].mean()
        chosen[optimizer] = means.idxmax() if len(means) else candidates["setting"].iloc[0]
    return chosen


# What a curve of the training figure was trained with: the parts a caption must name to say which runs it draws.
CURVE_PARTS = ("optimizer", "learning_rate", "batch_size", "init", "precision")


def curve_columns(reference: dict[str, str]) -> list[str]:
    """The optimizers of the training figure's columns, in its order: SGD, Adam, then any other."""
    return [o for o in ("sgd", "adam") if o in reference] + sorted(set(reference) - {"sgd", "adam"})


def training_curve_sources(runs: pd.DataFrame, reference: dict[str, str]) -> list[dict]:
    """What each column of the training figure draws: the sweep setting its bands average over seeds, and
    the page's own runs drawn dashed in it, each with its own setting and the parts of it that are not the
    bands' (the page's runs need not be one of the settings the bands follow)."""
    parts = [part for part in CURVE_PARTS if part in runs.columns]
    settings = runs[runs["group"] == "sweep"].drop_duplicates("setting").set_index("setting")
    tutorial = runs[runs["group"] == "tutorial"]
    columns = []
    for optimizer in curve_columns(reference):
        bands = {part: settings.loc[reference[optimizer], part] for part in parts}
        page_runs = [{"framework": run["framework"], "seed": int(run["seed"]),
                      "setting": {part: run[part] for part in parts},
                      "differs": [part for part in parts if not _same_value(run[part], bands[part])]}
                     for _, run in tutorial[tutorial["optimizer"] == optimizer].iterrows()]
        columns.append({"optimizer": optimizer, "bands": bands, "page_runs": page_runs})
    return columns


def _same_value(a, b) -> bool:
    """Equal, numbers to rounding (a learning rate read back from a table)."""
    if isinstance(a, (int, float, np.number)) and isinstance(b, (int, float, np.number)):
        return bool(np.isclose(a, b))
    return a == b
