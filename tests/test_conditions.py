"""Each conclusion carries its condition, and each condition flips when the data do.

Fabricated runs and histories (tests/fabricated.py) are changed until every condition of
``spiralbench.findings.conditions`` says the other thing, and the report's sentences follow.
"""
from __future__ import annotations

import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from spiralbench import effects as effects_module
from spiralbench.findings import conditions, effects as ef, guidance, page_gap
from spiralbench.report import tables, wording
from spiralbench.report.results import Results

from fabricated import epochs_table, runs_table
from test_report_conclusions import CONFIG, verdict_table

MARGIN = ef.equivalence_margin(CONFIG)
BOTH = ("float32", "float64")
METRICS = ("test_accuracy", "fresh_accuracy")


def shifted(runs: pd.DataFrame, where, by: float) -> pd.DataFrame:
    """``runs`` with both accuracies moved by ``by`` on the rows ``where`` selects."""
    runs = runs.copy()
    mask = where(runs)
    for metric in METRICS:
        runs.loc[mask, metric] += by
    return runs


def noisier(runs: pd.DataFrame, where, sd: float, seed: int = 5) -> pd.DataFrame:
    """``runs`` with independent noise of ``sd`` added to both accuracies on the rows ``where`` selects."""
    runs = runs.copy()
    mask = where(runs)
    noise = np.random.default_rng(seed).normal(0, sd, int(mask.sum()))
    for metric in METRICS:
        runs.loc[mask, metric] += noise
    return runs


def table_of(runs):
    return ef.for_metric(effects_module.effects_table(runs))


def sweep_rows(runs, **levels):
    return lambda r: (r["group"] == "sweep") & np.logical_and.reduce([r[k] == v for k, v in levels.items()])


# ---------------------------------------------------------------- a pooled effect that hides a split


def test_an_effect_carried_by_one_optimizer_is_said_to_hide_a_split_and_flips():
    even = table_of(runs_table(init_effect=0.1, noise=0.01))
    assert conditions.carried_by(even, "init") is None
    assert "hides a split" not in wording.conclusion(even, "init")
    # The same pooled size, but all of it under SGD: SGD's settings carry everything.
    sgd_only = table_of(shifted(runs_table(noise=0.01), sweep_rows(None, optimizer="sgd", init="page"), 0.2))
    carrier = conditions.carried_by(sgd_only, "init")
    assert carrier["optimizer"] == "sgd" and carrier["share_low"] > 0.9
    text = wording.conclusion(sgd_only, "init")
    assert re.search(r"The pooled effect hides a split: SGD's settings carry \d+–\d+% of it at every level", text)
    assert "under Adam it is" in text
    assert "SGD's settings carry" in wording.headline(sgd_only, None)
    assert verdict_table(shifted(runs_table(noise=0.01), sweep_rows(None, optimizer="sgd", init="page"), 0.2))[
        "init effect: carried by one optimizer"] == "sgd"


def test_the_largest_setting_of_a_split_is_sized_at_every_level_not_only_at_its_largest():
    runs = shifted(runs_table(noise=0.01), sweep_rows(None, optimizer="sgd", init="page"), 0.2)
    # One SGD setting gains more in neurogebra than in PyTorch: its size depends on the level.
    lr = runs.loc[runs["optimizer"] == "sgd", "learning_rate"].max()
    runs = shifted(runs, sweep_rows(None, optimizer="sgd", init="page", learning_rate=lr, framework="neurogebra"), 0.1)
    carrier = conditions.carried_by(table_of(runs), "init")
    sizes = carrier["largest_across_levels"]
    assert sizes["levels"] == 2 and sizes["low"] < sizes["high"] == pytest.approx(carrier["largest"]["mean"])
    text = wording.conclusion(table_of(runs), "init")
    low, high = round(100 * sizes["share_low"]), round(100 * sizes["share_high"])
    assert (f"alone {wording.points(sizes['low'], unit=False)} to {wording.points(sizes['high'])} "
            f"({low}–{high}% of its level) over the 2 levels") in text


