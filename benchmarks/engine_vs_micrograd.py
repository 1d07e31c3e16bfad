"""Training speed of neurogebra's engine vs micrograd on the tutorial's own code.

The workload is the tutorial's Step 4: a 2-16-16-3 network, the 240 training
points of its Step 1 spirals, mini-batches of 16, SGD with lr 0.05. It runs
four ways in one invocation, from the same initial weights (random.seed(42))
and the same shuffles:

1. the tutorial's own Neuron/Layer/NeuralNetwork and softmax_cross_entropy
   (its ``sum((wi * xi ...), self.b)`` code), on micrograd's ``Value``
   (PyPI ``micrograd``, given the ``exp`` and ``log`` it lacks);
2. the same tutorial code on ``neurogebra.core.autograd.Value``;
3. the library's own parts: ``neurogebra.nn``, ``neurogebra.losses``, ``neurogebra.optim``.

The data, classes and loss of runs 1 and 2 are the page's own Steps 1-3,
executed once per engine from ``tests/tutorial_page`` (the page's code, one
file per step); the training loop restates Step 4 so that the runs can take
turns epoch by epoch. A fourth run is the floor: the same tutorial code on
``FloorValue``, the least a scalar node can do in CPython (a ``__slots__``
node appended to a tape in creation order, no checks). It prints seconds per
epoch (median over the epochs), the speed-up over micrograd, the fraction of
the floor's speed, and each epoch's loss; the losses of all four must agree
to 1e-9.

It then times the tutorial's Step 7 decision grid: the page's point-by-point
prediction through the graph against ``NeuralNetwork.predict`` (no graph).

    python benchmarks/engine_vs_micrograd.py [--epochs 3] [--grid-stride 10]
"""

import argparse
import contextlib
import gc
import io
import math
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch
from micrograd.engine import Value as MicrogradValue

import neurogebra.core.autograd
from neurogebra.losses import softmax_cross_entropy as library_softmax_cross_entropy
from neurogebra.nn import NeuralNetwork as LibraryNetwork
from neurogebra.optim import SGD
from threadpoolctl import threadpool_limits
from spiralbench.inspection import boundary_grid, grid_points

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from tutorial_page import run_page  # noqa: E402  (the page's code lives beside the tests)

LEARNING_RATE = 0.05
BATCH_SIZE = 16
LOSS_TOLERANCE = 1e-9
FLOOR = "minimal-node floor (tutorial code)"


# --- micrograd, completed with the two operations the tutorial's loss needs, in micrograd's style.


def _micrograd_exp(self):
    out = MicrogradValue(math.exp(self.data), (self,), "exp")

    def _backward():
        self.grad += out.data * out.grad

    out._backward = _backward
    return out


def _micrograd_log(self):
    out = MicrogradValue(math.log(self.data), (self,), "log")

    def _backward():
        self.grad += (1 / self.data) * out.grad

    out._backward = _backward
    return out


MicrogradValue.exp = _micrograd_exp
MicrogradValue.log = _micrograd_log


# --- The floor: the least a scalar node can cost in CPython, written for this benchmark only.
# Each operation stores its inputs and their local derivatives in slots and appends the node to a
# tape; nodes are made after their inputs, so the tape in creation order is already a topological
# order and backward is one loop over it, reversed. Nothing is checked and the tape is global, so
# this is no engine (every node lives until the next backward, whatever graph it belongs to), but
# it does the tutorial's arithmetic, and no scalar engine in Python can do it with less work.

TAPE = []


class FloorValue:
    __slots__ = ("data", "grad", "a", "da", "b", "db")

    def __init__(self, data, a=None, da=0.0, b=None, db=0.0):
        self.data, self.grad, self.a, self.da, self.b, self.db = data, 0.0, a, da, b, db
        TAPE.append(self)

    def __add__(self, other):
        if type(other) is FloorValue:
            return FloorValue(self.data + other.data, self, 1.0, other, 1.0)
        return FloorValue(self.data + other, self, 1.0)

    def __radd__(self, other):
        return FloorValue(other + self.data, self, 1.0)

    def __sub__(self, other):
        if type(other) is FloorValue:
            return FloorValue(self.data - other.data, self, 1.0, other, -1.0)
        return FloorValue(self.data - other, self, 1.0)

    def __mul__(self, other):
        if type(other) is FloorValue:
            return FloorValue(self.data * other.data, self, other.data, other, self.data)
        return FloorValue(self.data * other, self, other)

    __rmul__ = __mul__

    def __truediv__(self, other):
        if type(other) is FloorValue:
            out = self.data / other.data
            return FloorValue(out, self, 1.0 / other.data, other, -out / other.data)
        return FloorValue(self.data / other, self, 1.0 / other)

    def __neg__(self):
        return FloorValue(-self.data, self, -1.0)

    def relu(self):
        return FloorValue(self.data, self, 1.0) if self.data > 0.0 else FloorValue(0.0, self, 0.0)

    def exp(self):
        e = math.exp(self.data)
        return FloorValue(e, self, e)

    def log(self):
        return FloorValue(math.log(self.data), self, 1.0 / self.data)

    def backward(self):
        self.grad = 1.0
        for node in reversed(TAPE):
            a = node.a
            if a is not None:
                a.grad += node.da * node.grad
                b = node.b
                if b is not None:
                    b.grad += node.db * node.grad
        TAPE.clear()


