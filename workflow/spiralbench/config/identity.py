"""The config's identity: one SHA-256 for the config a run was made with.

It is the hash of the config *as the workflow ran it* (the file with any ``--config`` overrides
applied), written as canonical JSON: keys sorted, no spaces, UTF-8. So comments, key order and
YAML layout do not change it, and an override does. It is therefore not ``sha256sum`` of the YAML
file; ``python -m spiralbench.config.identity FILE`` prints it for a file.
"""
from __future__ import annotations

import hashlib
import json
import sys

import yaml

HOW = "SHA-256 of the config as canonical JSON (keys sorted, no spaces), not of the YAML file's bytes"


def canonical_json(config: dict) -> str:
    return json.dumps(config, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def config_sha256(config: dict) -> str:
    return hashlib.sha256(canonical_json(config).encode("utf-8")).hexdigest()


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as handle:
        print(config_sha256(yaml.safe_load(handle)))
