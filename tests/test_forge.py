"""MathForge: every expression's symbolic gradient against finite differences, the
autograd engine and PyTorch; the values at kinks; lookup, listing, search; eval."""

import math

import numpy as np
import pytest
import sympy
import torch
import torch.nn.functional as F

from neurogebra import Expression, MathForge
from neurogebra.core.autograd import Value

forge = MathForge()
EXPRESSIONS = forge.list()

# Points away from every kink (relu, leaky_relu, elu at x = 0; mae at y_pred == y_true;
# huber at |y_pred - y_true| == delta) and inside every domain (0 < y_pred < 1 for the
# cross-entropies).
ACTIVATION_POINTS = [{"x": x} for x in (-2.3, -0.7, 0.4, 1.9)]
LOSS_POINTS = [
    {"y_pred": p, "y_true": t} for p, t in ((0.15, 1.0), (0.6, 0.0), (0.85, 0.3), (0.4, 0.7))
]
# With delta = 0.2 every loss point lies on huber's linear piece; with delta = 1 on its square piece.
PARAMETER_SETTINGS = {"huber": [{}, {"delta": 0.2}], "leaky_relu": [{}, {"alpha": 0.2}],
                      "elu": [{}, {"alpha": 0.5}], "swish": [{}, {"beta": 1.7}]}


def points_for(name):
    kind = forge.get(name).kind
    points = {"activation": ACTIVATION_POINTS, "loss": LOSS_POINTS}[kind]
    return [{**point, **params} for point in points for params in PARAMETER_SETTINGS.get(name, [{}])]


def close(a, b, tol):
    return abs(a - b) <= tol * max(1.0, abs(a), abs(b))


# --- symbolic gradient against a central finite difference of eval -----------------


@pytest.mark.parametrize("name", EXPRESSIONS)
def test_gradient_matches_central_finite_difference(name):
    expression = forge.get(name)
    h = 1e-6
    for point in points_for(name):
        # Parameters are differentiable too (d huber / d delta): check them all.
        for wrt in expression.variables + tuple(expression.params):
            at = {**expression.params, **point}
            plus, minus = dict(at), dict(at)
            plus[wrt] += h
            minus[wrt] -= h
            numeric = (expression.eval(**plus) - expression.eval(**minus)) / (2 * h)
            symbolic = expression.gradient(wrt).eval(**point)
            assert close(symbolic, numeric, 1e-6), (name, wrt, point, symbolic, numeric)


# --- symbolic value and gradient against the autograd engine -------------------------

# Each expression written with Value operations only (its own formula, not MathForge's).
VALUE_FORMS = {
    "linear": lambda x: x * 1.0,
    "relu": lambda x: x.relu(),
    "leaky_relu": lambda x, alpha=0.01: x.relu() - alpha * (-x).relu(),
    "sigmoid": lambda x: x.sigmoid(),
    "tanh": lambda x: x.tanh(),
    "softplus": lambda x: (1 + x.exp()).log(),
    "elu": lambda x, alpha=1.0: x * 1.0 if x.data > 0 else alpha * (x.exp() - 1),
    "silu": lambda x: x * x.sigmoid(),
    "swish": lambda x, beta=1.0: x * (beta * x).sigmoid(),
    "mse": lambda p, t: (p - t) ** 2,
    "mae": lambda p, t: (p - t).relu() + (t - p).relu(),
    "huber": lambda p, t, delta=1.0: (
        0.5 * (p - t) ** 2 if abs(p.data - t.data) < delta
        else delta * ((p - t).relu() + (t - p).relu() - delta / 2)
    ),
    "cross_entropy": lambda p, t: -(t * p.log()),
    "binary_cross_entropy": lambda p, t: -(t * p.log() + (1 - t) * (1 - p).log()),
}
# gelu needs erf, which the engine does not have.
WITHOUT_VALUE_FORM = {"gelu"}


def test_every_expression_is_either_compared_with_the_engine_or_knowingly_not():
    assert set(VALUE_FORMS) | WITHOUT_VALUE_FORM == set(EXPRESSIONS)


