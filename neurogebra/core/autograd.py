"""Scalar reverse-mode automatic differentiation.

A ``Value`` wraps one float and remembers how it was computed. Calling
``loss.backward()`` applies the chain rule from ``loss`` back to every value it
depends on, leaving d(loss)/d(value) in each value's ``.grad``.

Precision: a Value computes in Python floats, that is float64, always; there
is no dtype to choose. float32 is the tensor engine's
(``Tensor(..., dtype="float32")``, ``NeuralNetwork(..., engine="tensor",
dtype="float32")``).

How the graph is stored (this is where the speed comes from):

- An operation records each of its inputs together with the local derivative
  d(output)/d(input), computed in the forward pass while the numbers are at
  hand: ``a * b`` records ``a`` with ``b.data`` and ``b`` with ``a.data``;
  ``a.tanh()`` records ``a`` with ``1 - t*t``. Backward then needs no code per
  operation and no closure per node: it is one loop,
  ``input.grad += local * node.grad``, over the nodes, outputs before inputs.
- Every arithmetic operation has one or two inputs, kept in fixed slots
  (``_a`` with ``_da``, ``_b`` with ``_db``) rather than in lists: a node is a
  single small object, cheap to create and cheap for Python's garbage
  collector to step over. The one operation with many inputs,
  ``weighted_sum``, makes a ``_WeightedSum`` node that keeps them in tuples.
- The order of the backward loop comes from an iterative depth-first search
  (micrograd's ``build_topo`` without recursion), so graphs of any depth work.
  (Numbering the nodes as they are made and sorting the reached ones by that
  number gives an order too, but measured slower: the numbering costs every
  node, the search is already one pass.)
- A plain-number operand (``v * 2``, ``1 - v``) is a constant: it gets no node.

Gradient accumulation follows PyTorch: ``backward()`` *adds* into the ``.grad``
of leaf values (values not computed from other values: parameters, inputs), so
calling it twice doubles their gradients; set ``p.grad = 0.0`` (or call an
optimizer's ``zero_grad()``) between steps. The ``.grad`` of a computed value
holds its gradient from the latest ``backward()`` that reached it.

Inside ``with no_grad():`` (``neurogebra.core.grad_mode``) operations keep
their values only: the results record no inputs, are constants to any graph
they later take part in, and ``backward()`` from them is an error.

Errors: non-numeric data, NaN, division by zero, the log of a non-positive
number, ``exp`` or ``**`` overflowing float64, and operations that would
produce NaN raise an exception naming the operation and the value.
"""

import math
from numbers import Real
from operator import mul

from neurogebra.core.grad_mode import GradMode

__all__ = ["Value", "weighted_sum"]


def _as_float(x, what):
    """``x`` as a float, or a TypeError/ValueError naming ``what`` it was for."""
    if isinstance(x, bool) or not isinstance(x, Real):
        raise TypeError(f"{what} must be a real number, got {x!r} of type {type(x).__name__}")
    x = float(x)
    if x != x:
        raise ValueError(f"{what} is NaN")
    return x


def _operand(other, op):
    """A plain-number operand of ``op`` as a float (Value operands are handled by the caller)."""
    if type(other) is float and other == other:
        return other
    return _as_float(other, f"operand of Value {op}")


def _sigmoid(x):
    # Two branches so that exp() only ever sees a non-positive argument: no overflow.
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


