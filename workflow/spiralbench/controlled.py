"""The controlled comparison: both frameworks given exactly the same problem.

The page compares scratch SGD with PyTorch Adam, from different initial weights and different
shuffles, so its two curves differ for reasons that have nothing to do with the implementations.
Here everything but the implementation is shared:

- the same initial weights: the neurogebra network's (drawn from ``random.Random(seed)``) are
  copied into the PyTorch model;
- the same batches: one list of epoch orders, drawn from numpy's stream after the split, feeds both;
- the same optimizer and learning rate, and float64 on both sides.

If both compute the same mathematics, their loss curves agree to rounding error.
"""
from __future__ import annotations

import pandas as pd

from spiralbench.frameworks import neurogebra_train, torch_train

COLUMNS = ["epoch", "neurogebra_loss", "pytorch_loss", "abs_diff", "neurogebra_accuracy", "pytorch_accuracy"]


def compare(settings: dict, split, threads: int = 1) -> pd.DataFrame:
    """Train both frameworks under ``settings`` (the config's ``controlled`` section) on ``split``."""
    import torch

    torch_train.configure(threads)
    layer_sizes = [split.X_train.shape[1], *settings["hidden_sizes"], split.n_classes]
    network = neurogebra_train.build_network(layer_sizes, settings["activation"], settings["seed"])
    model = torch_train.build_network(layer_sizes, settings["activation"], settings["seed"], dtype="float64")
    torch_train.set_weights(model, network.get_weights())

    n_train = len(split.X_train)
    orders = [split.stream.permutation(n_train) for _ in range(settings["epochs"])]
    scratch = neurogebra_train.train(
        network,
        neurogebra_train.make_optimizer(network, settings["optimizer"], settings["learning_rate"]),
        split.X_train, split.y_train, settings["batch_size"], orders,
    )
    reference = torch_train.train(
        model,
        torch_train.make_optimizer(model, settings["optimizer"], settings["learning_rate"]),
        torch.tensor(split.X_train, dtype=torch.float64),
        torch.tensor(split.y_train, dtype=torch.long),
        settings["batch_size"],
        [torch.as_tensor(order) for order in orders],
    )
    rows = []
    for epoch, ((scratch_loss, scratch_acc), (torch_loss, torch_acc)) in enumerate(zip(scratch, reference), 1):
        rows.append((epoch, scratch_loss, torch_loss, abs(scratch_loss - torch_loss), scratch_acc, torch_acc))
    return pd.DataFrame(rows, columns=COLUMNS)

