"""Rule layer_stats: weight and bias statistics per layer of every inspected run."""
from pathlib import Path

from spiralbench.inspection import LAYER_STATS_COLUMNS, layer_stats_table
from spiralbench.io import write_csv
from spiralbench.jobs import logging_to

with logging_to(snakemake.log[0]):
    table = layer_stats_table([Path(params).parent for params in snakemake.input.params])
    write_csv(snakemake.output[0], table, LAYER_STATS_COLUMNS)
    print(table.to_string(index=False))
