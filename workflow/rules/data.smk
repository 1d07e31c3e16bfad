rule split:
    """The spiral dataset and its 80/20 split for one seed, as the page's Step 1 makes them."""
    output:
        result("data/seed{seed}.npz"),
    log:
        result("logs/split/seed{seed}.log"),
    conda:
        "../envs/spiralbench.yaml"
    script:
        "../scripts/split.py"
