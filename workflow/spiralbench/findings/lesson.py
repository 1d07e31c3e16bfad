"""The facts behind the page's small demonstrations: the split, the networks' sizes, softmax, MathForge.

Each is checked here against its definition, so that the report only words and formats the result.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from spiralbench.config import n_parameters
from spiralbench.effects import OK
from spiralbench.frameworks import FRAMEWORKS

SOFTMAX_TARGET = 0  # the class the page's softmax demo scores the loss against
# The frameworks agree with the softmax formula when no probability or loss differs by more than this
# (float32 against float64 rounding stays near 1e-7).
SOFTMAX_TOLERANCE = 1e-6


def class_counts(split: dict[str, np.ndarray]) -> dict:
    """Points in the training and test sets of one split, and per class (``train_per_class`` etc.)."""
    n_classes = int(max(split["y_train"].max(), split["y_test"].max())) + 1
    counts = {}
    for part in ("train", "test"):
        labels = split[f"y_{part}"]
        counts[part] = len(labels)
        counts[f"{part}_per_class"] = [int((labels == k).sum()) for k in range(n_classes)]
    return counts


def saved_network(weights) -> dict:
    """A trained network as its job saved it (``[(W, b), ...]``, W of shape (n_out, n_in);
    ``spiralbench.job_tables.trained_weights``): its layer ``sizes`` read from the weights' shapes, the
    values it holds (``counted``) and the parameters its sizes imply (``implied``)."""
    sizes = [weights[0][0].shape[1], *(W.shape[0] for W, _ in weights)]
    return {"sizes": sizes, "counted": int(sum(W.size + b.size for W, b in weights)),
            "implied": n_parameters(sizes)}


def parameter_counts(runs: pd.DataFrame, n_classes: int) -> dict:
    """Whether every run reports the parameter count its layer sizes imply; the runs and distinct counts."""
    hidden = runs["hidden_sizes"].astype(str).str.split("x")
    expected = hidden.map(lambda sizes: n_parameters([2, *map(int, sizes), n_classes]))
    return {"agree": bool((expected == runs["n_parameters"]).all()), "runs": len(runs),
            "counts": sorted(set(runs["n_parameters"].astype(int)))}


def softmax_check(demo: pd.DataFrame, target: int = SOFTMAX_TARGET) -> dict:
    """Both frameworks' probabilities and loss beside the formula evaluated with NumPy: ``scores``,
    ``probabilities`` and ``losses`` per framework, ``formula`` (probabilities, loss), ``largest``, the
    largest difference between any two of the three, and whether they ``agree`` (``SOFTMAX_TOLERANCE``)."""
    wide = demo.pivot_table(index="class", columns="framework", values=["score", "probability", "loss"], aggfunc="first")
    scores = wide["score"].iloc[:, 0].to_numpy(dtype=float)
    formula = np.exp(scores - scores.max()) / np.exp(scores - scores.max()).sum()
    probabilities = {f: wide[("probability", f)].to_numpy(dtype=float) for f in FRAMEWORKS}
    losses = {f: float(wide[("loss", f)].iloc[0]) for f in FRAMEWORKS}
    columns = [*probabilities.values(), formula]
    largest = max(float(np.max(np.abs(a - b))) for a in columns for b in columns)
    largest = max(largest, *(abs(loss + math.log(formula[target])) for loss in losses.values()))
    return {"scores": scores, "probabilities": probabilities, "losses": losses, "target": target,
            "formula": (formula, -math.log(formula[target])), "largest": largest,
            "agree": largest <= SOFTMAX_TOLERANCE}


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


# Each activation's value and gradient by its definition: relu = max(0, x) with gradient 1 for x > 0 and 0
# otherwise (PyTorch's value at the kink); sigmoid s with gradient s(1 − s); tanh with gradient 1 − tanh².
DEFINITIONS = {
    "relu": (lambda x: max(0.0, x), lambda x: 1.0 if x > 0 else 0.0),
    "sigmoid": (_sigmoid, lambda x: _sigmoid(x) * (1 - _sigmoid(x))),
    "tanh": (math.tanh, lambda x: 1 - math.tanh(x) ** 2),
}


def mathforge_check(forge: pd.DataFrame) -> pd.DataFrame:
    """MathForge's rows with ``defined_value``, ``defined_gradient`` (NaN for an expression without a
    definition here) and ``matches`` (within 1e-12, or a relative 1e-9; True where there is nothing to check)."""
    defined = [(DEFINITIONS[r.expression][0](r.x), DEFINITIONS[r.expression][1](r.x))
               if r.expression in DEFINITIONS else (math.nan, math.nan) for r in forge.itertuples()]
    checked = forge.assign(defined_value=[value for value, _ in defined],
                           defined_gradient=[gradient for _, gradient in defined])
    matches = [math.isnan(r.defined_value) or (math.isclose(r.value, r.defined_value, abs_tol=1e-12)
                                               and math.isclose(r.gradient_value, r.defined_gradient, abs_tol=1e-12))
               for r in checked.itertuples()]
    return checked.assign(matches=matches)


def run_timing(timing: pd.DataFrame) -> pd.DataFrame:
    """Per framework and engine over all training runs: ``runs``, the median and quartiles of their seconds
    per epoch (``seconds_median``, ``seconds_p25``, ``seconds_p75``), and the median of their samples per
    second. Indexed by (framework, engine): neurogebra's scalar and tensor engines differ by an order of
    magnitude, so one median over both would describe neither."""
    if "engine" not in timing.columns:
        timing = timing.assign(engine="")
    grouped = timing.groupby(["framework", "engine"], sort=True)
    per_epoch = grouped["seconds_per_epoch_median"]
    table = pd.DataFrame({"runs": per_epoch.size(), "seconds_median": per_epoch.median(),
                          "seconds_p25": per_epoch.quantile(0.25), "seconds_p75": per_epoch.quantile(0.75),
                          "samples_per_second": grouped["samples_per_second_median"].median()})
    order = {framework: index for index, framework in enumerate(FRAMEWORKS)}
    return table.sort_index(key=lambda level: level.map(order) if level.name == "framework" else level)


REPRESENTATIVE_RULE = ("the seeds whose sweep runs that did not diverge have the lowest, the median and the highest "
                       "mean test accuracy (equal means ordered by seed number; the lower median of an even count)")


def representative_seeds(runs: pd.DataFrame, seeds: list[int]) -> list[dict]:
    """Three seeds that stand for all of ``seeds`` (``REPRESENTATIVE_RULE``): the worst, the median and the
    best by the mean test accuracy of each seed's sweep runs that did not diverge, as
    ``[{"role": "worst", "seed": s, "accuracy": a}, ...]``. With three seeds or fewer, every seed, in order."""
    sweep = runs[(runs["group"] == "sweep") & (runs["status"] == OK) & runs["seed"].isin(seeds)]
    means = sweep.groupby("seed")["test_accuracy"].mean()
    ranked = sorted(((float(means.get(seed, math.nan)), int(seed)) for seed in seeds),
                    key=lambda pair: (math.isnan(pair[0]), pair[0], pair[1]))
    ranked = [pair for pair in ranked if not math.isnan(pair[0])] or [(math.nan, int(s)) for s in sorted(seeds)]
    if len(ranked) <= 3:
        return [{"role": "", "seed": seed, "accuracy": accuracy} for accuracy, seed in sorted(ranked, key=lambda p: p[1])]
    chosen = {"worst": ranked[0], "median": ranked[(len(ranked) - 1) // 2], "best": ranked[-1]}
    return [{"role": role, "seed": seed, "accuracy": accuracy} for role, (accuracy, seed) in chosen.items()]
