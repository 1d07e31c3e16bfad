"""neurogebra.core.tensor.Tensor against PyTorch float64 autograd, finite differences, and its errors.

Every operation runs on random shapes (hypothesis), broadcasting included; its value and the
gradient of a random weighting of its output must match PyTorch's to 1e-10.
"""

import re

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from neurogebra import Tensor, softmax_cross_entropy

TOLERANCE = 1e-10


@st.composite
def shapes(draw, min_dims=0, max_dims=3):
    return tuple(draw(st.lists(st.integers(1, 4), min_size=min_dims, max_size=max_dims)))


@st.composite
def broadcast_pairs(draw):
    """Two shapes that broadcast: the second drops leading axes and turns some sizes into 1."""
    shape = draw(shapes(min_dims=1))
    other = [1 if draw(st.booleans()) else n for n in shape][draw(st.integers(0, len(shape))):]
    pair = (shape, tuple(other))
    return pair if draw(st.booleans()) else pair[::-1]


def arrays(seed, *shapes_, low=-2.0, high=2.0):
    rng = np.random.default_rng(seed)
    return [rng.uniform(low, high, size=shape) for shape in shapes_]


def check_against_torch(fn, inputs, constants=()):
    """``fn(*tensors, *constants)`` through Tensor and through torch: values and gradients agree.

    The output is weighted by a fixed random array and summed, so that every entry of the output
    gradient is different (a plain sum would hide a transposed or misplaced gradient).
    """
    ours = [Tensor(x) for x in inputs]
    out = fn(*ours, *constants)
    weights = np.random.default_rng(99).normal(size=out.shape)
    (out * weights).sum().backward()

    theirs = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in inputs]
    torch_constants = [torch.tensor(c, dtype=torch.float64) if isinstance(c, np.ndarray) else c for c in constants]
    expected = fn(*theirs, *torch_constants)
    (expected * torch.from_numpy(weights)).sum().backward()

    assert out.shape == tuple(expected.shape)
    assert np.max(np.abs(out.data - expected.detach().numpy()), initial=0.0) <= TOLERANCE
    for tensor, reference in zip(ours, theirs):
        assert tensor.grad.shape == tensor.data.shape
        assert np.max(np.abs(tensor.grad - reference.grad.numpy()), initial=0.0) <= TOLERANCE


BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
}


@pytest.mark.parametrize("name", BINARY)
@given(pair=broadcast_pairs(), seed=st.integers(0, 2**32 - 1))
@settings(max_examples=40, deadline=None)
def test_binary_operations_broadcast_like_torch(name, pair, seed):
    a, b = arrays(seed, *pair, low=0.5, high=2.0)  # positive: no division by zero
    b = b * np.where(np.random.default_rng(seed).random(b.shape) < 0.5, -1.0, 1.0)
    check_against_torch(BINARY[name], [a, b])


@pytest.mark.parametrize("name", BINARY)
@given(pair=broadcast_pairs(), seed=st.integers(0, 2**32 - 1), reflected=st.booleans())
@settings(max_examples=25, deadline=None)
def test_numpy_arrays_and_numbers_are_constants_on_either_side(name, pair, seed, reflected):
    a, c = arrays(seed, *pair, low=0.5, high=2.0)
    fn = BINARY[name]
    for constant in (c, -1.5, 3):
        if reflected:
            check_against_torch(lambda t, k: fn(k, t), [a], [constant])
        else:
            check_against_torch(fn, [a], [constant])


UNARY = {
    "neg": (lambda a: -a, -2.0, 2.0),
    "relu": (lambda a: a.relu(), -2.0, 2.0),
    "tanh": (lambda a: a.tanh(), -3.0, 3.0),
    "sigmoid": (lambda a: a.sigmoid(), -40.0, 40.0),
    "exp": (lambda a: a.exp(), -5.0, 5.0),
    "log": (lambda a: a.log(), 1e-3, 5.0),
    "square": (lambda a: a**2, -2.0, 2.0),
    "cube, int exponent": (lambda a: a**3, -2.0, 2.0),
    "sqrt": (lambda a: a**0.5, 0.01, 4.0),
    "power -1.5": (lambda a: a**-1.5, 0.1, 4.0),
    "power 0": (lambda a: a**0, -2.0, 2.0),
    "sum": (lambda a: a.sum(), -2.0, 2.0),
    "mean": (lambda a: a.mean(), -2.0, 2.0),
}


