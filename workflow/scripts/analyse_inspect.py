"""Rule inspect: boundary.npz and neuron_maps.npz of one inspection pair."""
from spiralbench.frameworks import torch_train
from spiralbench.inspection import inspect_pair
from spiralbench.jobs import logging_to

with logging_to(snakemake.log[0]):
    torch_train.configure(snakemake.threads)
    runs = [(snakemake.input[f"{framework}_runs"], snakemake.params.run_ids[framework])
            for framework in ("neurogebra", "pytorch")]
    inspect_pair(runs, snakemake.input.split, snakemake.output.boundary, snakemake.output.neuron_maps)
    print(f"{snakemake.wildcards.name}: {', '.join(run_id for _, run_id in runs)}")
