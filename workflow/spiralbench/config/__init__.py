"""The workflow's configuration, one job per module:

- ``validation``: ``load_config`` checks a config (schema, directories, cross-key rules), once,
  when the workflow starts;
- ``command_line``: ``coerce_command_line`` gives ``--config`` values the schema's types;
- ``design``: the runs a valid config describes, their ids and settings;
- ``inspection``: the pairs of runs whose networks the report looks inside;
- ``identity``: the config's SHA-256;
- ``schema``: the schema and ``ConfigError``.

The names below are the package's interface; import them from here.
"""
from .command_line import coerce_command_line
from .design import (
    DEFAULT_ENGINE,
    DEFAULT_INIT,
    DEFAULT_PRECISION,
    DIRECTORY_KEYS,
    FACTORS,
    FRAMEWORKS,
    INITS,
    NEUROGEBRA_ENGINES,
    PRECISIONS,
    SETTING_KEYS,
    check_engine,
    data_seeds,
    engine_pairs,
    find_run,
    format_number,
    hidden_slug,
    make_run,
    n_parameters,
    run_ids,
    runs,
    setting_slug,
    split_sizes,
    sweep_engine,
    sweep_settings,
    tutorial_setting,
)
from .identity import config_sha256
from .inspection import inspection_pair, inspection_pairs
from .schema import SCHEMA_PATH, ConfigError
from .validation import load_config

__all__ = [name for name in dir() if not name.startswith("_") and name not in {
    "command_line", "design", "identity", "inspection", "schema", "validation"}]
