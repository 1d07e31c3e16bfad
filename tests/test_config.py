"""The config: the shipped ones are valid, every kind of bad input is refused naming its key, and the
runs it describes have the identities the results contract gives them."""
import copy
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CI_CONFIG, workflow_env
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


def problems_of(config, **options):
    with pytest.raises(sc.ConfigError) as error:
        sc.load_config(config, **options)
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
        (("sweep", "init"), ["page", "xavier"], "sweep.init[1]: 'xavier' is not allowed; allowed: page, torch-default"),
        (("sweep", "init"), [], "sweep.init: must not be empty"),
        (("tutorial", "pytorch", "init"), "he", "tutorial.pytorch.init: 'he' is not allowed; allowed: page, torch-default"),
        (("neurogebra_engine",), "gpu", "neurogebra_engine: 'gpu' is not allowed; allowed: tensor, scalar"),
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
    config = broken(default, set_key(key_path, value))
    if key_path[0] == "tutorial":  # the sweep must contain the tutorial's neurogebra setting
        config["sweep"]["batch_size"] = [16, 240]
    sc.load_config(config)
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
    ambiguous_init = broken(default, lambda c: c["inspection"]["matched"].pop("init"))
    assert "inspection.matched: selects 2 settings" in problems_of(ambiguous_init)
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
               "hidden_sizes": [16, 16], "activation": "relu", "init": "page", "precision": "float64"}
    assert sc.setting_slug(setting) == "sgd-lr0.05-bs16-ep30-h16x16-relu-page-f64"
    assert sc.setting_slug(dict(setting, learning_rate=50)) == "sgd-lr50-bs16-ep30-h16x16-relu-page-f64"
    assert sc.setting_slug(dict(setting, learning_rate=1e-5, hidden_sizes=[8], init="torch-default",
                                precision="float32")) == "sgd-lr1e-05-bs16-ep30-h8-relu-torch-default-f32"


TUTORIAL_IDS = {
    "neurogebra": "tutorial/neurogebra/sgd-lr0.05-bs16-ep30-h16x16-relu-page-f64/seed42",
    "pytorch": "tutorial/pytorch/adam-lr0.01-bs16-ep30-h16x16-relu-torch-default-f32/seed42",
}


def test_default_sweep_has_ten_seeds_both_inits_and_the_pages_settings(default):
    assert len(default["seeds"]) >= 10 and default["seeds"][0] == 42
    assert default["sweep"]["init"] == ["page", "torch-default"]
    settings = sc.sweep_settings(default)
    # The report decomposes the page's comparison: both of its settings are in the grid, both inits.
    for optimizer, learning_rate in (("sgd", 0.05), ("adam", 0.01)):
        for init in sc.INITS:
            assert any(s["optimizer"] == optimizer and s["learning_rate"] == learning_rate and s["batch_size"] == 16
                       and s["init"] == init for s in settings)


def test_runs_cover_the_grid_for_every_seed_and_framework_plus_the_tutorial_and_engine_check(default):
    runs = sc.runs(default)
    sweep = default["sweep"]
    n_settings = 1
    for key in sc.SETTING_KEYS:
        n_settings *= len(sweep[key])
    n_seeds = len(default["seeds"])
    assert len(runs) == n_settings * n_seeds * len(default["frameworks"]) + 2 + n_seeds
    ids = [run["run_id"] for run in runs]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert set(TUTORIAL_IDS.values()) <= set(ids)
    tutorial = sc.find_run(default, TUTORIAL_IDS["pytorch"])
    assert tutorial["layer_sizes"] == [2, 16, 16, 3] and tutorial["precision"] == "float32"
    # The page's precisions: neurogebra's Python floats, PyTorch's default float32.
    assert sc.find_run(default, TUTORIAL_IDS["neurogebra"])["precision"] == "float64"
    # The page's pairing: its own initialisation for the scratch network, nn.Linear's for PyTorch.
    assert (tutorial["init"], tutorial["engine"]) == ("torch-default", "torch")
    assert {k: sc.find_run(default, TUTORIAL_IDS["neurogebra"])[k] for k in ("init", "engine")} == {
        "init": "page", "engine": "scalar"}
    with pytest.raises(KeyError, match="no run"):
        sc.find_run(default, "sweep/pytorch/nothing/seed1")


