# The report: report/report.qmd executed on this config's results, rendered to one HTML page.
# It reads tables and arrays only; it trains nothing.
from pathlib import Path

# The helpers the report's cells call: a change to them re-renders the report. The published manifest
# and tolerances the reproducibility section describes are read as files of the repository (like the
# .qmd), not as inputs: they are made from this rule's output.
REPORT_CODE = sorted(
    str(path.relative_to(workflow.basedir))
    for package in ("report", "findings")
    for path in Path(workflow.basedir, "workflow/spiralbench", package).glob("*.py")
)
TUTORIAL_RUNS = sorted(run_id for run_id in RUNS if run_id.startswith("tutorial/"))


rule report:
    """Execute the report with papermill; render it with Quarto if installed, otherwise as nbconvert's plain page."""
    input:
        qmd="report/report.qmd",
        quarto_yml="report/_quarto.yml",
        css="report/report.css",
        code=REPORT_CODE,
        data=data_targets(),
        tables=table_targets(),
        timing=timing_targets(),
        platform=result("platform.json"),
        analysis=ANALYSIS_TARGETS,
        tutorial_params=run_targets("params.npz", TUTORIAL_RUNS),
    output:
        html=report(
            result("report/report.html"),
            caption="../report/report.rst",
            category="Benchmark report",
            labels={"document": "benchmark report", "format": "one HTML page"},
        ),
        notebook=result("report/report.ipynb"),
    log:
        result("logs/report.log"),
    conda:
        "../envs/spiralbench.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=20,
    script:
        "../scripts/render_report.py"
