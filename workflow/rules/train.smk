# One job trains every seed of a setting, in each initialisation and precision (common.smk says why).
for group, (seeds, group_frameworks) in run_groups().items():
    for framework in group_frameworks:

        rule:
            name:
                f"train_{group}_{framework}"
            input:
                **job_inputs(seeds),
            output:
                **job_outputs(group, framework),
            log:
                train_log(group, framework),
            # Longest first, so that no long job starts last while the other cores wait: the engine
            # check (the scalar engine's runs, a third of the training), then PyTorch's (about twice
            # the tensor engine's time a run), then the tensor engine's.
            priority: 2 if group == "engine_check" else int(framework == "pytorch")
            conda:
                "../envs/spiralbench.yaml"
            # neurogebra runs on one thread (numpy's BLAS is pinned to one in the job). PyTorch gets
            # exactly the configured threads.
            threads: 1 if framework == "neurogebra" else config["pytorch_threads"]
            resources:
                mem_mb=500 if framework == "neurogebra" else 1000,
                runtime=30,
            params:
                runs=job_runs(group, framework, seeds),
            script:
                "../scripts/train.py"


rule controlled:
    """neurogebra's scalar and tensor engines and PyTorch from the same weights, on the same batches, in float64."""
    input:
        split=result(f"data/seed{config['controlled']['seed']}.npz"),
    output:
        report(
            result("tables/controlled.csv"),
            caption="../report/controlled.rst",
            category="Tables",
            subcategory="Controlled comparison",
            labels={"table": "controlled", "rows": "one per epoch"},
        ),
    log:
        result("logs/controlled.log"),
    conda:
        "../envs/spiralbench.yaml"
    threads: config["pytorch_threads"]
    resources:
        mem_mb=1000,
        runtime=30,
    script:
        "../scripts/controlled.py"


rule speed:
    """Seconds per epoch per implementation, precision and hidden width. It claims every core, so it runs alone."""
    input:
        split=result(f"data/seed{config['tutorial']['seed']}.npz"),
    output:
        speed=report(
            result("timing/speed.csv"),
            caption="../report/speed.rst",
            category="Timing",
            labels={"table": "speed", "rows": "one per measurement"},
        ),
        # Not the jobs' platform: the speed job runs without the numeric pins.
        platform=result("timing/speed_platform.json"),
    log:
        result("logs/speed.log"),
    conda:
        "../envs/spiralbench.yaml"
    threads: speed_threads()
    resources:
        mem_mb=1000,
        runtime=30,
    params:
        seed=config["tutorial"]["seed"],
    script:
        "../scripts/speed.py"
