"""The page's single-seed gap, split into the parts that make it.

The page compares neurogebra with SGD against PyTorch with Adam, from different initial weights and
in different precisions, on one seed. Along a path of the sweep's runs that changes one thing at a
time, the gap is a sum: optimizer + framework + precision + initialisation + chance.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from spiralbench import effects as effects_module
from spiralbench.config.design import DEFAULT_PRECISION, hidden_slug
from spiralbench.frameworks import FRAMEWORKS
from spiralbench.effects import OK
from spiralbench.intervals import t_interval


def tutorial_runs(runs: pd.DataFrame) -> pd.DataFrame:
    """The page's own comparison: one run per framework, each with the optimizer the page gives it."""
    return runs[runs["group"] == "tutorial"].set_index("framework").reindex(list(FRAMEWORKS))


PART_NAMES = ("optimizer", "framework", "precision", "initialisation")


def page_comparison_path(config: dict) -> list[dict]:
    """From the page's neurogebra run to its PyTorch run, changing one thing at a time.

    neurogebra/SGD/page/float64 → neurogebra/Adam/page/float64 (optimizer) → PyTorch/Adam/page/float64
    (framework) → PyTorch/Adam/page/float32 (precision) → PyTorch/Adam/torch-default/float32
    (initialisation), every step with the page's batch size, epochs and network, on the sweep's runs.
    """
    tutorial = config["tutorial"]
    common = {"batch_size": tutorial["batch_size"], "epochs": tutorial["epochs"],
              "hidden_sizes": hidden_slug(tutorial["hidden_sizes"]), "activation": tutorial["activation"]}
    ng, pt = tutorial["neurogebra"], tutorial["pytorch"]
    ng_init, pt_init = ng.get("init", "page"), pt.get("init", "torch-default")  # as the page does it
    ng_precision = ng.get("precision", DEFAULT_PRECISION["neurogebra"])
    pt_precision = pt.get("precision", DEFAULT_PRECISION["pytorch"])
    ng_optimizer = {"optimizer": ng["optimizer"], "learning_rate": ng["learning_rate"]}
    pt_optimizer = {"optimizer": pt["optimizer"], "learning_rate": pt["learning_rate"]}
    return [
        {"framework": "neurogebra", **ng_optimizer, "init": ng_init, "precision": ng_precision, **common},
        {"framework": "neurogebra", **pt_optimizer, "init": ng_init, "precision": ng_precision, **common},
        {"framework": "pytorch", **pt_optimizer, "init": ng_init, "precision": ng_precision, **common},
        {"framework": "pytorch", **pt_optimizer, "init": ng_init, "precision": pt_precision, **common},
        {"framework": "pytorch", **pt_optimizer, "init": pt_init, "precision": pt_precision, **common},
    ]


def page_comparison_parts(runs: pd.DataFrame, config: dict, metric: str = "test_accuracy") -> dict | None:
    """The page's single-seed gap (neurogebra − PyTorch ``metric``, test accuracy by default: the page's
    own measure) as optimizer + framework + precision + initialisation + chance; ``metric`` is returned
    with the parts, so that a sentence can name it.

    The four parts are mean paired differences along ``page_comparison_path`` over the sweep's seeds
    (those where all five runs finished); chance is what is left of the page's own gap. None when the
    sweep lacks one of the five settings or the page's runs did not both finish.
    """
    tutorial = tutorial_runs(runs)
    if tutorial["status"].ne(OK).any() or tutorial[metric].isna().any():
        return None
    path = page_comparison_path(config)
    steps = effects_module.path_effects(runs, path, metric)
    if len(steps) < 2:
        return None
    observed = float(tutorial.loc["neurogebra", metric] - tutorial.loc["pytorch", metric])
    parts = {name: t_interval(steps[f"step{i}"]) for i, name in enumerate(PART_NAMES)}
    total = t_interval(steps["total"])
    return {"observed": observed, "seed": int(tutorial.loc["neurogebra", "seed"]), "parts": parts, "total": total,
            "chance": observed - total["mean"], "n_seeds": len(steps), "path": path, "metric": metric}


def largest_part(parts: dict) -> tuple[dict[str, float], str]:
    """The parts of the page's gap (chance included) by name, and the name of the largest in size."""
    pieces = {**{name: parts["parts"][name]["mean"] for name in PART_NAMES}, "chance": parts["chance"]}
    return pieces, max(pieces, key=lambda name: abs(pieces[name]))


def seed_is_typical(parts: dict) -> bool | None:
    """Whether the page's chance part is within two standard deviations of the sweep's seeds (None: unknown)."""
    spread = parts["total"]["std"]
    return bool(abs(parts["chance"]) <= 2 * spread) if np.isfinite(spread) else None


def sampling_error(runs: pd.DataFrame, n_points: int, metric: str = "fresh_accuracy") -> float:
    """The standard error of one run's accuracy counted on ``n_points`` independent points, at the accuracy
    of the page's two runs (their mean by ``metric``, the fresh sample's: the closest to their true accuracy):
    sqrt(p(1 − p) / n), the binomial's. It is how far a test set of that size moves one run's accuracy by
    the luck of its draw, the noise that splits of the page's gap on two samples differ by."""
    accuracy = float(tutorial_runs(runs)[metric].mean())
    return float(np.sqrt(accuracy * (1 - accuracy) / n_points))
