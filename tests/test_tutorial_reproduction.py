"""The tutorial configuration reproduces the page: run the page's own code as written (from
tests/tutorial_page) and the workflow's tutorial runs, and compare what they computed.

Both use the page's random streams: Python's ``random`` seeded 42 for the scratch weights, numpy's
stream continuing after the split for the scratch shuffles, ``torch.manual_seed(42)`` for the PyTorch
model and its ``randperm`` shuffles. The page runs as written, all 30 epochs (about 25 s), with one change: its Adam in PyTorch's fused
kernel (``fused=True``), as the workflow runs it, because the default loop's square root depends on
the CPU's vendor (``spiralbench.kernels``). Run exactly as written, the page's PyTorch run differs from
it in the last bits only (``test_the_page_as_written_differs_from_its_fused_adam_in_the_last_bits``).
"""
import contextlib
import io
from pathlib import Path

import numpy as np
import pytest

from spiralbench.config import find_run, load_config
from spiralbench.data import make_split
from spiralbench.training import train_run
from tutorial_page import run_page

REPO = Path(__file__).resolve().parents[1]
EPOCHS = 30
PAGE_ADAM = "optimizer = optim.Adam(nn_torch.parameters(), lr=0.01)"
FUSED_ADAM = {PAGE_ADAM: "optimizer = optim.Adam(nn_torch.parameters(), lr=0.01, fused=True)"}


@pytest.fixture(scope="module")
def page():
    with contextlib.redirect_stdout(io.StringIO()):
        return run_page([1, 2, 3, 4, 6], replacements=FUSED_ADAM)


@pytest.fixture(scope="module")
def page_as_written():
    with contextlib.redirect_stdout(io.StringIO()):
        return run_page([1, 2, 3, 4, 6])


@pytest.fixture(scope="module")
def tutorial_runs():
    config = load_config(REPO / "config" / "config.yaml")
    tutorial = config["tutorial"]
    # The page's setting, as the config states it.
    assert tutorial["seed"] == 42 and tutorial["epochs"] == EPOCHS and tutorial["batch_size"] == 16
    assert tutorial["hidden_sizes"] == [16, 16] and config["data"] == {
        "n_points": 100, "n_classes": 3, "noise": 0.15, "train_fraction": 0.8}
    # The page's pairing: the scratch network from its own initialisation, PyTorch from nn.Linear's.
    assert tutorial["neurogebra"] == {"optimizer": "sgd", "learning_rate": 0.05, "init": "page"}
    assert tutorial["pytorch"] == {"optimizer": "adam", "learning_rate": 0.01, "init": "torch-default"}
    results = {}
    for framework, slug, engine in (("neurogebra", f"sgd-lr0.05-bs16-ep{EPOCHS}-h16x16-relu-page-f64", "scalar"),
                                    ("pytorch", f"adam-lr0.01-bs16-ep{EPOCHS}-h16x16-relu-torch-default-f32", "torch")):
        run = find_run(config, f"tutorial/{framework}/{slug}/seed42")
        assert run["engine"] == engine  # the page's own classes train the scratch network
        results[framework] = train_run(run, make_split(42, **config["data"]))
    return results


def history(result):
    return [loss for _, loss, _ in result.history], [accuracy for _, _, accuracy in result.history]


def test_pytorch_history_is_the_page_history_exactly(page, tutorial_runs):
    losses, accuracies = history(tutorial_runs["pytorch"])
    assert losses == page["torch_history"]["loss"]
    assert accuracies == page["torch_history"]["accuracy"]


def test_neurogebra_history_is_the_page_history_to_float_precision(page, tutorial_runs):
    losses, accuracies = history(tutorial_runs["neurogebra"])
    # The engine computes the cross-entropy as log(sum(exp)) - score (stable for any score gap); the
    # page writes -log(probability). Same number up to the last bits of each of 240 terms per epoch.
    assert losses == pytest.approx(page["neuro_history"]["loss"], rel=1e-12, abs=0)
    assert accuracies == page["neuro_history"]["accuracy"]


def test_test_set_predictions_and_accuracies_are_the_page_ones(page, tutorial_runs):
    neuro, torch_run = tutorial_runs["neurogebra"], tutorial_runs["pytorch"]
    assert np.array_equal(neuro.y_pred, np.asarray(page["neuro_predictions"]))
    assert np.array_equal(torch_run.y_pred, page["torch_predictions"])
    assert neuro.metrics()["test_accuracy"] == pytest.approx(float(page["neuro_test_acc"]), abs=1e-15)
    # The page averages in float32: (p == y).float().mean().
    assert torch_run.metrics()["test_accuracy"] == pytest.approx(page["torch_test_acc"], abs=1e-7)


def test_trained_weights_are_the_page_weights(page, tutorial_runs):
    page_network = page["nn_neuro"]
    for (W, b), layer in zip(tutorial_runs["neurogebra"].weights, page_network.layers):
        page_W = np.array([[w.data for w in neuron.w] for neuron in layer.neurons])
        page_b = np.array([neuron.b.data for neuron in layer.neurons])
        assert np.allclose(W, page_W, rtol=1e-12, atol=1e-15) and np.allclose(b, page_b, rtol=1e-12, atol=1e-15)
    torch_layers = [m for m in page["nn_torch"].network if hasattr(m, "weight")]
    for (W, b), layer in zip(tutorial_runs["pytorch"].weights, torch_layers):
        assert np.array_equal(W, layer.weight.detach().numpy().astype(np.float64))
        assert np.array_equal(b, layer.bias.detach().numpy().astype(np.float64))


def test_the_page_as_written_differs_from_its_fused_adam_in_the_last_bits(page, page_as_written):
    """The same update, rounded in another order (and with MKL's square root): measured on an Intel Xeon,
    30 epochs move the loss by at most 2.6e-7 (relative) and no accuracy."""
    written, fused = page_as_written["torch_history"], page["torch_history"]
    assert fused["loss"] == pytest.approx(written["loss"], rel=1e-5, abs=0)
    assert np.max(np.abs(np.subtract(fused["accuracy"], written["accuracy"]))) <= 1 / 240  # one training point
    assert abs(page["torch_test_acc"] - page_as_written["torch_test_acc"]) <= 1 / 60 + 1e-7  # one test point
