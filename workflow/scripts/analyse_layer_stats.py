"""Rule layer_stats: weight and bias statistics per layer of every inspected run."""
from spiralbench.inspection import LAYER_STATS_COLUMNS, layer_stats_table
from spiralbench.io import write_csv
from spiralbench.jobs import logging_to

with logging_to(snakemake.log[0]):
    table = layer_stats_table([(path, run_id) for run_id, path in snakemake.params.runs.items()])
    write_csv(snakemake.output[0], table, LAYER_STATS_COLUMNS)
    print(table.to_string(index=False))
