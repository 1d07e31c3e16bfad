"""What a trained pair of networks shows: decision boundaries, first-layer neuron maps, weight statistics.

The page's Step 7 predicts its grid one point at a time, building a graph for each; Step 8 does the
same for every neuron's activation map. Here each trained network is rebuilt from its job's
``runs.parquet`` and evaluates a whole grid as one array: neurogebra through its ``evaluate`` path inside ``no_grad``
(the same floats as its graph, none built), PyTorch in the dtype it was trained in, inside
``torch.no_grad``. Both frameworks see the same grid.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from spiralbench.contract import AGREEMENT_COLUMNS, LAYER_STATS_COLUMNS
from spiralbench.frameworks import FRAMEWORKS, TrainedModel, load_trained
from spiralbench.io import load_npz, save_npz
from spiralbench.job_tables import trained_weights


# The page's Step 7 grid: step h over the test set's range widened by a margin on every side.
BOUNDARY_STEP = 0.02
BOUNDARY_MARGIN = 0.5
# The page's Step 8 grid for neuron maps: np.arange(-1.5, 1.5, 0.05) on both axes.
NEURON_MAP_RANGE = (-1.5, 1.5, 0.05)



# ---------------------------------------------------------------- grids


def boundary_grid(X, h=BOUNDARY_STEP, margin=BOUNDARY_MARGIN):
    """``xx, yy`` exactly as the page's ``plot_decision_boundary`` builds them from ``X``."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2 or len(X) == 0:
        raise ValueError(f"a decision-boundary grid needs points of shape (n, 2), got shape {X.shape}")
    x_min, x_max = X[:, 0].min() - margin, X[:, 0].max() + margin
    y_min, y_max = X[:, 1].min() - margin, X[:, 1].max() + margin
    return np.meshgrid(np.arange(x_min, x_max, h), np.arange(y_min, y_max, h))


def neuron_map_grid(start=NEURON_MAP_RANGE[0], stop=NEURON_MAP_RANGE[1], h=NEURON_MAP_RANGE[2]):
    """``xx, yy`` exactly as the page's Step 8 builds them."""
    return np.meshgrid(np.arange(start, stop, h), np.arange(start, stop, h))


def grid_points(xx, yy):
    """The grid as rows of (x1, x2), in the page's order (``np.c_[xx.ravel(), yy.ravel()]``)."""
    return np.c_[xx.ravel(), yy.ravel()]


# ---------------------------------------------------------------- trained networks


def first_layer(model: TrainedModel):
    """A function: points (n, 2) -> the first layer's outputs (n, n_neurons), float64, no graph."""
    if model.framework == "neurogebra":
        return lambda X: _neurogebra_outputs(model.network.layers[0], X)
    if model.framework == "pytorch":
        return lambda X: _torch_outputs(model.network.network[:2], X)  # the first Linear and its activation
    raise ValueError(f"unknown framework {model.framework!r}; known: {', '.join(FRAMEWORKS)}")


def _neurogebra_outputs(layer, X):
    from neurogebra import no_grad

    with no_grad():
        return layer.evaluate(X)


def _torch_outputs(module, X):
    import torch

    dtype = next(module.parameters()).dtype
    with torch.no_grad():
        return module(torch.as_tensor(np.asarray(X), dtype=dtype)).numpy().astype(np.float64)


# ---------------------------------------------------------------- what the report draws


def decision_boundaries(models, X):
    """The Step 7 grid over ``X`` and every model's predicted class on it.

    ``models``: ``spiralbench.frameworks.TrainedModel``s. Returns ``{"xx", "yy", "Z_<framework>", ...}``,
    each Z (int64) shaped like ``xx``.
    """
    xx, yy = boundary_grid(X)
    points = grid_points(xx, yy)
    arrays = {"xx": xx, "yy": yy}
    for model in models:
        arrays[f"Z_{model.framework}"] = np.asarray(model.predict(points)).astype(np.int64).reshape(xx.shape)
    return arrays


