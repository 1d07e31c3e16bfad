"""Where PyTorch's speed comes from: neurogebra's two engines, PyTorch and a numpy floor across widths.

The workload is the tutorial's Step 4 training (240 spiral points of seed 42, mini-batches of 16)
on 2-w-w-3 ReLU networks, for each hidden width w, with SGD (lr 0.05) and Adam (lr 0.01). Four
implementations train from the same initial weights on the same batches
(``spiralbench.controlled.start``), each in float32 and in float64 (``--precisions``):

- ``scalar``: neurogebra's ``Value`` engine, one sample at a time (small widths, float64 only);
- ``tensor``: neurogebra's ``Tensor`` engine, a batch at a time;
- ``torch``: PyTorch, 1 thread;
- ``numpy``: the same loop written by hand in numpy, no autograd (``spiralbench.numpy_floor``):
  the floor any numpy engine could reach.

PyTorch runs on 1 thread and numpy's BLAS is held to 1 thread (threadpoolctl): idle BLAS threads
cost a small-matrix loop several times its time when another process shares the machine. The
repeats go round the implementations, precisions and widths in turn; each cell's number is the
median over repeats of the seconds per epoch. It prints, per precision, the table, the ratios
torch/tensor (how many times faster the tensor engine is) and tensor/numpy (its overhead over the
floor), and the crossover width from which PyTorch is faster than the tensor engine; then, with
both precisions, float64/float32 per implementation (how many times faster float32 is) and the
width from which float32 is clearly faster (``spiralbench.findings.speed.CLEAR_SPEEDUP``).

    python benchmarks/engine_widths.py [--widths 4 16 64 256 1024] [--precisions float32 float64]
                                       [--repeats 3] [--epochs 2] [--clock cpu]

``--clock cpu`` times with the process's CPU time instead of the wall clock: on a machine that
other processes share, the wall clock also counts the time the benchmark waited for a core, which
moves the ratios; CPU time does not (every implementation runs on one thread here).
"""

import argparse
import time

from spiralbench import speed
from spiralbench.data import make_split
from spiralbench.findings.speed import CLEAR_SPEEDUP, crossover_width, float32_faster_from, precision_speedups

OPTIMIZERS = {"sgd": 0.05, "adam": 0.01}
CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--widths", type=int, nargs="+", default=[4, 16, 64, 256, 1024])
    parser.add_argument("--scalar-max-width", type=int, default=16, help="time the scalar engine up to this width")
    parser.add_argument("--precisions", nargs="+", choices=["float32", "float64"], default=["float32", "float64"],
                        help="the precisions to time (the scalar engine: float64 only)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=2, help="epochs per timing")
    parser.add_argument("--optimizers", nargs="+", choices=sorted(OPTIMIZERS), default=["sgd", "adam"])
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="wall",
                        help="wall clock, or the process's CPU time (steadier on a shared machine)")
    args = parser.parse_args()
    for optimizer in args.optimizers:
        # The workflow's speed job, with this command line's settings (spiralbench.speed).
        settings = {"optimizer": optimizer, "learning_rate": OPTIMIZERS[optimizer], "batch_size": 16,
                    "epochs": args.epochs, "hidden_widths": args.widths, "implementations": speed.IMPLEMENTATIONS,
                    "precisions": args.precisions,
                    "scalar_max_width": args.scalar_max_width, "repeats": args.repeats, "threads": 1}
        table = speed.measure(settings, lambda: make_split(42), seed=42, clock=CLOCKS[args.clock])
        report(optimizer, args, table)


def report(optimizer, args, timings):
    for precision in args.precisions:
        report_precision(optimizer, args, precision, timings[timings["precision"] == precision])
    if {"float32", "float64"} <= set(args.precisions):
        report_speedups(timings)


def report_precision(optimizer, args, precision, timings):
    table = timings.pivot_table(index="hidden_width", columns="implementation", values="seconds_per_epoch",
                                aggfunc="median")
    print(f"\n{optimizer.upper()} (lr {OPTIMIZERS[optimizer]}), 2-w-w-3 ReLU, 240 samples, batch 16, {precision}, "
          f"1 thread; median s/epoch ({args.clock} clock) of {args.repeats} repeats x {args.epochs} epochs")
    header = f"{'width':>6} " + " ".join(f"{name:>10}" for name in speed.IMPLEMENTATIONS)
    print(header + f" {'torch/tensor':>13} {'tensor/numpy':>13} {'torch/numpy':>12}")
    for width, row in table.iterrows():
        cells = " ".join(f"{row.get(name, float('nan')):10.5f}" if name in row and row[name] == row[name]
                         else f"{'-':>10}" for name in speed.IMPLEMENTATIONS)
        print(f"{width:>6} {cells} {row['torch'] / row['tensor']:12.2f}x {row['tensor'] / row['numpy']:12.2f}x "
              f"{row['torch'] / row['numpy']:11.2f}x")
    crossover = crossover_width(timings, precision=precision)
    if crossover is None:
        print("PyTorch is not faster than the tensor engine from any measured width on.")
    else:
        print(f"Crossover: from hidden width {crossover} on, PyTorch is faster than the tensor engine.")


def report_speedups(timings):
    """float64 / float32 median time per implementation and width: how many times faster float32 is."""
    speedups = precision_speedups(timings)
    table = speedups.pivot(index="hidden_width", columns="implementation", values="speedup")
    names = [name for name in speed.IMPLEMENTATIONS if name in table]
    print("\nfloat64 / float32 time per epoch (above 1: float32 is faster)")
    print(f"{'width':>6} " + " ".join(f"{name:>10}" for name in names))
    for width, row in table.iterrows():
        print(f"{width:>6} " + " ".join(f"{row[name]:9.2f}x" for name in names))
    for name in names:
        faster_from = float32_faster_from(speedups, name)
        print(f"{name}: float32 shown faster (the whole interval above {CLEAR_SPEEDUP}x) "
              + ("at no width measured" if faster_from is None else f"from width {faster_from} on"))


if __name__ == "__main__":
    main()
