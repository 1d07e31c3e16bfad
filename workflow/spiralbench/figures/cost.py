"""Figures of what each implementation costs: lines of code and seconds per epoch (sections 9 and 10)."""

from __future__ import annotations

import numpy as np
from matplotlib.lines import Line2D

from spiralbench.findings import speed as sp
from spiralbench.report import wording
from spiralbench.report.results import Results

from .style import DIVERGED_COLOR, FRAMEWORK_COLORS, IMPLEMENTATION_COLORS, MAX_FIGURE_WIDTH, Chart, new_figure, styled


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
        # A ratio from an unstable cell (its spread over the instrument's limit) carries no verdict: crossed out.
        disturbed = (by_width["tensor_ratio_verdict"] == sp.UNSTABLE).to_numpy()
        right.scatter(widths[disturbed], faster[disturbed], marker="x", s=60, color=DIVERGED_COLOR, zorder=5)
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
    if any(sp.speed_by_width(speed, precision)["tensor_ratio_verdict"].eq(sp.UNSTABLE).any() for precision in precisions):
        handles.append(Line2D([], [], color=DIVERGED_COLOR, marker="x", linestyle="none",
                              label="unstable timings: no verdict"))
    figure.legend(handles=handles, loc="outside lower center", ncols=3, frameon=False)
    right.axhline(1.0, color="#333333", linestyle=":", linewidth=1)
    # The band within which an interval says "about the same" (findings.speed.speed_verdict).
    right.axhspan(1 / sp.CLEAR_SPEEDUP, sp.CLEAR_SPEEDUP, color="#999999", alpha=0.15, linewidth=0)
    right.set_ylim(bottom=0)  # a ratio on a linear axis from 0: its ticks are plain numbers
    crossover = sp.crossover_width(speed)
    if crossover is not None:
        right.axvline(crossover, color=DIVERGED_COLOR, linestyle="--", linewidth=1)
        # Inside the axes, on the side of the line with room: text never runs off the figure.
        inside_left = crossover > np.sqrt(widths[0] * widths[-1])
        right.annotate(f"PyTorch faster from width {crossover}\n(float64)", (crossover, 0.97), xycoords=("data", "axes fraction"),
                       textcoords="offset points", xytext=(-4 if inside_left else 4, 0), va="top",
                       ha="right" if inside_left else "left", fontsize=9, color=DIVERGED_COLOR, annotation_clip=True)
    right.set_ylabel("PyTorch's time / tensor engine's")
    right.set_title("Above 1: the tensor engine is faster")
    alt = (f"Two charts against hidden width ({', '.join(map(str, widths))}), float64 solid and float32 dashed: left, "
           "seconds per epoch on a log scale for each implementation timed, with interquartile bars; right, how "
           "many times faster the tensor engine is than PyTorch, with its interval over rounds, a line at 1 (same "
           f"speed) and a band from 1/{sp.CLEAR_SPEEDUP} to {sp.CLEAR_SPEEDUP} (about the same), ratios from a cell "
           "whose timings were unstable (no verdict) crossed out"
           + (f" and a marker where PyTorch becomes faster, width {crossover}." if crossover is not None else "."))
    return Chart(figure, [results.path_of("speed")], alt)