def test_a_setting_still_improving_is_named_and_flips_with_the_last_epochs():
    runs = runs_table(seeds=range(3))
    rising = epochs_table(runs, {"sgd": 0.004, "adam": 0.0})  # SGD +2 pp over its last 5 epochs
    table = conditions.convergence(rising)
    assert table.set_index("optimizer")["still_improving"].groupby(level=0).all().to_dict() == {"adam": False, "sgd": True}
    assert table.loc[table["optimizer"] == "sgd", "rise"].tolist() == pytest.approx([0.02] * 6)
    text = wording.convergence_sentence(rising)
    assert "Still improving at the last epochs" in text and "SGD, lr 0.01, batch 16 (+2.0 pp); " in text
    assert "Adam" not in text
    flat = epochs_table(runs, 0.001)  # +0.5 pp over 5 epochs: within the rule's 1 pp
    assert not conditions.convergence(flat)["still_improving"].any()
    assert wording.convergence_sentence(flat).startswith("No setting is still improving")
    # Too few epochs to look back over: said, not left blank.
    short = flat[flat["epoch"] <= conditions.LAST_EPOCHS]
    assert conditions.convergence(short).empty
    assert "is not measured" in wording.convergence_sentence(short)
    # Beside the initialisation effect it carries: SGD not converged, said in the box.
    carried = shifted(runs, sweep_rows(None, optimizer="sgd", init="page"), 0.2)
    headline = wording.headline(table_of(carried), None, epochs=epochs_table(carried, {"sgd": 0.004, "adam": 0.0}))
    assert "SGD has not converged" in headline
    assert "has not converged" not in wording.headline(table_of(carried), None, epochs=epochs_table(carried, 0.0))


# ---------------------------------------------------------------- sameness only by an equivalence test


def test_the_frameworks_are_called_the_same_only_when_the_equivalence_test_says_so():
    tight = table_of(runs_table(noise=0.005))
    assert conditions.sameness(tight, "framework", MARGIN)["verdict"] == "equivalent"
    assert guidance.accuracy_verdict(tight, MARGIN) == "either"
    assert "the two train to the same accuracy within ±1.67 pp at every level" in wording.headline(tight, None, margin=MARGIN)
    # The same null effect, noisier and with fewer seeds: no difference, and no sameness either.
    loose = table_of(runs_table(noise=0.15, seeds=range(4), rng_seed=1))
    same = conditions.sameness(loose, "framework", MARGIN)
    assert same["verdict"] == "not shown" and same["levels_equivalent"] < same["levels"]
    assert guidance.accuracy_verdict(loose, MARGIN) == "undecided"
    assert "That is not sameness: by accuracy on a fresh sample, the equivalence test at ±1.67 pp fails" in \
        wording.headline(loose, None, margin=MARGIN)
    assert "averaged over the settings it passes at" in wording.conclusion(loose, "framework", MARGIN)


def test_sameness_is_tested_per_setting_as_well_as_pooled():
    runs = runs_table(noise=0.005, precisions=BOTH)
    assert conditions.sameness(table_of(runs), "precision", MARGIN)["settings_equivalent"] == 48
    # One setting made noisy in float32 only: pooled sameness survives, that setting fails.
    wild = noisier(runs, sweep_rows(None, optimizer="adam", learning_rate=0.2, precision="float32"), 0.06)
    same = conditions.sameness(table_of(wild), "precision", MARGIN)
    failing = wording.setting_names(same["failing"])
    assert failing == ["Adam, lr 0.2, batch 16", "Adam, lr 0.2, batch 64"] and same["settings_equivalent"] < 48
    assert same["verdict"] == "equivalent"  # averaged over the settings, the noise of one is diluted
    headline = wording.headline(table_of(wild), None, margin=MARGIN)
    assert (f"Setting by setting, {same['settings_equivalent']} of 48 per-setting tests (12 settings × 4 levels) "
            "pass that test; it fails at Adam, lr 0.2") in headline
    assert "it fails at Adam, lr 0.2" in wording.conclusion(table_of(wild), "precision", MARGIN)
    assert "Setting by setting" not in wording.headline(table_of(runs), None, margin=MARGIN)
    # The per-setting table carries each row's equivalence test.
    results = SimpleNamespace(config=CONFIG, path_of=Results.path_of)
    frame = tables.effects(table_of(wild), results, scope="setting").frame
    column = "90% CI, inside ±1.67 pp?"
    marked = frame[frame["effect"] == "float32 − float64"].set_index("setting")[column]
    assert marked.str.endswith("(no)").sum() == len(same["failing"])
    assert marked[~marked.index.str.startswith("Adam, lr 0.2")].str.endswith("(yes)").all()


