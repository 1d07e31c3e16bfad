"""The workflow's configuration: validation, and the runs it describes.

``load_config`` checks a config against ``config/schema.yaml`` (for the workflow, also that the
directories it names are, or can be made as, directories it can write to) and then makes the checks
that involve several keys (a batch larger than the training set, an inspection pair that names no
run), once the schema is satisfied. Every problem of a stage is reported at once, each naming its key and what is
allowed, before any job starts.

The rest of the module turns a valid config into the list of runs and their identities:

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

Values given on the command line (``--config seeds=[1,2]``) reach the config as strings inside lists
and mappings; ``coerce_command_line`` converts them to the types the schema asks for.
"""
from __future__ import annotations

import copy
import itertools
import math
import os
import re
from pathlib import Path

import jsonschema
import yaml

from spiralbench.frameworks import FRAMEWORKS

REPO_ROOT = Path(__file__).resolve().parents[2]
SCHEMA_PATH = REPO_ROOT / "config" / "schema.yaml"

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


class ConfigError(ValueError):
    """An invalid configuration; the message lists every problem, each with its key."""


# ---------------------------------------------------------------- validation


def _strict_integer(checker, instance):
    # JSON Schema counts 42.0 as an integer; a seed or a size written 42.0 is more likely a slip.
    return isinstance(instance, int) and not isinstance(instance, bool)


_TYPE_CHECKER = jsonschema.Draft202012Validator.TYPE_CHECKER.redefine("integer", _strict_integer)
_Validator = jsonschema.validators.extend(jsonschema.Draft202012Validator, type_checker=_TYPE_CHECKER)


def _key_name(path) -> str:
    name = ""
    for part in path:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name or "(top level)"


# How each numeric bound reads in a message: "it must be <phrase> <bound>".
_BOUND_PHRASES = {
    "minimum": "at least",
    "maximum": "at most",
    "exclusiveMinimum": "greater than",
    "exclusiveMaximum": "less than",
}


def _describe(error: jsonschema.ValidationError) -> str:
    """One line: the key, the value found, and what is allowed."""
    key = _key_name(error.absolute_path)
    value = error.instance
    kind, expected = error.validator, error.validator_value
    if kind == "enum":
        return f"{key}: {value!r} is not allowed; allowed: {', '.join(map(str, expected))}"
    if kind == "type":
        wanted = {"integer": "an integer", "number": "a number", "string": "a string",
                  "array": "a list", "object": "a mapping"}.get(expected, expected)
        return f"{key}: {value!r} is not {wanted}"
    if kind in _BOUND_PHRASES:
        return f"{key}: {value!r} is not allowed; it must be {_BOUND_PHRASES[kind]} {expected}"
    if kind == "minItems":
        return f"{key}: must not be empty (at least {expected} item{'s' if expected > 1 else ''})"
    if kind == "uniqueItems":
        return f"{key}: {value!r} lists a value twice; values must be distinct"
    if kind == "required":
        return f"{key}: {error.message}"
    if kind == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        return f"{key}: {error.message}; allowed keys: {', '.join(allowed)}"
    if kind == "minLength":
        return f"{key}: must not be empty"
    return f"{key}: {error.message}"


def _schema_problems(config: dict) -> list[str]:
    validator = _Validator(_schema())
    errors = sorted(validator.iter_errors(config), key=lambda e: [str(p) for p in e.absolute_path])
    # An error inside allOf/anyOf is reported by its most specific cause.
    leaves = []
    for error in errors:
        leaves.extend(_leaf_errors(error))
    return [_describe(error) for error in leaves]


def _leaf_errors(error):
    if error.context:
        for child in error.context:
            yield from _leaf_errors(child)
    else:
        yield error


def _directory_problem(path: Path) -> str | None:
    """Why the workflow could not write into the directory ``path`` (making it if it is missing), or
    None. Write permission is what the system says for this user (for root, only a read-only file
    system refuses)."""
    path = Path(os.path.abspath(path))
    writable = os.W_OK | os.X_OK
    if path.is_dir():
        return None if os.access(path, writable) else "is a directory this user cannot write to"
    if path.exists():
        return "exists but is not a directory"
    if path.is_symlink():
        return f"is a broken symbolic link (to {os.readlink(path)})"
    # Missing: it is made inside its nearest existing ancestor.
    for parent in path.parents:
        if parent.is_dir():
            return None if os.access(parent, writable) else f"cannot be made: this user cannot write to {parent}"
        if parent.exists():
            return f"cannot be made: {parent} exists but is not a directory"
        if parent.is_symlink():
            return f"cannot be made: {parent} is a broken symbolic link (to {os.readlink(parent)})"
    return None


