"""The check's levels, each reached by a fabricated perturbation of a published run: none (bit-identical),
a last-bit change within tolerance (numerically equivalent), beyond it (conclusions reproduced), a
flipped verdict or a missing output (not reproduced)."""
import json
import math
import shutil

import numpy as np
import pytest

from spiralbench import manifest, reproduction
from spiralbench.reproduction import (
    BIT_IDENTICAL,
    CONCLUSIONS_REPRODUCED,
    NOT_REPRODUCED,
    NUMERICALLY_EQUIVALENT,
)

LOSS = 0.6931471805599453
VERDICTS = ("verdict,value\n"
            '"framework effect, pooled, within page",no difference after Holm\n'
            "when to use each: Accuracy on a problem like this,either\n")


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def make_results(directory, loss=LOSS, status="ok", verdicts=VERDICTS, cpu="Intel Xeon"):
    write(directory / "tables" / "runs.csv",
          f"run_id,status,final_loss,test_accuracy\nsweep/a/seed1,{status},{loss!r},0.5\nsweep/b/seed1,ok,1.25,0.75\n")
    write(directory / "tables" / "verdicts.csv", verdicts)
    write(directory / "runs" / "sweep" / "a" / "seed1" / "history.csv", f"epoch,loss\n1,{loss!r}\n")
    write(directory / "platform.json", json.dumps({"cpu": cpu, "isa_level": "x86-64-v4", "pins": "on"}))
    return directory


@pytest.fixture
def published(tmp_path):
    """A published run: its manifest, reference tables, platform and a tolerance for final_loss only."""
    original = make_results(tmp_path / "original")
    published = tmp_path / "published"
    manifest.publish(original, published)
    shutil.copyfile(original / "platform.json", published / "platform.json")
    write(published / reproduction.TOLERANCES_FILE,
          "table,column,largest_difference,tolerance\n"
          "tables/runs.csv,final_loss,1e-15,2e-15\n"
          "tables/runs.csv,test_accuracy,0,0\n")
    return published


def last_bit_up(value):
    return float(np.nextafter(value, math.inf))


def test_an_identical_rerun_is_bit_identical(tmp_path, published):
    assessment = reproduction.assess(make_results(tmp_path / "rerun"), published)
    assert assessment.level == BIT_IDENTICAL
    passed, text = reproduction.check(tmp_path / "rerun", published)
    assert passed and "BIT-IDENTICAL" in text
    assert "published platform" not in text  # nothing differs: no need for the two platforms


def test_a_last_bit_change_within_tolerance_is_numerically_equivalent(tmp_path, published):
    rerun = make_results(tmp_path / "rerun", loss=last_bit_up(LOSS), cpu="Apple M2")
    assessment = reproduction.assess(rerun, published)
    assert assessment.level == NUMERICALLY_EQUIVALENT
    levels = {o.path: o.level for o in assessment.outcomes}
    assert levels["tables/runs.csv"] == NUMERICALLY_EQUIVALENT
    assert levels["runs/sweep/a/seed1/history.csv"] == NUMERICALLY_EQUIVALENT  # judged through the tables
    assert levels["tables/verdicts.csv"] == BIT_IDENTICAL

    passed, text = reproduction.check(rerun, published)  # bit-identical demanded by default
    assert not passed
    assert "NUMERICALLY EQUIVALENT" in text and "Required: bit-identical: FAILED" in text
    (cpu_line,) = [line for line in text.splitlines() if "cpu" in line]
    assert cpu_line.startswith("≠") and "Intel Xeon" in cpu_line and "Apple M2" in cpu_line
    assert reproduction.check(rerun, published, NUMERICALLY_EQUIVALENT)[0]


