"""The speed job's measurement: what it times and what it writes (with a fake clock: no timing here)."""
from itertools import count

import numpy as np
import pytest

from spiralbench import numpy_floor
from spiralbench.controlled import epoch_orders, initial_weights, start
from spiralbench.data import make_split
from spiralbench.speed import COLUMNS, measure, timed_cells

SETTINGS = {"hidden_widths": [4, 8], "implementations": ["scalar", "tensor", "torch", "numpy"],
            "precisions": ["float32", "float64"], "scalar_max_width": 4, "epochs": 1, "repeats": 2,
            "batch_size": 10, "optimizer": "sgd", "learning_rate": 0.05, "threads": 1}
EPS = float(np.finfo(np.float32).eps)


def test_the_scalar_engine_is_timed_only_in_float64_and_up_to_its_width():
    both = [(name, precision, width) for name in ("tensor", "torch", "numpy") for precision in ("float32", "float64")
            for width in (4, 8)]
    assert sorted(timed_cells(SETTINGS)) == sorted([("scalar", "float64", 4), *both])
    # The repeats go round the widths one after the other, every implementation and precision within each,
    # and never time an implementation right after itself (the second run would gain from the first).
    cells = timed_cells(SETTINGS)
    assert [width for _, _, width in cells] == [4] * 7 + [8] * 6
    assert all(before[0] != after[0] for before, after in zip(cells, cells[1:]))
    float32 = dict(SETTINGS, precisions=["float32"])
    assert {name for name, _, _ in timed_cells(float32)} == {"tensor", "torch", "numpy"}


def test_one_row_per_implementation_precision_width_and_repeat():
    ticks = count()
    table = measure(SETTINGS, lambda: make_split(3, n_points=20), seed=3, clock=lambda: float(next(ticks)))
    assert list(table.columns) == COLUMNS
    assert len(table) == 13 * 2
    cells = set(zip(table["implementation"], table["precision"], table["hidden_width"]))
    assert cells == set(timed_cells(SETTINGS))
    # Each timing reads the clock twice (start, end), one tick apart: 1 s per epoch with the fake clock.
    assert (table["seconds_per_epoch"] == 1.0).all()
    assert (table["samples_per_second"] == len(make_split(3, n_points=20).X_train)).all()


def test_the_numpy_floor_refuses_what_it_was_not_written_for():
    settings = dict(SETTINGS, seed=3, hidden_sizes=[4, 4], activation="tanh")
    split = make_split(3, n_points=20)
    with pytest.raises(ValueError, match=r"the numpy floor is written for relu networks, got activation 'tanh'"):
        start("numpy", settings, split, [], [])
    with pytest.raises(ValueError, match=r"unknown implementation 'jax'"):
        start("jax", settings, split, [], [])
    with pytest.raises(ValueError, match=r"the scalar engine computes in Python floats \(float64\) only"):
        start("scalar", dict(settings, activation="relu"), split, initial_weights(settings, split), [],
              precision="float32")


def training(optimizer, learning_rate, seed=3):
    settings = {"seed": seed, "optimizer": optimizer, "learning_rate": learning_rate, "epochs": 5,
                "batch_size": 16, "hidden_sizes": [8, 8], "activation": "relu"}
    split = make_split(seed)
    return settings, split, initial_weights(settings, split), epoch_orders(settings, split)


@pytest.mark.parametrize("optimizer, learning_rate", [("sgd", 0.05), ("adam", 0.01)])
def test_in_float32_the_implementations_agree_to_float32_rounding(optimizer, learning_rate):
    """Timed in float32, they still do the same work: the same weights rounded once, the same batches.

    Measured (seeds 3, 7, 42; 5 epochs of 2-8-8-3): the epoch losses of PyTorch and the numpy floor
    differ from the tensor engine's by at most 0.43 EPS relative, with the same accuracies; float32
    against float64 moves a loss by about 1e-7 (2 EPS). The bound is 4 EPS."""
    settings, split, weights, orders = training(optimizer, learning_rate)
    tensor = np.array(list(start("tensor", settings, split, weights, orders, precision="float32")))
    for name in ("torch", "numpy"):
        other = np.array(list(start(name, settings, split, weights, orders, precision="float32")))
        assert np.max(np.abs(other[:, 0] - tensor[:, 0]) / tensor[:, 0]) <= 4 * EPS
        assert (other[:, 1] == tensor[:, 1]).all()


@pytest.mark.parametrize("precision", ["float32", "float64"])
@pytest.mark.parametrize("optimizer, learning_rate", [("sgd", 0.05), ("adam", 0.01)])
def test_the_numpy_floor_computes_in_the_precision_asked(monkeypatch, optimizer, learning_rate, precision):
    """Every parameter and every gradient the floor's optimizer sees has the precision's dtype: a silent
    upcast anywhere in the forward or backward pass would reach the gradients."""
    seen = set()

    def recording(make_step):
        def make(params, *args):
            step = make_step(params, *args)

            def record(grads):
                seen.update(array.dtype for array in (*params, *grads))
                step(grads)
            return record
        return make

    monkeypatch.setattr(numpy_floor, "_sgd", recording(numpy_floor._sgd))
    monkeypatch.setattr(numpy_floor, "_adam", recording(numpy_floor._adam))
    settings, split, weights, orders = training(optimizer, learning_rate)
    list(start("numpy", settings, split, weights, orders, precision=precision))
    assert seen == {np.dtype(precision)}
