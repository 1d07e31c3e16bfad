"""The two implementations the benchmark compares, behind one small interface.

- ``neurogebra_train``: the scratch network (``neurogebra``), trained with the page's loop.
- ``torch_model`` / ``torch_train``: the PyTorch network and its loop.

``trainer(run, split, threads)`` prepares a run of either framework; ``load_trained(runs_path, run_id)``
rebuilds a trained model from its job's table. PyTorch is imported only when a PyTorch model
is asked for, so a scratch-network job never pays for importing it.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, Callable, Iterator

import numpy as np

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


@dataclass
class TrainedModel:
    """A trained network rebuilt from its run's files."""

    framework: str
    run: dict  # the run's description (spiralbench.config.make_run)
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


def load_trained(runs_path, run_id) -> TrainedModel:
    """Rebuild the model run ``run_id`` trained, from its job's ``runs.parquet`` (spiralbench.job_tables).

    For a diverged run these are the parameters at the end of its last complete epoch.
    """
    # Imported here: job_tables reads spiralbench.config, which imports this package for FRAMEWORKS.
    from spiralbench.job_tables import trained_weights

    run, weights = trained_weights(runs_path, run_id)
    return TrainedModel(run["framework"], run, rebuild(run, weights))
