"""The report's figures, each drawn from result files only and returned with their names.

Every function returns a :class:`~spiralbench.report.document.Chart`: the figure
and the contract paths it read, which become the figure's caption source.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import offset_copy

from spiralbench.config import FRAMEWORKS
from spiralbench.effects import OK, SETTING_COLUMNS
from spiralbench.findings import settings as sweep, speed as sp

from . import wording
from .document import Chart
from .results import Results, boundary_path, neuron_maps_path, split_path
from .style import (
    CLASS_COLORS,
    DIVERGED_COLOR,
    FRAMEWORK_COLORS,
    MAX_FIGURE_WIDTH,
    new_figure,
    region_colormap,
    styled,
)



# ---------------------------------------------------------------- 1. dataset


def _scatter_classes(ax, X, y, n_classes, filled=True, size=22):
    """Points coloured by class: filled (training points) or ringed in black (test points)."""
    style = {"alpha": 0.85, "linewidths": 0} if filled else {"edgecolors": "black", "linewidths": 0.8}
    for k in range(n_classes):
        ax.scatter(X[y == k, 0], X[y == k, 1], s=size, color=CLASS_COLORS[k], label=f"class {k}", **style)


def _n_classes(*labels) -> int:
    """The number of classes in label arrays (the largest label + 1)."""
    return int(max(array.max() for array in labels)) + 1


def _class_handles(n_classes: int) -> list[Patch]:
    return [Patch(color=CLASS_COLORS[k], label=f"class {k}") for k in range(n_classes)]


@styled
def dataset_split(results: Results, seed: int) -> Chart:
    """The training points (filled) and test points (black ring) of one seed's split."""
    split = results.split(seed)
    n_classes = _n_classes(split["y_train"], split["y_test"])
    figure, axes = new_figure(6.4, 5.6)
    ax = axes[0, 0]
    _scatter_classes(ax, split["X_train"], split["y_train"], n_classes, filled=True)
    _scatter_classes(ax, split["X_test"], split["y_test"], n_classes, filled=False, size=30)
    ax.set_aspect("equal")
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    ax.set_title(f"Seed {seed}: {len(split['y_train'])} training, {len(split['y_test'])} test points")
    handles = _class_handles(n_classes) + [
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
    """Each seed's points, test points ringed: the spirals' noise and the split both change with the seed."""
    columns = min(len(seeds), 4)
    rows = math.ceil(len(seeds) / columns)
    panel = min(2.6, (MAX_FIGURE_WIDTH - 0.4) / columns)
    figure, axes = new_figure(panel * columns, panel * rows + 0.5, rows, columns, sharex=True, sharey=True)
    n_classes = _n_classes(*(results.split(seed)[key] for seed in seeds for key in ("y_train", "y_test")))
    for ax, seed in zip(axes.flat, seeds):
        split = results.split(seed)
        _scatter_classes(ax, split["X_train"], split["y_train"], n_classes, filled=True, size=8)
        _scatter_classes(ax, split["X_test"], split["y_test"], n_classes, filled=False, size=14)
        ax.set_title(f"seed {seed}")
        ax.set_aspect("equal")
        ax.tick_params(labelsize=8)
    for ax in axes.flat[len(seeds):]:
        ax.set_visible(False)
    figure.legend(handles=_class_handles(n_classes), loc="outside lower center", ncols=n_classes, frameon=False)
    alt = (f"{len(seeds)} small scatter plots, one per seed ({', '.join(map(str, seeds))}), each showing the "
           f"{n_classes} spiral arms; the noise on the arms and which points are held out for testing differ by seed.")
    return Chart(figure, [split_path(seed) for seed in seeds], alt)


# ---------------------------------------------------------------- 4. training


PAGE_RUN_STYLE = {"linestyle": "--", "linewidth": 1.3}  # the tutorial's own runs, over the sweep's bands


def _band(ax, table: pd.DataFrame, column: str, color: str):
    """Mean over seeds with a ±1 standard deviation band."""
    by_epoch = table.groupby("epoch")[column]
    mean, std = by_epoch.mean(), by_epoch.std(ddof=1).fillna(0.0)
    ax.plot(mean.index, mean.values, color=color, linewidth=2)
    ax.fill_between(mean.index, (mean - std).values, (mean + std).values, color=color, alpha=0.2, linewidth=0)


@styled
def training_curves(results: Results, reference: dict[str, str]) -> Chart:
    """Loss and accuracy per epoch, per optimizer (columns), both frameworks, mean ± std over seeds.

    The tutorial's own runs are drawn dashed in the column of the optimizer the page gives them.
    Runs that diverged are left out of the band and counted in the legend.
    """
    epochs = results.table("epochs")
    runs = results.table("runs")
    optimizers = [o for o in ("sgd", "adam") if o in reference] + sorted(set(reference) - {"sgd", "adam"})
    figure, axes = new_figure(min(MAX_FIGURE_WIDTH, 4.4 * len(optimizers) + 2.0), 6.2, 2, len(optimizers),
                              sharex="col")
    diverged_runs = set(runs.loc[runs["status"] != OK, "run_id"])
    tutorial = runs[runs["group"] == "tutorial"]
    handles = {}
    for column, optimizer in enumerate(optimizers):
        setting = reference[optimizer]
        for framework in FRAMEWORKS:
            color = FRAMEWORK_COLORS[framework]
            chosen = epochs[(epochs["group"] == "sweep") & (epochs["setting"] == setting) & (epochs["framework"] == framework)]
            kept = chosen[~chosen["run_id"].isin(diverged_runs)]
            n_diverged = len(set(chosen["run_id"]) & diverged_runs)
            label = (f"{wording.framework_name(framework)}, mean ± std of {kept['run_id'].nunique()} seeds"
                     + (f" ({n_diverged} diverged, not shown)" if n_diverged else ""))
            page_runs = tutorial.loc[(tutorial["framework"] == framework) & (tutorial["optimizer"] == optimizer), "run_id"]
            for row, metric in enumerate(("loss", "accuracy")):
                if len(kept):
                    _band(axes[row, column], kept, metric, color)
                for run_id in page_runs:
                    history = epochs[epochs["run_id"] == run_id]
                    axes[row, column].plot(history["epoch"], history[metric], color=color, **PAGE_RUN_STYLE)
            handles.setdefault(f"{framework}-{column}", Line2D([], [], color=color, linewidth=2, label=label))
            if len(page_runs):
                handles.setdefault(f"page-{framework}", Line2D([], [], color=color, **PAGE_RUN_STYLE, label=(
                    f"the page's {wording.framework_name(framework)} run "
                    f"({wording.optimizer_name(optimizer)}, seed {results.tutorial_seed})")))
        title = _with_precision(wording.setting_labels(runs, always=("optimizer", "learning_rate", "batch_size")),
                                runs)[setting]
        axes[0, column].set_title(title, fontsize=10)
        axes[0, column].set_ylabel("training loss (sum of batch means)")
        axes[1, column].set_ylabel("training accuracy")
        axes[1, column].set_xlabel("epoch")
        axes[1, column].set_ylim(0, 1.02)
        axes[1, column].xaxis.set_major_locator(MaxNLocator(integer=True))
    figure.legend(handles=_unique_labels(handles.values()), loc="outside lower center", ncols=2, frameon=False)
    alt = (f"Line charts in {len(optimizers)} column(s), one per optimizer ({', '.join(map(wording.optimizer_name, optimizers))}): "
           "training loss (top) and training accuracy (bottom) per epoch, neurogebra in orange and PyTorch in blue, "
           "each a mean line with a shaded band of one standard deviation over seeds; the page's own two runs dashed.")
    return Chart(figure, [results.path_of("epochs"), results.path_of("runs")], alt)


def _with_precision(labels: dict[str, str], runs: pd.DataFrame) -> dict[str, str]:
    """Each setting's label with its precision, a factor of every comparison: 'Adam, lr 0.01, float32'."""
    precision = runs.drop_duplicates("setting").set_index("setting")["precision"]
    return {setting: f"{label}, {precision[setting]}" if setting in precision and precision[setting] not in label
            else label for setting, label in labels.items()}


def _unique_labels(handles):
    seen, unique = set(), []
    for handle in handles:
        if handle.get_label() not in seen:
            seen.add(handle.get_label())
            unique.append(handle)
    return unique


# ---------------------------------------------------------------- 5. evaluation


@styled
def accuracy_heatmaps(results: Results) -> Chart:
    """Mean test accuracy over seeds for every learning rate × batch size and init, per framework (rows) and
    optimizer (columns). A cell where runs diverged says how many; a cell where all did is hatched."""
    summary = results.table("summary")
    sweep = summary[summary["group"] == "sweep"]
    optimizers = sorted(sweep["optimizer"].unique(), key=lambda o: (o != "sgd", o))
    learning_rates = sorted(sweep["learning_rate"].unique())
    # Columns: every batch size × initialisation scheme × precision of the sweep (each its own cell: none
    # is drawn over another).
    batch_sizes = sorted(set(zip(sweep["batch_size"], sweep["init"], sweep["precision"])))
    width = min(MAX_FIGURE_WIDTH, 1.6 + len(optimizers) * (1.2 + 1.15 * len(batch_sizes)))
    notes_fontsize = 9 if width / max(1, len(optimizers) * len(batch_sizes)) > 0.75 else 7.5
    height = 1.3 + len(FRAMEWORKS) * (0.8 + 0.5 * len(learning_rates))
    figure, axes = new_figure(width, height, len(FRAMEWORKS), len(optimizers), sharex=True, sharey=True)
    cmap = _accuracy_colormap()
    # The colour scale spans the accuracies found (from a round tenth below the lowest), so that close
    # settings can be told apart; a cell's number is always printed on it.
    means = sweep["test_accuracy_mean"][np.isfinite(sweep["test_accuracy_mean"])]
    low = max(0.0, math.floor(10 * means.min()) / 10 - 0.1) if len(means) else 0.0
    image = None
    for row, framework in enumerate(FRAMEWORKS):
        for column, optimizer in enumerate(optimizers):
            ax = axes[row, column]
            cells = sweep[(sweep["framework"] == framework) & (sweep["optimizer"] == optimizer)]
            grid = np.full((len(learning_rates), len(batch_sizes)), np.nan)
            for cell in cells.itertuples():
                i, j = learning_rates.index(cell.learning_rate), batch_sizes.index((cell.batch_size, cell.init, cell.precision))
                grid[i, j] = cell.test_accuracy_mean
                _note_cell(ax, j, i, cell, low, notes_fontsize)
            image = ax.imshow(grid, cmap=cmap, vmin=low, vmax=1, aspect="auto")
            ax.set_xticks(range(len(batch_sizes)), [f"{batch}\n{init}\n{precision}" for batch, init, precision in batch_sizes])
            ax.set_yticks(range(len(learning_rates)), [f"{lr:g}" for lr in learning_rates])
            ax.grid(False)
            ax.set_title(f"{wording.framework_name(framework)}, {wording.optimizer_name(optimizer)}")
            if row == len(FRAMEWORKS) - 1:
                ax.set_xlabel("batch size, initialisation, precision")
            if column == 0:
                ax.set_ylabel("learning rate")
    figure.colorbar(image, ax=axes, label="mean test accuracy", shrink=0.8)
    alt = (f"Heat maps of mean test accuracy, one per framework and optimizer, learning rate down the side "
           f"({', '.join(f'{lr:g}' for lr in learning_rates)}) and batch size, initialisation and precision across; "
           "each cell prints its accuracy, and how many runs diverged where some did.")
    return Chart(figure, [results.path_of("summary")], alt)


def _accuracy_colormap():
    cmap = colormaps["viridis"].copy()
    cmap.set_bad("#f2f2f2")
    return cmap


def _note_cell(ax, x, y, cell, low: float, fontsize: float) -> None:
    """A heat-map cell's accuracy and how many runs diverged; 'all diverged' on a hatched cell where all did.
    The accuracy is white on the dark end of the colour scale (from ``low``), black on the light end."""
    accuracy = cell.test_accuracy_mean
    if not np.isfinite(accuracy):
        ax.text(x, y, "all\ndiverged", ha="center", va="center", fontsize=fontsize, color=DIVERGED_COLOR,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 2})
        ax.add_patch(Rectangle((x - 0.5, y - 0.5), 1, 1, fill=False, hatch="///", edgecolor=DIVERGED_COLOR, linewidth=0))
        return
    note = f"{accuracy:.0%}" + (f"\n{cell.n_diverged}/{cell.n_runs} diverged" if cell.n_diverged else "")
    dark = (accuracy - low) / (1 - low) < 0.55
    ax.text(x, y, note, ha="center", va="center", fontsize=fontsize, color="white" if dark else "black")


