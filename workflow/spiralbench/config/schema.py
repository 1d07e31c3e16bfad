"""The config's schema (``config/schema.yaml``) and the error every config problem is reported as."""
from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[3]
SCHEMA_PATH = REPO_ROOT / "config" / "schema.yaml"


class ConfigError(ValueError):
    """An invalid configuration; the message lists every problem, each with its key."""


@cache
def _read_schema(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def schema() -> dict:
    """The JSON schema every config must satisfy (read once)."""
    return _read_schema(SCHEMA_PATH)
