"""The PyTorch network of the page's Step 2, for any layer sizes, and the page's initialisation."""
from __future__ import annotations

import math

import torch
import torch.nn as nn

ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh}


class SpiralNet(nn.Module):
    """Fully connected: ``activation`` after every hidden layer, linear scores out.

    The layers are created in the page's order (first to last), so after the same
    ``torch.manual_seed`` they draw the same initial weights as the page's ``SpiralNet``.
    """

    def __init__(self, layer_sizes, activation="relu"):
        super().__init__()
        layers = []
        for n_in, n_out in zip(layer_sizes[:-2], layer_sizes[1:-1]):
            layers += [nn.Linear(n_in, n_out), ACTIVATIONS[activation]()]
        layers.append(nn.Linear(layer_sizes[-2], layer_sizes[-1]))
        self.network = nn.Sequential(*layers)

    def forward(self, x):
        return self.network(x)


def initialise_as_the_page(model: SpiralNet, generator: torch.Generator) -> None:
    """Give ``model`` the page's initialisation: weights U(-l, l) with l = sqrt(6 / (n_in + 1)), bias
    zero, drawn from ``generator`` layer by layer (nn.Linear's default is U(+-1/sqrt(n_in)) for
    weights and bias, about 2.4 times narrower at n_in = 16).

    The weights are drawn in float64 whatever the model's dtype, then rounded to it (to nearest), as
    neurogebra draws them: a float32 run and a float64 run of the same seed start from the same
    weights up to rounding. (``uniform_`` on a float32 tensor would draw other numbers from the
    generator, so the two precisions would start from different weights.)
    """
    with torch.no_grad():
        for layer in model.network:
            if isinstance(layer, nn.Linear):
                limit = math.sqrt(6 / (layer.in_features + 1))
                drawn = torch.empty(layer.weight.shape, dtype=torch.float64)
                layer.weight.copy_(drawn.uniform_(-limit, limit, generator=generator))
                layer.bias.zero_()
