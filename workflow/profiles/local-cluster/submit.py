#!/usr/bin/env python3
"""Submit a Snakemake job script as a detached background process on this machine; print its job id.

A stand-in for `sbatch`: each job runs in its own session, with its own Snakemake process, and shares
nothing with the main Snakemake process or with other jobs but the files of the working directory.
Usage (by Snakemake's cluster-generic executor): submit.py JOBSCRIPT.

The job id is "PID-TOKEN": the process id of the job's wrapper shell (what cancel.py signals) and a
random token naming its state files, which a recycled process id can therefore never mix up. Job state
lives in $LOCAL_CLUSTER_STATE (default .snakemake/local-cluster/ of the working directory):
TOKEN.log (the job's output) and TOKEN.exit (its exit code, once it has ended).
"""
import os
import subprocess
import sys
import uuid
from pathlib import Path

state_dir = Path(os.environ.get("LOCAL_CLUSTER_STATE", ".snakemake/local-cluster"))
state_dir.mkdir(parents=True, exist_ok=True)
token = uuid.uuid4().hex[:12]
# The wrapper shell records the exit code, because the status query is not the job's parent and
# cannot wait for it. The code goes to a temporary name first and is renamed, so that a status query
# never reads a half-written file.
wrapper = 'sh "$1" > "$2.log" 2>&1; echo $? > "$2.exit.tmp"; mv "$2.exit.tmp" "$2.exit"'
job = subprocess.Popen(
    ["sh", "-c", wrapper, "local-cluster-job", sys.argv[-1], str(state_dir / token)],
    stdin=subprocess.DEVNULL,
    stdout=subprocess.DEVNULL,
    stderr=subprocess.DEVNULL,
    start_new_session=True,  # its own process group, which cancel.py signals as a whole
)
print(f"{job.pid}-{token}")
