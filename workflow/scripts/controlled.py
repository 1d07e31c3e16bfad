"""Rule controlled: neurogebra's two engines and PyTorch from the same weights, on the same batches, in float64."""
from spiralbench.controlled import COLUMNS, compare
from spiralbench.data import load_split
from spiralbench.io import write_csv
from spiralbench.jobs import logging_to

with logging_to(snakemake.log[0]):
    table = compare(snakemake.config["controlled"], load_split(snakemake.input.split), threads=snakemake.threads)
    write_csv(snakemake.output[0], table, COLUMNS)
    print(f"largest loss difference between the implementations over {len(table)} epochs: "
          f"{float(table['abs_diff'].max())!r}")
