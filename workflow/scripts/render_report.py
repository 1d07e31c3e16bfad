"""Rule report: report.html (and the executed report.ipynb) from the results directory."""
from pathlib import Path

from spiralbench.jobs import logging_to
from spiralbench.report.render import render_report

with logging_to(snakemake.log[0]):
    report_dir = Path(snakemake.output.html).parent  # RESULTS/report
    page = render_report(
        qmd=snakemake.input.qmd,
        quarto_yml=snakemake.input.quarto_yml,
        results_dir=report_dir.parent,
        config=snakemake.config,
        output_dir=report_dir,
    )
    print(f"report written to {page}")