def test_every_run_records_its_engine(default):
    engines = {(run["group"], run["framework"], run["engine"]) for run in sc.runs(default)}
    assert engines == {
        ("sweep", "neurogebra", "tensor"), ("sweep", "pytorch", "torch"),
        ("tutorial", "neurogebra", "scalar"), ("tutorial", "pytorch", "torch"),
        ("engine_check", "neurogebra", "scalar"),
    }
    scalar_sweep = sc.runs(broken(default, set_key(("neurogebra_engine",), "scalar")))
    assert {run["engine"] for run in scalar_sweep if run["group"] == "engine_check"} == {"tensor"}
    assert {run["engine"] for run in scalar_sweep if run["group"] == "sweep" and run["framework"] == "neurogebra"} == {
        "scalar"}


def test_engine_pairs_are_the_tutorial_setting_on_every_seed_from_both_engines(default, small):
    for config in (default, small):
        pairs = sc.engine_pairs(config)
        assert [pair["seed"] for pair in pairs] == config["seeds"]
        by_id = {run["run_id"]: run for run in sc.runs(config)}
        tutorial = sc.tutorial_setting(config, "neurogebra")
        for pair in pairs:
            scalar, tensor = by_id[pair["scalar"]], by_id[pair["tensor"]]
            assert (scalar["engine"], tensor["engine"]) == ("scalar", "tensor")
            assert scalar["seed"] == tensor["seed"] == pair["seed"]
            for run in (scalar, tensor):
                assert {key: run[key] for key in sc.SETTING_KEYS} == tutorial
    without = broken(default, set_key(("frameworks",), ["pytorch"]))
    assert sc.engine_pairs(without) == [] and not any(run["group"] == "engine_check" for run in sc.runs(without))


def test_a_sweep_without_the_tutorial_setting_is_refused_while_it_trains_neurogebra(default):
    message = problems_of(broken(default, set_key(("sweep", "learning_rate"), [0.01, 0.2])))
    assert "sweep: must contain the tutorial's neurogebra setting" in message and "learning_rate 0.05" in message
    message = problems_of(broken(default, set_key(("sweep", "init"), ["torch-default"])))
    assert "sweep: must contain the tutorial's neurogebra setting" in message
    pytorch_only = broken(default, lambda c: c.update(frameworks=["pytorch"], inspection={}))
    sc.load_config(broken(pytorch_only, set_key(("sweep", "init"), ["torch-default"])))


def test_inspection_pairs_name_runs_of_the_config(default, small):
    for config in (default, small):
        ids = set(sc.run_ids(config))
        for pair in sc.inspection_pairs(config).values():
            assert pair["neurogebra"] in ids and pair["pytorch"] in ids
            assert pair["neurogebra"].endswith(f"seed{pair['seed']}")
    assert sc.inspection_pairs(default)["tutorial"] == {"seed": 42, **TUTORIAL_IDS}


def test_a_sweep_pair_without_a_seed_takes_the_first_of_seeds(default):
    assert "seed" not in default["inspection"]["matched"]
    assert sc.inspection_pairs(default)["matched"]["seed"] == default["seeds"][0]
    other = broken(default, set_key(("seeds",), [3, 1]))
    pair = sc.inspection_pairs(sc.load_config(other))["matched"]
    assert pair["seed"] == 3 and pair["pytorch"].endswith("/seed3")


def test_data_seeds_include_the_tutorial_and_controlled_seeds(default):
    config = broken(default, lambda c: c["controlled"].update(seed=7))
    assert sc.data_seeds(config) == sorted({*default["seeds"], 42, 7})


def test_parameter_count_of_the_page_network():
    # (2+1)*16 + (16+1)*16 + (16+1)*3, as the page prints: 371.
    assert sc.n_parameters([2, 16, 16, 3]) == 371


def test_small_config_has_a_run_meant_to_diverge(small):
    assert any(run["learning_rate"] >= 50 for run in sc.runs(small))


# ---------------------------------------------------------------- command-line values


def test_command_line_text_becomes_the_schema_types(default):
    # What Snakemake 9 hands over for: --config seeds=[1,2] "data={'n_points':20}" \
    #   "sweep={'learning_rate':[0.01,0.05],'batch_size':[16]}" "inspection={'matched':{'seed':'1'}}"
    overrides = {
        "seeds": ["1", "2"],
        "data": {"n_points": "20"},
        "sweep": {"learning_rate": ["0.01", "5e-2"], "batch_size": ["16"]},
        "tutorial": {"pytorch": {"learning_rate": "0.1"}},
        "inspection": {"matched": {"seed": "1"}},
        "results_dir": "42",
    }
    merged = copy.deepcopy(default)
    for key, value in overrides.items():
        if isinstance(value, dict):
            merged[key] = {**merged[key], **value}
            for inner, inner_value in value.items():
                if isinstance(inner_value, dict):
                    merged[key][inner] = {**default[key][inner], **inner_value}
        else:
            merged[key] = value
    coerced = sc.coerce_command_line(merged, overrides)
    assert coerced["seeds"] == [1, 2] and all(type(seed) is int for seed in coerced["seeds"])
    assert coerced["data"] == {**default["data"], "n_points": 20}
    assert coerced["sweep"]["learning_rate"] == [0.01, 0.05] and coerced["sweep"]["batch_size"] == [16]
    assert coerced["sweep"]["optimizer"] == default["sweep"]["optimizer"]
    assert coerced["tutorial"]["pytorch"] == {**default["tutorial"]["pytorch"], "learning_rate": 0.1}
    assert coerced["inspection"]["matched"]["seed"] == 1
    assert coerced["results_dir"] == "42"  # a string where the schema wants one
    assert merged["seeds"] == ["1", "2"]  # the input is left as it was
    sc.load_config(coerced)


