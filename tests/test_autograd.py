"""neurogebra.core.autograd.Value against PyTorch autograd, finite differences and algebra.

PyTorch runs in float64, the precision of Python floats, so values and
gradients must agree to rounding error (1e-10 at most).
"""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from neurogebra.core.autograd import Value, weighted_sum

TOLERANCE = 1e-10


def torch_scalar(x):
    return torch.tensor(x, dtype=torch.float64, requires_grad=True)


def value_and_grads(fn, *xs):
    """fn's value and gradient with respect to each input, through Value."""
    inputs = [Value(x) for x in xs]
    out = fn(*inputs)
    out.backward()
    return out.data, [v.grad for v in inputs]


def torch_value_and_grads(fn, *xs):
    inputs = [torch_scalar(x) for x in xs]
    out = fn(*inputs)
    out.backward()
    return out.item(), [t.grad.item() for t in inputs]


# Each entry works on Values and on torch tensors alike, so one lambda defines both sides.
UNARY_OPS = {
    "neg": (lambda a: -a, [-1.7, 0.0, 2.3]),
    "relu": (lambda a: a.relu(), [-1.3, 0.0, 0.4]),
    "tanh": (lambda a: a.tanh(), [-3.0, -0.2, 0.0, 0.7, 20.0]),
    "sigmoid": (lambda a: a.sigmoid(), [-800.0, -5.0, -0.3, 0.0, 0.9, 40.0, 800.0]),
    "exp": (lambda a: a.exp(), [-745.0, -2.0, 0.0, 1.5, 709.0]),
    "log": (lambda a: a.log(), [1e-300, 0.2, 1.0, 7.5]),
    "square": (lambda a: a**2, [-1.5, 0.0, 3.0]),
    "cube": (lambda a: a**3, [-1.5, 0.0, 3.0]),
    "sqrt": (lambda a: a**0.5, [0.01, 2.0]),
    "reciprocal": (lambda a: a**-1, [-4.0, 0.5]),
    "power -2.5": (lambda a: a**-2.5, [0.3, 2.0]),
    "power 0": (lambda a: a**0, [-2.0, 0.0, 3.0]),
    "negative base, integer power": (lambda a: a**-3, [-0.7]),
    "number plus": (lambda a: 2.5 + a, [1.0]),
    "plus number": (lambda a: a + 2.5, [1.0]),
    "number minus": (lambda a: 2.5 - a, [1.0]),
    "minus number": (lambda a: a - 2.5, [1.0]),
    "number times": (lambda a: -3.0 * a, [1.7]),
    "times number": (lambda a: a * -3.0, [1.7]),
    "number over": (lambda a: 3.0 / a, [-0.4, 1.7]),
    "over number": (lambda a: a / -3.0, [1.7]),
    "int operands": (lambda a: (2 * a + 1) / 3 - 4, [0.25]),
}

BINARY_OPS = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
}

BINARY_POINTS = [(1.5, -0.25), (-2.0, 3.0), (0.0, 4.0), (1e-3, -7e2), (3e-200, 1e-200)]


@pytest.mark.parametrize("name", UNARY_OPS)
def test_unary_operation_matches_torch(name):
    fn, points = UNARY_OPS[name]
    for x in points:
        value, (grad,) = value_and_grads(fn, x)
        expected_value, (expected_grad,) = torch_value_and_grads(fn, x)
        assert value == pytest.approx(expected_value, rel=1e-14, abs=1e-300), (name, x)
        assert abs(grad - expected_grad) <= TOLERANCE * max(1.0, abs(expected_grad)), (name, x, grad, expected_grad)


@pytest.mark.parametrize("name", BINARY_OPS)
@pytest.mark.parametrize("a, b", BINARY_POINTS)
def test_binary_operation_matches_torch(name, a, b):
    fn = BINARY_OPS[name]
    value, grads = value_and_grads(fn, a, b)
    expected_value, expected_grads = torch_value_and_grads(fn, a, b)
    assert value == pytest.approx(expected_value, rel=1e-15, abs=1e-300)
    for grad, expected in zip(grads, expected_grads):
        assert abs(grad - expected) <= TOLERANCE * max(1.0, abs(expected))


def test_power_slopes_at_zero_match_torch():
    for n, expected in ((0.5, math.inf), (0, 0.0), (2, 0.0), (1, 1.0)):
        x = Value(0.0)
        (x**n).backward()
        t = torch_scalar(0.0)
        (t**n).backward()
        assert x.grad == expected == t.grad.item(), n