@pytest.mark.parametrize("name", UNARY)
@given(shape=shapes(), seed=st.integers(0, 2**32 - 1))
@settings(max_examples=25, deadline=None)
def test_unary_operations_match_torch(name, shape, seed):
    fn, low, high = UNARY[name]
    check_against_torch(fn, arrays(seed, shape, low=low, high=high))


@given(shape=shapes(min_dims=2, max_dims=2), seed=st.integers(0, 2**32 - 1))
@settings(max_examples=25, deadline=None)
def test_transpose_matches_torch(shape, seed):
    check_against_torch(lambda a: a.T, arrays(seed, shape))


def test_relu_has_slope_0_at_0_like_torch():
    check_against_torch(lambda a: a.relu(), [np.array([-1.0, 0.0, 2.0])])


@given(shape=shapes(min_dims=1), seed=st.integers(0, 2**32 - 1), data=st.data())
@settings(max_examples=60, deadline=None)
def test_sum_and_mean_over_axes_match_torch(shape, seed, data):
    axes = data.draw(st.lists(st.integers(-len(shape), len(shape) - 1), min_size=1, max_size=len(shape),
                              unique_by=lambda a: a % len(shape)))
    axis = axes[0] if len(axes) == 1 else tuple(axes)
    keepdims = data.draw(st.booleans())
    (x,) = arrays(seed, shape)
    torch_axis = axis if isinstance(axis, int) else tuple(axis)
    for method in ("sum", "mean"):
        def fn(t, method=method):
            if isinstance(t, Tensor):
                return getattr(t, method)(axis=axis, keepdims=keepdims)
            return getattr(t, method)(dim=torch_axis, keepdim=keepdims)

        check_against_torch(fn, [x])


@given(n=st.integers(1, 4), k=st.integers(1, 4), m=st.integers(1, 4), seed=st.integers(0, 2**32 - 1),
       left_vector=st.booleans(), right_vector=st.booleans())
@settings(max_examples=60, deadline=None)
def test_matmul_of_matrices_and_vectors_matches_torch(n, k, m, seed, left_vector, right_vector):
    a_shape = (k,) if left_vector else (n, k)
    b_shape = (k,) if right_vector else (k, m)
    a, b = arrays(seed, a_shape, b_shape)
    check_against_torch(lambda x, y: x @ y, [a, b])
    check_against_torch(lambda x, c: x @ c, [a], [b])  # constant on the right
    check_against_torch(lambda y, c: c @ y, [b], [a])  # a numpy array on the left defers to Tensor


@given(shape=shapes(min_dims=1), seed=st.integers(0, 2**32 - 1))
@settings(max_examples=30, deadline=None)
def test_reshape_matches_torch(shape, seed):
    (x,) = arrays(seed, shape)
    check_against_torch(lambda t: t.reshape(-1), [x])
    check_against_torch(lambda t: t.reshape((x.size, 1)), [x])
    check_against_torch(lambda t: t.reshape(1, *shape), [x])


@given(n=st.integers(1, 6), classes=st.integers(1, 5), seed=st.integers(0, 2**32 - 1))
@settings(max_examples=40, deadline=None)
def test_pick_takes_one_entry_per_row_like_torch_indexing(n, classes, seed):
    (x,) = arrays(seed, (n, classes))
    targets = np.random.default_rng(seed).integers(0, classes, size=n)

    def fn(t):
        if isinstance(t, Tensor):
            return t.pick(targets)
        return t[torch.arange(n), torch.from_numpy(targets)]

    check_against_torch(fn, [x])


@given(n=st.integers(1, 8), classes=st.integers(2, 5), seed=st.integers(0, 2**32 - 1),
       scale=st.sampled_from([1.0, 30.0, 1000.0]))
@settings(max_examples=40, deadline=None)
def test_batched_softmax_cross_entropy_matches_torch_and_the_scalar_loss(n, classes, seed, scale):
    (scores,) = arrays(seed, (n, classes), low=-scale, high=scale)
    targets = np.random.default_rng(seed).integers(0, classes, size=n)
    ours = Tensor(scores)
    loss, probabilities = softmax_cross_entropy(ours, targets)
    loss.backward()
    theirs = torch.tensor(scores, requires_grad=True)
    expected = torch.nn.functional.cross_entropy(theirs, torch.from_numpy(targets))
    expected.backward()
    assert abs(loss.data - expected.item()) <= TOLERANCE * max(1.0, scale)
    assert np.max(np.abs(ours.grad - theirs.grad.numpy())) <= TOLERANCE
    assert np.max(np.abs(probabilities - torch.softmax(theirs, 1).detach().numpy())) <= TOLERANCE
    per_sample = [softmax_cross_entropy(list(row), int(t))[0].data for row, t in zip(scores, targets)]
    assert abs(loss.data - sum(per_sample) / n) <= TOLERANCE * max(1.0, scale)


