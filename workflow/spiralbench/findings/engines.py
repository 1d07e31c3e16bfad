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
