"""Every conclusion the report states is computed from the data and flips when the data flip.

The report's sentences (section 6, the headline box, section 11's accuracy row) are fed effects
computed from fabricated runs tables (tests/fabricated.py) with a large, a reversed or no framework
effect, and must say so; section 10's sentence on float32's speed is fed fabricated speed tables.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
import yaml

from spiralbench import effects as effects_module
from spiralbench.findings import guidance, page_gap, speed as sp
from spiralbench.findings import verdicts as verdicts_module
from spiralbench.findings import engines
from spiralbench.findings.effects import for_metric
from spiralbench.report import wording

from fabricated import runs_table

from test_report import REPO

CONFIG = yaml.safe_load((REPO / "config" / "config.yaml").read_text(encoding="utf-8"))
CONFIG["tutorial"]["neurogebra"].setdefault("init", "page")
CONFIG["tutorial"]["pytorch"].setdefault("init", "torch-default")
MARGIN = 1 / 60
PUBLISHED = REPO / "report" / "published" / "reference" / "tables"
CONTROLLED = pd.read_csv(PUBLISHED / "controlled.csv")
COMPLEXITY = pd.read_csv(PUBLISHED / "complexity.csv")


BOTH = ("float32", "float64")  # the sweep's precisions, which the page's gap needs both of


def effects(**kwargs):
    """The effects as the report reads them (``spiralbench.report.results``): the verdicts' metric."""
    return for_metric(effects_module.effects_table(runs_table(**kwargs)))


@pytest.fixture(scope="module")
def large():
    return effects(framework_effect=0.08, init_effect=0.0)


@pytest.fixture(scope="module")
def reversed_():
    return effects(framework_effect=-0.08, init_effect=0.0)


@pytest.fixture(scope="module")
def null():
    return effects(framework_effect=0.0, init_effect=0.0, rng_seed=3)


def test_a_large_framework_effect_is_stated_with_its_side(large):
    text = wording.conclusion(large, "framework")
    assert "**At matched initialisation and precision neurogebra is more accurate**" in text
    assert "no detectable difference" not in text
    assert "+8." in text  # the pooled mean, about +8 pp, with its interval
    assert guidance.accuracy_verdict(large) == "neurogebra"
    assert "**neurogebra is more accurate**" in wording.headline(large, None)


def test_a_reversed_framework_effect_names_pytorch(reversed_):
    assert "**At matched initialisation and precision PyTorch is more accurate**" in wording.conclusion(reversed_, "framework")
    assert guidance.accuracy_verdict(reversed_) == "PyTorch"
    assert "**PyTorch is more accurate**" in wording.headline(reversed_, None)


def test_a_null_framework_effect_is_called_no_difference_with_the_size_it_rules_out(null):
    text = wording.conclusion(null, "framework")
    assert ("**At matched initialisation and precision the framework makes no difference that survives Holm's "
            "correction**") in text
    assert "more accurate" not in text
    assert "rule out an average framework effect larger than" in text
    assert guidance.accuracy_verdict(null) == "undecided"  # no equivalence test asked for: no sameness
    assert guidance.accuracy_verdict(null, MARGIN) == "either"
    assert "**no difference between neurogebra and PyTorch survives Holm's correction**" in wording.headline(null, None)
    assert "no effect of the initialisation scheme survives Holm's correction" in wording.headline(null, None)
    assert "**No initialisation effect survives Holm's correction**" in wording.conclusion(null, "init")


def test_an_init_effect_in_one_framework_only_is_said_to_be_so():
    table = effects(framework_effect=0.0, init_effect={"neurogebra": 0.0, "pytorch": -0.1})
    text = wording.conclusion(table, "init")
    assert re.search(r"\*\*The initialisation matters: PyTorch's default initialisation is more accurate in PyTorch "
                     r"in float64 \(−1?\d\.\d pp\)\*\*; in neurogebra in float64 the difference \([+−]\d\.\d pp\) is not significant", text)
    same = effects(framework_effect=0.0, init_effect=0.1)
    assert "**The initialisation matters: the page's initialisation is more accurate**" in wording.conclusion(same, "init")
    assert "**The initialisation matters**" in wording.headline(same, None)


