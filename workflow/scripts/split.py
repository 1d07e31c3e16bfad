"""Rule split: one seed's spiral data and train/test split (the page's Step 1)."""
from spiralbench.data import make_split, save_split
from spiralbench.jobs import logging_to

with logging_to(snakemake.log[0]):
    data = snakemake.config["data"]
    split = make_split(int(snakemake.wildcards.seed), **data)
    save_split(snakemake.output[0], split)
    print(f"seed {snakemake.wildcards.seed}: {len(split.X_train)} training and {len(split.X_test)} test points")
