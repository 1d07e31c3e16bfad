#!/usr/bin/env python3
"""Submit a Snakemake job script as a detached background process on this machine; print its job id.

A stand-in for `sbatch`: each job runs in its own session, with its own Snakemake process, and shares
nothing with the main Snakemake process or with other jobs but the files of the working directory.
Usage (by Snakemake's cluster-generic executor): submit.py JOBSCRIPT.

The job id is the process id of the job's wrapper shell. Job state lives in .snakemake/local-cluster/
of the working directory: {id}.log (the job's output) and {id}.exit (its exit code, once it ended).
"""
import subprocess
import sys
from pathlib import Path

STATE_DIR = Path(".snakemake/local-cluster")

jobscript = sys.argv[-1]
STATE_DIR.mkdir(parents=True, exist_ok=True)
# The wrapper shell records the exit code, because the status query is not the job's parent and
# cannot wait for it. The code goes to a temporary name first and is renamed, so that a status query
# never reads a half-written file.
wrapper = 'sh "$1" > "$2/$$.log" 2>&1; echo $? > "$2/$$.exit.tmp"; mv "$2/$$.exit.tmp" "$2/$$.exit"'
job = subprocess.Popen(
    ["sh", "-c", wrapper, "local-cluster-job", jobscript, str(STATE_DIR)],
    stdin=subprocess.DEVNULL,
    stdout=subprocess.DEVNULL,
    stderr=subprocess.DEVNULL,
    start_new_session=True,  # its own process group, which cancel.py signals as a whole
)
print(job.pid)