def test_a_framework_effect_at_one_initialisation_only_or_reversed_is_said_to_be_so():
    # neurogebra +6 pp from the page's initialisation, nothing from PyTorch's default: an interaction.
    partial = effects(framework_effect=0.03, init_effect={"neurogebra": 0.03, "pytorch": -0.03})
    text = wording.conclusion(partial, "framework")
    assert ("**At matched initialisation and precision neurogebra is more accurate from the page's initialisation "
            "in float64 (+") in text
    assert "from PyTorch's default initialisation in float64 the difference (" in text and "is not significant" in text
    assert guidance.accuracy_verdict(partial, MARGIN) == "undecided"  # a level differs: neither side nor sameness
    assert "**neurogebra is more accurate from the page's initialisation" in wording.headline(partial, None)
    opposite = effects(framework_effect=0.0, init_effect={"neurogebra": 0.12, "pytorch": -0.12})
    text = wording.conclusion(opposite, "framework")
    assert ("**At matched initialisation and precision the framework's effect reverses with the initialisation or "
            "the precision**") in text
    assert "neurogebra is more accurate from the page's initialisation" in text
    assert "PyTorch is more accurate from PyTorch's default initialisation" in text
    assert guidance.accuracy_verdict(opposite, MARGIN) == "undecided"


def test_the_page_gap_is_the_sum_of_its_parts_and_the_largest_part_is_named():
    runs = runs_table(framework_effect=0.0, init_effect=0.0, optimizer_effect=-0.15, tutorial_gap=-0.12,
                      precisions=BOTH)
    parts = page_gap.page_comparison_parts(runs, CONFIG)
    total = sum(parts["parts"][name]["mean"] for name in page_gap.PART_NAMES) + parts["chance"]
    assert total == pytest.approx(parts["observed"]) and parts["observed"] == pytest.approx(-0.12)
    assert "**The largest part is optimizer**" in wording.decomposition_conclusion(parts)
    init_driven = runs_table(framework_effect=0.0, init_effect={"neurogebra": 0.0, "pytorch": 0.15}, precisions=BOTH)
    parts = page_gap.page_comparison_parts(init_driven, CONFIG)
    assert "**The largest part is initialisation**" in wording.decomposition_conclusion(parts)
    assert "its largest part is **initialisation**" in wording.headline(effects_module.effects_table(init_driven), parts)


def test_without_the_pages_settings_in_the_sweep_the_gap_is_not_split():
    runs = runs_table(settings=[("sgd", 0.05, 16), ("sgd", 0.2, 16)])
    assert page_gap.page_comparison_parts(runs, CONFIG) is None
    assert "cannot be split" in wording.decomposition_conclusion(None)


def test_engine_sentence_counts_runs_per_engine():
    text = wording.engine_sentence(runs_table(seeds=range(3), settings=[("sgd", 0.05, 16)]))
    assert "neurogebra's numpy tensor engine trained the sweep's runs of neurogebra (6)" in text
    assert "PyTorch trained the sweep's runs of PyTorch (6) and the page's own run of PyTorch (1)" in text


def test_forest_plot_and_effects_tables_show_every_setting_and_the_pooled_row(large):
    from spiralbench.figures import comparison
    from spiralbench.report import tables
    from spiralbench.report.results import Results

    chart = comparison.effects_forest(large, Results)  # Results.path_of is all the functions need of it
    left, right = chart.figure.axes[:2]
    labels = [label.get_text() for label in left.get_yticklabels()]
    assert labels[0].startswith("all settings") and len(labels) == 1 + 12
    assert chart.sources == ["tables/effects.csv"]
    pooled = tables.effects(large, Results).frame
    assert len(pooled) == 4 and set(pooled["effect"]) == {"neurogebra − PyTorch", "page − torch-default"}
    per_setting = tables.effects(large, Results, scope="setting").frame
    assert len(per_setting) == 48 and "setting" in per_setting.columns
    # Significant rows carry their Holm p-value in bold.
    assert pooled.loc[pooled["effect"] == "neurogebra − PyTorch", "Holm p"].str.startswith("**").all()


def _engine_table(loss_gap: float, test_gap: float = 0.0):
    rows = []
    for seed in (42, 0, 1):
        for epoch in (1, 2):
            loss = 1.0 / epoch + seed * 1e-3
            rows.append({"seed": seed, "epoch": epoch, "loss_scalar": loss, "loss_tensor": loss + loss_gap,
                         "loss_abs_diff": loss_gap, "accuracy_scalar": 0.5, "accuracy_tensor": 0.5,
                         "test_accuracy_scalar": 0.8, "test_accuracy_tensor": 0.8 + (test_gap if seed == 0 else 0.0),
                         "agree": loss_gap <= 1e-9 and not (test_gap and seed == 0)})
    return pd.DataFrame(rows)


