"""The controlled comparison: same weights, same batches, same optimizer, float64. neurogebra's scalar
engine, its tensor engine and PyTorch must then trace the same loss curve."""
from pathlib import Path

import pytest

from spiralbench.config import load_config
from spiralbench.controlled import COLUMNS, compare
from spiralbench.data import make_split

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def default_controlled():
    config = load_config(REPO / "config" / "config.yaml")
    return config["controlled"], config["data"]


def test_default_controlled_comparison_agrees_to_1e_6(default_controlled):
    settings, data = default_controlled
    table = compare(settings, make_split(settings["seed"], **data))
    assert list(table.columns) == COLUMNS
    assert table["epoch"].tolist() == list(range(1, settings["epochs"] + 1))
    assert table["abs_diff"].max() < 1e-9
    losses = table[["scalar_loss", "tensor_loss", "torch_loss"]]
    assert table["abs_diff"].tolist() == (losses.max(axis=1) - losses.min(axis=1)).tolist()
    assert (table["scalar_accuracy"] == table["tensor_accuracy"]).all()
    assert (table["scalar_accuracy"] == table["torch_accuracy"]).all()
    # The curves agree because all learn the same way, not because none learns.
    assert table["scalar_loss"].iloc[-1] < 0.7 * table["scalar_loss"].iloc[0]


@pytest.mark.parametrize("optimizer, learning_rate, activation", [("adam", 0.01, "relu"), ("sgd", 0.1, "tanh")])
def test_other_optimizers_and_activations_agree_too(optimizer, learning_rate, activation):
    settings = {"seed": 3, "optimizer": optimizer, "learning_rate": learning_rate, "epochs": 4,
                "batch_size": 10, "hidden_sizes": [6, 5], "activation": activation}
    table = compare(settings, make_split(3, n_points=30))
    assert table["abs_diff"].max() < 1e-9
    assert (table["scalar_accuracy"] == table["tensor_accuracy"]).all()
    assert (table["tensor_accuracy"] == table["torch_accuracy"]).all()


def test_different_batches_would_be_visible():
    """The check has teeth: with another shuffle stream the two curves part at once."""
    settings = {"seed": 3, "optimizer": "sgd", "learning_rate": 0.1, "epochs": 2,
                "batch_size": 10, "hidden_sizes": [6, 5], "activation": "relu"}
    same = compare(settings, make_split(3, n_points=30))
    other_split = make_split(3, n_points=30)
    other_split.stream.permutation(72)  # advance the stream: other epoch orders
    shifted = compare(settings, other_split)
    for name in ("scalar", "tensor", "torch"):
        assert (same[f"{name}_loss"] - shifted[f"{name}_loss"]).abs().max() > 1e-6
