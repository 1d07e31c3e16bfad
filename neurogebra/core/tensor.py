"""Reverse-mode automatic differentiation over float64 or float32 numpy arrays.

A ``Tensor`` is ``Value`` (``neurogebra.core.autograd``) for whole arrays: it
wraps a numpy array, remembers how it was computed, and ``loss.backward()``
leaves d(loss)/d(tensor) in each tensor's ``.grad``, an array of the tensor's
shape.

The dtype, as numpy and ``torch.as_tensor`` choose it: a float32 or float64
numpy array (or numpy float) keeps its dtype; Python numbers, lists of them,
integer arrays and other float widths become float64. ``Tensor(data,
dtype="float32")`` (or ``"float64"``) overrides that, rounding the data once.
A graph's dtype is the one its leaves were given. Every value and gradient computed from
Tensors keeps their dtype: numpy's own promotion does that too, except when
two dtypes meet, where it would quietly compute in float64. So meeting is an
error: two Tensors of different dtypes, or a numpy array whose dtype is not
the Tensor's, in one operation raise a TypeError that names both dtypes.
Numbers (Python's, and numpy scalars, which count as numbers here) take the
Tensor's dtype, as Python numbers do in numpy 2 (NEP 50) and in PyTorch. The
scalar engine, ``Value``, computes in Python floats: float64 only.

How the graph is stored: each operation computes its output and a small
function, ``_backward``, that turns the output's gradient into one gradient
per input (micrograd's closure, returning instead of accumulating). The
backward pass then does the bookkeeping once for every operation:

- it visits the nodes outputs-before-inputs without recursion: as a node is
  always made after its inputs, it takes the nodes it has reached
  latest-made first;
- where an input was broadcast (a bias of shape (n,) added to a batch of
  shape (batch, n)), it sums the gradient back over the broadcast axes;
- it adds into leaves and replaces the gradients of computed nodes.

A numpy array or a number as an operand (``x @ W``, ``t - 1``) is a
constant: it takes part in the value but gets no gradient and no node.

Inside ``with no_grad():`` (``neurogebra.core.grad_mode``) operations compute
their values only: the results keep no inputs and no backward function.

Two fused operations do in one node what a layer and the loss would do in
several, with the same floats forwards and backwards: ``affine(x, W, b,
relu=...)``, a layer's ``x @ W + b`` and its relu, and ``Tensor.softmax_cross_entropy(targets)``, the
batch-mean cross-entropy of rows of scores. They exist for speed: at the
tutorial's sizes the arithmetic takes microseconds and the cost is per node.

Gradient accumulation follows ``Value`` and PyTorch: ``backward()`` *adds*
into the ``.grad`` of leaf tensors (parameters, inputs), so zero them between
steps (``p.grad = 0.0`` works, or an optimizer's ``zero_grad()``); the
``.grad`` of a computed tensor holds its gradient from the latest
``backward()`` that reached it (``None`` before).

Errors, as in ``Value``: non-numeric data, NaN, shapes that do not fit,
division by zero, the log of a non-positive entry, ``exp`` or ``**``
overflowing the dtype, mixed dtypes and operations that would produce NaN
raise an exception naming the operation and the shapes, dtypes or the
offending value. Checks are made where the failure can arise and cost one
reduction at most: NaN can only come out of an operation that combines
entries (``+ - * / @``, sums) or from ``**``, so only those look at their
output.
"""

from functools import lru_cache
from heapq import heappop, heappush
from itertools import count

import numpy as np

from neurogebra.core.grad_mode import GradMode

__all__ = ["Tensor", "DTYPES", "as_dtype", "affine"]

DTYPES = ("float32", "float64")
_FLOAT64 = np.dtype(np.float64)
_KEPT_DTYPES = (np.dtype(np.float32), _FLOAT64)  # a numpy float array of these keeps its dtype
_UNSIGNED = {np.dtype(t).itemsize: np.dtype(t) for t in (np.uint8, np.uint16, np.uint32, np.uint64)}
_serial_numbers = count()  # numbers the nodes in the order they are made