def test_command_line_text_that_is_not_the_wanted_type_is_still_refused(default):
    overrides = {"seeds": ["1", "one", "1.5"], "data": {"n_points": "lots"}}
    merged = {**copy.deepcopy(default), "seeds": overrides["seeds"],
              "data": {**default["data"], "n_points": "lots"}}
    coerced = sc.coerce_command_line(merged, overrides)
    assert coerced["seeds"] == [1, "one", "1.5"]
    message = problems_of(coerced)
    assert "seeds[1]: 'one' is not an integer" in message and "seeds[2]: '1.5' is not an integer" in message
    assert "data.n_points: 'lots' is not an integer" in message


def test_values_of_a_file_keep_their_type(default):
    # Only what came from the command line is converted: text in a YAML file is a mistake to report.
    from_file = broken(default, set_key(("seeds",), ["1", "2"]))
    coerced = sc.coerce_command_line(from_file, {"results_dir": "elsewhere"})
    assert coerced["seeds"] == ["1", "2"]
    assert "seeds[0]: '1' is not an integer" in problems_of(coerced)


def test_the_sweep_trains_both_precisions_and_float32_needs_the_tensor_engine(default):
    assert default["sweep"]["precision"] == ["float32", "float64"]
    precisions = {(run["framework"], run["precision"]) for run in sc.runs(default) if run["group"] == "sweep"}
    assert precisions == {(fw, p) for fw in sc.FRAMEWORKS for p in sc.PRECISIONS}
    scalar = dict(default, neurogebra_engine="scalar")
    with pytest.raises(sc.ConfigError, match="sweep.precision: float32 needs neurogebra_engine: tensor"):
        sc.load_config(scalar)
    tutorial = {**default["tutorial"], "neurogebra": {**default["tutorial"]["neurogebra"], "precision": "float32"}}
    with pytest.raises(sc.ConfigError, match="tutorial.neurogebra.precision"):
        sc.load_config(dict(default, tutorial=tutorial))
    with pytest.raises(sc.ConfigError, match="precision.*not allowed; allowed: float32, float64"):
        sc.load_config(dict(default, sweep={**default["sweep"], "precision": ["float16"]}))
    assert default["speed"]["precisions"] == ["float32", "float64"]
    with pytest.raises(sc.ConfigError, match="speed.precisions: must include float64"):
        sc.load_config(dict(default, speed={**default["speed"], "precisions": ["float32"]}))


def test_the_speed_instruments_keys_are_optional_and_checked(default):
    instrument = ("min_sample_seconds", "warmups", "max_repeats", "unstable_threshold")
    older = {key: value for key, value in default["speed"].items() if key not in instrument}
    sc.load_config(dict(default, speed=older))  # a config written before them stays valid
    with pytest.raises(sc.ConfigError, match="speed.max_repeats: must be at least speed.repeats"):
        sc.load_config(dict(default, speed={**default["speed"], "repeats": 6, "max_repeats": 3}))
    with pytest.raises(sc.ConfigError, match="unstable_threshold"):
        sc.load_config(dict(default, speed={**default["speed"], "unstable_threshold": 0}))


# ---------------------------------------------------------------- the directories a config names


@pytest.fixture
def a_file(tmp_path):
    path = tmp_path / "a-file"
    path.write_text("not a directory\n")
    return path


def directory_problems(config, key, path):
    return problems_of(broken(config, set_key((key,), str(path))), check_directories=True)


@pytest.mark.parametrize("key", list(sc.DIRECTORY_KEYS))
def test_a_directory_that_is_a_file_is_refused_naming_key_path_and_problem(small, a_file, key):
    message = directory_problems(small, key, a_file)
    assert f"{key}: {str(a_file)!r} exists but is not a directory; allowed: a directory" in message
    message = directory_problems(small, key, a_file / "results")
    assert f"{key}: {str(a_file / 'results')!r} cannot be made: {a_file} exists but is not a directory" in message


