"""Runs of both frameworks: bookkeeping, divergence, determinism, threads, and the files they write."""
import json
import math

import numpy as np
import pytest

from spiralbench import frameworks
from spiralbench.config import make_run, n_parameters
from spiralbench.data import make_split
from spiralbench.io import read_csv, read_json
from spiralbench.training import divergence, train_run, write_run

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
    paths = {name: tmp_path / name for name in ("history", "metrics", "predictions", "params", "timing")}
    write_run(result, **paths)
    assert read_json(paths["metrics"])["status"] == "diverged"
    assert len(read_csv(paths["history"])) == kept and len(read_csv(paths["predictions"])) == len(split.y_test)


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


def test_files_are_byte_identical_on_rerun_and_rebuild_the_model(tmp_path):
    outputs = []
    for attempt in ("a", "b"):
        paths = {name: tmp_path / attempt / name for name in ("history", "metrics", "predictions", "params", "timing")}
        write_run(train_run(run_of("pytorch"), small_split()), **paths)
        outputs.append(paths)
    for name in ("history", "metrics", "predictions", "params"):
        assert outputs[0][name].read_bytes() == outputs[1][name].read_bytes(), name
    timing = json.loads(outputs[0]["timing"].read_text())
    assert len(timing["epoch_seconds"]) == 3
    assert timing["seconds_per_epoch_p25"] <= timing["seconds_per_epoch_median"] <= timing["seconds_per_epoch_p75"]


@pytest.mark.parametrize("framework", ["neurogebra", "pytorch"])
def test_load_trained_predicts_what_the_run_predicted(framework, tmp_path):
    split = small_split(7)
    result = train_run(run_of(framework, seed=7), split)
    (tmp_path / "run").mkdir()
    names = {"history": "history.csv", "metrics": "metrics.json", "predictions": "predictions.csv",
             "params": "params.npz", "timing": "timing.json"}
    write_run(result, **{key: tmp_path / "run" / name for key, name in names.items()})
    model = frameworks.load_trained(tmp_path / "run")
    assert model.framework == framework
    predictions = read_csv(tmp_path / "run" / "predictions.csv")
    assert np.array_equal(model.predict(split.X_test), predictions["y_pred"].to_numpy())
    assert np.array_equal(predictions["y_true"].to_numpy(), split.y_test)
    scores = model.scores(split.X_test)
    assert scores.shape == (len(split.X_test), 3) and np.array_equal(np.argmax(scores, axis=1), predictions["y_pred"])


def test_neurogebra_jobs_do_not_import_torch():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from spiralbench.config import make_run\n"
        "from spiralbench.data import make_split\n"
        "from spiralbench.training import train_run\n"
        f"run = make_run('sweep', 'neurogebra', {SMALL!r}, 1, 3)\n"
        "train_run(run, make_split(1, n_points=30))\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_parameters_that_overflow_mark_the_run_diverged(monkeypatch):
    real_trainer = frameworks.trainer

    def overflowing_weights(run, split, threads=1):
        trainer = real_trainer(run, split, threads)
        real_weights = trainer.weights
        calls = []

        def weights():
            calls.append(1)
            arrays = real_weights()
            if len(calls) == 3:  # initial weights, after epoch 1, after epoch 2
                arrays[0][0][0, 0] = float("inf")
            return arrays

        trainer.weights = weights
        return trainer

    monkeypatch.setattr(frameworks, "trainer", overflowing_weights)
    result = train_run(run_of("pytorch"), small_split())
    assert result.status == "diverged" and result.diverged_epoch == 2 and result.epochs_completed == 1
    assert result.divergence == "a parameter is no longer finite"
    assert all(np.isfinite(W).all() for W, _ in result.weights)


# ---------------------------------------------------------------- initialisation and engines


def first_weights(framework, init, seed=42, engine=None):
    run = run_of(framework, seed=seed, init=init, engine=engine, hidden_sizes=[16, 16])
    return frameworks.trainer(run, small_split(seed)).weights()