@styled
def run_accuracies(results: Results) -> Chart:
    """Test accuracy of every sweep run (one dot per seed), per setting and framework; diverged runs as ×."""
    runs = results.runs("sweep")
    settings = list(sweep.sweep_settings(runs)["setting"])
    names = _with_precision(wording.setting_labels(runs), runs)
    finite = runs["test_accuracy"][np.isfinite(runs["test_accuracy"])]
    left = max(0.0, math.floor(10 * finite.min()) / 10 - 0.05) if len(finite) else 0.0
    figure, axes = new_figure(8.4, 1.5 + 0.36 * len(settings))
    ax = axes[0, 0]
    offsets = {"neurogebra": -0.17, "pytorch": 0.17}
    any_diverged = False
    for framework in FRAMEWORKS:
        mine = runs[runs["framework"] == framework]
        for position, setting in enumerate(settings):
            same = mine[mine["setting"] == setting]
            ok = same[same["status"] == OK]
            bad = same[same["status"] != OK]
            y = position + offsets[framework]
            ax.scatter(ok["test_accuracy"], np.full(len(ok), y), s=26, color=FRAMEWORK_COLORS[framework],
                       alpha=0.8, linewidths=0)
            if len(ok):
                ax.plot([ok["test_accuracy"].mean()] * 2, [y - 0.14, y + 0.14], color=FRAMEWORK_COLORS[framework],
                        linewidth=2.2)
            if len(bad):
                any_diverged = True
                ax.scatter(bad["test_accuracy"].fillna(left), np.full(len(bad), y), marker="x", s=44,
                           color=DIVERGED_COLOR, linewidths=1.6, clip_on=False)
    ax.set_yticks(range(len(settings)), [names[s] for s in settings])
    ax.set_ylim(len(settings) - 0.5, -0.5)
    ax.set_xlim(left, 1.0 + 0.01)
    ax.set_xlabel("test accuracy")
    ax.grid(axis="y", alpha=0)
    handles = [Line2D([], [], marker="o", linestyle="", color=FRAMEWORK_COLORS[f], label=f"{wording.framework_name(f)} run")
               for f in FRAMEWORKS]
    handles.append(Line2D([], [], color="grey", linewidth=2.2, label="mean of the runs that did not diverge"))
    if any_diverged:
        handles.append(Line2D([], [], marker="x", linestyle="", color=DIVERGED_COLOR, markersize=7,
                              label="diverged run (at its test accuracy; at the left edge if it has none)"))
    figure.legend(handles=handles, loc="outside lower center", ncols=2, frameon=False)
    alt = (f"Dot plot of every sweep run's test accuracy: one row per setting ({len(settings)} rows), neurogebra's "
           "runs in orange and PyTorch's in blue, one dot per seed and a bar at each setting's mean"
           + ("; diverged runs as red crosses." if any_diverged else "."))
    return Chart(figure, [results.path_of("runs")], alt)