def test_a_broken_symbolic_link_is_refused(small, tmp_path):
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "gone")
    message = directory_problems(small, "results_dir", link)
    assert f"results_dir: {str(link)!r} is a broken symbolic link (to {tmp_path / 'gone'})" in message
    message = directory_problems(small, "results_dir", link / "results")
    assert f"cannot be made: {link} is a broken symbolic link" in message


def test_directories_that_exist_or_can_be_made_are_accepted_relative_ones_from_the_current_one(
        small, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "existing").mkdir()
    for path in (tmp_path / "existing", tmp_path / "new" / "deeper", "relative/results"):
        config = broken(small, set_key(("results_dir",), str(path)))
        sc.load_config(broken(config, set_key(("published_dir",), str(path))), check_directories=True)
    (tmp_path / "results").write_text("")
    assert "results_dir: 'results' exists but is not a directory" in directory_problems(small, "results_dir", "results")


def test_directories_are_checked_only_when_asked(small, a_file):
    # As the workflow validates (it writes there); not when a job or a test only reads a config.
    sc.load_config(broken(small, set_key(("results_dir",), str(a_file))))


def test_every_bad_directory_is_reported_with_the_schema_problems(small, a_file):
    def change(config):
        config.update(results_dir=str(a_file), published_dir=str(a_file / "published"), seeds=[])
    message = problems_of(broken(small, change), check_directories=True)
    assert "results_dir: " in message and "published_dir: " in message and "seeds: must not be empty" in message


def test_a_directory_this_user_cannot_write_to_is_refused(small, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        if os.access(locked, os.W_OK):
            pytest.skip("permission bits do not stop this user's writes (root): only a read-only file system would")
        message = directory_problems(small, "results_dir", locked)
        assert f"results_dir: {str(locked)!r} is a directory this user cannot write to" in message
        message = directory_problems(small, "results_dir", locked / "results")
        assert f"cannot be made: this user cannot write to {locked}" in message
    finally:
        locked.chmod(0o755)


def test_the_workflow_refuses_a_results_dir_that_is_a_file_before_any_job(a_file, tmp_path):
    """End to end: a clear message and a failure, not a NotADirectoryError from Snakemake's inventory."""
    command = [sys.executable, "-m", "snakemake", "--dry-run", "--cores", "1", "--configfile", str(CI_CONFIG),
               "--config", f"results_dir={a_file}", f"published_dir={tmp_path / 'published'}"]
    done = subprocess.run(command, cwd=REPO, env=workflow_env(), capture_output=True, text=True)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output[-3000:]
    assert f"results_dir: {str(a_file)!r} exists but is not a directory" in output
    assert "NotADirectoryError" not in output and "Traceback" not in output
    assert a_file.read_text() == "not a directory\n" and not (tmp_path / "published").exists()


# ---------------------------------------------------------------- identity


def test_config_hash_is_of_canonical_json_so_layout_does_not_change_it_and_a_value_does(tmp_path):
    import yaml
    a = yaml.safe_load("seeds: [1, 2]\ndata: {n_points: 10}\n")
    b = yaml.safe_load("# a comment\ndata:\n  n_points: 10\nseeds:\n  - 1\n  - 2\n")
    assert sc.config_sha256(a) == sc.config_sha256(b)
    assert sc.config_sha256(a) != sc.config_sha256({**a, "seeds": [1, 3]})
    # The hash of '{"data":{"n_points":10},"seeds":[1,2]}', not of either file's bytes.
    import hashlib
    assert sc.config_sha256(a) == hashlib.sha256(b'{"data":{"n_points":10},"seeds":[1,2]}').hexdigest()
    path = tmp_path / "c.yaml"
    path.write_text("seeds: [1, 2]\ndata: {n_points: 10}\n")
    printed = subprocess.run([sys.executable, "-m", "spiralbench.config.identity", str(path)], capture_output=True,
                             text=True, check=True, env=workflow_env()).stdout.strip()
    assert printed == sc.config_sha256(a) != hashlib.sha256(path.read_bytes()).hexdigest()


def test_each_module_of_the_config_package_does_one_job():
    from spiralbench.config import command_line, design, inspection, validation
    assert validation.load_config is sc.load_config and command_line.coerce_command_line is sc.coerce_command_line
    assert design.runs is sc.runs and inspection.inspection_pairs is sc.inspection_pairs
    # The run design and the inspection pairs read no schema and validate nothing.
    for module in (design, inspection):
        source = Path(module.__file__).read_text()
        assert "jsonschema" not in source and "load_config" not in source