def test_the_margin_states_its_reason_and_when_it_was_set(monkeypatch):
    text = wording.margin_reason(MARGIN)
    assert "one point of the page's 60-point test set" in text and "applied to the fresh sample" in text
    assert "chosen after the sweep's results had been published" in text
    monkeypatch.setattr(ef, "MARGIN_FIXED_BEFORE_DATA", True)
    assert "It was fixed before the data." in wording.margin_reason(MARGIN)
    assert "one point of the page's 100-point test set" in wording.margin_reason(1 / 100)


# ---------------------------------------------------------------- one metric per sentence


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z*])", text.removeprefix("**In short.** ")) if s]


def test_every_sentence_of_the_box_names_one_metric_and_the_pages_gap_follows_its_metric():
    runs = runs_table(optimizer_effect=-0.15, precisions=BOTH)
    runs.loc[runs["group"] == "tutorial", "fresh_accuracy"] += np.array([0.05, -0.05])  # the measures disagree
    table = effects_module.effects_table(runs)
    on_test, on_fresh = (page_gap.page_comparison_parts(runs, CONFIG, metric) for metric in METRICS)
    assert on_test["observed"] != pytest.approx(on_fresh["observed"])
    for parts, name in ((on_test, "test accuracy"), (on_fresh, "accuracy on a fresh sample")):
        box = wording.headline(table, parts, margin=MARGIN)
        assert f"By {name}, the page's own comparison" in box
        assert f"a gap of {wording.points(parts['observed'])}" in box
        for sentence in sentences(box):
            named = [n for n in ("test accuracy", "fresh sample") if n in sentence]
            assert len(named) <= 1, sentence
            if " pp" in sentence:
                assert named or "training accuracy" in sentence, sentence
    assert "The page's gap in test accuracy" in wording.decomposition_conclusion(on_test)


# ---------------------------------------------------------------- runs that end at chance


def test_a_run_at_chance_is_counted_beside_divergence_and_flips():
    runs = runs_table(seeds=range(4))
    assert conditions.at_chance(runs, 3, "fresh_accuracy").empty
    assert wording.chance_sentence(runs, 3, "fresh_accuracy").startswith("None of the sweep's")
    collapsed = runs.copy()
    mask = sweep_rows(None, optimizer="adam", learning_rate=0.2, framework="pytorch", seed=1)(collapsed)
    collapsed.loc[mask, "fresh_accuracy"] = 1 / 3
    collapsed.loc[mask, "final_loss"] = 15 * np.log(3)
    found = conditions.at_chance(collapsed, 3, "fresh_accuracy")
    assert len(found) == int(mask.sum()) == 4 and (found["status"] == "ok").all()
    text = wording.chance_sentence(collapsed, 3, "fresh_accuracy")
    assert text.startswith("4 of the sweep's") and "the divergence rule counts them as healthy" in text
    assert "Adam, lr 0.2, PyTorch, page init: 2" in text
    assert verdict_table(collapsed)["sweep runs ending at chance (not diverged)"] == "4"


def test_a_setting_where_rounding_alone_moves_a_run_is_called_chaotic_and_flips():
    runs = runs_table(precisions=BOTH, seeds=range(4))
    assert not conditions.rounding_swings(runs, "fresh_accuracy")["sensitive"].any()
    assert wording.rounding_sentence(runs, "fresh_accuracy") == ""
    chaotic = runs.copy()
    mask = sweep_rows(None, optimizer="adam", learning_rate=0.2, batch_size=16, framework="neurogebra",
                      init="page", precision="float32", seed=2)(chaotic)
    chaotic.loc[mask, "fresh_accuracy"] -= 0.6
    swings = conditions.rounding_swings(chaotic, "fresh_accuracy")
    assert swings.loc[swings["sensitive"], ["optimizer", "learning_rate", "batch_size"]].values.tolist() == [["adam", 0.2, 16]]
    assert "Some settings are chaotic" in wording.rounding_sentence(chaotic, "fresh_accuracy")
    assert verdict_table(chaotic)["settings sensitive to rounding"].startswith("adam/0.2/16/")
    assert verdict_table(runs)["settings sensitive to rounding"] == "none"