# ---------------------------------------------------------------- 6. fair comparison


# The levels an effect is measured within, told apart by colour (Okabe-Ito, as elsewhere).
LEVEL_COLORS = ["#009E73", "#CC79A7", "#E69F00", "#56B4E9"]
EFFECT_PANELS = {  # effect -> panel title
    "framework": "neurogebra − PyTorch\nsame initialisation and precision",
    "init": "page − torch-default init\nsame framework and precision",
    "precision": "float32 − float64\nsame framework and initialisation",
}


@styled
def effects_forest(effects: pd.DataFrame, results: Results) -> Chart:
    """Forest plot: one panel per effect (framework, initialisation, precision), one colour per levels held fixed.

    One row per setting and a first row pooled over the settings; the t 95% interval as a line, the
    mean as a dot, filled when significant after Holm's correction within its family.
    """
    settings = effects.loc[effects["scope"] == "setting", SETTING_COLUMNS].drop_duplicates()
    settings = settings.sort_values(SETTING_COLUMNS, kind="mergesort")
    varying = wording.varying_columns(settings)
    labels = ["all settings (pooled per seed)"] + [wording.setting_label(r, varying) for _, r in settings.iterrows()]
    keys = [None] + [tuple(r) for r in settings.itertuples(index=False)]
    panels = [effect for effect in EFFECT_PANELS if (effects["effect"] == effect).any()]
    figure, axes = new_figure(MAX_FIGURE_WIDTH, 3.2 + 0.3 * len(labels), 1, max(len(panels), 1), sharey=True)
    span = 1.0
    for ax, effect in zip(axes[0], panels):
        mine = effects[effects["effect"] == effect]
        levels = sorted(mine["within"].unique())
        colors = dict(zip(levels, LEVEL_COLORS))
        for offset, level in zip(np.linspace(-0.16, 0.16, max(len(levels), 1)), levels):
            rows = mine[mine["within"] == level]
            for y, key in enumerate(keys):
                row = rows[rows["scope"] == "pooled"] if key is None else rows[
                    (rows["scope"] == "setting") & _matches(rows, key)]
                if row.empty:
                    continue
                row = row.iloc[0]
                mean, low, high = 100 * row["mean"], 100 * row["t_low"], 100 * row["t_high"]
                if np.isfinite(low) and np.isfinite(high):
                    ax.plot([low, high], [y + offset] * 2, color=colors[level], linewidth=2.4 if key is None else 1.4)
                    span = max(span, abs(low), abs(high))
                if np.isfinite(mean):
                    ax.plot(mean, y + offset, "D" if key is None else "o", color=colors[level],
                            markerfacecolor=colors[level] if row["significant"] else "white",
                            markersize=7 if key is None else 5)
                    span = max(span, abs(mean))
        ax.axvline(0, color="black", linewidth=1)
        ax.axhline(0.5, color="#999999", linewidth=0.8)
        ax.set_title(EFFECT_PANELS[effect])
        ax.set_xlabel("difference (percentage points)")
        ax.grid(axis="y", alpha=0)
        ax.legend(handles=[Line2D([], [], color=colors[level], marker="o", label=wording.where(effect, level))
                           for level in levels], loc="upper center",
                  # Below the axis label whatever the figure's height: anchored in points, not axes fractions.
                  bbox_to_anchor=(0.5, 0), bbox_transform=offset_copy(ax.transAxes, fig=figure, y=-40, units="points"),
                  frameon=False, fontsize="small")
    span = min(span, 100.0)  # no difference of two accuracies is larger; wider intervals run off the edge
    for ax in axes[0]:
        ax.set_xlim(-1.1 * span, 1.1 * span)
    axes[0, 0].set_yticks(range(len(labels)), labels)
    axes[0, 0].set_ylim(len(labels) - 0.5, -0.5)
    figure.legend(handles=[Line2D([], [], color="grey", marker="o", markerfacecolor="white", linestyle="",
                                  label="open marker: not significant after Holm")],
                  loc="outside upper right", frameon=False)
    alt = (f"Forest plot in {len(panels)} panel(s), one per effect ({', '.join(panels)}): for each setting and, "
           "on the top row, pooled over the settings, the mean paired difference in test accuracy in percentage "
           "points with its 95% interval, one colour per level held fixed; a vertical line marks no difference, "
           "and filled markers are significant after Holm's correction.")
    return Chart(figure, [results.path_of("effects")], alt)


