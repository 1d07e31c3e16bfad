rule train_neurogebra:
    """One run of the scratch network (pure Python, one thread)."""
    input:
        split=result("data/seed{seed}.npz"),
    output:
        **run_outputs("neurogebra"),
    log:
        result("logs/train/{group}/neurogebra/{setting}/seed{seed}.log"),
    params:
        run=run_params("neurogebra"),
    threads: 1
    resources:
        mem_mb=500,
        runtime=30,
    script:
        "../scripts/train.py"


rule train_pytorch:
    """One run of the PyTorch network, on exactly the declared threads."""
    input:
        split=result("data/seed{seed}.npz"),
    output:
        **run_outputs("pytorch"),
    log:
        result("logs/train/{group}/pytorch/{setting}/seed{seed}.log"),
    params:
        run=run_params("pytorch"),
    threads: config["pytorch_threads"]
    resources:
        mem_mb=1000,
        runtime=30,
    script:
        "../scripts/train.py"


rule controlled:
    """Both frameworks from the same initial weights, on the same batches, in float64."""
    input:
        split=result(f"data/seed{config['controlled']['seed']}.npz"),
    output:
        result("tables/controlled.csv"),
    log:
        result("logs/controlled.log"),
    threads: config["pytorch_threads"]
    resources:
        mem_mb=1000,
        runtime=30,
    script:
        "../scripts/controlled.py"


rule speed:
    """Seconds per epoch per framework and hidden width. It claims every core, so it runs alone."""
    input:
        split=result(f"data/seed{config['tutorial']['seed']}.npz"),
    output:
        result("timing/speed.csv"),
    log:
        result("logs/speed.log"),
    params:
        seed=config["tutorial"]["seed"],
    threads: speed_threads()
    resources:
        mem_mb=1000,
        runtime=30,
    script:
        "../scripts/speed.py"
