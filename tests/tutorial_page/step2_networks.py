from neurogebra.core.autograd import Value
import random

random.seed(42)

class Neuron:
    """A single neuron: computes w·x + b, then applies activation."""

    def __init__(self, n_inputs, activation='relu'):
        # Xavier initialization for better training
        limit = (6 / (n_inputs + 1)) ** 0.5
        self.w = [Value(random.uniform(-limit, limit)) for _ in range(n_inputs)]
        self.b = Value(0.0)
        self.activation = activation

    def __call__(self, x):
        # Linear: w·x + b
        raw = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        # Activation
        if self.activation == 'relu':
            return raw.relu()
        elif self.activation == 'tanh':
            return raw.tanh()
        elif self.activation == 'linear':
            return raw
        return raw.relu()

    def parameters(self):
        return self.w + [self.b]

class Layer:
    """A layer of neurons."""

    def __init__(self, n_inputs, n_outputs, activation='relu'):
        self.neurons = [Neuron(n_inputs, activation) for _ in range(n_outputs)]

    def __call__(self, x):
        return [neuron(x) for neuron in self.neurons]

    def parameters(self):
        return [p for neuron in self.neurons for p in neuron.parameters()]

class NeuralNetwork:
    """Complete neural network with multiple layers."""

    def __init__(self, layer_sizes, activations=None):
        """
        Args:
            layer_sizes: [input_size, hidden1, hidden2, ..., output_size]
            activations: activation for each layer (default: relu, linear for last)
        """
        if activations is None:
            activations = ['relu'] * (len(layer_sizes) - 2) + ['linear']
        self.layers = []
        for i in range(len(layer_sizes) - 1):
            self.layers.append(
                Layer(layer_sizes[i], layer_sizes[i+1], activations[i])
            )
        n_params = len(self.parameters())
        print(f"Neural Network created:")
        print(f" Architecture: {' → '.join(map(str, layer_sizes))}")
        print(f" Activations: {activations}")
        print(f" Parameters: {n_params:,}")

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

# Create neural network: 2 inputs → 16 hidden → 16 hidden → 3 outputs
nn_neuro = NeuralNetwork(
    layer_sizes=[2, 16, 16, 3],
    activations=['relu', 'relu', 'linear']
)

import torch
import torch.nn as nn
import torch.optim as optim

torch.manual_seed(42)

class SpiralNet(nn.Module):
    """Neural network for spiral classification."""

    def __init__(self):
        super().__init__()
        self.network = nn.Sequential(
            nn.Linear(2, 16),
            nn.ReLU(),
            nn.Linear(16, 16),
            nn.ReLU(),
            nn.Linear(16, 3)
        )

    def forward(self, x):
        return self.network(x)

nn_torch = SpiralNet()
total_params = sum(p.numel() for p in nn_torch.parameters())
print(f"\nPyTorch Neural Network:")
print(f" Architecture: 2 → 16 → 16 → 3")
print(f" Parameters: {total_params:,}")
