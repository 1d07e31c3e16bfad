"""Rule platform: what the jobs' numbers depend on beyond the code (spiralbench.numeric_platform).

A job like any other, so that it sees the environment every job gets (pins included).
"""
from spiralbench import numeric_platform
from spiralbench.io import write_json
from spiralbench.jobs import logging_to

with logging_to(snakemake.log[0]):
    described = numeric_platform.describe()
    write_json(snakemake.output[0], described)
    for key, value in described.items():
        print(f"{key}: {value}")