def as_dtype(dtype):
    """The numpy dtype that ``dtype`` names: ``"float32"``, ``"float64"``, ``np.float32``, ``np.float64`` (or a dtype).

    Anything else is a ValueError (``np.dtype`` itself would take ``None``, ``float``, ``"f4"``, ...).
    """
    if (isinstance(dtype, str) and dtype in DTYPES) or dtype in (np.float32, np.float64):  # a np.dtype equals its type
        return np.dtype(dtype)
    raise ValueError(f"unknown dtype {dtype!r}; choose one of {', '.join(DTYPES)}")


def _exp_limit(dtype):
    """The largest x of ``dtype`` whose exp() is finite: log of the largest finite number, rounded down.

    log(max) rounded to nearest can land above the true limit (float32's does), so step down until exp() fits.
    """
    limit = np.log(np.finfo(dtype).max)
    with np.errstate(over="ignore"):
        while np.isinf(np.exp(limit)):
            limit = np.nextafter(limit, dtype.type(0))
    return float(limit)


_EXP_MAX = {np.dtype(name): _exp_limit(np.dtype(name)) for name in DTYPES}  # float64: 709.782712893384


def _as_array(x, what, dtype=_FLOAT64):
    """``x`` as an array of ``dtype`` (a copy), or a TypeError/ValueError/OverflowError naming ``what`` it was for."""
    try:
        array = np.array(x, order="C")
    except ValueError:  # e.g. ragged nested lists
        raise ValueError(f"{what} must be a rectangular array of real numbers, got {x!r}") from None
    if array.dtype.kind not in "iuf":  # bool, complex, strings, objects, ...
        raise TypeError(f"{what} must be real numbers, got {x!r} (dtype {array.dtype})")
    with np.errstate(over="ignore"):  # reported below, with the value
        converted = array.astype(dtype, copy=False)
    if np.isnan(converted).any():
        raise ValueError(f"{what} contains NaN")
    if converted is not array:  # rounding to float32 turns numbers beyond its range into inf
        overflowed = np.isinf(converted) & np.isfinite(array)
        if overflowed.any():
            raise OverflowError(f"{what}: {float(array[overflowed][0])!r} overflows {dtype}")
    return converted


def _keeps_dtype(data):
    """A numpy float32/float64 array or scalar: its dtype is the Tensor's."""
    return isinstance(data, (np.ndarray, np.floating)) and data.dtype in _KEPT_DTYPES


def _is_real_number(x):
    """An int or float, Python's or numpy's; not a bool."""
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, (bool, np.bool_))


def _constant(x, op, dtype):
    """A non-Tensor operand of ``op`` with a Tensor of ``dtype``: a float or an array of ``dtype``.

    A Python float keeps the array's dtype (numpy 2's NEP 50); numbers and lists become the same.
    A numpy float array must already have ``dtype``: numpy would compute the operation in the wider of
    the two. NaN is caught in the result.
    """
    if type(x) is float or (type(x) is np.ndarray and x.dtype == dtype):
        return x
    if _is_real_number(x):
        return float(x)
    if isinstance(x, np.ndarray) and x.dtype.kind == "f":
        raise _mixed_dtypes(op, dtype, x.dtype, "a numpy array")
    return _as_array(x, f"operand of Tensor {op}", dtype)


def _same_dtype(a, b, op):
    """Two Tensors' arrays in one operation must share a dtype: numpy would quietly compute float32 with
    float64 in float64."""
    if a.dtype != b.dtype:
        raise _mixed_dtypes(op, a.dtype, b.dtype)


def _mixed_dtypes(op, dtype, other, what="a Tensor"):
    return TypeError(f"Tensor {op}: a {dtype} Tensor and {what} of dtype {other}; mixing dtypes is an error "
                     f"(convert one of them explicitly)")


def _shape(x):
    return x.shape if isinstance(x, np.ndarray) else ()


def _check_nan(out, op, a, b=None):
    """Raise if ``out`` has a NaN: its sum of squares is NaN exactly then (squares are never -inf)."""
    squares = np.vdot(out, out)
    if squares != squares:
        shapes = f"shape {_shape(a)}" if b is None else f"shapes {_shape(a)} and {_shape(b)}"
        raise ValueError(f"Tensor {op} produced NaN (operands of {shapes}: an inf met an inf or a zero)")
    return out


def _unbroadcast(grad, shape):
    """Sum ``grad`` back to ``shape`` over the axes that broadcasting added or stretched."""
    extra = grad.ndim - len(shape)
    if extra == 1 and grad.shape[1:] == shape:  # a bias added to each row of a batch
        return np.add.reduce(grad, 0)
    stretched = tuple(i + extra for i, n in enumerate(shape) if n == 1 and grad.shape[i + extra] != 1)
    return np.add.reduce(grad, axis=tuple(range(extra)) + stretched).reshape(shape)


