"""The formulas MathForge knows: activations and losses, written in sympy.

Each entry is a plain formula plus what a reader needs to use it: which
symbols are variables (given at every evaluation), which are parameters
(with a default, overridable), and one sentence of meaning.

Losses are written for one prediction; a batch loss averages (or, for the
class terms of cross-entropy, sums) them. Their variables are ``y_pred`` (the
model's output) and ``y_true`` (the target).

Kinks. Where a formula is not differentiable at a point, its symbolic gradient
still has a value there, the one PyTorch's autograd uses, so that symbolic and
numeric gradients agree everywhere:

- relu: the gradient at 0 is 0 (``Heaviside(x, 0)``);
- leaky_relu: the gradient at 0 is ``alpha`` (the negative side's slope);
- elu: the gradient at 0 is ``alpha`` (continuous when ``alpha`` is 1);
- mae: the gradient at ``y_pred == y_true`` is 0 (``sign(0) = 0``);
- huber: the pieces meet at ``|y_pred - y_true| == delta`` with equal slopes,
  so its gradient is continuous; at ``y_pred == y_true`` it is 0.
"""

from dataclasses import dataclass, field

import sympy

x = sympy.Symbol("x", real=True)
y_pred = sympy.Symbol("y_pred", real=True)
y_true = sympy.Symbol("y_true", real=True)
alpha = sympy.Symbol("alpha", positive=True)
beta = sympy.Symbol("beta", positive=True)
delta = sympy.Symbol("delta", positive=True)

error = y_pred - y_true


@dataclass(frozen=True)
class Definition:
    """A named formula, before it becomes an ``Expression``."""

    name: str
    kind: str  # "activation" or "loss"
    formula: sympy.Expr
    variables: tuple
    description: str
    params: dict = field(default_factory=dict)  # parameter name -> default value
    aliases: tuple = ()


ACTIVATION = "activation"
LOSS = "loss"

DEFINITIONS = (
    # Activations: one variable, x (a neuron's weighted sum plus bias).
    Definition(
        "linear", ACTIVATION, x, ("x",),
        "Identity: passes the weighted sum through unchanged (the tutorial's output layer).",
        aliases=("identity",),
    ),
    Definition(
        "relu", ACTIVATION, sympy.Max(0, x), ("x",),
        "Rectified linear unit: max(0, x). Gradient at 0 is 0, as in PyTorch.",
    ),
    Definition(
        "leaky_relu", ACTIVATION, sympy.Piecewise((x, x > 0), (alpha * x, True)), ("x",),
        "ReLU with slope alpha for x <= 0, so negative inputs still pass a gradient. "
        "Gradient at 0 is alpha, as in PyTorch.",
        params={"alpha": 0.01},
    ),
    Definition(
        "sigmoid", ACTIVATION, 1 / (1 + sympy.exp(-x)), ("x",),
        "Logistic function: squashes x into (0, 1).",
        aliases=("logistic",),
    ),
    Definition(
        "tanh", ACTIVATION, sympy.tanh(x), ("x",),
        "Hyperbolic tangent: squashes x into (-1, 1), zero-centred.",
    ),
    Definition(
        "softplus", ACTIVATION, sympy.log(1 + sympy.exp(x)), ("x",),
        "Smooth approximation of ReLU: log(1 + exp(x)).",
    ),
    Definition(
        "elu", ACTIVATION, sympy.Piecewise((x, x > 0), (alpha * (sympy.exp(x) - 1), True)), ("x",),
        "Exponential linear unit: x for x > 0, alpha * (exp(x) - 1) otherwise. "
        "Gradient at 0 is alpha, as in PyTorch.",
        params={"alpha": 1.0},
    ),
    Definition(
        "silu", ACTIVATION, x / (1 + sympy.exp(-x)), ("x",),
        "Sigmoid linear unit: x * sigmoid(x) (swish with beta = 1).",
    ),
    Definition(
        "swish", ACTIVATION, x / (1 + sympy.exp(-beta * x)), ("x",),
        "Swish: x * sigmoid(beta * x); beta = 1 gives silu.",
        params={"beta": 1.0},
    ),
    Definition(
        "gelu", ACTIVATION, x / 2 * (1 + sympy.erf(x / sympy.sqrt(2))), ("x",),
        "Gaussian error linear unit: x * Phi(x), Phi the standard normal CDF (exact form, "
        "PyTorch's default).",
    ),
    # Losses: one prediction y_pred against its target y_true.
    Definition(
        "mse", LOSS, error**2, ("y_pred", "y_true"),
        "Squared error of one prediction; the mean over samples is the mean squared error.",
        aliases=("squared_error",),
    ),
    Definition(
        "mae", LOSS, sympy.Abs(error), ("y_pred", "y_true"),
        "Absolute error of one prediction; the mean over samples is the mean absolute error. "
        "Gradient at y_pred == y_true is 0, as in PyTorch.",
        aliases=("absolute_error", "l1"),
    ),
    Definition(
        "huber", LOSS,
        sympy.Piecewise(
            (error**2 / 2, sympy.Abs(error) < delta),
            (delta * (sympy.Abs(error) - delta / 2), True),
        ),
        ("y_pred", "y_true"),
        "Huber loss: squared error for |error| < delta, linear beyond it (robust to outliers). "
        "Its gradient is continuous.",
        params={"delta": 1.0},
    ),
    Definition(
        "cross_entropy", LOSS, -y_true * sympy.log(y_pred), ("y_pred", "y_true"),
        "One class's term of the cross-entropy: y_pred the predicted probability of the class "
        "(0 < y_pred), y_true its target probability (1 for the correct class, 0 otherwise). "
        "Summed over classes it is -log(probability of the correct class), the tutorial's loss.",
    ),
    Definition(
        "binary_cross_entropy", LOSS,
        -(y_true * sympy.log(y_pred) + (1 - y_true) * sympy.log(1 - y_pred)),
        ("y_pred", "y_true"),
        "Binary cross-entropy (log loss): y_pred the predicted probability of class 1 "
        "(0 < y_pred < 1), y_true the target in [0, 1].",
        aliases=("bce", "log_loss"),
    ),
)
