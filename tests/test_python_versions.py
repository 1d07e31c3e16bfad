"""The supported Python versions: stated alike wherever they are stated, and the Python the Makefile
makes .venv with (workflow/envs/venv.sh), chosen or refused as the README says.

workflow/envs/venv.sh runs here on a PATH that holds only fake interpreters (shell scripts that answer as a
given Python version would) and the few tools the script uses, so that what it finds is known."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "workflow" / "envs" / "venv.sh"
SUPPORTED = ["3.11", "3.12", "3.13"]
TOOLS = ("sh", "dirname", "sed", "tr", "head", "mkdir", "ln")


def test_pyproject_states_the_supported_versions():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == ">=3.11,<3.14"
    classified = [c.rsplit(" :: ", 1)[1] for c in project["classifiers"]
                  if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)]
    assert classified == SUPPORTED


def test_ci_tests_every_supported_version():
    ci = yaml.safe_load((REPO / ".github" / "workflows" / "ci.yml").read_text())
    assert ci["jobs"]["test"]["strategy"]["matrix"]["python"] == SUPPORTED


def test_readme_names_the_supported_versions():
    readme = (REPO / "README.md").read_text()
    section = readme.split("## The two commands")[1].split("\n## ")[0]
    assert "Python 3.11, 3.12 or 3.13" in section and "make run PYTHON=python3.12" in section


def test_this_interpreter_is_supported():
    assert f"{sys.version_info.major}.{sys.version_info.minor}" in SUPPORTED


# ---------------------------------------------------------------- workflow/envs/venv.sh


@pytest.fixture
def path(tmp_path) -> Path:
    """A directory that is the whole PATH: the script's tools, and the fakes a test adds."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in TOOLS:
        (bin_dir / tool).symlink_to(shutil.which(tool))
    return bin_dir


def fake_python(bin_dir: Path, name: str, version: str) -> Path:
    """An interpreter that reports ``version``; its ``-m venv DIR`` makes DIR/bin/python, itself."""
    path = bin_dir / name
    path.write_text(
        "#!/bin/sh\n"
        f'case "$1" in -c) echo "{version} $0" ;; -m) mkdir -p "$3/bin" && ln -s "$0" "$3/bin/python" ;; esac\n'
    )
    path.chmod(0o755)
    return path


def broken_python(bin_dir: Path, name: str) -> Path:
    """A command that fails as a pyenv shim of a version that is installed but not selected does."""
    path = bin_dir / name
    path.write_text(f'#!/bin/sh\necho "pyenv: {name}: command not found" >&2\nexit 127\n')
    path.chmod(0o755)
    return path


def venv_sh(bin_dir: Path, venv: Path, python: str = "", goal: str = "run") -> subprocess.CompletedProcess:
    env = {"PATH": str(bin_dir), "GOAL": goal}
    return subprocess.run(["/bin/sh", str(SCRIPT), str(venv), python], env=env, capture_output=True, text=True)


def test_the_newest_supported_python_on_the_path_is_chosen(path, tmp_path):
    for name, version in (("python3.11", "3.11.9"), ("python3.12", "3.12.4"), ("python3", "3.12.4"),
                          ("python3.14", "3.14.0")):
        fake_python(path, name, version)
    done = venv_sh(path, tmp_path / "venv")
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"Making {tmp_path / 'venv'} with Python 3.12.4 ({path / 'python3.12'})\n"
    assert (tmp_path / "venv" / "bin" / "python").resolve() == path / "python3.12"


def test_a_python_that_does_not_run_is_passed_over_and_python3_is_taken_if_supported(path, tmp_path):
    broken_python(path, "python3.13")
    fake_python(path, "python3", "3.11.2")
    done = venv_sh(path, tmp_path / "venv")
    assert done.returncode == 0, done.stderr
    assert "with Python 3.11.2" in done.stdout


def test_only_an_older_python_is_refused_at_once_saying_what_works(path, tmp_path):
    fake_python(path, "python3", "3.10.12")
    broken_python(path, "python3.13")
    done = venv_sh(path, tmp_path / "venv")
    assert done.returncode == 1 and done.stdout == ""
    assert "This project runs on Python 3.11, 3.12 or 3.13" in done.stderr
    assert "python3.13 (" in done.stderr and "command not found" in done.stderr
    assert "python3 (Python 3.10.12)" in done.stderr
    assert "make run PYTHON=" in done.stderr
    assert not (tmp_path / "venv").exists()


