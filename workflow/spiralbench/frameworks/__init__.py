"""The two implementations the benchmark compares, behind one small interface.

- ``neurogebra_train``: the scratch network (``neurogebra``), trained with the page's loop.
- ``torch_model`` / ``torch_train``: the PyTorch network and its loop.

``trainer(run, split, threads)`` prepares a run of either framework; ``load_trained(run_dir)``
rebuilds a trained model from the files a run wrote. PyTorch is imported only when a PyTorch model
is asked for, so a scratch-network job never pays for importing it.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np

from spiralbench.io import load_npz, read_json

FRAMEWORKS = ("neurogebra", "pytorch")
_MODULES = {"neurogebra": "spiralbench.frameworks.neurogebra_train", "pytorch": "spiralbench.frameworks.torch_train"}


def module(framework: str):
    """The module implementing ``framework``: build_network, train, evaluate, scores, get_weights, ..."""
    if framework not in _MODULES:
        raise ValueError(f"unknown framework {framework!r}; allowed: {', '.join(FRAMEWORKS)}")
    return importlib.import_module(_MODULES[framework])


@dataclass
class Trainer:
    """A run ready to go: iterate ``epochs`` to train (one ``(loss, accuracy)`` per epoch)."""

    epochs: Iterator[tuple[float, float]]
    predict: Callable[[np.ndarray], np.ndarray]
    weights: Callable[[], list]
    model: Any


def trainer(run: dict, split, threads: int = 1) -> Trainer:
    """Prepare ``run`` (an entry of ``spiralbench.config.runs``) on ``split`` (a ``spiralbench.data.Split``)."""
    return module(run["framework"]).trainer(run, split, threads)


def weights_to_arrays(weights) -> dict[str, np.ndarray]:
    """``[(W0, b0), (W1, b1), ...]`` as the arrays of ``params.npz``: W0, b0, W1, b1, ..."""
    arrays = {}
    for i, (W, b) in enumerate(weights):
        arrays[f"W{i}"] = np.asarray(W, dtype=np.float64)
        arrays[f"b{i}"] = np.asarray(b, dtype=np.float64)
    return arrays


def arrays_to_weights(arrays: dict, n_layers: int) -> list:
    return [(arrays[f"W{i}"], arrays[f"b{i}"]) for i in range(n_layers)]


@dataclass
class TrainedModel:
    """A trained network rebuilt from its run's files."""

    framework: str
    run: dict  # the run's entry in metrics.json
    network: Any  # a neurogebra NeuralNetwork or a PyTorch SpiralNet

    def predict(self, X) -> np.ndarray:
        """Class index for every row of ``X`` (n_points, 2)."""
        return module(self.framework).evaluate(self.network, X)

    def scores(self, X) -> np.ndarray:
        """Output scores (n_points, n_classes) as float64, computed in the run's precision."""
        return module(self.framework).scores(self.network, X)


def rebuild(run: dict, weights):
    """The network of ``run`` (layer sizes, activation, precision) holding ``weights`` (``[(W, b), ...]``).

    A float64 neurogebra network is rebuilt on the scalar engine (the page's, and the same numbers as the
    tensor engine's); a float32 one on the tensor engine, the only one that computes in float32.
    """
    implementation = module(run["framework"])
    if run["framework"] == "pytorch":
        return implementation.load_network(run["layer_sizes"], run["activation"], weights, run["precision"])
    engine = "scalar" if run["precision"] == "float64" else "tensor"
    return implementation.load_network(run["layer_sizes"], run["activation"], weights, engine, run["precision"])


def predict_without_graph(run: dict, weights, X) -> np.ndarray:
    """Class of every row of ``X`` for ``run``'s network holding ``weights`` (``[(W, b), ...]``),
    computed in the run's precision without recording a graph: PyTorch under ``torch.no_grad``,
    neurogebra by its tensor engine's arithmetic in plain numpy (a scalar-engine run in float64).
    For evaluations on many points, where a graph per point would cost far more than the model."""
    if run["framework"] == "pytorch":
        return module("pytorch").predict_without_graph(run["layer_sizes"], run["activation"], weights, X,
                                                       run["precision"])
    return module("neurogebra").predict_without_graph(weights, run["activation"], X, run["precision"])


def load_trained(run_dir) -> TrainedModel:
    """Rebuild the model a run trained, from ``run_dir/metrics.json`` and ``run_dir/params.npz``.

    For a diverged run these are the parameters at the end of its last complete epoch.
    """
    run_dir = Path(run_dir)
    metrics = read_json(run_dir / "metrics.json", required=("run",))
    run = metrics["run"]
    n_layers = len(run["layer_sizes"]) - 1
    keys = [f"{kind}{i}" for i in range(n_layers) for kind in ("W", "b")]
    weights = arrays_to_weights(load_npz(run_dir / "params.npz", keys), n_layers)
    return TrainedModel(run["framework"], run, rebuild(run, weights))
