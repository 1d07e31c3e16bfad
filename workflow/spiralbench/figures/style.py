"""One look for every figure of the report, and what a drawn figure carries.

Figures are built on ``matplotlib.figure.Figure`` directly (no pyplot state)
with fixed settings, so the same results give the same PNG bytes.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass

import matplotlib
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

# Okabe-Ito colours: told apart by colour-blind readers too.
FRAMEWORK_COLORS = {"neurogebra": "#D55E00", "pytorch": "#0072B2"}
CLASS_COLORS = ["#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
DIVERGED_COLOR = "#B00020"
# Scalar engine and PyTorch keep the frameworks' colours; the tensor engine and the floor get their own.
IMPLEMENTATION_COLORS = {"scalar": FRAMEWORK_COLORS["neurogebra"], "tensor": "#009E73",
                         "torch": FRAMEWORK_COLORS["pytorch"], "numpy": "#777777"}

# Accuracy is a fraction in the result tables and a percentage on every axis, as in the report's tables.
def percent() -> PercentFormatter:
    """A new axis formatter (matplotlib binds each to one axis) writing fractions as whole percentages."""
    return PercentFormatter(xmax=1, decimals=0)

# A figure inch is drawn as this many CSS pixels; the PNG has twice as many for sharp text.
CSS_PIXELS_PER_INCH = 96
PNG_DPI = 2 * CSS_PIXELS_PER_INCH
# The page's text column is about 1036 px wide (nbconvert) or 1000 px (Quarto); figures fit in it.
MAX_FIGURE_WIDTH = 10.4

RC = {
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "path.simplify": True,
}


def styled(plot):
    """Draw ``plot`` under the report's fixed matplotlib settings (read while drawing, not just at creation)."""

    @functools.wraps(plot)
    def draw(*args, **kwargs):
        with matplotlib.rc_context(RC):
            return plot(*args, **kwargs)

    return draw


def new_figure(width: float, height: float, nrows: int = 1, ncols: int = 1, **subplot_kwargs):
    """A figure with constrained layout (labels never overlap) and its axes; call inside ``@styled``."""
    if width > MAX_FIGURE_WIDTH:
        raise ValueError(f"figure width {width} in is wider than the page ({MAX_FIGURE_WIDTH} in)")
    figure = Figure(figsize=(width, height), layout="constrained")
    return figure, figure.subplots(nrows, ncols, squeeze=False, **subplot_kwargs)


def region_colormap(n_classes: int) -> ListedColormap:
    """Class colours for region fills, paler, so that points on top stay visible."""
    return ListedColormap([_blend_with_white(color, 0.35) for color in CLASS_COLORS[:n_classes]])


def _blend_with_white(color: str, amount: float) -> tuple[float, float, float]:
    red, green, blue = matplotlib.colors.to_rgb(color)
    return tuple(amount * c + (1 - amount) for c in (red, green, blue))


def png_bytes(figure: Figure) -> tuple[bytes, int]:
    """The figure as PNG bytes, and its width in CSS pixels.

    The PNG carries no software/date metadata, so identical figures are identical bytes.
    """
    buffer = io.BytesIO()
    with matplotlib.rc_context(RC):
        figure.savefig(buffer, format="png", dpi=PNG_DPI, metadata={"Software": None})
    return buffer.getvalue(), round(figure.get_figwidth() * CSS_PIXELS_PER_INCH)


@dataclass
class Chart:
    """A drawn figure, the result files it was drawn from, and what it shows in words (its alternative
    text, read aloud by screen readers in place of the image)."""

    figure: Figure
    sources: list[str]
    alt: str = ""
