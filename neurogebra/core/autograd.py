"""Scalar reverse-mode automatic differentiation.

A ``Value`` wraps one float and remembers how it was computed. Calling
``loss.backward()`` applies the chain rule from ``loss`` back to every value it
depends on, leaving d(loss)/d(value) in each value's ``.grad``.

How the graph is stored (this is where the speed comes from):

- Every operation records its inputs (``_children``) together with the local
  derivative d(output)/d(input) for each of them (``_local_grads``), computed
  during the forward pass while the numbers are at hand. ``a * b`` stores
  ``(b.data, a.data)``; ``a.tanh()`` stores ``(1 - t*t,)``.
- So backward needs no per-operation code: it is one loop,
  ``child.grad += local * node.grad``, over the nodes in reverse
  topological order. No closure is created per node.
- A plain-number operand (``v * 2``, ``1 - v``) is not wrapped in a ``Value``:
  it is a constant, so it gets no node and no gradient.
- ``__slots__`` keeps each node small and its attributes fast to reach.

Gradient accumulation follows PyTorch: ``backward()`` *adds* into the ``.grad``
of leaf values (those not computed from other values, such as parameters and
inputs), so calling it twice doubles their gradients; set ``p.grad = 0.0`` (or
call an optimizer's ``zero_grad()``) between steps. The ``.grad`` of an
intermediate value holds the gradient from the most recent ``backward()`` that
reached it.
"""

import math
from numbers import Real

__all__ = ["Value", "weighted_sum"]


def _as_float(x, what):
    """``x`` as a float, or a TypeError/ValueError that names ``what`` it was for."""
    if type(x) is float:
        return x
    if isinstance(x, bool) or not isinstance(x, Real):
        raise TypeError(f"{what} must be a real number, got {x!r} of type {type(x).__name__}")
    x = float(x)
    if math.isnan(x):
        raise ValueError(f"{what} is NaN")
    return x


