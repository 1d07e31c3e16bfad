"""Seconds per epoch of each implementation as the hidden layers widen, with the noise of the machine measured.

Per-run timings (each training job's ``timing.parquet``) are taken while other jobs share the machine,
so they say little about speed. This measurement is made by a job that the workflow runs alone (it
claims every core), for networks 2-w-w-classes and each width w in ``config["speed"]["hidden_widths"]``,
and for each implementation of ``config["speed"]["implementations"]``: neurogebra's scalar engine (pure Python,
timed only up to ``scalar_max_width``), its tensor engine (numpy), PyTorch, all from the same
initial weights on the same batches (``spiralbench.controlled.start``), and the hand-written numpy
loop without autograd (``numpy``), the floor that no numpy engine can beat. Each is timed in every
precision of ``config["speed"]["precisions"]`` (float32, float64) it computes in: the scalar engine,
whose numbers are Python floats, in float64 only.

A job alone on the machine is still not a quiet machine (other users, the operating system), so the
instrument watches for noise, after pyperf and asv:

- Warm-up. Per implementation and precision, one untimed epoch pays for lazy imports and first-call
  set-up; per cell (implementation, precision, width), ``warmups`` samples are timed and discarded.
- Calibration. Per cell, a sample trains a fresh network for as many epochs as make it last at least
  ``min_sample_seconds`` (never fewer than ``epochs``): the clock's resolution and the per-sample
  set-up then weigh nothing, and a 50 µs epoch is not timed alone.
- Interleaving. The cells of one width (every implementation in every precision) are timed in rounds:
  one sample of each cell per round, the implementations innermost and the order rotated from round to
  round. A disturbance then falls on every cell of a round alike, and the ratios of two cells are
  taken round by round (paired: ``repeat`` is the round).
- Stability. A cell is stable when the interquartile range of its samples is at most
  ``unstable_threshold`` of their median (pyperf warns above a standard deviation of 10% of the mean).
  While a cell of the width is unstable, one more round of every cell is timed, up to ``max_repeats``
  rounds; a cell still unstable then is written with ``stable`` False, and no verdict is drawn from it
  (``spiralbench.findings.speed``).

PyTorch uses ``threads`` threads and numpy's BLAS is held to the same number (threadpoolctl), so that
neither gains from cores the other does not use.
"""
from __future__ import annotations

import math
import time

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from spiralbench import controlled
from spiralbench.contract import SPEED_COLUMNS as COLUMNS

IMPLEMENTATIONS = (*controlled.IMPLEMENTATIONS, controlled.FLOOR)
# The precisions each implementation computes in: a Value holds a Python float.
PRECISIONS = {implementation: ("float32", "float64") for implementation in IMPLEMENTATIONS} | {"scalar": ("float64",)}
# The instrument's settings when the config does not give them (older configs stay valid).
DEFAULTS = {"min_sample_seconds": 0.05, "warmups": 1, "max_repeats": 15, "unstable_threshold": 0.10}
# At most this many epochs per sample, however fast an epoch is.
MAX_EPOCHS_PER_SAMPLE = 10_000


def instrument(settings: dict) -> dict:
    """``settings`` with the instrument's defaults filled in."""
    return DEFAULTS | {"max_repeats": max(settings["repeats"], DEFAULTS["max_repeats"])} | settings


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


def round_order(cells: list, round_number: int, previous=None) -> list:
    """The cells of one width in the order of round ``round_number`` (from 1): rotated by one each round, so
    that no cell is always timed first, and further while the round would start with the implementation of
    ``previous`` (the cell timed last), which would then be timed right after itself. With fewer than three
    cells the order stays: rotating two would time the same cell twice in a row across rounds."""
    if len(cells) < 3:
        return list(cells)
    for extra in range(len(cells)):
        shift = (round_number - 1 + extra) % len(cells)
        order = list(cells[shift:]) + list(cells[:shift])
        if previous is None or order[0][0] != previous[0]:
            return order
    return list(cells)