def test_engine_agreement_is_stated_when_the_engines_agree_and_flips_when_they_do_not():
    agree = engines.engine_agreement(_engine_table(1e-15))
    assert agree["all_agree"] and agree["seeds"] == 3 and agree["seeds_same_test_accuracy"] == 3
    scope = {"checked": {"optimizer": "sgd"}, "unchecked": 0, "other_values": {}}
    assert wording.engine_agreement_sentence(agree, scope).startswith(
        "**The two engines agree at the one setting checked**")
    apart = engines.engine_agreement(_engine_table(1e-15, test_gap=0.05))
    assert not apart["all_agree"] and apart["seeds_same_test_accuracy"] == 2
    assert wording.engine_agreement_sentence(apart, scope).startswith("**The two engines do not agree everywhere**")
    assert "1.0e-03" in wording.engine_agreement_sentence(engines.engine_agreement(_engine_table(1e-3)), scope)


def test_a_range_of_ratios_never_prints_the_same_number_twice():
    assert wording.ratio_range(6.2, 25.0) == "6.2× – 25×"
    assert wording.ratio_range(11.6, 12.4) == "11.6× – 12.4×"  # not "12× – 12×"
    assert wording.ratio_range(2.204, 2.236) == "2.20× – 2.24×"


def verdict_table(runs, config=CONFIG):
    return verdicts_module.verdicts(runs, effects_module.effects_table(runs), CONTROLLED, COMPLEXITY, config).set_index("verdict")["value"]


def test_the_verdicts_table_flips_with_the_data_and_agrees_with_the_sentences():
    """The verdicts a rerun elsewhere is compared on are the ones the report's sentences are worded from."""
    for effect, side, lead in ((0.08, "neurogebra", "**At matched initialisation and precision neurogebra is more accurate**"),
                               (-0.08, "PyTorch", "**At matched initialisation and precision PyTorch is more accurate**")):
        runs = runs_table(framework_effect=effect, init_effect=0.0)
        table = verdict_table(runs)
        assert table["framework effect over its levels"] == f"same ({side})"
        assert lead in wording.conclusion(effects_module.effects_table(runs), "framework")
        assert table["when to use each: Accuracy on a problem like this"] == side
        assert table["framework effect, pooled, within page/float64"] == f"favours {side} (significant after Holm)"
    null = verdict_table(runs_table(framework_effect=0.0, init_effect=0.0, rng_seed=3))
    assert null["framework effect over its levels"] == "none"
    assert null["framework effect: equivalent within ±1.67 pp (TOST)"] == "equivalent"
    assert null["when to use each: Accuracy on a problem like this"] == "either"
    assert null["framework effect, pooled, within page/float64"] == "no difference after Holm"


def test_the_verdicts_name_the_largest_part_of_the_pages_gap():
    runs = runs_table(optimizer_effect=-0.15, precisions=BOTH)
    parts = page_gap.page_comparison_parts(runs, CONFIG)
    assert verdict_table(runs)["the page's gap: largest part"] == page_gap.largest_part(parts)[1] == "optimizer"


def test_a_precision_effect_is_stated_and_enters_the_headline_and_the_pages_gap():
    runs = runs_table(precision_effect={"neurogebra": 0.0, "pytorch": 0.12}, precisions=BOTH)
    table = effects_module.effects_table(runs)
    text = wording.conclusion(table, "precision", MARGIN)
    assert text.startswith("**The precision matters: float32 is more accurate in PyTorch from ")
    assert "in neurogebra from the page's initialisation in float" not in text  # precision is what varies
    assert "**The precision matters**" in wording.headline(table, None)
    parts = page_gap.page_comparison_parts(runs, CONFIG)
    assert [point["precision"] for point in parts["path"]] == ["float64", "float64", "float64", "float32", "float32"]
    assert parts["parts"]["precision"]["mean"] == pytest.approx(-0.12, abs=0.03)  # float64 − float32 in PyTorch
    none = effects_module.effects_table(runs_table(precisions=BOTH, rng_seed=0))
    assert wording.conclusion(none, "precision", MARGIN).startswith(
        "**Averaged over the settings, float32 and float64 train to the same accuracy")
    assert verdict_table(runs)["precision effect over its levels"] == "partial (float32)"


def speed_table(float32_speedup):
    """A fabricated timing/speed.csv: 3 repeats per cell, float32 taking float64's time over
    ``float32_speedup(width)`` in the tensor engine, PyTorch and the numpy floor."""
    rows = []
    for width in (4, 16, 64, 256, 1024):
        seconds = 1e-3 * (1 + width / 64)
        cells = [("scalar", "float64", 30 * seconds)] if width <= 16 else []
        for name in ("tensor", "torch", "numpy"):
            cells += [(name, "float64", seconds), (name, "float32", seconds / float32_speedup(width))]
        rows += [(name, precision, width, repeat, time * jitter, 0.0) for name, precision, time in cells
                 for repeat, jitter in enumerate((0.98, 1.0, 1.02), 1)]
    return pd.DataFrame(rows, columns=["implementation", "precision", "hidden_width", "repeat",
                                       "seconds_per_epoch", "samples_per_second"])


