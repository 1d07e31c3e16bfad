"""The distributions level, measured on real training (spiralbench.level_experiment, small): a faithful
rerun on another code path of this machine passes; every learning rate 10% higher fails, named by its
setting and metric; one changed label in one split fails, named by its file. The default sweep's own
experiment (all variants, 32 seeds) is published as report/published/level_experiment.csv."""
import pandas as pd
import pytest
import yaml
from conftest import CI_CONFIG

from spiralbench import level_experiment

pytestmark = pytest.mark.slow


def small_config(path):
    """16 seeds of SGD and Adam at lr 0.05 for 10 epochs: enough seeds for the test to have power."""
    config = yaml.safe_load(CI_CONFIG.read_text())
    config["seeds"] = list(range(16))
    config["sweep"].update(optimizer=["sgd", "adam"], learning_rate=[0.05], epochs=[10], init=["page"],
                           precision=["float64"])
    config["fresh_sample"] = {"n_per_class": 100}
    config["tutorial"].update(seed=0, epochs=10)
    config["controlled"]["seed"] = 0
    config["inspection"] = {"tutorial": {"group": "tutorial", "seed": 0},
                            "matched": {"group": "sweep", "optimizer": "sgd", "learning_rate": 0.05}}
    path.write_text(yaml.safe_dump(config))
    return path


def test_faithful_reruns_pass_and_real_changes_fail_named(tmp_path):
    out = tmp_path / "level_experiment.csv"
    status = level_experiment.main(["--configfile", str(small_config(tmp_path / "config.yaml")), "--out", str(out),
                                    "--variants", "generic", "learning-rate", "split"])
    table = pd.read_csv(out, keep_default_na=False).set_index("variant")
    assert status == 0, table.to_string()
    assert table.loc["generic", "runs_differing_from_reference"] > 0  # the bytes did move
    assert table.loc["generic", "passes"] and table.loc["generic", "tests_failing"].startswith("0 of")
    assert not table.loc["learning-rate", "passes"]
    assert "lr0.05" in table.loc["learning-rate", "first_difference"]
    assert "final_loss" in table.loc["learning-rate", "first_difference"]
    assert not table.loc["split", "passes"] and table.loc["split", "first_difference"].startswith("data/seed3.npz: y_train")
