"""Faults: a training job killed in the middle (SIGKILL), the whole workflow interrupted (Ctrl-C), and
intermediate files cut short or corrupted.

After an interruption the user types the same command again (after Ctrl-C with --rerun-incomplete), and
the run must end with the committed manifest's bytes. A broken intermediate file must fail the job that
reads it with an error naming the file, not with a traceback from inside numpy, zipfile or pandas.
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import CI_CONFIG, REPO, copy_of, run_workflow, workflow_env
from reproduction import assert_reproduces_ci_manifest

pytestmark = pytest.mark.slow

WAIT = 600  # seconds: the small config's whole run takes about a minute on two idle cores


def start_workflow(results_dir: Path, log_path: Path) -> subprocess.Popen:
    """Snakemake on the small config in the background, in a process group of its own, as a shell starts
    a command: Ctrl-C in a terminal signals that whole group, Snakemake and its jobs alike."""
    command = [sys.executable, "-m", "snakemake", "--cores", "2", "--configfile", str(CI_CONFIG),
               "--config", f"results_dir={results_dir}"]
    with open(log_path, "w") as log:
        # Ctrl-C acts as in a terminal even when the tests themselves run as a background job, whose
        # shell starts them with SIGINT ignored (and Python then keeps it ignored).
        return subprocess.Popen(command, cwd=REPO, env=workflow_env(), stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True,
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def stop(workflow: subprocess.Popen) -> None:
    """End a workflow a failed test left running (its process group: Snakemake and its jobs)."""
    if workflow.poll() is None:
        os.killpg(workflow.pid, signal.SIGTERM)
        workflow.wait(timeout=60)


def descendants(root: int) -> dict[int, list[str]]:
    """{pid: argv} of every live process below `root`, read from /proc."""
    children, argvs = {}, {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            argv = (entry / "cmdline").read_bytes().decode(errors="replace").split("\0")
        except (OSError, IndexError):
            continue  # it ended while we looked
        children.setdefault(parent, []).append(int(entry.name))
        argvs[int(entry.name)] = argv
    found, frontier = {}, [root]
    while frontier:
        for pid in children.get(frontier.pop(), []):
            found[pid] = argvs[pid]
            frontier.append(pid)
    return found


def training_jobs(workflow: subprocess.Popen) -> list[int]:
    """Processes running a training rule's script (the interpreter, not the shell that started it)."""
    return [pid for pid, argv in descendants(workflow.pid).items()
            if len(argv) > 1 and "python" in Path(argv[0]).name and argv[1].endswith(".train.py")]


def wait_for(condition, workflow: subprocess.Popen, log_path: Path):
    """Poll `condition` until it returns something true; fail if the workflow ends first."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        if workflow.poll() is not None:
            pytest.fail(f"the workflow ended before the fault could be injected:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.1)
    pytest.fail(f"no fault injected in {WAIT} s")


def test_a_training_job_killed_midway_is_redone_by_the_same_command(tmp_path):
    results, log_path = tmp_path / "results", tmp_path / "first.log"
    workflow = start_workflow(results, log_path)
    first_seen = {}

    def training_job_running_for_a_second():
        now = time.monotonic()
        for pid in training_jobs(workflow):
            first_seen.setdefault(pid, now)
            if now - first_seen[pid] >= 1.0:
                return pid
        return None

    try:
        victim = wait_for(training_job_running_for_a_second, workflow, log_path)
        os.kill(victim, signal.SIGKILL)
        assert workflow.wait(timeout=WAIT) != 0, "the workflow did not notice its killed job"
    finally:
        stop(workflow)
    first = log_path.read_text()
    assert "Error in rule train_" in first
    # The shell of the job either hands its place to Python (then the job dies of the signal) or
    # reports it as status 128 + 9.
    assert re.search(r"died with <Signals.SIGKILL: 9>|non-zero exit status 137", first)

    rerun = run_workflow(results)
    assert rerun.returncode == 0, rerun.stderr[-5000:]
    assert_reproduces_ci_manifest(results)


def test_a_workflow_interrupted_by_ctrl_c_ends_identically_when_rerun(tmp_path):
    results, log_path = tmp_path / "results", tmp_path / "first.log"
    workflow = start_workflow(results, log_path)

    def some_runs_done_and_one_training():
        return list((results / "runs").glob("**/runs.parquet")) and training_jobs(workflow)

    try:
        wait_for(some_runs_done_and_one_training, workflow, log_path)
        os.killpg(workflow.pid, signal.SIGINT)
        assert workflow.wait(timeout=WAIT) != 0
    finally:
        stop(workflow)
    assert "Terminating processes on user request" in log_path.read_text()
    assert not (results / "tables" / "runs.csv").exists(), "the interruption came too late to test anything"

    # A job may have written all its files in the moment between Ctrl-C and Snakemake marking them
    # complete: Snakemake cannot tell, so it asks for --rerun-incomplete (the default profile sets it).
    rerun = run_workflow(results, extra=("--rerun-incomplete",))
    assert rerun.returncode == 0, rerun.stderr[-5000:]
    assert_reproduces_ci_manifest(results)


def cut_in_half(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def cut_the_last_line_short(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[:-3])  # the last number loses its last digits and the line its newline


def flip_middle_bytes(path: Path) -> None:
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 8] = bytes(byte ^ 0xFF for byte in data[middle : middle + 8])
    path.write_bytes(bytes(data))


# (file to break, how, an output of the job that reads it): one case per kind of intermediate file.
BROKEN_FILES = [
    ("data/seed42.npz", cut_in_half, "runs/tutorial/neurogebra/*/runs.parquet"),
    ("runs/sweep/neurogebra/*/epochs.parquet", flip_middle_bytes, "tables/epochs.csv"),
    ("runs/sweep/pytorch/*/runs.parquet", cut_in_half, "tables/runs.csv"),
    ("runs/tutorial/pytorch/*/runs.parquet", flip_middle_bytes, "inspection/tutorial/boundary.npz"),
]


@pytest.mark.parametrize(
    "broken_pattern, damage, consumer_output",
    BROKEN_FILES,
    ids=[f"{case[0].rsplit('/', 1)[-1]}-{case[1].__name__}" for case in BROKEN_FILES],
)
def test_a_broken_intermediate_file_fails_its_reader_with_its_name(
    ci_results, tmp_path, broken_pattern, damage, consumer_output
):
    results = copy_of(ci_results, tmp_path)  # only what reads the broken file reruns
    broken = sorted(results.glob(broken_pattern))[0]
    target = sorted(results.glob(consumer_output))[0]
    damage(broken)

    done = run_workflow(results, str(target), cores=1)

    assert done.returncode != 0
    logs = {path: path.read_text() for path in (results / "logs").rglob("*.log")}
    failing = [path for path, text in logs.items() if "ResultFileError" in text]
    assert len(failing) == 1, f"expected one failed reader, found {failing}:\n{done.stderr[-3000:]}"
    text = logs[failing[0]]
    assert f"ResultFileError: {broken}:" in text
    for depth in ("site-packages/numpy", "site-packages/pandas", "site-packages/pyarrow", "zipfile.py"):
        assert depth not in text, f"the error of {failing[0].name} goes on inside {depth}:\n{text}"