@pytest.mark.parametrize("framework", ["neurogebra", "pytorch"])
@pytest.mark.parametrize("init", ["page", "torch-default"])
@pytest.mark.parametrize("seed", [7, 42])
def test_the_float32_start_is_the_float64_start_rounded(framework, init, seed):
    # Each initialisation is drawn once, the same way for both precisions: a precision effect is
    # then the precision's, not a different draw's.
    starts = {}
    for precision in ("float32", "float64"):
        run = run_of(framework, seed=seed, init=init, hidden_sizes=[16, 16], precision=precision,
                     engine="tensor" if framework == "neurogebra" else None)
        model = frameworks.trainer(run, small_split(seed)).model
        parameters = (model.parameters() if framework == "pytorch"
                      else [p.data for p in model.parameters()])
        starts[precision] = [np.asarray(p.detach().numpy() if framework == "pytorch" else p) for p in parameters]
    assert len(starts["float32"]) == len(starts["float64"]) == 6
    for start32, start64 in zip(starts["float32"], starts["float64"]):
        assert start32.dtype == np.float32 and start64.dtype == np.float64
        assert np.array_equal(start32, start64.astype(np.float32))
    # Not trivially so: the page's float64 draws carry more digits than float32 keeps.
    if init == "page":
        assert any(not np.array_equal(s64, s64.astype(np.float32).astype(np.float64)) for s64 in starts["float64"])


@pytest.mark.parametrize("framework", ["neurogebra", "pytorch"])
def test_both_frameworks_start_from_either_scheme(framework):
    page, default = first_weights(framework, "page"), first_weights(framework, "torch-default")
    for (W, b), n_in in zip(page, [2, 16, 16]):
        # The page: U(+-sqrt(6/(n_in+1))) weights, zero bias. At n_in = 16 the limit is 0.594, and
        # 256 draws all inside +-1/sqrt(16) = 0.25 would be a one-in-10^50 event.
        limit = math.sqrt(6 / (n_in + 1))
        assert np.all(np.abs(W) <= limit) and np.all(b == 0)
        if n_in == 16:
            assert np.abs(W).max() > 1 / math.sqrt(n_in)
    for (W, b), n_in in zip(default, [2, 16, 16]):
        # nn.Linear's default: U(+-1/sqrt(n_in)) weights and bias.
        limit = 1 / math.sqrt(n_in)
        assert np.all(np.abs(W) <= limit) and np.all(np.abs(b) <= limit) and np.any(b != 0)


def test_pytorch_default_init_is_what_the_page_gets():
    import torch

    from spiralbench.frameworks.torch_model import SpiralNet

    torch.manual_seed(42)
    page_model = SpiralNet([2, 16, 16, 3])
    expected = [(m.weight.detach().numpy().astype(np.float64), m.bias.detach().numpy().astype(np.float64))
                for m in page_model.network if hasattr(m, "weight")]
    for (W, b), (W0, b0) in zip(first_weights("pytorch", "torch-default"), expected):
        assert np.array_equal(W, W0) and np.array_equal(b, b0)


def test_pytorch_page_init_comes_from_the_seed_and_leaves_the_shuffles_alone():
    import torch

    from spiralbench.frameworks import torch_train

    assert all(np.array_equal(W0, W1) for (W0, _), (W1, _) in zip(first_weights("pytorch", "page", seed=3),
                                                                   first_weights("pytorch", "page", seed=3)))
    assert not np.array_equal(first_weights("pytorch", "page", seed=3)[0][0], first_weights("pytorch", "page", seed=4)[0][0])
    shuffles = {}
    for init in ("page", "torch-default"):
        torch_train.build_network([2, 8, 8, 3], "relu", seed=5, init=init)
        shuffles[init] = torch.randperm(72)
    assert torch.equal(shuffles["page"], shuffles["torch-default"])
    with pytest.raises(ValueError, match="unknown init 'he'"):
        torch_train.build_network([2, 8, 8, 3], "relu", seed=5, init="he")


