"""Rules train_{group}_{framework}: the runs of one job (every seed of a setting, in each initialisation
and precision), each evaluated on its seed's test set and fresh sample, written as the job's three tables
(spiralbench.job_tables).

Inputs are named by seed (`split_42`, `fresh_42`); the outputs are `runs`, `epochs` and `timing`.
"""
import gc
from functools import cache

from spiralbench import frameworks
from spiralbench.data import load_fresh_sample, load_split
from spiralbench.job_tables import write_job
from spiralbench.jobs import logging_to
from spiralbench.training import train_run

# Import every library the job's runs need, then move what the imports made (a quarter of a million
# objects with torch) out of the collector's sight: the scalar engine makes and drops millions of
# small nodes, and each full collection would walk those imports again. No result depends on it.
for framework in {run["framework"] for run in snakemake.params.runs}:
    frameworks.module(framework)
gc.freeze()
# Every node of a scalar-engine graph is in a reference cycle (its backward function holds it), so the
# collector, not reference counting, frees each step's graph (about 1,300 nodes at the page's batch of 16).
# Collecting every 20,000 new objects instead of every 700 makes those runs 9% faster and leaves the
# others as they are; memory stays bounded by a few steps' graphs.
gc.set_threshold(20_000)

# A seed's fresh sample is only read, so its runs share one copy. Its split is loaded anew for every run:
# the split carries numpy's stream, which a run consumes for its epoch shuffles.
fresh_sample = cache(lambda seed: load_fresh_sample(snakemake.input[f"fresh_{seed}"]))

with logging_to(snakemake.log[0]):
    results = []
    for run in snakemake.params.runs:
        split = load_split(snakemake.input[f"split_{run['seed']}"])
        result = train_run(run, split, threads=snakemake.threads, fresh_sample=fresh_sample(run["seed"]))
        results.append(result)
        print(f"{run['run_id']}: {result.status} after {result.epochs_completed} epoch(s)"
              + (f" ({result.divergence})" if result.divergence else ""), flush=True)
    write_job(results, snakemake.output.runs, snakemake.output.epochs, snakemake.output.timing)