def _directory_problems(config: dict) -> list[str]:
    """The directory keys whose path cannot be used, relative paths taken from the current directory
    (the workflow's working directory)."""
    problems = []
    for key, default in DIRECTORY_KEYS.items():
        value = config.get(key, default)
        if isinstance(value, str) and value:
            problem = _directory_problem(Path(value))
            if problem:
                problems.append(f"{key}: {value!r} {problem}; allowed: a directory this user can write to, "
                                "or a path where one can be made")
    return problems


def split_sizes(data: dict) -> tuple[int, int]:
    """(training, test) set sizes, computed as the page does: ``split = int(0.8 * len(X))``."""
    n_total = data["n_points"] * data["n_classes"]
    n_train = int(data["train_fraction"] * n_total)
    return n_train, n_total - n_train


def _cross_field_problems(config: dict) -> list[str]:
    problems = []
    n_train, n_test = split_sizes(config["data"])
    if n_train < 1 or n_test < 1:
        problems.append(
            f"data.train_fraction: {config['data']['train_fraction']!r} of "
            f"{config['data']['n_points']} x {config['data']['n_classes']} points leaves "
            f"{n_train} training and {n_test} test points; both must be at least 1"
        )
        return problems
    batch_sizes = [(f"sweep.batch_size[{i}]", b) for i, b in enumerate(config["sweep"]["batch_size"])]
    batch_sizes += [("tutorial.batch_size", config["tutorial"]["batch_size"]),
                    ("controlled.batch_size", config["controlled"]["batch_size"]),
                    ("speed.batch_size", config["speed"]["batch_size"])]
    for key, batch_size in batch_sizes:
        if batch_size > n_train:
            problems.append(
                f"{key}: {batch_size} is larger than the training set ({n_train} points = "
                f"int(data.train_fraction x data.n_points x data.n_classes)); allowed: 1 to {n_train}"
            )
    if "neurogebra" in config["frameworks"] and tutorial_setting(config, "neurogebra") not in sweep_settings(config):
        setting = tutorial_setting(config, "neurogebra")
        problems.append(
            "sweep: must contain the tutorial's neurogebra setting ("
            + ", ".join(f"{key} {setting[key]}" for key in SETTING_KEYS)
            + "), which both neurogebra engines train on every seed to show that they agree "
            "(tables/engine_agreement.csv); add these values to the sweep's lists"
        )
    # The scalar engine computes with Python floats: it has no float32 (neurogebra.nn says so too).
    if config["neurogebra_engine"] == "scalar" and "float32" in config["sweep"]["precision"] \
            and "neurogebra" in config["frameworks"]:
        problems.append("sweep.precision: float32 needs neurogebra_engine: tensor (the scalar engine computes in "
                        "Python floats, float64 only); allowed with the scalar engine: float64")
    if config["tutorial"]["neurogebra"].get("precision", "float64") != "float64":
        problems.append("tutorial.neurogebra.precision: the tutorial's network runs on the scalar engine, which "
                        "computes in float64 only; allowed: float64")
    # The report compares the four implementations in the one precision all of them compute in.
    if "float64" not in config["speed"]["precisions"]:
        problems.append("speed.precisions: must include float64, the precision the report compares every "
                        "implementation in (the scalar engine has no float32)")
    for name in config["inspection"]:
        try:
            inspection_pair(config, name)
        except ConfigError as error:
            problems.append(str(error))
    return problems


# ---------------------------------------------------------------- command-line values


def _schema() -> dict:
    return yaml.safe_load(SCHEMA_PATH.read_text(encoding="utf-8"))


def _resolved(node: dict, schema: dict) -> dict:
    """``node`` with its ``$ref`` and ``allOf`` parts merged in: one flat description of a value."""
    merged = {}
    parts = [node]
    while parts:
        part = parts.pop()
        if "$ref" in part:
            parts.append(schema["$defs"][part["$ref"].rsplit("/", 1)[-1]])
        parts.extend(part.get("allOf", []))
        merged.update({key: value for key, value in part.items() if key not in ("$ref", "allOf")})
    return merged


_INTEGER_TEXT = re.compile(r"[+-]?\d+")


def _from_text(text: str, types) -> object:
    """``text`` as the first of ``types`` it spells exactly; unchanged if it spells none of them."""
    types = [types] if isinstance(types, str) else list(types)
    stripped = text.strip()
    for kind in types:
        if kind in ("integer", "number") and _INTEGER_TEXT.fullmatch(stripped):
            return int(stripped)
        if kind == "number":
            try:
                number = float(stripped)
            except ValueError:
                continue
            if math.isfinite(number):
                return number
        if kind == "boolean" and stripped.lower() in ("true", "false"):
            return stripped.lower() == "true"
    return text


def _coerce(value, node: dict, schema: dict):
    node = _resolved(node, schema)
    if isinstance(value, str):
        return _from_text(value, node["type"]) if "type" in node and "string" not in node["type"] else value
    if isinstance(value, list) and "items" in node:
        return [_coerce(item, node["items"], schema) for item in value]
    if isinstance(value, dict):
        children = node.get("properties", {})
        fallback = node.get("additionalProperties")
        return {
            key: _coerce(item, children.get(key, fallback if isinstance(fallback, dict) else {}), schema)
            for key, item in value.items()
        }
    return value