def composite(x, y, z):
    """Every operation at least once, some inputs used several times."""
    u = (x * y + z).tanh() - (x / (z * z + 1.0)).sigmoid()
    v = ((y - 0.5).relu() + 1.0).log() * (0.3 * x).exp()
    w = (u * v + x**3 - 2.0 / (1.0 + y * y)) ** 2
    return -(w + u - v) / 3.0


@pytest.mark.parametrize("point", [(0.3, 1.2, -0.7), (-1.1, 0.4, 2.5), (2.0, -0.9, 0.05)])
def test_composite_expression_matches_torch(point):
    value, grads = value_and_grads(composite, *point)
    expected_value, expected_grads = torch_value_and_grads(composite, *point)
    assert value == pytest.approx(expected_value, rel=1e-13)
    assert max(abs(g - e) for g, e in zip(grads, expected_grads)) <= TOLERANCE


@pytest.mark.parametrize("point", [(0.3, 1.2, -0.7), (-1.1, 0.4, 2.5)])
def test_composite_expression_matches_finite_differences(point):
    _, grads = value_and_grads(composite, *point)
    h = 1e-6
    for i in range(3):
        up, down = list(point), list(point)
        up[i] += h
        down[i] -= h
        numeric = (composite(*map(Value, up)).data - composite(*map(Value, down)).data) / (2 * h)
        assert grads[i] == pytest.approx(numeric, rel=1e-6, abs=1e-7)


def test_weighted_sum_is_bit_identical_to_the_sum_of_products_and_matches_torch():
    rng = np.random.default_rng(3)
    w_data, x_data = rng.normal(size=7).tolist(), rng.normal(size=7).tolist()
    weights, inputs, bias = [Value(v) for v in w_data], [Value(v) for v in x_data], Value(0.37)
    fused = weighted_sum(weights, inputs, bias)
    unfused = sum((w * x for w, x in zip(weights, inputs)), bias)
    assert fused.data == unfused.data  # exactly: same additions in the same order
    (fused * fused).backward()
    fused_grads = [v.grad for v in [*weights, *inputs, bias]]

    tw = torch.tensor(w_data, dtype=torch.float64, requires_grad=True)
    tx = torch.tensor(x_data, dtype=torch.float64, requires_grad=True)
    tb = torch_scalar(0.37)
    t = tb + (tw * tx).sum()
    (t * t).backward()
    expected = [*tw.grad.tolist(), *tx.grad.tolist(), tb.grad.item()]
    assert max(abs(g - e) for g, e in zip(fused_grads, expected)) <= TOLERANCE


def test_weighted_sum_with_constant_inputs_gives_them_no_gradient_and_checks_lengths():
    weights, bias = [Value(2.0), Value(-1.0)], Value(0.5)
    out = weighted_sum(weights, [3.0, 4], bias)
    assert out.data == 0.5 + 2.0 * 3.0 + -1.0 * 4.0
    out.backward()
    assert [w.grad for w in weights] == [3.0, 4.0] and bias.grad == 1.0
    with pytest.raises(ValueError, match="2 weights but 3 inputs"):
        weighted_sum(weights, [1.0, 2.0, 3.0], bias)


# ----------------------------------------------------------------- graph walking


def test_a_chain_of_100000_additions_backpropagates_without_recursion():
    x = Value(0.5)
    y = x
    for _ in range(100_000):
        y = y + x
    y.backward()
    assert x.grad == 100_001.0
    assert y.data == 0.5 * 100_001


def test_a_value_used_twice_receives_both_contributions():
    x = Value(3.0)
    y = x * x + x  # dy/dx = 2x + 1
    y.backward()
    assert x.grad == 7.0
    a = Value(1.5)
    shared = a * 2.0
    z = shared * shared + shared.tanh()  # the shared node is reached through three paths
    z.backward()
    expected = 2 * (2 * 2 * 1.5) + 2 * (1 - math.tanh(3.0) ** 2)
    assert a.grad == pytest.approx(expected, rel=1e-15)


def test_diamond_graph_is_ordered_correctly():
    # d depends on c twice, once directly and once through b: c must be finished after both.
    x = Value(0.7)
    c = x.exp()
    b = c * 3.0
    d = (b + c) * c
    d.backward()
    tx = torch_scalar(0.7)
    tc = tx.exp()
    ((tc * 3.0 + tc) * tc).backward()
    assert abs(x.grad - tx.grad.item()) <= TOLERANCE


