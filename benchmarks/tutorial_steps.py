"""The tutorial page's Steps 1-8, its own code run against neurogebra, timed step by step.

The page's code lives in ``tests/tutorial_page`` (one file per step, unchanged); this runs the
steps in order in one namespace, as a notebook would, and prints the seconds each took and the
total. Step 4 trains both networks (neurogebra's scalar engine, then PyTorch), Step 7 predicts the
decision grid point by point with both. Figures are drawn off-screen (matplotlib's Agg backend).
The start-up (Python, numpy, matplotlib; torch is imported by Step 2) is printed apart.

Three columns per step: wall-clock seconds (what a reader waits), the process's CPU seconds (what
the step costs; on a shared machine the wall clock also counts waiting for a core), and the part
of the CPU seconds spent in Python's cyclic garbage collector (``gc.callbacks``): a scalar engine
makes one object per operation, and once the page has imported torch and matplotlib every full
collection walks a few hundred thousand objects.

PyTorch is held to one thread and numpy's BLAS too (threadpoolctl), as in the other benchmarks.

    python benchmarks/tutorial_steps.py [--repeats 1]
"""

import argparse
import contextlib
import gc
import io
import statistics
import sys
import time

_started = time.perf_counter()

from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402, F401  (imported first as the page does, so its import is not Step 1's)
from threadpoolctl import threadpool_limits  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from tutorial_page import STEP_FILES, run_page  # noqa: E402  (the page's code lives beside the tests)

STEP_NAMES = {1: "data", 2: "networks", 3: "loss", 4: "training", 5: "curves", 6: "evaluation",
              7: "decision boundaries", 8: "inspection"}


class CollectorClock:
    """CPU seconds spent in the cyclic garbage collector while installed."""

    def __init__(self):
        self.seconds = 0.0
        self._started = None

    def __call__(self, phase, info):
        if phase == "start":
            self._started = time.process_time()
        elif self._started is not None:
            self.seconds += time.process_time() - self._started


def time_page():
    """(wall, cpu, collector) seconds of each step, run in order in one namespace."""
    namespace = None
    seconds = {}
    collector = CollectorClock()
    gc.callbacks.append(collector)
    try:
        for step in STEP_FILES:
            in_collector = collector.seconds
            wall, cpu = time.perf_counter(), time.process_time()
            with contextlib.redirect_stdout(io.StringIO()):  # the page's own prints
                namespace = run_page([step], namespace=namespace)
            seconds[step] = (time.perf_counter() - wall, time.process_time() - cpu, collector.seconds - in_collector)
            if step == 2:  # the page imports torch here: from now on, one thread
                import torch

                torch.set_num_threads(1)
    finally:
        gc.callbacks.remove(collector)
    return seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=1, help="runs of the whole page (medians are printed)")
    args = parser.parse_args()
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    start_up = time.perf_counter() - _started
    with threadpool_limits(limits=1):
        runs = [time_page() for _ in range(args.repeats)]
    print(f"The tutorial page, Steps 1-8, its own code on neurogebra: median of {args.repeats} run(s), seconds")
    print(f"  {'':36s} {'wall':>7s} {'cpu':>7s} {'in gc':>7s}")
    print(f"  {'start-up (python, numpy, matplotlib)':36s} {start_up:7.2f}")

    def row(name, cells):
        print(f"  {name:36s} " + " ".join(f"{statistics.median(cell):7.2f}" for cell in zip(*cells)))

    for step in STEP_FILES:
        row(f"Step {step} ({STEP_NAMES[step]})", [run[step] for run in runs])
    totals = [tuple(map(sum, zip(*run.values()))) for run in runs]
    row("Steps 1-8", totals)
    row("Steps 1-8 and start-up", [(wall + start_up, cpu, in_gc) for wall, cpu, in_gc in totals])


if __name__ == "__main__":
    main()
