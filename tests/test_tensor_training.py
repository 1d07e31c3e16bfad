"""One network, two engines: the tensor engine against the scalar engine and PyTorch.

Same initial weights from the same random stream, weights that move between engines and PyTorch
without loss, optimizers on Tensor parameters that follow torch.optim, and the tutorial's training
on all three implementations (same weights, same batches, same optimizer, float64) agreeing epoch
by epoch.
"""

import math
import random

import numpy as np
import pytest
import torch

from neurogebra import SGD, Adam, NeuralNetwork, Tensor, softmax_cross_entropy
from neurogebra.nn import initial_weights
from spiralbench.controlled import compare, epoch_orders, initial_weights as controlled_weights, start
from spiralbench.data import make_split
from spiralbench.frameworks import torch_train
from spiralbench.inspection import boundary_grid, grid_points

PAGE_SIZES = [2, 16, 16, 3]


def flat(weights):
    return [float(v) for W, b in weights for v in (*W.ravel(), *b)]


@pytest.mark.parametrize("init", ["page", "torch-default"])
def test_one_seed_gives_the_same_weights_on_both_engines(init):
    random.seed(42)
    scalar = NeuralNetwork(PAGE_SIZES, engine="scalar", init=init)
    random.seed(42)
    tensor = NeuralNetwork(PAGE_SIZES, engine="tensor", init=init)
    assert flat(scalar.get_weights()) == flat(tensor.get_weights())
    assert [p.data for p in scalar.parameters()] == [  # the scalar order: neuron by neuron, weights then bias
        v for layer in tensor.layers for row, bias in zip(layer.W.data.T, layer.b.data) for v in (*row, bias)
    ]
    assert tensor.n_parameters() == scalar.n_parameters() == 371
    assert repr(tensor) == repr(scalar)


def test_page_init_is_unchanged_and_the_default():
    random.seed(42)
    default = NeuralNetwork(PAGE_SIZES)
    random.seed(42)
    page = NeuralNetwork(PAGE_SIZES, engine="tensor", init="page")
    assert flat(default.get_weights()) == flat(page.get_weights())
    assert all(not b.any() for _, b in page.get_weights())


def test_torch_default_init_draws_weights_then_bias_within_one_over_sqrt_fan_in():
    rng = random.Random(5)
    weights, bias = initial_weights(400, "torch-default", rng)
    replay = random.Random(5)
    assert weights == [replay.uniform(-0.05, 0.05) for _ in range(400)]
    assert bias == replay.uniform(-0.05, 0.05)
    net = NeuralNetwork([400, 30, 2], engine="tensor", init="torch-default", rng=random.Random(0))
    (W0, b0), (W1, b1) = net.get_weights()
    assert 0.95 * 0.05 < np.abs(W0).max() <= 0.05 and np.abs(b0).max() <= 0.05 and b0.any()
    assert 0.9 / math.sqrt(30) < np.abs(W1).max() <= 1 / math.sqrt(30)


def test_weights_move_between_engines_and_pytorch_without_loss():
    scalar = NeuralNetwork(PAGE_SIZES, rng=random.Random(3), init="torch-default")
    rng = np.random.default_rng(0)
    weights = [(W * rng.uniform(0.5, 2.0, W.shape), rng.normal(size=b.shape)) for W, b in scalar.get_weights()]
    scalar.set_weights(weights)
    tensor = NeuralNetwork(PAGE_SIZES, rng=random.Random(9), engine="tensor")
    tensor.set_weights(scalar.get_weights())
    back = NeuralNetwork(PAGE_SIZES, rng=random.Random(1))
    back.set_weights(tensor.get_weights())
    assert flat(back.get_weights()) == flat(weights)

    model = torch_train.load_network(PAGE_SIZES, "relu", tensor.get_weights(), "float64")
    again = NeuralNetwork(PAGE_SIZES, rng=random.Random(2), engine="tensor")
    again.set_weights(torch_train.get_weights(model))
    assert flat(again.get_weights()) == flat(weights)

    X = np.random.default_rng(4).normal(size=(50, 2))
    expected = torch_train.scores(model, X)
    assert np.max(np.abs(tensor.evaluate(X) - expected)) <= 1e-12
    assert np.max(np.abs(tensor.evaluate(X) - scalar.evaluate(X))) <= 1e-12


def test_get_weights_are_copies_and_a_bad_set_weights_changes_nothing():
    net = NeuralNetwork([2, 3, 2], rng=random.Random(0), engine="tensor")
    before = flat(net.get_weights())
    net.get_weights()[0][0][:] = 7.0
    assert flat(net.get_weights()) == before
    (W, b), good = net.get_weights()
    with pytest.raises(ValueError, match=r"layer weights must have shapes W \(3, 2\) and b \(3,\)"):
        net.set_weights([(W.T, b), good])
    with pytest.raises(ValueError, match=r"layer weights must be finite"):
        net.set_weights([(W, b), (good[0], np.full(2, np.nan))])
    assert flat(net.get_weights()) == before


