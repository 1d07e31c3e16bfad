"""Rule publish_manifest: the SHA-256 manifest (and reference copies of the tables) of this config's run,
a summary of its inputs (for the check's distributions level), and the numeric platform it was made on."""
import shutil
from pathlib import Path

from spiralbench import distributions, ledger, manifest
from spiralbench.io import read_json
from spiralbench.jobs import logging_to
from spiralbench.numeric_platform import PLATFORM_FILE
from spiralbench.report.provenance import REPOSITORY, git_commit
from spiralbench.reproduction import INPUTS_TABLE

with logging_to(snakemake.log[0]):
    results = Path(snakemake.config["results_dir"])
    published_dir = Path(snakemake.output.manifest).parent
    # Only the outputs this config declares: leftovers of another config in the same directory stay out.
    declared = [Path(path).relative_to(results).as_posix() for path in snakemake.input]
    published = manifest.publish(results, published_dir, declared)
    inputs = [path for path in published if path.startswith("data/")]
    distributions.input_summaries(results, inputs).to_csv(published_dir / manifest.REFERENCE_DIR / INPUTS_TABLE,
                                                          index=False, lineterminator="\n", float_format="%.17g")
    shutil.copyfile(results / PLATFORM_FILE, published_dir / PLATFORM_FILE)
    # A new publication starts a new ledger: its first record is the publisher's own machine. The same
    # outputs published again (the report re-rendered) are the same publication: its checks still hold.
    book, made = published_dir / ledger.LEDGER_NAME, ledger.file_sha256(published_dir / manifest.MANIFEST_NAME)
    if not ledger.same_publication(book, made):
        ledger.write_record(ledger.record(read_json(results / PLATFORM_FILE), git_commit(REPOSITORY), str(published_dir),
                                          ledger.PUBLISHED, "", "", made), book)
    print(f"{snakemake.output.manifest}: {len(published)} deterministic outputs of {results}")
