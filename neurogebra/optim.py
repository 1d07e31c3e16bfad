"""Optimizers that update a list of parameters from their ``.grad``.

A parameter is a ``Value`` (one number) or a ``Tensor`` (an array, updated
entry by entry with the same rule, in place, in a few numpy operations).

A Tensor parameter keeps its dtype: the hyperparameters are Python floats,
which take the array's dtype (numpy 2, NEP 50), so a float32 parameter gets
float32 updates and float32 moments. Its gradient must have its dtype: an
in-place update would silently round a float64 gradient's update into a
float32 parameter, so ``step()`` refuses it.
"""

import math
from numbers import Real

import numpy as np

from neurogebra.core.autograd import Value
from neurogebra.core.tensor import Tensor

__all__ = ["SGD", "Adam"]


def _positive_finite(x, name):
    if isinstance(x, bool) or not isinstance(x, Real) or not math.isfinite(x) or x <= 0:
        raise ValueError(f"{name} must be a positive finite number, got {x!r}")
    return float(x)


def _sqrt(x):
    """Correctly rounded square root (as torch's) of a float or, entry by entry, of an array."""
    return math.sqrt(x) if type(x) is float else np.sqrt(x)


class Optimizer:
    """Holds the parameters; ``zero_grad()`` resets their gradients."""

    def __init__(self, params, lr):
        self.params = list(params)
        if not self.params:
            raise ValueError("optimizer got an empty parameter list")
        for p in self.params:
            if not isinstance(p, (Value, Tensor)):
                raise TypeError(f"parameters must be Values or Tensors, got {p!r}")
        self.lr = _positive_finite(lr, "learning rate lr")

    def zero_grad(self):
        for p in self.params:
            p.grad = 0.0  # a Tensor's gradient too: 0.0 + its next gradient is an array again

    def step(self):
        raise NotImplementedError

    def _gradient(self, p):
        """``p``'s gradient, refused if it is an array of another dtype than ``p``'s (a float, a Value's
        or 0.0 after ``zero_grad``, takes the parameter's dtype)."""
        g = p.grad
        if type(g) is np.ndarray and g.dtype != p.data.dtype:
            raise TypeError(f"{type(self).__name__}.step: a {p.data.dtype} parameter has a gradient of dtype "
                            f"{g.dtype}; mixing dtypes is an error")
        return g


class SGD(Optimizer):
    """Plain gradient descent: ``p.data -= lr * p.grad``."""

    def step(self):
        lr = self.lr
        for p in self.params:
            p.data -= lr * self._gradient(p)

    def __repr__(self):
        return f"SGD(lr={self.lr})"


class Adam(Optimizer):
    """Adam (Kingma & Ba), with the exact update rule of ``torch.optim.Adam``.

    For step t, gradient g, and per-parameter moments m, v (starting at 0):

        m = m + (1 - beta1) * (g - m)        # torch's lerp form of beta1*m + (1-beta1)*g
        v = beta2 * v + (1 - beta2) * g * g
        step_size = lr / (1 - beta1**t)
        denom = sqrt(v) / (1 - beta2**t) ** 0.5 + eps
        p = p - step_size * (m / denom)

    Written in the same operation order as torch, so that in float64 the two
    produce the same trajectory. For a Tensor parameter m and v are arrays and
    every line works entry by entry.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        super().__init__(params, lr)
        try:
            beta1, beta2 = betas
        except (TypeError, ValueError):
            raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}") from None
        for name, beta in (("beta1", beta1), ("beta2", beta2)):
            if isinstance(beta, bool) or not isinstance(beta, Real) or not 0.0 <= beta < 1.0:
                raise ValueError(f"{name} must be in [0, 1), got {beta!r}")
        # eps > 0 keeps the denominator positive: a parameter whose gradients are all 0 stays put
        # (torch allows eps = 0, and then turns such a parameter into NaN).
        self.eps = _positive_finite(eps, "eps")
        self.betas = (float(beta1), float(beta2))
        self.t = 0
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)

    def step(self):
        beta1, beta2 = self.betas
        self.t += 1
        step_size = self.lr / (1.0 - beta1**self.t)
        bias_correction2_sqrt = (1.0 - beta2**self.t) ** 0.5
        m, v, eps = self.m, self.v, self.eps
        for i, p in enumerate(self.params):
            g = self._gradient(p)
            m[i] = m[i] + (1.0 - beta1) * (g - m[i])
            v[i] = v[i] * beta2 + (1.0 - beta2) * g * g
            denom = _sqrt(v[i]) / bias_correction2_sqrt + eps
            p.data -= step_size * (m[i] / denom)

    def __repr__(self):
        return f"Adam(lr={self.lr}, betas={self.betas}, eps={self.eps})"
