"""The tutorial's loss, on one sample's ``Value`` scores or on a batch's ``Tensor`` of scores."""

from numbers import Integral

from neurogebra.core.autograd import Value
from neurogebra.core.tensor import Tensor

__all__ = ["softmax_cross_entropy"]


def softmax_cross_entropy(scores, target):
    """Softmax probabilities of ``scores`` and the cross-entropy loss for class ``target``.

    Returns ``(loss, probabilities)``: the same numbers as the tutorial's
    function (and PyTorch's ``CrossEntropyLoss`` on one sample), computed so
    that large score gaps stay finite:

    1. shift the scores by their maximum, so every exp() is at most 1;
    2. probabilities = exp(shifted) / sum(exp(shifted));
    3. loss = log(sum(exp(shifted))) - shifted[target].

    Step 3 is -log(probability of the target) rearranged: it never takes the
    log of a probability that has underflowed to 0, so a gap of 1000 gives a
    loss of 1000 rather than infinity.

    On a batch: ``scores`` a ``Tensor`` (n, C), ``target`` n class indices.
    The loss is a one-element Tensor, the MEAN of the n samples' losses (the
    tutorial's batch loss, PyTorch's default); the probabilities an array
    (n, C), without a graph (training differentiates the loss only). Both are
    in the dtype of ``scores`` (float64 or float32).
    """
    if isinstance(scores, Tensor):
        return _batch_softmax_cross_entropy(scores, target)
    scores = list(scores)
    if not scores:
        raise ValueError("softmax_cross_entropy needs at least one score")
    if isinstance(target, bool) or not isinstance(target, Integral) or not 0 <= target < len(scores):
        raise ValueError(f"target must be a class index in 0..{len(scores) - 1}, got {target!r}")
    target = int(target)
    scores = [s if isinstance(s, Value) else Value(s) for s in scores]
    max_score = max(s.data for s in scores)  # a constant: the shift does not change the result
    shifted = [s - max_score for s in scores]
    exp_scores = [s.exp() for s in shifted]
    sum_exp = sum(exp_scores)
    probabilities = [e / sum_exp for e in exp_scores]
    loss = sum_exp.log() - shifted[target]
    return loss, probabilities


def _batch_softmax_cross_entropy(scores, targets):
    """The same three steps on every row of ``scores`` at once, as one graph node.

    Spelled out in Tensor operations it reads::

        shifted = scores - np.maximum.reduce(scores.data, axis=1, keepdims=True)  # the shift is a constant
        exp_scores = shifted.exp()
        sum_exp = exp_scores.sum(axis=1)
        loss = (sum_exp.log() - shifted.pick(targets)).mean()

    which is six nodes; ``Tensor.softmax_cross_entropy`` computes the same floats, forwards and
    backwards, in one (at the tutorial's sizes each node costs more than its arithmetic).
    """
    if scores.ndim != 2 or 0 in scores.shape:
        raise ValueError(f"batched softmax_cross_entropy needs scores of shape (n, classes), got {scores.shape}")
    return scores.softmax_cross_entropy(targets)