def _matches(rows: pd.DataFrame, key: tuple) -> pd.Series:
    mask = pd.Series(True, index=rows.index)
    for column, value in zip(SETTING_COLUMNS, key):
        mask &= np.isclose(rows[column].astype(float), value) if column == "learning_rate" else rows[column] == value
    return mask


@styled
def controlled_curves(results: Results) -> Chart:
    """Same initial weights, same batches, float64: the three loss curves, and their largest difference (log scale)."""
    controlled = results.table("controlled")
    figure, axes = new_figure(MAX_FIGURE_WIDTH, 3.8, 1, 2)
    left, right = axes[0]
    for name, style in (("scalar", dict(linewidth=5, alpha=0.35)), ("tensor", dict(linewidth=2.5, alpha=0.7)),
                        ("torch", dict(linewidth=1.2, linestyle="--"))):
        left.plot(controlled["epoch"], controlled[f"{name}_loss"], color=IMPLEMENTATION_COLORS[name],
                  label=wording.IMPLEMENTATION_NAMES[name], **style)
    for ax in (left, right):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    left.set_xlabel("epoch")
    left.set_ylabel("training loss")
    left.set_title("Loss per epoch (the curves lie on each other)")
    differences = controlled["abs_diff"].to_numpy(dtype=float)
    # A log scale has no zero: epochs where the losses are exactly equal are drawn on a floor below the rest.
    positive = differences[differences > 0]
    floor = min(1e-17, positive.min() / 10) if len(positive) else 1e-17
    right.semilogy(controlled["epoch"], np.maximum(differences, floor), marker="o", markersize=3, color="#333333",
                   label="largest difference of the losses")
    equal = differences == 0
    if equal.any():
        right.plot(controlled["epoch"][equal], np.full(equal.sum(), floor), linestyle="", marker="o", markersize=7,
                   markerfacecolor="white", markeredgecolor="#333333", label=f"exactly equal (drawn at {floor:.0e})")
    right.set_ylim(floor / 5, 1e-4)
    right.axhline(1e-6, color=DIVERGED_COLOR, linestyle=":", label="tolerance 1e-6")
    right.set_xlabel("epoch")
    right.set_ylabel("absolute difference")
    right.set_title("Difference between the implementations")
    handles = left.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0]
    figure.legend(handles=handles, loc="outside lower center", ncols=3, frameon=False)
    alt = (f"Two charts over {len(controlled)} epochs of the controlled run: left, the training loss of "
           "neurogebra's scalar engine, its tensor engine and PyTorch, lying on one another; right, on a log "
           f"scale, the largest difference between them per epoch (at most {differences.max():.1e}), below the "
           "dotted tolerance line at 1e-6.")
    return Chart(figure, [results.path_of("controlled")], alt)


