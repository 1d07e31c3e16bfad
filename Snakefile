# The spiral benchmark: neurogebra (a network written from scratch) against PyTorch.
#   snakemake --cores 4                                   the default sweep (config/config.yaml)
#   snakemake --cores 2 --configfile config/ci.yaml       the small configuration of the tests
# Every output goes under config["results_dir"]; config/README.md explains each key.
import os

from snakemake.utils import min_version

min_version("9.0")

# Same bytes on any x86-64 machine: PyTorch's kernels, MKL and oneDNN otherwise pick their code path
# by the CPU's vector extensions (AVX2 here, AVX-512 elsewhere), which can move float32 results in
# the last bit. Jobs inherit these from Snakemake; a value set by the user wins.
for variable, value in {
    "ATEN_CPU_CAPABILITY": "avx2",
    "MKL_CBWR": "AVX2",
    "ONEDNN_MAX_CPU_ISA": "AVX2",
}.items():
    os.environ.setdefault(variable, value)

# numpy's BLAS (OpenBLAS here, MKL or an OpenMP build elsewhere) on one thread in every job: the
# matrices are tiny, and idle BLAS threads spinning beside other jobs make a small-matrix loop
# several times slower. The library reads these when numpy is first imported, so they must be in
# the job's environment (a job may be a script, a notebook kernel or a cluster job); PyTorch's
# threads are set by the jobs themselves (torch.set_num_threads), and the speed job raises both
# to `speed.threads` while it times (threadpoolctl).
for variable in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS"):
    os.environ.setdefault(variable, "1")


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
        result("report/report.html"),


include: "workflow/rules/check.smk"
