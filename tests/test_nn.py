"""neurogebra.nn against the tutorial's own classes, PyTorch, and its graph-free evaluation."""

import random

import numpy as np
import pytest
import torch
from tutorial_page import run_page

from neurogebra.core.autograd import Value
from neurogebra.losses import softmax_cross_entropy
from neurogebra.nn import Layer, NeuralNetwork, Neuron
from spiralbench.inspection import boundary_grid, grid_points

PAGE_SIZES = [2, 16, 16, 3]
PAGE_ACTIVATIONS = ["relu", "relu", "linear"]


@pytest.fixture(scope="module")
def page():
    """The tutorial's Steps 1-3: its data, its network (built after random.seed(42)) and its loss."""
    return run_page([1, 2, 3])


def page_net_with(page, weights):
    """The tutorial's network class, holding ``weights``."""
    net = page["NeuralNetwork"]([2, 16, 16, 3], ["relu", "relu", "linear"])
    # The tutorial's parameter order: layer by layer, neuron by neuron, its weights then its bias.
    values = [v for W, b in weights for row, bias in zip(W.tolist(), b.tolist()) for v in (*row, bias)]
    for p, v in zip(net.parameters(), values):
        p.data = v
    return net


def trained_looking_weights(seed=5):
    """The tutorial's initial weights with nonzero biases, so that the bias-first order matters."""
    random.seed(42)
    net = NeuralNetwork(PAGE_SIZES, PAGE_ACTIVATIONS)
    rng = np.random.default_rng(seed)
    return [
        (W * rng.uniform(0.5, 2.0, size=W.shape), rng.normal(scale=0.3, size=b.shape)) for W, b in net.get_weights()
    ]


# ------------------------------------------------------------ the tutorial's semantics


def test_seed_42_draws_exactly_the_tutorials_initial_weights(page):
    random.seed(42)
    net = NeuralNetwork(PAGE_SIZES, activations=PAGE_ACTIVATIONS)
    assert [p.data for p in net.parameters()] == [p.data for p in page["nn_neuro"].parameters()]
    assert len(net.parameters()) == 2 * 16 + 16 + 16 * 16 + 16 + 16 * 3 + 3
    assert all(neuron.b.data == 0.0 for layer in net.layers for neuron in layer.neurons)


def test_a_given_rng_draws_the_same_weights_and_leaves_the_global_stream_alone(page):
    state = random.getstate()
    net = NeuralNetwork(PAGE_SIZES, rng=random.Random(42))
    assert random.getstate() == state
    assert [p.data for p in net.parameters()] == [p.data for p in page["nn_neuro"].parameters()]


def test_initialisation_limit_is_sqrt_6_over_fan_in_plus_1():
    net = NeuralNetwork([3, 400, 1], rng=random.Random(0))
    first = np.array([w.data for n in net.layers[0].neurons for w in n.w])
    assert np.abs(first).max() <= (6 / 4) ** 0.5 and np.abs(first).max() > 0.95 * (6 / 4) ** 0.5
    last = np.array([w.data for w in net.layers[1].neurons[0].w])
    assert np.abs(last).max() <= (6 / 401) ** 0.5


def test_default_activations_are_relu_then_linear():
    net = NeuralNetwork([2, 4, 4, 3], rng=random.Random(0))
    assert [layer.activation for layer in net.layers] == ["relu", "relu", "linear"]


def test_forward_pass_is_bit_identical_to_the_tutorials_network(page):
    weights = trained_looking_weights()
    ours = NeuralNetwork(PAGE_SIZES, PAGE_ACTIVATIONS, rng=random.Random(0))
    ours.set_weights(weights)
    theirs = page_net_with(page, weights)
    for point in page["X_test"]:
        x = [float(point[0]), float(point[1])]
        expected = [s.data for s in theirs([Value(x[0]), Value(x[1])])]
        assert [s.data for s in ours([Value(x[0]), Value(x[1])])] == expected
        assert [s.data for s in ours(x)] == expected  # plain-number inputs


