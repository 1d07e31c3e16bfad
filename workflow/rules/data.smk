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


rule fresh_sample:
    """Many new points of the same spirals for one seed, on which every trained model is evaluated too."""
    output:
        result("data/seed{seed}_fresh.npz"),
    log:
        result("logs/fresh_sample/seed{seed}.log"),
    conda:
        "../envs/spiralbench.yaml"
    params:
        n_per_class=config["fresh_sample"]["n_per_class"],
    script:
        "../scripts/fresh_sample.py"
