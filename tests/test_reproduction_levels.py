"""The check's levels, each reached by a fabricated rerun of a fabricated published run: none changed
(bit-identical), the rounding changed (distributions reproduced), a real change (conclusions
reproduced, named), a flipped verdict or a missing output (not reproduced)."""
import json
import shutil

import numpy as np
import pandas as pd
import pytest

from spiralbench import distributions, manifest, reproduction
from spiralbench.reproduction import BIT_IDENTICAL, CONCLUSIONS_REPRODUCED, DISTRIBUTIONS_REPRODUCED, NOT_REPRODUCED

SEEDS = range(24)
SETTINGS = ("adam-lr0.2", "sgd-lr0.05")
VERDICTS = ("verdict,value\n"
            '"framework effect, pooled, within page",no difference after Holm\n'
            "when to use each: Accuracy on a problem like this,either\n")


def runs_table(change=lambda runs: runs):
    """Two settings × two frameworks × 24 seeds, outcomes drawn from a fixed stream."""
    rng = np.random.default_rng(0)
    rows = [{"run_id": f"sweep/{framework}/{setting}/seed{seed}", "group": "sweep", "framework": framework,
             "setting": setting, "seed": seed, "status": "ok", "final_loss": float(rng.uniform(2, 8)),
             "train_accuracy": float(rng.uniform(0.8, 1)), "test_accuracy": round(float(rng.uniform(0.7, 1)) * 60) / 60,
             "fresh_accuracy": float(rng.uniform(0.7, 1))}
            for setting in SETTINGS for framework in ("neurogebra", "pytorch") for seed in SEEDS]
    return change(pd.DataFrame(rows))


def make_results(directory, runs=None, verdicts=VERDICTS, labels_changed=False, softmax="0.3333333333333333"):
    (directory / "tables").mkdir(parents=True, exist_ok=True)
    (directory / "data").mkdir(parents=True, exist_ok=True)
    (runs if runs is not None else runs_table()).to_csv(directory / "tables" / "runs.csv", index=False,
                                                        float_format="%.17g")
    (directory / "tables" / "verdicts.csv").write_text(verdicts)
    (directory / "tables" / "softmax_demo.csv").write_text(f"framework,probability\nneurogebra,{softmax}\n")
    y = np.array([0, 1, 2, 0])
    if labels_changed:
        y[0] = 1
    np.savez(directory / "data" / "seed1.npz", X_train=np.linspace(0, 1, 8).reshape(4, 2), y_train=y)
    (directory / "platform.json").write_text(json.dumps({"cpu": "Intel Xeon", "isa_level": "x86-64-v4", "pins": "on"}))
    return directory


@pytest.fixture
def published(tmp_path):
    original = make_results(tmp_path / "original")
    published = tmp_path / "published"
    manifest.publish(original, published)
    distributions.input_summaries(original, ["data/seed1.npz"]).to_csv(
        published / manifest.REFERENCE_DIR / reproduction.INPUTS_TABLE, index=False, float_format="%.17g")
    shutil.copyfile(original / "platform.json", published / "platform.json")
    return published


def rounding_changed(runs):
    """What another code path does: last bits of every loss, and a few chaotic runs that move far, as
    likely up as down (seeds 0-5 of Adam lr 0.2 swap accuracies pairwise)."""
    runs = runs.copy()
    runs["final_loss"] = np.nextafter(runs["final_loss"].to_numpy(), np.inf)
    chaotic = runs.index[(runs["setting"] == "adam-lr0.2") & runs["seed"].isin(range(6))]
    for first, second in zip(chaotic[::2], chaotic[1::2]):
        runs.loc[[first, second], "test_accuracy"] = runs.loc[[second, first], "test_accuracy"].to_numpy()
    return runs


def test_an_identical_rerun_is_bit_identical(tmp_path, published):
    assessment = reproduction.assess(make_results(tmp_path / "rerun"), published)
    assert assessment.level == BIT_IDENTICAL
    assert reproduction.first_difference(assessment) == ""


def test_a_rerun_that_only_rounds_differently_reproduces_the_distributions(tmp_path, published):
    rerun = make_results(tmp_path / "rerun", runs_table(rounding_changed))
    assessment = reproduction.assess(rerun, published)
    assert assessment.level == DISTRIBUTIONS_REPRODUCED, assessment.reason
    levels = {o.path: o.level for o in assessment.outcomes}
    assert levels["tables/runs.csv"] == DISTRIBUTIONS_REPRODUCED
    # The first difference names the run, the column and both values.
    assert "first at sweep/neurogebra/adam-lr0.2/seed0, final_loss" in reproduction.first_difference(assessment)
    assert reproduction.check(rerun, published, DISTRIBUTIONS_REPRODUCED)[0]
    passed, text = reproduction.check(rerun, published)
    assert not passed and "Required: bit-identical: FAILED" in text