# ---------------------------------------------------------------- 7. decision boundaries


@styled
def decision_boundaries(results: Results, name: str, pair: dict) -> Chart:
    """Both frameworks' predicted class over the page's grid, test points on top, and where they disagree."""
    grid = results.boundary(name)
    split = results.split(pair["seed"])
    n_classes = _n_classes(split["y_train"], split["y_test"], *(grid[f] for f in FRAMEWORKS))
    figure, axes = new_figure(MAX_FIGURE_WIDTH, 3.9, 1, 3, sharex=True, sharey=True)
    regions = region_colormap(n_classes)
    norm = BoundaryNorm(np.arange(-0.5, n_classes + 0.5), n_classes)
    for ax, framework in zip(axes[0], FRAMEWORKS):
        run = results.run(pair[framework])
        ax.pcolormesh(grid["xx"], grid["yy"], grid[framework], cmap=regions, norm=norm, shading="auto",
                      rasterized=True)
        _scatter_classes(ax, split["X_test"], split["y_test"], n_classes, filled=False, size=20)
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
    handles = _class_handles(n_classes) + [Patch(facecolor="#333333", label="frameworks predict different classes")]
    figure.legend(handles=handles, loc="outside lower center", ncols=n_classes + 1, frameon=False)
    alt = (f"Three maps of the plane for seed {pair['seed']}: the class neurogebra predicts at each grid point, "
           "the class PyTorch predicts, both with the test points on top, and the grid points where the two "
           f"disagree ({wording.percent(disagree.mean())} of the grid).")
    return Chart(figure, [boundary_path(name), split_path(pair["seed"]), results.path_of("runs")], alt)


