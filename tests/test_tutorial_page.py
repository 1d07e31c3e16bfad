"""The tutorial page runs as written against neurogebra, and what it prints is right.

The page's code (``tests/tutorial_page``) is run step by step in one namespace,
with 3 epochs instead of 30 and a coarser decision-boundary grid, to stay quick.
Expected numbers are derived independently here (math, numpy, counting), not
copied from a run.
"""

import contextlib
import io
import math
import random
import re

import numpy as np
import pytest

from neurogebra.core.autograd import Value
from tutorial_page import run_page

EPOCHS = 3
QUICK = {"epochs = 30": f"epochs = {EPOCHS}"}
N_TRAIN, N_TEST, BATCH = 240, 60, 16
LAYER_SIZES = [2, 16, 16, 3]


def run_quietly(steps, replacements=None, namespace=None):
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        namespace = run_page(steps, replacements, namespace)
    return namespace, printed.getvalue()


@pytest.fixture(scope="module")
def trained():
    """Steps 1-6: data, both networks, the loss demo, training, curves, test evaluation."""
    return run_quietly([1, 2, 3, 4, 5, 6], QUICK)


@pytest.fixture(scope="module")
def inspected(trained):
    """Steps 7-8 continue the same notebook: decision boundaries, then inspection."""
    namespace, _ = trained
    # Step 7 predicts every grid point one at a time through each framework; a 0.1 grid
    # (~900 points instead of ~22,500) draws the same figure, coarser.
    return run_quietly([7, 8], {"h = 0.02": "h = 0.1"}, dict(namespace))


def relu(z):
    return np.maximum(z, 0.0)


def numpy_scores(network, X):
    """The page's network evaluated with numpy from its weights (w·x + b, relu, ..., linear)."""
    out = X
    for i, layer in enumerate(network.layers):
        W = np.array([[w.data for w in neuron.w] for neuron in layer.neurons])
        b = np.array([neuron.b.data for neuron in layer.neurons])
        out = out @ W.T + b
        if i < len(network.layers) - 1:
            out = relu(out)
    return out


# --- Step 1 ----------------------------------------------------------------------------


def test_step1_splits_three_spirals_of_100_points(trained):
    ns, printed = trained
    assert ns["X_train"].shape == (N_TRAIN, 2) and ns["X_test"].shape == (N_TEST, 2)
    assert sorted(np.bincount(np.concatenate([ns["y_train"], ns["y_test"]]))) == [100, 100, 100]
    # The split is a permutation: every point lands in exactly one half.
    assert sorted(ns["indices"].tolist()) == list(range(300))
    assert np.abs(ns["X"]).max() <= 1.0  # radius runs from 0 to 1
    assert f"Training: {N_TRAIN} samples" in printed and f"Testing: {N_TEST} samples" in printed


# --- Step 2 ----------------------------------------------------------------------------


def test_step2_both_networks_have_371_parameters(trained):
    ns, printed = trained
    # Each layer: n_in * n_out weights + n_out biases.
    expected = sum(n_in * n_out + n_out for n_in, n_out in zip(LAYER_SIZES, LAYER_SIZES[1:]))
    assert expected == 371
    assert len(ns["nn_neuro"].parameters()) == expected
    assert ns["total_params"] == expected
    assert printed.count(f"Parameters: {expected:,}") == 2


def test_step2_draws_xavier_uniform_weights_from_pythons_random_seeded_42():
    ns, _ = run_quietly([2])
    rng = random.Random(42)
    for layer, n_in in zip(ns["nn_neuro"].layers, LAYER_SIZES):
        limit = math.sqrt(6 / (n_in + 1))
        for neuron in layer.neurons:
            assert [w.data for w in neuron.w] == [rng.uniform(-limit, limit) for _ in range(n_in)]
            assert neuron.b.data == 0.0


# --- Step 3 ----------------------------------------------------------------------------


def test_step3_softmax_demo_prints_the_right_probabilities_and_loss(trained):
    ns, printed = trained
    exps = [math.exp(s) for s in (2.0, 1.0, 0.1)]
    probabilities = [e / sum(exps) for e in exps]
    loss = -math.log(probabilities[0])
    assert [round(p, 3) for p in probabilities] == [0.659, 0.242, 0.099]
    assert f"{loss:.4f}" == "0.4170"
    assert "Probabilities: [0.659, 0.242, 0.099]" in printed
    assert "Sum of probs: 1.000" in printed
    assert "Loss (target=class 0): 0.4170" in printed
    assert "Loss: 0.4170" in printed  # the PyTorch half of the demo agrees


def test_step3_softmax_cross_entropy_value_and_gradient_on_the_engine(trained):
    ns, _ = trained
    scores = [Value(2.0), Value(1.0), Value(0.1)]
    loss, probs = ns["softmax_cross_entropy"](scores, target=0)
    exps = [math.exp(s) for s in (2.0, 1.0, 0.1)]
    expected = [e / sum(exps) for e in exps]
    assert [p.data for p in probs] == pytest.approx(expected, abs=1e-15)
    assert loss.data == pytest.approx(-math.log(expected[0]), abs=1e-15)
    loss.backward()
    # d(-log softmax_0)/d s_i = p_i - [i == 0]
    assert [s.grad for s in scores] == pytest.approx([expected[0] - 1, expected[1], expected[2]], abs=1e-15)


# --- Step 4 ----------------------------------------------------------------------------


