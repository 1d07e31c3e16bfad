"""Values given with ``--config`` converted to the types the schema asks for."""
from __future__ import annotations

import copy
import math
import re

from .schema import schema as _schema


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
