"""Every verdict and superlative of ``spiralbench.findings`` flips when the data do.

Fed fabricated tables (tests/fabricated.py and small frames made here), each verdict is shown one way,
then the data are changed until it says the other.
"""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from spiralbench import effects as effects_module
from spiralbench.findings import code_size, effects as ef, guidance, lesson, speed as sp
from spiralbench.report import wording

from fabricated import runs_table
from test_report_conclusions import COMPLEXITY, CONTROLLED, CONFIG, speed_table, verdict_table

MARGIN = ef.equivalence_margin(CONFIG)
BOTH = ("float32", "float64")


def test_the_margin_is_one_point_of_the_pages_test_set():
    assert ef.test_points(CONFIG) == 60 and MARGIN == pytest.approx(1 / 60)


def test_precision_sameness_needs_an_equivalence_test_and_flips_with_the_spread():
    tight = effects_module.effects_table(runs_table(precisions=BOTH, noise=0.002))
    assert ef.equivalence_verdict(tight, "precision", MARGIN) == "equivalent"
    assert wording.conclusion(tight, "precision", MARGIN).startswith(
        "**Averaged over the settings, float32 and float64 train to the same accuracy within")
    # Same null effect, noisier seeds: no difference survives Holm, yet sameness is not shown.
    loose = effects_module.effects_table(runs_table(precisions=BOTH, noise=0.15, seeds=range(4)))
    assert ef.equivalence_verdict(loose, "precision", MARGIN) == "not shown"
    assert "sameness within ±1.67 pp (one point of the page's test set) is not shown" in wording.conclusion(loose, "precision", MARGIN)
    real = effects_module.effects_table(runs_table(precisions=BOTH, precision_effect=0.1))
    assert ef.equivalence_verdict(real, "precision", MARGIN) == "different"


def test_identical_precision_rows_are_counted_and_listed():
    runs = runs_table(precisions=BOTH, noise=0.01)
    same = runs["precision"] == "float32"
    # make float32 copy float64 exactly for neurogebra's SGD runs
    keys = ["framework", "optimizer", "learning_rate", "batch_size", "init", "seed", "group"]
    mask = same & (runs["framework"] == "neurogebra") & (runs["optimizer"] == "sgd")
    for metric in ("test_accuracy", "fresh_accuracy"):
        f64 = runs[~same].set_index(keys)[metric]
        runs.loc[mask, metric] = [f64[tuple(row[k] for k in keys)] for _, row in runs[mask].iterrows()]
    table = effects_module.effects_table(runs)
    rows = ef.identical_settings(table, "precision")
    assert len(rows) == 12 and set(rows["optimizer"]) == {"sgd"}
    assert "In 12 of the 48 per-setting rows float32 and float64 give the same accuracy on every seed" in \
        wording.identical_sentence(table)
    assert ef.identical_settings(effects_module.effects_table(runs_table(precisions=BOTH)), "precision").empty


def test_the_claim_furthest_off_is_computed_and_flips():
    evaluation = COMPLEXITY.set_index("component").loc["evaluation", "neurogebra_lines"]
    assert code_size.furthest_claim(COMPLEXITY) == {"component": "evaluation", "framework": "neurogebra",
                                                    "measured": evaluation, "claimed": 8,
                                                    "factor": max(evaluation, 8) / min(evaluation, 8)}
    flipped = COMPLEXITY.copy()
    flipped.loc[flipped["component"] == "training loop", "pytorch_lines"] = 400
    assert code_size.furthest_claim(flipped)["component"] == "training loop"
    assert code_size.furthest_claim(flipped)["factor"] == 20
    assert "PyTorch's training loop: 400 lines measured, 20 claimed (20× more)" in wording.complexity_conclusion(flipped)


def test_the_line_ratios_follow_the_totals():
    total = code_size.totals(COMPLEXITY)
    assert total["claimed_ratio"] == 3 and total["measured_ratio"] == total["neurogebra_lines"] / total["pytorch_lines"]
    doubled = COMPLEXITY.assign(pytorch_lines=2 * COMPLEXITY["pytorch_lines"])
    assert code_size.totals(doubled)["measured_ratio"] == pytest.approx(total["measured_ratio"] / 2)


