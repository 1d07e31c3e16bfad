"""Rule report: report.html (and the executed report.ipynb) from the results directory."""
from pathlib import Path

from spiralbench.jobs import logging_to
from spiralbench.report.render import choose_renderer, describe, render_report

with logging_to(snakemake.log[0]):
    report_dir = Path(snakemake.output.html).parent  # RESULTS/report
    renderer = choose_renderer()
    page = render_report(
        qmd=snakemake.input.qmd,
        results_dir=report_dir.parent,
        config=snakemake.config,  # validated once, when the workflow started
        output_dir=report_dir,
        project_files=[snakemake.input.quarto_yml, snakemake.input.css],
        renderer=renderer,
    )
    print(describe(page, renderer))
