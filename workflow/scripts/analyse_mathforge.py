"""Rule mathforge_table: MathForge's activations and gradients, as the page's Step 8 shows relu."""
from spiralbench.demos import MATHFORGE_COLUMNS, mathforge_table
from spiralbench.io import write_csv
from spiralbench.jobs import logging_to

with logging_to(snakemake.log[0]):
    table = mathforge_table()
    write_csv(snakemake.output[0], table, MATHFORGE_COLUMNS)
    print(table.to_string(index=False))
