"""The tutorial's network: ``Neuron``, ``Layer``, ``NeuralNetwork``.

Same semantics as the tutorial's classes (same initial weights from the same
random stream, same parameter order, same numbers), plus:

- two engines behind the one description of the network (``engine=``):
  ``"scalar"``, the tutorial's neurons of ``Value`` s, one sample at a time;
  ``"tensor"``, each layer one weight matrix and one bias vector
  (``Tensor``), a whole batch at a time. Both draw the same initial weights
  from the same stream (``initial_weights``), so one seed gives one network;
- two initialisations (``init=``): the page's, and PyTorch's ``nn.Linear``
  default;
- two precisions on the tensor engine (``dtype=``): float64 (the default) or
  float32, chosen once for the network. The float64 draws are rounded once to
  float32, as PyTorch rounds float64 weights copied into a float32 parameter,
  and then everything (outputs, gradients, loss, optimizer state) stays
  float32. The scalar engine computes in Python floats: float64 only;

- a neuron's ``w·x + b`` is one graph node (``weighted_sum``) instead of 2n,
  which makes training several times faster; forward values are
  bit-identical to the tutorial's ``sum((wi * xi ...), self.b)``;
- ``evaluate(X)`` / ``predict(X)`` run a whole numpy array of points without
  building a graph (``no_grad``), with the same floats as the graph path;
- ``get_weights()`` / ``set_weights()`` move weights in and out as arrays.
"""

import math
import random

import numpy as np

from neurogebra.core.autograd import Value, _sigmoid, weighted_sum
from neurogebra.core.grad_mode import no_grad
from neurogebra.core.tensor import DTYPES, Tensor, affine, as_dtype

__all__ = ["Neuron", "Layer", "NeuralNetwork", "ACTIVATIONS", "ENGINES", "INITS", "DTYPES", "initial_weights"]

ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")
ENGINES = ("scalar", "tensor")
INITS = ("page", "torch-default")


def _check_choice(value, allowed, what):
    if value not in allowed:
        raise ValueError(f"unknown {what} {value!r}; choose one of {', '.join(allowed)}")
    return value


def initial_weights(n_inputs, init="page", rng=None):
    """One neuron's initial ``(weights, bias)`` as floats, drawn from ``rng`` (default: the global stream).

    - ``"page"``: the tutorial's uniform weights, limit sqrt(6 / (n_inputs + 1)), and a zero bias;
    - ``"torch-default"``: PyTorch ``nn.Linear``'s default, uniform with limit 1 / sqrt(n_inputs) for
      the weights and for the bias (drawn after the weights).

    Every engine builds its neurons from these draws, neuron by neuron, which is why one seed gives
    the same network on every engine.
    """
    _check_choice(init, INITS, "init")
    rng = random if rng is None else rng
    if init == "page":
        limit = (6 / (n_inputs + 1)) ** 0.5
        return [rng.uniform(-limit, limit) for _ in range(n_inputs)], 0.0
    limit = 1 / math.sqrt(n_inputs)
    weights = [rng.uniform(-limit, limit) for _ in range(n_inputs)]
    return weights, rng.uniform(-limit, limit)


def _check_activation(activation):
    return _check_choice(activation, ACTIVATIONS, "activation")


def _check_dtype(dtype, engine):
    """``dtype`` as a numpy dtype; float32 only on the tensor engine (a Value is a Python float)."""
    dtype = as_dtype(dtype)
    if engine == "scalar" and dtype != np.float64:
        raise ValueError(f"the scalar engine computes in Python floats (float64) only, got dtype {dtype}; "
                         "use engine='tensor' for float32")
    return dtype


def _activate(raw, activation):
    """Apply ``activation`` to a Value or a Tensor (both have the same methods)."""
    if activation == "relu":
        return raw.relu()
    if activation == "tanh":
        return raw.tanh()
    if activation == "sigmoid":
        return raw.sigmoid()
    return raw  # linear


def _activate_array(Z, activation):
    """Apply ``activation`` to an array with exactly the floats Value would produce.

    relu and linear are exact in numpy. tanh and sigmoid go through the same
    ``math`` functions the Value ops use, because numpy's vectorised versions
    may differ from them in the last bit.
    """
    if activation == "relu":
        return np.where(Z > 0.0, Z, 0.0)
    if activation == "linear":
        return Z
    fn = math.tanh if activation == "tanh" else _sigmoid
    return np.fromiter(map(fn, Z.ravel()), dtype=np.float64, count=Z.size).reshape(Z.shape)


def _as_points(X, n_inputs, dtype=np.float64):
    X = np.asarray(X, dtype=dtype)  # points are rounded to the network's dtype, as PyTorch's model would
    if X.ndim != 2 or X.shape[1] != n_inputs:
        raise ValueError(f"expected an array of shape (n_points, {n_inputs}), got shape {X.shape}")
    if not np.isfinite(X).all():
        raise ValueError("points must be finite (found NaN or infinity)")
    return X


