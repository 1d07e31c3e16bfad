"""The SLURM profile on a real SLURM: a one-node cluster without accounting (tests/slurm_cluster.py), every
job submitted with sbatch through snakemake-executor-plugin-slurm, exactly as a user runs it:

    snakemake --profile workflow/profiles/slurm --configfile config/ci.yaml

The small config must end with the committed manifest's bytes; a failing job must fail the workflow
rather than leave it waiting; a setting with which the executor could not follow its jobs must stop the
workflow before it submits anything. Each run has a hard timeout: the failure this file guards against
is a workflow that never ends.

Without root or without the packages (`apt-get install slurm-wlm munge`) the cluster tests are skipped;
SPIRALBENCH_REQUIRE_SLURM=1 (set by .ci/run) makes that a failure.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import yaml
from conftest import CI_CONFIG, REPO
from reproduction import CI_PUBLISHED, assert_reproduces_ci_manifest
from slurm_cluster import MIN_JOB_AGE, OneNodeCluster, missing_requirements

from spiralbench import config as spiral_config, manifest, slurm
from spiralbench.data import make_fresh_sample, make_split, save_fresh_sample, save_split

# Seconds. The small config takes about 2 minutes on SLURM on two cores; far beyond that it hangs.
HARD_TIMEOUT = 600
# The plugin's delay before status checks (40 s by default, then growing): short, to keep the test short.
QUICK_CHECKS = ("--slurm-init-seconds-before-status-checks", "2")


@pytest.fixture(scope="module")
def cluster():
    """A running one-node cluster for the tests of this module; its daemons end with the module."""
    reason = missing_requirements()
    if reason:
        if os.environ.get("SPIRALBENCH_REQUIRE_SLURM") == "1":
            pytest.fail(f"SPIRALBENCH_REQUIRE_SLURM=1, but {reason}")
        pytest.skip(reason)
    # Not under pytest's tmp_path: munged runs as the munge user, who cannot enter root's 0700 directories.
    root = Path(tempfile.mkdtemp(prefix="spiralbench-slurm-"))
    one_node = OneNodeCluster(root)
    try:
        one_node.start()
        yield one_node
    finally:
        one_node.stop()
        shutil.rmtree(root, ignore_errors=True)


def run_on_cluster(cluster: OneNodeCluster, results: Path, *extra: str) -> subprocess.CompletedProcess:
    """Snakemake with the SLURM profile on the small config, killed (its whole process group) after
    HARD_TIMEOUT seconds. Not with SIGTERM: to Snakemake that means "end once the running jobs have
    ended", which never comes when it has lost track of them. The cluster's teardown cancels the jobs."""
    command = [
        sys.executable, "-m", "snakemake", *extra, "--profile", "workflow/profiles/slurm",
        "--configfile", str(CI_CONFIG), "--slurm-logdir", str(results.parent / "slurm-logs"),
        "--config", f"results_dir={results}",
    ]
    env = {**cluster.env(), "PATH": f"{Path(sys.executable).parent}{os.pathsep}{cluster.env()['PATH']}"}
    with subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, start_new_session=True) as snakemake:
        try:
            output, _ = snakemake.communicate(timeout=HARD_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(snakemake.pid, signal.SIGKILL)
            output, _ = snakemake.communicate()
            pytest.fail(f"snakemake still running after {HARD_TIMEOUT} s, killed:\n{output[-5000:]}")
    return subprocess.CompletedProcess(command, snakemake.returncode, output)


def submitted_jobs(output: str) -> dict[str, str]:
    """{SLURM job id: Snakemake job number} of every job the executor submitted."""
    return {slurm_id: number for number, slurm_id in
            re.findall(r"Job (\d+) has been submitted with SLURM jobid (\d+)", output)}


def slurm_states(cluster: OneNodeCluster, job_ids) -> dict[str, str]:
    """The controller's state of each job (it keeps finished ones for MinJobAge seconds)."""
    shown = cluster.run("squeue", "--states=all", "--noheader", "--format=%i|%T", "--jobs", ",".join(job_ids))
    return dict(line.split("|") for line in shown.stdout.split())


@pytest.mark.slow
def test_the_small_config_through_slurm_reproduces_the_manifest(cluster, tmp_path):
    results = tmp_path / "results"

    done = run_on_cluster(cluster, results, *QUICK_CHECKS)

    assert done.returncode == 0, done.stdout[-5000:]
    submitted = submitted_jobs(done.stdout)
    remote_jobs = re.findall(r"^rule \w+:$", done.stdout, re.MULTILINE)  # local ones print "localrule"
    assert len(submitted) == len(remote_jobs) > 0
    # Every job ran under SLURM and ended well there, and the executor learned it from squeue.
    assert set(slurm_states(cluster, submitted).values()) == {"COMPLETED"}
    assert "Falling back to 'sacct'" not in done.stdout
    assert_reproduces_ci_manifest(results)


def write_every_split(data_dir: Path) -> None:
    """What rule split writes for the small config: every seed's split and fresh sample."""
    config = yaml.safe_load(CI_CONFIG.read_text())
    for seed in spiral_config.data_seeds(config):
        save_split(data_dir / f"seed{seed}.npz", make_split(seed, **config["data"]))
        X, y = make_fresh_sample(seed, config["fresh_sample"]["n_per_class"], n_classes=config["data"]["n_classes"],
                                 noise=config["data"]["noise"])
        save_fresh_sample(data_dir / f"seed{seed}_fresh.npz", X, y)


def test_a_failing_job_fails_the_workflow_instead_of_hanging(cluster, tmp_path):
    # The tutorial's neurogebra job reads a broken split (as in test_faults) and exits non-zero. The split
    # job's other outputs are there, so that the job is complete and the broken file is not made anew.
    results = tmp_path / "results"
    (results / "data").mkdir(parents=True)
    write_every_split(results / "data")
    (results / "data" / "seed42.npz").write_bytes(b"not a numpy archive")
    (target,) = [path for path in manifest.read_manifest(CI_PUBLISHED / manifest.MANIFEST_NAME)
                 if re.fullmatch(r"runs/tutorial/neurogebra/[^/]+/runs\.parquet", path)]

    done = run_on_cluster(cluster, results, str(results / target), *QUICK_CHECKS)

    assert done.returncode != 0
    (slurm_id,) = submitted_jobs(done.stdout)
    assert slurm_states(cluster, [slurm_id]) == {slurm_id: "FAILED"}
    assert f"SLURM-job '{slurm_id}' failed, SLURM status is: 'FAILED'" in done.stdout
    assert "Error in rule train_tutorial_neurogebra" in done.stdout
    # The job's own error reaches the user: the failed log is shown (show-failed-logs in the profile).
    assert f"ResultFileError: {results / 'data' / 'seed42.npz'}" in done.stdout


@pytest.mark.parametrize("settings, expected", [
    (("--slurm-status-command", "sacct"), "--slurm-status-command squeue"),
    # The plugin trusts squeue only for MinJobAge >= 3 x the first delay, and otherwise uses sacct.
    (("--slurm-init-seconds-before-status-checks", str(MIN_JOB_AGE)),
     f"lower --slurm-init-seconds-before-status-checks to at most {MIN_JOB_AGE // 3} s"),
], ids=["sacct", "first-delay-above-MinJobAge"])
def test_settings_that_would_hang_stop_the_workflow_before_any_job(cluster, tmp_path, settings, expected):
    done = run_on_cluster(cluster, tmp_path / "results", *settings)

    assert done.returncode != 0
    assert "SLURM accounting is disabled on this cluster" in done.stdout
    assert expected in done.stdout
    assert not submitted_jobs(done.stdout)
    assert not (tmp_path / "results").exists()


# The decision itself, on controller settings as `scontrol show config` prints them (no cluster needed).

NO_ACCOUNTING = {"AccountingStorageType": "accounting_storage/none", "MinJobAge": "300 sec"}
ACCOUNTING = {"AccountingStorageType": "accounting_storage/slurmdbd", "MinJobAge": "300 sec"}


def test_scontrol_output_is_read_into_settings():
    shown = ("Configuration data as of 2026-11-25T22:00:00\nAccountingStorageType   = accounting_storage/none\n"
             "MinJobAge               = 600 sec\nSlurmctldHost[0]        = vm(127.0.0.1)\n")
    settings = slurm.parse_config(shown)
    assert settings["AccountingStorageType"] == "accounting_storage/none"
    assert slurm.seconds(settings["MinJobAge"]) == 600
    assert settings["SlurmctldHost[0]"] == "vm(127.0.0.1)"


@pytest.mark.parametrize("controller, requested, init_seconds, sacct_available", [
    (NO_ACCOUNTING, "squeue", 40, True),    # the profile's setting on a cluster without accounting
    (ACCOUNTING, "squeue", 40, True),       # ... and with it
    (ACCOUNTING, "sacct", 40, True),        # the plugin's default, with accounting
    ({**ACCOUNTING, "MinJobAge": "60 sec"}, "squeue", 40, True),  # the plugin falls back to sacct: fine here
    (NO_ACCOUNTING, "sacct", 40, False),   # no sacct at all: the plugin uses squeue
])
def test_settings_that_work_raise_no_problem(controller, requested, init_seconds, sacct_available):
    assert slurm.problem(controller, requested, init_seconds, sacct_available) is None


def test_sacct_without_accounting_is_a_problem_that_names_the_setting():
    found = slurm.problem(NO_ACCOUNTING, "sacct", 40, True)
    assert "AccountingStorageType=accounting_storage/none" in found
    assert "slurm-status-command: squeue" in found


def test_squeue_replaced_by_sacct_without_accounting_is_a_problem():
    found = slurm.problem({**NO_ACCOUNTING, "MinJobAge": "100 sec"}, "squeue", 40, True)
    assert "MinJobAge (100 s) is at least 3 x --slurm-init-seconds-before-status-checks (3 x 40 s)" in found
    assert "MinJobAge >= 300 s" in found
    assert "lower --slurm-init" not in found  # 100 s is too short whatever the first delay


def test_a_min_job_age_shorter_than_the_check_interval_is_a_problem():
    # Long enough for the plugin to use squeue (>= 3 x 40 s), too short for its checks every 180 s.
    without = slurm.problem({**NO_ACCOUNTING, "MinJobAge": "150 sec"}, "squeue", 40, True)
    assert "MinJobAge=150 s" in without and "up to 180 s" in without and "MinJobAge >= 300 s" in without
    with_accounting = slurm.problem({**ACCOUNTING, "MinJobAge": "150 sec"}, "squeue", 40, True)
    assert "--slurm-status-command sacct" in with_accounting


def test_the_profile_asks_for_squeue():
    import yaml

    profile = yaml.safe_load((REPO / "workflow" / "profiles" / "slurm" / "config.yaml").read_text())
    assert profile["slurm-status-command"] == "squeue"
    # With the plugin's default first delay, SLURM's default MinJobAge is enough.
    assert slurm.required_min_job_age(profile.get("slurm-init-seconds-before-status-checks", 40)) == 300
