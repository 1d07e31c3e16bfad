"""Where a report's numbers came from: config hash, git commit, package versions, date.

The workflow's own ``provenance.json`` is used when the results directory has
one; otherwise the same facts are collected when the report is rendered.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import platform
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import yaml

from spiralbench.io import read_json

PROVENANCE_FILE = "provenance.json"
PACKAGES = ("torch", "numpy", "pandas", "matplotlib", "sympy", "snakemake", "papermill", "nbconvert")
REPOSITORY = Path(__file__).resolve().parents[3]


def collect_provenance(results_dir: Path, config_path: Path) -> dict:
    """The provenance record of ``results_dir``: its ``provenance.json``, or one collected now."""
    recorded = Path(results_dir) / PROVENANCE_FILE
    if recorded.is_file():
        return {**read_json(recorded), "recorded_by": f"the workflow ({PROVENANCE_FILE})"}
    return {
        "config_sha256": config_hash(config_path),
        "git_commit": git_commit(REPOSITORY),
        "packages": package_versions(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "recorded_by": "the report rule (the results directory has no provenance.json)",
    }


def config_hash(config_path: Path) -> str:
    """SHA-256 of the config's content as canonical JSON: comments and layout do not change it."""
    with open(config_path, encoding="utf-8") as handle:
        config = yaml.safe_load(handle)
    canonical = json.dumps(config, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def git_commit(repository: Path) -> str:
    """HEAD's commit, marked ``(modified)`` when the work tree has uncommitted changes."""
    def git(*args):
        return subprocess.run(["git", "-C", str(repository), *args], capture_output=True, text=True, check=False)

    head = git("rev-parse", "HEAD")
    if head.returncode != 0:
        return "unknown (not a git checkout)"
    dirty = git("status", "--porcelain", "--untracked-files=no").stdout.strip()
    return head.stdout.strip() + (" (modified)" if dirty else "")


def package_versions(packages=PACKAGES) -> dict:
    versions = {}
    for package in packages:
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = "not installed"
    return versions
