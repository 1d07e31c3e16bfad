"""Rule figures: every figure of the report, drawn from the results directory into figures/."""
from pathlib import Path

from spiralbench.figures.draw import draw_all
from spiralbench.jobs import logging_to
from spiralbench.report.results import Results

with logging_to(snakemake.log[0]):
    results_dir = Path(snakemake.output.figures).parent  # RESULTS/figures
    about = draw_all(Results(results_dir, snakemake.config))  # the config validated when the workflow started
    print(f"{len(about)} figures drawn into {results_dir / 'figures'}")
