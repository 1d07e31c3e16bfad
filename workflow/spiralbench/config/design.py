"""The run design: a valid config turned into the list of runs and their identities.

    run_id = "{group}/{framework}/{setting}/seed{seed}"      e.g.
             "sweep/pytorch/adam-lr0.01-bs16-ep30-h16x16-relu-page-f32/seed3"

group is one of

- ``sweep``: the grid in ``config["sweep"]`` (initialisation included), for every seed and framework;
  neurogebra's runs trained by ``config["neurogebra_engine"]``;
- ``tutorial``: the page's own comparison, each framework with the optimizer and initialisation the
  page gives it, neurogebra on the page's scalar engine;
- ``engine_check``: the tutorial's neurogebra setting on every seed of the sweep, trained by the
  *other* neurogebra engine, so that every sweep seed has that setting from both engines and
  ``tables/engine_agreement.csv`` can show that they compute the same numbers.

Each run records its ``engine``: ``scalar`` (neurogebra's Value graph), ``tensor`` (neurogebra's
numpy engine) or ``torch``.
"""
from __future__ import annotations

import itertools

from spiralbench.frameworks import FRAMEWORKS  # defined once, beside the implementations

INITS = ("page", "torch-default")
# Which implementation trains a run. neurogebra has two engines; PyTorch is itself.
NEUROGEBRA_ENGINES = ("scalar", "tensor")
# What each framework does when nothing else is asked: the page's initialisation for the scratch
# network, nn.Linear's own for PyTorch, and the page's engine.
DEFAULT_INIT = {"neurogebra": "page", "pytorch": "torch-default"}
DEFAULT_ENGINE = {"neurogebra": "scalar", "pytorch": "torch"}
# Each framework's own precision, the tutorial's: the scalar engine computes with Python floats,
# PyTorch as people use it, in float32. The sweep trains both frameworks in both (``sweep.precision``).
DEFAULT_PRECISION = {"neurogebra": "float64", "pytorch": "float32"}
PRECISIONS = ("float32", "float64")
# Keys that name a directory the workflow writes to, and their defaults.
DIRECTORY_KEYS = {"results_dir": None, "published_dir": "report/published"}
# Keys that, together, make one training setting (and its slug).
SETTING_KEYS = ("optimizer", "learning_rate", "batch_size", "epochs", "hidden_sizes", "activation", "init",
                "precision")
# The factors an effect compares at matched settings; the other setting keys make a "setting".
FACTORS = ("framework", "init", "precision")


def split_sizes(data: dict) -> tuple[int, int]:
    """(training, test) set sizes, computed as the page does: ``split = int(0.8 * len(X))``."""
    n_total = data["n_points"] * data["n_classes"]
    n_train = int(data["train_fraction"] * n_total)
    return n_train, n_total - n_train


