# The spiral benchmark: neurogebra (a network written from scratch) against PyTorch.
#   snakemake --cores 4                                   the default sweep (config/config.yaml)
#   snakemake --cores 2 --configfile config/ci.yaml       the small configuration of the tests
# Every output goes under config["results_dir"]; config/README.md explains each key.
import os
import time

from snakemake.logging import logger
from snakemake.utils import min_version

from spiralbench import numeric_platform, run_end

STARTED = time.monotonic()

min_version("9.0")

# Same bytes on every x86-64-v3 CPU: numpy's SIMD dispatch, OpenBLAS's kernel, MKL, ATen and oneDNN
# would otherwise pick their code paths by the CPU. spiralbench/numeric_platform.py lists each pin and
# why; they are set here, before any job starts, so that every job inherits them (a script, the
# report's notebook kernel, a cluster job). A different value of your own is replaced, with a warning
# that names it (SPIRALBENCH_PINS=off keeps yours). numpy's BLAS is held to one thread in every job.
for warning in numeric_platform.pin_environment(os.environ):
    logger.warning(f"spiralbench: {warning}")


# A config given with --configfile replaces the default one rather than being merged into it: a small
# config must not inherit, say, the default sweep's inspection pairs.
if not workflow.overwrite_configfiles:

    configfile: "config/config.yaml"


# Snakemake's own report (snakemake --report results/snakemake-report.html): this text opens it.
report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/train.smk"
include: "workflow/rules/collect.smk"
include: "workflow/rules/analyse.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/slurm.smk"


rule all:
    default_target: True
    input:
        data_targets(),
        training_targets(),
        table_targets(),
        timing_targets(),
        ANALYSIS_TARGETS,
        result(numeric_platform.PLATFORM_FILE),
        result("report/report.html"),


include: "workflow/rules/check.smk"


# The run ends by saying where the report is, not by listing every input of `rule all`.
logger.addFilter(run_end.HideJobListing())


onsuccess:
    logger.info(
        run_end.summary(
            RESULTS,
            time.monotonic() - STARTED,
            PUBLISHED,
            [str(path) for path in workflow.overwrite_configfiles or []],
        )
    )
