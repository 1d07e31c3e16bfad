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


# ---------------------------------------------------------------- the instrument: calibration, rounds, noise

SECONDS = {"scalar": 0.02, "tensor": 0.002, "torch": 0.004, "numpy": 0.001}  # per epoch, in float64


def fake_timer(disturbance, noisy=()):
    """A stand-in for ``time_epochs``: each cell's true seconds per epoch (float32 twice as fast at width 8,
    the same at width 4), times the machine's state of the moment (``disturbance(call)``, the same for
    every cell timed at that moment), times 1 ± 40% for the cells in ``noisy``; records the calls."""
    calls = []

    def time_epochs(implementation, precision, width, settings, split, seed, clock=None):
        calls.append((implementation, precision, width, settings["epochs"]))
        seconds = SECONDS[implementation] * width / 4 / (2 if precision == "float32" and width == 8 else 1)
        factor = disturbance(len(calls))
        if (implementation, precision, width) in noisy:
            factor *= 1.4 if len(calls) % 2 else 0.6
        return seconds * factor
    return time_epochs, calls


def measured(monkeypatch, disturbance, noisy=(), **overrides):
    from spiralbench import speed
    timer, calls = fake_timer(disturbance, noisy)
    monkeypatch.setattr(speed, "time_epochs", timer)
    lines = []
    settings = dict(SETTINGS, repeats=6, max_repeats=10, **overrides)
    table = measure(settings, lambda: make_split(3, n_points=20), seed=3, report=lines.append)
    return table, calls, lines


def verdicts(table):
    from spiralbench.findings import speed as sp
    answers = {}
    for precision in ("float32", "float64"):
        for r in sp.ratio_verdicts(table, "torch", "tensor", precision).itertuples():
            answers[("tensor vs torch", precision, r.hidden_width)] = r.verdict
    for r in sp.precision_speedups(table).itertuples():
        answers[("float32", r.implementation, r.hidden_width)] = r.verdict
    return answers


def test_a_sample_lasts_at_least_min_sample_seconds_and_warm_ups_are_discarded(monkeypatch):
    table, calls, _ = measured(monkeypatch, lambda call: 1.0)
    # numpy at width 4: 1 ms an epoch, so 50 epochs make a 50 ms sample; the scalar engine at width 4 (20 ms)
    # needs 3. The calibration (one epoch) and a warm-up sample per cell are timed but not written.
    per_sample = table.groupby(["implementation", "precision", "hidden_width"])["epochs_per_sample"].first()
    assert per_sample[("numpy", "float64", 4)] == 50 and per_sample[("scalar", "float64", 4)] == 3
    cells = len(timed_cells(SETTINGS))
    pairs = 7  # the untimed first epoch of every (implementation, precision)
    assert len(calls) == pairs + cells * (1 + 1) + len(table)
    assert table["stable"].all() and (table.groupby("hidden_width")["repeat"].max() == 6).all()


def test_the_rounds_interleave_the_implementations_and_rotate():
    from spiralbench.speed import round_order
    cells = [("tensor", "float64", 4), ("torch", "float64", 4), ("numpy", "float64", 4)]
    orders = [round_order(cells, r) for r in (1, 2, 3, 4)]
    assert orders[0] == cells and orders[1] == cells[1:] + cells[:1] and orders[3] == orders[0]
    # Across a round's end no cell is timed right after itself.
    assert all(a[-1] != b[0] for a, b in zip(orders, orders[1:]))
    assert round_order(cells[:2], 2) == cells[:2]
    # Two implementations in two precisions: a plain rotation would start a round with the implementation
    # that ended the one before; the order turns one step further instead.
    four = [("tensor", "float32", 4), ("torch", "float32", 4), ("tensor", "float64", 4), ("torch", "float64", 4)]
    previous = four[-1]
    for r in range(1, 9):
        order = round_order(four, r, previous)
        assert sorted(order) == sorted(four) and order[0][0] != previous[0]
        assert all(a[0] != b[0] for a, b in zip(order, order[1:]))
        previous = order[-1]