class Tensor:
    """An array in a computation graph: ``.data``, ``.grad`` (arrays), ``.backward()``.

    Without ``dtype``, a float32 or float64 numpy array (or numpy float) keeps its dtype, like
    ``np.array`` and ``torch.as_tensor``; anything else (Python numbers, lists, integer arrays,
    other float widths) becomes float64. ``dtype="float32"`` or ``"float64"`` chooses explicitly.
    ``data`` is copied and, if need be, rounded once to the dtype.
    """

    __slots__ = ("data", "grad", "_op", "_inputs", "_backward", "_serial", "_visited_by")
    __array_ufunc__ = None  # numpy arrays defer to Tensor: ``X @ W`` calls ``W.__rmatmul__(X)``

    def __init__(self, data, _op="", _inputs=(), _backward=None, *, dtype=None):
        if _op:  # computed by an operation, which has checked it (its dtype is its inputs')
            self.data = data
            self.grad = None
            if not GradMode.enabled:  # inside no_grad: a value with no graph behind it
                _inputs, _backward = (), None
        else:
            if dtype is None:
                dtype = data.dtype if _keeps_dtype(data) else _FLOAT64
            self.data = _as_array(data, "Tensor data", as_dtype(dtype))
            self.grad = np.zeros_like(self.data)
        self._op = _op  # "" for a leaf
        self._inputs = _inputs  # the Tensors this one was computed from
        self._backward = _backward  # gradient of self -> tuple of gradients of _inputs
        self._serial = next(_serial_numbers)  # larger than the serial numbers of its inputs
        self._visited_by = None  # the backward pass that last visited this node

    @property
    def shape(self):
        return self.data.shape

    @property
    def ndim(self):
        return self.data.ndim

    @property
    def dtype(self):
        return self.data.dtype

    # ------------------------------------------------------------ arithmetic
    # Each operation computes its output and says how the output's gradient g flows back.

    def __add__(self, other):
        if isinstance(other, Tensor):
            _same_dtype(self.data, other.data, "+")
            out = _broadcasting(np.add, self.data, other.data, "+")
            return Tensor(_check_nan(out, "+", self.data, other.data), "+", (self, other), lambda g: (g, g))
        other = _constant(other, "+", self.data.dtype)
        out = _broadcasting(np.add, self.data, other, "+")
        return Tensor(_check_nan(out, "+", self.data, other), "+", (self,), lambda g: (g,))

    __radd__ = __add__  # other + self; also how sum() starts (0 + t)

    def __sub__(self, other):
        if isinstance(other, Tensor):
            _same_dtype(self.data, other.data, "-")
            out = _broadcasting(np.subtract, self.data, other.data, "-")
            return Tensor(_check_nan(out, "-", self.data, other.data), "-", (self, other), lambda g: (g, -g))
        other = _constant(other, "-", self.data.dtype)
        out = _broadcasting(np.subtract, self.data, other, "-")
        return Tensor(_check_nan(out, "-", self.data, other), "-", (self,), lambda g: (g,))

    def __rsub__(self, other):  # other - self
        other = _constant(other, "-", self.data.dtype)
        out = _broadcasting(np.subtract, other, self.data, "-")
        return Tensor(_check_nan(out, "-", other, self.data), "-", (self,), lambda g: (-g,))

    def __mul__(self, other):
        a = self.data
        if isinstance(other, Tensor):
            b = other.data
            _same_dtype(a, b, "*")
            out = _check_nan(_broadcasting(np.multiply, a, b, "*"), "*", a, b)
            return Tensor(out, "*", (self, other), lambda g: (g * b, g * a))
        b = _constant(other, "*", a.dtype)
        out = _check_nan(_broadcasting(np.multiply, a, b, "*"), "*", a, b)
        return Tensor(out, "*", (self,), lambda g: (g * b,))

    __rmul__ = __mul__  # other * self

    def __truediv__(self, other):
        a = self.data
        if isinstance(other, Tensor):
            _same_dtype(a, other.data, "/")
            b = _nonzero_divisor(other.data, a)
            out = _check_nan(_broadcasting(np.divide, a, b, "/"), "/", a, b)
            return Tensor(out, "/", (self, other), lambda g: (g / b, -g * out / b))  # -a/b**2 without b**2
        b = _nonzero_divisor(_constant(other, "/", a.dtype), a)
        out = _check_nan(_broadcasting(np.divide, a, b, "/"), "/", a, b)
        return Tensor(out, "/", (self,), lambda g: (g / b,))

    def __rtruediv__(self, other):  # other / self
        a, b = _constant(other, "/", self.data.dtype), _nonzero_divisor(self.data, other)
        out = _check_nan(_broadcasting(np.divide, a, b, "/"), "/", a, b)
        return Tensor(out, "/", (self,), lambda g: (-g * out / b,))

    def __neg__(self):
        return Tensor(-self.data, "neg", (self,), lambda g: (-g,))

    def __pow__(self, exponent):
        if isinstance(exponent, Tensor):
            raise TypeError(f"Tensor ** Tensor is not supported: the exponent must be a number, got {exponent!r}")
        if not _is_real_number(exponent):
            raise TypeError(f"operand of Tensor ** (exponent) must be a real number, got {exponent!r}")
        n = float(exponent)
        x = self.data
        if n != n:
            raise ValueError("operand of Tensor ** (exponent) is NaN")
        if not n.is_integer() and (x < 0.0).any():
            raise ValueError(f"Tensor ** {n!r}: negative base {float(x[x < 0.0][0])!r} with a fractional exponent "
                             "has no real result")
        if n < 0.0 and (x == 0.0).any():
            raise ZeroDivisionError(f"Tensor ** {n!r}: zero base with a negative exponent")
        with np.errstate(over="ignore"):  # reported below, with the value
            out = x**n
        overflowed = np.isinf(out) & np.isfinite(x)
        if overflowed.any():
            raise OverflowError(f"Tensor ** {n!r}: {float(x[overflowed][0])!r} ** {n!r} overflows {x.dtype}")
        _check_nan(out, f"**{n!r}", x)

        def backward(g):
            if n == 0.0:
                return (np.zeros_like(g),)  # x**0 is constant (PyTorch agrees, also at x = 0)
            # The slope of x**n, 0 < n < 1, is unbounded at 0.
            with np.errstate(divide="ignore"):  # the x == 0 entries are replaced
                slope = np.where(x == 0.0, np.inf if n < 1.0 else n * 0.0 ** (n - 1.0), n * x ** (n - 1.0))
            return (g * slope,)

        return Tensor(out, f"**{n!r}", (self,), backward)

    def __rpow__(self, base):
        raise TypeError(f"number ** Tensor is not supported ({base!r} ** {self!r}): the exponent must be a number")

    def __matmul__(self, other):
        if isinstance(other, Tensor):
            a, b = self.data, other.data
            _same_dtype(a, b, "@")
            out = _check_nan(_matmul(a, b), "@", a, b)
            return Tensor(out, "@", (self, other), lambda g: (_left_grad(g, a, b), _right_grad(g, a, b)))
        a, b = self.data, _constant(other, "@", self.data.dtype)
        out = _check_nan(_matmul(a, b), "@", a, b)
        return Tensor(out, "@", (self,), lambda g: (_left_grad(g, a, b),))

    def __rmatmul__(self, other):  # other @ self, e.g. a batch of inputs times a weight matrix
        a, b = _constant(other, "@", self.data.dtype), self.data
        out = _check_nan(_matmul(a, b), "@", a, b)
        return Tensor(out, "@", (self,), lambda g: (_right_grad(g, a, b),))

    # ----------------------------------------------------------- functions

    def relu(self):
        x = self.data
        return Tensor(np.maximum(x, 0.0), "relu", (self,), lambda g: (g * (x > 0.0),))  # slope 0 at 0, as PyTorch

    def tanh(self):
        t = np.tanh(self.data)
        return Tensor(t, "tanh", (self,), lambda g: (g * (1.0 - t * t),))

    def sigmoid(self):
        x = self.data
        e = np.exp(-np.abs(x))  # exp of a non-positive number: no overflow
        d = 1.0 + e
        s = np.where(x >= 0.0, 1.0 / d, e / d)
        return Tensor(s, "sigmoid", (self,), lambda g: (g * (s * (1.0 - s)),))

    def exp(self):
        x = self.data
        limit = _EXP_MAX[x.dtype]
        if x.size and np.maximum.reduce(x, None) > limit:
            bad = x[(x > limit) & np.isfinite(x)]
            if bad.size:
                raise OverflowError(f"Tensor.exp() of {float(bad[0])!r} overflows {x.dtype} "
                                    f"(the largest finite result is exp({limit:.2f}))")
        e = np.exp(x)
        return Tensor(e, "exp", (self,), lambda g: (g * e,))

    def log(self):
        x = self.data
        if x.size and np.minimum.reduce(x, None) <= 0.0:
            raise ValueError(f"Tensor.log() of non-positive entry {float(x[x <= 0.0][0])!r} (shape {x.shape})")
        return Tensor(np.log(x), "log", (self,), lambda g: (g / x,))

    # ------------------------------------------------- reductions and shapes

    def sum(self, axis=None, keepdims=False):
        x = self.data
        out = _check_nan(_reduce(x, axis, keepdims, "sum"), "sum", x)
        return Tensor(out, "sum", (self,), lambda g: (_spread(g, x.shape, axis),))

    def mean(self, axis=None, keepdims=False):
        x = self.data
        total = _reduce(x, axis, keepdims, "mean")
        n = x.size // total.size if total.size else 0  # entries averaged into each output entry
        if n == 0:
            raise ValueError(f"Tensor.mean(axis={axis!r}) of shape {x.shape}: nothing to average")
        out = _check_nan(total / n, "mean", x)
        return Tensor(out, "mean", (self,), lambda g: (_spread(g / n, x.shape, axis),))

    @property
    def T(self):
        return Tensor(self.data.T, "T", (self,), lambda g: (g.T,))

    def reshape(self, *shape):
        if len(shape) == 1 and not isinstance(shape[0], (int, np.integer)):
            shape = tuple(shape[0])
        x = self.data
        try:
            out = x.reshape(shape)
        except (ValueError, TypeError):
            raise ValueError(f"Tensor.reshape: cannot reshape shape {x.shape} into {shape}") from None
        return Tensor(out, "reshape", (self,), lambda g: (g.reshape(x.shape),))

    def pick(self, targets):
        """Entry ``targets[i]`` of each row ``i``: shape (n, C) with n class indices -> shape (n,).

        What cross-entropy needs: the score of each sample's target class.
        """
        x = self.data
        targets = _class_indices(targets, x.shape)
        rows = np.arange(len(targets))

        def backward(g):
            grad = np.zeros_like(x)
            grad[rows, targets] = g
            return (grad,)

        return Tensor(x[rows, targets], "pick", (self,), backward)

    def softmax_cross_entropy(self, targets):
        """The batch-mean cross-entropy of rows of scores (n, C) for n class indices, and the softmax.

        Returns ``(loss, probabilities)``: a one-element Tensor and an array (n, C), no graph. One node
        for what ``neurogebra.losses`` spells out as shift, exp, sum, log, pick and mean, with the
        same floats: the forward pass is those steps' numpy calls, and the gradient,
        ``(softmax - one_hot) * g / n``, is formed in the order the chain of nodes would form it.
        """
        x = self.data
        if x.ndim != 2 or 0 in x.shape:
            raise ValueError(f"softmax_cross_entropy needs scores of shape (n, classes), got {x.shape}")
        targets = _class_indices(targets, x.shape)
        n = len(targets)
        picks = _row_starts(*x.shape) + targets  # entry [i, targets[i]] in the flat view (faster than 2-D indexing)
        # Every exp() <= 1. C order whatever x's, so that the flat views below are views, with C's flat indices.
        shifted = np.subtract(x, np.maximum.reduce(x, axis=1, keepdims=True), order="C")
        exp_scores = np.exp(shifted)
        sum_exp = np.add.reduce(exp_scores, axis=1)
        loss = np.add.reduce(np.log(sum_exp) - shifted.ravel()[picks], None) / n
        if loss != loss:  # a NaN anywhere above (an inf score) reaches the mean
            raise ValueError(f"Tensor softmax_cross_entropy produced NaN (scores of shape {x.shape} hold an inf)")

        def backward(g):
            per_row = g / n  # the chain: mean, then log(sum_exp) - picked, then log, sum, exp and pick
            grad = exp_scores * (per_row / sum_exp)[:, np.newaxis]
            grad.ravel()[picks] += -per_row  # grad is C-ordered, as exp_scores: ravel() is a view
            return (grad,)

        return Tensor(loss, "softmax_cross_entropy", (self,), backward), exp_scores / sum_exp[:, np.newaxis]

    # -------------------------------------------------------------- backward

    def backward(self):
        """Add d(self)/d(t) to ``t.grad`` for every leaf ``t`` that ``self`` (one element) depends on.

        Leaves accumulate across calls, as in PyTorch: zero their ``.grad``
        before each step. Computed tensors get this call's gradient.

        The order: a node is always made after its inputs, so taking the
        reached nodes latest-made first (a heap keyed by serial number) visits
        every node after all the nodes computed from it, that is, once its
        gradient is complete. No recursion, no separate sort.
        """
        if self.data.size != 1:
            raise ValueError(f"backward() needs a one-element Tensor (a loss), got shape {self.data.shape}")
        if not self._op:  # a leaf: d(self)/d(self) = 1
            self.grad = (0.0 if self.grad is None else self.grad) + np.ones_like(self.data)
            return
        if self._backward is None:
            raise RuntimeError(f"backward() from a Tensor computed inside no_grad ({self._op}): it has no graph")
        this_pass = object()  # marks the nodes this pass has reached
        self._visited_by = this_pass
        one = np.array(1.0, self.data.dtype)  # np.ones_like(self.data), a few times faster
        self.grad = one if self.data.shape == () else one.reshape(self.data.shape)
        waiting = [(-self._serial, self)]
        while waiting:
            node = heappop(waiting)[1]
            backward = node._backward
            if backward is None:  # computed inside no_grad: a constant of this graph
                continue
            for child, grad in zip(node._inputs, backward(node.grad)):
                if grad.shape != child.data.shape:
                    grad = _unbroadcast(grad, child.data.shape)
                # Never in place: one gradient array may be handed to several inputs (as + does).
                if not child._op:  # a leaf accumulates across passes (None counts as no gradient yet)
                    # A copy, so that the leaf owns its gradient (0.0 + grad would also turn a -0.0 into 0.0).
                    none_yet = child.grad is None or (type(child.grad) is float and child.grad == 0.0)
                    child.grad = grad.copy() if none_yet else child.grad + grad
                elif child._visited_by is this_pass:
                    child.grad = child.grad + grad
                else:  # first reached in this pass: its gradient starts here
                    child._visited_by = this_pass
                    child.grad = grad
                    heappush(waiting, (-child._serial, child))

    def __repr__(self):
        return f"Tensor(shape={self.data.shape}, data={self.data!r})"