# ---------------------------------------------------------------- 8. what the network learned


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


# ---------------------------------------------------------------- 9. code complexity


@styled
def complexity_bars(results: Results) -> Chart:
    """Lines per component: measured in this project's source next to the page's claims."""
    table = results.table("complexity")
    parts = table[table["component"] != "total"]
    figure, axes = new_figure(8.6, 1.4 + 0.75 * len(parts))
    ax = axes[0, 0]
    y = np.arange(len(parts))
    bars = [
        ("neurogebra_lines", "neurogebra, measured", FRAMEWORK_COLORS["neurogebra"], None),
        ("page_neurogebra_lines", "neurogebra, page's claim", "white", FRAMEWORK_COLORS["neurogebra"]),
        ("pytorch_lines", "PyTorch, measured", FRAMEWORK_COLORS["pytorch"], None),
        ("page_pytorch_lines", "PyTorch, page's claim", "white", FRAMEWORK_COLORS["pytorch"]),
    ]
    height = 0.19
    for index, (column, label, face, edge) in enumerate(bars):
        positions = y + (index - 1.5) * height
        ax.barh(positions, parts[column], height=height, color=face, edgecolor=edge or face, hatch="//" if edge else None,
                label=label)
        for position, value in zip(positions, parts[column]):
            ax.text(value + 0.8, position, f"{value:g}", va="center", fontsize=8)
    ax.set_yticks(y, parts["component"])
    ax.invert_yaxis()
    ax.set_xlabel("lines of code")
    ax.set_xlim(0, 1.15 * float(parts[[b[0] for b in bars]].to_numpy().max()))
    ax.grid(axis="y", alpha=0)
    figure.legend(loc="outside lower center", ncols=4, frameon=False)
    alt = ("Horizontal bar chart of lines of code per component (" + ", ".join(parts["component"].astype(str))
           + "): neurogebra and PyTorch as measured, solid, beside the page's claims, hatched; each bar prints its count.")
    return Chart(figure, [results.path_of("complexity")], alt)


