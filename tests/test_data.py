"""The split is the page's Step 1, bit for bit, and its file restores numpy's stream where the page
leaves it."""
import contextlib
import io

import numpy as np
import pytest

from spiralbench.data import generate_spirals, load_split, make_split, save_split
from spiralbench.io import ResultFileError
from tutorial_page import run_page


@pytest.fixture(scope="module")
def page_step1():
    with contextlib.redirect_stdout(io.StringIO()):
        return run_page([1])


def test_seed_42_gives_the_page_arrays_bit_for_bit(page_step1):
    split = make_split(42, n_points=100, n_classes=3, noise=0.15, train_fraction=0.8)
    for name in ("X_train", "X_test", "y_train", "y_test"):
        page = page_step1[name]
        ours = getattr(split, name)
        assert ours.dtype == page.dtype and ours.shape == page.shape
        assert ours.tobytes() == page.tobytes(), name


def test_saved_split_continues_the_page_stream(tmp_path, page_step1):
    path = tmp_path / "seed42.npz"
    save_split(path, make_split(42))
    restored = load_split(path)
    # The page's global stream is left where Step 1 left it; the page's training then calls
    # np.random.permutation once per epoch. Replay that from a fresh seed to compare.
    np.random.seed(42)
    generate_spirals(np.random.mtrand._rand, 100, 3, 0.15)
    np.random.permutation(300)
    for _ in range(3):
        assert np.array_equal(restored.stream.permutation(240), np.random.permutation(240))


def test_split_file_is_byte_identical_on_rewrite(tmp_path):
    save_split(tmp_path / "a.npz", make_split(3))
    save_split(tmp_path / "b.npz", make_split(3))
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()


def test_seeds_give_different_splits_with_the_page_sizes():
    a, b = make_split(0), make_split(1)
    assert not np.array_equal(a.X_train, b.X_train)
    for split in (a, b):
        assert split.X_train.shape == (240, 2) and split.X_test.shape == (60, 2)
        assert sorted(np.bincount(np.concatenate([split.y_train, split.y_test]))) == [100, 100, 100]
        assert split.n_classes == 3


def test_spirals_follow_their_definition_without_noise():
    X, y = generate_spirals(np.random.RandomState(0), n_points=5, n_classes=2, noise=0.0)
    r = np.linspace(0, 1, 5)
    theta = np.linspace(4, 8, 5)  # the second arm
    assert np.allclose(X[5:, 0], r * np.sin(theta)) and np.allclose(X[5:, 1], r * np.cos(theta))
    assert y.tolist() == [0] * 5 + [1] * 5


def test_train_fraction_cuts_like_the_page():
    split = make_split(0, n_points=10, n_classes=3, train_fraction=0.7)  # int(0.7 * 30) = 21
    assert len(split.X_train) == 21 and len(split.X_test) == 9


def test_truncated_or_incomplete_split_file_names_the_file(tmp_path):
    path = tmp_path / "seed1.npz"
    save_split(path, make_split(1))
    path.write_bytes(path.read_bytes()[:-200])
    with pytest.raises(ResultFileError, match=r"seed1\.npz: not a readable \.npz"):
        load_split(path)
    from spiralbench.io import save_npz
    save_npz(path, X_train=np.zeros((2, 2)))
    with pytest.raises(ResultFileError, match=r"seed1\.npz: missing array\(s\) X_test"):
        load_split(path)
    with pytest.raises(ResultFileError, match=r"seed9\.npz: file not found"):
        load_split(tmp_path / "seed9.npz")


def test_the_fresh_sample_is_the_page_generator_from_a_stream_of_its_own():
    from spiralbench.data import fresh_sample_stream, make_fresh_sample

    X, y = make_fresh_sample(7, n_per_class=2000, n_classes=3, noise=0.15)
    assert X.shape == (6000, 2) and np.bincount(y).tolist() == [2000, 2000, 2000]
    again = make_fresh_sample(7, n_per_class=2000, n_classes=3, noise=0.15)
    assert np.array_equal(X, again[0]) and np.array_equal(y, again[1])
    assert not np.array_equal(X, make_fresh_sample(8, n_per_class=2000, n_classes=3, noise=0.15)[0])
    # Its noise is not the split's: the split's stream would give the page's first draws.
    assert fresh_sample_stream(7).randn(5).tolist() != np.random.RandomState(7).randn(5).tolist()
    # The same spirals: radius r = |x| runs over [0, 1], and the angle noise has the config's spread.
    r = np.hypot(X[:, 0], X[:, 1])
    assert r.max() == pytest.approx(1.0) and r.min() == 0.0
    theta = np.arctan2(X[:2000, 0], X[:2000, 1])
    expected = np.linspace(0, 4, 2000)
    residual = np.angle(np.exp(1j * (theta - expected)))[1:]  # wrapped; r = 0 has no angle
    assert np.std(residual) == pytest.approx(0.15, rel=0.1)
