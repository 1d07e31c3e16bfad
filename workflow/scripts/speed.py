"""Rule speed: seconds per epoch per implementation, precision and hidden width, measured while nothing else runs.

Timed as each library runs when left alone: without the numeric pins, which fix kernels for
reproducibility at a cost in speed (its timings are not deterministic outputs). The platform it ran
on is recorded beside the timings.
"""
from spiralbench import numeric_platform

numeric_platform.run_unpinned()  # first, before numpy or PyTorch is loaded

from threadpoolctl import threadpool_limits  # noqa: E402

from spiralbench.data import load_split  # noqa: E402
from spiralbench.io import write_json, write_csv  # noqa: E402
from spiralbench.jobs import logging_to  # noqa: E402
from spiralbench.speed import COLUMNS, measure  # noqa: E402

with logging_to(snakemake.log[0]):
    # Described under the thread limit the measurement runs under (spiralbench.speed.measure), so that the
    # BLAS threads it records are the ones the timings used.
    with threadpool_limits(limits=snakemake.config["speed"]["threads"]):
        write_json(snakemake.output.platform, numeric_platform.describe())
    table = measure(snakemake.config["speed"], lambda: load_split(snakemake.input.split),
                    seed=int(snakemake.params.seed))
    write_csv(snakemake.output.speed, table, COLUMNS)
    print(table.groupby(["implementation", "precision", "hidden_width"])["seconds_per_epoch"].median().to_string())
