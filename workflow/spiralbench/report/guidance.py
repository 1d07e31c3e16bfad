"""Section 11: "When to use each", restated from the evidence.

The page's table puts a neurogebra check mark on every row, production systems,
large-scale training, GPU acceleration and pretrained models included. Here
each row names the library the evidence supports and the measurement or fact
it rests on.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from neurogebra.core.autograd import Value

from . import evidence
from .document import Table
from .evidence import ratio, seconds
from .results import Results

# The page's "When to Use Each" table as printed: (scenario, neurogebra column, PyTorch column).
PAGE_TABLE = [
    ("Learning ML concepts", "✅", ""),
    ("Understanding backprop", "✅", ""),
    ("Course assignments", "✅", ""),
    ("Research prototyping", "✅", "✅"),
    ("Production ML systems", "✅", ""),
    ("Large-scale training", "✅", ""),
    ("GPU acceleration", "✅", ""),
    ("Pre-trained models", "✅", ""),
]


def speed_facts(results: Results) -> dict:
    """The measured speed numbers the report quotes (at the page's hidden width when it was measured).

    ``neurogebra_seconds`` and ``ratio`` are the scalar engine's (the page's neurogebra) against
    PyTorch; ``tensor_seconds`` and ``tensor_speedup`` the tensor engine's (how many times faster
    than PyTorch), ``floor_ratio`` its time over the numpy floor's; ``crossover`` the width from
    which PyTorch is faster than the tensor engine (None: not within the widths measured).
    """
    speed = results.table("speed")
    by_width = evidence.speed_by_width(speed)
    page_width = results.config["tutorial"]["hidden_sizes"][0]
    scalar_widths = list(by_width.loc[np.isfinite(by_width["ratio"]), "hidden_width"])
    widths = list(by_width["hidden_width"])
    width = page_width if page_width in scalar_widths else min(scalar_widths or widths, key=lambda w: abs(w - page_width))
    at = by_width[by_width["hidden_width"] == width].iloc[0]
    largest_scalar = by_width[by_width["hidden_width"] == max(scalar_widths or widths)].iloc[0]
    exponents = evidence.growth_exponents(speed)
    exponents.update(neurogebra=exponents.get("scalar", math.nan), pytorch=exponents.get("torch", math.nan))
    medians = speed.groupby(["implementation", "hidden_width"])["seconds_per_epoch"].median().reset_index()
    return {
        "width": int(width),
        "ratio": float(at["ratio"]),
        "ratio_low": float(at["ratio_low"]),
        "ratio_high": float(at["ratio_high"]),
        "neurogebra_seconds": float(at["scalar_median"]),
        "pytorch_seconds": float(at["torch_median"]),
        "tensor_seconds": float(at["tensor_median"]),
        "tensor_speedup": float(1 / at["tensor_ratio"]),
        "floor_ratio": float(at["floor_ratio"]),
        "largest_width": int(largest_scalar["hidden_width"]),
        "largest_ratio": float(largest_scalar["ratio"]),
        "crossover": evidence.crossover_width(medians),
        "exponents": exponents,
    }


def when_to_use(results: Results) -> Table:
    speed = speed_facts(results)
    controlled = evidence.controlled_agreement(results.table("controlled"))
    complexity = results.table("complexity").set_index("component")
    total = complexity.loc["total"] if "total" in complexity.index else complexity.sum(numeric_only=True)
    scalar_engine = isinstance(Value(0.5).data, float)
    growth = speed["exponents"]
    epochs = results.config["tutorial"]["epochs"]

    faster = (
        f"PyTorch is {ratio(speed['ratio'])} faster per epoch at hidden width {speed['width']} "
        f"({ratio(speed['ratio_low'])} – {ratio(speed['ratio_high'])} across repeats; "
        f"{seconds(speed['neurogebra_seconds'])} vs {seconds(speed['pytorch_seconds'])})"
    )
    same_math = (
        f"with the same weights and batches it computes PyTorch's losses to within "
        f"{controlled['max_abs_diff']:.1e} over {controlled['epochs']} epochs"
    )
    grows = ""
    if all(math.isfinite(growth.get(f, math.nan)) for f in evidence.FRAMEWORKS):
        grows = (f"; its time per epoch grows like width^{growth['neurogebra']:.1f} against PyTorch's "
                 f"width^{growth['pytorch']:.1f}, {ratio(speed['largest_ratio'])} slower at width {speed['largest_width']}")
    engine = "holds one Python float per `Value`" if scalar_engine else "is a scalar autograd engine"

    verdicts = {
        "Learning ML concepts": ("neurogebra", f"every component is code in plain sight ({int(total['neurogebra_lines'])} "
                                 f"lines measured, against {int(total['pytorch_lines'])} with PyTorch), and {same_math}"),
        "Understanding backprop": ("neurogebra", f"each gradient is a `Value.grad` you can print; {same_math}"),
        "Course assignments": ("neurogebra", f"a problem of this size fits: the page's {epochs} epochs take "
                               f"{minutes(epochs * speed['neurogebra_seconds'])} at hidden width {speed['width']}"),
        "Research prototyping": ("PyTorch", f"{faster}; its layers, losses and optimizers are ready-made"),
        "Production ML systems": ("PyTorch", f"{faster}; neurogebra {engine} and builds one graph node per scalar operation"),
        "Large-scale training": ("PyTorch", f"{faster}{grows}"),
        "GPU acceleration": ("PyTorch", f"neurogebra {engine}: it has no device support; PyTorch runs on GPUs "
                             "(this benchmark uses its CPU build)"),
        "Pre-trained models": ("PyTorch", "neurogebra has no model hub or pretrained weights; PyTorch's ecosystem does"),
    }
    rows, classes = [], []
    for scenario, page_neurogebra, page_pytorch in PAGE_TABLE:
        page = " and ".join(name for name, mark in (("neurogebra", page_neurogebra), ("PyTorch", page_pytorch)) if mark)
        verdict, reason = verdicts[scenario]
        rows.append({"scenario": scenario, "the page says": page, "the evidence says": verdict, "because": reason})
        classes.append("" if page == verdict else "sb-changed")
    sources = [results.path_of("speed"), results.path_of("controlled"), results.path_of("complexity")]
    return Table(pd.DataFrame(rows), sources, text_columns=("scenario", "the page says", "the evidence says", "because"),
                 row_classes=classes, wrap_columns=("because",))


def changed_rows(table: Table) -> int:
    return sum(1 for c in table.row_classes or [] if c == "sb-changed")



def minutes(value: float) -> str:
    """A duration for a sentence: seconds below two minutes, minutes above."""
    return seconds(value) if value < 120 else f"about {value / 60:.0f} minutes"
