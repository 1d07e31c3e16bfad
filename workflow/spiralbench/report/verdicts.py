"""The report's conclusions as data: one row per verdict, computed by the code whose wording it prints.

Each verdict is a value the report's sentences are worded from:

- every paired effect (``tables/effects.csv``): whether it survives Holm's correction and, if it
  does, the side it favours;
- each effect's pooled verdict over its levels (``evidence.effect_verdict``: none, same, partial or
  opposite, and the side it favours);
- the largest part of the page's gap (``evidence.largest_part``);
- every answer of "When to use each" (``guidance.scenario_verdicts``).

``tables/verdicts.csv`` is a deterministic output like any table, so it is in the manifest and
published beside it; on a machine whose bytes differ, the check compares these verdicts to say
whether the conclusions still hold (``spiralbench.reproduction``).
"""
from __future__ import annotations

import math

import pandas as pd

from spiralbench.effects import SETTING_COLUMNS

from . import evidence, guidance

COLUMNS = ["verdict", "value"]


def number_text(value) -> str:
    """A setting's value as written in the config: 16, not 16.0 (a table column with gaps reads as floats)."""
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def effect_name(row) -> str:
    """'framework effect, pooled, within page' or 'init effect, setting sgd/0.05/16/30/16x16/relu, within pytorch'."""
    scope = row["scope"]
    if scope == "setting":
        scope += " " + "/".join(number_text(row[column]) for column in SETTING_COLUMNS)
    return f"{row['effect']} effect, {scope}, within {row['within']}"


def effect_value(row, effect: str) -> str:
    """'favours neurogebra (significant after Holm)', 'no difference after Holm', or 'not measured'.

    The side of an effect that does not survive Holm's correction is no verdict: the report draws
    none from it (``evidence.favours``), and its sign is the noise a rerun elsewhere may flip.
    """
    mean = row["mean"]
    if mean is None or (isinstance(mean, float) and math.isnan(mean)):
        return "not measured"
    side = evidence.favours(row, effect)
    return f"favours {side} (significant after Holm)" if side else "no difference after Holm"


def verdicts(runs: pd.DataFrame, effects: pd.DataFrame, config: dict) -> pd.DataFrame:
    rows = [(effect_name(row), effect_value(row, row["effect"])) for _, row in effects.iterrows()]
    for effect in evidence.EFFECT_LEVELS:
        verdict = evidence.effect_verdict(effects, effect)
        if not verdict["pooled"].empty:
            side = f" ({verdict['side']})" if verdict["side"] else ""
            rows.append((f"{effect} effect over its levels", verdict["kind"] + side))
    parts = evidence.page_comparison_parts(runs, config)
    if parts is not None:
        rows.append(("the page's gap: largest part", evidence.largest_part(parts)[1]))
    rows += [(f"when to use each: {scenario}", verdict)
             for scenario, verdict in guidance.scenario_verdicts(effects).items()]
    return pd.DataFrame(rows, columns=COLUMNS)
