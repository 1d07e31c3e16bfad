"""Figures of training and evaluation: curves per epoch, the sweep's heat maps, every run's accuracy
(sections 4 and 5)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator

from spiralbench.effects import OK
from spiralbench.findings import settings as sweep
from spiralbench.frameworks import FRAMEWORKS
from spiralbench.report import wording
from spiralbench.report.results import Results

from .style import DIVERGED_COLOR, FRAMEWORK_COLORS, MAX_FIGURE_WIDTH, Chart, new_figure, percent, styled


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
    optimizers = sweep.curve_columns(reference)
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
        axes[1, column].set_ylabel("training accuracy (%)")
        axes[1, column].yaxis.set_major_formatter(percent())
        axes[1, column].set_xlabel("epoch")
        axes[1, column].set_ylim(0, 1.02)
        axes[1, column].xaxis.set_major_locator(MaxNLocator(integer=True))
    figure.legend(handles=_unique_labels(handles.values()), loc="outside lower center", ncols=2, frameon=False)
    # The dashed runs are the page's, at their own settings, which need not be the bands': the text says both.
    alt = (f"Line charts in {len(optimizers)} column(s), one per optimizer ({', '.join(map(wording.optimizer_name, optimizers))}): "
           "training loss (top) and training accuracy (bottom) per epoch, neurogebra in orange and PyTorch in blue, "
           "each a mean line with a shaded band. "
           + wording.training_curves_key(sweep.training_curve_sources(runs, reference)))
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
    figure.colorbar(image, ax=axes, label="mean test accuracy (%)", shrink=0.8, format=percent())
    alt = (f"Heat maps of mean test accuracy, one per framework and optimizer, learning rate down the side "
           f"({', '.join(f'{lr:g}' for lr in learning_rates)}) and batch size, initialisation and precision across; "
           "each cell prints its accuracy, and how many runs diverged where some did.")
    return Chart(figure, [results.path_of("summary")], alt)


def _accuracy_colormap():
    return colormaps["viridis"].with_extremes(bad="#f2f2f2")


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
    ax.set_xlabel("test accuracy (%)")
    ax.xaxis.set_major_formatter(percent())
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

