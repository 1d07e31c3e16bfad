"""The results contract: each result table's path in the results directory and its columns.

Defined here once, for the jobs that write the tables and the report that reads them. Some of those
jobs import neurogebra and PyTorch, which the report must not: so their columns are listed here.
"""
from __future__ import annotations

from spiralbench.collect import ENGINE_AGREEMENT_COLUMNS, EPOCHS_COLUMNS, RUNS_COLUMNS, SUMMARY_COLUMNS, TIMING_COLUMNS
from spiralbench.effects import EFFECTS_COLUMNS

# The implementations the controlled comparison trains from the same weights and batches, and the
# hand-written numpy floor the speed job times beside them.
CONTROLLED_IMPLEMENTATIONS = ("scalar", "tensor", "torch")
FLOOR = "numpy"
CONTROLLED_COLUMNS = ["epoch", *(f"{name}_loss" for name in CONTROLLED_IMPLEMENTATIONS), "abs_diff",
                      *(f"{name}_accuracy" for name in CONTROLLED_IMPLEMENTATIONS)]
SPEED_COLUMNS = ["implementation", "precision", "hidden_width", "repeat", "seconds_per_epoch", "samples_per_second",
                 "epochs_per_sample", "stable"]
# Read, a speed table needs only the first six: one written before the instrument's columns is judged
# stable or not from its spread (``findings.speed.cell_stability``).
SPEED_REQUIRED_COLUMNS = SPEED_COLUMNS[:6]
COMPLEXITY_COLUMNS = ["component", "neurogebra_lines", "pytorch_lines", "page_neurogebra_lines", "page_pytorch_lines",
                      "neurogebra_source", "pytorch_source"]
SOFTMAX_COLUMNS = ["framework", "class", "score", "probability", "loss"]
MATHFORGE_COLUMNS = ["expression", "symbolic", "gradient", "x", "value", "gradient_value", "engine_value",
                     "engine_gradient_value", "symbolic_latex", "gradient_latex"]
LAYER_STATS_COLUMNS = ["framework", "run_id", "layer", "n_neurons", "weight_mean", "weight_std", "weight_min",
                       "weight_max", "bias_mean", "bias_std"]
AGREEMENT_COLUMNS = ["name", "seed", "agreement", "n_grid_points", "neurogebra_run_id", "pytorch_run_id"]
VERDICTS_COLUMNS = ["verdict", "value"]

# Table name -> (path in the results directory, columns).
TABLES = {
    "runs": ("tables/runs.csv", RUNS_COLUMNS),
    "epochs": ("tables/epochs.csv", EPOCHS_COLUMNS),
    "summary": ("tables/summary.csv", SUMMARY_COLUMNS),
    "effects": ("tables/effects.csv", EFFECTS_COLUMNS),
    "engine_agreement": ("tables/engine_agreement.csv", ENGINE_AGREEMENT_COLUMNS),
    "controlled": ("tables/controlled.csv", CONTROLLED_COLUMNS),
    "run_timing": ("timing/runs.csv", TIMING_COLUMNS),
    "speed": ("timing/speed.csv", SPEED_REQUIRED_COLUMNS),
    "complexity": ("tables/complexity.csv", COMPLEXITY_COLUMNS),
    "verdicts": ("tables/verdicts.csv", VERDICTS_COLUMNS),
    "boundary_agreement": ("tables/boundary_agreement.csv", AGREEMENT_COLUMNS),
    "softmax_demo": ("tables/softmax_demo.csv", SOFTMAX_COLUMNS),
    "mathforge": ("tables/mathforge.csv", MATHFORGE_COLUMNS),
    "layer_stats": ("tables/layer_stats.csv", LAYER_STATS_COLUMNS),
}
