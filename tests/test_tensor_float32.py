"""The tensor engine in float32: against PyTorch's float32 autograd, the dtype kept everywhere, mixing refused.

Every operation of tests/test_tensor.py runs again on float32 Tensors and float32 torch tensors; their
values and gradients must agree to a tolerance derived from float32's machine epsilon (``tolerance``).
Then: outputs, gradients, optimizer state and weights stay float32; two dtypes in one operation are a
TypeError naming both; and 30 epochs of the tutorial's training agree with PyTorch's float32 training
from the same weights on the same batches, to a bound set from measurement.
"""

import random
import re

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from neurogebra import SGD, Adam, NeuralNetwork, Tensor, Value, softmax_cross_entropy
from neurogebra.nn import Layer
from spiralbench.controlled import epoch_orders, initial_weights, layer_sizes
from spiralbench.data import make_split
from spiralbench.frameworks import neurogebra_train, torch_train
from test_tensor import BINARY, UNARY, arrays, broadcast_pairs, shapes

F32 = np.dtype(np.float32)
EPS = float(np.finfo(np.float32).eps)  # 2**-23: the spacing of float32 numbers just above 1


def tolerance(reference, n_terms):
    """How far a float32 result of neurogebra may be from PyTorch's: ``8 * EPS * n_terms * scale``.

    Each entry of a result is a few elementwise operations and at most one sum of at most ``n_terms``
    terms (an entry of ``@``, of ``sum``/``mean``, or the gradient of an input that was broadcast or
    used by several outputs); ``n_terms`` is the size of the largest array in the computation, which
    no such sum can exceed. A sum of n terms, in any order, is within (n - 1) * EPS/2 * sum(|terms|)
    of the exact sum (Higham, Accuracy and Stability of Numerical Algorithms, 4.2), and the two
    libraries add in different orders (BLAS blocking, pairwise against vectorised sums): hence the
    factor ``n_terms``. sum(|terms|) is not at hand; the operands here are moderate (inputs mostly within
    +-2, output weights ~ N(0, 1)), so ``scale``, the largest magnitude in the reference (at least 1),
    stands in for the size of a term. The factor 8 covers the rest: the few roundings of the
    elementwise operations, and exp/log/tanh/pow, whose float32 versions in numpy and PyTorch are
    different vectorised approximations, off by a few units in the last place. Measured on 300
    random cases of every operation: differences up to 1.5 * EPS * n_terms * scale (exp), most below
    1; so 8 leaves room without hiding a real error (a wrong gradient is off by far more).
    """
    scale = max(1.0, float(np.max(np.abs(reference), initial=0.0)))
    return 8 * EPS * n_terms * scale


def check_against_torch(fn, inputs, constants=()):
    """``fn`` on float32 Tensors and on float32 torch tensors: same dtype, values and gradients within ``tolerance``.

    As in tests/test_tensor.py, the output is weighted by a fixed random array before it is summed.
    """
    inputs = [x.astype(np.float32) for x in inputs]
    ours = [Tensor(x, dtype="float32") for x in inputs]
    out = fn(*ours, *constants)
    weights = np.random.default_rng(99).normal(size=out.shape).astype(np.float32)
    (out * weights).sum().backward()

    theirs = [torch.tensor(x, requires_grad=True) for x in inputs]
    torch_constants = [torch.from_numpy(c) if isinstance(c, np.ndarray) else c for c in constants]
    expected = fn(*theirs, *torch_constants)
    (expected * torch.from_numpy(weights)).sum().backward()
    assert expected.dtype == torch.float32  # the reference itself stayed float32

    n_terms = max([x.size for x in inputs] + [np.size(out.data)])
    assert out.dtype == F32 and out.shape == tuple(expected.shape)
    reference = expected.detach().numpy()
    assert np.max(np.abs(out.data - reference), initial=0.0) <= tolerance(reference, n_terms)
    for tensor, torch_tensor in zip(ours, theirs):
        assert tensor.grad.dtype == F32 and tensor.grad.shape == tensor.data.shape
        reference = torch_tensor.grad.numpy()
        assert np.max(np.abs(tensor.grad - reference), initial=0.0) <= tolerance(reference, n_terms)