def affine(x, W, b, relu=False):
    """A layer's ``x @ W + b`` (then ``.relu()`` if ``relu``) as one node.

    ``x`` (batch, n_in) is a Tensor or an array (a constant), ``W`` (n_in, n_out) and ``b`` (n_out,)
    Tensors. The same floats as the nodes ``x @ W``, ``+ b`` and ``.relu()``, forwards and backwards.
    """
    if not (isinstance(W, Tensor) and isinstance(b, Tensor)):
        raise TypeError(f"affine needs Tensor weights and bias, got {type(W).__name__} and {type(b).__name__}")
    w, bias = W.data, b.data
    _same_dtype(w, bias, "+")
    if w.ndim != 2 or bias.shape != w.shape[1:]:
        raise ValueError(f"affine: weights of shape {w.shape} need a bias of shape {w.shape[1:]}, got {bias.shape}")
    variable = isinstance(x, Tensor)
    a = x.data if variable else _constant(x, "@", w.dtype)
    _same_dtype(a, w, "@")
    batch = type(a) is np.ndarray and a.ndim == 2 and a.shape[1] == w.shape[0]  # the usual case, checked once
    z = a @ w if batch else _matmul(a, w)
    z += bias  # in place: z is ours; the same sum as z + bias, broadcast over the rows
    _check_nan(z, "affine", a, w)  # a NaN of the product survives the sum and the relu
    out = np.maximum(z, 0.0) if relu else z

    def backward(g):
        if relu:
            g = g * (z > 0.0)  # slope 0 at 0, as Tensor.relu
        if batch:
            grads = (a.T @ g, np.add.reduce(g, 0))
            return (g @ w.T, *grads) if variable else grads
        grads = (_right_grad(g, a, w), _unbroadcast(g, bias.shape))
        return (_left_grad(g, a, w), *grads) if variable else grads

    return Tensor(out, "affine+relu" if relu else "affine", (x, W, b) if variable else (W, b), backward)


