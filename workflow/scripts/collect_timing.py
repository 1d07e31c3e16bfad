"""Rule collect_timing: timing/runs.csv from every job's timing.parquet."""
from spiralbench.collect import write_timing
from spiralbench.jobs import logging_to

with logging_to(snakemake.log[0]):
    write_timing(snakemake.input, snakemake.output[0])