# ------------------------------------------------------------- every operation against PyTorch


@pytest.mark.parametrize("name", BINARY)
@given(pair=broadcast_pairs(), seed=st.integers(0, 2**32 - 1))
@settings(max_examples=30, deadline=None)
def test_binary_operations_match_torch_in_float32(name, pair, seed):
    a, b = arrays(seed, *pair, low=0.5, high=2.0)
    b = b * np.where(np.random.default_rng(seed).random(b.shape) < 0.5, -1.0, 1.0)
    check_against_torch(BINARY[name], [a, b])


@pytest.mark.parametrize("name", BINARY)
@given(pair=broadcast_pairs(), seed=st.integers(0, 2**32 - 1), reflected=st.booleans())
@settings(max_examples=20, deadline=None)
def test_float32_arrays_and_python_numbers_are_constants_that_keep_float32(name, pair, seed, reflected):
    a, c = arrays(seed, *pair, low=0.5, high=2.0)
    fn = BINARY[name]
    for constant in (c.astype(np.float32), -1.5, 3):  # Python numbers: no upcast (NEP 50, and torch alike)
        if reflected:
            check_against_torch(lambda t, k: fn(k, t), [a], [constant])
        else:
            check_against_torch(fn, [a], [constant])


@pytest.mark.parametrize("name", UNARY)
@given(shape=shapes(), seed=st.integers(0, 2**32 - 1))
@settings(max_examples=20, deadline=None)
def test_unary_operations_match_torch_in_float32(name, shape, seed):
    fn, low, high = UNARY[name]
    check_against_torch(fn, arrays(seed, shape, low=low, high=high))


@given(shape=shapes(min_dims=1), seed=st.integers(0, 2**32 - 1), data=st.data())
@settings(max_examples=40, deadline=None)
def test_sum_mean_transpose_and_reshape_match_torch_in_float32(shape, seed, data):
    axes = data.draw(st.lists(st.integers(-len(shape), len(shape) - 1), min_size=1, max_size=len(shape),
                              unique_by=lambda a: a % len(shape)))
    axis = axes[0] if len(axes) == 1 else tuple(axes)
    keepdims = data.draw(st.booleans())
    (x,) = arrays(seed, shape)
    for method in ("sum", "mean"):
        def fn(t, method=method):
            if isinstance(t, Tensor):
                return getattr(t, method)(axis=axis, keepdims=keepdims)
            return getattr(t, method)(dim=axis, keepdim=keepdims)

        check_against_torch(fn, [x])
    check_against_torch(lambda t: t.reshape(-1), [x])
    if len(shape) == 2:
        check_against_torch(lambda t: t.T, [x])


@given(n=st.integers(1, 8), k=st.integers(1, 32), m=st.integers(1, 8), seed=st.integers(0, 2**32 - 1),
       left_vector=st.booleans(), right_vector=st.booleans())
@settings(max_examples=60, deadline=None)
def test_matmul_matches_torch_in_float32(n, k, m, seed, left_vector, right_vector):
    a_shape = (k,) if left_vector else (n, k)
    b_shape = (k,) if right_vector else (k, m)
    a, b = arrays(seed, a_shape, b_shape)
    check_against_torch(lambda x, y: x @ y, [a, b])
    check_against_torch(lambda x, c: x @ c, [a], [b.astype(np.float32)])
    check_against_torch(lambda y, c: c @ y, [b], [a.astype(np.float32)])


@given(n=st.integers(1, 8), classes=st.integers(2, 5), seed=st.integers(0, 2**32 - 1),
       scale=st.sampled_from([1.0, 30.0, 1000.0]))