def test_batch_loss_gradients_match_torch_for_the_tutorials_code_and_the_library(page):
    """Network + softmax cross-entropy averaged over a batch of 16: three ways, one set of gradients."""
    weights = trained_looking_weights()
    X, y = page["X_train"][:16], page["y_train"][:16]

    def batch_loss(net, loss_fn, make_input):
        total = Value(0.0)
        for point, target in zip(X, y):
            loss, _ = loss_fn(net(make_input(point)), int(target))
            total = total + loss
        return total / len(y)

    theirs = page_net_with(page, weights)
    page_loss = batch_loss(theirs, page["softmax_cross_entropy"], lambda p: [Value(float(p[0])), Value(float(p[1]))])
    page_loss.backward()
    ours = NeuralNetwork(PAGE_SIZES, PAGE_ACTIVATIONS, rng=random.Random(0))
    ours.set_weights(weights)
    library_loss = batch_loss(ours, softmax_cross_entropy, lambda p: p.tolist())
    library_loss.backward()

    tensors = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for W, b in weights for a in (W, b)]
    h = torch.from_numpy(X)
    for i in range(3):
        h = h @ tensors[2 * i].T + tensors[2 * i + 1]
        h = torch.relu(h) if i < 2 else h
    torch_loss = torch.nn.functional.cross_entropy(h, torch.from_numpy(y))
    torch_loss.backward()
    expected = [
        g
        for W, b in zip(tensors[::2], tensors[1::2])
        for row, bias in zip(W.grad.tolist(), b.grad.tolist())
        for g in (*row, bias)
    ]
    assert page_loss.data == pytest.approx(torch_loss.item(), rel=1e-13)
    assert library_loss.data == pytest.approx(torch_loss.item(), rel=1e-13)
    assert max(abs(p.grad - g) for p, g in zip(theirs.parameters(), expected)) <= 1e-10
    assert max(abs(p.grad - g) for p, g in zip(ours.parameters(), expected)) <= 1e-10
    assert any(g != 0.0 for g in expected)


# ------------------------------------------------------------- evaluation without a graph


def test_evaluate_and_predict_on_the_decision_grid_equal_the_graph_path(page, monkeypatch):
    weights = trained_looking_weights()
    net = NeuralNetwork(PAGE_SIZES, PAGE_ACTIVATIONS, rng=random.Random(0))
    net.set_weights(weights)
    grid = grid_points(*boundary_grid(page["X_test"]))
    assert 15_000 < len(grid) < 25_000  # 17,415 points on the tutorial's test split

    created = []
    original_init = Value.__init__
    monkeypatch.setattr(Value, "__init__", lambda self, *args: created.append(1) or original_init(self, *args))
    scores = net.evaluate(grid)
    predictions = net.predict(grid)
    assert created == []  # no graph: not a single Value
    monkeypatch.undo()

    graph_scores = np.array([[s.data for s in net(point)] for point in grid.tolist()])
    assert scores.dtype == np.float64 and scores.shape == (len(grid), 3)
    assert np.array_equal(scores, graph_scores)  # bit for bit
    graph_predictions = [max(range(3), key=lambda i: row[i]) for row in graph_scores.tolist()]
    assert predictions.tolist() == graph_predictions
    assert set(graph_predictions) == {0, 1, 2}

    # And the tutorial's own network (unfused graph) on every 100th grid point.
    theirs = page_net_with(page, weights)
    for point, row in zip(grid[::100].tolist(), scores[::100].tolist()):
        assert [s.data for s in theirs([Value(point[0]), Value(point[1])])] == row


def test_layer_and_neuron_evaluate_give_the_first_layer_activation_maps(page):
    net = NeuralNetwork(PAGE_SIZES, PAGE_ACTIVATIONS, rng=random.Random(0))
    net.set_weights(trained_looking_weights())
    points = page["X_test"]
    maps = net.layers[0].evaluate(points)
    assert maps.shape == (len(points), 16)
    for j, neuron in enumerate(net.layers[0].neurons):
        expected = [neuron([Value(float(a)), Value(float(b))]).data for a, b in points]
        assert maps[:, j].tolist() == expected
        assert np.array_equal(neuron.evaluate(points), maps[:, j])


@pytest.mark.parametrize("activations", [["tanh", "sigmoid", "linear"], ["sigmoid", "tanh", "tanh"], ["linear"] * 3])
def test_evaluate_is_bit_identical_for_every_activation(activations):
    net = NeuralNetwork([3, 7, 5, 2], activations, rng=random.Random(1))
    rng = np.random.default_rng(2)
    net.set_weights([(W * 3.0, rng.normal(size=b.shape)) for W, b in net.get_weights()])
    X = rng.normal(scale=4.0, size=(300, 3))
    expected = np.array([[s.data for s in net(row)] for row in X.tolist()])
    assert np.array_equal(net.evaluate(X), expected)


def test_predict_takes_the_first_class_on_ties():
    net = NeuralNetwork([2, 3], ["linear"], rng=random.Random(0))
    net.set_weights([(np.zeros((3, 2)), np.array([0.5, 1.0, 1.0]))])
    assert net.predict(np.array([[0.3, -0.2], [1.0, 2.0]])).tolist() == [1, 1]


