"""The PyTorch network of the page's Step 2, for any layer sizes."""
from __future__ import annotations

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
