"""Rule publish_manifest: the SHA-256 manifest (and reference copies of the tables) of this config's run."""
from pathlib import Path

from spiralbench import manifest
from spiralbench.jobs import logging_to

with logging_to(snakemake.log[0]):
    results = Path(snakemake.config["results_dir"])
    # Only the outputs this config declares: leftovers of another config in the same directory stay out.
    declared = [Path(path).relative_to(results).as_posix() for path in snakemake.input]
    published = manifest.publish(results, Path(snakemake.output.manifest).parent, declared)
    print(f"{snakemake.output.manifest}: {len(published)} deterministic outputs of {results}")