class Value:
    """A scalar in a computation graph: ``.data`` (float), ``.grad`` (float), ``.backward()``."""

    __slots__ = ("data", "grad", "_op", "_a", "_da", "_b", "_db", "_visited_by")
    _inputs = _input_grads = ()  # the many inputs of a _WeightedSum; none here

    def __init__(self, data, _op="", _a=None, _da=0.0, _b=None, _db=0.0):
        if type(data) is not float:
            data = _as_float(data, "Value data")
        elif data != data:  # NaN is the only float not equal to itself
            if _op:
                raise ValueError(f"Value {_op} produced NaN (inputs: {_a!r}, {_b!r})")
            raise ValueError("Value data is NaN")
        if not GradMode.enabled:  # inside no_grad: a constant, with no inputs to remember
            _a = _b = None
        self.data = data
        self.grad = 0.0
        self._op = _op  # "" for a leaf
        self._a = _a  # first input and d(self)/d(_a)
        self._da = _da
        self._b = _b  # second input (or None) and d(self)/d(_b)
        self._db = _db
        self._visited_by = None  # the backward pass that last reached this node

    # ------------------------------------------------------------ arithmetic
    # Each operation computes its output and records (input, d(output)/d(input)).

    def __add__(self, other):
        if isinstance(other, Value):
            return Value(self.data + other.data, "+", self, 1.0, other, 1.0)
        return Value(self.data + _operand(other, "+"), "+", self, 1.0)

    def __radd__(self, other):  # other + self; also how sum() starts (0 + v)
        return Value(_operand(other, "+") + self.data, "+", self, 1.0)

    def __sub__(self, other):
        if isinstance(other, Value):
            return Value(self.data - other.data, "-", self, 1.0, other, -1.0)
        return Value(self.data - _operand(other, "-"), "-", self, 1.0)

    def __rsub__(self, other):  # other - self
        return Value(_operand(other, "-") - self.data, "-", self, -1.0)

    def __mul__(self, other):
        if isinstance(other, Value):
            return Value(self.data * other.data, "*", self, other.data, other, self.data)
        other = _operand(other, "*")
        return Value(self.data * other, "*", self, other)

    def __rmul__(self, other):  # other * self
        other = _operand(other, "*")
        return Value(other * self.data, "*", self, other)

    def __truediv__(self, other):
        if isinstance(other, Value):
            a, b = self.data, other.data
            if b == 0.0:
                raise ZeroDivisionError(f"Value division by zero: {a!r} / {b!r}")
            out = a / b
            return Value(out, "/", self, 1.0 / b, other, -out / b)  # -a/b**2, without squaring a tiny b to 0
        b = _operand(other, "/")
        if b == 0.0:
            raise ZeroDivisionError(f"Value division by zero: {self.data!r} / {b!r}")
        return Value(self.data / b, "/", self, 1.0 / b)

    def __rtruediv__(self, other):  # other / self
        a, b = _operand(other, "/"), self.data
        if b == 0.0:
            raise ZeroDivisionError(f"Value division by zero: {a!r} / {b!r}")
        out = a / b
        return Value(out, "/", self, -out / b)

    def __neg__(self):
        return Value(-self.data, "neg", self, -1.0)

    def __pow__(self, exponent):
        if isinstance(exponent, Value):
            raise TypeError(f"Value ** Value is not supported: the exponent must be a number, got {exponent!r}")
        n = _operand(exponent, "** (exponent)")
        x = self.data
        if x < 0.0 and not n.is_integer():
            raise ValueError(f"Value ** {n!r}: negative base {x!r} with a fractional exponent has no real result")
        if x == 0.0 and n < 0.0:
            raise ZeroDivisionError(f"Value ** {n!r}: zero base with a negative exponent")
        try:
            out = x**n
            if n == 0.0:
                local = 0.0  # x**0 is constant (PyTorch agrees, also at x = 0)
            elif x == 0.0 and n < 1.0:
                local = math.inf  # the slope of x**n, 0 < n < 1, is unbounded at 0
            else:
                local = n * x ** (n - 1.0)
        except OverflowError:
            raise OverflowError(f"Value ** {n!r}: {x!r} ** {n!r} overflows float64") from None
        return Value(out, f"**{n!r}", self, local)

    def __rpow__(self, base):
        raise TypeError(f"number ** Value is not supported ({base!r} ** {self!r}): the exponent must be a number")

    # ----------------------------------------------------------- functions

    def relu(self):
        x = self.data
        if x > 0.0:
            return Value(x, "relu", self, 1.0)
        return Value(0.0, "relu", self, 0.0)  # slope 0 at x = 0, as in PyTorch

    def tanh(self):
        t = math.tanh(self.data)
        return Value(t, "tanh", self, 1.0 - t * t)

    def sigmoid(self):
        s = _sigmoid(self.data)
        return Value(s, "sigmoid", self, s * (1.0 - s))

    def exp(self):
        try:
            e = math.exp(self.data)
        except OverflowError:
            raise OverflowError(
                f"Value.exp() of {self.data!r} overflows float64 (the largest finite result is exp(709.78))"
            ) from None
        return Value(e, "exp", self, e)

    def log(self):
        x = self.data
        if x <= 0.0:
            raise ValueError(f"Value.log() of non-positive value {x!r}")
        return Value(math.log(x), "log", self, 1.0 / x)

    # -------------------------------------------------------------- backward

    def _topological_order(self):
        """The computed (non-leaf) nodes ``self`` depends on, each after all the nodes it was computed from.

        Depth-first search with an explicit stack. A ``None`` pushed above a
        node means "once everything above me is done, all of this node's
        inputs are placed: place the node". Gradients of the nodes found are
        reset here, as the backward pass recomputes them.
        """
        order = []
        this_pass = object()  # marks the nodes this search has visited
        stack = [self]
        while stack:
            node = stack.pop()
            if node is None:
                order.append(stack.pop())
                continue
            if node._visited_by is this_pass:  # already placed through another path
                continue
            node._visited_by = this_pass
            node.grad = 0.0
            stack.append(node)
            stack.append(None)
            a, b = node._a, node._b
            if a is None:  # a _WeightedSum (or a constant made inside no_grad: no inputs)
                for child in node._inputs:
                    if child._op and child._visited_by is not this_pass:
                        stack.append(child)
                continue
            if a._op and a._visited_by is not this_pass:  # leaves (no _op) need no place in the order
                stack.append(a)
            if b is not None and b._op and b._visited_by is not this_pass:
                stack.append(b)
        return order

    def backward(self):
        """Add d(self)/d(v) to ``v.grad`` for every leaf ``v`` that ``self`` depends on.

        Leaves accumulate across calls, as in PyTorch: zero their ``.grad``
        before each step. Computed values get this call's gradient.
        """
        if not self._op:  # a leaf: d(self)/d(self) = 1
            self.grad += 1.0
            return
        if self._a is None and not self._inputs:
            raise RuntimeError(f"backward() from a Value computed inside no_grad ({self._op}): it has no graph")
        order = self._topological_order()
        self.grad = 1.0
        for node in reversed(order):  # from self back to the leaves
            g = node.grad
            if g == 0.0:
                continue  # contributes nothing (e.g. behind an inactive relu)
            a = node._a
            if a is not None:
                a.grad += node._da * g
                b = node._b
                if b is not None:
                    b.grad += node._db * g
            else:  # a _WeightedSum (or a constant made inside no_grad: no inputs)
                for child, local in zip(node._inputs, node._input_grads):
                    child.grad += local * g

    def __repr__(self):
        return f"Value(data={self.data!r}, grad={self.grad!r})"


