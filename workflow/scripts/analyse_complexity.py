"""Rule complexity: lines per component, measured from the source, and the counting rule."""
from spiralbench.complexity import write_complexity
from spiralbench.jobs import logging_to

with logging_to(snakemake.log[0]):
    table = write_complexity(snakemake.output.table, snakemake.output.rule)
    print(table.to_string(index=False))