@settings(max_examples=40, deadline=None)
def test_pick_and_softmax_cross_entropy_match_torch_in_float32(n, classes, seed, scale):
    (scores,) = arrays(seed, (n, classes), low=-scale, high=scale)
    scores = scores.astype(np.float32)
    targets = np.random.default_rng(seed).integers(0, classes, size=n)
    check_against_torch(lambda t: t.pick(targets) if isinstance(t, Tensor)
                        else t[torch.arange(n), torch.from_numpy(targets)], [scores])

    ours = Tensor(scores, dtype="float32")
    loss, probabilities = softmax_cross_entropy(ours, targets)
    loss.backward()
    theirs = torch.tensor(scores, requires_grad=True)
    expected = torch.nn.functional.cross_entropy(theirs, torch.from_numpy(targets))
    expected.backward()
    assert loss.dtype == ours.grad.dtype == probabilities.dtype == F32
    n_terms = scores.size
    assert abs(loss.data - expected.item()) <= tolerance(expected.item(), n_terms)
    assert np.max(np.abs(ours.grad - theirs.grad.numpy())) <= tolerance(theirs.grad.numpy(), n_terms)
    reference = torch.softmax(theirs, 1).detach().numpy()
    assert np.max(np.abs(probabilities - reference)) <= tolerance(reference, n_terms)


# ------------------------------------------------------------------- the dtype, chosen once


def test_a_float_array_keeps_its_dtype_numbers_and_integers_become_float64():
    data32 = np.array([0.1, 0.2], dtype=np.float32)
    assert Tensor(data32).dtype == F32  # as np.array and torch.as_tensor
    assert Tensor(data32).grad.dtype == F32
    assert Tensor(data32).data.tobytes() == data32.tobytes()
    assert Tensor(np.float32(0.5)).dtype == F32
    assert (Tensor(data32) + Tensor([1.0, 2.0], dtype="float32")).dtype == F32  # the two now mix
    for data in ([0.1, 0.2], 0.5, 3, np.array([1, 2]), np.array([1, 2], np.uint8), np.array([0.5], np.float16),
                 [np.float32(0.1)], np.array([0.1, 0.2])):
        assert Tensor(data).dtype == np.float64, data
    assert Tensor(data32, dtype="float64").data.tolist() == data32.astype(np.float64).tolist()  # dtype decides
    assert Tensor(np.array([0.1, 0.2]), dtype="float32").dtype == F32
    for name in ("float32", np.float32, np.dtype(np.float32)):
        assert Tensor([0.1, 0.2], dtype=name).dtype == F32
    assert Tensor([0.1], dtype="float32").data[0] == np.float32(0.1)  # rounded once, to nearest
    assert Tensor([1, 2], dtype="float32").grad.dtype == F32
    for bad in ("float16", np.float16, "f4", float, "torch.float32"):
        with pytest.raises(ValueError, match=r"unknown dtype .*; choose one of float32, float64"):
            Tensor([1.0], dtype=bad)
    with pytest.raises(OverflowError, match=r"Tensor data: 1e\+39 overflows float32"):
        Tensor([1.0, 1e39], dtype="float32")


def test_every_operation_and_its_gradient_stay_float32():
    x = Tensor(np.linspace(0.1, 2.0, 6).reshape(2, 3), dtype="float32")
    W = Tensor(np.linspace(-1.0, 1.0, 12).reshape(3, 4), dtype="float32")
    b = Tensor(np.linspace(0.0, 1.0, 4), dtype="float32")
    results = [x + 1.5, 1 - x, x * np.float64(2.0), x / 3, 2.0 / x, -x, x**2, x**0.5, x**0,
               x.relu(), x.tanh(), x.sigmoid(), x.exp(), x.log(), x.sum(), x.mean(axis=0), x.T, x.reshape(3, 2),
               x @ W + b, x.pick([0, 2]), np.ones((2, 2), np.float32) @ x]
    for result in results:
        assert result.dtype == F32 and np.asarray(result.data).dtype == F32
    total = sum((r * 1.0).sum() for r in results)
    total.backward()
    assert total.dtype == F32
    for tensor in (x, W, b, *results):
        assert tensor.grad.dtype == F32


