"""Inspection draws what the page's Steps 7 and 8 draw, from the saved parameters, without graphs."""

import ast
import random

import matplotlib
import numpy as np
import pytest
import torch

from neurogebra import NeuralNetwork, Value
from spiralbench import inspection
from spiralbench.config import make_run
from spiralbench.frameworks import TrainedModel, load_trained, torch_train
from spiralbench.io import load_npz, save_npz
from spiralbench.job_tables import JOB_FILES, job_path, write_job
from spiralbench.training import RunResult
from tutorial_page import run_page, step_source

LAYER_SIZES = [2, 16, 16, 3]
SETTING = {
    "optimizer": "sgd",
    "learning_rate": 0.05,
    "batch_size": 16,
    "epochs": 30,
    "hidden_sizes": [16, 16],
    "activation": "relu",
}


@pytest.fixture
def pair():
    """A neurogebra network with the page's initial weights, and a PyTorch one holding the same weights."""
    network = NeuralNetwork(LAYER_SIZES, activations=["relu", "relu", "linear"], rng=random.Random(42))
    model = torch_train.load_network(LAYER_SIZES, "relu", network.get_weights(), "float32")
    return network, model


def trained_models(network, model):
    run = make_run("sweep", "neurogebra", SETTING, 42, 3)
    return [TrainedModel("neurogebra", run, network), TrainedModel("pytorch", dict(run, framework="pytorch"), model)]


class RecordingAxes:
    """Stands in for a matplotlib Axes: keeps what the page's plot function draws."""

    def contourf(self, xx, yy, Z, **kwargs):
        self.xx, self.yy, self.Z = xx, yy, Z

    def __getattr__(self, name):
        return lambda *args, **kwargs: None


def page_functions(step, names, namespace):
    """Define the page's functions ``names`` of ``step`` in ``namespace`` (none of its other code runs)."""
    tree = ast.parse(step_source(step))
    wanted = [node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name in names]
    assert sorted(node.name for node in wanted) == sorted(names)
    exec(compile(ast.Module(body=wanted, type_ignores=[]), "page", "exec"), namespace)
    return namespace


def page_boundary(predict_name, X, network, model):
    namespace = page_functions(
        7,
        ["plot_decision_boundary", "neuro_predict", "torch_predict"],
        {"np": np, "torch": torch, "Value": Value, "nn_neuro": network, "nn_torch": model},
    )
    axes = RecordingAxes()
    namespace["plot_decision_boundary"](namespace[predict_name], X, np.zeros(len(X), dtype=int), "", axes)
    return axes


# A small cloud of test points keeps the page's point-by-point loop quick (a grid of about 51 x 55).
SMALL_X = np.array([[0.0, 0.0], [0.01, 0.1], [-0.003, 0.05]])


def test_boundaries_equal_the_pages_point_by_point_predictions(pair):
    network, model = pair
    arrays = inspection.decision_boundaries(trained_models(network, model), SMALL_X)
    neuro = page_boundary("neuro_predict", SMALL_X, network, model)
    torch_page = page_boundary("torch_predict", SMALL_X, network, model)
    assert np.array_equal(arrays["xx"], neuro.xx) and np.array_equal(arrays["yy"], neuro.yy)
    assert arrays["xx"].size > 2500
    assert np.array_equal(arrays["Z_neurogebra"], neuro.Z)
    assert np.array_equal(arrays["Z_pytorch"], torch_page.Z)
    # The random network is not constant on this grid, so the comparison above means something.
    assert len(np.unique(neuro.Z)) > 1


def test_boundary_grid_spans_the_points_with_the_pages_margin_and_step():
    X = np.array([[-1.0, 2.0], [1.0, 3.0]])
    xx, yy = inspection.boundary_grid(X)
    assert xx[0, 0] == -1.5 and yy[0, 0] == 1.5
    assert xx[0, -1] < 1.5 <= xx[0, -1] + 0.02 + 1e-12
    assert yy[-1, 0] < 3.5 <= yy[-1, 0] + 0.02 + 1e-12
    assert np.allclose(np.diff(xx[0]), 0.02) and np.allclose(np.diff(yy[:, 0]), 0.02)
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        inspection.boundary_grid(np.zeros((4, 3)))


