"""Rule verdicts: every deterministic conclusion the report draws, as one table (spiralbench.findings.verdicts)."""
from spiralbench.findings.verdicts import COLUMNS, verdicts
from spiralbench.io import read_csv, write_csv
from spiralbench.jobs import logging_to

with logging_to(snakemake.log[0]):
    table = verdicts(read_csv(snakemake.input.runs), read_csv(snakemake.input.effects),
                     read_csv(snakemake.input.controlled), read_csv(snakemake.input.complexity), snakemake.config)
    write_csv(snakemake.output[0], table, COLUMNS)
    print(table.to_string(index=False))
