"""Rule check: how far this run reproduces the published one (spiralbench.reproduction); print the table,
and write the check's ledger record (spiralbench.ledger) as `reproduction.csv` in the results directory.

The level required is `check_require`: `auto` (the default) requires what the README promises for this
CPU: bit-identical where the numeric pins apply (x86-64-v3 and up), conclusions reproduced elsewhere.
When bit-identity was required and not reached, the check also replays every kernel of a training run
(spiralbench.kernels) and names any whose result depends on the CPU. The job fails (exit status 1) when
the level reached is weaker than the one required, so `snakemake ... check` does too.
"""
import sys
from pathlib import Path

from spiralbench import ledger, manifest, numeric_platform, reproduction
from spiralbench.io import read_json
from spiralbench.report.provenance import REPOSITORY, git_commit

results = Path(snakemake.config["results_dir"])
asked = snakemake.config.get("check_require", "auto")
required = reproduction.required_level(asked, numeric_platform.isa_level())
try:
    passed, text, assessment = reproduction.check(results, snakemake.params.published_dir, required, with_assessment=True)
except manifest.ManifestError as error:
    sys.exit(f"error: {error}")
if not passed and required == reproduction.BIT_IDENTICAL:
    from spiralbench import kernels
    text += "\nWhich kernels of a training run depend on the CPU (spiralbench.kernels):\n" + kernels.audit().report() + "\n"
platform = read_json(results / numeric_platform.PLATFORM_FILE)
checked = ledger.file_sha256(Path(snakemake.params.published_dir) / manifest.MANIFEST_NAME)
ledger.write_record(ledger.record(platform, git_commit(REPOSITORY), str(snakemake.params.published_dir),
                                  assessment.level, required, reproduction.first_difference(assessment), checked),
                    results / ledger.RECORD_NAME)
with open(snakemake.log[0], "w", encoding="utf-8") as log:
    log.write(text)
print(text, end="", flush=True)  # the terminal, where the user typed the check command
sys.exit(0 if passed else 1)