# ---------------------------------------------------------------- 10. speed


# Scalar engine and PyTorch keep the frameworks' colours; the tensor engine and the floor get their own.
IMPLEMENTATION_COLORS = {"scalar": FRAMEWORK_COLORS["neurogebra"], "tensor": "#009E73",
                         "torch": FRAMEWORK_COLORS["pytorch"], "numpy": "#777777"}
# Each precision its line: float64, the one every implementation is compared in, solid; float32 dashed
# with open markers.
PRECISION_STYLES = {"float64": {"linestyle": "-", "markerfacecolor": None},
                    "float32": {"linestyle": "--", "markerfacecolor": "white"}}


def _median_and_quartiles(ax, widths, median, low, high, color, precision):
    """One implementation's medians with their interquartile range, where it was timed."""
    timed = np.isfinite(median)
    if timed.any():
        ax.errorbar(widths[timed], median[timed], yerr=[(median - low)[timed], (high - median)[timed]], marker="o",
                    capsize=3, color=color, **PRECISION_STYLES[precision])


@styled
def speed_scaling(results: Results) -> Chart:
    """Seconds per epoch against hidden width for every implementation in each precision, and the tensor
    engine over PyTorch."""
    speed = results.table("speed")
    figure, axes = new_figure(MAX_FIGURE_WIDTH, 3.9, 1, 2)
    left, right = axes[0]
    precisions = [p for p in PRECISION_STYLES if p in set(speed["precision"])]
    for precision in precisions:
        by_width = sp.speed_by_width(speed, precision)
        widths = by_width["hidden_width"].to_numpy()
        for name in sp.IMPLEMENTATIONS:
            _median_and_quartiles(left, widths, *(by_width[f"{name}_{stat}"].to_numpy(dtype=float)
                                                  for stat in ("median", "p25", "p75")),
                                  IMPLEMENTATION_COLORS[name], precision)
        # "× faster": PyTorch's time over the tensor engine's, so that higher is faster and every ratio of the
        # report reads the same way round; the spread's ends swap with the inversion.
        faster = 1 / by_width["tensor_ratio"].to_numpy(dtype=float)
        _median_and_quartiles(right, widths, faster, 1 / by_width["tensor_ratio_high"].to_numpy(dtype=float),
                              1 / by_width["tensor_ratio_low"].to_numpy(dtype=float), IMPLEMENTATION_COLORS["tensor"],
                              precision)
    widths = sorted(set(speed["hidden_width"]))
    for ax in (left, right):
        ax.set_xscale("log", base=2)
        ax.set_xticks(widths, [str(w) for w in widths])
        ax.set_xlabel("hidden width (both hidden layers)")
    left.set_yscale("log")
    left.set_ylabel("seconds per epoch")
    left.set_title("Cost of one epoch")
    timed = set(speed["implementation"])
    handles = [Line2D([], [], color=IMPLEMENTATION_COLORS[name], marker="o", label=wording.IMPLEMENTATION_NAMES[name])
               for name in sp.IMPLEMENTATIONS if name in timed]
    handles += [Line2D([], [], color="#333333", marker="o", label=precision, **PRECISION_STYLES[precision])
                for precision in precisions]
    figure.legend(handles=handles, loc="outside lower center", ncols=3, frameon=False)
    right.axhline(1.0, color="#333333", linestyle=":", linewidth=1)
    right.set_ylim(bottom=0)  # a ratio on a linear axis from 0: its ticks are plain numbers
    crossover = sp.crossover_width(speed)
    if crossover is not None:
        right.axvline(crossover, color=DIVERGED_COLOR, linestyle="--", linewidth=1)
        # Inside the axes, on the side of the line with room: text never runs off the figure.
        inside_left = crossover > np.sqrt(widths[0] * widths[-1])
        right.annotate(f"PyTorch faster from width {crossover}\n(float64)", (crossover, 0.97), xycoords=("data", "axes fraction"),
                       textcoords="offset points", xytext=(-4 if inside_left else 4, 0), va="top",
                       ha="right" if inside_left else "left", fontsize=9, color=DIVERGED_COLOR, annotation_clip=True)
    right.set_ylabel("× faster: PyTorch's time / tensor engine's")
    right.set_title("Above 1: the tensor engine is faster")
    alt = (f"Two charts against hidden width ({', '.join(map(str, widths))}), float64 solid and float32 dashed: left, "
           "seconds per epoch on a log scale for each implementation timed, with interquartile bars; right, how "
           "many times faster the tensor engine is than PyTorch, with a line at 1 (same speed)"
           + (f" and a marker where PyTorch becomes faster, width {crossover}." if crossover is not None else "."))
    return Chart(figure, [results.path_of("speed")], alt)
