"""Rule verdicts: every conclusion the report draws, as one table (spiralbench.report.verdicts)."""
from spiralbench.effects import of_metric
from spiralbench.io import read_csv, write_csv
from spiralbench.jobs import logging_to
from spiralbench.report.results import EFFECTS_METRIC
from spiralbench.report.verdicts import COLUMNS, verdicts

with logging_to(snakemake.log[0]):
    # The verdicts are drawn from the effects on the metric the report reads.
    effects = of_metric(read_csv(snakemake.input.effects), EFFECTS_METRIC)
    table = verdicts(read_csv(snakemake.input.runs), effects, snakemake.config)
    write_csv(snakemake.output[0], table, COLUMNS)
    print(table.to_string(index=False))