def format_number(value) -> str:
    """Shortest exact text of a number, without a trailing '.0': 0.05 -> '0.05', 50.0 -> '50'."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def hidden_slug(hidden_sizes) -> str:
    return "x".join(str(size) for size in hidden_sizes)


def setting_slug(setting: dict) -> str:
    """A readable, unique name for a setting, e.g. 'sgd-lr0.05-bs16-ep30-h16x16-relu-page-f64'."""
    return (
        f"{setting['optimizer']}-lr{format_number(setting['learning_rate'])}-bs{setting['batch_size']}"
        f"-ep{setting['epochs']}-h{hidden_slug(setting['hidden_sizes'])}-{setting['activation']}"
        f"-{setting['init']}-f{setting['precision'][-2:]}"
    )


def sweep_settings(config: dict) -> list[dict]:
    """Every combination of the sweep's grid, in the config's order."""
    sweep = config["sweep"]
    return [dict(zip(SETTING_KEYS, values)) for values in itertools.product(*(sweep[key] for key in SETTING_KEYS))]


def tutorial_setting(config: dict, framework: str) -> dict:
    tutorial = config["tutorial"]
    setting = {key: tutorial[key] for key in ("batch_size", "epochs", "hidden_sizes", "activation")}
    setting["precision"] = DEFAULT_PRECISION[framework]  # the page's, unless the config names another
    setting.update(tutorial[framework])
    return {key: setting[key] for key in SETTING_KEYS}


def make_run(group: str, framework: str, setting: dict, seed: int, n_classes: int,
             divergence_factor: float = 10.0, engine: str | None = None) -> dict:
    """Everything a training job needs to know, and nothing it could take from elsewhere.

    A setting without ``init`` or ``precision`` takes the framework's own (``DEFAULT_INIT``,
    ``DEFAULT_PRECISION``); without ``engine``, neurogebra trains on the page's scalar engine.
    """
    setting = {"init": DEFAULT_INIT[framework], "precision": DEFAULT_PRECISION[framework], **setting}
    engine = engine or DEFAULT_ENGINE[framework]
    if (engine == "torch") != (framework == "pytorch"):
        raise ValueError(f"engine {engine!r} does not train {framework}; allowed: "
                         f"{', '.join(NEUROGEBRA_ENGINES) if framework == 'neurogebra' else 'torch'}")
    slug = setting_slug(setting)
    return {
        "run_id": f"{group}/{framework}/{slug}/seed{seed}",
        "group": group,
        "framework": framework,
        "setting": slug,
        "seed": seed,
        **{key: setting[key] for key in SETTING_KEYS},
        "hidden_sizes": list(setting["hidden_sizes"]),
        "engine": engine,
        "layer_sizes": [2, *setting["hidden_sizes"], n_classes],
        "divergence_factor": divergence_factor,
    }


def sweep_engine(config: dict, framework: str) -> str:
    return config["neurogebra_engine"] if framework == "neurogebra" else "torch"


def check_engine(config: dict) -> str:
    """The neurogebra engine of group engine_check: the one the sweep does not use."""
    return next(engine for engine in NEUROGEBRA_ENGINES if engine != config["neurogebra_engine"])


def runs(config: dict) -> list[dict]:
    """Every training run of the config, sorted by run id."""
    n_classes, factor = config["data"]["n_classes"], config["divergence_factor"]
    found = [
        make_run("sweep", framework, setting, seed, n_classes, factor, sweep_engine(config, framework))
        for setting in sweep_settings(config)
        for framework in config["frameworks"]
        for seed in config["seeds"]
    ]
    tutorial_seed = config["tutorial"]["seed"]
    found += [
        make_run("tutorial", framework, tutorial_setting(config, framework), tutorial_seed, n_classes, factor)
        for framework in FRAMEWORKS
    ]
    if "neurogebra" in config["frameworks"]:
        found += [
            make_run("engine_check", "neurogebra", tutorial_setting(config, "neurogebra"), seed, n_classes, factor,
                     check_engine(config))
            for seed in config["seeds"]
        ]
    return sorted(found, key=lambda run: run["run_id"])


def engine_pairs(config: dict) -> list[dict]:
    """``{"seed", "scalar": run_id, "tensor": run_id}`` for every seed of the sweep: the tutorial's
    neurogebra setting trained by both engines (one run of group sweep, one of group engine_check).
    Empty when the sweep does not train neurogebra."""
    if "neurogebra" not in config["frameworks"]:
        return []
    setting = tutorial_setting(config, "neurogebra")
    n_classes = config["data"]["n_classes"]
    pairs = []
    for seed in config["seeds"]:
        pair = {"seed": seed}
        for group, engine in (("sweep", config["neurogebra_engine"]), ("engine_check", check_engine(config))):
            pair[engine] = make_run(group, "neurogebra", setting, seed, n_classes, engine=engine)["run_id"]
        pairs.append(pair)
    return pairs


def run_ids(config: dict) -> list[str]:
    return [run["run_id"] for run in runs(config)]


def find_run(config: dict, run_id: str) -> dict:
    """The run with this id; ``KeyError`` naming the id if the config has none."""
    for run in runs(config):
        if run["run_id"] == run_id:
            return run
    raise KeyError(f"the config has no run {run_id!r}")


def data_seeds(config: dict) -> list[int]:
    """Every seed a split is needed for: the sweep's, the tutorial's and the controlled comparison's."""
    return sorted({*config["seeds"], config["tutorial"]["seed"], config["controlled"]["seed"]})


def n_parameters(layer_sizes) -> int:
    """Weights and biases of a fully connected network: 371 for 2-16-16-3."""
    return sum((n_in + 1) * n_out for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:]))
