#!/usr/bin/env python3
"""Print the state of a job started by submit.py: running, success or failed (what Snakemake expects).

Usage (by Snakemake's cluster-generic executor): status.py JOBID.
"""
import os
import sys
from pathlib import Path

state_dir = Path(os.environ.get("LOCAL_CLUSTER_STATE", ".snakemake/local-cluster"))


def exit_code(token):
    """The job's exit code, or None while it has not ended."""
    path = state_dir / f"{token}.exit"
    return int(path.read_text()) if path.exists() else None


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # an ended process that nobody has reaped yet still answers kill(pid, 0)
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


pid, token = sys.argv[-1].split("-", 1)
code = exit_code(token)
if code is None and not alive(int(pid)):
    code = exit_code(token)  # it may have ended between the two looks
    if code is None:
        code = -1  # the wrapper itself was killed: no exit code was ever written
print("running" if code is None else "success" if code == 0 else "failed")