def test_backward_twice_accumulates_into_leaves_like_torch():
    x, y = Value(0.8), Value(-1.3)
    out = (x * y).tanh() + x.exp()
    out.backward()
    first = (x.grad, y.grad)
    out.backward()

    tx, ty = torch_scalar(0.8), torch_scalar(-1.3)
    t = (tx * ty).tanh() + tx.exp()
    t.backward(retain_graph=True)
    t.backward()
    assert (x.grad, y.grad) == (2 * first[0], 2 * first[1])
    assert abs(x.grad - tx.grad.item()) <= TOLERANCE and abs(y.grad - ty.grad.item()) <= TOLERANCE


def test_intermediate_gradients_hold_the_latest_backward_and_zeroing_leaves_restarts():
    x = Value(2.0)
    middle = x * 3.0
    out = middle * middle
    out.backward()
    out.backward()
    assert middle.grad == 2 * 6.0  # not accumulated: recomputed by each call
    x.grad = 0.0
    out.backward()
    assert x.grad == 2 * 6.0 * 3.0


def test_backward_of_a_leaf_and_of_a_constant_expression():
    x = Value(4.0)
    x.backward()
    x.backward()
    assert x.grad == 2.0
    y = Value(1.0) * 0.0 + 3.0
    y.backward()
    assert y.grad == 1.0


def test_sum_starts_from_zero_or_from_a_value():
    values = [Value(v) for v in (1.0, 2.5, -4.0)]
    start = Value(10.0)
    total = sum(values) + sum(values, start)
    assert total.data == 2 * (1.0 + 2.5 - 4.0) + 10.0
    total.backward()
    assert [v.grad for v in values] == [2.0, 2.0, 2.0] and start.grad == 1.0


def test_data_and_grad_are_assignable_floats():
    p = Value(1)
    assert type(p.data) is float and type(p.grad) is float
    p.grad = 0.0
    p.data -= 0.5 * 2.0
    assert p.data == 0.0
    assert repr(Value(1.5)) == "Value(data=1.5, grad=0.0)"


def test_numpy_scalars_work_as_data_and_as_operands():
    v = Value(np.float64(2.0)) * np.float32(1.5) + np.int64(1)
    assert v.data == 4.0 and type(v.data) is float
    left = np.float64(3.0) * Value(2.0)  # numpy must hand the operation over to Value
    assert isinstance(left, Value) and left.data == 6.0


# ------------------------------------------------------------------ properties

finite = st.floats(min_value=-50, max_value=50, allow_nan=False, allow_infinity=False)
positive = st.floats(min_value=1e-3, max_value=50)
nonzero = finite.filter(lambda v: abs(v) > 1e-3)


@settings(max_examples=60, deadline=None)
@given(finite, finite)
def test_addition_and_multiplication_commute(a, b):
    for op in (lambda x, y: x + y, lambda x, y: x * y):
        value_ab, (ga, gb) = value_and_grads(op, a, b)
        value_ba, (gb2, ga2) = value_and_grads(op, b, a)
        assert value_ab == value_ba and ga == ga2 and gb == gb2


@settings(max_examples=60, deadline=None)
@given(finite, nonzero)
def test_multiplying_then_dividing_by_b_gives_back_a(a, b):
    value, (ga, gb) = value_and_grads(lambda x, y: (x * y) / y, a, b)
    assert value == pytest.approx(a, rel=1e-12, abs=1e-12)
    assert ga == pytest.approx(1.0, rel=1e-12)
    assert gb == pytest.approx(0.0, abs=1e-12 * max(1.0, abs(a / b)))


@settings(max_examples=60, deadline=None)
@given(positive, st.sampled_from([-3, -2, -1, 0.5, 1, 2, 3, 1.5, -0.5]))
def test_power_rule(x, n):
    value, (grad,) = value_and_grads(lambda v: v**n, x)
    assert value == pytest.approx(x**n, rel=1e-14)
    assert grad == pytest.approx(n * x ** (n - 1), rel=1e-12)