def test_neuron_maps_equal_the_pages_step8_maps(pair):
    network, model = pair
    arrays = inspection.neuron_maps(trained_models(network, model))
    xx, yy = arrays["xx"], arrays["yy"]
    assert xx.shape == (60, 60) and xx[0, 0] == -1.5 and xx[0, -1] == pytest.approx(1.45)
    assert arrays["maps"].shape == (16, 60, 60)
    # The page's Step 8 loop, run as written: it leaves the last of its 8 drawn neurons in Z.
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    namespace = run_page([8], namespace={"np": np, "plt": plt, "Value": Value, "nn_neuro": network})
    assert namespace["idx"] == 7
    assert np.array_equal(arrays["maps"][7], namespace["Z"])
    assert np.array_equal(namespace["xx"], xx)
    # Every neuron, through the page's own expression (a graph per point), at a sample of points.
    for k in (0, 5, 15):
        neuron = network.layers[0].neurons[k]
        for j, i in [(0, 0), (13, 41), (59, 59), (30, 2)]:
            page_value = neuron([Value(float(xx[j, i])), Value(float(yy[j, i]))]).data
            assert arrays["maps"][k][j, i] == page_value


def test_pytorch_maps_are_the_first_layer_in_float32(pair):
    network, model = pair
    arrays = inspection.neuron_maps(trained_models(network, model))
    W, b = network.get_weights()[0]
    points = np.c_[arrays["xx"].ravel(), arrays["yy"].ravel()].astype(np.float32)
    expected = np.maximum(points @ W.T.astype(np.float32) + b.astype(np.float32), 0)
    assert arrays["pytorch_maps"].shape == (16, 60, 60)
    assert np.allclose(arrays["pytorch_maps"], expected.T.reshape(16, 60, 60), atol=1e-6)
    assert np.allclose(arrays["pytorch_maps"], arrays["maps"], atol=1e-5)


def test_agreement_is_the_share_of_equal_predictions():
    assert inspection.agreement([[0, 1], [2, 2]], [[0, 1], [1, 2]]) == 0.75
    assert inspection.agreement([[1]], [[1]]) == 1.0
    with pytest.raises(ValueError, match="same non-empty grid"):
        inspection.agreement([[0, 1]], [[0], [1]])


def test_layer_stats_match_a_hand_computation():
    weights = [(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([0.0, 1.0])), (np.array([[-2.0, 2.0]]), np.array([5.0]))]
    rows = inspection.layer_stats("neurogebra", "r", weights)
    assert [row["layer"] for row in rows] == [1, 2]
    first = rows[0]
    assert (first["n_neurons"], first["weight_mean"], first["weight_min"], first["weight_max"]) == (2, 2.5, 1.0, 4.0)
    assert first["weight_std"] == pytest.approx(np.sqrt(1.25))  # population std, as the page's np.std
    assert (first["bias_mean"], first["bias_std"]) == (0.5, 0.5)
    assert (rows[1]["weight_mean"], rows[1]["weight_std"], rows[1]["bias_std"]) == (0.0, 2.0, 0.0)


def write_run(results, run, weights):
    """A job of one run as training writes it; its ``(runs.parquet path, run id)``."""
    result = RunResult(run=run, history=[(1, 1.0, 0.5)], weights=weights, y_test=np.zeros(2, dtype=np.int64),
                       y_pred=np.zeros(2, dtype=np.int64))
    paths = [results / job_path(run, name) for name in JOB_FILES]
    write_job([result], *paths)
    return paths[0], run["run_id"]


@pytest.fixture
def run_dirs(tmp_path, pair):
    """Two runs' jobs as training writes them, holding the same weights (PyTorch in float32)."""
    network, _ = pair
    return {framework: write_run(tmp_path, make_run("sweep", framework, SETTING, 42, 3), network.get_weights())
            for framework in ("neurogebra", "pytorch")}


def test_inspect_pair_writes_deterministic_arrays_and_agreement(tmp_path, run_dirs):
    split = tmp_path / "seed42.npz"
    X_test = np.random.RandomState(0).uniform(-1, 1, size=(60, 2))
    save_npz(split, X_test=X_test)
    boundary, maps = tmp_path / "a" / "boundary.npz", tmp_path / "a" / "neuron_maps.npz"
    inspection.inspect_pair([run_dirs["neurogebra"], run_dirs["pytorch"]], split, boundary, maps)
    first = boundary.read_bytes(), maps.read_bytes()
    inspection.inspect_pair([run_dirs["pytorch"], run_dirs["neurogebra"]], split, boundary, maps)
    assert (boundary.read_bytes(), maps.read_bytes()) == first

    arrays = load_npz(boundary)
    assert sorted(arrays) == ["Z_neurogebra", "Z_pytorch", "xx", "yy"]
    assert sorted(load_npz(maps)) == ["maps", "pytorch_maps", "xx", "yy"]
    pairs = {"matched": {"seed": 42, "neurogebra": "ng-run", "pytorch": "pt-run"}}
    table = inspection.agreement_table(pairs, {"matched": boundary})
    assert list(table.columns) == inspection.AGREEMENT_COLUMNS
    # Same weights on both sides: only float32 rounding next to a boundary can make them differ.
    assert 0.99 <= table.loc[0, "agreement"] <= 1.0
    assert table.loc[0, "n_grid_points"] == arrays["xx"].size