# --------------------------------------------------------------- helpers


def _broadcasting(ufunc, a, b, op):
    try:
        return ufunc(a, b)
    except ValueError:
        raise ValueError(f"Tensor {op}: shapes {_shape(a)} and {_shape(b)} do not broadcast") from None


def _nonzero_divisor(b, a):
    if (b == 0.0).any() if type(b) is np.ndarray else b == 0.0:
        raise ZeroDivisionError(f"Tensor division by zero: shapes {_shape(a)} / {_shape(b)}, divisor has a zero")
    return b


def _matmul(a, b):
    try:
        out = a @ b
    except (ValueError, TypeError):
        out = None
    if out is None or a.ndim > 2 or b.ndim > 2:
        raise ValueError(f"Tensor @ needs 1-D or 2-D operands whose inner sizes agree, "
                         f"got shapes {_shape(a)} and {_shape(b)}")
    return out


def _left_grad(g, a, b):
    """d(a @ b)/da applied to ``g``: ``g @ b.T`` (a vector b is a column, a vector a a row)."""
    if a.ndim == 2 and b.ndim == 2:
        return g @ b.T
    _, b2, g2 = _as_matrices(g, a, b)
    return (g2 @ b2.T).reshape(a.shape)


def _right_grad(g, a, b):
    """d(a @ b)/db applied to ``g``: ``a.T @ g``."""
    if a.ndim == 2 and b.ndim == 2:
        return a.T @ g
    a2, _, g2 = _as_matrices(g, a, b)
    return (a2.T @ g2).reshape(b.shape)


