"""Seconds per epoch of each implementation as the hidden layers widen, measured on a quiet machine.

Per-run timings (``timing.json``) are taken while other jobs share the machine, so they say little
about speed. This measurement is made by a job that the workflow runs alone (it claims every core),
for networks 2-w-w-classes and each width w in ``config["speed"]["hidden_widths"]``, and for each
implementation of ``config["speed"]["implementations"]``: neurogebra's scalar engine (pure Python,
timed only up to ``scalar_max_width``), its tensor engine (numpy), PyTorch, all from the same
initial weights on the same batches (``spiralbench.controlled.start``), and the hand-written numpy
loop without autograd (``numpy``), the floor that no numpy engine can beat. Each is timed in every
precision of ``config["speed"]["precisions"]`` (float32, float64) it computes in: the scalar engine,
whose numbers are Python floats, in float64 only.

Each repeat times a fresh network for a few epochs of the page's training loop; the repeats go
round the implementations, precisions and widths in turn, so that a slow moment of the machine does
not fall on one cell only. PyTorch uses ``threads`` threads and numpy's BLAS is held to the same number
(threadpoolctl), so that neither gains from cores the other does not use.
"""
from __future__ import annotations

import time

import pandas as pd
from threadpoolctl import threadpool_limits

from spiralbench import controlled
from spiralbench.contract import SPEED_COLUMNS as COLUMNS

IMPLEMENTATIONS = (*controlled.IMPLEMENTATIONS, controlled.FLOOR)
# The precisions each implementation computes in: a Value holds a Python float.
PRECISIONS = {implementation: ("float32", "float64") for implementation in IMPLEMENTATIONS} | {"scalar": ("float64",)}


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


def time_epochs(implementation: str, precision: str, width: int, settings: dict, split, seed: int,
                clock=time.perf_counter) -> float:
    """Mean seconds per epoch of a fresh 2-w-w-classes network trained ``settings["epochs"]`` epochs."""
    setting = training_settings(settings, width, seed)
    weights = controlled.initial_weights(setting, split)
    epochs = controlled.start(implementation, setting, split, weights, controlled.epoch_orders(setting, split),
                              threads=settings["threads"], precision=precision)
    start = clock()
    for _ in epochs:
        pass
    return (clock() - start) / settings["epochs"]


def timed_cells(settings: dict) -> list[tuple[str, str, int]]:
    """(implementation, precision, width) to time: the scalar engine in float64 and up to ``scalar_max_width``."""
    # Implementations innermost: timing one right after itself (in the other precision) makes the second
    # run faster by 5-10% at small widths, which would show as a gain of the precision timed second.
    return [
        (implementation, precision, width)
        for width in settings["hidden_widths"]
        for precision in settings["precisions"]
        for implementation in settings["implementations"]
        if precision in PRECISIONS[implementation]
        and (implementation != "scalar" or width <= settings["scalar_max_width"])
    ]


def measure(settings: dict, load_split, seed: int, clock=time.perf_counter) -> pd.DataFrame:
    """One row per timed cell × repeat. ``load_split()`` gives a fresh split (and stream) each time."""
    cells = timed_cells(settings)
    with threadpool_limits(limits=settings["threads"]):
        # A first, untimed epoch per implementation and precision pays for lazy imports and first-call set-up.
        warm_up = dict(settings, epochs=1)
        for implementation, precision in dict.fromkeys(cell[:2] for cell in cells):  # each pair once, in order
            time_epochs(implementation, precision, min(settings["hidden_widths"]), warm_up, load_split(), seed, clock)
        n_train = len(load_split().X_train)
        rows = []
        for repeat in range(1, settings["repeats"] + 1):
            for implementation, precision, width in cells:
                seconds = time_epochs(implementation, precision, width, settings, load_split(), seed, clock)
                rows.append((implementation, precision, width, repeat, seconds, n_train / seconds))
    table = pd.DataFrame(rows, columns=COLUMNS)
    order = ["implementation", "precision", "hidden_width", "repeat"]
    return table.sort_values(order, kind="mergesort").reset_index(drop=True)
