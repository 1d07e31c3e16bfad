"""Rule fresh_sample: one seed's fresh sample, the page's generator with the config's noise (spiralbench.data)."""
from spiralbench.data import make_fresh_sample, save_fresh_sample
from spiralbench.jobs import logging_to

with logging_to(snakemake.log[0]):
    data = snakemake.config["data"]
    seed = int(snakemake.wildcards.seed)
    X, y = make_fresh_sample(seed, snakemake.params.n_per_class, n_classes=data["n_classes"], noise=data["noise"])
    save_fresh_sample(snakemake.output[0], X, y)
    print(f"seed {seed}: {len(y)} fresh points")
