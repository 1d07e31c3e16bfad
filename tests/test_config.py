"""The config: the shipped ones are valid, every kind of bad input is refused naming its key, and the
runs it describes have the identities the results contract gives them."""
import copy
from pathlib import Path

import pytest

from spiralbench import config as sc

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def default():
    return sc.load_config(REPO / "config" / "config.yaml")


@pytest.fixture(scope="module")
def small():
    return sc.load_config(REPO / "config" / "ci.yaml")


def broken(config, change):
    config = copy.deepcopy(config)
    change(config)
    return config


def problems_of(config):
    with pytest.raises(sc.ConfigError) as error:
        sc.load_config(config)
    return str(error.value)


def set_key(path, value):
    def change(config):
        *parents, last = path
        target = config
        for key in parents:
            target = target[key]
        target[last] = value
    return change


@pytest.mark.parametrize(
    "path, value, expected",
    [
        (("sweep", "learning_rate"), [0.01, -0.1], "sweep.learning_rate[1]: -0.1 is not allowed; it must be greater than 0"),
        (("sweep", "learning_rate"), [0], "sweep.learning_rate[0]: 0 is not allowed; it must be greater than 0"),
        (("tutorial", "neurogebra", "learning_rate"), 0, "tutorial.neurogebra.learning_rate: 0 is not allowed"),
        (("controlled", "learning_rate"), -1.0, "controlled.learning_rate: -1.0 is not allowed"),
        (("frameworks",), ["neurogebra", "jax"], "frameworks[1]: 'jax' is not allowed; allowed: neurogebra, pytorch"),
        (("sweep", "optimizer"), ["rmsprop"], "sweep.optimizer[0]: 'rmsprop' is not allowed; allowed: sgd, adam"),
        (("tutorial", "pytorch", "optimizer"), "lbfgs", "tutorial.pytorch.optimizer: 'lbfgs' is not allowed; allowed: sgd, adam"),
        (("sweep", "epochs"), [0], "sweep.epochs[0]: 0 is not allowed; it must be at least 1"),
        (("tutorial", "epochs"), 0, "tutorial.epochs: 0 is not allowed; it must be at least 1"),
        (("sweep", "batch_size"), [0], "sweep.batch_size[0]: 0 is not allowed; it must be at least 1"),
        (("sweep", "hidden_sizes"), [[]], "sweep.hidden_sizes[0]: must not be empty"),
        (("sweep", "hidden_sizes"), [], "sweep.hidden_sizes: must not be empty"),
        (("controlled", "hidden_sizes"), [], "controlled.hidden_sizes: must not be empty"),
        (("seeds",), [42, 1.5], "seeds[1]: 1.5 is not an integer"),
        (("seeds",), [42.0], "seeds[0]: 42.0 is not an integer"),
        (("seeds",), ["one"], "seeds[0]: 'one' is not an integer"),
        (("seeds",), [1, 1], "seeds: [1, 1] lists a value twice"),
        (("seeds",), [], "seeds: must not be empty"),
        (("tutorial", "seed"), 4.2, "tutorial.seed: 4.2 is not an integer"),
        (("data", "train_fraction"), 1.0, "data.train_fraction: 1.0 is not allowed; it must be less than 1"),
        (("sweep", "activation"), ["gelu"], "sweep.activation[0]: 'gelu' is not allowed; allowed: relu, tanh"),
        (("results_dir",), "", "results_dir: must not be empty"),
    ],
)
def test_bad_value_is_refused_naming_its_key_and_what_is_allowed(default, path, value, expected):
    assert expected in problems_of(broken(default, set_key(path, value)))


def test_unknown_and_missing_keys_are_named(default):
    config = broken(default, lambda c: c.update(learning_rate=0.1))
    message = problems_of(config)
    assert "'learning_rate' was unexpected" in message and "allowed keys:" in message
    config = broken(default, lambda c: c["sweep"].pop("epochs"))
    assert "sweep: 'epochs' is a required property" in problems_of(config)


def test_every_problem_is_reported_at_once(default):
    def change(config):
        config["sweep"]["learning_rate"] = [-1]
        config["frameworks"] = ["caffe"]
    message = problems_of(broken(default, change))
    assert "sweep.learning_rate[0]" in message and "frameworks[0]" in message


@pytest.mark.parametrize("key_path", [("sweep", "batch_size"), ("tutorial", "batch_size"), ("controlled", "batch_size")])
def test_batch_larger_than_the_training_set_is_refused(default, key_path):
    # 100 points x 3 classes x 0.8 = 240 training points: 240 is allowed, 241 is not.
    value = [16, 240] if key_path[0] == "sweep" else 240
    sc.load_config(broken(default, set_key(key_path, value)))
    value = [16, 241] if key_path[0] == "sweep" else 241
    message = problems_of(broken(default, set_key(key_path, value)))
    assert "241 is larger than the training set (240 points" in message and "allowed: 1 to 240" in message


def test_training_set_size_follows_the_data_keys(default):
    # 10 points x 3 classes x 0.5 = 15 training points.
    def change(config):
        config["data"].update(n_points=10, train_fraction=0.5)
        config["sweep"]["batch_size"] = [16]
    assert "16 is larger than the training set (15 points" in problems_of(broken(default, change))


