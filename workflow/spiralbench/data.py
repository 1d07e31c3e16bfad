"""The spiral dataset and its train/test split, exactly as the page's Step 1 makes them.

The page seeds numpy's global stream, draws the spirals' angle noise, then a permutation for the
split, and later keeps drawing from the same stream for the scratch network's epoch shuffles. Here
that stream is an explicit ``np.random.RandomState(seed)``: the legacy global functions are methods
of one such object, so the draws are the same numbers. Its state after the split is saved with the
split, so a training job can continue the stream exactly where the page's code continues it.

Beside the split, each seed has a fresh sample: the same generator with the same noise, drawn with
many points per class from a stream of its own (``fresh_sample_stream``), on which every trained
model is evaluated too. The page's 60 test points move an accuracy in steps of 1.67 points; tens of
thousands of points measure a model without that sampling noise. The fresh stream never touches the
page's, so the split and the training runs are the page's whether or not a fresh sample is drawn.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from spiralbench.io import load_npz, save_npz

ARRAYS = ("X_train", "X_test", "y_train", "y_test")
FRESH_ARRAYS = ("X", "y")
# Tells the fresh sample's stream apart from any other stream seeded with the same seed.
FRESH_SAMPLE_STREAM = 0x5F4E5348  # "_FSH"
STATE_ARRAYS = ("stream_keys", "stream_pos", "stream_has_gauss", "stream_cached_gaussian")


def generate_spirals(rng: np.random.RandomState, n_points=100, n_classes=3, noise=0.1):
    """The page's ``generate_spirals``, drawing its noise from ``rng`` instead of the global stream."""
    X = np.zeros((n_points * n_classes, 2))
    y = np.zeros(n_points * n_classes, dtype=int)
    for class_idx in range(n_classes):
        start = n_points * class_idx
        end = n_points * (class_idx + 1)
        r = np.linspace(0.0, 1.0, n_points)
        theta = np.linspace(class_idx * 4, (class_idx + 1) * 4, n_points) + rng.randn(n_points) * noise
        X[start:end, 0] = r * np.sin(theta)
        X[start:end, 1] = r * np.cos(theta)
        y[start:end] = class_idx
    return X, y


@dataclass
class Split:
    X_train: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray
    stream: np.random.RandomState  # numpy's stream, positioned just after the split

    @property
    def n_classes(self) -> int:
        return int(max(self.y_train.max(), self.y_test.max())) + 1


def make_split(seed: int, n_points=100, n_classes=3, noise=0.15, train_fraction=0.8) -> Split:
    """Step 1 of the page: seed, generate, permute, cut at ``int(train_fraction * len(X))``."""
    rng = np.random.RandomState(seed)
    X, y = generate_spirals(rng, n_points=n_points, n_classes=n_classes, noise=noise)
    indices = rng.permutation(len(X))
    split = int(train_fraction * len(X))
    return Split(
        X_train=X[indices[:split]],
        X_test=X[indices[split:]],
        y_train=y[indices[:split]],
        y_test=y[indices[split:]],
        stream=rng,
    )


def save_split(path, split: Split) -> None:
    _, keys, pos, has_gauss, cached_gaussian = split.stream.get_state(legacy=True)
    save_npz(
        path,
        X_train=split.X_train,
        X_test=split.X_test,
        y_train=split.y_train,
        y_test=split.y_test,
        stream_keys=keys,
        stream_pos=np.int64(pos),
        stream_has_gauss=np.int64(has_gauss),
        stream_cached_gaussian=np.float64(cached_gaussian),
    )


def load_split(path) -> Split:
    """The split saved by ``save_split``, with numpy's stream restored where the split left it."""
    arrays = load_npz(path, ARRAYS + STATE_ARRAYS)
    stream = np.random.RandomState()
    stream.set_state(
        (
            "MT19937",
            arrays["stream_keys"],
            int(arrays["stream_pos"]),
            int(arrays["stream_has_gauss"]),
            float(arrays["stream_cached_gaussian"]),
        )
    )
    return Split(*(arrays[name] for name in ARRAYS), stream=stream)


def fresh_sample_stream(seed: int) -> np.random.RandomState:
    """The fresh sample's stream for ``seed``: a Mersenne Twister seeded through a ``SeedSequence`` of
    (``FRESH_SAMPLE_STREAM``, seed), so that it shares no draws with the split's
    ``RandomState(seed)`` (seeded by the legacy rule) nor with the fresh stream of another seed. A
    ``RandomState`` over it, so that ``generate_spirals`` draws its noise with the same calls."""
    return np.random.RandomState(np.random.MT19937(np.random.SeedSequence([FRESH_SAMPLE_STREAM, seed])))


def make_fresh_sample(seed: int, n_per_class: int, n_classes=3, noise=0.15) -> tuple[np.ndarray, np.ndarray]:
    """``n_per_class`` new points of every class from the page's generator with the seed's noise level:
    ``(X, y)``, X of shape (n_per_class * n_classes, 2), in the generator's order."""
    return generate_spirals(fresh_sample_stream(seed), n_points=n_per_class, n_classes=n_classes, noise=noise)


def save_fresh_sample(path, X: np.ndarray, y: np.ndarray) -> None:
    save_npz(path, X=X, y=y)


def load_fresh_sample(path) -> tuple[np.ndarray, np.ndarray]:
    arrays = load_npz(path, FRESH_ARRAYS)
    return arrays["X"], arrays["y"]
