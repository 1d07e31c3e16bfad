# What the report draws from trained runs (decision boundaries, neuron maps, layer statistics, the
# paired effects of framework and initialisation), the page's worked examples (softmax demo,
# MathForge), and the code complexity table.
import re
from pathlib import Path

from spiralbench import complexity as spiral_complexity

INSPECTION = spiral_config.inspection_pairs(config)
# The library code the demo tables show: a change in it rebuilds them. Located without importing it.
DEMO_SOURCES = [
    str(spiral_complexity.module_path(module))
    for module in (
        "neurogebra.losses",
        "neurogebra.core.autograd",
        "neurogebra.core.forge",
        "neurogebra.core.expressions",
    )
]
INSPECTED_RUNS = sorted(
    {INSPECTION[name][fw] for name in INSPECTION for fw in ("neurogebra", "pytorch")}
)

ANALYSIS_TARGETS = (
    [
        result(f"tables/{name}.csv")
        for name in ("complexity", "softmax_demo", "mathforge")
    ]
    + [
        result("tables/effects.csv"),
        result("tables/verdicts.csv"),
        result("timing/findings.csv"),
    ]
    + [result("tables/complexity_rule.txt")]
    + (
        [result("tables/boundary_agreement.csv"), result("tables/layer_stats.csv")]
        if INSPECTION
        else []
    )
    + expand(
        result("inspection/{name}/{array}.npz"),
        name=sorted(INSPECTION),
        array=["boundary", "neuron_maps"],
    )
)


# The code the verdicts and the timing findings are computed by: a change to it recomputes them.
FINDINGS_CODE = sorted(
    str(path.relative_to(workflow.basedir))
    for path in Path(workflow.basedir, "workflow/spiralbench/findings").glob("*.py")
)


wildcard_constraints:
    name="|".join(re.escape(name) for name in INSPECTION) or "(?!)",


rule effects:
    """Paired effects of the framework and of the initialisation, per setting and pooled, with Holm."""
    input:
        result("tables/runs.csv"),
    output:
        report(
            result("tables/effects.csv"),
            caption="../report/effects.rst",
            category="Tables",
            subcategory="Paired effects",
            labels={"table": "effects", "rows": "one per effect, scope and level"},
        ),
    log:
        result("logs/effects.log"),
    conda:
        "../envs/spiralbench.yaml"
    script:
        "../scripts/analyse_effects.py"


rule verdicts:
    """The report's conclusions as data, which a rerun elsewhere is compared on."""
    input:
        runs=result("tables/runs.csv"),
        effects=result("tables/effects.csv"),
        controlled=result("tables/controlled.csv"),
        complexity=result("tables/complexity.csv"),
        code=FINDINGS_CODE,
    output:
        report(
            result("tables/verdicts.csv"),
            caption="../report/verdicts.rst",
            category="Tables",
            subcategory="Paired effects",
            labels={"table": "verdicts", "rows": "one per conclusion of the report"},
        ),
    log:
        result("logs/verdicts.log"),
    conda:
        "../envs/spiralbench.yaml"
    script:
        "../scripts/analyse_verdicts.py"


rule timing_findings:
    """Every speed number and speed verdict the report states, beside the timings (not in the manifest)."""
    input:
        speed=result("timing/speed.csv"),
        run_timing=result("timing/runs.csv"),
        code=FINDINGS_CODE,
    output:
        result("timing/findings.csv"),
    log:
        result("logs/timing_findings.log"),
    conda:
        "../envs/spiralbench.yaml"
    script:
        "../scripts/analyse_timing_findings.py"


rule inspect:
    """Both networks of a pair on the page's Step 7 grid, and their first layers on its Step 8 grid."""
    input:
        split=lambda w: result(f"data/seed{INSPECTION[w.name]['seed']}.npz"),
        neurogebra_runs=lambda w: job_table(
            INSPECTION[w.name]["neurogebra"], "runs.parquet"
        ),
        pytorch_runs=lambda w: job_table(INSPECTION[w.name]["pytorch"], "runs.parquet"),
    output:
        boundary=result("inspection/{name}/boundary.npz"),
        neuron_maps=result("inspection/{name}/neuron_maps.npz"),
    log:
        result("logs/inspection/{name}.log"),
    conda:
        "../envs/spiralbench.yaml"
    threads: 1
    params:
        run_ids=lambda w: {
            fw: INSPECTION[w.name][fw] for fw in ("neurogebra", "pytorch")
        },
    script:
        "../scripts/analyse_inspect.py"


rule boundary_agreement:
    """Share of grid points where the two networks of each pair predict the same class."""
    input:
        expand(result("inspection/{name}/boundary.npz"), name=sorted(INSPECTION)),
    output:
        result("tables/boundary_agreement.csv"),
    log:
        result("logs/boundary_agreement.log"),
    conda:
        "../envs/spiralbench.yaml"
    params:
        pairs=INSPECTION,
    script:
        "../scripts/analyse_agreement.py"


rule layer_stats:
    """Per-layer weight and bias statistics of every inspected run, as the page's Step 8 prints them."""
    input:
        run_targets("runs.parquet", INSPECTED_RUNS),
    output:
        result("tables/layer_stats.csv"),
    log:
        result("logs/layer_stats.log"),
    conda:
        "../envs/spiralbench.yaml"
    params:
        runs={run_id: job_table(run_id, "runs.parquet") for run_id in INSPECTED_RUNS},
    script:
        "../scripts/analyse_layer_stats.py"


rule complexity:
    """Lines per component of both implementations, counted from their source."""
    input:
        [str(path) for path in spiral_complexity.source_files()],
    output:
        table=result("tables/complexity.csv"),
        rule=result("tables/complexity_rule.txt"),
    log:
        result("logs/complexity.log"),
    conda:
        "../envs/spiralbench.yaml"
    script:
        "../scripts/analyse_complexity.py"


rule softmax_demo:
    """The page's softmax + cross-entropy demo, computed by both frameworks."""
    input:
        DEMO_SOURCES,
    output:
        result("tables/softmax_demo.csv"),
    log:
        result("logs/softmax_demo.log"),
    conda:
        "../envs/spiralbench.yaml"
    script:
        "../scripts/analyse_softmax_demo.py"


rule mathforge_table:
    """MathForge's activations, their gradients and values, next to the autograd engine's."""
    input:
        DEMO_SOURCES,
    output:
        result("tables/mathforge.csv"),
    log:
        result("logs/mathforge.log"),
    conda:
        "../envs/spiralbench.yaml"
    script:
        "../scripts/analyse_mathforge.py"
