"""Seconds per epoch of each implementation as the hidden layers widen, measured on a quiet machine.

Per-run timings (``timing.json``) are taken while other jobs share the machine, so they say little
about speed. This measurement is made by a job that the workflow runs alone (it claims every core),
for networks 2-w-w-classes and each width w in ``config["speed"]["hidden_widths"]``, and for each
implementation of ``config["speed"]["implementations"]``: neurogebra's scalar engine (pure Python,
timed only up to ``scalar_max_width``), its tensor engine (numpy), PyTorch, all in float64 from the
same initial weights on the same batches (``spiralbench.controlled.start``), and the hand-written
numpy loop without autograd (``numpy``), the floor that no numpy engine can beat.

Each repeat times a fresh network for a few epochs of the page's training loop; the repeats go
round the implementations and widths in turn, so that a slow moment of the machine does not fall on
one cell only. PyTorch uses ``threads`` threads and numpy's BLAS is held to the same number
(threadpoolctl), so that neither gains from cores the other does not use.
"""
from __future__ import annotations

import time

import pandas as pd
from threadpoolctl import threadpool_limits

from spiralbench import controlled

COLUMNS = ["implementation", "hidden_width", "repeat", "seconds_per_epoch", "samples_per_second"]
IMPLEMENTATIONS = (*controlled.IMPLEMENTATIONS, controlled.FLOOR)


def training_settings(settings: dict, width: int, seed: int) -> dict:
    """The training setting of a 2-width-width-classes ReLU network under the ``speed`` section."""
    return {
        "seed": seed,
        "optimizer": settings["optimizer"],
        "learning_rate": settings["learning_rate"],
        "batch_size": settings["batch_size"],
        "epochs": settings["epochs"],
        "hidden_sizes": [width, width],
        "activation": "relu",
    }


def time_epochs(implementation: str, width: int, settings: dict, split, seed: int, clock=time.perf_counter) -> float:
    """Mean seconds per epoch of a fresh 2-w-w-classes network trained ``settings["epochs"]`` epochs."""
    setting = training_settings(settings, width, seed)
    weights = controlled.initial_weights(setting, split)
    epochs = controlled.start(implementation, setting, split, weights, controlled.epoch_orders(setting, split),
                              threads=settings["threads"])
    start = clock()
    for _ in epochs:
        pass
    return (clock() - start) / settings["epochs"]


def timed_cells(settings: dict) -> list[tuple[str, int]]:
    """(implementation, width) pairs to time: the scalar engine only up to ``scalar_max_width``."""
    return [
        (implementation, width)
        for width in settings["hidden_widths"]
        for implementation in settings["implementations"]
        if implementation != "scalar" or width <= settings["scalar_max_width"]
    ]


def measure(settings: dict, load_split, seed: int, clock=time.perf_counter) -> pd.DataFrame:
    """One row per implementation × width × repeat. ``load_split()`` gives a fresh split (and stream) each time."""
    with threadpool_limits(limits=settings["threads"]):
        # A first, untimed epoch per implementation pays for lazy imports and first-call set-up.
        warm_up = dict(settings, epochs=1)
        for implementation in settings["implementations"]:
            time_epochs(implementation, min(settings["hidden_widths"]), warm_up, load_split(), seed, clock)
        n_train = len(load_split().X_train)
        rows = []
        for repeat in range(1, settings["repeats"] + 1):
            for implementation, width in timed_cells(settings):
                seconds = time_epochs(implementation, width, settings, load_split(), seed, clock)
                rows.append((implementation, width, repeat, seconds, n_train / seconds))
    table = pd.DataFrame(rows, columns=COLUMNS)
    return table.sort_values(["implementation", "hidden_width", "repeat"], kind="mergesort").reset_index(drop=True)
