"""Draw every figure of a results directory into ``figures/`` (rule ``figures``).

    python -m spiralbench.figures.draw --results-dir RESULTS --config CONFIG
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from spiralbench.config import load_config
from spiralbench.findings import settings as sweep
from spiralbench.io import write_json
from spiralbench.report.results import Results

from . import ABOUT_FILE, FIGURES_DIR, boundary_figure, comparison, cost, dataset, inspection, training
from .style import png_bytes


def charts(results: Results) -> dict:
    """Every figure of the report, by name, as a function that draws it."""
    seed = results.tutorial_seed
    pairs = sweep.ordered_pairs(results.inspection_pairs())
    drawn = {
        "dataset": lambda: dataset.dataset_split(results, seed),
        "splits": lambda: dataset.splits_across_seeds(results, sorted(set(results.seeds) | {seed})),
        "training": lambda: training.training_curves(
            results, sweep.reference_settings(results.table("runs"), results.config)),
        "sensitivity": lambda: training.accuracy_heatmaps(results),
        "run-accuracies": lambda: training.run_accuracies(results),
        "effects": lambda: comparison.effects_forest(results.table("effects"), results),
        "controlled": lambda: comparison.controlled_curves(results),
        "complexity": lambda: cost.complexity_bars(results),
        "speed": lambda: cost.speed_scaling(results),
    }
    for name, pair in pairs.items():
        drawn[boundary_figure(name)] = lambda name=name, pair=pair: inspection.decision_boundaries(results, name, pair)
    if pairs:  # the page's own network, when it is inspected, comes first
        drawn["neuron-maps"] = lambda: inspection.neuron_maps(results, next(iter(pairs)))
    return drawn


def draw_all(results: Results) -> dict[str, dict]:
    """Draw every figure into ``RESULTS/figures/{name}.png``; write and return what ``figures.json`` says."""
    drawn = charts(results)
    (results.dir / FIGURES_DIR).mkdir(parents=True, exist_ok=True)
    about = {}
    for name in sorted(drawn):
        chart = drawn[name]()
        alt = " ".join(chart.alt.split())
        if not alt:
            raise ValueError(f"figure {name} has no alternative text: the plot must say what it shows")
        png, width = png_bytes(chart.figure)
        (results.dir / FIGURES_DIR / f"{name}.png").write_bytes(png)
        about[name] = {"alt": alt, "sources": chart.sources, "width": width}
    write_json(results.dir / ABOUT_FILE, about)
    return about


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Draw the report's figures from a results directory.")
    parser.add_argument("--results-dir", type=Path, required=True)
    parser.add_argument("--config", type=Path, required=True, help="the config the results were made with")
    args = parser.parse_args(argv)
    about = draw_all(Results(args.results_dir, load_config(args.config)))
    print(f"{len(about)} figures drawn into {args.results_dir / FIGURES_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