# ---------------------------------------------------------------- what a pair shares


def test_what_a_pair_shares_is_said_and_its_correlation_follows_the_data():
    runs = runs_table(seeds=range(10))  # every run of a seed shares its shift: pairs move together
    paired = conditions.pair_correlations(runs, "fresh_accuracy")
    assert paired["framework"]["median"] > 0.5
    text = wording.pairing_sentence(runs, "fresh_accuracy")
    assert "a framework pair shares the seed's data split and fresh sample, the initialisation scheme" in text
    assert "not the initial weights and the batch order" in text
    # PyTorch's runs dealt to the seeds at random: the pairs no longer share the seed's luck.
    broken = runs.copy()
    rng = np.random.default_rng(0)
    for _, index in broken[(broken["group"] == "sweep") & (broken["framework"] == "pytorch")].groupby(
            ["optimizer", "learning_rate", "batch_size", "init", "precision"]).groups.items():
        broken.loc[index, "fresh_accuracy"] = rng.permutation(broken.loc[index, "fresh_accuracy"].to_numpy())
    assert abs(conditions.pair_correlations(broken, "fresh_accuracy")["framework"]["median"]) < 0.3
    assert "r = " in wording.pairing_sentence(broken, "fresh_accuracy")
    assert "is not measured" in wording.pairing_sentence(runs_table(seeds=range(2)), "fresh_accuracy")


# ---------------------------------------------------------------- intervals: unadjusted, rounded outward


def test_intervals_beside_holm_are_said_to_be_unadjusted():
    table = table_of(runs_table(framework_effect=0.05))
    text = wording.conclusion(table, "framework", MARGIN)
    assert text.count("95% CI") == text.count("unadjusted 95% CI") > 0
    columns = tables.effects(table, Results).frame.columns
    assert "t 95% CI (unadjusted)" in columns and "bootstrap 95% CI (unadjusted)" in columns


def test_a_bound_is_rounded_outward():
    assert wording.outward(0.0194) == "2.0" and wording.outward(0.0191) == "2.0"
    assert wording.outward(0.019) == "1.9" and wording.outward(-0.0194) == "2.0"
    pooled = pd.DataFrame({"t_low": [-0.010, -0.005], "t_high": [0.0194, 0.012]})
    assert "larger than 2.0 pp" in wording.ruled_out(pooled)
    assert "larger than 1.3 pp" in wording.ruled_out(pooled.assign(t_high=[0.0125, 0.012]))


def test_the_accuracy_row_of_when_to_use_each_says_undecided_in_words():
    from spiralbench.report import recommendations
    from spiralbench.report.document import Table

    def summary(verdict):
        frame = pd.DataFrame({"scenario": [guidance.ACCURACY], "the evidence says": [verdict]})
        return recommendations.summary(Table(frame, [], row_classes=["sb-changed"]))

    assert "neither library shown better, nor the two shown the same, for accuracy on a problem like this" in \
        summary(guidance.UNDECIDED)
    assert "either library for accuracy on a problem like this" in summary("either")


def test_the_short_box_names_its_metric_in_each_sentence_and_leaves_the_numbers_to_the_headline():
    runs = runs_table(optimizer_effect=-0.15, precisions=BOTH)
    table = effects_module.effects_table(runs)
    parts = page_gap.page_comparison_parts(runs, CONFIG, ef.metric_of(table))
    speed = {"ratio": 27.0, "ratio_low": 26.0, "ratio_high": 28.0, "scalar_verdict": "slower", "width": 16,
             "tensor_speedup": 4.5, "tensor_speedup_low": 4.4, "tensor_speedup_high": 4.9, "tensor_verdict": "faster",
             "largest_width": 1024, "largest_tensor_speedup": 0.9, "largest_tensor_speedup_low": 0.8,
             "largest_tensor_speedup_high": 1.0, "largest_tensor_verdict": "not resolved"}
    box = wording.in_short(table, parts, speed, margin=MARGIN)
    full = wording.headline(table, parts, speed, MARGIN)
    numbers = lambda text: len(re.findall(r"\d+(?:\.\d+)?", text))
    assert len(box.split()) < len(full.split()) / 2 and numbers(box) < numbers(full) / 2
    name = ef.METRIC_NAMES[ef.metric_of(table)]
    for sentence in sentences(box):
        if "faster" not in sentence:  # speed is no accuracy
            assert sentence.startswith(f"By {name}") or sentence.startswith("By test accuracy"), sentence
        assert len([n for n in ("test accuracy", "fresh sample") if n in sentence]) <= 1, sentence


