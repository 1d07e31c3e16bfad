"""Figures of what the networks learned: decision boundaries and first-layer neurons (sections 7 and 8)."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.patches import Patch

from spiralbench.frameworks import FRAMEWORKS
from spiralbench.report import wording
from spiralbench.report.results import Results, boundary_path, neuron_maps_path, split_path

from .dataset import class_handles, n_classes_of, scatter_classes
from .style import DIVERGED_COLOR, MAX_FIGURE_WIDTH, Chart, new_figure, region_colormap, styled


@styled
def decision_boundaries(results: Results, name: str, pair: dict) -> Chart:
    """Both frameworks' predicted class over the page's grid, test points on top, and where they disagree."""
    grid = results.boundary(name)
    split = results.split(pair["seed"])
    n_classes = n_classes_of(split["y_train"], split["y_test"], *(grid[f] for f in FRAMEWORKS))
    figure, axes = new_figure(MAX_FIGURE_WIDTH, 3.9, 1, 3, sharex=True, sharey=True)
    regions = region_colormap(n_classes)
    norm = BoundaryNorm(np.arange(-0.5, n_classes + 0.5), n_classes)
    for ax, framework in zip(axes[0], FRAMEWORKS):
        run = results.run(pair[framework])
        ax.pcolormesh(grid["xx"], grid["yy"], grid[framework], cmap=regions, norm=norm, shading="auto",
                      rasterized=True)
        scatter_classes(ax, split["X_test"], split["y_test"], n_classes, filled=False, size=20)
        ax.set_title(f"{wording.framework_name(framework)} ({wording.optimizer_name(run['optimizer'])}): test accuracy "
                     f"{wording.percent(run['test_accuracy'], 0)}", fontsize=10)
    disagree = (grid["neurogebra"] != grid["pytorch"]).astype(float)
    axes[0, 2].pcolormesh(grid["xx"], grid["yy"], disagree, cmap=ListedColormap(["#f7f7f7", "#333333"]),
                          vmin=0, vmax=1, shading="auto", rasterized=True)
    axes[0, 2].set_title(f"Disagreement: {wording.percent(disagree.mean())} of the grid", fontsize=10)
    for ax in axes[0]:
        ax.set_aspect("equal")
        ax.set_xlabel("x₁")
        ax.grid(False)
    axes[0, 0].set_ylabel("x₂")
    handles = class_handles(n_classes) + [Patch(facecolor="#333333", label="frameworks predict different classes")]
    figure.legend(handles=handles, loc="outside lower center", ncols=n_classes + 1, frameon=False)
    alt = (f"Three maps of the plane for seed {pair['seed']}: the class neurogebra predicts at each grid point, "
           "the class PyTorch predicts, both with the test points on top, and the grid points where the two "
           f"disagree ({wording.percent(disagree.mean())} of the grid).")
    return Chart(figure, [boundary_path(name), split_path(pair["seed"]), results.path_of("runs")], alt)




@styled
def neuron_maps(results: Results, name: str, columns: int = 8) -> Chart:
    """Every first-layer neuron's output over the page's grid, on one colour scale (dark = 0: inactive)."""
    arrays = results.neuron_maps(name)
    maps, xx, yy = arrays["maps"], arrays["xx"], arrays["yy"]
    n = maps.shape[0]
    columns = min(columns, n)
    rows = math.ceil(n / columns)
    panel = (MAX_FIGURE_WIDTH - 1.0) / columns
    figure, axes = new_figure(MAX_FIGURE_WIDTH, rows * panel + 0.6, rows, columns, sharex=True, sharey=True)
    top = float(np.nanmax(maps)) if np.nanmax(maps) > 0 else 1.0
    image = None
    for index, ax in enumerate(axes.flat):
        if index >= n:
            ax.set_visible(False)
            continue
        image = ax.pcolormesh(xx, yy, maps[index], cmap="viridis", vmin=0, vmax=top, shading="auto", rasterized=True)
        dead = not np.any(maps[index] > 0)
        ax.set_title(f"neuron {index + 1}" + (" (never active)" if dead else ""), fontsize=8.5,
                     color=DIVERGED_COLOR if dead else "black")
        ax.set_aspect("equal")
        ax.grid(False)
        ax.tick_params(labelsize=8)
    figure.colorbar(image, ax=axes, label="activation", shrink=0.9)
    alt = (f"{n} small heat maps, one per first-layer neuron, of its output over the plane on one colour scale: "
           "each is zero on one side of a straight line and grows on the other"
           + (f"; {sum(not np.any(m > 0) for m in maps)} are zero everywhere." if any(not np.any(m > 0) for m in maps) else "."))
    return Chart(figure, [neuron_maps_path(name)], alt)

