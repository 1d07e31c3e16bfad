"""Rule speed: seconds per epoch per implementation, precision and hidden width, measured while nothing else runs."""
from spiralbench.data import load_split
from spiralbench.io import write_csv
from spiralbench.jobs import logging_to
from spiralbench.speed import COLUMNS, measure

with logging_to(snakemake.log[0]):
    table = measure(snakemake.config["speed"], lambda: load_split(snakemake.input.split),
                    seed=int(snakemake.params.seed))
    write_csv(snakemake.output[0], table, COLUMNS)
    print(table.groupby(["implementation", "precision", "hidden_width"])["seconds_per_epoch"].median().to_string())
