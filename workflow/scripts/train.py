"""Rules train_neurogebra / train_pytorch: one run, its five files."""
from spiralbench.data import load_split
from spiralbench.jobs import logging_to
from spiralbench.training import train_run, write_run

with logging_to(snakemake.log[0]):
    run = snakemake.params.run
    result = train_run(run, load_split(snakemake.input.split), threads=snakemake.threads)
    write_run(result, **snakemake.output)
    print(f"{run['run_id']}: {result.status} after {result.epochs_completed} epoch(s)"
          + (f" ({result.divergence})" if result.divergence else ""))
