"""The tensor engine's fused operations and ``no_grad``.

``affine`` (a layer's ``x @ W + b``, optionally with its relu) and ``Tensor.softmax_cross_entropy``
do in one node what several nodes do: they must give the same floats as those nodes, forwards and
backwards (bit for bit), and agree with PyTorch float64 autograd.
"""

import numpy as np
import pytest
import torch

from neurogebra import NeuralNetwork, Tensor, Value, is_grad_enabled, no_grad
from neurogebra.core.tensor import affine

TOLERANCE = 1e-10


def layer_arrays(seed, batch=5, n_in=4, n_out=3, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=shape).astype(dtype) for shape in ((batch, n_in), (n_in, n_out), (n_out,))]


def weighted_backward(out, seed=7):
    """Backward from a random weighting of ``out``: every output entry gets its own gradient."""
    weights = np.random.default_rng(seed).normal(size=out.shape).astype(out.dtype)
    (out * weights).sum().backward()
    return weights


@pytest.mark.parametrize("relu", [False, True])
@pytest.mark.parametrize("x_is_tensor", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_affine_is_the_chain_of_nodes_bit_for_bit(relu, x_is_tensor, dtype):
    x, W, b = layer_arrays(1, dtype=dtype)
    results = []
    for fused in (True, False):
        tx, tW, tb = Tensor(x), Tensor(W), Tensor(b)
        inp = tx if x_is_tensor else x
        if fused:
            out = affine(inp, tW, tb, relu=relu)
        else:
            out = inp @ tW + tb
            out = out.relu() if relu else out
        weighted_backward(out)
        results.append([out.data, tW.grad, tb.grad] + ([tx.grad] if x_is_tensor else []))
    for fused, chain in zip(*results):
        assert fused.dtype == dtype and fused.tobytes() == chain.tobytes()


@pytest.mark.parametrize("relu", [False, True])
@pytest.mark.parametrize("shapes", [(6, 4, 3), (1, 2, 5)])
def test_affine_against_torch(relu, shapes):
    batch, n_in, n_out = shapes
    arrays = layer_arrays(2, batch, n_in, n_out)
    ours = [Tensor(a) for a in arrays]
    out = affine(*ours, relu=relu)
    weights = weighted_backward(out)
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    expected = theirs[0] @ theirs[1] + theirs[2]
    expected = torch.relu(expected) if relu else expected
    (expected * torch.from_numpy(weights)).sum().backward()
    assert np.max(np.abs(out.data - expected.detach().numpy())) <= TOLERANCE
    for tensor, reference in zip(ours, theirs):
        assert np.max(np.abs(tensor.grad - reference.grad.numpy())) <= TOLERANCE


def test_affine_against_finite_differences():
    x, W, b = layer_arrays(3)
    tW = Tensor(W)
    affine(x, tW, Tensor(b), relu=True).sum().backward()
    step = 1e-6
    for index in np.ndindex(W.shape):
        up, down = W.copy(), W.copy()
        up[index] += step
        down[index] -= step
        slope = (np.maximum(x @ up + b, 0).sum() - np.maximum(x @ down + b, 0).sum()) / (2 * step)
        assert abs(tW.grad[index] - slope) <= 1e-6


def test_affine_refuses_bad_input_naming_it():
    x, W, b = layer_arrays(4)
    with pytest.raises(ValueError, match=r"Tensor @ needs .* shapes \(5, 4\) and \(3, 3\)"):
        affine(x, Tensor(W[:3]), Tensor(b))
    with pytest.raises(ValueError, match=r"affine: weights of shape \(4, 3\) need a bias of shape \(3,\)"):
        affine(x, Tensor(W), Tensor(b[:2]))
    with pytest.raises(TypeError, match="affine needs Tensor weights and bias"):
        affine(x, W, Tensor(b))
    with pytest.raises(TypeError, match="a float32 Tensor and a numpy array of dtype float64"):
        affine(x, Tensor(W, dtype="float32"), Tensor(b, dtype="float32"))
    with pytest.raises(ValueError, match="Tensor affine produced NaN"):
        affine(np.full((2, 4), np.inf), Tensor(W), Tensor(b))


def chain_softmax_cross_entropy(scores, targets):
    """The loss as separate nodes (what the fused node replaces)."""
    shifted = scores - np.maximum.reduce(scores.data, axis=1, keepdims=True)
    exp_scores = shifted.exp()
    sum_exp = exp_scores.sum(axis=1)
    return (sum_exp.log() - shifted.pick(targets)).mean(), exp_scores.data / sum_exp.data[:, None]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", [16, 7, 1])
@pytest.mark.parametrize("layout", ["C", "F"])
def test_softmax_cross_entropy_is_the_chain_of_nodes_bit_for_bit(dtype, n, layout):
    rng = np.random.default_rng(n)
    scores = (rng.normal(size=(n, 3)) * 4).astype(dtype)
    targets = rng.integers(0, 3, n)
    results = []
    for fused in (True, False):
        tensor = Tensor(scores)
        if layout == "F":  # scores computed in another memory order (a transpose) must not matter
            tensor = Tensor(np.ascontiguousarray(scores.T)).T
            assert not tensor.data.flags["C_CONTIGUOUS"] or n == 1
        loss, probabilities = (tensor.softmax_cross_entropy(targets) if fused
                               else chain_softmax_cross_entropy(tensor, targets))
        (loss * 3.0).backward()  # an incoming gradient other than 1
        results.append([np.asarray(loss.data), probabilities, tensor.grad])
    for fused, chain in zip(*results):
        assert fused.dtype == dtype and fused.tobytes() == chain.tobytes()


def test_softmax_cross_entropy_against_torch():
    rng = np.random.default_rng(5)
    scores, targets = rng.normal(size=(9, 4)) * 10, rng.integers(0, 4, 9)
    ours = Tensor(scores)
    loss, probabilities = ours.softmax_cross_entropy(targets)
    loss.backward()
    theirs = torch.tensor(scores, requires_grad=True)
    expected = torch.nn.functional.cross_entropy(theirs, torch.from_numpy(targets))
    expected.backward()
    assert abs(float(loss.data) - expected.item()) <= TOLERANCE
    assert np.max(np.abs(ours.grad - theirs.grad.numpy())) <= TOLERANCE
    assert np.max(np.abs(probabilities - torch.softmax(theirs, 1).detach().numpy())) <= TOLERANCE


def test_softmax_cross_entropy_refuses_bad_targets_and_infinite_scores():
    scores = Tensor(np.zeros((3, 2)))
    for bad in ([0, 2, 1], [0, -1, 1], [0, 1], [0.0, 1.0, 1.0]):
        with pytest.raises(ValueError, match="class indices"):
            scores.softmax_cross_entropy(np.array(bad))
    with pytest.raises(ValueError, match="softmax_cross_entropy needs scores of shape"):
        Tensor(np.zeros(3)).softmax_cross_entropy([0, 1, 1])
    with pytest.raises(ValueError, match="produced NaN"):
        Tensor(np.array([[np.inf, 0.0]])).softmax_cross_entropy([0])


# ----------------------------------------------------------------------- no_grad


def test_no_grad_records_no_graph_on_either_engine_and_restores_the_mode():
    W = Tensor(np.ones((2, 2)))
    v = Value(2.0)
    assert is_grad_enabled()
    with no_grad():
        assert not is_grad_enabled()
        out = (Tensor(np.ones((1, 2))) @ W).relu().sum()
        scalar = (v * 3.0).tanh()
        with no_grad():
            pass
        assert not is_grad_enabled()  # nested: the outer context is still in force
    assert is_grad_enabled()
    assert out._inputs == () and out._backward is None
    assert scalar._a is None and scalar._b is None
    assert float(out.data) == 4.0 and scalar.data == np.tanh(6.0)
    with pytest.raises(RuntimeError, match="no_grad"):
        out.backward()
    with pytest.raises(RuntimeError, match="no_grad"):
        scalar.backward()
    # A no_grad result in a graph is a constant: it gets no gradient and passes none on.
    (W * out).sum().backward()
    assert W.grad.tolist() == [[4.0, 4.0], [4.0, 4.0]]
    with pytest.raises(KeyError):
        with no_grad():
            raise KeyError("inside")
    assert is_grad_enabled()  # restored on an exception too


def test_evaluate_and_predict_build_no_graph(monkeypatch):
    seen = []
    original = affine.__globals__["GradMode"]
    net = NeuralNetwork([2, 4, 3], engine="tensor")
    monkeypatch.setattr("neurogebra.nn.affine", lambda *args, **kwargs: seen.append(original.enabled)
                        or affine(*args, **kwargs))
    X = np.random.default_rng(0).normal(size=(10, 2))
    scores = net.evaluate(X)
    net.predict(X)
    assert seen and not any(seen)  # every layer ran with recording off
    assert net(X).data.tobytes() == scores.tobytes()  # the same floats as the graph path
    assert seen[-1] is True