# --- The tutorial's data, network and loss (Steps 1-3): the page's own code.


def tutorial_page(Value):
    """The namespace of the page's Steps 1-3, its classes and loss computing with ``Value``.

    The page's Neuron and softmax_cross_entropy look ``Value`` up in their
    module globals when called, so rebinding it after the page has run swaps
    the engine under the page's unchanged code.
    """
    with contextlib.redirect_stdout(io.StringIO()):  # the page's own progress prints
        page = run_page([1, 2, 3])
    page["Value"] = Value
    return page


# --- Training (Step 4): the tutorial's loop, and the same loop through the library's parts.
# Each is a generator that trains one epoch per next() and yields that epoch's loss, so that
# main() can interleave the engines epoch by epoch (a machine busy with something else then
# slows all of them alike).


def train_tutorial_code(page, permutations):
    """The tutorial's Step 4 loop on its own classes (``page``: a namespace from ``tutorial_page``)."""
    Value, NeuralNetwork = page["Value"], page["NeuralNetwork"]
    softmax_cross_entropy = page["softmax_cross_entropy"]
    X_train, y_train = page["X_train"], page["y_train"]
    random.seed(42)  # Step 2's seed, drawn again for this engine's network
    with contextlib.redirect_stdout(io.StringIO()):  # the page's network prints its summary
        net = NeuralNetwork(layer_sizes=[2, 16, 16, 3], activations=["relu", "relu", "linear"])
    for perm in permutations:
        epoch_loss = 0.0
        for start in range(0, len(X_train), BATCH_SIZE):
            batch_idx = perm[start : start + BATCH_SIZE]
            batch_loss = Value(0.0)
            for idx in batch_idx:
                x_input = [Value(float(X_train[idx, 0])), Value(float(X_train[idx, 1]))]
                target = int(y_train[idx])
                scores = net(x_input)
                loss, probs = softmax_cross_entropy(scores, target)
                batch_loss = batch_loss + loss
            batch_loss = batch_loss / len(batch_idx)
            for p in net.parameters():
                p.grad = 0.0
            batch_loss.backward()
            for p in net.parameters():
                p.data -= LEARNING_RATE * p.grad
            epoch_loss += batch_loss.data
        yield epoch_loss


def train_library(X_train, y_train, permutations):
    """The same training through neurogebra.nn, neurogebra.losses and neurogebra.optim."""
    random.seed(42)
    net = LibraryNetwork([2, 16, 16, 3], activations=["relu", "relu", "linear"])
    optimizer = SGD(net.parameters(), lr=LEARNING_RATE)
    inputs = X_train.tolist()
    targets = y_train.tolist()
    for perm in permutations:
        epoch_loss = 0.0
        for start in range(0, len(X_train), BATCH_SIZE):
            batch_idx = perm[start : start + BATCH_SIZE]
            batch_loss = sum(library_softmax_cross_entropy(net(inputs[i]), targets[i])[0] for i in batch_idx)
            batch_loss = batch_loss / len(batch_idx)
            optimizer.zero_grad()
            batch_loss.backward()
            optimizer.step()
            epoch_loss += batch_loss.data
        yield epoch_loss


def time_decision_grid(page, stride):
    """The tutorial's per-point graph prediction (Step 7) vs NeuralNetwork.predict on the whole grid.

    Returns (grid size, points timed on the graph path, seconds per point on the
    graph path, seconds for predict on the whole grid).
    """
    Value = page["Value"]
    page_net = page["nn_neuro"]  # Step 2's network, drawn after random.seed(42)
    random.seed(42)
    net = LibraryNetwork([2, 16, 16, 3], ["relu", "relu", "linear"])
    grid = grid_points(*boundary_grid(page["X_test"]))
    sample = grid[::stride]

    def neuro_predict(point):  # Step 7's prediction function
        x = [Value(float(point[0])), Value(float(point[1]))]
        scores = page_net(x)
        return max(range(3), key=lambda i: scores[i].data)

    gc.collect()
    started = time.perf_counter()
    graph_predictions = [neuro_predict(p) for p in sample]
    graph_seconds = time.perf_counter() - started
    gc.collect()
    started = time.perf_counter()
    predictions = net.predict(grid)
    predict_seconds = time.perf_counter() - started
    assert predictions[::stride].tolist() == graph_predictions
    return len(grid), len(sample), graph_seconds / len(sample), predict_seconds


