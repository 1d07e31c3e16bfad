"""The page's training loop written by hand in numpy, with no autograd: the floor of any numpy engine.

Forward pass, the gradient of the batch-mean softmax cross-entropy and the backward pass through
the ReLU layers are spelled out as matrix products, and the optimizers are the ``torch.optim``
rules of ``neurogebra.optim`` on whole arrays. Whatever an autograd engine over numpy adds on top
of this (graph nodes, closures, bookkeeping) is its overhead, which is why the speed comparisons
time it beside the engines. It computes the same numbers as they do (to rounding), which the tests
check, so that the floor is known to do the same work.
"""
from __future__ import annotations

import numpy as np


def train(weights, optimizer: str, learning_rate: float, X, y, batch_size: int, epoch_orders,
          betas=(0.9, 0.999), eps=1e-8, dtype="float64"):
    """Train the ReLU network ``weights`` (``[(W, b), ...]``, copied); yield ``(epoch_loss, accuracy)``.

    The epoch loss is the sum of the batches' mean losses, the accuracy counts the samples
    classified right before each step, as in the page's loop. Everything is computed in ``dtype``
    (float64 or float32): the weights and points are rounded to it once, every array made from
    them keeps it, and the constants are Python floats, which take the array's dtype (NEP 50).
    """
    # Each layer computes x @ W + b with W stored (n_inputs, n_outputs), as the tensor engine does.
    params = [np.array(array, dtype=dtype, order="C") for W, b in weights for array in (np.transpose(W), b)]
    X = np.asarray(X, dtype=dtype)
    step = _sgd(params, learning_rate) if optimizer == "sgd" else _adam(params, learning_rate, betas, eps)
    n_layers = len(params) // 2
    for order in epoch_orders:
        epoch_loss = 0.0
        correct = 0
        for start in range(0, len(X), batch_size):
            batch_idx = order[start:start + batch_size]
            targets = y[batch_idx]
            rows = np.arange(len(batch_idx))
            # Forward: keep every layer's input for the backward pass.
            inputs = [X[batch_idx]]
            for i in range(n_layers):
                z = inputs[-1] @ params[2 * i] + params[2 * i + 1]
                inputs.append(np.maximum(z, 0.0) if i < n_layers - 1 else z)
            scores = inputs.pop()
            shifted = scores - scores.max(axis=1, keepdims=True)
            exp_scores = np.exp(shifted)
            sum_exp = exp_scores.sum(axis=1)
            epoch_loss += float((np.log(sum_exp) - shifted[rows, targets]).mean())
            correct += int(np.count_nonzero(scores.argmax(axis=1) == targets))
            # Backward: d(mean loss)/d(scores) = (softmax - one_hot) / n, then layer by layer.
            grad = exp_scores / sum_exp[:, None]
            grad[rows, targets] -= 1.0
            grad /= len(batch_idx)
            grads = [None] * len(params)
            for i in reversed(range(n_layers)):
                grads[2 * i] = inputs[i].T @ grad
                grads[2 * i + 1] = grad.sum(axis=0)
                if i:
                    grad = (grad @ params[2 * i].T) * (inputs[i] > 0.0)
            step(grads)
        yield epoch_loss, correct / len(X)


def _sgd(params, lr):
    def step(grads):
        for p, g in zip(params, grads):
            p -= lr * g
    return step


def _adam(params, lr, betas, eps):
    beta1, beta2 = betas
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    t = 0

    def step(grads):
        nonlocal t
        t += 1
        step_size = lr / (1.0 - beta1**t)
        bias_correction2_sqrt = (1.0 - beta2**t) ** 0.5
        for i, (p, g) in enumerate(zip(params, grads)):
            m[i] = m[i] + (1.0 - beta1) * (g - m[i])
            v[i] = v[i] * beta2 + (1.0 - beta2) * g * g
            p -= step_size * (m[i] / (np.sqrt(v[i]) / bias_correction2_sqrt + eps))
    return step