@pytest.mark.parametrize("history", ["neuro_history", "torch_history"])
def test_step4_histories_have_one_finite_entry_per_epoch_and_the_loss_falls(trained, history):
    ns, _ = trained
    losses, accuracies = ns[history]["loss"], ns[history]["accuracy"]
    assert len(losses) == len(accuracies) == EPOCHS
    assert all(math.isfinite(loss) for loss in losses)
    # An epoch's loss sums 15 batch means of a 3-class cross-entropy: near 15 * log(3) at the start.
    n_batches = math.ceil(N_TRAIN / BATCH)
    assert 0 < losses[0] < 2 * n_batches * math.log(3)
    assert losses[-1] < losses[0]
    # Accuracy counts correct training samples out of 240.
    assert all(0 <= a <= 1 and abs(a * N_TRAIN - round(a * N_TRAIN)) < 1e-9 for a in accuracies)
    assert accuracies[-1] > 1 / 3


def test_step4_prints_every_fifth_and_the_last_epoch(trained):
    ns, printed = trained
    history = ns["neuro_history"]
    expected = [f" Epoch {e:>3d}/{EPOCHS}: Loss = {history['loss'][e]:.4f}, Accuracy = {history['accuracy'][e]:.1%}"
                for e in (0, EPOCHS - 1)]
    assert all(line in printed for line in expected)
    assert f"Final Training Accuracy: {history['accuracy'][-1]:.1%}" in printed


def test_step4_training_moved_every_layer_away_from_its_initial_weights(trained):
    ns, _ = trained
    initial = run_quietly([2])[0]["nn_neuro"]
    for before, after in zip(initial.layers, ns["nn_neuro"].layers):
        moved = [abs(a.data - b.data) for na, nb in zip(after.neurons, before.neurons)
                 for a, b in zip(na.parameters(), nb.parameters())]
        assert max(moved) > 1e-3


# --- Step 5 ----------------------------------------------------------------------------


def test_step5_plots_both_histories(trained):
    ns, _ = trained
    loss_axes, accuracy_axes = ns["axes"]
    for axes, key in ((loss_axes, "loss"), (accuracy_axes, "accuracy")):
        neuro_line, torch_line = axes.get_lines()
        assert neuro_line.get_ydata().tolist() == ns["neuro_history"][key]
        assert torch_line.get_ydata().tolist() == ns["torch_history"][key]


# --- Step 6 ----------------------------------------------------------------------------


def test_step6_neurogebra_predictions_match_a_numpy_forward_pass(trained):
    ns, printed = trained
    expected = numpy_scores(ns["nn_neuro"], ns["X_test"]).argmax(axis=1)
    assert ns["neuro_predictions"] == expected.tolist()
    accuracy = np.mean(expected == ns["y_test"])
    assert ns["neuro_test_acc"] == pytest.approx(accuracy, abs=1e-15)
    assert f"Neurogebra Test Accuracy: {accuracy:.1%}" in printed


def test_step6_pytorch_accuracy_agrees_with_its_predictions(trained):
    ns, printed = trained
    assert ns["torch_predictions"].shape == (N_TEST,)
    accuracy = np.mean(ns["torch_predictions"] == ns["y_test"])
    assert ns["torch_test_acc"] == pytest.approx(accuracy, abs=1e-6)  # computed in float32
    assert f"PyTorch Test Accuracy: {ns['torch_test_acc']:.1%}" in printed


# --- Step 7 ----------------------------------------------------------------------------


def test_step7_point_predictors_agree_with_step6(inspected):
    ns, _ = inspected
    assert [ns["neuro_predict"](p) for p in ns["X_test"]] == ns["neuro_predictions"]
    assert [ns["torch_predict"](p) for p in ns["X_test"]] == ns["torch_predictions"].tolist()


# --- Step 8 ----------------------------------------------------------------------------


def test_step8_mathforge_explains_relu_as_the_page_expects(inspected):
    _, printed = inspected
    for line in ("ReLU activation: Max(0, x)",
                 "ReLU at x=2: 2.0", "ReLU at x=-2: 0.0",
                 "ReLU grad at x=2: 1.0", "ReLU grad at x=-2: 0.0"):
        assert line in printed.splitlines()
    # The gradient's printed form evaluates to 0 for x <= 0 and 1 for x > 0.
    assert re.search(r"^ReLU gradient: Heaviside\(x, 0\)$", printed, re.MULTILINE)


def test_step8_prints_statistics_of_each_layer(inspected):
    ns, printed = inspected
    for i, layer in enumerate(ns["nn_neuro"].layers):
        weights = [w.data for neuron in layer.neurons for w in neuron.w]
        block = printed.split(f"\nLayer {i + 1}:\n")[1]
        assert block.startswith(f" Neurons: {LAYER_SIZES[i + 1]}\n")
        assert f" Weights: mean={np.mean(weights):.4f}, std={np.std(weights):.4f}" in block


def test_step8_neuron_map_is_the_neurons_relu_of_its_weighted_sum(inspected):
    ns, _ = inspected
    neuron = ns["nn_neuro"].layers[0].neurons[7]  # the last map drawn leaves its Z behind
    (w1, w2), b = [w.data for w in neuron.w], neuron.b.data
    expected = relu(b + w1 * ns["xx"] + w2 * ns["yy"])
    assert ns["Z"].shape == (60, 60)
    np.testing.assert_allclose(ns["Z"], expected, rtol=0, atol=1e-12)


# --- the runner itself ---------------------------------------------------------------------


def test_a_replacement_that_matches_nothing_is_an_error():
    with pytest.raises(ValueError, match="'epochs = 31' does not occur"):
        run_page([4], {"epochs = 31": "epochs = 1"})


def test_an_unknown_step_is_an_error():
    with pytest.raises(ValueError, match="unknown tutorial step 9"):
        run_page([9])
