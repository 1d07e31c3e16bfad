"""Rule boundary_agreement: one row per inspection pair."""
from spiralbench.inspection import AGREEMENT_COLUMNS, agreement_table
from spiralbench.io import write_csv
from spiralbench.jobs import logging_to

with logging_to(snakemake.log[0]):
    pairs = snakemake.params.pairs
    table = agreement_table(pairs, dict(zip(sorted(pairs), snakemake.input)))
    write_csv(snakemake.output[0], table, AGREEMENT_COLUMNS)
    print(table.to_string(index=False))
