"""Rule collect_tables: runs.csv, epochs.csv and summary.csv from every job's tables."""
from spiralbench.collect import write_tables
from spiralbench.jobs import logging_to

with logging_to(snakemake.log[0]):
    write_tables(snakemake.input.runs, snakemake.input.epochs, **snakemake.output)