def test_inspect_pair_needs_one_run_of_each_framework(tmp_path, run_dirs):
    save_npz(tmp_path / "split.npz", X_test=np.zeros((3, 2)))
    with pytest.raises(ValueError, match="one run per framework"):
        inspection.inspect_pair(
            [run_dirs["neurogebra"], run_dirs["neurogebra"]], tmp_path / "split.npz", tmp_path / "b.npz", tmp_path / "m.npz"
        )


def test_layer_stats_table_reads_each_run_once_and_sorts(run_dirs, pair):
    network, _ = pair
    dirs = [run_dirs["pytorch"], run_dirs["neurogebra"], run_dirs["pytorch"]]
    table = inspection.layer_stats_table(dirs)
    assert list(table.columns) == inspection.LAYER_STATS_COLUMNS
    assert list(table["framework"]) == ["neurogebra"] * 3 + ["pytorch"] * 3
    assert list(table["layer"]) == [1, 2, 3] * 2
    assert list(table["n_neurons"]) == [16, 16, 3] * 2
    # The page's own statistics of the same network (Step 8, computed from the neurons).
    for i, layer in enumerate(network.layers):
        weights = [p.data for neuron in layer.neurons for p in neuron.w]
        assert table.loc[i, "weight_mean"] == np.mean(weights)
        assert table.loc[i, "weight_std"] == np.std(weights)
        assert table.loc[i, "weight_max"] == max(weights)


def test_a_missing_job_table_is_named(tmp_path, run_dirs):
    path, run_id = run_dirs["pytorch"]
    path.unlink()
    with pytest.raises(Exception, match=r"runs\.parquet: file not found"):
        inspection.layer_stats_table([run_dirs["pytorch"]])
    with pytest.raises(Exception, match=r"runs\.parquet: file not found"):
        load_trained(path, run_id)


@pytest.mark.slow
def test_workflow_writes_the_inspection_outputs_of_every_pair(ci_results):
    from spiralbench.config import inspection_pairs, load_config
    from spiralbench.io import read_csv

    from conftest import CI_CONFIG

    pairs = inspection_pairs(load_config(CI_CONFIG))
    agreement = read_csv(ci_results / "tables" / "boundary_agreement.csv")
    runs = read_csv(ci_results / "tables" / "runs.csv").set_index("run_id", drop=False)
    assert list(agreement.columns) == inspection.AGREEMENT_COLUMNS
    assert list(agreement["name"]) == sorted(pairs)
    for row in agreement.itertuples():
        pair = pairs[row.name]
        boundary = load_npz(ci_results / "inspection" / row.name / "boundary.npz")
        maps = load_npz(ci_results / "inspection" / row.name / "neuron_maps.npz")
        X_test = load_npz(ci_results / "data" / f"seed{pair['seed']}.npz", keys=["X_test"])["X_test"]
        xx, yy = inspection.boundary_grid(X_test)
        assert np.array_equal(boundary["xx"], xx) and np.array_equal(boundary["yy"], yy)
        assert boundary["Z_neurogebra"].shape == boundary["Z_pytorch"].shape == xx.shape
        assert set(np.unique(boundary["Z_neurogebra"])) <= {0, 1, 2}
        assert row.agreement == np.mean(boundary["Z_neurogebra"] == boundary["Z_pytorch"])
        assert (row.neurogebra_run_id, row.pytorch_run_id) == (pair["neurogebra"], pair["pytorch"])
        n_hidden = load_trained(ci_results / job_path(runs.loc[pair["neurogebra"]], "runs.parquet"),
                                pair["neurogebra"]).run["layer_sizes"][1]
        assert maps["maps"].shape == maps["pytorch_maps"].shape == (n_hidden, 60, 60)
        assert (maps["maps"] >= 0).all()  # relu outputs

    stats = read_csv(ci_results / "tables" / "layer_stats.csv")
    inspected = {pair[framework] for pair in pairs.values() for framework in ("neurogebra", "pytorch")}
    assert set(stats["run_id"]) == inspected
    assert len(stats) == 3 * len(inspected)  # 2-h-h-3 networks: three layers each
