"""neurogebra.losses.softmax_cross_entropy: the tutorial's numbers, PyTorch's gradients, no overflow."""

import math

import numpy as np
import pytest
import torch
from tutorial_page import run_page

from neurogebra.core.autograd import Value
from neurogebra.losses import softmax_cross_entropy


@pytest.fixture(scope="module")
def page_softmax_cross_entropy():
    """The tutorial's own function (Step 3, after the imports of Step 2), on neurogebra's Value."""
    return run_page([2, 3])["softmax_cross_entropy"]


def score_cases():
    rng = np.random.default_rng(11)
    for n_classes in (2, 3, 5):
        for _ in range(4):
            scores = (rng.normal(size=n_classes) * rng.choice([0.1, 1.0, 8.0])).tolist()
            yield scores, int(rng.integers(n_classes))
    yield [2.0, 1.0, 0.1], 0  # the tutorial's demo
    yield [0.5, 0.5, 0.5], 2  # a tie


CASES = list(score_cases())


@pytest.mark.parametrize("scores, target", CASES)
def test_same_loss_probabilities_and_gradients_as_the_tutorial(page_softmax_cross_entropy, scores, target):
    ours_in = [Value(s) for s in scores]
    loss, probs = softmax_cross_entropy(ours_in, target)
    page_in = [Value(s) for s in scores]
    page_loss, page_probs = page_softmax_cross_entropy(page_in, target)
    assert loss.data == pytest.approx(page_loss.data, rel=1e-12, abs=1e-14)
    assert [p.data for p in probs] == pytest.approx([p.data for p in page_probs], rel=1e-12, abs=1e-15)
    loss.backward()
    page_loss.backward()
    assert [v.grad for v in ours_in] == pytest.approx([v.grad for v in page_in], rel=1e-12, abs=1e-14)


@pytest.mark.parametrize("scores, target", CASES)
def test_matches_torch_cross_entropy(scores, target):
    ours_in = [Value(s) for s in scores]
    loss, probs = softmax_cross_entropy(ours_in, target)
    # A weighted sum of the probabilities as well, so that their gradients are checked too.
    weights = np.linspace(-1.0, 2.0, len(scores)).tolist()
    objective = loss + sum(w * p for w, p in zip(weights, probs))
    objective.backward()

    t = torch.tensor(scores, dtype=torch.float64, requires_grad=True)
    t_loss = torch.nn.functional.cross_entropy(t[None], torch.tensor([target]))
    t_probs = torch.softmax(t, dim=0)
    (t_loss + (torch.tensor(weights, dtype=torch.float64) * t_probs).sum()).backward()
    assert loss.data == pytest.approx(t_loss.item(), rel=1e-14, abs=1e-15)
    assert max(abs(v.grad - g) for v, g in zip(ours_in, t.grad.tolist())) <= 1e-10


def test_probabilities_sum_to_one():
    _, probs = softmax_cross_entropy([Value(3.0), Value(-1.0), Value(0.25), Value(2.0)], 1)
    assert math.fsum(p.data for p in probs) == pytest.approx(1.0, abs=1e-15)


@pytest.mark.parametrize("gap", [1000.0, 1e6])
def test_a_huge_score_gap_gives_a_finite_loss_and_gradient(gap):
    scores = [Value(gap), Value(0.0), Value(-3.0)]
    loss, probs = softmax_cross_entropy(scores, 1)  # the target is the far-behind class
    assert loss.data == pytest.approx(gap, rel=1e-12)
    assert [p.data for p in probs] == [1.0, 0.0, 0.0]
    loss.backward()
    t = torch.tensor([gap, 0.0, -3.0], dtype=torch.float64, requires_grad=True)
    torch.nn.functional.cross_entropy(t[None], torch.tensor([1])).backward()
    assert [v.grad for v in scores] == pytest.approx(t.grad.tolist(), abs=1e-12)

    confident, _ = softmax_cross_entropy([Value(gap), Value(0.0)], 0)
    assert confident.data == 0.0


def test_plain_numbers_are_accepted_as_scores():
    loss, probs = softmax_cross_entropy([2.0, 1.0, 0.1], 0)
    reference, _ = softmax_cross_entropy([Value(2.0), Value(1.0), Value(0.1)], 0)
    assert loss.data == reference.data and len(probs) == 3


@pytest.mark.parametrize("target", [-1, 3, 1.0, True, "0", None])
def test_a_bad_target_is_a_clear_error(target):
    with pytest.raises(ValueError, match=rf"target must be a class index in 0..2, got {target!r}"):
        softmax_cross_entropy([Value(1.0), Value(2.0), Value(3.0)], target)


def test_numpy_integer_targets_work_and_empty_scores_do_not():
    loss, _ = softmax_cross_entropy([Value(1.0), Value(2.0)], np.int64(1))
    assert loss.data == pytest.approx(math.log(1 + math.exp(-1.0)), rel=1e-15)
    with pytest.raises(ValueError, match="needs at least one score"):
        softmax_cross_entropy([], 0)
