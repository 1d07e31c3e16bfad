""""When to use each": for every row of the page's table, the library the measurements support.

Each answer is computed: accuracy from the framework effect, the teaching rows from the controlled
run (a library to learn from must compute the same function as PyTorch), research prototyping from
the tensor engine against PyTorch at the largest width timed, in every precision timed, each a
verdict drawn from its interval (``findings.speed.speed_verdict``), a course's exercise from the time
the page's training takes. Rows no table measures (production, large-scale training, GPUs,
pretrained models) are marked so, not answered: a one-thread ratio at widths up to the largest timed
says nothing of training at scale.
"""
from __future__ import annotations

import pandas as pd

from spiralbench.findings.effects import effect_verdict, equivalence_verdict
from spiralbench.findings.engines import controlled_agreement
from spiralbench.findings.page_gap import tutorial_runs

ACCURACY = "Accuracy on a problem like this"
TEACHING = ("Learning ML concepts", "Understanding backprop")
COURSE = "Course assignments"
AT_SCALE = ("Research prototyping",)
# What production asks of a library (serving, hardware beyond one CPU thread, reliability) is no
# table's; a speed measured on one thread, for networks of at most the largest width timed, does not
# answer it, nor training at scale (many threads, devices, networks far larger).
NOT_MEASURED = ("Production ML systems", "Large-scale training", "GPU acceleration", "Pre-trained models")
NOT_MEASURED_VERDICT = "not measured here"
# A course exercise fits when the page's whole training takes at most this long with the page's engine.
COURSE_BUDGET_SECONDS = 600.0

# The page's "When to Use Each" table as printed: (scenario, neurogebra column, PyTorch column).
PAGE_TABLE = [
    ("Learning ML concepts", "✅", ""), ("Understanding backprop", "✅", ""), ("Course assignments", "✅", ""),
    ("Research prototyping", "✅", "✅"), ("Production ML systems", "✅", ""), ("Large-scale training", "✅", ""),
    ("GPU acceleration", "✅", ""), ("Pre-trained models", "✅", ""),
]


def page_says() -> dict[str, str]:
    """The page's answer per scenario ('neurogebra', 'PyTorch' or 'neurogebra and PyTorch')."""
    return {scenario: " and ".join(name for name, mark in (("neurogebra", ng), ("PyTorch", pt)) if mark)
            for scenario, ng, pt in PAGE_TABLE}


UNDECIDED = "undecided"


def accuracy_verdict(effects: pd.DataFrame, margin: float | None = None) -> str:
    """'neurogebra' or 'PyTorch' when every matched level favours it after Holm; 'either' only when an
    equivalence test shows the two the same within ± ``margin`` at every level (no significant
    difference is not sameness); otherwise 'undecided' (no difference shown, or one the initial
    weights switch off, and no sameness shown either); 'not measured' without matched pairs."""
    framework = effect_verdict(effects, "framework")
    if framework["pooled"].empty:
        return "not measured"
    if framework["kind"] == "same":
        return framework["side"]
    if margin is not None and equivalence_verdict(effects, "framework", margin) == "equivalent":
        return "either"
    return UNDECIDED


def teaching_verdict(controlled: pd.DataFrame) -> str:
    """neurogebra when, from the same weights and batches, it computes PyTorch's losses within tolerance."""
    return "neurogebra" if controlled_agreement(controlled)["within_tolerance"] else "PyTorch"


def course_verdict(facts: dict, epochs: int) -> str:
    """neurogebra when the page's training takes at most ``COURSE_BUDGET_SECONDS`` with its scalar engine."""
    return "neurogebra" if epochs * facts["neurogebra_seconds"] <= COURSE_BUDGET_SECONDS else "PyTorch"


DEPENDS_ON_PRECISION = "depends on precision"
_BY_SPEED_VERDICT = {"faster": "neurogebra", "slower": "PyTorch", "about the same": "either"}


def at_scale_verdict(facts: dict) -> str:
    """The tensor engine against PyTorch at the largest width timed, in every precision timed
    (``facts["largest_by_precision"]``): ``neurogebra`` or ``PyTorch`` when it is shown faster in every
    precision, ``either`` when shown about the same in every one, ``depends on precision`` when the
    precisions answer differently, ``undecided`` when any interval leaves it open or the machine was
    disturbed there (no verdict from float64 alone when float32 says otherwise)."""
    answers = [_BY_SPEED_VERDICT.get(answer["verdict"]) for answer in facts["largest_by_precision"].values()]
    if not answers or None in answers:
        return UNDECIDED
    return answers[0] if len(set(answers)) == 1 else DEPENDS_ON_PRECISION


def page_accuracy_claim(runs: pd.DataFrame) -> str:
    """What the page's single run shows: the framework with the higher test accuracy, or 'either' if tied."""
    tutorial = tutorial_runs(runs)["test_accuracy"]
    if tutorial.isna().any() or tutorial["neurogebra"] == tutorial["pytorch"]:
        return "either"
    return "neurogebra" if tutorial["neurogebra"] > tutorial["pytorch"] else "PyTorch"


def deterministic_verdicts(effects: pd.DataFrame, controlled: pd.DataFrame, margin: float) -> dict[str, str]:
    """The answers drawn from deterministic tables only: the ones ``tables/verdicts.csv`` carries."""
    return {**{scenario: teaching_verdict(controlled) for scenario in TEACHING},
            ACCURACY: accuracy_verdict(effects, margin)}


def scenario_verdicts(effects: pd.DataFrame, controlled: pd.DataFrame, facts: dict, epochs: int,
                      margin: float) -> dict[str, str]:
    """Every row's answer, in the page's order, with the accuracy row last."""
    verdicts = deterministic_verdicts(effects, controlled, margin)
    verdicts[COURSE] = course_verdict(facts, epochs)
    verdicts.update({scenario: at_scale_verdict(facts) for scenario in AT_SCALE})
    verdicts.update({scenario: NOT_MEASURED_VERDICT for scenario in NOT_MEASURED})
    return {scenario: verdicts[scenario] for scenario, _, _ in PAGE_TABLE} | {ACCURACY: verdicts[ACCURACY]}
