"""Rule check: how far this run reproduces the published one (spiralbench.reproduction); print the table.

The job fails (exit status 1) when the level reached is weaker than `check_require` (bit-identical by
default), so `snakemake ... check` does too.
"""
import sys

from spiralbench import manifest, reproduction

required = reproduction.level_name(snakemake.config.get("check_require", "bit-identical"))
try:
    passed, text = reproduction.check(snakemake.config["results_dir"], snakemake.params.published_dir, required)
except manifest.ManifestError as error:
    sys.exit(f"error: {error}")
with open(snakemake.log[0], "w", encoding="utf-8") as log:
    log.write(text)
print(text, end="", flush=True)  # the terminal, where the user typed the check command
sys.exit(0 if passed else 1)