def _operand(other, op):
    """A plain-number operand of ``op`` as a float (Values are handled by the caller)."""
    if type(other) is float:
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

    __slots__ = ("data", "grad", "_children", "_local_grads", "_op")

    def __init__(self, data, _children=(), _local_grads=(), _op=""):
        if type(data) is not float:
            data = _as_float(data, "Value data")
        elif data != data:  # NaN is the only float not equal to itself
            raise ValueError("Value data is NaN")
        self.data = data
        self.grad = 0.0
        self._children = _children
        self._local_grads = _local_grads
        self._op = _op

    # ------------------------------------------------------------ arithmetic
    # Each operation: compute the output, and record d(output)/d(each input).

    def __add__(self, other):
        if isinstance(other, Value):
            return Value(self.data + other.data, (self, other), (1.0, 1.0), "+")
        return Value(self.data + _operand(other, "+"), (self,), (1.0,), "+")

    def __radd__(self, other):  # other + self; also what sum() starts with (0 + v)
        return Value(_operand(other, "+") + self.data, (self,), (1.0,), "+")

    def __sub__(self, other):
        if isinstance(other, Value):
            return Value(self.data - other.data, (self, other), (1.0, -1.0), "-")
        return Value(self.data - _operand(other, "-"), (self,), (1.0,), "-")

    def __rsub__(self, other):  # other - self
        return Value(_operand(other, "-") - self.data, (self,), (-1.0,), "-")

    def __mul__(self, other):
        if isinstance(other, Value):
            return Value(self.data * other.data, (self, other), (other.data, self.data), "*")
        other = _operand(other, "*")
        return Value(self.data * other, (self,), (other,), "*")

    def __rmul__(self, other):  # other * self
        other = _operand(other, "*")
        return Value(other * self.data, (self,), (other,), "*")

    def __truediv__(self, other):
        if isinstance(other, Value):
            a, b = self.data, other.data
            if b == 0.0:
                raise ZeroDivisionError(f"Value division by zero: {a!r} / {b!r}")
            return Value(a / b, (self, other), (1.0 / b, -a / (b * b)), "/")
        b = _operand(other, "/")
        if b == 0.0:
            raise ZeroDivisionError(f"Value division by zero: {self.data!r} / {b!r}")
        return Value(self.data / b, (self,), (1.0 / b,), "/")

    def __rtruediv__(self, other):  # other / self
        a, b = _operand(other, "/"), self.data
        if b == 0.0:
            raise ZeroDivisionError(f"Value division by zero: {a!r} / {b!r}")
        return Value(a / b, (self,), (-a / (b * b),), "/")

    def __neg__(self):
        return Value(-self.data, (self,), (-1.0,), "neg")

    def __pow__(self, exponent):
        if isinstance(exponent, Value):
            raise TypeError(
                f"Value ** Value is not supported: the exponent must be a plain number, got {exponent!r}"
            )
        n = _operand(exponent, "** (exponent)")
        x = self.data
        if x < 0.0 and not n.is_integer():
            raise ValueError(f"Value ** {n!r}: a negative base {x!r} with a fractional exponent is not real")
        if x == 0.0 and n < 0.0:
            raise ZeroDivisionError(f"Value ** {n!r}: zero base {x!r} with a negative exponent")
        try:
            out = x**n
            if n == 0.0:
                local = 0.0
            elif x == 0.0 and n < 1.0:
                local = math.inf  # d/dx x**n is unbounded at 0 for 0 < n < 1
            else:
                local = n * x ** (n - 1.0)
        except OverflowError:
            raise OverflowError(f"Value ** {n!r}: {x!r} ** {n!r} overflows float64") from None
        return Value(out, (self,), (local,), f"**{n!r}")

    def __rpow__(self, base):
        raise TypeError(f"number ** Value is not supported: got {base!r} ** {self!r}; use (Value * log(base)).exp()")

    # ----------------------------------------------------------- functions

    def relu(self):
        x = self.data
        if x > 0.0:
            return Value(x, (self,), (1.0,), "relu")
        return Value(0.0, (self,), (0.0,), "relu")

    def tanh(self):
        t = math.tanh(self.data)
        return Value(t, (self,), (1.0 - t * t,), "tanh")

    def sigmoid(self):
        s = _sigmoid(self.data)
        return Value(s, (self,), (s * (1.0 - s),), "sigmoid")

    def exp(self):
        try:
            e = math.exp(self.data)
        except OverflowError:
            raise OverflowError(
                f"Value.exp() of {self.data!r} overflows float64 (the largest finite result is exp(709.78))"
            ) from None
        return Value(e, (self,), (e,), "exp")

    def log(self):
        x = self.data
        if x <= 0.0:
            raise ValueError(f"Value.log() of non-positive value {x!r}")
        return Value(math.log(x), (self,), (1.0 / x,), "log")

    # -------------------------------------------------------------- backward

    def _interior_nodes_in_topological_order(self):
        """Every computed (non-leaf) node reachable from ``self``, each after all nodes that use it.

        Iterative depth-first search: a node is appended once all its children
        are done (post-order), so graphs of any depth work without recursion.
        """
        order = []
        visited = set()
        stack = [(self, False)]
        while stack:
            node, children_done = stack.pop()
            if children_done:
                order.append(node)
                continue
            if node in visited:  # reached again through another path, already placed
                continue
            visited.add(node)
            stack.append((node, True))
            for child in node._children:
                if child._children and child not in visited:
                    stack.append((child, False))
        order.reverse()
        return order

    def backward(self):
        """Add d(self)/d(v) to ``v.grad`` for every leaf ``v`` that ``self`` depends on."""
        if not self._children:  # a leaf: d(self)/d(self) = 1
            self.grad += 1.0
            return
        nodes = self._interior_nodes_in_topological_order()
        # Intermediate gradients are recomputed from scratch on every call; only
        # leaves accumulate (see the module docstring).
        for node in nodes:
            node.grad = 0.0
        self.grad += 1.0
        for node in nodes:
            g = node.grad
            if g == 0.0:
                continue  # contributes nothing (e.g. behind an inactive relu)
            for child, local in zip(node._children, node._local_grads):
                child.grad += local * g

    def __repr__(self):
        return f"Value(data={self.data!r}, grad={self.grad!r})"


def weighted_sum(weights, inputs, bias):
    """``bias + w0*x0 + w1*x1 + ...`` as ONE graph node.

    The same number, bit for bit, as ``sum((w * x for w, x in zip(weights,
    inputs)), bias)``: the additions happen in the same order. One node instead
    of 2n is what makes a neuron cheap. ``inputs`` may mix Values and plain
    numbers (constants get no gradient).
    """
    if len(weights) != len(inputs):
        raise ValueError(f"weighted_sum: {len(weights)} weights but {len(inputs)} inputs")
    total = bias.data
    children = [bias, *weights]
    local_grads = [1.0]  # d/d(bias); the x's (d/dw) follow, then the w's of Value inputs (d/dx)
    input_children = []
    input_locals = []
    for w, x in zip(weights, inputs):
        if isinstance(x, Value):
            xd = x.data
            input_children.append(x)
            input_locals.append(w.data)
        else:
            xd = _operand(x, "weighted_sum input")
        total += w.data * xd
        local_grads.append(xd)
    children += input_children
    local_grads += input_locals
    return Value(total, tuple(children), tuple(local_grads), "w.x+b")
