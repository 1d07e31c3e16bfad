"""Rule effects: paired framework and initialisation effects with intervals and Holm-corrected p-values."""
from spiralbench.effects import EFFECTS_COLUMNS, effects_table
from spiralbench.io import read_csv, write_csv
from spiralbench.jobs import logging_to

with logging_to(snakemake.log[0]):
    table = effects_table(read_csv(snakemake.input[0]))
    write_csv(snakemake.output[0], table, EFFECTS_COLUMNS)
    print(table.to_string(index=False))
