"""Runs tables made by hand, with effects of known size, for the statistics and the report's sentences.

A run's test accuracy is a common base, plus a per-seed shift shared by every run of that seed
(the split's difficulty: what pairing by seed removes), plus the framework, initialisation and
precision effects asked for, plus independent noise. Columns are those of ``tables/runs.csv``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from spiralbench.collect import RUNS_COLUMNS

# (optimizer, learning rate, batch size): the default sweep's grid.
SETTINGS = [(optimizer, lr, batch) for optimizer in ("adam", "sgd") for lr in (0.01, 0.05, 0.2) for batch in (16, 64)]
TUTORIAL = {"neurogebra": ("sgd", 0.05, "page", "float64"), "pytorch": ("adam", 0.01, "torch-default", "float32")}
EPOCHS, HIDDEN, ACTIVATION, BATCH = 30, "16x16", "relu", 16


def runs_table(framework_effect=0.0, init_effect=0.0, optimizer_effect=0.0, precision_effect=0.0, seeds=range(10),
               noise=0.02, settings=SETTINGS, diverged=(), tutorial_gap=None, rng_seed=0,
               precisions=("float64",)) -> pd.DataFrame:
    """A runs table: neurogebra − PyTorch = ``framework_effect``, page − torch-default = ``init_effect``,
    float32 − float64 = ``precision_effect`` (each of these two a number, or a dict per framework),
    SGD − Adam = ``optimizer_effect``, on average.

    ``diverged``: (framework, init, optimizer, learning_rate, batch_size, seed) of runs that diverged
    (in every precision). ``precisions``: the sweep's; the tutorial's runs are the page's (neurogebra
    in float64, PyTorch in float32), copied from the sweep where it has them.
    ``tutorial_gap``: the page's single-seed comparison (neurogebra − PyTorch); by default it is the
    sweep's own runs of those two settings on the tutorial seed.
    """
    rng = np.random.default_rng(rng_seed)
    seeds = list(seeds)
    init_effects = init_effect if isinstance(init_effect, dict) else {"neurogebra": init_effect, "pytorch": init_effect}
    precision_effects = (precision_effect if isinstance(precision_effect, dict)
                         else {"neurogebra": precision_effect, "pytorch": precision_effect})
    seed_shift = dict(zip(seeds, rng.normal(0, 0.05, len(seeds))))
    rows = []
    for optimizer, lr, batch in settings:
        base = 0.8
        for framework in ("neurogebra", "pytorch"):
            for init in ("page", "torch-default"):
                for precision in precisions:
                    for seed in seeds:
                        accuracy = (base + seed_shift[seed] + rng.normal(0, noise)
                                    + half(framework_effect, framework == "neurogebra")
                                    + half(init_effects[framework], init == "page")
                                    + half(precision_effects[framework], precision == "float32")
                                    + half(optimizer_effect, optimizer == "sgd"))
                        failed = (framework, init, optimizer, lr, batch, seed) in diverged
                        rows.append(run("sweep", framework, init, optimizer, lr, batch, seed, accuracy, failed,
                                        precision))
    sweep = pd.DataFrame(rows)
    tutorial = []
    for framework, (optimizer, lr, init, precision) in TUTORIAL.items():
        same = sweep[(sweep["framework"] == framework) & (sweep["optimizer"] == optimizer)
                     & (sweep["learning_rate"] == lr) & (sweep["batch_size"] == BATCH) & (sweep["init"] == init)
                     & (sweep["precision"] == precision) & (sweep["seed"] == seeds[0])]
        accuracy = float(same["test_accuracy"].iloc[0]) if len(same) else 0.8
        tutorial.append(run("tutorial", framework, init, optimizer, lr, BATCH, seeds[0], accuracy, False, precision))
    if tutorial_gap is not None:
        tutorial[0]["test_accuracy"] = tutorial[1]["test_accuracy"] + tutorial_gap
    return pd.DataFrame(rows + tutorial)[RUNS_COLUMNS + [c for c in ("init", "engine") if c not in RUNS_COLUMNS]]


def half(effect: float, plus: bool) -> float:
    """Half an effect added on one side of a contrast and taken off the other."""
    return effect / 2 if plus else -effect / 2


def run(group, framework, init, optimizer, lr, batch, seed, accuracy, failed, precision="float64") -> dict:
    setting = f"{optimizer}_lr{lr:g}_bs{batch}_ep{EPOCHS}_h{HIDDEN}_{ACTIVATION}_{init}_{precision}"
    return {
        "run_id": f"{group}/{framework}/{setting}/seed{seed}", "group": group, "framework": framework,
        "setting": setting, "seed": seed, "optimizer": optimizer, "learning_rate": lr, "batch_size": batch,
        "epochs": EPOCHS, "hidden_sizes": HIDDEN, "activation": ACTIVATION, "init": init,
        "precision": precision, "engine": "torch" if framework == "pytorch" else "tensor", "n_parameters": 371,
        "status": "diverged" if failed else "ok", "diverged_epoch": 3 if failed else None,
        "epochs_completed": 3 if failed else EPOCHS, "final_loss": float("nan") if failed else 0.5,
        "train_accuracy": float("nan") if failed else min(1.0, accuracy + 0.02),
        "test_accuracy": float("nan") if failed else float(np.clip(accuracy, 0.0, 1.0)),
        # The fresh sample measures the same model: here the same accuracy less the test set's steps.
        "fresh_accuracy": float("nan") if failed else float(np.clip(accuracy, 0.0, 1.0)) - 0.001,
    }


def epochs_table(runs: pd.DataFrame, rise_per_epoch: dict[str, float] | float = 0.0) -> pd.DataFrame:
    """Per-epoch training histories (``tables/epochs.csv``) for the finished sweep runs of ``runs``: each
    run's training accuracy climbs to its final value, by ``rise_per_epoch`` (per optimizer, or one
    number) over each of its last epochs; the loss falls with it."""
    rises = rise_per_epoch if isinstance(rise_per_epoch, dict) else {"sgd": rise_per_epoch, "adam": rise_per_epoch}
    rows = []
    for run in runs[(runs["group"] == "sweep") & (runs["status"] == "ok")].itertuples():
        for epoch in range(1, run.epochs + 1):
            accuracy = max(0.0, run.train_accuracy - rises[run.optimizer] * (run.epochs - epoch))
            rows.append({"run_id": run.run_id, "group": run.group, "framework": run.framework, "setting": run.setting,
                         "seed": run.seed, "optimizer": run.optimizer, "learning_rate": run.learning_rate,
                         "batch_size": run.batch_size, "init": run.init, "precision": run.precision,
                         "engine": run.engine, "epoch": epoch, "loss": 15 * (1.1 - accuracy), "accuracy": accuracy})
    return pd.DataFrame(rows)