@pytest.mark.parametrize("op, fn", [("+", lambda a, b: a + b), ("-", lambda a, b: a - b),
                                    ("*", lambda a, b: a * b), ("/", lambda a, b: a / b),
                                    ("@", lambda a, b: a @ b)])
def test_two_dtypes_in_one_operation_are_a_type_error_naming_both(op, fn):
    t32, t64 = Tensor(np.ones((2, 2)), dtype="float32"), Tensor(np.ones((2, 2)))
    a64, a32 = np.ones((2, 2)), np.ones((2, 2), np.float32)
    for a, b, first, second in [(t32, t64, "float32", "float64"), (t64, t32, "float64", "float32"),
                                (t32, a64, "float32", "float64"), (a64, t32, "float32", "float64"),
                                (t64, a32, "float64", "float32")]:
        what = "Tensor" if isinstance(b, Tensor) and isinstance(a, Tensor) else "numpy array"
        message = f"Tensor {op}: a {first} Tensor and a {what} of dtype {second}; mixing dtypes is an error"
        with pytest.raises(TypeError, match=re.escape(message)):
            fn(a, b)


def test_overflow_limits_follow_the_dtype():
    Tensor([88.72], dtype="float32").exp()  # the largest finite float32 exp: 88.7228...
    with pytest.raises(OverflowError, match=r"Tensor.exp\(\) of 89.0 overflows float32 .*exp\(88.72\)\)"):
        Tensor([1.0, 89.0], dtype="float32").exp()
    assert Tensor([89.0]).exp().dtype == np.float64  # fine in float64
    with pytest.raises(OverflowError, match=r"\*\* 2.0 overflows float32"):
        Tensor([1e20], dtype="float32") ** 2
    assert np.isfinite((Tensor([1e20]) ** 2).data).all()


# ---------------------------------------------------------------------- network and optimizers

SIZES = [2, 16, 16, 3]


def test_a_float32_network_rounds_the_float64_draws_once_as_torch_does():
    net64 = NeuralNetwork(SIZES, rng=random.Random(42), engine="tensor", init="torch-default")
    net32 = NeuralNetwork(SIZES, rng=random.Random(42), engine="tensor", init="torch-default", dtype=np.float32)
    model = torch_train.load_network(SIZES, "relu", net64.get_weights(), "float32")
    for (W32, b32), (W64, b64), layer in zip(net32.get_weights(), net64.get_weights(),
                                             torch_train.linear_layers(model)):
        assert W32.dtype == b32.dtype == F32
        assert np.array_equal(W32, W64.astype(np.float32)) and np.array_equal(b32, b64.astype(np.float32))
        assert np.array_equal(W32, layer.weight.detach().numpy()) and np.array_equal(b32, layer.bias.detach().numpy())
    again = NeuralNetwork(SIZES, rng=random.Random(0), engine="tensor", dtype="float32")
    again.set_weights(net64.get_weights())  # import from float64: the same single rounding
    assert all(np.array_equal(W, W2) for pair, pair2 in zip(again.get_weights(), net32.get_weights())
               for W, W2 in zip(pair, pair2))
    scalar = NeuralNetwork(SIZES, rng=random.Random(0))
    scalar.set_weights(net32.get_weights())  # and out to the scalar engine, exactly
    assert all(np.array_equal(W, W2) for pair, pair2 in zip(scalar.get_weights(), net32.get_weights())
               for W, W2 in zip(pair, pair2))
    assert repr(net32).endswith("parameters=371, dtype=float32)") and net32.dtype == F32
    with pytest.raises(ValueError, match=r"layer weights must be finite in float32"):
        again.set_weights([(np.full_like(W, 1e39), b) for W, b in net64.get_weights()])


