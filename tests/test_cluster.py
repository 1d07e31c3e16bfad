"""The jobs are independent processes that share nothing but files: run the small config through
Snakemake's cluster-generic executor, whose submit script (workflow/profiles/local-cluster) starts every
job as a separate background process, and the outputs must still be the committed manifest's bytes."""
import re

import pytest
from conftest import run_workflow
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