def test_the_pooled_ranges_count_the_significant_levels_and_flip():
    null = ef.pooled_ranges(effects_module.effects_table(runs_table(noise=0.01)))
    assert null.loc["framework", "significant"] == 0
    large = effects_module.effects_table(runs_table(framework_effect=0.2, noise=0.01))
    ranges = ef.pooled_ranges(large)
    pooled = ef.pooled_effects(large, "framework")
    assert ranges.loc["framework", "significant"] == ranges.loc["framework", "levels"] == len(pooled) > 0
    assert ranges.loc["framework", "low"] == pooled["mean"].min() and ranges.loc["framework", "high"] == pooled["mean"].max()


def test_the_teaching_answer_rests_on_the_controlled_run():
    assert guidance.teaching_verdict(CONTROLLED) == "neurogebra"
    apart = CONTROLLED.assign(torch_loss=CONTROLLED["torch_loss"] + 1e-3)
    assert guidance.teaching_verdict(apart) == "PyTorch"


def test_the_speed_answers_compare_the_tensor_engine_with_pytorch_at_the_largest_width():
    facts = sp.speed_facts(speed_table(lambda width: 1.0), 16)
    assert guidance.at_scale_verdict(facts) == "either"  # fabricated: the same time for all three
    slower = speed_table(lambda width: 1.0)
    slower.loc[(slower["implementation"] == "tensor") & (slower["hidden_width"] == 1024), "seconds_per_epoch"] *= 3
    facts = sp.speed_facts(slower, 16)
    assert guidance.at_scale_verdict(facts) == "PyTorch" and facts["crossover"] == 1024
    # float64 alone does not answer when float32 says otherwise.
    in_float64 = (slower["implementation"] == "tensor") & (slower["precision"] == "float32") & (slower["hidden_width"] == 1024)
    split = slower.assign(seconds_per_epoch=np.where(in_float64, slower["seconds_per_epoch"] / 9, slower["seconds_per_epoch"]))
    assert guidance.at_scale_verdict(sp.speed_facts(split, 16)) == guidance.DEPENDS_ON_PRECISION
    # A disturbed cell gives no answer.
    disturbed = slower.assign(stable=~((slower["implementation"] == "torch") & (slower["hidden_width"] == 1024)))
    assert guidance.at_scale_verdict(sp.speed_facts(disturbed, 16)) == guidance.UNDECIDED
    # Nor does a one-thread ratio answer large-scale training.
    assert "Large-scale training" in guidance.NOT_MEASURED and "Large-scale training" not in guidance.AT_SCALE
    assert guidance.course_verdict(facts, 30) == "neurogebra"
    assert guidance.course_verdict(facts, 10 ** 7) == "PyTorch"


def test_growth_exponents_use_the_same_widths_for_every_implementation():
    growth = sp.growth_exponents(speed_table(lambda width: 1.0), ("scalar", "torch"))
    assert growth["widths"] == [4, 16]
    assert sp.growth_exponents(speed_table(lambda width: 1.0), ("tensor", "torch"))["widths"] == [4, 16, 64, 256, 1024]


def test_the_floor_distance_is_given_per_precision():
    distance = sp.floor_distance(speed_table(lambda width: 2.0))
    assert set(distance["precision"]) == {"float32", "float64"}
    assert distance["floor_ratio"].tolist() == pytest.approx([1.0] * len(distance))
    slow = speed_table(lambda width: 2.0)
    slow.loc[(slow["implementation"] == "tensor") & (slow["precision"] == "float32"), "seconds_per_epoch"] *= 4
    by_precision = sp.floor_distance(slow).groupby("precision")["floor_ratio"].max()
    assert by_precision["float32"] == pytest.approx(4.0) and by_precision["float64"] == pytest.approx(1.0)


def test_the_verdicts_carry_the_new_rows_and_flip():
    table = verdict_table(runs_table(precisions=BOTH, noise=0.002))
    name = "precision effect: equivalent within ±1.67 pp (TOST)"
    assert table[name] == "equivalent"
    assert verdict_table(runs_table(precisions=BOTH, noise=0.15, seeds=range(4)))[name] == "not shown"
    assert table["lines of code: the page's claim furthest off"] == "evaluation (neurogebra)"
    assert table["when to use each: Learning ML concepts"] == "neurogebra"
    assert table["the metric the verdicts use"] == "fresh_accuracy"


def test_the_verdicts_use_the_fresh_metric_when_the_effects_have_it():
    table = effects_module.effects_table(runs_table(framework_effect=0.08))
    both = pd.concat([table.assign(metric="test_accuracy"),
                      table.assign(metric="fresh_accuracy", significant=False)])
    assert ef.metric_of(both) == "fresh_accuracy"
    assert ef.effect_verdict(ef.for_metric(both), "framework")["kind"] == "none"
    assert ef.effect_verdict(ef.for_metric(both, "test_accuracy"), "framework")["kind"] == "same"
    assert "The verdicts use accuracy on a fresh sample; the effects tables also report test accuracy." == \
        wording.metric_sentence(both)