@pytest.mark.parametrize("name", sorted(VALUE_FORMS))
def test_value_and_gradient_match_the_autograd_engine(name):
    expression = forge.get(name)
    for point in points_for(name):
        inputs = [Value(point[v]) for v in expression.variables]
        params = {p: point[p] for p in expression.params if p in point}
        out = VALUE_FORMS[name](*inputs, **params)
        out.backward()
        assert close(expression.eval(**point), out.data, 1e-12), (name, point)
        for variable, leaf in zip(expression.variables, inputs):
            assert close(expression.gradient(variable).eval(**point), leaf.grad, 1e-12), (name, variable, point)


# --- against PyTorch (an independent implementation), including the kinks -----------

TORCH_ACTIVATIONS = {
    "linear": lambda x: x,
    "relu": F.relu,
    "leaky_relu": lambda x: F.leaky_relu(x, 0.01),
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "softplus": F.softplus,
    "elu": F.elu,
    "silu": F.silu,
    "swish": F.silu,
    "gelu": F.gelu,
}
TORCH_LOSSES = {  # d/d y_pred only: PyTorch does not differentiate every loss in its target
    "mse": lambda p, t: F.mse_loss(p, t, reduction="none"),
    "mae": lambda p, t: F.l1_loss(p, t, reduction="none"),
    "huber": lambda p, t: F.huber_loss(p, t, reduction="none", delta=1.0),
    "cross_entropy": lambda p, t: -t * torch.log(p),
    "binary_cross_entropy": lambda p, t: F.binary_cross_entropy(p, t, reduction="none"),
}


def torch_value_and_grad(fn, *args):
    leaf = torch.tensor(args[0], dtype=torch.float64, requires_grad=True)
    rest = [torch.tensor(a, dtype=torch.float64) for a in args[1:]]
    out = fn(leaf, *rest)
    out.backward()
    return out.item(), leaf.grad.item()


def test_every_expression_has_a_pytorch_reference():
    assert set(TORCH_ACTIVATIONS) | set(TORCH_LOSSES) == set(EXPRESSIONS)


# The kinks themselves are included: there the symbolic gradient must take PyTorch's value.
@pytest.mark.parametrize("name", sorted(TORCH_ACTIVATIONS))
def test_activation_matches_pytorch_including_at_zero(name):
    expression = forge.get(name)
    for x in (-2.3, -0.7, 0.0, 0.4, 1.9):
        value, grad = torch_value_and_grad(TORCH_ACTIVATIONS[name], x)
        assert close(expression.eval(x=x), value, 1e-12), (name, x)
        assert close(expression.gradient("x").eval(x=x), grad, 1e-12), (name, x)


@pytest.mark.parametrize("name", sorted(TORCH_LOSSES))
def test_loss_matches_pytorch_including_kinks(name):
    expression = forge.get(name)
    # (0.5, 0.5): error 0, the kink of mae. (0.9, -0.1) and (0.2, 1.2): |error| == delta, where
    # huber changes piece (exact in binary: 0.9 + 0.1 and 1.2 - 0.2 round to 1.0).
    pairs = [point.values() for point in LOSS_POINTS] + [(0.5, 0.5)]
    if name in ("mse", "mae", "huber"):
        pairs += [(0.9, -0.1), (0.2, 1.2), (3.0, 0.5), (-2.0, 0.5)]
    for p, t in pairs:
        value, grad = torch_value_and_grad(TORCH_LOSSES[name], p, t)
        assert close(expression.eval(y_pred=p, y_true=t), value, 1e-12), (name, p, t)
        assert close(expression.gradient("y_pred").eval(y_pred=p, y_true=t), grad, 1e-12), (name, p, t)


# --- the documented values at kinks, independent of any implementation ------------


def test_relu_gradient_at_zero_is_zero_as_documented():
    relu_grad = forge.get("relu").gradient("x")
    assert relu_grad.eval(x=0.0) == 0.0
    assert relu_grad.eval(x=1e-300) == 1.0
    assert relu_grad.eval(x=-1e-300) == 0.0
    assert relu_grad.eval(x=np.array([-1.0, 0.0, 1.0])).tolist() == [0.0, 0.0, 1.0]
    # The engine uses the same convention.
    x = Value(0.0)
    x.relu().backward()
    assert x.grad == 0.0