@pytest.mark.parametrize("kind, named, message", [
    ("old", "python3.10", "PYTHON=python3.10 is Python 3.10.13"),
    ("new", "python3.14", "PYTHON=python3.14 is Python 3.14.0"),
    ("broken", "python3.12", "PYTHON=python3.12: "),
    ("missing", "python3.9", "PYTHON=python3.9: not found"),
])
def test_a_named_python_that_is_not_supported_is_refused_suggesting_one_that_is(path, tmp_path, kind, named,
                                                                                 message):
    fake_python(path, "python3.11", "3.11.9")
    if kind == "broken":
        broken_python(path, named)
    elif kind != "missing":
        fake_python(path, named, "3.10.13" if kind == "old" else "3.14.0")
    done = venv_sh(path, tmp_path / "venv", named, goal="test")
    assert done.returncode == 1
    assert message in done.stderr
    assert "make test PYTHON=python3.11   (Python 3.11.9" in done.stderr
    assert not (tmp_path / "venv").exists()


def test_a_named_supported_python_is_used(path, tmp_path):
    fake_python(path, "python3.13", "3.13.1")
    other = fake_python(tmp_path, "my-python", "3.11.4")
    done = venv_sh(path, tmp_path / "venv", str(other))
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"Making {tmp_path / 'venv'} with Python 3.11.4 ({other})\n"


def test_an_existing_venv_is_kept_and_said_but_not_reused_for_another_named_version(path, tmp_path):
    fake_python(path, "python3.12", "3.12.4")
    fake_python(path, "python3.13", "3.13.1")
    venv = tmp_path / "venv"
    assert venv_sh(path, venv, "python3.12").returncode == 0
    (venv / "pyvenv.cfg").write_text(f"version = 3.12.4\nexecutable = {path / 'python3.12'}\n")
    for named in ("", "python3.12"):
        done = venv_sh(path, venv, named)
        assert done.returncode == 0, done.stderr
        assert done.stdout == f"Python 3.12.4 in {venv} (made with {path / 'python3.12'})\n"
    done = venv_sh(path, venv, "python3.13")
    assert done.returncode == 1
    assert f"{venv} was made with Python 3.12.4 ({path / 'python3.12'}), not with PYTHON=python3.13" in done.stderr
    assert f"rm -rf {venv} && make run PYTHON=python3.13" in done.stderr
    assert f"VENV={venv}313" in done.stderr


def test_a_venv_whose_python_is_gone_is_refused(path, tmp_path):
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").symlink_to(tmp_path / "removed-python")
    done = venv_sh(path, venv)
    assert done.returncode == 1 and f"rm -rf {venv}" in done.stderr


def test_make_refuses_an_older_python_before_doing_anything(path, tmp_path):
    old = fake_python(path, "python3", "3.10.12")
    done = subprocess.run([shutil.which("make"), "-C", str(REPO), "setup", f"PYTHON={old}",
                           f"VENV={tmp_path / 'venv'}"],
                          env={**os.environ, "PATH": str(path)}, capture_output=True, text=True)
    assert done.returncode != 0
    assert f"PYTHON={old} is Python 3.10.12" in done.stderr
    assert "make setup PYTHON=" in done.stderr
    assert not (tmp_path / "venv").exists()


def test_make_makes_a_real_venv_with_the_chosen_python(path, tmp_path):
    """The one real environment: this interpreter, found on the PATH as python3."""
    (path / "python3").symlink_to(sys.executable)
    done = venv_sh(path, tmp_path / "venv")
    assert done.returncode == 0, done.stderr
    version = ".".join(map(str, sys.version_info[:3]))
    assert done.stdout.startswith(f"Making {tmp_path / 'venv'} with Python {version} (")
    check = [str(tmp_path / "venv" / "bin" / "python"), "-c", "import sys; print(sys.prefix != sys.base_prefix)"]
    assert subprocess.run(check, capture_output=True, text=True).stdout == "True\n"
