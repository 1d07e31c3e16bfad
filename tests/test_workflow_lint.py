"""The workflow keeps Snakemake's conventions: `snakemake --lint` finds nothing under every config, and
the Snakefile and rule files are formatted as `snakefmt` formats them.

Each check is first shown to fail on a workflow with the kind of mistake it exists to catch, so that a
clean result means something.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, workflow_env

CONFIGS = sorted(path for path in (REPO / "config").glob("*.yaml") if path.name != "schema.yaml")
SNAKEMAKE_FILES = [REPO / "Snakefile", *sorted((REPO / "workflow" / "rules").glob("*.smk"))]

# A rule without a log (and without a software environment), and a rule written unformatted.
BROKEN_SNAKEFILE = 'rule touch:\n    output: "a.txt"\n    shell: "touch {output}"\n'


def lint(workdir: Path, *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "snakemake", "--lint", *args]
    return subprocess.run(command, cwd=workdir, env=workflow_env(), capture_output=True, text=True, timeout=300)


def snakefmt_check(*paths: Path) -> subprocess.CompletedProcess:
    executable = shutil.which("snakefmt")
    if executable is None:
        pytest.skip("snakefmt is not installed (pip install -r requirements-dev.txt)")
    return subprocess.run([executable, "--check", "--diff", *map(str, paths)], capture_output=True, text=True,
                          timeout=120)


@pytest.fixture
def broken_snakefile(tmp_path) -> Path:
    path = tmp_path / "Snakefile"
    path.write_text(BROKEN_SNAKEFILE)
    return path


def test_lint_catches_a_rule_without_a_log(broken_snakefile):
    done = lint(broken_snakefile.parent)
    assert done.returncode == 1
    assert "No log directive defined" in done.stdout + done.stderr


@pytest.mark.parametrize("config", CONFIGS, ids=lambda path: path.name)
def test_lint_finds_nothing(config):
    done = lint(REPO, "--configfile", str(config))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Congratulations, your workflow is in a good condition!" in done.stdout + done.stderr


def test_snakefmt_catches_an_unformatted_rule(broken_snakefile):
    done = snakefmt_check(broken_snakefile)
    assert done.returncode == 1, done.stdout + done.stderr


def test_the_workflow_is_formatted_by_snakefmt():
    assert len(SNAKEMAKE_FILES) > 5
    done = snakefmt_check(*SNAKEMAKE_FILES)
    assert done.returncode == 0, f"run `snakefmt Snakefile workflow/rules`:\n{done.stdout}{done.stderr}"