def test_the_findings_import_no_plotting_notebook_or_library():
    code = ("import sys, spiralbench.findings.verdicts, spiralbench.findings.speed, spiralbench.findings.guidance; "
            "bad = [m for m in ('matplotlib', 'nbformat', 'papermill', 'neurogebra', 'torch', 'spiralbench.report') "
            "if m in sys.modules]; print(bad); sys.exit(bool(bad))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_sentence_reads_the_verdicts_metric_only():
    """With both metrics in the table, the sentences and verdicts follow ``VERDICT_METRIC`` alone."""
    table = effects_module.effects_table(runs_table(framework_effect=0.08))
    fresh_null = effects_module.effects_table(runs_table(framework_effect=0.0, rng_seed=3))
    both = pd.concat([table.assign(metric="test_accuracy"), fresh_null.assign(metric="fresh_accuracy")])
    assert "makes no difference that survives Holm's correction" in wording.conclusion(both, "framework")
    # The fresh sample's null effect, shown the same by the equivalence test: either library.
    assert guidance.accuracy_verdict(both, MARGIN) == "either"
    assert guidance.accuracy_verdict(table, MARGIN) == "neurogebra"


def test_the_timing_findings_table_names_each_finding_once_and_flips_with_the_data():
    from spiralbench.findings.timing import timing_findings
    run_timing = pd.DataFrame({"run_id": ["sweep/neurogebra/a/seed0", "sweep/pytorch/a/seed0"], "setting": ["a", "a"],
                               "seed": [0, 0], "framework": ["neurogebra", "pytorch"],
                               "seconds_per_epoch_median": [1.0, 2.0]})
    even = timing_findings(speed_table(lambda width: 1.0), run_timing, 16, 30).set_index("finding")["value"]
    assert even.index.is_unique
    assert even["when to use each: Research prototyping"] == "either"
    assert "when to use each: Large-scale training" not in even.index
    assert even["tensor engine speed-up over PyTorch in float32 at width 1024, verdict on the tensor engine"] == "about the same"
    assert even["cells the machine disturbed (no verdict drawn from them)"] == "none"
    assert even["sweep runs: neurogebra's speed-up over PyTorch, median over (setting, seed) pairs"] == 2.0
    slower = speed_table(lambda width: 1.0)
    slower.loc[(slower["implementation"] == "tensor") & (slower["hidden_width"] == 1024), "seconds_per_epoch"] *= 3
    flipped = timing_findings(slower, run_timing, 16, 30).set_index("finding")["value"]
    assert flipped["when to use each: Research prototyping"] == "PyTorch"
    assert flipped["PyTorch faster than the tensor engine (float64) from width"] == 1024
    assert flipped["tensor engine speed-up over PyTorch in float64 at width 1024, verdict on the tensor engine"] == "slower"


def test_the_fresh_sample_is_set_beside_the_test_set_and_its_gain_follows_the_data():
    runs = runs_table(framework_effect=0.05, noise=0.05)
    # The test set's accuracy in steps of one point of 60, the fresh sample's nearly without them.
    rng = np.random.default_rng(1)
    runs["test_accuracy"] = (runs["fresh_accuracy"] + rng.normal(0, 0.04, len(runs))).clip(0, 1).mul(60).round() / 60
    both = ef.by_metric(effects_module.effects_table(runs))
    assert set(both["effect"]) == {"framework", "init"} and len(both) == 4
    gain = ef.instrument_gain(both)
    assert gain["rows"] == 4 and gain["median_narrower"] > 1
    # The same numbers on both measures: no narrower, every verdict the same.
    runs["test_accuracy"] = runs["fresh_accuracy"]
    same = ef.instrument_gain(ef.by_metric(effects_module.effects_table(runs)))
    assert same["median_narrower"] == pytest.approx(1.0) and same["agree"] == same["rows"]
    # Without the fresh sample there is nothing to set beside the test set.
    test_only = effects_module.effects_table(runs.drop(columns="fresh_accuracy"), metrics=("test_accuracy",))
    assert ef.by_metric(test_only).empty
    assert "no fresh-sample effects" in wording.instrument_sentence({"rows": 0}, 60, 30000)


def test_the_pages_demos_are_checked_against_their_definitions_and_flip():
    from spiralbench.findings import lesson

    probabilities = np.exp([2.0, 1.0, 0.1]) / np.exp([2.0, 1.0, 0.1]).sum()
    demo = pd.DataFrame([{"framework": f, "class": k, "score": s, "probability": p, "loss": -np.log(probabilities[0])}
                         for f in ("neurogebra", "pytorch") for k, (s, p) in enumerate(zip((2.0, 1.0, 0.1), probabilities))])
    assert lesson.softmax_check(demo)["agree"] and lesson.softmax_check(demo)["largest"] < 1e-12
    demo.loc[(demo["framework"] == "pytorch") & (demo["class"] == 1), "probability"] += 1e-3
    assert not lesson.softmax_check(demo)["agree"] and lesson.softmax_check(demo)["largest"] == pytest.approx(1e-3)

    forge = pd.DataFrame({"expression": ["relu", "relu", "tanh", "x**2"], "x": [2.0, 0.0, 0.5, 3.0],
                          "value": [2.0, 0.0, np.tanh(0.5), 9.0], "gradient_value": [1.0, 0.0, 1 - np.tanh(0.5) ** 2, 6.0]})
    assert lesson.mathforge_check(forge)["matches"].all()
    forge.loc[1, "gradient_value"] = 1.0  # relu's gradient at the kink taken as 1: not PyTorch's convention
    assert lesson.mathforge_check(forge)["matches"].tolist() == [True, False, True, True]


def test_split_sizes_parameter_counts_and_run_timing_follow_the_data():
    from spiralbench.findings import lesson

    split = {"y_train": np.array([0, 0, 1, 2, 2, 2]), "y_test": np.array([1, 2])}
    assert lesson.class_counts(split) == {"train": 6, "train_per_class": [2, 1, 3], "test": 2,
                                          "test_per_class": [0, 1, 1]}
    saved = [(np.zeros((16, 2)), np.zeros(16)), (np.zeros((16, 16)), np.zeros(16)), (np.zeros((3, 16)), np.zeros(3))]
    assert lesson.saved_network(saved) == {"sizes": [2, 16, 16, 3], "counted": 371, "implied": 371}
    saved[2] = (np.zeros((3, 16)), np.zeros(4))  # a bias too many: the saved values no longer match the sizes
    assert lesson.saved_network(saved)["counted"] == 372
    runs = pd.DataFrame({"hidden_sizes": ["16x16", "8"], "n_parameters": [371, 51]})
    assert lesson.parameter_counts(runs, n_classes=3) == {"agree": True, "runs": 2, "counts": [51, 371]}
    runs.loc[1, "n_parameters"] = 50
    assert not lesson.parameter_counts(runs, n_classes=3)["agree"]

    timing = pd.DataFrame({"framework": ["pytorch", "neurogebra", "neurogebra", "neurogebra"],
                           "engine": ["torch", "tensor", "tensor", "tensor"],
                           "seconds_per_epoch_median": [0.1, 1.0, 2.0, 4.0], "samples_per_second_median": [9.0, 1, 2, 3]})
    table = lesson.run_timing(timing)
    assert table.index.tolist() == [("neurogebra", "tensor"), ("pytorch", "torch")]
    assert table.loc[("neurogebra", "tensor"), ["runs", "seconds_median", "seconds_p25", "seconds_p75", "samples_per_second"]].tolist() == [3, 2.0, 1.5, 3.0, 2.0]


def test_representative_seeds_are_the_worst_the_median_and_the_best_by_mean_test_accuracy():
    accuracy = {1: 0.9, 2: 0.5, 3: 0.7, 4: 0.6, 5: 0.8}
    rows = [{"group": "sweep", "status": "ok", "seed": seed, "test_accuracy": value + shift}
            for seed, value in accuracy.items() for shift in (-0.05, 0.05)]
    rows += [{"group": "sweep", "status": "diverged", "seed": 1, "test_accuracy": 0.0},  # left out
             {"group": "tutorial", "status": "ok", "seed": 2, "test_accuracy": 1.0}]  # not the sweep's
    chosen = lesson.representative_seeds(pd.DataFrame(rows), list(accuracy))
    assert [(c["role"], c["seed"]) for c in chosen] == [("worst", 2), ("median", 3), ("best", 1)]
    assert chosen[2]["accuracy"] == pytest.approx(0.9)
    few = lesson.representative_seeds(pd.DataFrame(rows), [3, 1])
    assert [(c["role"], c["seed"]) for c in few] == [("", 1), ("", 3)]
