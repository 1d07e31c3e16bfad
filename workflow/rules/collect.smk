rule collect_tables:
    """Every run's metrics and history as tidy tables, and a summary over seeds."""
    input:
        runs=run_targets("runs.parquet"),
        epochs=run_targets("epochs.parquet"),
    output:
        runs_csv=report(
            result("tables/runs.csv"),
            caption="../report/runs.rst",
            category="Tables",
            subcategory="Training runs",
            labels={"table": "runs", "rows": "one per run"},
        ),
        epochs_csv=report(
            result("tables/epochs.csv"),
            caption="../report/epochs.rst",
            category="Tables",
            subcategory="Training runs",
            labels={"table": "epochs", "rows": "one per run and epoch"},
        ),
        summary_csv=report(
            result("tables/summary.csv"),
            caption="../report/summary.rst",
            category="Tables",
            subcategory="Training runs",
            labels={"table": "summary", "rows": "one per framework and setting"},
        ),
    log:
        result("logs/collect_tables.log"),
    conda:
        "../envs/spiralbench.yaml"
    script:
        "../scripts/collect_tables.py"


rule collect_timing:
    """Every run's timing as one table (not deterministic: kept apart from the tables above)."""
    input:
        run_targets("timing.parquet"),
    output:
        result("timing/runs.csv"),
    log:
        result("logs/collect_timing.log"),
    conda:
        "../envs/spiralbench.yaml"
    script:
        "../scripts/collect_timing.py"


ENGINE_PAIRS = spiral_config.engine_pairs(config)
ENGINE_PAIR_RUNS = sorted(
    {pair[engine] for pair in ENGINE_PAIRS for engine in ("scalar", "tensor")}
)


rule engine_agreement:
    """The tutorial's neurogebra setting from both engines on every seed: same losses, same accuracies."""
    input:
        runs=run_targets("runs.parquet", ENGINE_PAIR_RUNS),
        epochs=run_targets("epochs.parquet", ENGINE_PAIR_RUNS),
    output:
        engine_agreement_csv=report(
            result("tables/engine_agreement.csv"),
            caption="../report/engine_agreement.rst",
            category="Tables",
            subcategory="Controlled comparison",
            labels={"table": "engine_agreement", "rows": "one per seed and epoch"},
        ),
    log:
        result("logs/engine_agreement.log"),
    conda:
        "../envs/spiralbench.yaml"
    params:
        pairs=ENGINE_PAIRS,
    script:
        "../scripts/collect_engine_agreement.py"


rule platform:
    """The numeric platform the jobs run on: CPU, ISA level, numpy's dispatch, BLAS kernel, pins."""
    output:
        result("platform.json"),
    log:
        result("logs/platform.log"),
    conda:
        "../envs/spiralbench.yaml"
    script:
        "../scripts/record_platform.py"
