"""The controlled comparison: every implementation given exactly the same problem.

The page compares scratch SGD with PyTorch Adam, from different initial weights and different
shuffles, so its two curves differ for reasons that have nothing to do with the implementations.
Here everything but the implementation is shared:

- the same initial weights: the neurogebra network's (drawn from ``random.Random(seed)``) are
  copied into every implementation;
- the same batches: one list of epoch orders, drawn from numpy's stream after the split, feeds all;
- the same optimizer and learning rate, and float64 everywhere (the speed job also starts the
  implementations in float32: ``start``'s ``precision``).

The implementations: neurogebra's scalar engine (the page's ``Value`` network, one sample at a
time), neurogebra's tensor engine (the same network on ``Tensor``, a batch at a time), and PyTorch.
If they compute the same mathematics, their loss curves agree to rounding error. The hand-written
numpy loop (``spiralbench.numpy_floor``, ReLU only) can be started the same way; the speed
measurement times it as the floor.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from spiralbench import numpy_floor
from spiralbench.contract import CONTROLLED_COLUMNS as COLUMNS
from spiralbench.contract import CONTROLLED_IMPLEMENTATIONS as IMPLEMENTATIONS, FLOOR
from spiralbench.frameworks import neurogebra_train, torch_train


def layer_sizes(settings: dict, split) -> list[int]:
    return [split.X_train.shape[1], *settings["hidden_sizes"], split.n_classes]


def initial_weights(settings: dict, split) -> list:
    """The neurogebra network's initial weights for ``settings["seed"]`` (drawn by the tensor engine,
    which draws the scalar engine's numbers without making a Value per weight), as new arrays: a run may
    change them in place."""
    drawn = _drawn_weights(tuple(layer_sizes(settings, split)), settings["activation"], settings["seed"])
    return [(W.copy(), b.copy()) for W, b in drawn]


@lru_cache(maxsize=1)
def _drawn_weights(sizes: tuple, activation: str, seed: int) -> list:
    # Kept for the next call: the speed job asks for the same network for every sample of a width, and
    # drawing a 1024-wide one weight by weight from Python's stream takes half a second.
    return neurogebra_train.build_network(list(sizes), activation, seed, engine="tensor").get_weights()


def epoch_orders(settings: dict, split) -> list[np.ndarray]:
    """Each epoch's sample order, drawn from the split's stream (the page's shuffles)."""
    return [split.stream.permutation(len(split.X_train)) for _ in range(settings["epochs"])]


def start(implementation: str, settings: dict, split, weights, orders, threads: int = 1,
          precision: str = "float64"):
    """``implementation`` ready to train from ``weights`` on ``orders``: an iterator of ``(loss, accuracy)``.

    Everything is set up here, so that iterating it is training only (what the speed job times).
    ``precision`` (float64, or float32 but for the scalar engine) is the dtype of the weights, the
    points and every computation; the weights and points are rounded to it once, here.
    """
    X, y = np.asarray(split.X_train, dtype=precision), split.y_train
    optimizer, learning_rate, batch_size = settings["optimizer"], settings["learning_rate"], settings["batch_size"]
    if implementation in ("scalar", "tensor"):
        network = neurogebra_train.load_network(layer_sizes(settings, split), settings["activation"], weights,
                                                engine=implementation, precision=precision)
        return neurogebra_train.train(network, neurogebra_train.make_optimizer(network, optimizer, learning_rate),
                                      X, y, batch_size, orders)
    if implementation == "torch":
        import torch

        torch_train.configure(threads)
        model = torch_train.load_network(layer_sizes(settings, split), settings["activation"], weights, precision)
        X = torch.tensor(X, dtype=torch_train.DTYPES[precision])
        return torch_train.train(model, torch_train.make_optimizer(model, optimizer, learning_rate),
                                 X, torch.tensor(y, dtype=torch.long), batch_size,
                                 [torch.as_tensor(order) for order in orders])
    if implementation == FLOOR:
        if settings["activation"] != "relu":
            raise ValueError(f"the numpy floor is written for relu networks, got activation {settings['activation']!r}")
        return numpy_floor.train(weights, optimizer, learning_rate, X, y, batch_size, orders, dtype=precision)
    raise ValueError(f"unknown implementation {implementation!r}; allowed: {', '.join((*IMPLEMENTATIONS, FLOOR))}")


def compare(settings: dict, split, threads: int = 1) -> pd.DataFrame:
    """Train every implementation under ``settings`` (the config's ``controlled`` section) on ``split``.

    One row per epoch: each implementation's loss and accuracy, and ``abs_diff``, the largest
    difference between any two of the losses.
    """
    weights = initial_weights(settings, split)
    orders = epoch_orders(settings, split)
    histories = [start(name, settings, split, weights, orders, threads) for name in IMPLEMENTATIONS]
    rows = []
    for epoch, results in enumerate(zip(*histories), 1):
        losses = [loss for loss, _ in results]
        rows.append((epoch, *losses, max(losses) - min(losses), *(accuracy for _, accuracy in results)))
    return pd.DataFrame(rows, columns=COLUMNS)
