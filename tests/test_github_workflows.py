"""The GitHub Actions workflows (.github/workflows/): linted by actionlint and zizmor, which must report
nothing, and checked for what the project promises of them: pinned actions, least privilege, the
reproducibility check and the report published from main.

Both linters come from requirements-dev.txt; each test is skipped, with the reason, only where its
tool is not installed. zizmor runs offline (no GitHub API), with its most inclusive persona.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
WORKFLOWS = REPO / ".github" / "workflows"
CI = WORKFLOWS / "ci.yml"
FULL_SHA = re.compile(r"^[^@\s]+@[0-9a-f]{40}$")

# A workflow with mistakes each linter must catch, to prove a clean result means something.
BROKEN = """\
name: broken
on: push
jobs:
  build:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@v5
      - run: echo "${{ github.event.head_commit.message }}"
      - run: echo ${{ steps.nothing.outputs.value }}
"""


def workflow_files() -> list[Path]:
    return sorted(WORKFLOWS.glob("*.y*ml"))


def run(tool: str, *args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    executable = shutil.which(tool)
    if executable is None:
        pytest.skip(f"{tool} is not installed (pip install -r requirements-dev.txt)")
    return subprocess.run([executable, *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def actionlint(*files: Path, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return run("actionlint", "-no-color", *map(str, files), cwd=cwd)


def zizmor(*paths: Path) -> subprocess.CompletedProcess:
    return run("zizmor", "--offline", "--no-progress", "--persona", "auditor", "--format", "plain",
               *map(str, paths))


@pytest.fixture
def broken_workflow(tmp_path) -> Path:
    path = tmp_path / ".github" / "workflows" / "broken.yml"
    path.parent.mkdir(parents=True)
    path.write_text(BROKEN)
    return path


def test_there_are_workflows():
    assert CI in workflow_files()


def test_actionlint_reports_nothing():
    done = actionlint(*workflow_files())
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr


def test_actionlint_catches_a_broken_workflow(broken_workflow, tmp_path):
    done = actionlint(broken_workflow, cwd=tmp_path)
    assert done.returncode == 1
    assert 'property "nothing" is not defined' in done.stdout


def test_zizmor_reports_nothing():
    done = zizmor(REPO / ".github")  # the workflows and dependabot.yml
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No findings" in done.stdout, done.stdout
    for path in [*workflow_files(), REPO / ".github" / "dependabot.yml"]:
        assert f"completed {path}" in done.stderr  # audited, not skipped


def test_zizmor_catches_a_broken_workflow(broken_workflow):
    done = zizmor(broken_workflow)
    assert done.returncode != 0
    for audit in ("unpinned-uses", "artipacked", "template-injection", "excessive-permissions"):
        assert audit in done.stdout, done.stdout


# ---------------------------------------------------------------- what the workflow promises


@pytest.fixture(scope="module")
def ci() -> dict:
    return yaml.safe_load(CI.read_text())


def steps(job: dict) -> list[dict]:
    return job["steps"]


def uses(job: dict, action: str) -> list[dict]:
    return [step for step in steps(job) if step.get("uses", "").split("@")[0] == action]


def test_every_action_is_pinned_to_a_commit_with_its_release_beside_it():
    for path in workflow_files():
        for line in path.read_text().splitlines():
            match = re.match(r"\s*(?:- )?uses: (\S+)(.*)", line)
            if match:
                assert FULL_SHA.match(match.group(1)), f"{path.name}: {line.strip()}"
                assert re.fullmatch(r" # v\d+\.\d+\.\d+", match.group(2)), f"{path.name}: {line.strip()}"


def test_least_privilege(ci):
    assert ci["permissions"] == {}
    for name, job in ci["jobs"].items():
        expected = {"pages": "write", "id-token": "write"} if name == "pages" else {"contents": "read"}
        assert job["permissions"] == expected, name
        for step in uses(job, "actions/checkout"):
            assert step["with"]["persist-credentials"] is False, name


def test_runs_on_every_push_and_pull_request(ci):
    triggers = ci[True]  # YAML 1.1 reads the key `on` as true
    assert "push" in triggers and "pull_request" in triggers
    assert triggers["push"] is None and triggers["pull_request"] is None  # every branch
    assert "group" in ci["concurrency"]


def test_test_job_runs_make_test_on_each_python_of_its_matrix_with_a_pip_cache(ci):
    # The matrix is every supported version: tests/test_python_versions.py.
    job = ci["jobs"]["test"]
    assert job["strategy"]["matrix"]["python"] and job["strategy"]["fail-fast"] is False
    (setup,) = uses(job, "actions/setup-python")
    assert setup["with"]["python-version"] == "${{ matrix.python }}" and setup["with"]["cache"] == "pip"
    assert any(step.get("run", "").startswith("make test") for step in steps(job))


def test_reproducibility_job_runs_make_check_with_quarto_and_keeps_the_report(ci):
    job = ci["jobs"]["reproducibility"]
    names = [step.get("uses", step.get("run", "")).split("@")[0] for step in steps(job)]
    setup_quarto = names.index("quarto-dev/quarto-actions/setup")
    check = next(i for i, step in enumerate(steps(job)) if step.get("run", "").startswith("make check"))
    assert setup_quarto < check  # the report is rendered by Quarto
    (upload,) = uses(job, "actions/upload-artifact")
    assert "results-check/report/report.html" in upload["with"]["path"]
    assert upload["if"] == "${{ !cancelled() }}"  # a failed check keeps its report too


def test_make_check_reruns_into_a_fresh_directory_and_records_itself_in_the_ledger():
    makefile = (REPO / "Makefile").read_text()
    recipe = makefile.split("\ncheck:")[1].split("\n\n")[0]
    assert "rm -rf results-check" in recipe and "results_dir=results-check" in recipe
    assert "REQUIRE ?= auto" in makefile and "check_require=$(REQUIRE)" in recipe
    # The record is added and the claim rewritten whether the check passed or not; the status is kept.
    assert "spiralbench.ledger add results-check/reproduction.csv" in recipe
    assert "spiralbench.ledger claim" in recipe and "exit $$status" in recipe


def test_each_check_job_requires_what_the_readme_promises_for_its_cpu_and_keeps_its_record(ci):
    x86, arm = ci["jobs"]["reproducibility"], ci["jobs"]["reproducibility-arm64"]
    assert x86["runs-on"] == "ubuntu-24.04" and arm["runs-on"] == "ubuntu-24.04-arm"
    for job in (x86, arm):
        (check,) = [step["run"] for step in steps(job) if "make check" in step.get("run", "")]
        assert "REQUIRE" not in check  # auto: bit-identical on x86-64-v3, conclusions elsewhere
        (upload,) = uses(job, "actions/upload-artifact")
        assert upload["if"] == "${{ !cancelled() }}"
        for kept in ("results-check/logs/check.log", "results-check/platform.json", "results-check/reproduction.csv"):
            assert kept in upload["with"]["path"]


def test_only_main_publishes_the_checked_report(ci):
    on_main = "${{ github.event_name == 'push' && github.ref == 'refs/heads/main' }}"
    pages = ci["jobs"]["pages"]
    assert pages["if"] == on_main and set(pages["needs"]) == {"test", "reproducibility"}
    assert pages["environment"]["name"] == "github-pages"
    assert [step["uses"].split("@")[0] for step in steps(pages)] == ["actions/configure-pages",
                                                                     "actions/deploy-pages"]
    (upload,) = uses(ci["jobs"]["reproducibility"], "actions/upload-pages-artifact")
    assert upload["if"] == on_main


def test_the_status_badge_is_documented_not_left_as_a_placeholder():
    # The repository's address is not known here: docs/reproducibility.md gives the badge to fill in,
    # and the README shows no badge with placeholders in its address.
    docs = (REPO / "docs" / "reproducibility.md").read_text()
    assert "/actions/workflows/ci.yml/badge.svg" in docs
    assert "OWNER/REPO" not in (REPO / "README.md").read_text()
