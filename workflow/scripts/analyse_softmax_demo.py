"""Rule softmax_demo: the page's Step 3 demo through both frameworks."""
from spiralbench.demos import SOFTMAX_COLUMNS, softmax_demo_table
from spiralbench.io import write_csv
from spiralbench.jobs import logging_to

with logging_to(snakemake.log[0]):
    table = softmax_demo_table()
    write_csv(snakemake.output[0], table, SOFTMAX_COLUMNS)
    print(table.to_string(index=False))
