"""Validation: a config checked against ``config/schema.yaml``, then the checks that involve several keys.

``load_config`` checks a config against the schema (for the workflow, also that the directories it
names are, or can be made as, directories it can write to) and then makes the checks that involve
several keys (a batch larger than the training set, an inspection pair that names no run), once the
schema is satisfied. Every problem of a stage is reported at once, each naming its key and what is
allowed, before any job starts. The workflow validates its config once, when it starts; what runs
after it (jobs, the report) reads the config as validated.
"""
from __future__ import annotations

import copy
import os
from pathlib import Path

import jsonschema
import yaml

from .design import DIRECTORY_KEYS, SETTING_KEYS, split_sizes, sweep_settings, tutorial_setting
from .inspection import inspection_pair
from .schema import ConfigError, schema as _schema


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
    if config["speed"].get("max_repeats", config["speed"]["repeats"]) < config["speed"]["repeats"]:
        problems.append(f"speed.max_repeats: must be at least speed.repeats ({config['speed']['repeats']}), "
                        "the rounds always timed")
    for name in config["inspection"]:
        try:
            inspection_pair(config, name)
        except ConfigError as error:
            problems.append(str(error))
    return problems


# ---------------------------------------------------------------- command-line values


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
