rule collect_tables:
    """Every run's metrics and history as tidy tables, and a summary over seeds."""
    input:
        metrics=run_targets("metrics.json"),
        history=run_targets("history.csv"),
    output:
        runs_csv=result("tables/runs.csv"),
        epochs_csv=result("tables/epochs.csv"),
        summary_csv=result("tables/summary.csv"),
    log:
        result("logs/collect_tables.log"),
    conda:
        "../envs/spiralbench.yaml"
    script:
        "../scripts/collect_tables.py"


rule collect_timing:
    """Every run's timing as one table (not deterministic: kept apart from the tables above)."""
    input:
        run_targets("timing.json"),
    output:
        result("timing/runs.csv"),
    log:
        result("logs/collect_timing.log"),
    conda:
        "../envs/spiralbench.yaml"
    script:
        "../scripts/collect_timing.py"
