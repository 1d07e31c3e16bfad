"""Rule publish_manifest: the SHA-256 manifest (and reference copies of the tables) of this config's run,
and the numeric platform it was made on."""
import shutil
from pathlib import Path

from spiralbench import manifest
from spiralbench.jobs import logging_to
from spiralbench.numeric_platform import PLATFORM_FILE

with logging_to(snakemake.log[0]):
    results = Path(snakemake.config["results_dir"])
    published_dir = Path(snakemake.output.manifest).parent
    # Only the outputs this config declares: leftovers of another config in the same directory stay out.
    declared = [Path(path).relative_to(results).as_posix() for path in snakemake.input]
    published = manifest.publish(results, published_dir, declared)
    shutil.copyfile(results / PLATFORM_FILE, published_dir / PLATFORM_FILE)
    print(f"{snakemake.output.manifest}: {len(published)} deterministic outputs of {results}")