def test_the_same_change_without_a_tolerance_reproduces_the_conclusions_only(tmp_path, published):
    (published / reproduction.TOLERANCES_FILE).unlink()  # every value must then match exactly
    rerun = make_results(tmp_path / "rerun", loss=last_bit_up(LOSS))
    assessment = reproduction.assess(rerun, published)
    assert assessment.level == CONCLUSIONS_REPRODUCED
    assert "tables/runs.csv" in assessment.reason and "column final_loss" in assessment.reason
    assert not reproduction.check(rerun, published, NUMERICALLY_EQUIVALENT)[0]
    assert reproduction.check(rerun, published, CONCLUSIONS_REPRODUCED)[0]


def test_a_moved_text_value_is_beyond_any_tolerance(tmp_path, published):
    assessment = reproduction.assess(make_results(tmp_path / "rerun", status="diverged"), published)
    assert assessment.level == CONCLUSIONS_REPRODUCED
    assert "column status: expected ok, found diverged" in assessment.reason


def test_a_flipped_verdict_is_not_reproduced_and_named(tmp_path, published):
    flipped = VERDICTS.replace("no difference after Holm", "favours neurogebra (significant after Holm)")
    rerun = make_results(tmp_path / "rerun", loss=last_bit_up(LOSS), verdicts=flipped)
    assessment = reproduction.assess(rerun, published)
    assert assessment.level == NOT_REPRODUCED
    assert ("verdict 'framework effect, pooled, within page': published no difference after Holm, "
            "found favours neurogebra (significant after Holm)") in assessment.reason
    passed, text = reproduction.check(rerun, published, CONCLUSIONS_REPRODUCED)
    assert not passed and "NOT REPRODUCED" in text


def test_a_missing_output_is_not_reproduced(tmp_path, published):
    rerun = make_results(tmp_path / "rerun")
    (rerun / "runs" / "sweep" / "a" / "seed1" / "history.csv").unlink()
    assessment = reproduction.assess(rerun, published)
    assert assessment.level == NOT_REPRODUCED
    assert assessment.reason == "runs/sweep/a/seed1/history.csv is missing"


def test_tolerances_are_the_largest_difference_measured_times_the_headroom(tmp_path):
    reference = make_results(tmp_path / "reference")
    near = make_results(tmp_path / "near", loss=LOSS + 1e-9)
    far = make_results(tmp_path / "far", loss=LOSS - 3e-9)
    table = reproduction.measure_tolerances(reference, [near, far]).set_index(["table", "column"])
    assert table.loc[("tables/runs.csv", "final_loss"), "largest_difference"] == pytest.approx(3e-9)
    assert table.loc[("tables/runs.csv", "final_loss"), "tolerance"] == pytest.approx(3e-9 * reproduction.HEADROOM)
    assert table.loc[("tables/runs.csv", "test_accuracy"), "tolerance"] == 0


def test_a_variant_of_another_shape_is_refused(tmp_path):
    reference = make_results(tmp_path / "reference")
    other = make_results(tmp_path / "other")
    write(other / "tables" / "runs.csv", "run_id,status\nx,ok\n")
    with pytest.raises(ValueError, match="not a rerun of the same config"):
        reproduction.measure_tolerances(reference, [other])


@pytest.mark.parametrize("text, level", [
    ("bit-identical", BIT_IDENTICAL), ("numerically-equivalent", NUMERICALLY_EQUIVALENT),
    ("conclusions_reproduced", CONCLUSIONS_REPRODUCED), ("Conclusions reproduced", CONCLUSIONS_REPRODUCED),
])
def test_levels_are_named_as_on_the_command_line(text, level):
    assert reproduction.level_name(text) == level


def test_an_unknown_level_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="choose one of bit-identical, numerically-equivalent"):
        reproduction.level_name("close enough")


def test_the_command_line_check_exits_by_the_level_required(tmp_path, published, capsys):
    rerun = make_results(tmp_path / "rerun", loss=last_bit_up(LOSS))
    assert reproduction.main(["check", str(rerun), str(published)]) == 1
    assert reproduction.main(["check", str(rerun), str(published), "--require", "numerically-equivalent"]) == 0
    assert "NUMERICALLY EQUIVALENT" in capsys.readouterr().out