def test_a_float32_network_takes_float32_batches_and_evaluate_rounds_points():
    net = NeuralNetwork(SIZES, rng=random.Random(1), engine="tensor", dtype="float32")
    X = np.random.default_rng(0).normal(size=(50, 2))
    with pytest.raises(TypeError, match=r"Tensor @: a float32 Tensor and a numpy array of dtype float64"):
        net(X)
    scores = net(X.astype(np.float32))
    assert scores.dtype == F32
    assert np.array_equal(net.evaluate(X), scores.data) and net.evaluate(X).dtype == F32
    assert np.array_equal(net.predict(X), np.argmax(scores.data, axis=1))
    model = torch_train.load_network(SIZES, "relu", net.get_weights(), "float32")
    reference = torch_train.scores(model, X)
    assert np.max(np.abs(net.evaluate(X) - reference)) <= tolerance(reference, 16)


def test_the_scalar_engine_is_float64_only():
    with pytest.raises(ValueError, match=r"the scalar engine computes in Python floats \(float64\) only, "
                                         r"got dtype float32; use engine='tensor' for float32"):
        NeuralNetwork(SIZES, engine="scalar", dtype="float32")
    with pytest.raises(ValueError, match=r"the scalar engine computes in Python floats \(float64\) only"):
        Layer(2, 3, engine="scalar", dtype=np.float32)
    assert NeuralNetwork(SIZES, rng=random.Random(0), dtype="float64").dtype == np.float64
    with pytest.raises(ValueError, match=r"unknown dtype 'float16'"):
        NeuralNetwork(SIZES, engine="tensor", dtype="float16")


@pytest.mark.parametrize("name, kwargs", [("sgd", {"lr": 0.1}), ("adam", {"lr": 0.01})])
def test_optimizers_keep_float32_and_follow_torch_step_for_step(name, kwargs):
    rng = np.random.default_rng(3)
    starts = [rng.normal(size=(4, 3)).astype(np.float32), rng.normal(size=(3,)).astype(np.float32)]
    ours = [Tensor(s, dtype="float32") for s in starts]
    theirs = [torch.tensor(s, requires_grad=True) for s in starts]
    optimizer = {"sgd": SGD, "adam": Adam}[name](ours, **kwargs)
    reference = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam}[name](theirs, **kwargs)
    for step in range(200):
        grads = [(rng.normal(size=s.shape) * rng.lognormal()).astype(np.float32) for s in starts]
        optimizer.zero_grad()
        reference.zero_grad()
        for p, t, g in zip(ours, theirs, grads):
            p.grad = p.grad + g
            t.grad = torch.from_numpy(g)
        optimizer.step()
        reference.step()
    for p, t in zip(ours, theirs):
        assert p.data.dtype == F32
        # Each of the 200 steps may round differently (torch may fuse a multiply-add that numpy rounds
        # twice) and a parameter keeps its differences: the bound grows with the steps as a sum's with
        # its terms. (Measured: at most 1.6 EPS * scale; the float64 test pins the formulas to 1e-12.)
        assert np.max(np.abs(p.data - t.detach().numpy())) <= tolerance(t.detach().numpy(), 200)
    if name == "adam":
        assert all(m.dtype == v.dtype == F32 for m, v in zip(optimizer.m, optimizer.v))


@pytest.mark.parametrize("optimizer_class", [SGD, Adam])
def test_an_optimizer_refuses_a_gradient_of_another_dtype(optimizer_class):
    p, scalar = Tensor([1.0, 2.0], dtype="float32"), Value(1.0)
    optimizer = optimizer_class([p, scalar], lr=0.1)
    scalar.grad = 0.5  # a Value's gradient is a float: nothing to check
    p.grad = np.array([0.5, 0.5])  # float64: the in-place update would round it into float32 silently
    with pytest.raises(TypeError, match=rf"{optimizer_class.__name__}.step: a float32 parameter has a gradient "
                                        r"of dtype float64; mixing dtypes is an error"):
        optimizer.step()
    assert p.data.tolist() == [1.0, 2.0]
    p.grad = 0.0  # zero_grad's float, when no gradient reached the parameter: fine
    optimizer.step()
    assert p.data.dtype == F32


# ------------------------------------------------- 30 epochs against PyTorch, both in float32