def test_one_sided_kinks_take_the_negative_sides_slope():
    assert forge.get("leaky_relu").gradient("x").eval(x=0.0) == 0.01
    assert forge.get("leaky_relu").gradient("x").eval(x=0.0, alpha=0.3) == 0.3
    assert forge.get("elu").gradient("x").eval(x=0.0) == 1.0
    assert forge.get("elu").gradient("x").eval(x=0.0, alpha=0.5) == 0.5


def test_absolute_error_gradient_is_zero_where_prediction_equals_target():
    assert forge.get("mae").gradient("y_pred").eval(y_pred=0.3, y_true=0.3) == 0.0
    assert forge.get("mae").gradient("y_true").eval(y_pred=0.3, y_true=0.3) == 0.0


def test_huber_gradient_is_continuous_where_its_pieces_meet():
    grad = forge.get("huber").gradient("y_pred")
    for error in (-1.0, 1.0):  # delta = 1
        at, just_inside = grad.eval(y_pred=error, y_true=0.0), grad.eval(y_pred=error * (1 - 1e-12), y_true=0.0)
        assert at == error
        assert abs(just_inside - error) < 1e-11
    assert grad.eval(y_pred=0.0, y_true=0.0) == 0.0


@pytest.mark.parametrize("name", ["relu", "leaky_relu", "elu", "mae", "huber", "linear"])
def test_nothing_is_nan_at_a_kink(name):
    expression = forge.get(name)
    for kink in ({"x": 0.0}, {"y_pred": 0.5, "y_true": 0.5}, {"y_pred": 1.0, "y_true": 0.0}):
        if set(kink) != set(expression.variables):
            continue
        for variable in expression.variables:
            for e in (expression, expression.gradient(variable)):
                assert math.isfinite(e.eval(**kink)), (e.name, kink)
                assert np.isfinite(e.eval(**{v: np.full(3, value) for v, value in kink.items()})).all()


# --- what the tutorial's Step 8 prints ---------------------------------------------------


def test_relu_as_the_tutorial_uses_it():
    relu = forge.get("relu")
    assert isinstance(relu.symbolic_expr, sympy.Basic)
    assert relu.symbolic_expr == sympy.Max(0, sympy.Symbol("x", real=True))
    assert (relu.eval(x=2.0), relu.eval(x=-2.0)) == (2.0, 0.0)
    assert type(relu.eval(x=2.0)) is float
    gradient = relu.gradient("x")
    assert isinstance(gradient, Expression)
    assert (gradient.eval(x=2.0), gradient.eval(x=-2.0)) == (1.0, 0.0)
    # Readable forms.
    assert str(relu) == "relu(x) = Max(0, x)"
    assert relu.latex == r"\max\left(0, x\right)"
    assert relu._repr_latex_() == r"$\displaystyle \max\left(0, x\right)$"
    assert "Heaviside(x, 0)" == str(gradient.symbolic_expr)


# --- eval on arrays, parameters, and its errors --------------------------------------------


def test_eval_on_arrays_matches_eval_on_each_number():
    sigmoid = forge.get("sigmoid")
    xs = np.linspace(-3, 3, 12).reshape(3, 4)
    result = sigmoid.eval(x=xs)
    assert isinstance(result, np.ndarray) and result.shape == (3, 4)
    assert result.tolist() == [[sigmoid.eval(x=float(x)) for x in row] for row in xs]
    assert sigmoid.eval(x=[0.0, 0.0]).tolist() == [0.5, 0.5]


def test_eval_broadcasts_variables_and_constant_results():
    mse = forge.get("mse")
    assert mse.eval(y_pred=np.array([1.0, 2.0, 4.0]), y_true=1.0).tolist() == [0.0, 1.0, 9.0]
    # d(linear)/dx is the constant 1, still returned with the shape of x.
    ones = forge.get("linear").gradient("x").eval(x=np.zeros((2, 3)))
    assert ones.shape == (2, 3) and (ones == 1.0).all()
    assert forge.get("linear").gradient("x").eval(x=5.0) == 1.0


def test_parameters_have_defaults_and_can_be_overridden():
    leaky = forge.get("leaky_relu")
    assert leaky.params == {"alpha": 0.01}
    assert leaky.eval(x=-2.0) == pytest.approx(-0.02, abs=1e-15)
    assert leaky.eval(x=-2.0, alpha=0.25) == -0.5
    assert forge.get("huber").eval(y_pred=3.0, y_true=0.0, delta=2.0) == 2.0 * (3.0 - 1.0)


