"""Rules train_{group}_{framework}: the runs of one job (every seed of a setting, in each initialisation
and precision), five files per run, each run evaluated on its seed's test set and fresh sample.

Inputs are named by seed (`split_42`, `fresh_42`), outputs by the run's place in the job (`history_0`).
"""
import gc
from functools import cache

from spiralbench import frameworks
from spiralbench.data import load_fresh_sample, load_split
from spiralbench.jobs import logging_to
from spiralbench.training import OUTPUT_KINDS, train_run, write_run

# Import every library the job's runs need, then move what the imports made (a quarter of a million
# objects with torch) out of the collector's sight: the scalar engine makes and drops millions of
# small nodes, and each full collection would walk those imports again. No result depends on it.
for framework in {run["framework"] for run in snakemake.params.runs}:
    frameworks.module(framework)
gc.freeze()

# A seed's fresh sample is only read, so its runs share one copy. Its split is loaded anew for every run:
# the split carries numpy's stream, which a run consumes for its epoch shuffles.
fresh_sample = cache(lambda seed: load_fresh_sample(snakemake.input[f"fresh_{seed}"]))

with logging_to(snakemake.log[0]):
    for i, run in enumerate(snakemake.params.runs):
        split = load_split(snakemake.input[f"split_{run['seed']}"])
        result = train_run(run, split, threads=snakemake.threads, fresh_sample=fresh_sample(run["seed"]))
        write_run(result, **{kind: snakemake.output[f"{kind}_{i}"] for kind in OUTPUT_KINDS})
        print(f"{run['run_id']}: {result.status} after {result.epochs_completed} epoch(s)"
              + (f" ({result.divergence})" if result.divergence else ""), flush=True)
