"""Figures of the data: the tutorial seed's split, and every seed's (section 1)."""

from __future__ import annotations

import math

from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from spiralbench.findings import lesson
from spiralbench.report.results import Results, split_path

from .style import CLASS_COLORS, MAX_FIGURE_WIDTH, Chart, new_figure, styled


def scatter_classes(ax, X, y, n_classes, filled=True, size=22):
    """Points coloured by class: filled (training points) or ringed in black (test points)."""
    style = {"alpha": 0.85, "linewidths": 0} if filled else {"edgecolors": "black", "linewidths": 0.8}
    for k in range(n_classes):
        ax.scatter(X[y == k, 0], X[y == k, 1], s=size, color=CLASS_COLORS[k], label=f"class {k}", **style)


def n_classes_of(*labels) -> int:
    """The number of classes in label arrays (the largest label + 1)."""
    return int(max(array.max() for array in labels)) + 1


def class_handles(n_classes: int) -> list[Patch]:
    return [Patch(color=CLASS_COLORS[k], label=f"class {k}") for k in range(n_classes)]


@styled
def dataset_split(results: Results, seed: int) -> Chart:
    """The training points (filled) and test points (black ring) of one seed's split."""
    split = results.split(seed)
    n_classes = n_classes_of(split["y_train"], split["y_test"])
    figure, axes = new_figure(6.4, 5.6)
    ax = axes[0, 0]
    scatter_classes(ax, split["X_train"], split["y_train"], n_classes, filled=True)
    scatter_classes(ax, split["X_test"], split["y_test"], n_classes, filled=False, size=30)
    ax.set_aspect("equal")
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    ax.set_title(f"Seed {seed}: {len(split['y_train'])} training, {len(split['y_test'])} test points")
    handles = class_handles(n_classes) + [
        Line2D([], [], marker="o", linestyle="", color="grey", markersize=6, label="training point"),
        Line2D([], [], marker="o", linestyle="", markerfacecolor="grey", markeredgecolor="black", markersize=6,
               label="test point"),
    ]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False)
    alt = (f"Scatter plot of seed {seed}'s split: {n_classes} interleaved spiral arms, one colour per class, "
           f"{len(split['y_train'])} training points filled and {len(split['y_test'])} test points ringed in black.")
    return Chart(figure, [split_path(seed)], alt)


@styled
def splits_across_seeds(results: Results, seeds: list[int]) -> Chart:
    """Three seeds' points that stand for all ``seeds`` (``findings.lesson.representative_seeds``: the worst, the
    median and the best by mean test accuracy), test points ringed: the spirals' noise and the split both
    change with the seed."""
    chosen = lesson.representative_seeds(results.table("runs"), seeds)
    columns = len(chosen)
    panel = min(3.2, (MAX_FIGURE_WIDTH - 0.4) / columns)
    figure, axes = new_figure(panel * columns, panel + 0.7, 1, columns, sharex=True, sharey=True)
    n_classes = n_classes_of(*(results.split(c["seed"])[key] for c in chosen for key in ("y_train", "y_test")))
    for ax, pick in zip(axes.flat, chosen):
        split = results.split(pick["seed"])
        scatter_classes(ax, split["X_train"], split["y_train"], n_classes, filled=True, size=8)
        scatter_classes(ax, split["X_test"], split["y_test"], n_classes, filled=False, size=14)
        title = f"seed {pick['seed']}"
        if pick["role"]:
            title = f"{pick['role']}: {title}"
        if not math.isnan(pick["accuracy"]):
            title += f"\nmean test accuracy {pick['accuracy']:.0%}"
        ax.set_title(title, fontsize=10)
        ax.set_aspect("equal")
        ax.tick_params(labelsize=8)
    figure.legend(handles=class_handles(n_classes), loc="outside lower center", ncols=n_classes, frameon=False)
    shown = ", ".join(f"{pick['role'] + ' ' if pick['role'] else ''}seed {pick['seed']}" for pick in chosen)
    alt = (f"{len(chosen)} scatter plots of {len(seeds)} seeds' splits ({shown}), each showing the {n_classes} spiral "
           "arms; the noise on the arms and which points are held out for testing differ by seed.")
    return Chart(figure, [split_path(pick["seed"]) for pick in chosen] + [results.path_of("runs")], alt)
