"""Runs of both frameworks: bookkeeping, divergence, determinism, threads, and the files they write."""
import math
import subprocess
import sys

import numpy as np
import pytest

from spiralbench import frameworks, job_tables
from spiralbench.config import make_run, n_parameters
from spiralbench.data import make_split
from spiralbench.io import ResultFileError
from spiralbench.job_tables import write_job
from spiralbench.training import divergence, train_run

SMALL = {"optimizer": "sgd", "learning_rate": 0.05, "batch_size": 16, "epochs": 3,
         "hidden_sizes": [8, 8], "activation": "relu"}


def small_split(seed=42):
    return make_split(seed, n_points=30, n_classes=3, noise=0.15, train_fraction=0.8)


def run_of(framework, seed=42, engine=None, **changes):
    return make_run("sweep", framework, dict(SMALL, **changes), seed, n_classes=3, engine=engine)


@pytest.mark.parametrize("framework", ["neurogebra", "pytorch"])
def test_a_run_records_every_epoch_and_its_test_predictions(framework):
    split = small_split()
    result = train_run(run_of(framework), split)
    assert result.status == "ok" and result.epochs_completed == 3
    assert [epoch for epoch, _, _ in result.history] == [1, 2, 3]
    n_batches = math.ceil(72 / 16)
    for _, loss, accuracy in result.history:
        # A mean cross-entropy per batch of about ln 3 at the start, summed over 5 batches.
        assert 0 < loss < n_batches * 3 * math.log(3)
        assert 0 <= accuracy <= 1 and (accuracy * 72).is_integer()
    metrics = result.metrics()
    assert metrics["final_loss"] == result.history[-1][1]
    assert metrics["train_accuracy"] == result.history[-1][2]
    assert metrics["test_accuracy"] == np.mean(result.y_pred == split.y_test)
    assert metrics["n_parameters"] == n_parameters([2, 8, 8, 3]) == 123
    assert len(result.epoch_seconds) == 3 and all(s > 0 for s in result.epoch_seconds)


@pytest.mark.parametrize("framework", ["neurogebra", "pytorch"])
def test_same_run_twice_gives_the_same_numbers(framework):
    a = train_run(run_of(framework, optimizer="adam", learning_rate=0.01), small_split())
    b = train_run(run_of(framework, optimizer="adam", learning_rate=0.01), small_split())
    assert a.history == b.history
    for (Wa, ba), (Wb, bb) in zip(a.weights, b.weights):
        assert Wa.tobytes() == Wb.tobytes() and ba.tobytes() == bb.tobytes()


@pytest.mark.parametrize("framework", ["neurogebra", "pytorch"])
def test_learning_rate_50_diverges_and_keeps_the_last_complete_epoch(framework, tmp_path):
    split = small_split()
    result = train_run(run_of(framework, learning_rate=50), split)
    assert result.status == "diverged" and result.diverged_epoch in (1, 2, 3)
    assert result.epochs_completed == result.diverged_epoch - 1
    assert "exceeds 10 x ln(n_classes)" in result.divergence
    metrics = result.metrics()
    assert metrics["final_loss"] is None and metrics["test_accuracy"] is None
    # The saved model is the one a run stopped before the diverging epoch ends with.
    kept = result.epochs_completed
    if kept:
        reference = train_run(run_of(framework, learning_rate=50, epochs=kept), small_split()).weights
    else:
        reference = frameworks.trainer(run_of(framework, learning_rate=50), small_split()).weights()
    for (W, b), (W0, b0) in zip(result.weights, reference):
        assert np.array_equal(W, W0) and np.array_equal(b, b0)
    paths = [tmp_path / name for name in job_tables.JOB_FILES]
    write_job([result], *paths)
    row = job_tables.read_table(paths[0]).iloc[0]
    assert row["status"] == "diverged" and row["diverged_epoch"] == result.diverged_epoch
    assert len(job_tables.read_table(paths[1])) == kept and len(row["y_pred"]) == len(split.y_test)


