"""neurogebra.optim: SGD and Adam against torch.optim in float64."""

import math
import random

import numpy as np
import pytest
import torch

from neurogebra.core.autograd import Value
from neurogebra.losses import softmax_cross_entropy
from neurogebra.nn import NeuralNetwork
from neurogebra.optim import SGD, Adam


def run_with_given_gradients(make_ours, make_torch, start, gradients):
    """Feed the same gradient sequence to both optimizers; return both trajectories."""
    params = [Value(x) for x in start]
    ours = make_ours(params)
    tensor = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    theirs = make_torch([tensor])
    our_path, torch_path = [], []
    for g in gradients:
        ours.zero_grad()
        for p, gi in zip(params, g):
            p.grad = gi
        ours.step()
        theirs.zero_grad()
        tensor.grad = torch.tensor(g, dtype=torch.float64)
        theirs.step()
        our_path.append([p.data for p in params])
        torch_path.append(tensor.detach().tolist())
    return np.array(our_path), np.array(torch_path)


def gradient_sequence(seed, steps, size):
    rng = np.random.default_rng(seed)
    scale = rng.lognormal(size=(steps, 1))  # gradients of changing size, as in training
    gradients = rng.normal(size=(steps, size)) * scale
    gradients[:, 0] = 0.0  # a parameter that never gets a gradient
    gradients[steps // 2 :, 1] = 0.0  # one that stops getting one
    return gradients.tolist()


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"lr": 0.01},
        {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6},
        {"lr": 0.003, "betas": (0.0, 0.5), "eps": 1e-300},
    ],
)
def test_adam_follows_torch_adam_step_for_step(kwargs):
    start = np.random.default_rng(1).normal(size=6).tolist()
    ours, theirs = run_with_given_gradients(
        lambda params: Adam(params, **kwargs),
        lambda params: torch.optim.Adam(params, **kwargs),
        start,
        gradient_sequence(2, 300, 6),
    )
    assert np.max(np.abs(ours - theirs)) <= 1e-9
    assert np.all(ours[:, 0] == start[0])  # no gradient, no move (m = v = 0)


def test_sgd_follows_torch_sgd_step_for_step():
    start = np.random.default_rng(3).normal(size=5).tolist()
    ours, theirs = run_with_given_gradients(
        lambda params: SGD(params, lr=0.05),
        lambda params: torch.optim.SGD(params, lr=0.05),
        start,
        gradient_sequence(4, 100, 5),
    )
    assert np.max(np.abs(ours - theirs)) <= 1e-12


def test_sgd_step_is_p_minus_lr_times_grad_and_zero_grad_resets():
    p, q = Value(1.0), Value(-2.0)
    optimizer = SGD([p, q], lr=0.5)
    p.grad, q.grad = 0.25, -4.0
    optimizer.step()
    assert (p.data, q.data) == (1.0 - 0.5 * 0.25, -2.0 + 0.5 * 4.0)
    optimizer.zero_grad()
    assert (p.grad, q.grad) == (0.0, 0.0)


@pytest.mark.parametrize("optimizer_name", ["sgd", "adam"])
def test_training_a_network_follows_torch(optimizer_name):
    """Gradients from our engine and from torch, each optimizer updating its own copy: same weights."""
    random.seed(7)
    net = NeuralNetwork([2, 8, 3])
    layers = [torch.nn.Linear(2, 8).double(), torch.nn.Linear(8, 3).double()]
    with torch.no_grad():
        for layer, (W, b) in zip(layers, net.get_weights()):
            layer.weight.copy_(torch.from_numpy(W))
            layer.bias.copy_(torch.from_numpy(b))
    torch_params = [p for layer in layers for p in layer.parameters()]
    if optimizer_name == "sgd":
        ours, theirs = SGD(net.parameters(), lr=0.1), torch.optim.SGD(torch_params, lr=0.1)
    else:
        ours, theirs = Adam(net.parameters(), lr=0.01), torch.optim.Adam(torch_params, lr=0.01)

    rng = np.random.default_rng(8)
    for _ in range(40):
        X = rng.normal(size=(6, 2))
        y = rng.integers(0, 3, size=6)
        batch_loss = sum(softmax_cross_entropy(net(row), int(t))[0] for row, t in zip(X.tolist(), y)) / len(y)
        ours.zero_grad()
        batch_loss.backward()
        ours.step()

        scores = layers[1](torch.relu(layers[0](torch.from_numpy(X))))
        loss = torch.nn.functional.cross_entropy(scores, torch.from_numpy(y))
        theirs.zero_grad()
        loss.backward()
        theirs.step()
        assert batch_loss.data == pytest.approx(loss.item(), abs=1e-12)

    for (W, b), layer in zip(net.get_weights(), layers):
        assert np.max(np.abs(W - layer.weight.detach().numpy())) <= 1e-9
        assert np.max(np.abs(b - layer.bias.detach().numpy())) <= 1e-9


@pytest.mark.parametrize("optimizer", [SGD, Adam])
@pytest.mark.parametrize("lr", [0, -0.1, math.nan, math.inf, "0.1", None, True])
def test_invalid_learning_rate(optimizer, lr):
    with pytest.raises(ValueError, match=r"learning rate lr must be a positive finite number, got"):
        optimizer([Value(1.0)], lr=lr)


@pytest.mark.parametrize(
    "betas, message",
    [
        ((1.0, 0.999), r"beta1 must be in \[0, 1\), got 1.0"),
        ((0.9, -0.1), r"beta2 must be in \[0, 1\), got -0.1"),
        ((0.9, math.nan), r"beta2 must be in \[0, 1\), got nan"),
        ((0.9, "0.999"), r"beta2 must be in \[0, 1\), got '0.999'"),
        ((0.9,), r"betas must be a pair \(beta1, beta2\), got \(0.9,\)"),
        (0.9, r"betas must be a pair \(beta1, beta2\), got 0.9"),
    ],
)
def test_invalid_betas(betas, message):
    with pytest.raises(ValueError, match=message):
        Adam([Value(1.0)], betas=betas)


def test_invalid_eps_and_parameters():
    for eps in (-1e-8, 0.0, math.inf):
        with pytest.raises(ValueError, match=rf"eps must be a positive finite number, got {eps}"):
            Adam([Value(1.0)], eps=eps)
    with pytest.raises(ValueError, match=r"optimizer got an empty parameter list"):
        SGD([], lr=0.1)
    with pytest.raises(TypeError, match=r"parameters must be Values or Tensors, got 1.0"):
        Adam([Value(1.0), 1.0])