@pytest.mark.parametrize("metric, shift", [("final_loss", 1.05), ("fresh_accuracy", 0.99)])
def test_a_real_change_in_one_setting_fails_the_distributions_and_is_named(tmp_path, published, metric, shift):
    """Every seed of one setting shifted by a few percent: hidden in each seed's spread, not in the pairs."""
    def changed(runs):
        runs = runs.copy()
        chosen = (runs["setting"] == "sgd-lr0.05") & (runs["framework"] == "pytorch")
        runs.loc[chosen, metric] *= shift
        return runs

    assessment = reproduction.assess(make_results(tmp_path / "rerun", runs_table(changed)), published)
    assert assessment.level == CONCLUSIONS_REPRODUCED
    assert f"sweep sgd-lr0.05 pytorch, {metric}" in assessment.reason
    assert not reproduction.check(tmp_path / "rerun", published, DISTRIBUTIONS_REPRODUCED)[0]
    assert reproduction.check(tmp_path / "rerun", published, CONCLUSIONS_REPRODUCED)[0]


def test_a_changed_split_fails_the_distributions_and_is_named(tmp_path, published):
    assessment = reproduction.assess(make_results(tmp_path / "rerun", labels_changed=True), published)
    assert assessment.level == CONCLUSIONS_REPRODUCED
    assert "data/seed1.npz" in assessment.reason and "an input changed: y_train: sha256" in assessment.reason


def test_a_fixed_table_may_round_but_not_move(tmp_path, published):
    rounded = reproduction.assess(make_results(tmp_path / "rounded", softmax="0.33333333333333337"), published)
    assert rounded.level == DISTRIBUTIONS_REPRODUCED
    moved = reproduction.assess(make_results(tmp_path / "moved", softmax="0.3334"), published)
    assert moved.level == CONCLUSIONS_REPRODUCED and "column probability" in moved.reason


def test_a_flipped_verdict_is_not_reproduced_and_named(tmp_path, published):
    flipped = VERDICTS.replace("either", "PyTorch")
    assessment = reproduction.assess(make_results(tmp_path / "rerun", verdicts=flipped), published)
    assert assessment.level == NOT_REPRODUCED
    assert "Accuracy on a problem like this" in assessment.reason and "found PyTorch" in assessment.reason


def test_a_missing_output_is_not_reproduced(tmp_path, published):
    rerun = make_results(tmp_path / "rerun")
    (rerun / "tables" / "softmax_demo.csv").unlink()
    assessment = reproduction.assess(rerun, published)
    assert assessment.level == NOT_REPRODUCED and "softmax_demo.csv is missing" in assessment.reason


@pytest.mark.parametrize("text, level", [
    ("bit-identical", BIT_IDENTICAL), ("distributions-reproduced", DISTRIBUTIONS_REPRODUCED),
    ("conclusions_reproduced", CONCLUSIONS_REPRODUCED)])
def test_levels_are_named_as_on_the_command_line(text, level):
    assert reproduction.level_name(text) == level


def test_an_unknown_level_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="numerically-equivalent.*choose one of bit-identical, distributions-reproduced"):
        reproduction.level_name("numerically-equivalent")


@pytest.mark.parametrize("isa, level", [("x86-64-v4", BIT_IDENTICAL), ("x86-64-v3", BIT_IDENTICAL),
                                        ("x86-64-v2", CONCLUSIONS_REPRODUCED), ("aarch64", CONCLUSIONS_REPRODUCED)])
def test_auto_requires_what_the_readme_promises_for_the_cpu(isa, level):
    assert reproduction.required_level("auto", isa) == level
    assert reproduction.required_level("distributions-reproduced", isa) == DISTRIBUTIONS_REPRODUCED


def test_the_command_line_check_exits_by_the_level_required(tmp_path, published, capsys):
    make_results(tmp_path / "rerun", runs_table(rounding_changed))
    assert reproduction.main([str(tmp_path / "rerun"), str(published)]) == 1
    assert "DISTRIBUTIONS REPRODUCED" in capsys.readouterr().out
    assert reproduction.main([str(tmp_path / "rerun"), str(published), "--require", "distributions-reproduced"]) == 0