def test_divergence_rules():
    run = run_of("neurogebra", batch_size=16)  # 72 training points: 5 batches
    assert divergence(float("nan"), run, 72) == "the epoch's loss is nan"
    assert divergence(float("inf"), run, 72) == "the epoch's loss is inf"
    limit = 10 * math.log(3)
    assert divergence(5 * limit, run, 72) is None  # a mean batch loss exactly at the limit
    assert "exceeds" in divergence(5 * limit * 1.0001, run, 72)


def test_an_engine_arithmetic_error_marks_the_run_diverged(monkeypatch):
    real_trainer = frameworks.trainer

    def overflowing(run, split, threads=1):
        trainer = real_trainer(run, split, threads)
        inner = trainer.epochs

        def epochs():
            yield next(inner)
            raise OverflowError("Value.exp() of 1000.0 overflows float64")

        trainer.epochs = epochs()
        return trainer

    monkeypatch.setattr(frameworks, "trainer", overflowing)
    result = train_run(run_of("neurogebra"), small_split())
    assert result.status == "diverged" and result.diverged_epoch == 2 and result.epochs_completed == 1
    assert result.divergence == "OverflowError: Value.exp() of 1000.0 overflows float64"


def test_pytorch_uses_exactly_the_declared_threads_and_deterministic_kernels():
    import torch

    train_run(run_of("pytorch"), small_split(), threads=2)
    assert torch.get_num_threads() == 2
    train_run(run_of("pytorch"), small_split(), threads=1)
    assert torch.get_num_threads() == 1
    assert torch.are_deterministic_algorithms_enabled()


def test_deterministic_kernels_are_required_in_a_fresh_process_without_loading_the_compiler():
    """A job's first configure: errors (not warnings) on nondeterministic kernels, and torch.compile's compiler,
    which the public switch would import for nothing, stays unloaded."""
    probe = ("import sys, torch\n"
             "from spiralbench.frameworks import torch_train\n"
             "assert not torch.are_deterministic_algorithms_enabled()\n"
             "torch_train.configure(1)\n"
             "print(torch.are_deterministic_algorithms_enabled(), torch.is_deterministic_algorithms_warn_only_enabled(),"
             " 'torch._inductor' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True", "False", "False"]


def test_job_tables_are_byte_identical_on_rerun_and_rebuild_the_model(tmp_path):
    outputs = []
    for attempt in ("a", "b"):
        paths = [tmp_path / attempt / name for name in job_tables.JOB_FILES]
        write_job([train_run(run_of("pytorch", seed=seed), small_split(seed)) for seed in (3, 4)], *paths)
        outputs.append(paths)
    for first, second in zip(*outputs):
        if first.name in job_tables.DETERMINISTIC_FILES:
            assert first.read_bytes() == second.read_bytes(), first.name
    timing = job_tables.read_table(outputs[0][2])
    assert timing["run_id"].str.endswith(("seed3", "seed4")).all() and timing["epoch_seconds"].map(len).tolist() == [3, 3]
    assert (timing["seconds_per_epoch_p25"] <= timing["seconds_per_epoch_median"]).all()
    assert (timing["seconds_per_epoch_median"] <= timing["seconds_per_epoch_p75"]).all()


@pytest.mark.parametrize("framework", ["neurogebra", "pytorch"])
def test_load_trained_predicts_what_the_run_predicted(framework, tmp_path):
    split = small_split(7)
    result = train_run(run_of(framework, seed=7), split)
    paths = [tmp_path / name for name in job_tables.JOB_FILES]
    write_job([result], *paths)
    model = frameworks.load_trained(paths[0], result.run["run_id"])
    assert model.framework == framework
    predictions = job_tables.read_table(paths[0]).iloc[0]["y_pred"]
    assert np.array_equal(model.predict(split.X_test), predictions)
    scores = model.scores(split.X_test)
    assert scores.shape == (len(split.X_test), 3) and np.array_equal(np.argmax(scores, axis=1), predictions)
    for (W, b), (W0, b0) in zip(job_tables.trained_weights(paths[0], result.run["run_id"])[1], result.weights):
        assert W.tobytes() == np.asarray(W0, dtype=np.float64).tobytes() and np.array_equal(b, b0)
    with pytest.raises(ResultFileError, match="no run 'elsewhere'"):
        frameworks.load_trained(paths[0], "elsewhere")
