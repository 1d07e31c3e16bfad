# The published report, its manifest, and the reproducibility check (spiralbench.manifest says which
# outputs are deterministic). Included after `rule all`, whose targets these rules build on.
#   snakemake --cores 4 --forceall publish
#                                         rerun every job (a change in an imported module does not make
#                                         a job out of date), copy the report and the README's figure
#                                         to report/published/ and rewrite its manifest.sha256
#   rm -rf results-check && snakemake --cores 4 check --config results_dir=results-check
#                                         rerun everything into a fresh directory and compare it with
#                                         the published run: prints a table and the level reached, writes
#                                         the check's ledger record, fails below `check_require`
# A config's manifest lives in its `published_dir` (config/ci.yaml: report/published/ci).

PUBLISHED = config.get("published_dir", "report/published").rstrip("/")


rule publish_manifest:
    """SHA-256 of every deterministic output this config declares, copies of its tables, a summary of
    its inputs, its platform, and, when the manifest changed, a new reproduction ledger whose first
    record is this machine's (not an output: Snakemake would delete the checks it records).
    """
    input:
        rules.all.input,
    output:
        manifest=f"{PUBLISHED}/manifest.sha256",
        inputs=f"{PUBLISHED}/reference/inputs.csv",
        platform=f"{PUBLISHED}/platform.json",
    log:
        result("logs/publish_manifest.log"),
    localrule: True
    conda:
        "../envs/spiralbench.yaml"
    script:
        "../scripts/publish_manifest.py"


# The one figure published beside the report, which the repository's README shows: the decision
# boundaries of the tutorial's two networks (inspection pair `tutorial`).
PUBLISHED_FIGURE = f"{spiral_figures.boundary_figure('tutorial')}.png"


rule publish:
    """The report as published, next to the manifest of the run it was made from, and the README's figure."""
    input:
        report=result("report/report.html"),
        manifest=rules.publish_manifest.output.manifest,
        figures=rules.figures.output.figures,
    output:
        report=f"{PUBLISHED}/report.html",
        figure=f"{PUBLISHED}/figures/{PUBLISHED_FIGURE}",
    log:
        result("logs/publish.log"),
    localrule: True
    conda:
        "../envs/spiralbench.yaml"
    params:
        figure=PUBLISHED_FIGURE,
    shell:
        "(cp {input.report:q} {output.report:q} && cp {input.figures:q}/{params.figure:q} {output.figure:q}) 2> {log:q}"


# No output: the check runs every time it is asked for. The manifest is a param, not an input, so that
# asking for the check can never rebuild the manifest it is checked against.
rule check:
    """How far this run reproduces the published one; fail below the level `check_require` asks for."""
    input:
        rules.all.input,
    log:
        result("logs/check.log"),
    localrule: True
    conda:
        "../envs/spiralbench.yaml"
    params:
        published_dir=PUBLISHED,
    script:
        "../scripts/check_manifest.py"
