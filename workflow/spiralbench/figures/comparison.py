"""Figures of the fair comparison: the paired effects, and the controlled run (section 6)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import offset_copy

from spiralbench.effects import SETTING_COLUMNS
from spiralbench.findings import effects as effect_findings
from spiralbench.report import wording
from spiralbench.report.results import Results

from .style import DIVERGED_COLOR, IMPLEMENTATION_COLORS, MAX_FIGURE_WIDTH, Chart, new_figure, styled


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
    metric = effect_findings.METRIC_NAMES[effect_findings.metric_of(effects)]  # the one the effects were measured on
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
        ax.set_xlabel("difference (percentage points)")  # the metric: in the caption and the alt text
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
           f"on the top row, pooled over the settings, the mean paired difference in {metric} in percentage "
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

