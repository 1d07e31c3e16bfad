rule split:
    """Every seed's spiral dataset and 80/20 split, as the page's Step 1 makes them, and its fresh sample.

    One job for every seed: each seed's arrays take milliseconds, a job of its own would spend a
    second or two starting Python and importing numpy.
    """
    output:
        **{
            f"{kind}_{seed}": result(f"data/seed{seed}{suffix}.npz")
            for seed in spiral_config.data_seeds(config)
            for kind, suffix in (("split", ""), ("fresh", "_fresh"))
        },
    log:
        result("logs/split.log"),
    # First: every training job waits for it.
    priority: 3
    conda:
        "../envs/spiralbench.yaml"
    params:
        seeds=spiral_config.data_seeds(config),
        n_per_class=config["fresh_sample"]["n_per_class"],
    script:
        "../scripts/split.py"
