"""Fixtures shared by the test modules.

``ci_results`` runs the whole workflow once per test session on the small
configuration (config/ci.yaml), into a temporary results directory, and hands
every test that asks for it the same directory: the end-to-end workflow tests
and the report tests read one run instead of paying for one each.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CI_CONFIG = REPO / "config" / "ci.yaml"


def run_workflow(results_dir: Path, *targets: str, config: Path = CI_CONFIG, cores: int = 2,
                 extra: tuple[str, ...] = (), settings: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    """Run snakemake from the repository on ``config`` with its results written to ``results_dir``
    (``settings``: more KEY=VALUE for --config)."""
    # Targets come first: `--config` takes every word after it that is not an option.
    command = [
        sys.executable, "-m", "snakemake", *targets, "--cores", str(cores), "--configfile", str(config),
        *extra, "--config", f"results_dir={results_dir}", *settings,
    ]
    return subprocess.run(command, cwd=REPO, env=workflow_env(), capture_output=True, text=True)


def workflow_env() -> dict[str, str]:
    """The environment of a workflow run."""
    # The rules call `python` for their scripts: make it this interpreter, with its packages.
    return {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}


@pytest.fixture(scope="session")
def ci_results(tmp_path_factory) -> Path:
    """The results directory of one complete workflow run on config/ci.yaml (report included)."""
    results_dir = tmp_path_factory.mktemp("ci") / "results"
    # --cores 4: the reproducibility tests compare this run with one made with --cores 1.
    finished = run_workflow(results_dir, cores=4)
    if finished.returncode != 0:
        pytest.fail(f"the workflow failed on {CI_CONFIG.name}:\n{finished.stderr[-5000:]}")
    return results_dir
