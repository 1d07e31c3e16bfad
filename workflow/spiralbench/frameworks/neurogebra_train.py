"""Training and evaluating the scratch network, the way the page's Step 4 and Step 6 do it.

Both engines of neurogebra train here: the scalar engine with the page's loop, one sample at a time;
the tensor engine with the same loop written for a batch at a time (``train`` picks by the network).
Both compute the same numbers (``tables/engine_agreement.csv`` shows it for the sweep's seeds).

Random streams, as on the page: the initial weights come from a Python ``random`` stream seeded with
the run's seed (``random.Random(seed)`` draws what ``random.seed(seed)`` would), with the run's
initialisation scheme (``page`` or ``torch-default``); the epoch shuffles come from numpy's stream
that continues after the data split (see ``spiralbench.data``), so they do not depend on the scheme.
"""
from __future__ import annotations

import copy
import random
from functools import cache

import numpy as np
from threadpoolctl import threadpool_limits

from neurogebra import SGD, Adam, NeuralNetwork, no_grad, softmax_cross_entropy
from spiralbench.frameworks import Trainer

OPTIMIZERS = {"sgd": SGD, "adam": Adam}


def configure(threads: int) -> None:
    """Let numpy's BLAS use exactly ``threads`` threads (the tensor engine's matrix products)."""
    threadpool_limits(limits=threads)


def build_network(layer_sizes, activation: str, seed: int, engine: str = "scalar",
                  init: str = "page", precision: str = "float64") -> NeuralNetwork:
    """The page's network: ``activation`` in every hidden layer, linear scores out."""
    activations = [activation] * (len(layer_sizes) - 2) + ["linear"]
    return NeuralNetwork(layer_sizes, activations=activations, rng=random.Random(seed), engine=engine, init=init,
                         dtype=precision)


def make_optimizer(network: NeuralNetwork, name: str, learning_rate: float):
    return OPTIMIZERS[name](network.parameters(), lr=learning_rate)


def train(network, optimizer, X, y, batch_size, epoch_orders):
    """The page's training loop; yields ``(epoch_loss, accuracy)`` after each epoch.

    ``epoch_orders`` gives each epoch's shuffled sample order; it is read lazily, one epoch at a
    time, so a random stream behind it is consumed exactly when the page's loop consumes it.
    The epoch loss is the sum of the batches' mean losses; the accuracy counts the samples the
    network classified right while it was learning from them. Only the batch's forward pass
    depends on the engine (``BATCH_LOSS``).
    """
    batch_loss = BATCH_LOSS[network.engine]
    for order in epoch_orders:
        epoch_loss = 0.0
        correct = 0
        for start in range(0, len(X), batch_size):
            loss, batch_correct = batch_loss(network, X, y, order[start:start + batch_size])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            epoch_loss += float(loss.data)
            correct += batch_correct
        yield epoch_loss, correct / len(order)


def sample_by_sample_loss(network, X, y, batch_idx):
    """The page's batch on the scalar engine, one sample at a time: the batch's mean loss (a graph to
    differentiate) and how many of its samples the network classified right."""
    n_classes = network.layer_sizes[-1]
    total = 0.0
    correct = 0
    for idx in batch_idx:
        # Inputs are plain floats: they need no gradient, so they get no graph node.
        x_input = [float(value) for value in X[idx]]
        target = int(y[idx])
        scores = network(x_input)
        loss, _ = softmax_cross_entropy(scores, target)
        total = total + loss
        correct += max(range(n_classes), key=lambda i: scores[i].data) == target
    return total / len(batch_idx), correct


def whole_batch_loss(network, X, y, batch_idx):
    """The same on the tensor engine, the batch in one forward pass (argmax takes the first of tied
    scores, as ``max`` does)."""
    targets = y[batch_idx]
    scores = network(X[batch_idx])
    loss, _ = softmax_cross_entropy(scores, targets)
    return loss, int(np.count_nonzero(scores.data.argmax(axis=1) == targets))


BATCH_LOSS = {"scalar": sample_by_sample_loss, "tensor": whole_batch_loss}


def evaluate(network, X) -> np.ndarray:
    """Predicted class of every row of ``X``: the index of the highest score (first on ties); no graph."""
    with no_grad():
        return network.predict(X)


def scores(network, X) -> np.ndarray:
    """The output scores of every row of ``X``; no graph."""
    with no_grad():
        return network.evaluate(X)


# The tensor engine's activations (neurogebra.core.tensor), as plain numpy.
_ACTIVATIONS = {"relu": lambda Z: np.maximum(Z, 0.0), "tanh": np.tanh}


def predict_without_graph(weights, activation: str, X, precision: str) -> np.ndarray:
    """Class of every row of ``X`` for the network holding ``weights``, without a graph.

    The tensor engine's forward pass (``x @ W + b`` per layer, ``activation`` between layers, in
    ``precision``) written in plain numpy on the trained weights: the same floats, and no graph nodes
    for tens of thousands of points. A scalar-engine run (float64) is evaluated this way too, by the
    tensor engine's arithmetic in float64; its matrix products may round differently from the scalar
    engine's sums in the last bit, which moves a prediction only for a point on a decision boundary.
    """
    dtype = np.dtype(precision)
    outputs = np.asarray(X, dtype=dtype)
    for i, (W, b) in enumerate(weights):
        W = np.ascontiguousarray(np.asarray(W, dtype=dtype).T)  # (n_in, n_out), as the engine holds it
        outputs = outputs @ W + np.asarray(b, dtype=dtype)
        if i < len(weights) - 1:
            outputs = _ACTIVATIONS[activation](outputs)
    return outputs.argmax(axis=1)


def get_weights(network):
    return network.get_weights()


def load_network(layer_sizes, activation: str, weights, engine: str = "scalar",
                 precision: str = "float64") -> NeuralNetwork:
    """A network of this shape, on ``engine`` in ``precision``, holding ``weights`` (a list of ``(W, b)``)."""
    if engine == "scalar":
        # Built afresh: a scalar network is small (the speed job stops it at scalar_max_width), and drawing
        # its Values is ten times cheaper than copying them.
        network = build_network(list(layer_sizes), activation, seed=0, engine=engine, precision=precision)
    else:
        network = copy.deepcopy(_tensor_network_of_shape(tuple(layer_sizes), activation, precision))
    network.set_weights(weights)
    return network


@cache
def _tensor_network_of_shape(layer_sizes: tuple, activation: str, precision: str) -> NeuralNetwork:
    # Built once per shape and copied (its arrays): its initial weights, drawn one by one from Python's
    # stream and then replaced, would take half a second for every 1024-wide network the speed job loads.
    return build_network(list(layer_sizes), activation, seed=0, engine="tensor", precision=precision)


def trainer(run: dict, split, threads: int = 1):
    """A run of any group: the page's random streams, the run's hyperparameters, init, engine and precision."""
    configure(threads)
    network = build_network(run["layer_sizes"], run["activation"], run["seed"], run["engine"], run["init"],
                            run["precision"])
    optimizer = make_optimizer(network, run["optimizer"], run["learning_rate"])
    # The points rounded once to the network's precision, as PyTorch's loop does with its tensor.
    X = split.X_train if network.engine == "scalar" else split.X_train.astype(network.dtype)
    orders = (split.stream.permutation(len(X)) for _ in range(run["epochs"]))
    return Trainer(
        epochs=train(network, optimizer, X, split.y_train, run["batch_size"], orders),
        predict=lambda X: evaluate(network, X),
        weights=lambda: get_weights(network),
        model=network,
    )
