"""One training run, start to finish: train, watch for divergence, time the epochs, measure the model.

The frameworks' loops (``spiralbench.frameworks``) only train; this module keeps the books around
them, the same way for both, so that their results are comparable:

- history: one row per completed epoch, as the page computes it (loss = sum of the batches' mean
  losses, accuracy = share of training samples classified right during the epoch);
- divergence: the run stops with status "diverged" at the first epoch whose loss is not finite, in
  which the engine raises an arithmetic error (the scratch engine refuses to overflow or to produce
  NaN), after which a parameter is not finite, or whose mean batch loss exceeds
  ``divergence_factor`` times ln(n_classes), the loss of guessing every class equally likely. The
  last rule is what catches a learning rate that is far too large: both frameworks compute the
  cross-entropy in a form that stays finite, so the loss explodes (to millions within an epoch at
  lr 50) and then stalls once the ReLUs are dead, without ever becoming NaN. A diverged run is still
  written, with the model as it was at the end of the last complete epoch; its final metrics are
  empty, since a run that did not finish has none;
- fresh sample: the trained model is also evaluated on the seed's fresh sample (``spiralbench.data``,
  tens of thousands of points), without a graph (``frameworks.predict_without_graph``), which
  measures its accuracy without the 60 test points' sampling noise (``fresh_accuracy``);
- timing: wall-clock seconds per epoch, and the seconds the fresh sample's evaluation took, kept
  apart from everything deterministic.

Epochs are numbered from 1: epoch 1 is the first pass over the training set.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from spiralbench import frameworks
from spiralbench.config import n_parameters
# The errors the scratch engine raises when numbers run away (overflowing exp, NaN values, log of 0).
DIVERGENCE_ERRORS = (ArithmeticError, ValueError)


@dataclass
class RunResult:
    run: dict
    history: list = field(default_factory=list)  # (epoch, loss, accuracy)
    epoch_seconds: list = field(default_factory=list)
    status: str = "ok"
    diverged_epoch: int | None = None
    divergence: str | None = None  # what stopped a diverged run
    weights: list = field(default_factory=list)  # [(W, b), ...] at the end of the last complete epoch
    y_test: np.ndarray | None = None
    y_pred: np.ndarray | None = None
    fresh_correct: int | None = None  # fresh-sample points classified right (None: none given)
    n_fresh: int = 0
    fresh_seconds: float | None = None
    n_train: int = 0
    threads: int = 1

    @property
    def epochs_completed(self) -> int:
        return len(self.history)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def metrics(self) -> dict:
        test_accuracy = float(np.mean(self.y_pred == self.y_test)) if self.ok else None
        measured = self.ok and self.fresh_correct is not None
        fresh_accuracy = self.fresh_correct / self.n_fresh if measured else None
        return {
            "run": self.run,
            "status": self.status,
            "diverged_epoch": self.diverged_epoch,
            "divergence": self.divergence,
            "epochs_completed": self.epochs_completed,
            "final_loss": self.history[-1][1] if self.ok else None,
            "train_accuracy": self.history[-1][2] if self.ok else None,
            "test_accuracy": test_accuracy,
            "fresh_accuracy": fresh_accuracy,
            "n_parameters": n_parameters(self.run["layer_sizes"]),
            "n_train": self.n_train,
            "n_test": len(self.y_test),
            "n_fresh": self.n_fresh,
        }

    def timing(self) -> dict:
        seconds = self.epoch_seconds
        median = float(np.median(seconds)) if seconds else None
        return {
            "run_id": self.run["run_id"],
            "engine": self.run["engine"],
            "threads": self.threads,
            "epoch_seconds": seconds,
            "seconds_per_epoch_median": median,
            "seconds_per_epoch_p25": float(np.percentile(seconds, 25)) if seconds else None,
            "seconds_per_epoch_p75": float(np.percentile(seconds, 75)) if seconds else None,
            "samples_per_second_median": self.n_train / median if median else None,
            "fresh_evaluation_seconds": self.fresh_seconds,
        }


def train_run(run: dict, split, threads: int = 1, fresh_sample=None, clock=time.perf_counter) -> RunResult:
    """Train ``run`` on ``split`` and evaluate it on the test set, and on ``fresh_sample`` (``(X, y)``)
    if one is given."""
    trainer = frameworks.trainer(run, split, threads)
    result = RunResult(run=run, n_train=len(split.X_train), threads=threads, weights=trainer.weights())
    for epoch in range(1, run["epochs"] + 1):
        start = clock()
        try:
            loss, accuracy = next(trainer.epochs)
        except DIVERGENCE_ERRORS as error:
            result.status, result.diverged_epoch = "diverged", epoch
            result.divergence = f"{type(error).__name__}: {error}"
            break
        result.epoch_seconds.append(clock() - start)
        weights = trainer.weights()
        problem = divergence(loss, run, len(split.X_train)) or _non_finite(weights)
        if problem:
            result.status, result.diverged_epoch, result.divergence = "diverged", epoch, problem
            break
        result.history.append((epoch, float(loss), float(accuracy)))
        result.weights = weights
    # Predictions come from the saved parameters, so that the run's parameters and predictions always
    # describe the same model (for a diverged run: the one of the last complete epoch).
    model = frameworks.rebuild(run, result.weights)
    result.y_test = np.asarray(split.y_test)
    result.y_pred = np.asarray(frameworks.module(run["framework"]).evaluate(model, split.X_test))
    if fresh_sample is not None:
        X_fresh, y_fresh = fresh_sample
        result.n_fresh = len(y_fresh)
        if result.ok:  # a diverged run has no final model to measure
            start = clock()
            predicted = frameworks.predict_without_graph(run, result.weights, X_fresh)
            result.fresh_seconds = clock() - start
            result.fresh_correct = int(np.count_nonzero(predicted == y_fresh))
    return result


def divergence(epoch_loss: float, run: dict, n_train: int) -> str | None:
    """Why an epoch with this loss means the run diverged, or None if it does not."""
    if not math.isfinite(epoch_loss):
        return f"the epoch's loss is {epoch_loss!r}"
    n_batches = math.ceil(n_train / run["batch_size"])
    limit = run["divergence_factor"] * math.log(run["layer_sizes"][-1])
    mean_loss = epoch_loss / n_batches
    if mean_loss > limit:
        return (f"the mean batch loss {mean_loss:.6g} exceeds {run['divergence_factor']:g} x ln(n_classes) = "
                f"{limit:.6g}")
    return None


def _non_finite(weights) -> str | None:
    # The loss is measured before each step: the epoch's last step can still overflow a parameter.
    if all(np.isfinite(W).all() and np.isfinite(b).all() for W, b in weights):
        return None
    return "a parameter is no longer finite"