def _as_matrices(g, a, b):
    """``a``, ``b`` and ``g`` as 2-D arrays when an operand is a vector: on the left a row, on the right a column."""
    a2 = a if a.ndim == 2 else a[np.newaxis, :]
    b2 = b if b.ndim == 2 else b[:, np.newaxis]
    return a2, b2, np.reshape(g, (a2.shape[0], b2.shape[1]))


def _reduce(x, axis, keepdims, op):
    try:
        return np.add.reduce(x, axis=axis, keepdims=keepdims)
    except (ValueError, TypeError, IndexError):  # numpy's AxisError is a ValueError and an IndexError
        raise ValueError(f"Tensor.{op}(axis={axis!r}): no such axis for shape {x.shape}") from None


def _kept_shape(shape, axis):
    """The shape of a sum over ``axis`` with the summed axes kept as 1s (``axis`` is valid)."""
    if axis is None:
        return (1,) * len(shape)
    axes = {a % len(shape) for a in (axis if isinstance(axis, tuple) else (axis,))}
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def _spread(g, shape, axis):
    """The gradient of a sum over ``axis``: ``g`` copied back to every entry that was summed."""
    if axis is None:
        return np.full(shape, g)
    grad = np.empty(shape, g.dtype)
    grad[...] = np.reshape(g, _kept_shape(shape, axis))
    return grad


@lru_cache(maxsize=32)
def _row_starts(n_rows, n_columns):
    """Where each row of a C-ordered (n_rows, n_columns) array starts in its flat view (read-only, shared)."""
    starts = np.arange(0, n_rows * n_columns, n_columns)
    starts.flags.writeable = False
    return starts


def _class_indices(targets, shape):
    if len(shape) != 2:
        raise ValueError(f"Tensor.pick needs a 2-D Tensor (n, classes), got shape {shape}")
    if type(targets) is not np.ndarray:
        targets = np.asarray(targets)
    if targets.dtype.kind not in "iu" or targets.shape != shape[:1]:
        raise ValueError(f"Tensor.pick: targets must be {shape[0]} class indices (integers), "
                         f"got shape {targets.shape} and dtype {targets.dtype}")
    # Seen as unsigned, a negative index is huge: one maximum checks both ends of the range.
    if targets.size and not np.maximum.reduce(targets.view(_UNSIGNED[targets.itemsize])) < shape[1]:
        raise ValueError(f"Tensor.pick: targets must be class indices in 0..{shape[1] - 1}, "
                         f"got values from {targets.min()} to {targets.max()}")
    return targets
