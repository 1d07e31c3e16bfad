"""The distributions level's test: its false alarms stay under its α on faithful reruns of any kind, a
consistent shift is found, a shift below the minimum effect is not a failure, and ties carry no weight."""
import numpy as np
import pandas as pd
import pytest

from spiralbench import distributions


def runs(values, metric="final_loss", setting="adam-lr0.2", framework="pytorch"):
    frame = pd.DataFrame({"group": "sweep", "setting": setting, "framework": framework, "seed": range(len(values)),
                          "status": "ok", "final_loss": 5.0, "train_accuracy": 0.9, "test_accuracy": 0.9,
                          "fresh_accuracy": 0.9})
    frame[metric] = values
    frame["run_id"] = [f"sweep/{framework}/{setting}/seed{seed}" for seed in frame["seed"]]
    return frame


def test_faithful_reruns_fail_no_more_often_than_alpha():
    """Exchangeable pairs (each seed's two values two draws of one process, chaotic or not): over 120
    simulated reruns of 32 seeds × 5 metrics, the share that fails is at most α (with a binomial margin:
    P(more than 4 of 120 | α = 1%) < 1%)."""
    rng = np.random.default_rng(1)
    failures = 0
    for _ in range(120):
        spread = rng.choice([1e-9, 0.3])  # last bits only, or chaotic
        centre = rng.uniform(1, 10, 32)
        published, rerun = runs(centre + rng.normal(0, spread, 32)), runs(centre + rng.normal(0, spread, 32))
        failures += bool(distributions.tests(published, rerun)["fails"].any())
    assert failures <= 4


def test_a_consistent_shift_smaller_than_the_spread_over_seeds_is_found():
    rng = np.random.default_rng(2)
    published = rng.uniform(2, 8, 32)  # seeds spread over 6 units
    shifted = published * 1.02 + rng.normal(0, 0.01, 32)  # 2%: far inside that spread
    table = distributions.tests(runs(published), runs(shifted))
    (row,) = table[table["fails"]].itertuples()
    assert row.metric == "final_loss" and row.p_holm < distributions.ALPHA


def test_a_shift_below_the_minimum_effect_is_not_a_failure_however_consistent():
    published = np.linspace(2, 8, 32)
    table = distributions.tests(runs(published), runs(np.nextafter(published, np.inf)))
    loss = table.set_index("metric").loc["final_loss"]
    assert loss["p_holm"] < distributions.ALPHA and not loss["fails"]


def test_identical_runs_carry_no_evidence():
    assert distributions.signed_rank_p(np.zeros(32)) == 1.0
    table = distributions.tests(runs(np.ones(32)), runs(np.ones(32)))
    assert (table["p"] == 1.0).all() and not table["fails"].any()


def test_a_change_in_how_many_runs_diverge_is_a_failure():
    published = runs(np.full(32, 5.0))
    rerun = published.copy()
    rerun.loc[rerun["seed"] < 12, "status"] = "diverged"
    table = distributions.tests(published, rerun).set_index("metric")
    assert table.loc["diverged", "fails"]


def test_the_first_difference_names_setting_framework_and_metric(tmp_path):
    published, rerun = runs(np.linspace(0.5, 0.9, 32), "fresh_accuracy"), runs(np.linspace(0.5, 0.9, 32) - 0.02,
                                                                               "fresh_accuracy")
    published.to_csv(tmp_path / "p.csv", index=False)
    rerun.to_csv(tmp_path / "r.csv", index=False)
    moved, _ = distributions.first_difference(tmp_path / "p.csv", tmp_path / "r.csv")
    assert moved.startswith("sweep adam-lr0.2 pytorch, fresh_accuracy: the rerun's values are shifted by -0.02")


@pytest.mark.parametrize("change, named", [
    (lambda a: {**a, "y": np.where(np.arange(6) == 2, 0, a["y"])}, "y: sha256"),
    (lambda a: {**a, "X": a["X"] + np.where(np.arange(12).reshape(6, 2) == 0, 1e-6, 0)}, "X: sum"),
    (lambda a: {**a, "X": a["X"][:5]}, "X: shape"),
])
def test_an_input_changed_beyond_rounding_is_named(tmp_path, change, named):
    arrays = {"X": np.linspace(-1, 1, 12).reshape(6, 2), "y": np.array([0, 1, 2, 0, 1, 2])}
    (tmp_path / "data").mkdir()
    np.savez(tmp_path / "data/seed1.npz", **arrays)
    published = distributions.input_summaries(tmp_path, ["data/seed1.npz"]).astype(str)
    rounded = {**arrays, "X": np.nextafter(arrays["X"], np.inf)}
    np.savez(tmp_path / "data/seed1.npz", **rounded)
    assert distributions.input_difference(published, tmp_path, "data/seed1.npz") is None
    np.savez(tmp_path / "data/seed1.npz", **change(arrays))
    assert named in distributions.input_difference(published, tmp_path, "data/seed1.npz")