def test_eval_names_missing_unknown_and_non_numeric_inputs():
    huber = forge.get("huber")
    with pytest.raises(TypeError, match=r"huber\.eval\(\) is missing variable\(s\) y_true"):
        huber.eval(y_pred=1.0)
    with pytest.raises(TypeError, match=r"unknown name\(s\) x.*y_pred, y_true.*delta=1\.0"):
        huber.eval(x=1.0, y_pred=1.0, y_true=0.0)
    with pytest.raises(TypeError, match=r"y_true must be a number.*'one'"):
        huber.eval(y_pred=1.0, y_true="one")


def test_gradient_with_respect_to_an_unknown_symbol_names_it():
    with pytest.raises(ValueError, match=r"'relu' with respect to 'y'.*\['x'\]"):
        forge.get("relu").gradient("y")


def test_gradients_and_their_compiled_forms_are_cached():
    relu = forge.get("relu")
    assert relu.gradient("x") is relu.gradient("x")
    relu.eval(x=1.0)
    assert relu._compiled is relu._compiled
    assert MathForge().get("relu") is relu  # every forge shares the compiled catalogue


# --- catalogue: lookup, listing, search, registration ---------------------------------------


def test_catalogue_holds_the_common_activations_and_losses():
    assert set(forge.list("activation")) >= {
        "relu", "leaky_relu", "sigmoid", "tanh", "softplus", "elu", "silu", "swish", "gelu", "linear"}
    assert forge.list("loss") == ["binary_cross_entropy", "cross_entropy", "huber", "mae", "mse"]
    assert forge.list() == sorted(forge.list("activation") + forge.list("loss"))
    for name in forge.list("loss"):
        assert forge.get(name).variables == ("y_pred", "y_true")


def test_unknown_kind_is_named():
    with pytest.raises(ValueError, match=r"unknown kind 'activations'; kinds are activation, loss"):
        forge.list("activations")


def test_aliases_lead_to_the_same_expression():
    assert forge.get("bce") is forge.get("binary_cross_entropy")
    assert forge.get("identity") is forge.get("linear")
    assert "bce" in forge and "nope" not in forge
    # silu is swish with beta = 1.
    assert forge.get("swish").eval(x=0.7) == pytest.approx(forge.get("silu").eval(x=0.7), rel=1e-15)


@pytest.mark.parametrize("typo, expected", [("rleu", "relu"), ("sigmod", "sigmoid"),
                                            ("cross_entropie", "cross_entropy"), ("Huber", "huber")])
def test_unknown_name_raises_keyerror_listing_the_closest(typo, expected):
    with pytest.raises(KeyError) as raised:
        forge.get(typo)
    message = raised.value.args[0]
    assert repr(typo) in message
    assert expected in message.split("closest:")[1]


def test_unknown_name_with_nothing_close_lists_every_name():
    with pytest.raises(KeyError) as raised:
        forge.get("zzzzzz")
    assert all(name in raised.value.args[0] for name in forge.list())


def test_search_finds_names_first_then_descriptions():
    found = forge.search("relu")
    assert found[:2] == ["leaky_relu", "relu"]
    assert "softplus" in found  # its description: "Smooth approximation of ReLU"
    assert forge.search("ENTROPY") == ["binary_cross_entropy", "cross_entropy"]
    assert forge.search("bce") == ["binary_cross_entropy"]  # by alias
    assert forge.search("no such thing") == []


def test_register_adds_to_one_forge_only():
    own = MathForge()
    square = Expression("square", "x**2", kind="activation", description="x squared")
    own.register(square, aliases=("sq",))
    assert own.get("sq").gradient("x").eval(x=3.0) == 6.0
    assert "square" in own.list("activation")
    assert "square" not in MathForge()
    with pytest.raises(ValueError, match="'relu' already exists"):
        own.register(Expression("relu", "x"))


def test_expression_rejects_symbols_it_cannot_account_for():
    with pytest.raises(ValueError, match=r"symbol\(s\) b .*variables \['a'\]"):
        Expression("f", "a * b", variables=("a",))
    assert Expression("f", "a * b + c", params={"c": 1.0}).variables == ("a", "b")