def when_to_use_table(changed: set[str]):
    """Section 11's table with the page's rows and the accuracy row, the ``changed`` ones marked."""
    from spiralbench.report.document import Table

    says = guidance.page_says() | {guidance.ACCURACY: "PyTorch"}
    frame = pd.DataFrame({"scenario": list(says), "the page says": list(says.values()),
                          "the evidence says": [guidance.UNDECIDED if s in changed else says[s] for s in says]})
    return Table(frame, [], row_classes=["sb-changed" if s in changed else "" for s in says])


def test_when_to_use_each_counts_changes_over_the_rows_of_the_pages_table_and_names_the_added_row_apart():
    from spiralbench.report import recommendations

    page_rows = [scenario for scenario, _, _ in guidance.PAGE_TABLE]
    for changed in ({guidance.ACCURACY, *page_rows[3:]}, set(page_rows[:2])):
        text = recommendations.summary(when_to_use_table(changed))
        on_page = len(changed - {guidance.ACCURACY})
        assert f"Of the {len(page_rows)} rows of the page's table, it changes {on_page} from what" in text
        assert f"of the {len(page_rows) + 1} rows" not in text
        assert "adds 1 row the page's table does not have: accuracy on a problem like this, where the page's one " \
               "run favours PyTorch" in text


def test_the_training_figures_text_names_the_bands_setting_and_the_dashed_runs_own_settings():
    from spiralbench.findings import settings as sweep
    from spiralbench.figures import training

    runs = runs_table(precisions=BOTH)
    reference = sweep.reference_settings(runs, CONFIG)
    settings = runs.drop_duplicates("setting").set_index("setting")
    page = runs[runs["group"] == "tutorial"].set_index("framework")
    key = wording.training_curves_key(sweep.training_curve_sources(runs, reference))
    for optimizer, setting in reference.items():  # each column's bands, every part of their setting
        assert wording.curve_setting(settings.loc[setting, list(sweep.CURVE_PARTS)].to_dict()) in key
    for framework, run in page.iterrows():  # each dashed run at its own setting, its seed
        own = wording.curve_setting(run[list(sweep.CURVE_PARTS)].to_dict())
        assert f"{wording.framework_name(framework)} at {own}, seed {run['seed']}" in key
        band = settings.loc[reference[run["optimizer"]]]
        differing = [part for part in sweep.CURVE_PARTS if band[part] != run[part]]
        assert differing and wording.curve_setting(band[differing].to_dict()) in key
    # Bands at the page's own neurogebra setting: its dashed run is the bands' setting, and says so.
    own = {**reference, "sgd": page.loc["neurogebra", "setting"]}
    assert "(the bands' setting)" in wording.training_curves_key(sweep.training_curve_sources(runs, own))
    # The figure's alternative text says the same.
    results = SimpleNamespace(table={"runs": runs, "epochs": epochs_table(runs)}.get, path_of=Results.path_of,
                              tutorial_seed=int(page["seed"].iloc[0]))
    assert key in training.training_curves(results, reference).alt


def test_the_page_gap_split_twice_says_on_what_and_why_the_two_differ():
    runs = runs_table(optimizer_effect=-0.15, precisions=BOTH)
    noise = np.random.default_rng(3).normal(0, 0.02, len(runs))
    runs["fresh_accuracy"] = runs["fresh_accuracy"] + noise  # another sample: other numbers
    on_test = page_gap.page_comparison_parts(runs, CONFIG)
    on_fresh = page_gap.page_comparison_parts(runs, CONFIG, "fresh_accuracy")
    n_test, n_fresh = ef.test_points(CONFIG), 30_000
    text = wording.gap_on_two_samples(on_test, on_fresh, runs, n_test, n_fresh)
    assert f"{n_test} test points" in text and f"fresh sample ({n_fresh:,} points" in text
    assert wording.points(on_test["observed"]) in text and wording.points(on_fresh["observed"]) in text
    accuracy = runs[runs["group"] == "tutorial"]["fresh_accuracy"].mean()
    for n in (n_test, n_fresh):
        assert page_gap.sampling_error(runs, n) == pytest.approx(np.sqrt(accuracy * (1 - accuracy) / n))
    assert f"standard error of {100 * page_gap.sampling_error(runs, n_test):.1f} pp" in text
    assert f"({100 * page_gap.sampling_error(runs, n_fresh):.2f} pp)" in text
    assert wording.gap_on_two_samples(on_test, on_test, runs, n_test, n_fresh) == ""  # one split: nothing to explain


