"""Fixtures shared by the test modules, and the order the suite runs in.

``ci_results`` runs the whole workflow once per test session on the small
configuration (config/ci.yaml), into a temporary results directory, and hands
every test that asks for it the same directory: the end-to-end workflow tests
and the report tests read one run instead of paying for one each. Tests read it
and never change it (one that needs to change it works on a copy), so that
tests running side by side (`make test` runs pytest-xdist workers) all see it whole.
"""

from __future__ import annotations

import fcntl
import os
import shutil
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
    """The results directory of one complete workflow run on config/ci.yaml (report included).

    One run for the whole suite, also under pytest-xdist, where each worker has a session of its own: the
    first worker to ask runs the workflow in the directory the workers share, holding a lock; the others
    wait on the lock and then read the same results, or the same failure.
    """
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the workers' base directories are inside the run's
    ci = shared / "ci"
    results_dir, finished, failure = ci / "results", ci / "finished", ci / "failure.txt"
    ci.mkdir(exist_ok=True)
    with open(ci / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not finished.exists() and not failure.exists():
            # --cores 4: the reproducibility tests compare this run with one made with --cores 1.
            done = run_workflow(results_dir, cores=4)
            if done.returncode == 0:
                finished.touch()
            else:
                failure.write_text(f"the workflow failed on {CI_CONFIG.name}:\n{done.stderr[-5000:]}")
    if failure.exists():
        pytest.fail(failure.read_text())
    return results_dir


def copy_of(results_dir: Path, tmp_path: Path) -> Path:
    """A copy of ``results_dir`` in ``tmp_path``, for a test that changes files: the session's run stays whole
    for the tests reading it meanwhile. The copies keep their times, so Snakemake finds out of date in the copy
    only what the test changes."""
    copy = tmp_path / "results"
    shutil.copytree(results_dir, copy)
    return copy


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests on a SLURM cluster first: most of their minutes are spent waiting for the executor's next
    status poll, and with them started first, pytest-xdist's other workers fill the cores meanwhile."""
    items.sort(key=lambda item: "cluster" not in getattr(item, "fixturenames", ()))