def test_a_decision_grid_is_one_batched_forward_pass():
    net = NeuralNetwork(PAGE_SIZES, rng=random.Random(0), engine="tensor")
    points = grid_points(*boundary_grid(np.random.default_rng(0).normal(size=(50, 2))))
    scores = net(points)
    assert isinstance(scores, Tensor) and scores.shape == (len(points), 3)
    assert np.array_equal(net.evaluate(points), scores.data)
    assert np.array_equal(net.predict(points), np.argmax(scores.data, axis=1))
    scalar = NeuralNetwork(PAGE_SIZES, rng=random.Random(0))
    assert np.mean(net.predict(points) == scalar.predict(points)) > 0.999  # rounding may flip a tie at most
    assert np.max(np.abs(net.evaluate(points) - scalar.evaluate(points))) <= 1e-12


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "linear"])
def test_other_activations_give_the_scalar_engines_numbers(activation):
    activations = [activation, "linear"]
    scalar = NeuralNetwork([3, 5, 2], activations, rng=random.Random(1))
    tensor = NeuralNetwork([3, 5, 2], activations, rng=random.Random(1), engine="tensor")
    X = np.random.default_rng(1).normal(size=(20, 3))
    assert np.max(np.abs(tensor.evaluate(X) - scalar.evaluate(X))) <= 1e-12


def test_bad_engine_init_and_inputs_are_clear_errors():
    with pytest.raises(ValueError, match=r"unknown engine 'numpy'; choose one of scalar, tensor"):
        NeuralNetwork([2, 3], engine="numpy")
    with pytest.raises(ValueError, match=r"unknown init 'xavier'; choose one of page, torch-default"):
        NeuralNetwork([2, 3], init="xavier")
    net = NeuralNetwork([2, 3, 2], rng=random.Random(0), engine="tensor")
    with pytest.raises(ValueError, match=r"Tensor @ needs .* got shapes \(4, 3\) and \(2, 3\)"):
        net(np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"expected an array of shape \(n_points, 2\), got shape \(4, 3\)"):
        net.evaluate(np.zeros((4, 3)))


# ------------------------------------------------------------------------ optimizers


@pytest.mark.parametrize("name, kwargs", [("sgd", {"lr": 0.1}), ("adam", {"lr": 0.01}),
                                          ("adam", {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6})])
def test_optimizers_on_tensor_parameters_follow_torch_step_for_step(name, kwargs):
    rng = np.random.default_rng(3)
    starts = [rng.normal(size=(4, 3)), rng.normal(size=(3,))]
    ours = [Tensor(s) for s in starts]
    theirs = [torch.tensor(s, requires_grad=True) for s in starts]
    optimizer = {"sgd": SGD, "adam": Adam}[name](ours, **kwargs)
    reference = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam}[name](theirs, **kwargs)
    for step in range(200):
        grads = [rng.normal(size=s.shape) * rng.lognormal() for s in starts]
        grads[1][0] = 0.0  # an entry that never gets a gradient
        optimizer.zero_grad()
        reference.zero_grad()
        for p, t, g in zip(ours, theirs, grads):
            p.grad = p.grad + g
            t.grad = torch.from_numpy(g)
        optimizer.step()
        reference.step()
    for p, t in zip(ours, theirs):
        assert np.max(np.abs(p.data - t.detach().numpy())) <= 1e-12


def test_one_training_step_of_the_tensor_engine_equals_sixteen_scalar_samples():
    X = np.random.default_rng(2).normal(size=(16, 2))
    y = np.arange(16) % 3
    tensor = NeuralNetwork(PAGE_SIZES, rng=random.Random(7), engine="tensor")
    scalar = NeuralNetwork(PAGE_SIZES, rng=random.Random(7))
    loss, _ = softmax_cross_entropy(tensor(X), y)
    loss.backward()
    total = sum(softmax_cross_entropy(scalar(x.tolist()), int(t))[0] for x, t in zip(X, y)) / 16
    total.backward()
    assert abs(loss.data - total.data) <= 1e-14
    gradients = [v for layer in tensor.layers for row, b in zip(layer.W.grad.T, layer.b.grad) for v in (*row, b)]
    assert np.max(np.abs(np.array(gradients) - [p.grad for p in scalar.parameters()])) <= 1e-14


# --------------------------------------------------- the three implementations train alike


@pytest.mark.parametrize("seed", [42, 7, 2024])
@pytest.mark.parametrize("optimizer, learning_rate", [("sgd", 0.05), ("adam", 0.01)])
def test_thirty_epochs_agree_on_the_scalar_engine_the_tensor_engine_and_pytorch(seed, optimizer, learning_rate):
    """The tutorial's training (2-16-16-3, 240 samples, batch 16) from the same weights on the same batches."""
    settings = {"seed": seed, "optimizer": optimizer, "learning_rate": learning_rate, "epochs": 30,
                "batch_size": 16, "hidden_sizes": [16, 16], "activation": "relu"}
    table = compare(settings, make_split(seed))
    assert table["abs_diff"].max() <= 1e-9
    assert (table["scalar_accuracy"] == table["tensor_accuracy"]).all()
    assert (table["tensor_accuracy"] == table["torch_accuracy"]).all()
    assert table["tensor_loss"].iloc[-1] < 0.7 * table["tensor_loss"].iloc[0]  # agreement while learning


@pytest.mark.parametrize("optimizer, learning_rate", [("sgd", 0.05), ("adam", 0.01)])
def test_the_numpy_floor_computes_what_the_engines_compute(optimizer, learning_rate):
    settings = {"seed": 3, "optimizer": optimizer, "learning_rate": learning_rate, "epochs": 5,
                "batch_size": 16, "hidden_sizes": [8, 8], "activation": "relu"}
    split = make_split(3)
    weights, orders = controlled_weights(settings, split), epoch_orders(settings, split)
    tensor = list(start("tensor", settings, split, weights, orders))
    floor = list(start("numpy", settings, split, weights, orders))
    assert np.max(np.abs(np.array(tensor) - np.array(floor))) <= 1e-12
    assert [a for _, a in tensor] == [a for _, a in floor]
