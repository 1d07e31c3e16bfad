"""Rule verdicts: every conclusion the report draws, as one table (spiralbench.report.verdicts)."""
from spiralbench.io import read_csv, write_csv
from spiralbench.jobs import logging_to
from spiralbench.report.verdicts import COLUMNS, verdicts

with logging_to(snakemake.log[0]):
    table = verdicts(read_csv(snakemake.input.runs), read_csv(snakemake.input.effects), snakemake.config)
    write_csv(snakemake.output[0], table, COLUMNS)
    print(table.to_string(index=False))
