"""Section 11: "When to use each", restated from the evidence, and the report's headline box.

The page's table puts a neurogebra check mark on every row, production systems,
large-scale training, GPU acceleration and pretrained models included. Here
each row names the library the evidence supports and the measurement or fact
it rests on; the accuracy row and the headline are worded from the paired
effects (``tables/effects.csv``), so they change when the numbers do.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

import neurogebra
from neurogebra.core.autograd import Value

from . import evidence
from .document import Table
from .evidence import ratio, ratio_range, seconds
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


ACCURACY_SCENARIO = "Accuracy on a problem like this"
# The answers of "When to use each" that rest on what the two libraries are (their code, devices,
# ecosystems, and PyTorch's measured speed lead at every width the scalar engine is timed), not on
# which way this run's effects fell; the reasons beside them still quote this run's numbers.
FIXED_VERDICTS = {
    "Learning ML concepts": "neurogebra",
    "Understanding backprop": "neurogebra",
    "Course assignments": "neurogebra",
    "Research prototyping": "PyTorch",
    "Production ML systems": "PyTorch",
    "Large-scale training": "PyTorch",
    "GPU acceleration": "PyTorch",
    "Pre-trained models": "PyTorch",
}


def scenario_verdicts(effects: pd.DataFrame) -> dict[str, str]:
    """Each scenario of "When to use each" and the library the evidence supports for it."""
    return {**FIXED_VERDICTS, ACCURACY_SCENARIO: accuracy_verdict(effects)[0]}


def speed_facts(results: Results) -> dict:
    """The measured speed numbers the report quotes (at the page's hidden width when it was measured).

    ``neurogebra_seconds`` and ``ratio`` are the scalar engine's (the page's neurogebra) against
    PyTorch; ``tensor_seconds`` and ``tensor_speedup`` the tensor engine's (how many times faster
    than PyTorch), ``floor_ratio`` its time over the numpy floor's; ``crossover`` the width from
    which PyTorch is faster than the tensor engine (None: not within the widths measured). All in
    float64, the one precision the scalar engine is timed in (``evidence.COMPARED_PRECISION``).
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
        "crossover": evidence.crossover_width(speed),
        "exponents": exponents,
    }


def accuracy_verdict(effects: pd.DataFrame) -> tuple[str, str]:
    """Which library the accuracy evidence supports, and why: from the framework effect at matched
    initialisation and precision."""
    framework = evidence.effect_verdict(effects, "framework")
    init = evidence.effect_verdict(effects, "init")
    pooled = framework["pooled"]
    if pooled.empty:
        return "not measured", ("the sweep trains no setting in both frameworks with the same initialisation and "
                                "precision")
    numbers = evidence.means_at(pooled, "framework", sep=", ")
    kind = framework["kind"]
    if kind == "none":
        init_note = "; the initial weights matter more" if init["kind"] != "none" else ""
        return "either", (f"at matched initialisation and precision neither is more accurate (neurogebra − PyTorch "
                          f"{numbers}; not significant after Holm){init_note}")
    if kind == "same":
        winner = framework["side"]
        return winner, (f"at matched initialisation and precision {winner} is more accurate (neurogebra − PyTorch "
                        f"{numbers})")
    if kind == "partial":  # an effect that the initial weights can switch off is no reason to pick a library
        return "either", (f"the difference depends on the initial weights or the precision: at matched "
                          f"initialisation and precision {evidence.split_verdict(framework, 'framework')}")
    return "either", ("the framework's effect reverses with the initialisation or the precision: "
                      f"{evidence.split_verdict(framework, 'framework')}")


def page_accuracy_claim(runs: pd.DataFrame) -> str:
    """What the page's single run shows: the framework with the higher test accuracy, or both if tied."""
    tutorial = evidence.tutorial_runs(runs)["test_accuracy"]
    if tutorial.isna().any() or tutorial["neurogebra"] == tutorial["pytorch"]:
        return "either"
    return "neurogebra" if tutorial["neurogebra"] > tutorial["pytorch"] else "PyTorch"


