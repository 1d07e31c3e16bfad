"""Three timing numbers the report once got wrong, each fed a table that tells the wrong number from the right one.

- section 10's run-speed ratio took, for the page's neurogebra setting, the engine check's scalar run
  instead of the sweep's tensor run of the same setting and seed;
- the run-timing table pooled neurogebra's scalar and tensor engines into one median;
- section 12's compute summed the speed job's seconds per epoch, not its seconds.
"""
from __future__ import annotations

import pandas as pd
import pytest

from spiralbench.findings import lesson, reproducibility, speed as sp

SETTING = "sgd-lr0.05-bs16-ep30-h16x16-relu-page-f64"


def run_timing() -> pd.DataFrame:
    """``timing/runs.csv`` as the workflow sorts it (by run id): the engine check's scalar run comes first."""
    rows = [("engine_check", "neurogebra", "scalar", SETTING, 0, 20.0),
            ("sweep", "neurogebra", "tensor", SETTING, 0, 0.5),
            ("sweep", "neurogebra", "tensor", "adam-other", 0, 0.5),
            ("sweep", "pytorch", "torch", SETTING, 0, 1.0),
            ("sweep", "pytorch", "torch", "adam-other", 0, 1.0)]
    return pd.DataFrame([{"run_id": f"{group}/{framework}/{setting}/seed{seed}", "framework": framework, "engine": engine,
                          "setting": setting, "seed": seed, "seconds_per_epoch_median": seconds,
                          "samples_per_second_median": 240 / seconds} for group, framework, engine, setting, seed, seconds in rows])


def test_the_run_speed_ratio_pairs_the_sweeps_runs_only():
    ratios = sp.run_speed_ratios(run_timing())
    # Both sweep pairs have neurogebra at half PyTorch's time; the engine check's 20 s run is no pair.
    assert ratios["pairs"] == 2 and ratios["median"] == ratios["p25"] == ratios["p75"] == pytest.approx(0.5)
    assert sp.run_speedup(run_timing())["median"] == pytest.approx(2.0)
    # Without the engine check the answer is the same: it never entered.
    assert sp.run_speed_ratios(run_timing().iloc[1:]) == ratios


def test_the_run_timing_table_gives_each_engine_its_own_median():
    table = lesson.run_timing(run_timing())
    assert table.index.tolist() == [("neurogebra", "scalar"), ("neurogebra", "tensor"), ("pytorch", "torch")]
    assert table.loc[("neurogebra", "scalar"), "seconds_median"] == 20.0
    assert table.loc[("neurogebra", "tensor"), "seconds_median"] == 0.5
    # Pooled with the scalar run, the quartiles would stretch to 10.25 s.
    assert table.loc[("neurogebra", "tensor"), "seconds_p75"] == 0.5
    assert table.loc[("neurogebra", "tensor"), "runs"] == 2


def test_the_speed_jobs_compute_counts_every_epoch_it_timed():
    runs = pd.DataFrame({"run_id": ["a"], "epochs_completed": [30]})
    timing = pd.DataFrame({"run_id": ["a"], "seconds_per_epoch_median": [0.1]})
    # Two repeats, each the mean seconds per epoch of a 2-epoch timing.
    speed = pd.DataFrame({"seconds_per_epoch": [0.5, 1.5]})
    assert reproducibility.compute(runs, timing, speed, speed_epochs=2)["speed_seconds"] == pytest.approx(4.0)
    assert reproducibility.compute(runs, timing, speed, speed_epochs=5)["speed_seconds"] == pytest.approx(10.0)
