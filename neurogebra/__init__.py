"""neurogebra: a neural-network library written from scratch, every component visible.

The pieces, in the order a lesson meets them:

- ``neurogebra.core.autograd.Value``: a scalar that remembers how it was computed and backpropagates.
- ``neurogebra.core.tensor.Tensor``: the same for whole numpy arrays (the second, batched engine).
- ``neurogebra.nn``: ``Neuron``, ``Layer``, ``NeuralNetwork``.
- ``neurogebra.losses``: ``softmax_cross_entropy``.
- ``neurogebra.optim``: ``SGD`` and ``Adam``.
- ``neurogebra.no_grad``: a context in which operations build no graph (inference).
- ``neurogebra.MathForge``: the same mathematics as symbolic (sympy) expressions.
"""

from neurogebra.core.autograd import Value
from neurogebra.core.grad_mode import is_grad_enabled, no_grad
from neurogebra.core.tensor import Tensor
from neurogebra.losses import softmax_cross_entropy
from neurogebra.nn import Layer, NeuralNetwork, Neuron
from neurogebra.optim import SGD, Adam

from neurogebra.core.forge import MathForge, Expression
