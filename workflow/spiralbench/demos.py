"""The page's small worked examples, computed rather than copied: the softmax demo and MathForge's math.

- Step 3's demo: scores [2.0, 1.0, 0.1] and target class 0, through neurogebra's
  ``softmax_cross_entropy`` and through PyTorch's ``nn.CrossEntropyLoss`` + ``torch.softmax``,
  each exactly as the page calls it (PyTorch on a float32 tensor, the page's default dtype).
- Step 8's math: MathForge's relu, its symbolic gradient, and their values at x = -2 and 2, plus
  the other activations the network can use. Each value is also computed by the autograd engine
  the network trains with (``Value``), so the table shows the symbolic and the numeric side agree.
"""
from __future__ import annotations

import pandas as pd

from spiralbench.contract import MATHFORGE_COLUMNS, SOFTMAX_COLUMNS
from neurogebra import MathForge, Value, softmax_cross_entropy

DEMO_SCORES = (2.0, 1.0, 0.1)
DEMO_TARGET = 0

# The activations neurogebra.nn offers (the page uses relu), and where to evaluate them:
# the page's x = -2 and 2, and the kink at 0, where relu's gradient is a convention (0, as PyTorch).
ACTIVATIONS = ("relu", "sigmoid", "tanh")
POINTS = (-2.0, 0.0, 2.0)


def neurogebra_softmax_demo(scores=DEMO_SCORES, target=DEMO_TARGET):
    """``(probabilities, loss)`` from neurogebra, as the page's Step 3 computes them."""
    loss, probabilities = softmax_cross_entropy([Value(s) for s in scores], target=target)
    return [p.data for p in probabilities], loss.data


def torch_softmax_demo(scores=DEMO_SCORES, target=DEMO_TARGET):
    """``(probabilities, loss)`` from PyTorch, as the page's Step 3 computes them (float32)."""
    import torch
    import torch.nn as nn

    dummy_scores = torch.tensor([list(scores)])
    dummy_target = torch.tensor([target])
    loss = nn.CrossEntropyLoss()(dummy_scores, dummy_target)
    probabilities = torch.softmax(dummy_scores, dim=1)
    return [float(p) for p in probabilities[0]], float(loss.item())


def softmax_demo_table(scores=DEMO_SCORES, target=DEMO_TARGET):
    """One row per framework × class: the score, its probability, and the sample's loss."""
    rows = []
    for framework, demo in (("neurogebra", neurogebra_softmax_demo), ("pytorch", torch_softmax_demo)):
        probabilities, loss = demo(scores, target)
        rows += [
            {"framework": framework, "class": k, "score": float(s), "probability": p, "loss": loss}
            for k, (s, p) in enumerate(zip(scores, probabilities))
        ]
    return pd.DataFrame(rows, columns=SOFTMAX_COLUMNS)


def engine_value_and_gradient(activation, x):
    """The activation and its derivative at ``x`` as the network's autograd engine computes them."""
    point = Value(x)
    out = getattr(point, activation)()
    out.backward()
    return out.data, point.grad


def mathforge_table(activations=ACTIVATIONS, points=POINTS):
    """One row per activation × point: MathForge's formula, gradient and their values (sorted)."""
    forge = MathForge()
    rows = []
    for name in activations:
        expression = forge.get(name)
        gradient = expression.gradient("x")
        for x in points:
            engine_value, engine_gradient = engine_value_and_gradient(name, x)
            rows.append(
                {
                    "expression": name,
                    "symbolic": str(expression.symbolic_expr),
                    "gradient": str(gradient.symbolic_expr),
                    "x": x,
                    "value": expression.eval(x=x),
                    "gradient_value": gradient.eval(x=x),
                    "engine_value": engine_value,
                    "engine_gradient_value": engine_gradient,
                    "symbolic_latex": expression.latex,
                    "gradient_latex": gradient.latex,
                }
            )
    table = pd.DataFrame(rows, columns=MATHFORGE_COLUMNS)
    return table.sort_values(["expression", "x"], kind="stable").reset_index(drop=True)