def headline(effects: pd.DataFrame, parts: dict | None, speed: dict | None = None) -> str:
    """The box at the top of the report: the fair comparison, the initialisation, the precision, the page's
    gap, the speed."""
    framework = evidence.effect_verdict(effects, "framework")
    init = evidence.effect_verdict(effects, "init")
    precision = evidence.effect_verdict(effects, "precision")
    fw = framework["pooled"]
    sentences = []
    if fw.empty:
        sentences.append("The sweep has no matched comparison of the two frameworks.")
    else:
        numbers = evidence.means_at(fw, "framework")
        seeds = evidence.plural(int(fw["n_pairs"].min()), "seed")
        start = "With the same initial weights, precision, optimizer and settings"
        kind = framework["kind"]
        if kind == "none":
            sentences.append(f"{start}, **no difference between neurogebra and PyTorch survives Holm's correction** "
                             f"(neurogebra − PyTorch {numbers}, {seeds}).")
        elif kind == "same":
            sentences.append(f"{start}, **{framework['side']} is more accurate**: neurogebra − PyTorch {numbers} "
                             f"({seeds}, significant after Holm's correction).")
        else:
            sentences.append(f"{start}, {evidence.bold_first(framework, 'framework')} ({seeds}).")
    for verdict, effect, matters, none in (
            (init, "init", "The initialisation matters", "No effect of the initialisation scheme survives Holm's correction"),
            (precision, "precision", "The precision matters",
             "Float32 against float64 makes no difference that survives Holm's correction")):
        sentence = factor_sentence(verdict, effect, matters, none)
        if sentence:
            sentences.append(sentence)
    if parts is not None:
        pieces, largest = evidence.largest_part(parts)
        sentences.append(
            f"The page's own comparison (SGD against Adam, different initial weights, one seed) shows a gap of "
            f"{evidence.points(parts['observed'])}; its largest part is **{largest}** ({evidence.points(pieces[largest])}).")
    if speed is not None:
        text = (f"Per epoch at hidden width {speed['width']}, PyTorch trains {ratio(speed['ratio'])} faster than "
                "neurogebra's scalar engine (the page's)")
        if math.isfinite(speed.get("tensor_speedup", math.nan)):
            text += f", and neurogebra's tensor engine is {evidence.relative_speed(speed['tensor_speedup'])}"
        sentences.append(text + ".")
    return "**In short.** " + " ".join(sentences)


def factor_sentence(verdict: dict, effect: str, matters: str, none: str) -> str | None:
    """The headline's sentence on a factor beside the framework (None when the sweep does not measure it)."""
    pooled = verdict["pooled"]
    if pooled.empty:
        return None
    contrast = f"{evidence.CONTRASTS[effect][0].lower()}{evidence.CONTRASTS[effect][1:]} {evidence.means_at(pooled, effect)}"
    if verdict["kind"] == "none":
        return f"{none} ({contrast})."
    if verdict["kind"] == "same":
        return f"**{matters}**: {verdict['side']} is more accurate ({contrast})."
    return f"**{matters}**: {evidence.split_verdict(verdict, effect)}."