def weighted_sum(weights, inputs, bias):
    """``bias + w0*x0 + w1*x1 + ...`` as ONE graph node.

    The same number, bit for bit, as ``sum((w * x for w, x in zip(weights,
    inputs)), bias)``, because the additions happen in the same order; but one
    node instead of 2n, which is what makes a neuron cheap. ``inputs`` may mix
    Values and plain numbers (constants get no gradient).
    """
    if len(weights) != len(inputs):
        raise ValueError(f"weighted_sum: {len(weights)} weights but {len(inputs)} inputs")
    w_data = [w.data for w in weights]
    variables = [x for x in inputs if isinstance(x, Value)]
    if len(variables) == len(inputs):
        x_data = [x.data for x in inputs]
        variable_weights = w_data
    else:  # some inputs are constants: they take part in the sum but get no gradient
        x_data = [x.data if isinstance(x, Value) else _operand(x, "weighted_sum input") for x in inputs]
        variable_weights = [w for w, x in zip(w_data, inputs) if isinstance(x, Value)]
    total = bias.data
    for product in map(mul, w_data, x_data):
        total += product
    # d(total)/d(bias) = 1, d(total)/d(w_i) = x_i, d(total)/d(x_i) = w_i.
    return _WeightedSum(total, (bias, *weights, *variables), (1.0, *x_data, *variable_weights))


class _WeightedSum(Value):
    """The node of ``weighted_sum``: any number of inputs, in tuples (``_a`` stays None)."""

    __slots__ = ("_inputs", "_input_grads")

    def __init__(self, data, inputs, input_grads):
        super().__init__(data, "w.x+b")
        recording = GradMode.enabled
        self._inputs = inputs if recording else ()
        self._input_grads = input_grads if recording else ()

