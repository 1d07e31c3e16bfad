"""Which engine trained what, and how closely the implementations agree when only the implementation differs."""
from __future__ import annotations

import math

import pandas as pd

from spiralbench.findings.speed import CONTROLLED_IMPLEMENTATIONS

GROUP_ORDER = ("sweep", "tutorial", "engine_check")
# The controlled run's implementations compute "the same function" when their losses stay this close.
CONTROLLED_TOLERANCE = 1e-6


def engine_usage(runs: pd.DataFrame) -> pd.DataFrame:
    """How many runs each engine trained, per group and framework."""
    if "engine" not in runs.columns:
        return pd.DataFrame(columns=["group", "framework", "engine", "runs"])
    usage = runs.groupby(["group", "framework", "engine"], sort=True).size().rename("runs").reset_index()
    order = {group: i for i, group in enumerate(GROUP_ORDER)}
    return usage.sort_values("group", key=lambda g: g.map(order).fillna(len(order)), kind="mergesort").reset_index(drop=True)


def engine_agreement(agreement: pd.DataFrame) -> dict:
    """How closely neurogebra's two engines agree on the runs both trained (tables/engine_agreement.csv)."""
    per_seed = agreement.groupby("seed", sort=True)
    test_same = per_seed.apply(lambda rows: bool((rows["test_accuracy_scalar"] == rows["test_accuracy_tensor"]).all()),
                               include_groups=False)
    return {
        "seeds": int(agreement["seed"].nunique()),
        "epochs": len(agreement),
        "max_abs_diff": float(agreement["loss_abs_diff"].max()) if len(agreement) else math.nan,
        "same_accuracy_epochs": int((agreement["accuracy_scalar"] == agreement["accuracy_tensor"]).sum()),
        "seeds_same_test_accuracy": int(test_same.sum()),
        "all_agree": bool(len(agreement)) and bool(agreement["agree"].astype(bool).all()),
    }


def controlled_agreement(controlled: pd.DataFrame, tolerance: float = CONTROLLED_TOLERANCE) -> dict:
    """How closely the implementations agree when everything but the implementation is the same.

    ``max_abs_diff`` is the largest difference between any two implementations' losses in any epoch
    (recomputed from the losses as well as read from ``abs_diff``); an epoch has the same accuracy
    when all implementations counted the same.
    """
    losses = controlled[[f"{name}_loss" for name in CONTROLLED_IMPLEMENTATIONS]]
    accuracies = controlled[[f"{name}_accuracy" for name in CONTROLLED_IMPLEMENTATIONS]]
    max_difference = max(float(controlled["abs_diff"].max()), float((losses.max(axis=1) - losses.min(axis=1)).max()))
    return {
        "epochs": len(controlled),
        "max_abs_diff": max_difference,
        "within_tolerance": bool(max_difference <= tolerance),
        "tolerance": tolerance,
        "epochs_same_accuracy": int((accuracies.nunique(axis=1) == 1).sum()),
    }


# The parts of a setting the engine check's scope is said in (``settings.CURVE_PARTS``, one list for both).
CHECK_PARTS = ("optimizer", "learning_rate", "batch_size", "init", "precision")


def engine_check_scope(runs: pd.DataFrame) -> dict:
    """Which setting the engine check covers, and what it leaves out: the check trains one setting (the
    page's neurogebra one) with the engine the sweep does not use, so the sweep's runs at every other
    setting are not compared with the other engine. ``checked``: the checked setting's parts (empty without
    an engine check); ``unchecked``: how many of the sweep's neurogebra settings are not checked, and per
    part the values they take that the checked setting does not."""
    check = runs[runs["group"] == "engine_check"]
    parts = [part for part in CHECK_PARTS if part in runs.columns]
    if check.empty:
        return {"checked": {}, "unchecked": 0, "other_values": {}}
    checked = check.iloc[0]
    sweep = runs[(runs["group"] == "sweep") & (runs["framework"] == "neurogebra")].drop_duplicates("setting")
    others = sweep[~sweep["setting"].isin(check["setting"])]
    other_values = {part: sorted(set(others[part]) - {checked[part]}) for part in parts}
    return {"checked": {part: checked[part] for part in parts}, "unchecked": len(others),
            "other_values": {part: values for part, values in other_values.items() if values}}