def test_a_split_with_an_empty_half_is_refused(default):
    def change(config, n_points, train_fraction):
        config["data"].update(n_points=n_points, n_classes=2, train_fraction=train_fraction)
        for section in ("tutorial", "controlled", "speed"):
            config[section]["batch_size"] = 1
        config["sweep"]["batch_size"] = [1]
        config["inspection"] = {}

    # 2 points: int(0.9 * 2) = 1 training point and 1 test point is the smallest valid split.
    sc.load_config(broken(default, lambda c: change(c, 1, 0.9)))
    # int(0.4 * 2) = 0 training points.
    message = problems_of(broken(default, lambda c: change(c, 1, 0.4)))
    assert "data.train_fraction: 0.4" in message and "leaves 0 training and 2 test points" in message
    # (The test half cannot be empty: with train_fraction < 1, int(train_fraction * n) < n.)


def test_inspection_must_select_exactly_one_run_pair(default):
    ambiguous = broken(default, lambda c: c["inspection"]["matched"].pop("optimizer"))
    assert "inspection.matched: selects 2 settings" in problems_of(ambiguous)
    nowhere = broken(default, set_key(("inspection", "matched", "learning_rate"), 0.123))
    assert "inspection.matched: selects no setting" in problems_of(nowhere)
    unknown_seed = broken(default, set_key(("inspection", "matched", "seed"), 99))
    assert "inspection.matched.seed: 99 is not one of seeds" in problems_of(unknown_seed)
    wrong_tutorial_seed = broken(default, set_key(("inspection", "tutorial", "seed"), 0))
    assert "inspection.tutorial.seed: 0 is not the tutorial's seed" in problems_of(wrong_tutorial_seed)


def test_load_config_leaves_its_input_untouched_and_reads_files(default):
    original = copy.deepcopy(default)
    assert sc.load_config(default) == original and default == original
    with pytest.raises(sc.ConfigError, match="config file not found"):
        sc.load_config(REPO / "config" / "no-such.yaml")


def test_setting_slug_is_readable_and_exact():
    setting = {"optimizer": "sgd", "learning_rate": 0.05, "batch_size": 16, "epochs": 30,
               "hidden_sizes": [16, 16], "activation": "relu"}
    assert sc.setting_slug(setting) == "sgd-lr0.05-bs16-ep30-h16x16-relu"
    assert sc.setting_slug(dict(setting, learning_rate=50)) == "sgd-lr50-bs16-ep30-h16x16-relu"
    assert sc.setting_slug(dict(setting, learning_rate=1e-5, hidden_sizes=[8])) == "sgd-lr1e-05-bs16-ep30-h8-relu"


def test_runs_cover_the_grid_for_every_seed_and_framework_plus_the_tutorial(default):
    runs = sc.runs(default)
    sweep = default["sweep"]
    n_settings = 1
    for key in sc.SETTING_KEYS:
        n_settings *= len(sweep[key])
    assert len(runs) == n_settings * len(default["seeds"]) * len(default["frameworks"]) + 2
    ids = [run["run_id"] for run in runs]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert "tutorial/neurogebra/sgd-lr0.05-bs16-ep30-h16x16-relu/seed42" in ids
    assert "tutorial/pytorch/adam-lr0.01-bs16-ep30-h16x16-relu/seed42" in ids
    tutorial = sc.find_run(default, "tutorial/pytorch/adam-lr0.01-bs16-ep30-h16x16-relu/seed42")
    assert tutorial["layer_sizes"] == [2, 16, 16, 3] and tutorial["dtype"] == "float32"
    with pytest.raises(KeyError, match="no run"):
        sc.find_run(default, "sweep/pytorch/nothing/seed1")


def test_inspection_pairs_name_runs_of_the_config(default, small):
    for config in (default, small):
        ids = set(sc.run_ids(config))
        for pair in sc.inspection_pairs(config).values():
            assert pair["neurogebra"] in ids and pair["pytorch"] in ids
            assert pair["neurogebra"].endswith(f"seed{pair['seed']}")
    assert sc.inspection_pairs(default)["tutorial"] == {
        "seed": 42,
        "neurogebra": "tutorial/neurogebra/sgd-lr0.05-bs16-ep30-h16x16-relu/seed42",
        "pytorch": "tutorial/pytorch/adam-lr0.01-bs16-ep30-h16x16-relu/seed42",
    }


def test_data_seeds_include_the_tutorial_and_controlled_seeds(default):
    config = broken(default, lambda c: c["controlled"].update(seed=7))
    assert sc.data_seeds(config) == sorted({*default["seeds"], 42, 7})


def test_parameter_count_of_the_page_network():
    # (2+1)*16 + (16+1)*16 + (16+1)*3, as the page prints: 371.
    assert sc.n_parameters([2, 16, 16, 3]) == 371


def test_small_config_has_a_run_meant_to_diverge(small):
    assert any(run["learning_rate"] >= 50 for run in sc.runs(small))