class Neuron:
    """A single neuron: ``activation(w·x + b)``."""

    def __init__(self, n_inputs, activation="relu", rng=None, init="page"):
        self.activation = _check_activation(activation)
        weights, bias = initial_weights(n_inputs, init, rng)
        self.w = [Value(w) for w in weights]
        self.b = Value(bias)

    def __call__(self, x):
        if len(x) != len(self.w):
            raise ValueError(f"Neuron expects {len(self.w)} inputs, got {len(x)}")
        return _activate(weighted_sum(self.w, x, self.b), self.activation)

    def parameters(self):
        return self.w + [self.b]

    def evaluate(self, X):
        """This neuron's output for each row of ``X`` (n_points, n_inputs), as a float array."""
        W = np.array([[w.data for w in self.w]])
        b = np.array([self.b.data])
        return _activate_array(_affine(_as_points(X, len(self.w)), W, b), self.activation)[:, 0]

    def __repr__(self):
        return f"Neuron({len(self.w)} inputs, {self.activation})"


def _affine(X, W, b):
    """``b + X @ W.T``, added up in the graph's order: bias first, then w0*x0, w1*x1, ...

    A matrix product would sum in another order (and differ in the last bits).
    """
    Z = np.repeat(b[np.newaxis, :], X.shape[0], axis=0)
    for i in range(W.shape[1]):
        Z += X[:, i : i + 1] * W[:, i]
    return Z


class Layer:
    """A layer of neurons that all see the same inputs.

    The engine decides how its parameters are held: ``"scalar"``, a list of
    ``neurons`` (each its own Values), called on one sample (a list of
    numbers or Values); ``"tensor"``, one weight matrix ``W`` and one bias
    vector ``b``, called on a batch (an array or a Tensor of shape (batch,
    n_inputs)) as ``x @ W + b``. So ``W`` is (n_inputs, n_outputs): column j
    holds neuron j's weights, the same draws as the scalar engine's neuron j.
    ``get_weights`` gives every engine's weights as (n_outputs, n_inputs), in
    the layer's ``dtype`` (float64, or float32 on the tensor engine).
    """

    def __init__(self, n_inputs, n_outputs, activation="relu", rng=None, engine="scalar", init="page", dtype="float64"):
        self.activation = _check_activation(activation)
        self.engine = _check_choice(engine, ENGINES, "engine")
        self.dtype = _check_dtype(dtype, engine)
        self.n_inputs = n_inputs
        self.n_outputs = n_outputs
        if engine == "scalar":
            self.neurons = [Neuron(n_inputs, activation, rng, init) for _ in range(n_outputs)]
        else:  # the same float64 draws, rounded once to dtype
            draws = [initial_weights(n_inputs, init, rng) for _ in range(n_outputs)]
            self.W = Tensor(np.array([weights for weights, _ in draws]).T, dtype=self.dtype)
            self.b = Tensor([bias for _, bias in draws], dtype=self.dtype)

    def __call__(self, x):
        if self.engine == "scalar":
            return [neuron(x) for neuron in self.neurons]
        if self.activation == "relu":
            return affine(x, self.W, self.b, relu=True)  # (x @ W + b).relu() as one node
        return _activate(affine(x, self.W, self.b), self.activation)  # x @ W + b as one node

    def parameters(self):
        if self.engine == "scalar":
            return [p for neuron in self.neurons for p in neuron.parameters()]
        return [self.W, self.b]

    def get_weights(self):
        """``(W, b)``: W of shape (n_outputs, n_inputs), b of shape (n_outputs,)."""
        if self.engine == "tensor":
            return self.W.data.T.copy(), self.b.data.copy()
        W = np.array([[w.data for w in neuron.w] for neuron in self.neurons], dtype=np.float64)
        b = np.array([neuron.b.data for neuron in self.neurons], dtype=np.float64)
        return W, b

    def set_weights(self, W, b):
        """Inverse of ``get_weights``; weights of another dtype are rounded once to the layer's."""
        self._assign(*self._checked(W, b))

    def _checked(self, W, b):
        with np.errstate(over="ignore"):  # a float64 beyond float32's range becomes inf: refused below
            W = np.asarray(W, dtype=self.dtype)
            b = np.asarray(b, dtype=self.dtype)
        expected = (self.n_outputs, self.n_inputs)
        if W.shape != expected or b.shape != expected[:1]:
            raise ValueError(
                f"layer weights must have shapes W {expected} and b {expected[:1]}, got {W.shape} and {b.shape}"
            )
        if not (np.isfinite(W).all() and np.isfinite(b).all()):
            raise ValueError(f"layer weights must be finite in {self.dtype}")
        return W, b

    def _assign(self, W, b):
        if self.engine == "tensor":
            self.W.data[...] = W.T
            self.b.data[...] = b
            return
        for neuron, row, bias in zip(self.neurons, W.tolist(), b.tolist()):
            for w, value in zip(neuron.w, row):
                w.data = value
            neuron.b.data = bias

    def evaluate(self, X):
        """Outputs for each row of ``X`` (n_points, n_inputs): array (n_points, n_outputs).

        The scalar engine computes them in numpy with the graph's floats; the tensor engine runs its
        forward pass on the whole batch inside ``no_grad``. Neither builds a graph.
        """
        X = _as_points(X, self.n_inputs, self.dtype)
        if self.engine == "tensor":
            with no_grad():
                return self(X).data
        W, b = self.get_weights()
        return _activate_array(_affine(X, W, b), self.activation)

    def __repr__(self):
        return f"Layer({self.n_inputs} -> {self.n_outputs}, {self.activation})"