def epochs_per_sample(seconds_per_epoch: float, settings: dict) -> int:
    """Epochs per sample so that a sample lasts at least ``min_sample_seconds``; at least ``epochs``."""
    if not seconds_per_epoch > 0:
        return settings["epochs"]
    wanted = math.ceil(settings["min_sample_seconds"] / seconds_per_epoch)
    return int(min(MAX_EPOCHS_PER_SAMPLE, max(settings["epochs"], wanted)))


def relative_spread(samples) -> float:
    """Interquartile range over median of ``samples`` (NaN for none)."""
    samples = np.asarray(samples, dtype=float)
    if samples.size == 0:
        return math.nan
    median = float(np.median(samples))
    p25, p75 = np.quantile(samples, [0.25, 0.75])
    return float((p75 - p25) / median) if median > 0 else math.inf


def is_stable(samples, threshold: float) -> bool:
    """Whether ``samples`` of one cell spread by at most ``threshold`` of their median (interquartile range)."""
    return relative_spread(samples) <= threshold


def measure(settings: dict, load_split, seed: int, clock=time.perf_counter, report=print) -> pd.DataFrame:
    """One row per timed cell × round. ``load_split()`` gives a fresh split (and stream) each time; ``report``
    receives a line per width (rounds timed, cells unstable)."""
    settings = instrument(settings)
    cells = timed_cells(settings)
    rows = []
    with threadpool_limits(limits=settings["threads"]):
        # A first, untimed epoch per implementation and precision pays for lazy imports and first-call set-up.
        warm_up = dict(settings, epochs=1)
        for implementation, precision in dict.fromkeys(cell[:2] for cell in cells):  # each pair once, in order
            time_epochs(implementation, precision, min(settings["hidden_widths"]), warm_up, load_split(), seed, clock)
        n_train = len(load_split().X_train)
        for width in dict.fromkeys(cell[2] for cell in cells):
            rows += _measure_width([cell for cell in cells if cell[2] == width], settings, load_split, seed, clock,
                                   n_train, report)
    table = pd.DataFrame(rows, columns=COLUMNS)
    order = ["implementation", "precision", "hidden_width", "repeat"]
    return table.sort_values(order, kind="mergesort").reset_index(drop=True)


def _measure_width(cells, settings, load_split, seed, clock, n_train, report) -> list[tuple]:
    """The rounds of one width's cells: calibrated, warmed up, interleaved, repeated while unstable."""
    epochs = {}
    for cell in cells:  # calibration: one epoch timed, then the epochs a sample needs
        implementation, precision, width = cell
        one = time_epochs(implementation, precision, width, dict(settings, epochs=1), load_split(), seed, clock)
        epochs[cell] = epochs_per_sample(one, settings)
    for _ in range(settings["warmups"]):  # timed and discarded
        for cell in cells:
            time_epochs(*cell, dict(settings, epochs=epochs[cell]), load_split(), seed, clock)
    samples = {cell: [] for cell in cells}
    rounds, previous = 0, cells[-1]
    while True:
        rounds += 1
        for cell in round_order(cells, rounds, previous):
            samples[cell].append(time_epochs(*cell, dict(settings, epochs=epochs[cell]), load_split(), seed, clock))
            previous = cell
        if rounds < settings["repeats"]:
            continue
        unstable = [cell for cell in cells if not is_stable(samples[cell], settings["unstable_threshold"])]
        if not unstable or rounds >= settings["max_repeats"]:
            break
    width = cells[0][2]
    spread = ", ".join(f"{i} {p} {100 * relative_spread(samples[(i, p, w)]):.0f}%" for i, p, w in unstable)
    report(f"width {width}: {rounds} rounds; "
           + (f"UNSTABLE (interquartile range over median above {settings['unstable_threshold']:.0%}): {spread}"
              if unstable else "every cell stable"))
    return [(implementation, precision, width, repeat, seconds, n_train / seconds, epochs[cell], cell not in unstable)
            for cell in cells for repeat, seconds in enumerate(samples[cell], 1)
            for implementation, precision, width in [cell]]