def with_engine_check(runs: pd.DataFrame, **setting) -> pd.DataFrame:
    """``runs`` with the engine check: the sweep's neurogebra runs of one setting trained again (other engine)."""
    mask = (runs["group"] == "sweep") & (runs["framework"] == "neurogebra")
    for part, value in setting.items():
        mask &= runs[part] == value
    check = runs[mask].assign(group="engine_check", engine="scalar")
    return pd.concat([runs, check], ignore_index=True)


def test_the_engine_check_states_the_one_setting_it_covers_and_what_it_leaves_out():
    from spiralbench.findings import engines as engine_findings
    from test_report_conclusions import _engine_table

    agree = engine_findings.engine_agreement(_engine_table(1e-15))
    runs = runs_table(precisions=BOTH)
    for optimizer, lr, other in (("sgd", 0.05, "Adam"), ("adam", 0.01, "SGD")):
        checked = with_engine_check(runs, optimizer=optimizer, learning_rate=lr, batch_size=16, init="page",
                                    precision="float64")
        scope = engine_findings.engine_check_scope(checked)
        text = wording.engine_agreement_sentence(agree, scope)
        assert f"({wording.optimizer_name(optimizer)}, lr {lr:g}, batch 16, page init, float64)" in text
        settings = runs[(runs["group"] == "sweep") & (runs["framework"] == "neurogebra")]["setting"].nunique()
        assert scope["unchecked"] == settings - 1
        assert f"the sweep's {settings - 1} other neurogebra settings (they take {other};" in text
        assert "float32" in text and "torch-default init" in text
    # The controlled run names its optimizer setting, from the config.
    controlled = {"epochs": 30, "max_abs_diff": 1e-15, "within_tolerance": True, "tolerance": 1e-6,
                  "epochs_same_accuracy": 30}
    for optimizer, lr in (("sgd", 0.05), ("adam", 0.01)):
        setup = {**CONFIG["controlled"], "optimizer": optimizer, "learning_rate": lr}
        assert f"with {wording.optimizer_name(optimizer)}, lr {lr:g}, batch {setup['batch_size']};" in \
            wording.controlled_sentence(controlled, setup)


def test_counts_over_settings_and_levels_say_what_they_count_and_what_was_left_out():
    """The sweep has 12 settings; a count of per-setting rows multiplies them by the levels, and rows
    whose two runs agree on every seed have no test: both said, not left for the reader to guess."""
    table = table_of(runs_table(noise=0.005, precisions=BOTH))
    rows = table.index[(table["effect"] == "precision") & (table["scope"] == "setting")][:3]
    table.loc[rows, ["mean", "sd"]] = 0.0
    table.loc[rows, ["p_value", "p_holm"]] = np.nan
    summary = wording.per_setting_summary(table, "precision")
    assert summary.startswith("Setting by setting, none of the 45 effects tested is significant")
    assert "the other 3 of the 48 per-setting rows are left out: their two runs gave identical results" in summary
    assert "left out" not in wording.per_setting_summary(table, "framework")
    assert wording.setting_tests(table, "framework") == "48 per-setting tests (12 settings × 4 levels)"
    assert "12 settings × 4 levels" in wording.sameness_sentence(table, "precision", MARGIN)


def test_the_short_box_says_the_equivalence_margin_was_chosen_after_the_results():
    table = table_of(runs_table(noise=0.005, precisions=BOTH))
    box = wording.in_short(table, None, margin=MARGIN)
    assert "the same within ±1.67 pp by an equivalence test, a margin chosen after the results" in box
