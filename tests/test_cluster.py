"""The jobs are independent processes that share nothing but files: run the small config through
Snakemake's cluster-generic executor, whose submit script (workflow/profiles/local-cluster) starts every
job as a separate background process, and the outputs must still be the committed manifest's bytes."""
import re
import subprocess
import sys

import pytest
from conftest import CI_CONFIG, REPO, run_workflow, workflow_env
from reproduction import assert_reproduces_ci_manifest

pytestmark = pytest.mark.slow


def test_the_small_config_through_the_cluster_executor_reproduces_the_manifest(tmp_path, monkeypatch):
    state = tmp_path / "local-cluster"  # where submit.py keeps each job's output and exit code
    monkeypatch.setenv("LOCAL_CLUSTER_STATE", str(state))
    results = tmp_path / "results"

    done = run_workflow(results, extra=("--profile", "workflow/profiles/local-cluster"))

    assert done.returncode == 0, done.stderr[-5000:]
    submitted = re.findall(r"Submitted job \d+ with external jobid '(\d+)-(\w+)'", done.stderr)
    remote_jobs = re.findall(r"^rule \w+:$", done.stderr, re.MULTILINE)  # local ones print "localrule"
    # Every job not marked local went through submit.py, each as a process of its own ...
    assert len(submitted) == len(remote_jobs) > 0
    assert len({pid for pid, _ in submitted}) == len(submitted)
    # ... that ran Snakemake for that one job and ended well.
    for pid, token in submitted:
        assert (state / f"{token}.exit").read_text().strip() == "0"
        assert "1 of 1 steps (100%) done" in (state / f"{token}.log").read_text()
    assert_reproduces_ci_manifest(results)


def test_the_slurm_profile_gives_every_job_a_runtime_memory_and_cpus(tmp_path):
    # A dry run needs no SLURM installation: it shows what each job would ask sbatch for.
    command = [sys.executable, "-m", "snakemake", "--dry-run", "--profile", "workflow/profiles/slurm",
               "--cores", "8", "--configfile", str(CI_CONFIG),
               "--config", f"results_dir={tmp_path / 'results'}", "pytorch_threads=2"]
    done = subprocess.run(command, cwd=REPO, env=workflow_env(), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)

    assert done.returncode == 0, done.stdout[-5000:]
    jobs = re.findall(r"^rule (\w+):\n(?:    .*\n)*?    resources: (.*)$", done.stdout, re.MULTILINE)
    resources = {}
    for rule, listed in jobs:
        resources.setdefault(rule, []).append(dict(item.split("=", 1) for item in listed.split(", ")))
    assert {"train_sweep_neurogebra", "train_sweep_pytorch", "speed", "report"} <= resources.keys()
    for rule, each in resources.items():
        if rule == "all":
            continue  # the target rule runs no job
        for job in each:
            assert int(job["runtime"]) > 0 and int(job["mem_mb"]) > 0, rule
            # PyTorch jobs get as many CPUs as the threads they use; everything else one (the speed job
            # too: it times one thread, and has its node to itself).
            uses_torch_threads = rule in ("train_sweep_pytorch", "train_tutorial_pytorch", "controlled")
            assert job["cpus_per_task"] == ("2" if uses_torch_threads else "1"), rule
    assert all(job["slurm_extra"] == "--exclusive" for job in resources["speed"])
