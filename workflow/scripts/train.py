"""Rules train_{group}_{framework}: every seed of one setting, five files per run."""
from spiralbench.data import load_split
from spiralbench.jobs import logging_to
from spiralbench.training import OUTPUT_KINDS, train_run, write_run

with logging_to(snakemake.log[0]):
    for run in snakemake.params.runs:
        seed = run["seed"]
        result = train_run(run, load_split(snakemake.input[f"split_seed{seed}"]), threads=snakemake.threads)
        write_run(result, **{kind: snakemake.output[f"{kind}_seed{seed}"] for kind in OUTPUT_KINDS})
        print(f"{run['run_id']}: {result.status} after {result.epochs_completed} epoch(s)"
              + (f" ({result.divergence})" if result.divergence else ""), flush=True)
