"""Rule engine_agreement: tables/engine_agreement.csv from the runs both neurogebra engines trained."""
from spiralbench.collect import write_engine_agreement
from spiralbench.jobs import logging_to

with logging_to(snakemake.log[0]):
    write_engine_agreement(snakemake.params.pairs, snakemake.input.runs, snakemake.input.epochs, **snakemake.output)
