"""The speed job's measurement: what it times and what it writes (with a fake clock: no timing here)."""
from itertools import count

import pytest

from spiralbench.data import make_split
from spiralbench.speed import COLUMNS, measure, timed_cells

SETTINGS = {"hidden_widths": [4, 8], "implementations": ["scalar", "tensor", "torch", "numpy"],
            "scalar_max_width": 4, "epochs": 1, "repeats": 2, "batch_size": 10, "optimizer": "sgd",
            "learning_rate": 0.05, "threads": 1}


def test_the_scalar_engine_is_timed_only_up_to_its_width():
    assert timed_cells(SETTINGS) == [("scalar", 4), ("tensor", 4), ("torch", 4), ("numpy", 4),
                                     ("tensor", 8), ("torch", 8), ("numpy", 8)]


def test_one_row_per_implementation_width_and_repeat():
    ticks = count()
    table = measure(SETTINGS, lambda: make_split(3, n_points=20), seed=3, clock=lambda: float(next(ticks)))
    assert list(table.columns) == COLUMNS
    assert len(table) == 7 * 2
    assert sorted(set(zip(table["implementation"], table["hidden_width"]))) == sorted(timed_cells(SETTINGS))
    # Each timing reads the clock twice (start, end), one tick apart: 1 s per epoch with the fake clock.
    assert (table["seconds_per_epoch"] == 1.0).all()
    assert (table["samples_per_second"] == len(make_split(3, n_points=20).X_train)).all()


def test_the_numpy_floor_refuses_what_it_was_not_written_for():
    from spiralbench.controlled import start

    settings = dict(SETTINGS, seed=3, hidden_sizes=[4, 4], activation="tanh")
    split = make_split(3, n_points=20)
    with pytest.raises(ValueError, match=r"the numpy floor is written for relu networks, got activation 'tanh'"):
        start("numpy", settings, split, [], [])
    with pytest.raises(ValueError, match=r"unknown implementation 'jax'"):
        start("jax", settings, split, [], [])
