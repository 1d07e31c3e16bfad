"""Seconds per epoch of both frameworks as the hidden layers widen, measured on a quiet machine.

Per-run timings (``timing.json``) are taken while other jobs share the machine, so they say little
about speed. This measurement is made by a job that the workflow runs alone (it claims every core),
for networks 2-w-w-classes and each width w in ``config["speed"]["hidden_widths"]``. Each repeat
times a fresh network for a few epochs of the page's training loop; the repeats go round the
frameworks and widths in turn, so that a slow moment of the machine does not fall on one cell only.
"""
from __future__ import annotations

import time

import pandas as pd

from spiralbench import frameworks
from spiralbench.config import FRAMEWORKS, make_run

COLUMNS = ["framework", "hidden_width", "repeat", "seconds_per_epoch", "samples_per_second"]


def time_epochs(framework: str, width: int, settings: dict, split, seed: int, clock=time.perf_counter) -> float:
    """Mean seconds per epoch of a fresh 2-w-w-classes network trained ``settings["epochs"]`` epochs."""
    setting = {
        "optimizer": settings["optimizer"],
        "learning_rate": settings["learning_rate"],
        "batch_size": settings["batch_size"],
        "epochs": settings["epochs"],
        "hidden_sizes": [width, width],
        "activation": "relu",
    }
    run = make_run("speed", framework, setting, seed, split.n_classes)
    trainer = frameworks.trainer(run, split, threads=settings["threads"])
    start = clock()
    for _ in trainer.epochs:
        pass
    return (clock() - start) / settings["epochs"]


def measure(settings: dict, load_split, seed: int, clock=time.perf_counter) -> pd.DataFrame:
    """One row per framework × width × repeat. ``load_split()`` gives a fresh split (and stream) each time."""
    # A first, untimed epoch per framework pays for lazy imports and first-call set-up.
    warm_up = dict(settings, epochs=1)
    for framework in FRAMEWORKS:
        time_epochs(framework, settings["hidden_widths"][0], warm_up, load_split(), seed, clock)
    n_train = len(load_split().X_train)
    rows = []
    for repeat in range(1, settings["repeats"] + 1):
        for width in settings["hidden_widths"]:
            for framework in FRAMEWORKS:
                seconds = time_epochs(framework, width, settings, load_split(), seed, clock)
                rows.append((framework, width, repeat, seconds, n_train / seconds))
    table = pd.DataFrame(rows, columns=COLUMNS)
    return table.sort_values(["framework", "hidden_width", "repeat"], kind="mergesort").reset_index(drop=True)
