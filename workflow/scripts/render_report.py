"""Rule report: report.html (and the executed report.ipynb) from the results directory."""
from pathlib import Path

from spiralbench.jobs import logging_to
from spiralbench.report.render import render_report

with logging_to(snakemake.log[0]):
    page = render_report(
        qmd=snakemake.params.qmd,
        quarto_yml=snakemake.params.quarto_yml,
        results_dir=snakemake.params.results_dir,
        config=snakemake.config,
        output_dir=Path(snakemake.output.html).parent,
    )
    print(f"report written to {page}")
