"""Rule inspect: boundary.npz and neuron_maps.npz of one inspection pair."""
from pathlib import Path

from spiralbench.frameworks import torch_train
from spiralbench.inspection import inspect_pair
from spiralbench.jobs import logging_to

with logging_to(snakemake.log[0]):
    torch_train.configure(snakemake.threads)
    run_dirs = [Path(snakemake.input[f"{framework}_params"]).parent for framework in ("neurogebra", "pytorch")]
    inspect_pair(run_dirs, snakemake.input.split, snakemake.output.boundary, snakemake.output.neuron_maps)
    print(f"{snakemake.wildcards.name}: {', '.join(map(str, run_dirs))}")