def test_slow_stretches_of_the_machine_leave_the_median_per_round_ratio_as_it_is(monkeypatch):
    # Every third stretch of 13 calls runs 3x slower, for every cell timed in it (about two rounds in three are quiet).
    table, _, lines = measured(monkeypatch, lambda call: 3.0 if (call // 13) % 3 == 0 else 1.0,
                               unstable_threshold=10.0)
    from spiralbench.findings import speed as sp
    row = sp.ratio_verdicts(table, "torch", "tensor", "float64").set_index("hidden_width").loc[4]
    assert row["ratio"] == pytest.approx(2.0) and row["low"] == pytest.approx(2.0, rel=0.6)
    assert all("every cell stable" in line for line in lines)


def test_two_noisy_but_consistent_runs_give_the_same_verdicts(monkeypatch):
    rng_a, rng_b = np.random.default_rng(1), np.random.default_rng(2)
    # The machine drifts by up to ±4% from one sample to the next, in two different ways.
    first, _, _ = measured(monkeypatch, lambda call: rng_a.uniform(0.96, 1.04))
    second, _, _ = measured(monkeypatch, lambda call: rng_b.uniform(0.96, 1.04))
    assert not first["seconds_per_epoch"].equals(second["seconds_per_epoch"])
    assert verdicts(first) == verdicts(second)
    assert verdicts(first)[("tensor vs torch", "float64", 4)] == "faster"
    assert verdicts(first)[("float32", "numpy", 8)] == "faster"  # twice as fast at width 8
    assert verdicts(first)[("float32", "numpy", 4)] == "about the same"


def test_a_disturbed_cell_is_repeated_then_marked_unstable_and_gives_no_verdict(monkeypatch):
    noisy = {("torch", "float64", 8)}
    table, _, lines = measured(monkeypatch, lambda call: 1.0, noisy=noisy)
    at_8 = table[table["hidden_width"] == 8]
    assert (at_8.groupby(["implementation", "precision"])["repeat"].max() == 10).all()  # repeated to max_repeats
    assert set(at_8.loc[~at_8["stable"], "implementation"]) == {"torch"}
    assert table.loc[table["hidden_width"] == 4, "stable"].all()
    assert "width 8: 10 rounds; UNSTABLE" in lines[1] and "torch float64" in lines[1]
    from spiralbench.findings import speed as sp
    assert verdicts(table)[("tensor vs torch", "float64", 8)] == sp.UNSTABLE
    assert verdicts(table)[("tensor vs torch", "float32", 8)] == "faster"
    assert sp.unstable_cells(table)[["implementation", "precision", "hidden_width"]].values.tolist() == [
        ["torch", "float64", 8]]


@pytest.mark.parametrize("low, high, verdict", [
    (1.2, 1.5, "faster"), (0.5, 0.85, "slower"), (0.95, 1.05, "about the same"),
    (0.9, 1.3, "not resolved"),  # straddles 1: no verdict
    (1.05, 1.2, "not resolved"),  # faster than 1, but not clear of the 10% band
])
def test_a_verdict_is_drawn_only_where_its_interval_allows(low, high, verdict):
    from spiralbench.findings import speed as sp
    assert sp.speed_verdict(low, high) == verdict
    assert sp.speed_verdict(low, high, stable=False) == sp.UNSTABLE
    assert sp.speed_verdict(low, high, rounds=2) == sp.NOT_RESOLVED


def test_the_median_interval_is_distribution_free_and_deterministic():
    from spiralbench.findings import speed as sp
    median, low, high, coverage = sp.median_interval([5, 1, 4, 2, 3])
    assert (median, low, high) == (3, 1, 5) and coverage == pytest.approx(1 - 2 / 32)
    median, low, high, coverage = sp.median_interval(range(1, 21))
    assert (low, high) == (6, 15) and coverage >= 0.95  # the 6th smallest and 6th largest of 20
    assert sp.median_interval(range(1, 21)) == (median, low, high, coverage)


def test_two_real_runs_of_the_speed_job_agree_on_every_verdict_both_could_draw():
    """The real job twice, one after the other, on tiny settings: every verdict drawn in both runs (stable
    cells, resolved intervals) is the same. What one run leaves unresolved or marks disturbed is not
    compared (it is no verdict); when the machine disturbed every comparison, there is nothing to test."""
    settings = dict(SETTINGS, hidden_widths=[4, 64], implementations=["tensor", "torch", "numpy"],
                    repeats=6, max_repeats=9, min_sample_seconds=0.02)
    runs = [verdicts(measure(settings, lambda: make_split(3, n_points=60), seed=3, report=lambda line: None))
            for _ in range(2)]
    drawn = [key for key in runs[0] if {runs[0][key], runs[1].get(key)} <= {"faster", "slower", "about the same"}]
    if not drawn:
        pytest.skip("the machine disturbed every comparison in one run or the other: no verdict to compare")
    assert {key: runs[0][key] for key in drawn} == {key: runs[1][key] for key in drawn}