# ------------------------------------------------------------------ finite differences


def numerical_gradient(fn, x, h=1e-6):
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[index] += h
        down[index] -= h
        grad[index] = (fn(up) - fn(down)) / (2 * h)
    return grad


def test_a_small_network_and_its_loss_match_finite_differences():
    rng = np.random.default_rng(7)
    X, W1, b1, W2 = rng.normal(size=(5, 3)), rng.normal(size=(4, 3)), rng.normal(size=4), rng.normal(size=(3, 4))
    targets = np.array([0, 2, 1, 1, 0])

    def loss_of(W1_value):
        W1_t = Tensor(W1_value)
        hidden = (X @ W1_t.T + b1).tanh()
        scores = (hidden @ Tensor(W2).T).sigmoid() * 3.0 - hidden.mean(axis=1, keepdims=True) ** 2
        loss, _ = softmax_cross_entropy(scores, targets)
        return loss, W1_t

    loss, W1_t = loss_of(W1)
    loss.backward()
    numeric = numerical_gradient(lambda w: float(loss_of(w)[0].data), W1)
    assert np.max(np.abs(W1_t.grad - numeric)) < 1e-7


# ------------------------------------------------------------------ graph semantics


def test_a_tensor_used_twice_gets_both_contributions_and_backward_accumulates_into_leaves():
    a = Tensor([1.0, 2.0])
    b = a * a + a  # d/da = 2a + 1
    out = b.sum()
    out.backward()
    assert a.grad.tolist() == [3.0, 5.0]
    out.backward()  # leaves accumulate, as in PyTorch
    assert a.grad.tolist() == [6.0, 10.0]
    assert b.grad.tolist() == [1.0, 1.0]  # a computed tensor holds the latest backward's gradient
    a.grad = 0.0  # zeroing restarts
    out.backward()
    assert isinstance(a.grad, np.ndarray) and a.grad.tolist() == [3.0, 5.0]


def test_a_gradient_shared_by_two_inputs_is_never_changed_in_place():
    a, b = Tensor([1.0, 2.0]), Tensor([3.0, 4.0])
    (a + b).sum().backward()
    a.grad += 1.0  # in place on a's gradient
    assert b.grad.tolist() == [1.0, 1.0]


def test_a_chain_of_20000_operations_backpropagates_without_recursion():
    x = Tensor([0.5])
    y = x
    for _ in range(20000):
        y = y + 1.0
    y.sum().backward()
    assert x.grad.tolist() == [1.0]


def test_backward_of_a_leaf_and_data_grad_shapes():
    leaf = Tensor(3.0)
    leaf.backward()
    assert leaf.grad == 1.0 and leaf.shape == () and leaf.ndim == 0
    t = Tensor([[1, 2], [3, 4]])
    assert t.data.dtype == np.float64 and t.grad.shape == (2, 2)


def test_leaf_data_is_a_copy():
    source = np.ones(3)
    t = Tensor(source)
    t.data += 1.0
    assert source.tolist() == [1.0, 1.0, 1.0]


# ---------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "data, error, message",
    [
        ("abc", TypeError, r"Tensor data must be real numbers"),
        ([True, False], TypeError, r"Tensor data must be real numbers"),
        ([1.0, None], TypeError, r"Tensor data must be real numbers"),
        ([1 + 2j], TypeError, r"Tensor data must be real numbers"),
        ([[1.0, 2.0], [3.0]], ValueError, r"rectangular array"),
        ([1.0, float("nan")], ValueError, r"Tensor data contains NaN"),
    ],
)
def test_bad_data_is_rejected(data, error, message):
    with pytest.raises(error, match=message):
        Tensor(data)