IMPLEMENTATION_NAMES = ("neurogebra's tensor engine", "PyTorch", "the hand-written numpy floor")


def test_what_float32_buys_is_stated_from_the_data_and_flips_with_it():
    everywhere = wording.precision_speed_conclusion(speed_table(lambda width: 2.0))
    for name in IMPLEMENTATION_NAMES:
        assert f"{name} 2.00× at width 4, 2.00× at width 1024 (**faster at every width measured**)" in everywhere
    assert "no clear gain" not in everywhere and "below the width" not in everywhere

    # Within the repeats' spread (under CLEAR_SPEEDUP) is no gain, even where float32 is a little faster.
    nowhere = wording.precision_speed_conclusion(speed_table(lambda width: 1.05))
    for name in IMPLEMENTATION_NAMES:
        assert f"{name} 1.05× at width 4, 1.05× at width 1024 (no clear gain at any width measured)" in nowhere
    assert "**faster" not in nowhere

    late = wording.precision_speed_conclusion(speed_table(lambda width: 1.0 if width < 256 else 1.8))
    assert late.count("(**faster from width 256 on**)") == 3
    assert "below the width where a gain starts" in late
    # A gain at one width in between is not a gain "from" it: float32 must stay faster up to the largest width.
    dip = wording.precision_speed_conclusion(speed_table(lambda width: 1.5 if width == 64 else 1.0))
    assert dip.count("no clear gain at any width measured") == 3

    only_float64 = speed_table(lambda width: 2.0).query("precision == 'float64'")
    assert wording.precision_speed_conclusion(only_float64).startswith("Float32 was not timed beside float64")


def test_the_speed_comparisons_between_implementations_stay_in_float64():
    """float32 timings, however fast, leave the float64 numbers (the headline's) as they are."""
    with_float32 = speed_table(lambda width: 3.0)
    float64 = with_float32.query("precision == 'float64'")
    float64_clause = wording.speed_conclusion(float64, 16).split(": ", 1)[0]
    assert wording.speed_conclusion(with_float32, 16).startswith(float64_clause)
    in_float64 = [key for key in sp.speed_facts(float64, 16) if key != "largest_by_precision"]
    assert ({key: sp.speed_facts(with_float32, 16)[key] for key in in_float64}
            == {key: sp.speed_facts(float64, 16)[key] for key in in_float64})
    pd.testing.assert_frame_equal(sp.speed_by_width(with_float32), sp.speed_by_width(float64))
    assert sp.growth_exponents(with_float32) == sp.growth_exponents(float64)


def pytorch_wins_at_the_largest_width():
    """``speed_table`` where, at width 1024, PyTorch is clearly faster in float32 and measured faster in
    float64 but in a cell whose rounds spread too much for a verdict."""
    table = speed_table(lambda width: 1.0)
    torch_1024 = (table["implementation"] == "torch") & (table["hidden_width"] == 1024)
    table.loc[torch_1024, "seconds_per_epoch"] /= 1.5
    unsteady = torch_1024 & (table["precision"] == "float64")
    table.loc[unsteady, "seconds_per_epoch"] *= table.loc[unsteady, "repeat"].map({1: 0.8, 2: 1.0, 3: 1.25})
    return table


def test_every_speed_sentence_names_its_precision_and_claims_no_more_than_its_verdicts():
    speed = pytorch_wins_at_the_largest_width()
    facts = sp.speed_facts(speed, 16)
    assert facts["largest_by_precision"]["float32"]["verdict"] == sp.SLOWER
    assert facts["largest_by_precision"]["float64"]["verdict"] == sp.UNSTABLE

    conclusion = wording.speed_conclusion(speed, 16)
    assert conclusion.startswith("At hidden width 16, in float64,")
    # "Not shown to overtake" is decided per precision: float32's verdict at 1024 is not hidden by float64's.
    assert "in float32 PyTorch overtakes it from width 1024 on" in conclusion
    assert "in float64 PyTorch is not shown to overtake it up to width 1024" in conclusion
    assert "too unstable for a verdict" in conclusion

    headline_speed = wording.tensor_engine_speed(facts)
    assert "in float32 1.5× slower than PyTorch" in headline_speed
    assert "not compared" not in headline_speed and "with no verdict drawn" in headline_speed

    box = wording.largest_width_short(facts)
    assert "at width 1024" in box and "**PyTorch is faster** in float32" in box
    assert "in float64 it measured faster too, with no verdict" in box

    # Where PyTorch is never faster, the box adds nothing to the page's-width sentence.
    assert wording.largest_width_short(sp.speed_facts(speed_table(lambda width: 1.0), 16)) == ""