class NeuralNetwork:
    """A multi-layer perceptron: ``layer_sizes = [n_inputs, hidden..., n_outputs]``.

    ``activations`` has one entry per layer (default: relu for hidden layers,
    linear for the last). Initial weights are drawn from ``rng`` (a
    ``random.Random``) or, by default, from Python's global ``random`` stream,
    exactly as the tutorial does, with the scheme ``init`` (``"page"`` or
    ``"torch-default"``, see ``initial_weights``).

    ``engine="scalar"`` (the tutorial's): ``net(x)`` takes one sample, a list
    of numbers, and gives a list of output Values. ``engine="tensor"``:
    ``net(X)`` takes a batch, an array (batch, n_inputs), and gives a Tensor
    (batch, n_outputs). The same seed and ``init`` give the same weights on
    both; ``get_weights``/``set_weights`` move them between networks.

    ``dtype`` (``"float64"``, the default, or ``"float32"``; ``np.float32``
    and ``np.float64`` work too) is the precision of the tensor engine's
    weights and of everything computed from them. A float32 network takes
    float32 batches: ``net(X)`` with a float64 array is a TypeError (convert
    once, ``X.astype(np.float32)``), while ``evaluate``/``predict`` round any
    points to the network's dtype. The scalar engine is float64 only.
    """

    def __init__(self, layer_sizes, activations=None, rng=None, engine="scalar", init="page", dtype="float64"):
        layer_sizes = list(layer_sizes)
        if len(layer_sizes) < 2:
            raise ValueError(f"layer_sizes needs at least an input and an output size, got {layer_sizes!r}")
        for size in layer_sizes:
            if isinstance(size, bool) or not isinstance(size, int) or size < 1:
                raise ValueError(f"layer sizes must be positive integers, got {layer_sizes!r}")
        if activations is None:
            activations = ["relu"] * (len(layer_sizes) - 2) + ["linear"]
        activations = list(activations)
        if len(activations) != len(layer_sizes) - 1:
            raise ValueError(
                f"{len(layer_sizes) - 1} layers need {len(layer_sizes) - 1} activations, got {activations!r}"
            )
        for activation in activations:
            _check_activation(activation)
        self.engine = _check_choice(engine, ENGINES, "engine")
        self.dtype = _check_dtype(dtype, engine)
        self.layer_sizes = layer_sizes
        self.activations = activations
        self.layers = [
            Layer(n_in, n_out, activation, rng, engine, init, self.dtype)
            for n_in, n_out, activation in zip(layer_sizes[:-1], layer_sizes[1:], activations)
        ]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        """Layer by layer, neuron by neuron: its weights, then its bias."""
        return [p for layer in self.layers for p in layer.parameters()]

    def evaluate(self, X):
        """Output scores for each row of ``X`` (n_points, n_inputs), one batched pass.

        Bit-identical to what training computes: ``[v.data for v in net(x)]``
        for each row on the scalar engine (without building a graph),
        ``net(X).data`` on the tensor engine.
        """
        X = _as_points(X, self.layer_sizes[0], self.dtype)
        for layer in self.layers:
            X = layer.evaluate(X)
        return X

    def predict(self, X):
        """Class index (argmax of the scores, first one on ties) for each row of ``X``."""
        return np.argmax(self.evaluate(X), axis=1)

    def get_weights(self):
        """One ``(W, b)`` per layer, W of shape (n_outputs, n_inputs), in the network's dtype."""
        return [layer.get_weights() for layer in self.layers]

    def set_weights(self, weights):
        """Inverse of ``get_weights``. Nothing changes unless every layer's weights are valid."""
        weights = list(weights)
        if len(weights) != len(self.layers):
            raise ValueError(f"expected weights for {len(self.layers)} layers, got {len(weights)}")
        checked = [layer._checked(W, b) for layer, (W, b) in zip(self.layers, weights)]
        for layer, (W, b) in zip(self.layers, checked):
            layer._assign(W, b)

    def n_parameters(self):
        """The number of trainable numbers (a Tensor parameter counts its entries)."""
        return sum(np.size(p.data) for p in self.parameters())

    def summary(self):
        architecture = " -> ".join(map(str, self.layer_sizes))
        return (
            f"Architecture: {architecture}\n"
            f"Activations: {self.activations}\n"
            f"Parameters: {self.n_parameters():,}"
        )

    def __repr__(self):
        architecture = " -> ".join(map(str, self.layer_sizes))
        precision = "" if self.dtype == np.float64 else f", dtype={self.dtype}"  # the default is not shown
        return (f"NeuralNetwork({architecture}, activations={self.activations}, "
                f"parameters={self.n_parameters()}{precision})")
