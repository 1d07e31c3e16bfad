"""The paired effects table on runs tables with effects of known size (tests/fabricated.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from spiralbench import effects
from spiralbench.io import write_csv

from fabricated import runs_table


def pooled(table, effect, within, metric="test_accuracy"):
    row = table[(table["metric"] == metric) & (table["effect"] == effect) & (table["scope"] == "pooled")
                & (table["within"] == within)]
    assert len(row) == 1
    return row.iloc[0]


def test_a_known_framework_effect_is_inside_both_intervals_and_significant_after_holm():
    table = effects.effects_table(runs_table(framework_effect=0.06, init_effect=0.0))
    for init in ("page/float64", "torch-default/float64"):
        row = pooled(table, "framework", init)
        assert row["t_low"] < 0.06 < row["t_high"]
        assert row["boot_low"] < 0.06 < row["boot_high"]
        assert row["mean"] > 0 and row["significant"] and row["p_holm"] < 0.05
    per_setting = table[(table["effect"] == "framework") & (table["scope"] == "setting")]
    covered = ((per_setting["t_low"] < 0.06) & (per_setting["t_high"] > 0.06)).mean()
    assert covered >= 0.8  # 95% intervals: nearly all of the 24 cover the true effect
    assert per_setting["mean"].between(0.03, 0.09).all()


def test_the_init_effect_is_measured_within_each_framework_with_its_own_sign():
    table = effects.effects_table(runs_table(init_effect={"neurogebra": 0.0, "pytorch": -0.08}))
    pytorch = pooled(table, "init", "pytorch/float64")
    assert pytorch["t_low"] < -0.08 < pytorch["t_high"] and pytorch["significant"]
    assert not pooled(table, "init", "neurogebra/float64")["significant"]
    assert set(table.loc[table["effect"] == "init", "contrast"]) == {"page - torch-default"}


def test_a_null_effect_is_not_called_significant_after_holm_though_some_raw_p_values_are():
    table = effects.effects_table(runs_table(framework_effect=0.0, init_effect=0.0, rng_seed=3))
    assert (table["p_value"] < 0.05).any()  # 52 tests of nothing: a few raw p-values fall below 0.05 by chance
    assert not table["significant"].any()
    assert (table["p_holm"] >= table["p_value"]).all()


def test_families_are_the_metric_effect_and_scope_and_holm_runs_within_each():
    table = effects.effects_table(runs_table(framework_effect=0.02))
    sizes = table.groupby("family").size().to_dict()
    assert sizes == {f"{metric}/{family}": size for metric in ("test_accuracy", "fresh_accuracy")
                     for family, size in {"framework/pooled": 2, "framework/setting": 24, "init/pooled": 2,
                                          "init/setting": 24}.items()}
    for _, family in table.groupby("family"):
        # Holm: the smallest p-value is multiplied by the family's size, and no more.
        smallest = family["p_value"].idxmin()
        assert table.loc[smallest, "p_holm"] == pytest.approx(min(1.0, family["p_value"].min() * len(family)))


def test_pooled_effect_averages_each_seeds_differences_so_the_seed_stays_the_unit():
    runs = runs_table(framework_effect=0.03, settings=[("sgd", 0.05, 16), ("adam", 0.01, 16)], seeds=range(6))
    sweep = runs[(runs["group"] == "sweep") & (runs["init"] == "page")]
    wide = sweep.pivot_table(index=["optimizer", "seed"], columns="framework", values="test_accuracy")
    per_seed = (wide["neurogebra"] - wide["pytorch"]).groupby("seed").mean()
    row = pooled(effects.effects_table(runs), "framework", "page/float64")
    assert row["n_pairs"] == 6 and row["n_settings"] == 2  # six seeds, not twelve (setting, seed) pairs
    assert row["mean"] == pytest.approx(per_seed.mean())
    assert row["sd"] == pytest.approx(per_seed.std(ddof=1))
    assert row["p_value"] == pytest.approx(stats.ttest_1samp(per_seed, 0).pvalue)


def test_a_diverged_run_drops_its_pair_and_is_counted():
    diverged = [("neurogebra", "page", "sgd", 0.2, 16, 4)]
    table = effects.effects_table(runs_table(framework_effect=0.02, diverged=diverged))
    setting = table[(table["effect"] == "framework") & (table["within"] == "page/float64") & (table["optimizer"] == "sgd")
                    & np.isclose(table["learning_rate"].astype(float), 0.2) & (table["batch_size"] == 16)].iloc[0]
    assert (setting["n_pairs"], setting["n_dropped"]) == (9, 1)
    assert pooled(table, "framework", "page/float64")["n_dropped"] == 1
    assert pooled(table, "framework", "page/float64")["n_pairs"] == 10  # seed 4 still has eleven complete settings
    init = table[(table["effect"] == "init") & (table["within"] == "neurogebra/float64") & (table["optimizer"] == "sgd")
                 & np.isclose(table["learning_rate"].astype(float), 0.2) & (table["batch_size"] == 16)].iloc[0]
    assert init["n_dropped"] == 1
    # framework per setting and pooled, init per setting and pooled, on each of the two metrics
    assert table.groupby("metric")["n_dropped"].sum().to_dict() == {"test_accuracy": 4, "fresh_accuracy": 4}


def test_the_bootstrap_is_deterministic_and_each_interval_depends_on_its_own_differences_only(tmp_path):
    runs = runs_table(framework_effect=0.02)
    for name in ("a.csv", "b.csv"):
        write_csv(tmp_path / name, effects.effects_table(runs), effects.EFFECTS_COLUMNS)
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    # One setting's effect recomputed on its own gives the same interval as inside the full table.
    pairs = effects.paired_differences(runs, "framework")
    one = pairs[(pairs["within"] == "page/float64") & (pairs["optimizer"] == "adam") & (pairs["learning_rate"] == 0.05)
                & (pairs["batch_size"] == 64)]
    alone = effects.paired_statistics(one["difference"])
    table = effects.effects_table(runs)
    row = table[(table["within"] == "page/float64") & (table["optimizer"] == "adam")
                & np.isclose(table["learning_rate"].astype(float), 0.05) & (table["batch_size"] == 64)].iloc[0]
    assert (row["boot_low"], row["boot_high"]) == (alone["boot_low"], alone["boot_high"])
    # A different generator seed gives a (slightly) different interval: the seed is really used.
    assert effects.bootstrap_interval(one["difference"].to_numpy(), seed=1) != (alone["boot_low"], alone["boot_high"])


def test_t_interval_and_p_value_are_scipys_paired_t_test():
    differences = np.array([0.02, 0.05, -0.01, 0.04, 0.03, 0.00, 0.06, 0.01])
    result = effects.paired_statistics(differences)
    a = np.linspace(0.7, 0.8, len(differences))
    paired = stats.ttest_rel(a + differences, a)
    assert result["p_value"] == pytest.approx(paired.pvalue)
    low, high = paired.confidence_interval(0.95)
    assert (result["t_low"], result["t_high"]) == (pytest.approx(low), pytest.approx(high))
    assert result["boot_low"] < differences.mean() < result["boot_high"]


def test_degenerate_differences_give_defined_or_missing_values_not_errors():
    assert np.isnan(effects.paired_statistics([0.1])["sd"])
    same = effects.paired_statistics([0.05] * 5)
    assert (same["t_low"], same["t_high"], same["p_value"]) == (0.05, 0.05, 0.0)
    assert np.isnan(effects.paired_statistics([0.0] * 5)["p_value"])


def test_a_runs_table_without_the_init_column_is_refused_by_name():
    runs = runs_table().drop(columns=["init"])
    with pytest.raises(ValueError, match="missing column.*init"):
        effects.effects_table(runs)


def test_two_runs_for_one_pair_slot_are_refused():
    runs = runs_table()
    with pytest.raises(ValueError, match="more than one sweep run"):
        effects.effects_table(pd.concat([runs, runs.iloc[[0]]]))


def test_path_effects_add_up_to_the_whole_gap():
    runs = runs_table(framework_effect=0.04, init_effect=0.02, optimizer_effect=-0.05)
    common = {"batch_size": 16, "epochs": 30, "hidden_sizes": "16x16", "activation": "relu", "precision": "float64"}
    path = [{"framework": "neurogebra", "optimizer": "sgd", "learning_rate": 0.05, "init": "page", **common},
            {"framework": "neurogebra", "optimizer": "adam", "learning_rate": 0.01, "init": "page", **common},
            {"framework": "pytorch", "optimizer": "adam", "learning_rate": 0.01, "init": "page", **common},
            {"framework": "pytorch", "optimizer": "adam", "learning_rate": 0.01, "init": "torch-default", **common}]
    steps = effects.path_effects(runs, path)
    assert len(steps) == 10
    assert np.allclose(steps[["step0", "step1", "step2"]].sum(axis=1), steps["total"])
    assert steps["step0"].mean() == pytest.approx(-0.05, abs=0.03)
    assert steps["step1"].mean() == pytest.approx(0.04, abs=0.03)
    assert steps["step2"].mean() == pytest.approx(0.02, abs=0.03)


def test_the_precision_effect_is_measured_within_each_framework_and_init_and_the_framework_at_matched_precision():
    runs = runs_table(framework_effect=0.0, precision_effect={"neurogebra": 0.0, "pytorch": 0.07},
                      precisions=("float32", "float64"))
    table = effects.effects_table(runs)
    sizes = table[(table["scope"] == "pooled") & (table["metric"] == "test_accuracy")].groupby("effect").size().to_dict()
    assert sizes == {"framework": 4, "init": 4, "precision": 4}  # two levels held fixed, two values each
    for init in ("page", "torch-default"):
        pytorch = pooled(table, "precision", f"pytorch/{init}")
        assert pytorch["t_low"] < 0.07 < pytorch["t_high"] and pytorch["significant"]
        assert not pooled(table, "precision", f"neurogebra/{init}")["significant"]
    assert set(table.loc[table["effect"] == "precision", "contrast"]) == {"float32 - float64"}
    # PyTorch gains 3.5 pp in float32 and loses as much in float64: the framework effect flips with it.
    assert pooled(table, "framework", "page/float32")["mean"] == pytest.approx(-0.035, abs=0.015)
    assert pooled(table, "framework", "page/float64")["mean"] == pytest.approx(0.035, abs=0.015)
    assert set(table["family"]) == {f"{m}/{e}/{s}" for m in ("test_accuracy", "fresh_accuracy")
                                    for e in ("framework", "init", "precision") for s in ("pooled", "setting")}


def test_each_metric_has_its_own_effects_and_its_own_holm_families():
    runs = runs_table(framework_effect=0.04, rng_seed=5)
    # The fresh sample sees the framework effect 4 points smaller than the test set does.
    runs["fresh_accuracy"] = runs["test_accuracy"] - np.where(runs["framework"] == "neurogebra", 0.02, -0.02)
    table = effects.effects_table(runs)
    assert list(table["metric"].unique()) == ["test_accuracy", "fresh_accuracy"]
    assert pooled(table, "framework", "page/float64")["significant"]
    test, fresh = (pooled(table, "framework", "page/float64", metric) for metric in effects.METRICS)
    assert fresh["mean"] == pytest.approx(test["mean"] - 0.04, abs=1e-12)
    # Holm within each metric alone: a metric's rows are those of a table computed on that metric only.
    for metric in effects.METRICS:
        alone = effects.effects_table(runs, metrics=(metric,))
        pd.testing.assert_frame_equal(effects.of_metric(table, metric), effects.of_metric(alone, metric))
    with pytest.raises(ValueError, match="missing column\\(s\\) fresh_accuracy"):
        effects.effects_table(runs.drop(columns="fresh_accuracy"))
    with pytest.raises(ValueError, match="no rows for metric 'final_loss'"):
        effects.of_metric(table, "final_loss")