def main():
    torch.set_num_threads(1)  # the page imports torch; hold both libraries to one thread, as the speed job does
    threadpool_limits(limits=1)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3, help="epochs per engine (default 3)")
    parser.add_argument(
        "--grid-stride", type=int, default=10, help="time the graph path on every n-th grid point (default 10)"
    )
    parser.add_argument(
        "--freeze-imports", action="store_true",
        help="gc.freeze() before training: the collector no longer walks the objects the imports made",
    )
    args = parser.parse_args()
    if args.epochs < 1 or args.grid_stride < 1:
        parser.error("--epochs and --grid-stride must be at least 1")

    micrograd_page = tutorial_page(MicrogradValue)
    neurogebra_page = tutorial_page(neurogebra.core.autograd.Value)
    X_train, y_train = neurogebra_page["X_train"], neurogebra_page["y_train"]
    np.random.seed(0)  # the shuffles, shared by all three runs (after the pages' own np.random.seed(42))
    permutations = [np.random.permutation(len(X_train)).tolist() for _ in range(args.epochs)]

    if args.freeze_imports:
        # torch, matplotlib and numpy leave about 250 000 objects that every full collection walks while a
        # graph is being built; frozen, they are out of its reach (as a server does after start-up), and
        # what is left is what each engine's own objects cost.
        gc.freeze()
    runs = {
        "micrograd (tutorial code)": train_tutorial_code(micrograd_page, permutations),
        "neurogebra (tutorial code)": train_tutorial_code(neurogebra_page, permutations),
        "neurogebra (nn + losses + optim)": train_library(X_train, y_train, permutations),
        FLOOR: train_tutorial_code(tutorial_page(FloorValue), permutations),
    }
    losses = {name: [] for name in runs}
    seconds = {name: [] for name in runs}
    for _ in range(args.epochs):
        for name, run in runs.items():
            gc.collect()  # each engine's epoch starts clean: no one pays for another's garbage
            started = time.perf_counter()
            losses[name].append(next(run))
            seconds[name].append(time.perf_counter() - started)

    reference = "micrograd (tutorial code)"
    reference_seconds = statistics.median(seconds[reference])
    floor_seconds = statistics.median(seconds[FLOOR])
    print(
        f"Tutorial training: 2-16-16-3, {len(X_train)} samples, batch {BATCH_SIZE}, "
        f"SGD lr {LEARNING_RATE}, {args.epochs} epochs per engine, interleaved"
    )
    print(f"{'engine':36s} {'s/epoch':>8s} {'vs micrograd':>13s} {'floor speed':>12s}  epoch losses")
    for name in runs:
        per_epoch = statistics.median(seconds[name])
        epoch_losses = " ".join(f"{x:.12f}" for x in losses[name])
        print(f"{name:36s} {per_epoch:8.3f} {reference_seconds / per_epoch:12.1f}x "
              f"{floor_seconds / per_epoch:11.2f}x  {epoch_losses}")
    print("(vs micrograd: how many times faster than micrograd; floor speed: the fraction of the floor's speed)")
    for name in runs:
        worst = max(abs(a - b) for a, b in zip(losses[name], losses[reference]))
        assert worst <= LOSS_TOLERANCE, f"{name}: epoch losses differ from micrograd's by {worst:.3g}"
    print(f"All epoch losses agree with micrograd's to within {LOSS_TOLERANCE:g}.")

    n_grid, n_sample, graph_per_point, predict_seconds = time_decision_grid(neurogebra_page, args.grid_stride)
    graph_seconds = graph_per_point * n_grid
    print()
    print(f"Decision grid of Step 7: {n_grid} points (graph path timed on {n_sample} of them, same predictions)")
    print(f"  tutorial's neuro_predict, point by point: {graph_seconds:8.3f} s for the grid "
          f"({1000 * graph_per_point:.3f} ms per point)")
    print(f"  NeuralNetwork.predict, all points at once: {predict_seconds:7.3f} s for the grid "
          f"({graph_seconds / predict_seconds:.0f}x faster)")

if __name__ == "__main__":
    main()