def neuron_maps(models):
    """The Step 8 grid and every first-layer neuron's output on it.

    Returns ``{"xx", "yy", "maps", ...}``: ``maps`` (n_neurons, ny, nx) for neurogebra, as the page
    draws them (``maps[k][j, i]`` is neuron k at ``(xx[j, i], yy[j, i])``), and ``<framework>_maps``
    for the others.
    """
    xx, yy = neuron_map_grid()
    points = grid_points(xx, yy)
    arrays = {"xx": xx, "yy": yy}
    for model in models:
        outputs = np.asarray(first_layer(model)(points), dtype=np.float64)
        key = "maps" if model.framework == "neurogebra" else f"{model.framework}_maps"
        arrays[key] = outputs.T.reshape((outputs.shape[1],) + xx.shape)
    return arrays


def inspect_pair(runs, split_path, boundary_path, maps_path):
    """Write the boundary and neuron-map arrays of ``runs`` (``(runs.parquet path, run id)``, one per
    framework).

    The boundary grid spans the test set of the split in ``split_path``, as the page's Step 7 does.
    """
    models = [load_trained(path, run_id) for path, run_id in runs]
    frameworks_found = sorted(model.framework for model in models)
    if frameworks_found != sorted(FRAMEWORKS):
        raise ValueError(f"an inspection pair needs one run per framework {FRAMEWORKS}, got {frameworks_found}")
    X_test = load_npz(split_path, keys=["X_test"])["X_test"]
    save_npz(boundary_path, **decision_boundaries(models, X_test))
    save_npz(maps_path, **neuron_maps(models))


def agreement(Z_a, Z_b):
    """Share of grid points where two networks predict the same class."""
    Z_a, Z_b = np.asarray(Z_a), np.asarray(Z_b)
    if Z_a.shape != Z_b.shape or Z_a.size == 0:
        raise ValueError(f"agreement needs two predictions on the same non-empty grid, got shapes {Z_a.shape} and {Z_b.shape}")
    return float(np.mean(Z_a == Z_b))


def agreement_row(name, pair, boundary_path):
    arrays = load_npz(boundary_path, keys=[f"Z_{framework}" for framework in FRAMEWORKS])
    Z_ng, Z_pt = arrays["Z_neurogebra"], arrays["Z_pytorch"]
    return {
        "name": name,
        "seed": pair["seed"],
        "agreement": agreement(Z_ng, Z_pt),
        "n_grid_points": Z_ng.size,
        "neurogebra_run_id": pair["neurogebra"],
        "pytorch_run_id": pair["pytorch"],
    }


def agreement_table(pairs, boundary_paths):
    """One row per inspection pair (sorted by name): how often the two boundaries agree."""
    rows = [agreement_row(name, pairs[name], boundary_paths[name]) for name in sorted(pairs)]
    return pd.DataFrame(rows, columns=AGREEMENT_COLUMNS)


def layer_stats(framework, run_id, weights):
    """The page's Step 8 statistics, one row per layer (layers numbered from 1, as the page prints them).

    Weights are taken neuron by neuron (the rows of W), the page's order; std is numpy's default
    (population) standard deviation, as the page's ``np.std``.
    """
    rows = []
    for i, (W, b) in enumerate(weights):
        w = np.asarray(W, dtype=np.float64).ravel()
        b = np.asarray(b, dtype=np.float64)
        rows.append(
            {
                "framework": framework,
                "run_id": run_id,
                "layer": i + 1,
                "n_neurons": len(b),
                "weight_mean": np.mean(w),
                "weight_std": np.std(w),
                "weight_min": np.min(w),
                "weight_max": np.max(w),
                "bias_mean": np.mean(b),
                "bias_std": np.std(b),
            }
        )
    return rows


def layer_stats_table(runs):
    """One row per run × layer for ``runs`` (``(runs.parquet path, run id)``, each counted once), sorted."""
    rows = []
    for path, run_id in sorted(set((str(path), run_id) for path, run_id in runs)):
        run, weights = trained_weights(path, run_id)
        rows += layer_stats(run["framework"], run["run_id"], weights)
    table = pd.DataFrame(rows, columns=LAYER_STATS_COLUMNS)
    return table.sort_values(["framework", "run_id", "layer"], kind="stable").reset_index(drop=True)
