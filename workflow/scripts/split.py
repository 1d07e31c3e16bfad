"""Rule split: every seed's spiral data and train/test split (the page's Step 1), and its fresh sample.

Outputs are named by seed: `split_42`, `fresh_42`, ...
"""
from spiralbench.data import make_fresh_sample, make_split, save_fresh_sample, save_split
from spiralbench.jobs import logging_to

with logging_to(snakemake.log[0]):
    data = snakemake.config["data"]
    for seed in snakemake.params.seeds:
        split = make_split(seed, **data)
        save_split(snakemake.output[f"split_{seed}"], split)
        X, y = make_fresh_sample(seed, snakemake.params.n_per_class, n_classes=data["n_classes"],
                                 noise=data["noise"])
        save_fresh_sample(snakemake.output[f"fresh_{seed}"], X, y)
        print(f"seed {seed}: {len(split.X_train)} training and {len(split.X_test)} test points, "
              f"{len(y)} fresh points")