def train_both_in_float32(seed, optimizer, learning_rate, epochs=30):
    """The tutorial's training (2-16-16-3 ReLU, 240 samples, batch 16) on the tensor engine and on PyTorch,
    both float32, from the same float64 initial weights (each rounds them once) on the same batches."""
    settings = {"seed": seed, "optimizer": optimizer, "learning_rate": learning_rate, "epochs": epochs,
                "batch_size": 16, "hidden_sizes": [16, 16], "activation": "relu"}
    split = make_split(seed)
    weights, orders = initial_weights(settings, split), epoch_orders(settings, split)
    sizes = layer_sizes(settings, split)

    net = NeuralNetwork(sizes, ["relu", "relu", "linear"], engine="tensor", dtype="float32")
    net.set_weights(weights)
    ours = list(neurogebra_train.train(net, neurogebra_train.make_optimizer(net, optimizer, learning_rate),
                                       split.X_train.astype(np.float32), split.y_train, 16, orders))

    torch_train.configure(1)
    model = torch_train.load_network(sizes, "relu", weights, "float32")
    theirs = list(torch_train.train(model, torch_train.make_optimizer(model, optimizer, learning_rate),
                                    torch.tensor(split.X_train, dtype=torch.float32),
                                    torch.tensor(split.y_train, dtype=torch.long), 16,
                                    [torch.as_tensor(order) for order in orders]))
    our_weights = np.concatenate([np.concatenate([W.ravel(), b]) for W, b in net.get_weights()])
    their_weights = np.concatenate([np.concatenate([layer.weight.detach().numpy().ravel(), layer.bias.detach().numpy()])
                                    for layer in torch_train.linear_layers(model)])
    return np.array(ours), np.array(theirs), our_weights, their_weights


@pytest.mark.parametrize("seed", [42, 7, 2024])
@pytest.mark.parametrize("optimizer, learning_rate", [("sgd", 0.05), ("adam", 0.01)])
def test_thirty_epochs_in_float32_agree_with_pytorch_float32(seed, optimizer, learning_rate):
    """The float64 version of this test (tests/test_tensor_training.py) agrees to 1e-9; float32 drifts further.

    Why they drift: both train in float32 from identical float32 weights on identical batches, but the
    two libraries do not round identically. The matrix products add their k products in different
    orders (OpenBLAS's blocking against PyTorch's kernels, with or without fused multiply-adds), numpy
    sums pairwise where PyTorch sums in vectorised lanes, and exp/log are different float32
    approximations. So from the first batch on, some values differ in the last bit (EPS ~ 1.2e-7
    relative, against 2.2e-16 in float64); every update carries those differences into the weights,
    and the next 449 steps carry them on and mix in new ones. Adam drifts more than SGD: it divides
    each update by sqrt(v), so a last-bit difference in a small gradient becomes a difference of the
    same relative size in a full-sized step.

    Measured (seeds 1-13, 42, 7, 2024; numpy 2.4 / torch 2.13 on x86-64): the largest relative
    difference of an epoch loss was 0.9 EPS (SGD) and 3.4 EPS (Adam); the largest difference of a
    final weight, relative to the largest weight, 2.0 EPS (SGD) and 14 EPS (Adam). For scale, the same
    training in float32 and in float64 (either library) differs by up to 2e-4 in a weight. The bounds
    below are about 4 times the largest measured: room for other CPUs' kernels, tight enough to catch
    a real difference (an update in float64, a gradient off by one batch), which would be far larger.
    """
    ours, theirs, our_weights, their_weights = train_both_in_float32(seed, optimizer, learning_rate)
    assert our_weights.dtype == F32
    loss_drift = np.max(np.abs(ours[:, 0] - theirs[:, 0]) / np.abs(theirs[:, 0]))
    weight_drift = np.max(np.abs(our_weights - their_weights)) / np.max(np.abs(their_weights))
    assert loss_drift <= 16 * EPS
    assert weight_drift <= 64 * EPS
    # A last-bit difference may flip one sample's prediction near a decision boundary, in some epoch.
    assert np.max(np.abs(ours[:, 1] - theirs[:, 1])) <= 1 / 240
    assert ours[-1, 0] < 0.7 * ours[0, 0]  # agreement while learning
