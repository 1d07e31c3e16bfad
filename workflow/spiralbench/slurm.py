"""Whether the SLURM executor can follow its jobs on this cluster, checked before the first job is submitted.

snakemake-executor-plugin-slurm (2.8.0) learns that a job has ended from one of two commands:

- `sacct` asks the accounting database. A cluster without one (AccountingStorageType=accounting_storage/none)
  answers only "Slurm accounting storage is disabled"; the plugin then stops following the jobs it was
  waiting for, and Snakemake waits for them forever.
- `squeue --states=all` asks the controller, which forgets a finished job MinJobAge seconds after it ended.
  A job that ends and is forgotten between two checks looks like a job still queued, and Snakemake again
  waits forever. The plugin checks every --slurm-init-seconds-before-status-checks seconds, and each time
  no job has ended it waits 10 s longer, up to 180 s.

The plugin's default is sacct whenever the command exists, and `slurm-client` always installs it; the
profile (workflow/profiles/slurm) asks for squeue, which works with and without accounting. The plugin
still falls back to sacct when MinJobAge is under three times the first delay. `problem()` applies these
rules to the controller's configuration and says what to change, so that a workflow that would hang stops
at once with that message instead.
"""
from __future__ import annotations

import re
import shutil
import subprocess

ACCOUNTING_DISABLED = "accounting_storage/none"
LONGEST_CHECK_INTERVAL = 180  # seconds: the plugin's longest wait between two status checks
MARGIN = 120  # seconds: room for a slow controller or a busy login node (180 + 120 = SLURM's default 300)


def controller_config() -> dict[str, str] | None:
    """`scontrol show config` as {key: value}; None when there is no controller to ask."""
    try:
        shown = subprocess.run(["scontrol", "show", "config"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if shown.returncode != 0:
        return None
    return parse_config(shown.stdout)


def parse_config(text: str) -> dict[str, str]:
    settings = {}
    for line in text.splitlines():
        key, separator, value = line.partition("=")
        if separator and key.strip() and " " not in key.strip():
            settings[key.strip()] = value.strip()
    return settings


def seconds(value: str | None) -> int | None:
    """MinJobAge as scontrol prints it ("300 sec") in seconds."""
    found = re.match(r"\s*(\d+)", value or "")
    return int(found.group(1)) if found else None


def required_min_job_age(init_seconds: int) -> int:
    """The shortest MinJobAge with which squeue neither loses a finished job between two checks nor is
    replaced by sacct (below 3 x the first delay)."""
    return max(max(LONGEST_CHECK_INTERVAL, init_seconds) + MARGIN, 3 * init_seconds)


def command_used(requested: str, min_job_age: int | None, init_seconds: int, sacct_available: bool) -> str:
    """The status command the plugin really runs (its own rule, in `Executor.check_active_jobs`)."""
    if requested == "squeue" and sacct_available and (min_job_age is None or min_job_age < 3 * init_seconds):
        return "sacct"
    if requested == "sacct" and not sacct_available:
        return "squeue"
    return requested


def problem(controller: dict[str, str], requested: str, init_seconds: int, sacct_available: bool) -> str | None:
    """Why the executor would lose track of its jobs on this controller, and what to set; None if it would not."""
    accounting = controller.get("AccountingStorageType", "") != ACCOUNTING_DISABLED
    min_job_age = seconds(controller.get("MinJobAge"))
    used = command_used(requested, min_job_age, init_seconds, sacct_available)
    required = required_min_job_age(init_seconds)
    if used == "sacct" and not accounting:
        if requested == "squeue":
            fix = f"ask the cluster's administrators for MinJobAge >= {required} s (SLURM's default is 300 s)"
            if min_job_age is not None and min_job_age >= required_min_job_age(min_job_age // 3):
                fix = f"lower --slurm-init-seconds-before-status-checks to at most {min_job_age // 3} s, or {fix}"
            return (
                f"SLURM accounting is disabled on this cluster (AccountingStorageType={ACCOUNTING_DISABLED}), so "
                f"job states must come from squeue; but the executor uses squeue only when the controller's "
                f"MinJobAge ({min_job_age} s) is at least 3 x --slurm-init-seconds-before-status-checks "
                f"(3 x {init_seconds} s), and otherwise sacct, which cannot see any job here. To fix it, {fix}."
            )
        return (
            f"SLURM accounting is disabled on this cluster (AccountingStorageType={ACCOUNTING_DISABLED}): sacct "
            "cannot tell when a job has ended, and Snakemake would wait forever. Use squeue: "
            "`slurm-status-command: squeue` in the profile (workflow/profiles/slurm has it) or "
            "--slurm-status-command squeue."
        )
    if used == "squeue" and min_job_age is not None and min_job_age < required:
        fix = (
            "Use sacct instead: --slurm-status-command sacct."
            if accounting and sacct_available
            else f"Ask the cluster's administrators for MinJobAge >= {required} s (SLURM's default is 300 s)."
        )
        return (
            f"The SLURM controller forgets a finished job after MinJobAge={min_job_age} s, but the executor may "
            f"wait up to {max(LONGEST_CHECK_INTERVAL, init_seconds)} s between two looks with squeue: a job that "
            f"ended in between would pass for a queued one, and Snakemake would wait forever. {fix}"
        )
    return None


def check_executor(executor_settings) -> str | None:
    """`problem()` for the settings of the running SLURM executor and the controller it talks to."""
    controller = controller_config()
    if controller is None:
        return None  # no controller to ask: sbatch will say so itself
    return problem(
        controller,
        requested=executor_settings.status_command,
        init_seconds=executor_settings.init_seconds_before_status_checks,
        sacct_available=shutil.which("sacct") is not None,
    )