def coerce_command_line(config: dict, overrides: dict) -> dict:
    """``config`` with the values that came from the command line converted to the schema's types.

    Snakemake parses ``--config key=value`` itself: a lone number becomes a number, but everything
    inside a list or a mapping stays text (``seeds=[1,2]`` gives ``['1', '2']``). Each value of
    ``overrides`` (the ``--config`` part, ``workflow.config_settings.overwrite_config``) is walked
    along the schema, and text that spells what the schema wants there (an integer, a number, a
    boolean) becomes that. Only those values are touched: a value of a YAML file keeps its type, so
    ``seeds: ['1']`` in a file is still refused. Text that spells nothing of the kind stays text and
    is refused by validation, naming its key.
    """
    schema = _schema()
    config = copy.deepcopy(config)
    _merge(config, _coerce(overrides or {}, schema, schema))
    return config


def _merge(target: dict, given: dict) -> None:
    """Put ``given`` into ``target`` as Snakemake merged it: mappings key by key, anything else whole."""
    for key, value in given.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = value


def load_config(source, check_directories: bool = False) -> dict:
    """A validated copy of the config given as a dict or as a path to a YAML file.

    With ``check_directories`` (as the workflow validates it), the directories it names must also be,
    or be possible to make as, directories this user can write to (relative paths are taken from the
    current directory). Raises ``ConfigError`` listing every problem found.
    """
    if isinstance(source, dict):
        config = copy.deepcopy(source)
        origin = "config"
    else:
        path = Path(source)
        if not path.is_file():
            raise ConfigError(f"{path}: config file not found")
        config = yaml.safe_load(path.read_text(encoding="utf-8"))
        origin = str(path)
    if not isinstance(config, dict):
        raise ConfigError(f"{origin}: the config must be a mapping of keys to values")
    problems = _schema_problems(config)
    if check_directories:
        problems += _directory_problems(config)
    if not problems:
        problems = _cross_field_problems(config)
    if problems:
        raise ConfigError(f"invalid {origin}:\n  - " + "\n  - ".join(problems))
    return config


# ---------------------------------------------------------------- runs


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


# ---------------------------------------------------------------- inspection


def inspection_pair(config: dict, name: str) -> dict:
    """``{"seed": int, "neurogebra": run_id, "pytorch": run_id}`` for one entry of ``config["inspection"]``.

    A sweep entry names a seed of ``seeds`` (the first one if it names none, so that a new list of
    seeds on the command line keeps the pair valid) and enough of the setting to pick exactly one
    combination of the grid (keys left out must have a single value in the sweep). A tutorial entry's
    seed is the tutorial's.
    """
    selection = config["inspection"][name]
    key = f"inspection.{name}"
    group = selection["group"]
    seed = selection.get("seed", config["tutorial"]["seed"] if group == "tutorial" else config["seeds"][0])
    if group == "tutorial":
        extra = sorted(set(selection) - {"group", "seed"})
        if extra:
            raise ConfigError(f"{key}: a tutorial entry takes only group and seed, not {', '.join(extra)}")
        if seed != config["tutorial"]["seed"]:
            raise ConfigError(f"{key}.seed: {seed} is not the tutorial's seed; allowed: {config['tutorial']['seed']}")
        settings = {fw: tutorial_setting(config, fw) for fw in FRAMEWORKS}
    else:
        if seed not in config["seeds"]:
            raise ConfigError(f"{key}.seed: {seed} is not one of seeds; allowed: {config['seeds']}")
        absent = [fw for fw in FRAMEWORKS if fw not in config["frameworks"]]
        if absent:
            raise ConfigError(f"{key}: a sweep pair needs both frameworks, but frameworks lacks {', '.join(absent)}")
        matches = [
            setting
            for setting in sweep_settings(config)
            if all(setting[k] == selection[k] for k in SETTING_KEYS if k in selection)
        ]
        if len(matches) != 1:
            found = "no setting" if not matches else f"{len(matches)} settings ({', '.join(map(setting_slug, matches))})"
            raise ConfigError(
                f"{key}: selects {found} of the sweep; it must select exactly one "
                f"(give values of {', '.join(SETTING_KEYS)} that are in the sweep)"
            )
        settings = {fw: matches[0] for fw in FRAMEWORKS}
    n_classes = config["data"]["n_classes"]
    return {
        "seed": seed,
        **{fw: make_run(group, fw, settings[fw], seed, n_classes)["run_id"] for fw in FRAMEWORKS},
    }


def inspection_pairs(config: dict) -> dict[str, dict]:
    """Every inspection pair, by name (sorted)."""
    return {name: inspection_pair(config, name) for name in sorted(config["inspection"])}
