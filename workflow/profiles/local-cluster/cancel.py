#!/usr/bin/env python3
"""Cancel jobs started by submit.py: SIGTERM to each job's whole process group (like `scancel`).

Usage (by Snakemake's cluster-generic executor, on Ctrl-C): cancel.py JOBID [JOBID ...].
"""
import os
import signal
import sys

for job_id in sys.argv[1:]:
    pid = int(job_id.split("-", 1)[0])
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass  # already ended
