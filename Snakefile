# The spiral benchmark: neurogebra (a network written from scratch) against PyTorch.
#   snakemake --cores 4                                   the default sweep (config/config.yaml)
#   snakemake --cores 2 --configfile config/ci.yaml       the small configuration of the tests
# Every output goes under config["results_dir"]; config/README.md explains each key.
from snakemake.utils import min_version

min_version("9.0")


# A config given with --configfile replaces the default one rather than being merged into it: a small
# config must not inherit, say, the default sweep's inspection pairs.
if not workflow.overwrite_configfiles:

    configfile: "config/config.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/train.smk"
include: "workflow/rules/collect.smk"
include: "workflow/rules/analyse.smk"
include: "workflow/rules/report.smk"


rule all:
    default_target: True
    input:
        data_targets(),
        training_targets(),
        table_targets(),
        timing_targets(),
        ANALYSIS_TARGETS,
        result("report/report.html"),


include: "workflow/rules/check.smk"
