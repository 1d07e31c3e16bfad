"""Rule check: compare this run's deterministic outputs with the published manifest, print the table.

The job fails (exit status 1) on any difference, so `snakemake ... check` does too.
"""
import sys

from spiralbench import manifest

try:
    matched, table = manifest.check(snakemake.config["results_dir"], snakemake.params.published_dir)
except manifest.ManifestError as error:
    sys.exit(f"error: {error}")
verdict = (
    "reproduced: every deterministic output matches the manifest"
    if matched
    else f"NOT reproduced: outputs differ from {snakemake.params.published_dir}/{manifest.MANIFEST_NAME}"
)
with open(snakemake.log[0], "w", encoding="utf-8") as log:
    log.write(table + verdict + "\n")
print(table + verdict, flush=True)  # the terminal, where the user typed the check command
sys.exit(0 if matched else 1)