@pytest.mark.parametrize("init", ["page", "torch-default"])
def test_neurogebra_engines_start_from_the_same_weights(init):
    scalar = first_weights("neurogebra", init, engine="scalar")
    tensor = first_weights("neurogebra", init, engine="tensor")
    for (W, b), (W1, b1) in zip(scalar, tensor):
        assert W.tobytes() == W1.tobytes() and b.tobytes() == b1.tobytes()


@pytest.mark.parametrize("optimizer, learning_rate, init", [
    ("sgd", 0.05, "page"), ("adam", 0.01, "torch-default"), ("sgd", 0.2, "torch-default"), ("adam", 0.05, "page"),
])
def test_neurogebra_engines_train_to_the_same_numbers(optimizer, learning_rate, init):
    changes = dict(optimizer=optimizer, learning_rate=learning_rate, init=init, epochs=5)
    scalar = train_run(run_of("neurogebra", seed=7, engine="scalar", **changes), small_split(7))
    tensor = train_run(run_of("neurogebra", seed=7, engine="tensor", **changes), small_split(7))
    assert scalar.status == tensor.status == "ok"
    assert [acc for _, _, acc in scalar.history] == [acc for _, _, acc in tensor.history]
    for (_, loss, _), (_, loss1, _) in zip(scalar.history, tensor.history, strict=True):
        assert abs(loss - loss1) <= 1e-9
    assert np.array_equal(scalar.y_pred, tensor.y_pred)
    assert tensor.metrics()["run"]["engine"] == "tensor"


def test_a_tensor_run_keeps_numpy_on_the_declared_threads():
    from threadpoolctl import threadpool_info

    train_run(run_of("neurogebra", engine="tensor"), small_split(), threads=1)
    assert all(pool["num_threads"] == 1 for pool in threadpool_info())


@pytest.mark.parametrize("framework", ["neurogebra", "pytorch"])
@pytest.mark.parametrize("precision", ["float32", "float64"])
def test_a_run_is_measured_on_the_fresh_sample_without_a_graph(framework, precision):
    from spiralbench.data import make_fresh_sample

    split = small_split()
    fresh = make_fresh_sample(42, n_per_class=500, n_classes=3, noise=0.15)
    run = run_of(framework, precision=precision, engine="tensor" if framework == "neurogebra" else None)
    result = train_run(run, split, fresh_sample=fresh)
    model = frameworks.rebuild(run, result.weights)
    expected = np.mean(frameworks.module(framework).evaluate(model, fresh[0]) == fresh[1])
    metrics = result.metrics()
    assert metrics["fresh_accuracy"] == expected and metrics["n_fresh"] == 1500
    assert result.timing()["fresh_evaluation_seconds"] > 0
    assert train_run(run, split).metrics()["fresh_accuracy"] is None


@pytest.mark.parametrize("activation", ["relu", "tanh"])
@pytest.mark.parametrize("precision", ["float32", "float64"])
def test_neurogebra_predictions_without_a_graph_are_the_tensor_engines(activation, precision):
    from spiralbench.data import make_fresh_sample
    from spiralbench.frameworks import neurogebra_train

    X, _ = make_fresh_sample(3, n_per_class=1000, n_classes=3, noise=0.15)
    network = neurogebra_train.build_network([2, 16, 16, 3], activation, seed=3, engine="tensor", precision=precision)
    weights = network.get_weights()
    expected = network.predict(X)
    assert np.array_equal(neurogebra_train.predict_without_graph(weights, activation, X, precision), expected)
    # A scalar-engine run's float64 weights: the tensor engine's arithmetic, on the same predictions here.
    scalar = neurogebra_train.load_network([2, 16, 16, 3], activation, weights, "scalar", "float64")
    if precision == "float64":
        assert np.array_equal(neurogebra_train.predict_without_graph(weights, activation, X, "float64"),
                              scalar.predict(X))
