"""Rule timing_findings: every speed number and speed verdict the report states (spiralbench.findings.timing)."""
from spiralbench.findings.timing import COLUMNS, timing_findings
from spiralbench.io import read_csv, write_csv
from spiralbench.jobs import logging_to

with logging_to(snakemake.log[0]):
    tutorial = snakemake.config["tutorial"]
    table = timing_findings(read_csv(snakemake.input.speed), read_csv(snakemake.input.run_timing),
                            tutorial["hidden_sizes"][0], tutorial["epochs"])
    write_csv(snakemake.output[0], table, COLUMNS)
    print(table.to_string(index=False))