def test_weights_round_trip_and_export_to_torch():
    net = NeuralNetwork([2, 5, 3], ["tanh", "linear"], rng=random.Random(3))
    weights = net.get_weights()
    assert [(W.shape, b.shape) for W, b in weights] == [((5, 2), (5,)), ((3, 5), (3,))]
    assert weights[0][0][1].tolist() == [w.data for w in net.layers[0].neurons[1].w]

    copy = NeuralNetwork([2, 5, 3], ["tanh", "linear"], rng=random.Random(99))
    copy.set_weights(weights)
    assert [p.data for p in copy.parameters()] == [p.data for p in net.parameters()]

    model = torch.nn.Sequential(torch.nn.Linear(2, 5), torch.nn.Tanh(), torch.nn.Linear(5, 3)).double()
    with torch.no_grad():
        for layer, (W, b) in zip([model[0], model[2]], weights):
            layer.weight.copy_(torch.from_numpy(W))
            layer.bias.copy_(torch.from_numpy(b))
    X = np.random.default_rng(4).normal(size=(50, 2))
    with torch.no_grad():
        expected = model(torch.from_numpy(X)).numpy()
    assert np.max(np.abs(net.evaluate(X) - expected)) <= 1e-12


# ----------------------------------------------------------------------- interface


def test_constructors_print_nothing_and_describe_themselves(capsys):
    net = NeuralNetwork(PAGE_SIZES, PAGE_ACTIVATIONS, rng=random.Random(0))
    assert capsys.readouterr().out == ""
    assert repr(net) == "NeuralNetwork(2 -> 16 -> 16 -> 3, activations=['relu', 'relu', 'linear'], parameters=371)"
    assert "Parameters: 371" in net.summary() and "2 -> 16 -> 16 -> 3" in net.summary()
    assert repr(net.layers[2]) == "Layer(16 -> 3, linear)"
    assert repr(net.layers[0].neurons[0]) == "Neuron(2 inputs, relu)"


def test_neuron_and_layer_follow_the_tutorials_parameter_order():
    layer = Layer(3, 2, "tanh", rng=random.Random(0))
    first, second = layer.neurons
    assert layer.parameters() == [*first.w, first.b, *second.w, second.b]
    neuron = Neuron(2, "sigmoid", rng=random.Random(0))
    out = neuron([1.0, -1.0])
    assert 0.0 < out.data < 1.0


@pytest.mark.parametrize(
    "make, message",
    [
        (
            lambda: NeuralNetwork([2, 3], ["softmax"]),
            r"unknown activation 'softmax'; choose one of relu, tanh, sigmoid, linear",
        ),
        (lambda: Neuron(2, "gelu"), r"unknown activation 'gelu'"),
        (lambda: Layer(2, 3, "Relu"), r"unknown activation 'Relu'"),
        (lambda: NeuralNetwork([2, 3, 1], ["relu"]), r"2 layers need 2 activations, got \['relu'\]"),
        (lambda: NeuralNetwork([2]), r"needs at least an input and an output size, got \[2\]"),
        (lambda: NeuralNetwork([2, 0, 1]), r"layer sizes must be positive integers, got \[2, 0, 1\]"),
        (lambda: NeuralNetwork([2, 1.5]), r"layer sizes must be positive integers, got \[2, 1.5\]"),
    ],
)
def test_bad_construction_is_a_clear_error(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_bad_inputs_and_weights_are_clear_errors():
    net = NeuralNetwork([2, 3, 2], rng=random.Random(0))
    before = [p.data for p in net.parameters()]
    with pytest.raises(ValueError, match=r"Neuron expects 2 inputs, got 3"):
        net([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"expected an array of shape \(n_points, 2\), got shape \(4, 3\)"):
        net.evaluate(np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"points must be finite"):
        net.predict(np.array([[0.0, np.nan]]))
    with pytest.raises(ValueError, match=r"expected weights for 2 layers, got 1"):
        net.set_weights(net.get_weights()[:1])
    good, (W, b) = net.get_weights()
    shapes = r"layer weights must have shapes W \(2, 3\) and b \(2,\), got \(3, 2\) and \(2,\)"
    with pytest.raises(ValueError, match=shapes):
        net.set_weights([good, (W.T, b)])
    with pytest.raises(ValueError, match=r"layer weights must be finite"):
        net.set_weights([(good[0] + 1.0, good[1]), (W, np.full_like(b, np.inf))])
    assert [p.data for p in net.parameters()] == before  # a rejected set_weights changes nothing
