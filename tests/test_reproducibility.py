"""Reruns of the small config reproduce its committed manifest byte for byte, and `snakemake check`
says so, or says where they do not.

The session's run (`ci_results`, --cores 4) and a second run in a row with --cores 1 must both match:
the number of jobs running side by side must not move a single byte.
"""
import csv
import os
import subprocess
import sys

import pytest
from conftest import CI_CONFIG, REPO, copy_of, run_workflow, workflow_env
from reproduction import CI_PUBLISHED, assert_reproduces_ci_manifest

from spiralbench import manifest

pytestmark = pytest.mark.slow


def test_the_session_run_reproduces_the_committed_manifest(ci_results):
    assert_reproduces_ci_manifest(ci_results)


def test_a_second_run_on_one_core_reproduces_it_too(tmp_path):
    results = tmp_path / "results"
    done = run_workflow(results, cores=1)
    assert done.returncode == 0, done.stderr[-5000:]
    assert_reproduces_ci_manifest(results)


def test_the_committed_manifest_covers_every_kind_of_deterministic_output():
    published = manifest.read_manifest(CI_PUBLISHED / manifest.MANIFEST_NAME)
    for pattern in manifest.DETERMINISTIC:
        regex = manifest.pattern_regex(pattern)
        assert any(regex.fullmatch(path) for path in published), f"no output matching {pattern} published"
    assert not [path for path in published if path.startswith(("timing/", "report/")) or "timing" in path]


def test_check_target_passes_on_a_run_that_reproduces(ci_results):
    done = run_workflow(ci_results, "check")
    assert done.returncode == 0, done.stderr[-5000:]
    published = manifest.read_manifest(CI_PUBLISHED / manifest.MANIFEST_NAME)
    assert f"Reproduction: BIT-IDENTICAL (all {len(published)} deterministic outputs have the published SHA-256)" \
        in done.stdout
    assert "Required: bit-identical: passed" in done.stdout


def test_check_target_fails_and_names_the_first_differing_value(ci_results, tmp_path):
    results = copy_of(ci_results, tmp_path)  # nothing looks out of date
    runs_csv = results / "tables" / "runs.csv"
    times = runs_csv.stat()
    with open(runs_csv, newline="") as stream:
        rows = list(csv.reader(stream))
    header, first = rows[0], rows[1]
    column = header.index("test_accuracy")
    original, first[column] = first[column], "0.123"
    with open(runs_csv, "w", newline="") as stream:
        csv.writer(stream, lineterminator="\n").writerows(rows)
    os.utime(runs_csv, ns=(times.st_atime_ns, times.st_mtime_ns))

    done = run_workflow(results, "check")

    assert done.returncode != 0
    (line,) = [line for line in done.stdout.splitlines() if line.startswith("tables/runs.csv ")]
    assert "differed" in line
    assert f"first at {first[0]}, test_accuracy: {original} published, 0.123 here" in line
    # One run moved, no setting's runs: the distributions reproduce, which is less than the default demands
    # on this CPU; so the check also says which kernels could depend on the CPU (none).
    assert "Reproduction: DISTRIBUTIONS REPRODUCED" in done.stdout
    assert "Required: bit-identical: FAILED" in done.stdout
    assert "vendor-dependent kernels: none" in done.stdout
    (record,) = csv.DictReader(open(results / "reproduction.csv", newline=""))
    assert (record["level"], record["required"]) == ("distributions reproduced", "bit-identical")
    assert record["first_difference"].startswith("tables/runs.csv (distributions reproduced): first at ")
    accepting = run_workflow(results, "check", settings=("check_require=distributions-reproduced",))
    assert accepting.returncode == 0, accepting.stdout[-3000:]
    assert "Required: distributions reproduced: passed" in accepting.stdout


def test_publish_writes_the_report_the_manifest_the_table_copies_and_the_figure(ci_results, tmp_path):
    published = tmp_path / "published"
    command = [sys.executable, "-m", "snakemake", "publish", "--cores", "1", "--configfile", str(CI_CONFIG),
               "--config", f"results_dir={ci_results}", f"published_dir={published}"]
    done = subprocess.run(command, cwd=REPO, env=workflow_env(), capture_output=True, text=True)

    assert done.returncode == 0, done.stderr[-5000:]
    written = manifest.read_manifest(published / manifest.MANIFEST_NAME)
    assert written == manifest.build_manifest(ci_results)
    assert (published / "report.html").read_bytes() == (ci_results / "report" / "report.html").read_bytes()
    figure = "figures/boundaries-tutorial.png"  # the figure the README shows
    assert (published / figure).read_bytes() == (ci_results / figure).read_bytes()
    for table in (ci_results / "tables").glob("*.csv"):
        assert (published / "reference" / "tables" / table.name).read_bytes() == table.read_bytes()
