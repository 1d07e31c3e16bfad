"""Training and evaluating the PyTorch network, the way the page's Step 4 and Step 6 do it.

Random streams, as on the page: ``torch.manual_seed(seed)`` just before the model is built (its
default ``nn.Linear`` initialisation, the run's weights when its init is ``torch-default``), then
``torch.randperm`` on the same global generator for the epoch shuffles. A run with init ``page``
draws the page's weights from a generator of its own seeded with the run's seed, after the model is
built, so that its shuffles are those of the ``torch-default`` run of the same seed.

Every initialisation is drawn once, the same way for both precisions, so that the float32 and the
float64 run of a seed start from the same weights up to rounding: the page's in float64, then
rounded to the run's dtype (``initialise_as_the_page``); ``nn.Linear``'s default in PyTorch's
default dtype, float32, before the model is cast, which is how the page's own float32 run draws it
(a float64 draw would be other numbers, and the tutorial's PyTorch run would no longer be the
page's). A float64 run holds those float32 numbers exactly.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim

from spiralbench.frameworks import Trainer
from spiralbench.frameworks.torch_model import SpiralNet, initialise_as_the_page

OPTIMIZERS = {"sgd": optim.SGD, "adam": optim.Adam}
# Adam in its fused CPU kernel, not the default loop of tensor operations. Same update, same
# hyperparameters; the reason is its square root: the default loop takes it with ``Tensor.sqrt``,
# which PyTorch's CPU build computes in MKL's vector math library, not correctly rounded and chosen by
# the CPU's vendor (no MKL_CBWR setting makes an Intel and an AMD CPU agree). The fused kernel is
# PyTorch's own code (ATen, AVX2 under the pins), whose square root is the CPU's correctly rounded
# instruction. It rounds its multiply-adds in its own order, so its runs differ in the last bits from
# the default loop's. ``spiralbench.kernels`` checks every kernel a run calls for such a dependence.
OPTIMIZER_OPTIONS = {"sgd": {}, "adam": {"fused": True}}
DTYPES = {"float32": torch.float32, "float64": torch.float64}


def configure(threads: int) -> None:
    """Use exactly ``threads`` threads, and only deterministic kernels."""
    torch.set_num_threads(threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass  # can only be set once per process, before any parallel work; already fixed then
    use_deterministic_kernels()


def use_deterministic_kernels() -> None:
    """``torch.use_deterministic_algorithms(True)`` for the eager kernels, which are all that run here.

    The public call also tells torch.compile's compiler, which it imports to do so: 1.4 s of every job's
    start, for a compiler nothing here uses. The flag the kernels read is set directly where this PyTorch
    has it (``torch.are_deterministic_algorithms_enabled`` reads it back), the public call otherwise.
    """
    set_flag = getattr(torch._C, "_set_deterministic_algorithms", None)
    if set_flag is None:
        torch.use_deterministic_algorithms(True)
    else:
        set_flag(True, warn_only=False)


def build_network(layer_sizes, activation: str, seed: int, dtype: str = "float32",
                  init: str = "torch-default") -> SpiralNet:
    torch.manual_seed(seed)
    model = SpiralNet(layer_sizes, activation).to(DTYPES[dtype])
    if init == "page":
        initialise_as_the_page(model, torch.Generator().manual_seed(seed))
    elif init != "torch-default":
        raise ValueError(f"unknown init {init!r}; allowed: page, torch-default")
    return model


def make_optimizer(model: SpiralNet, name: str, learning_rate: float):
    return OPTIMIZERS[name](model.parameters(), lr=learning_rate, **OPTIMIZER_OPTIONS[name])


def train(model, optimizer, X, y, batch_size, epoch_orders):
    """The page's training loop; yields ``(epoch_loss, accuracy)`` after each epoch.

    ``X``, ``y`` are tensors; ``epoch_orders`` gives each epoch's sample order (read lazily).
    """
    criterion = nn.CrossEntropyLoss()
    for perm in epoch_orders:
        epoch_loss = 0.0
        correct = 0
        total = 0
        for start in range(0, len(X), batch_size):
            X_batch = X[perm[start:start + batch_size]]
            y_batch = y[perm[start:start + batch_size]]
            outputs = model(X_batch)
            loss = criterion(outputs, y_batch)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            epoch_loss += loss.item()
            _, predicted = torch.max(outputs, 1)
            correct += (predicted == y_batch).sum().item()
            total += y_batch.size(0)
        yield epoch_loss, correct / total


def evaluate(model, X) -> np.ndarray:
    """Predicted class of every row of ``X`` (a numpy array), computed in the model's dtype."""
    return np.argmax(scores(model, X), axis=1)


def scores(model, X) -> np.ndarray:
    dtype = next(model.parameters()).dtype
    with torch.no_grad():
        outputs = model(torch.as_tensor(np.asarray(X), dtype=dtype))
    return outputs.numpy().astype(np.float64)


def linear_layers(model):
    return [module for module in model.network if isinstance(module, nn.Linear)]


def get_weights(model):
    """One ``(W, b)`` per layer as float64 arrays, W of shape (n_out, n_in) like neurogebra's."""
    return [
        (layer.weight.detach().numpy().astype(np.float64), layer.bias.detach().numpy().astype(np.float64))
        for layer in linear_layers(model)
    ]


def set_weights(model, weights) -> None:
    dtype = next(model.parameters()).dtype
    with torch.no_grad():
        for layer, (W, b) in zip(linear_layers(model), weights, strict=True):
            layer.weight.copy_(torch.as_tensor(np.asarray(W), dtype=dtype))
            layer.bias.copy_(torch.as_tensor(np.asarray(b), dtype=dtype))


def load_network(layer_sizes, activation: str, weights, dtype: str = "float32") -> SpiralNet:
    model = SpiralNet(layer_sizes, activation).to(DTYPES[dtype])
    set_weights(model, weights)
    return model


def predict_without_graph(layer_sizes, activation: str, weights, X, precision: str) -> np.ndarray:
    """Class of every row of ``X`` for the network holding ``weights``, in ``precision``, under
    ``torch.no_grad`` (``scores``): no graph is recorded."""
    return evaluate(load_network(layer_sizes, activation, weights, precision), X)


def trainer(run: dict, split, threads: int = 1):
    """A run of any group: the page's random streams, the run's hyperparameters and init."""
    configure(threads)
    dtype = DTYPES[run["precision"]]
    model = build_network(run["layer_sizes"], run["activation"], run["seed"], run["precision"], run["init"])
    optimizer = make_optimizer(model, run["optimizer"], run["learning_rate"])
    X = torch.tensor(split.X_train, dtype=dtype)
    y = torch.tensor(split.y_train, dtype=torch.long)
    orders = (torch.randperm(len(X)) for _ in range(run["epochs"]))
    return Trainer(
        epochs=train(model, optimizer, X, y, run["batch_size"], orders),
        predict=lambda points: evaluate(model, points),
        weights=lambda: get_weights(model),
        model=model,
    )