def test_shape_mismatches_name_the_operation_and_the_shapes():
    a, b = Tensor(np.ones((2, 3))), Tensor(np.ones((4,)))
    for op, fn in [("+", lambda: a + b), ("-", lambda: a - b), ("*", lambda: a * b), ("/", lambda: a / b)]:
        with pytest.raises(ValueError, match=re.escape(f"Tensor {op}: shapes (2, 3) and (4,) do not broadcast")):
            fn()
    with pytest.raises(ValueError, match=r"Tensor @ needs .* got shapes \(2, 3\) and \(2, 3\)"):
        a @ a
    with pytest.raises(ValueError, match=r"Tensor @ needs 1-D or 2-D operands.*\(2, 2, 2\)"):
        Tensor(np.ones((2, 2, 2))) @ Tensor(np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"cannot reshape shape \(2, 3\) into \(4,\)"):
        a.reshape(4)
    with pytest.raises(ValueError, match=r"Tensor.sum\(axis=2\): no such axis for shape \(2, 3\)"):
        a.sum(axis=2)


def test_log_division_exp_and_power_errors_name_the_offending_value():
    with pytest.raises(ValueError, match=r"Tensor.log\(\) of non-positive entry -1.0 \(shape \(3,\)\)"):
        Tensor([2.0, -1.0, 0.5]).log()
    with pytest.raises(ZeroDivisionError, match=r"Tensor division by zero"):
        Tensor([1.0, 2.0]) / Tensor([1.0, 0.0])
    with pytest.raises(ZeroDivisionError, match=r"Tensor division by zero"):
        Tensor([1.0]) / 0
    with pytest.raises(ZeroDivisionError, match=r"Tensor division by zero"):
        1.0 / Tensor([0.0, 1.0])
    with pytest.raises(OverflowError, match=r"Tensor.exp\(\) of 710.0 overflows float64"):
        Tensor([1.0, 710.0]).exp()
    with pytest.raises(ValueError, match=r"negative base -2.0 with a fractional exponent"):
        Tensor([1.0, -2.0]) ** 0.5
    with pytest.raises(ZeroDivisionError, match=r"zero base with a negative exponent"):
        Tensor([0.0]) ** -1
    with pytest.raises(OverflowError, match=r"1e\+200 \*\* 2.0 overflows float64"):
        Tensor([1e200]) ** 2
    with pytest.raises(TypeError, match=r"the exponent must be a number"):
        Tensor([1.0]) ** Tensor([2.0])
    with pytest.raises(TypeError, match=r"the exponent must be a number"):
        2.0 ** Tensor([2.0])


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")  # numpy's, before our error
def test_an_operation_that_would_produce_nan_raises():
    inf = Tensor([np.inf, 1.0])
    with pytest.raises(ValueError, match=r"Tensor - produced NaN \(operands of shapes \(2,\) and \(2,\)"):
        inf - inf
    with pytest.raises(ValueError, match=r"Tensor \* produced NaN"):
        inf * 0.0
    with pytest.raises(ValueError, match=r"Tensor @ produced NaN"):
        Tensor([[np.inf, -np.inf]]) @ np.ones(2)
    with pytest.raises(ValueError, match=r"Tensor \+ produced NaN"):
        inf + np.array([np.nan, 0.0])  # a NaN constant is caught in the result


def test_bad_operands_backward_and_pick_targets_are_clear_errors():
    t = Tensor(np.ones((2, 3)))
    with pytest.raises(TypeError, match=r"operand of Tensor \+ must be real numbers"):
        t + "x"
    with pytest.raises(TypeError, match=r"operand of Tensor \* must be real numbers"):
        t * True
    with pytest.raises(ValueError, match=r"backward\(\) needs a one-element Tensor \(a loss\), got shape \(2, 3\)"):
        (t * 2.0).backward()
    with pytest.raises(ValueError, match=r"class indices in 0..2, got values from 0 to 3"):
        t.pick([0, 3])
    with pytest.raises(ValueError, match=r"class indices in 0..2, got values from -1 to 0"):
        t.pick([-1, 0])
    with pytest.raises(ValueError, match=r"targets must be 2 class indices \(integers\), got shape \(3,\)"):
        t.pick([0, 1, 2])
    with pytest.raises(ValueError, match=r"dtype float64"):
        t.pick([0.0, 1.0])
    with pytest.raises(ValueError, match=r"needs a 2-D Tensor"):
        Tensor([1.0]).pick([0])
    with pytest.raises(ValueError, match=r"batched softmax_cross_entropy needs scores of shape \(n, classes\)"):
        softmax_cross_entropy(Tensor([1.0, 2.0]), [0])