@settings(max_examples=60, deadline=None)
@given(finite)
def test_exp_log_tanh_sigmoid_identities(x):
    assert value_and_grads(lambda v: v - v, x) == (0.0, [0.0])
    _, (grad,) = value_and_grads(lambda v: v.exp().log(), x)
    assert grad == pytest.approx(1.0, rel=1e-12)
    s, (gs,) = value_and_grads(lambda v: v.sigmoid() + (-v).sigmoid(), x)
    assert s == pytest.approx(1.0, rel=1e-15) and gs == pytest.approx(0.0, abs=1e-15)
    t, (gt,) = value_and_grads(lambda v: v.tanh(), x)
    t2, (gt2,) = value_and_grads(lambda v: 2.0 * (2.0 * v).sigmoid() - 1.0, x)
    assert t == pytest.approx(t2, abs=1e-14) and gt == pytest.approx(gt2, abs=1e-14)


@settings(max_examples=40, deadline=None)
@given(st.lists(finite, min_size=1, max_size=8))
def test_sum_of_squares_matches_torch(xs):
    value, grads = value_and_grads(lambda *vs: sum(v * v for v in vs), *xs)
    assert value == pytest.approx(sum(x * x for x in xs), rel=1e-14, abs=1e-300)
    assert grads == [2 * x for x in xs]


# ---------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "data, error, message",
    [
        ("1.0", TypeError, r"Value data must be a real number, got '1.0' of type str"),
        (None, TypeError, r"got None of type NoneType"),
        (1 + 2j, TypeError, r"got \(1\+2j\) of type complex"),
        (True, TypeError, r"got True of type bool"),
        ([1.0], TypeError, r"of type list"),
        (float("nan"), ValueError, r"Value data is NaN"),
        (np.float64("nan"), ValueError, r"Value data is NaN"),
    ],
)
def test_non_numeric_data_is_rejected(data, error, message):
    with pytest.raises(error, match=message):
        Value(data)


def test_log_of_a_non_positive_value():
    for x in (0.0, -2.5):
        with pytest.raises(ValueError, match=rf"Value.log\(\) of non-positive value {x}"):
            Value(x).log()


def test_division_by_zero_names_the_operands():
    with pytest.raises(ZeroDivisionError, match=r"Value division by zero: 3.0 / 0.0"):
        Value(3.0) / Value(0.0)
    with pytest.raises(ZeroDivisionError, match=r"Value division by zero: 3.0 / 0.0"):
        Value(3.0) / 0
    with pytest.raises(ZeroDivisionError, match=r"Value division by zero: 2.0 / 0.0"):
        2 / Value(0.0)


def test_exponents_must_be_numbers():
    with pytest.raises(TypeError, match=r"Value \*\* Value is not supported.*Value\(data=2.0"):
        Value(3.0) ** Value(2.0)
    with pytest.raises(TypeError, match=r"operand of Value \*\* \(exponent\) must be a real number, got '2'"):
        Value(3.0) ** "2"
    with pytest.raises(TypeError, match=r"number \*\* Value is not supported \(2 \*\* Value\(data=3.0"):
        2 ** Value(3.0)


def test_powers_without_a_real_finite_result():
    with pytest.raises(ValueError, match=r"Value \*\* 0.5: negative base -4.0 with a fractional exponent"):
        Value(-4.0) ** 0.5
    with pytest.raises(ZeroDivisionError, match=r"Value \*\* -1.0: zero base with a negative exponent"):
        Value(0.0) ** -1
    with pytest.raises(OverflowError, match=r"Value \*\* 2.0: 1e\+200 \*\* 2.0 overflows float64"):
        Value(1e200) ** 2


def test_exp_overflow_is_a_clear_error_not_inf():
    with pytest.raises(OverflowError, match=r"Value.exp\(\) of 710.0 overflows float64") as caught:
        Value(710.0).exp()
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_operands_must_be_numbers():
    with pytest.raises(TypeError, match=r"operand of Value \+ must be a real number, got 'a' of type str"):
        Value(1.0) + "a"
    with pytest.raises(TypeError, match=r"operand of Value \* must be a real number, got None"):
        None * Value(1.0)
    with pytest.raises(TypeError, match=r"operand of Value - must be a real number, got \[1\]"):
        Value(1.0) - [1]
    with pytest.raises(ValueError, match=r"operand of Value / is NaN"):
        Value(1.0) / float("nan")


def test_an_operation_that_would_produce_nan_raises():
    inf = Value(float("inf"))
    with pytest.raises(ValueError, match=r"Value - produced NaN \(inputs: Value\(data=inf"):
        inf - inf
    with pytest.raises(ValueError, match=r"Value \* produced NaN"):
        inf * 0.0