def when_to_use(results: Results) -> Table:
    speed = speed_facts(results)
    controlled = evidence.controlled_agreement(results.table("controlled"))
    complexity = results.table("complexity").set_index("component")
    total = complexity.loc["total"] if "total" in complexity.index else complexity.sum(numeric_only=True)
    scalar_engine = isinstance(Value(0.5).data, float)
    growth = speed["exponents"]
    epochs = results.config["tutorial"]["epochs"]

    faster = (
        f"PyTorch is {ratio(speed['ratio'])} faster per epoch than neurogebra's scalar engine at hidden width "
        f"{speed['width']} ({ratio_range(speed['ratio_low'], speed['ratio_high'])} across repeats; "
        f"{seconds(speed['neurogebra_seconds'])} vs {seconds(speed['pytorch_seconds'])})"
    )
    tensor = ""
    if math.isfinite(speed.get("tensor_speedup", math.nan)):
        crossover = speed.get("crossover")
        tensor = (f"; neurogebra's tensor engine is {evidence.relative_speed(speed['tensor_speedup'])} "
                  f"at width {speed['width']}" + (
            f", and PyTorch overtakes it from width {crossover} on" if crossover
            else ", and PyTorch does not overtake it within the widths measured"))
    same_math = (
        f"with the same weights and batches it computes PyTorch's losses to within "
        f"{controlled['max_abs_diff']:.1e} over {controlled['epochs']} epochs"
    )
    grows = ""
    if all(math.isfinite(growth.get(name, math.nan)) for name in ("scalar", "torch")):
        grows = (f"; the scalar engine's time per epoch grows like width^{growth['scalar']:.1f} against PyTorch's "
                 f"width^{growth['torch']:.1f}, {ratio(speed['largest_ratio'])} slower at width {speed['largest_width']}")
    tensor_engine = hasattr(neurogebra, "Tensor")
    if tensor_engine:
        engine = "computes on the CPU only (Python floats in its scalar engine, numpy arrays in its tensor engine)"
    else:
        engine = "holds one Python float per `Value`" if scalar_engine else "is a scalar autograd engine"
    per_node = "" if tensor_engine else " and builds one graph node per scalar operation"

    accuracy_reason = accuracy_verdict(results.table("effects"))[1]
    reasons = {
        "Learning ML concepts": f"every component is code in plain sight ({int(total['neurogebra_lines'])} "
                                f"lines measured, against {int(total['pytorch_lines'])} with PyTorch), and {same_math}",
        "Understanding backprop": f"each gradient is a `Value.grad` you can print; {same_math}",
        "Course assignments": f"a problem of this size fits: the page's {epochs} epochs take "
                              f"{minutes(epochs * speed['neurogebra_seconds'])} at hidden width {speed['width']}",
        "Research prototyping": f"{faster}; its layers, losses and optimizers are ready-made",
        "Production ML systems": f"{faster}; neurogebra {engine}{per_node}",
        "Large-scale training": f"{faster}{grows}{tensor}",
        "GPU acceleration": f"neurogebra {engine}: it has no device support; PyTorch runs on GPUs "
                            "(this benchmark uses its CPU build)",
        "Pre-trained models": "neurogebra has no model hub or pretrained weights; PyTorch's ecosystem does",
        ACCURACY_SCENARIO: accuracy_reason,
    }
    verdicts = scenario_verdicts(results.table("effects"))
    rows, classes = [], []
    page_rows = [(scenario, " and ".join(name for name, mark in (("neurogebra", ng), ("PyTorch", pt)) if mark))
                 for scenario, ng, pt in PAGE_TABLE]
    # Not a row of the page's table: what its single run, with different optimizers, suggests.
    page_rows.append((ACCURACY_SCENARIO, page_accuracy_claim(results.table("runs"))))
    for scenario, page in page_rows:
        verdict, reason = verdicts[scenario], reasons[scenario]
        rows.append({"scenario": scenario, "the page says": page, "the evidence says": verdict, "because": reason})
        classes.append("" if page == verdict else "sb-changed")
    sources = [results.path_of("speed"), results.path_of("controlled"), results.path_of("complexity"),
               results.path_of("effects"), results.path_of("runs")]
    return Table(pd.DataFrame(rows), sources, text_columns=("scenario", "the page says", "the evidence says", "because"),
                 row_classes=classes, wrap_columns=("because",))


def summary(table: Table) -> str:
    """The table in one sentence: which library the evidence supports for which scenarios."""
    frame = table.frame
    groups = []
    for verdict, rows in frame.groupby("the evidence says", sort=False):
        scenarios = ", ".join(s if s[1:2].isupper() else s[0].lower() + s[1:] for s in rows["scenario"])
        groups.append(f"{verdict} for {scenarios}" if verdict != "either" else f"either library for {scenarios}")
    changed = changed_rows(table)
    return (f"The evidence supports {'; '.join(groups)}. It changes {changed} of the "
            f"{len(frame)} rows from what the page says.")


def changed_rows(table: Table) -> int:
    return sum(1 for c in table.row_classes or [] if c == "sb-changed")



def minutes(value: float) -> str:
    """A duration for a sentence: seconds below two minutes, minutes above."""
    return seconds(value) if value < 120 else f"about {value / 60:.0f} minutes"
