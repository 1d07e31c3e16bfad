"""Rules train_{group}_{framework}: the runs of one setting (every seed, or one), five files per run,
each run evaluated on its seed's test set and fresh sample.

Inputs and outputs are named by the run's place in the job: `split_0`, `history_0`, ...
"""
from spiralbench.data import load_fresh_sample, load_split
from spiralbench.jobs import logging_to
from spiralbench.training import OUTPUT_KINDS, train_run, write_run

with logging_to(snakemake.log[0]):
    for i, run in enumerate(snakemake.params.runs):
        split = load_split(snakemake.input[f"split_{i}"])
        fresh_sample = load_fresh_sample(snakemake.input[f"fresh_{i}"])
        result = train_run(run, split, threads=snakemake.threads, fresh_sample=fresh_sample)
        write_run(result, **{kind: snakemake.output[f"{kind}_{i}"] for kind in OUTPUT_KINDS})
        print(f"{run['run_id']}: {result.status} after {result.epochs_completed} epoch(s)"
              + (f" ({result.divergence})" if result.divergence else ""), flush=True)
