# The report: its figures drawn from this config's results, then report/report.qmd executed on them
# and rendered to one HTML page. It reads tables and arrays only; it trains nothing.
from pathlib import Path

from spiralbench import figures as spiral_figures

# The code the figures and the report's cells call: a change to it redraws and re-renders. The
# published manifest and ledger the reproducibility section describes are read as files of the
# repository (like the .qmd), not as inputs: they are made from the report's output.
REPORT_CODE = sorted(
    str(path.relative_to(workflow.basedir))
    for package in ("report", "findings", "figures")
    for path in Path(workflow.basedir, "workflow/spiralbench", package).glob("*.py")
)
TUTORIAL_RUNS = sorted(run_id for run_id in RUNS if run_id.startswith("tutorial/"))


rule figures:
    """Every figure of the report, drawn from the result tables, with their alternative texts."""
    input:
        code=REPORT_CODE,
        data=data_targets(),
        tables=table_targets(),
        timing=timing_targets(),
        analysis=ANALYSIS_TARGETS,
    output:
        # One directory: which figures there are depends on the results (one per inspection pair).
        figures=report(
            directory(result(spiral_figures.FIGURES_DIR)),
            patterns=["{name}.png"],
            caption="../report/figure.rst",
            category="Figures",
            labels={"figure": "{name}"},
        ),
    log:
        result("logs/figures.log"),
    conda:
        "../envs/spiralbench.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=20,
    script:
        "../scripts/draw_figures.py"


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
        tutorial_runs=run_targets("runs.parquet", TUTORIAL_RUNS),
        figures=rules.figures.output.figures,
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
