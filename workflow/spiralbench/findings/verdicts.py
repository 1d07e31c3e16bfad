"""The report's conclusions as one table, ``tables/verdicts.csv``: what a rerun elsewhere is compared on.

One row per verdict, each computed from the deterministic tables (runs, effects, controlled,
complexity) and the config's data and page settings; timing never enters (its verdicts live beside
the timings, ``findings.speed`` and ``findings.guidance``). On a machine whose bytes differ, the check
compares these verdicts to say whether the conclusions still hold (``spiralbench.reproduction``).
"""
from __future__ import annotations

import math

import pandas as pd

from spiralbench.contract import VERDICTS_COLUMNS as COLUMNS
from spiralbench.effects import SETTING_COLUMNS
from spiralbench.findings import code_size, conditions, effects as effect_findings, guidance, page_gap



def number_text(value) -> str:
    """A setting's value as written in the config: 16, not 16.0 (a table column with gaps reads as floats)."""
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def effect_name(row) -> str:
    """'framework effect, pooled, within page' or 'init effect, setting sgd/0.05/16/30/16x16/relu, within pytorch'."""
    scope = row["scope"]
    if scope == "setting":
        scope += " " + "/".join(number_text(row[column]) for column in SETTING_COLUMNS)
    return f"{row['effect']} effect, {scope}, within {row['within']}"


def effect_value(row) -> str:
    """'favours neurogebra (significant after Holm)', 'no difference after Holm', or 'not measured'.

    The side of an effect that does not survive Holm's correction is no verdict: its sign is the
    noise a rerun elsewhere may flip.
    """
    mean = row["mean"]
    if mean is None or (isinstance(mean, float) and math.isnan(mean)):
        return "not measured"
    side = effect_findings.favours(row, row["effect"])
    return f"favours {side} (significant after Holm)" if side else "no difference after Holm"


def verdicts(runs: pd.DataFrame, effects: pd.DataFrame, controlled: pd.DataFrame, complexity: pd.DataFrame,
             config: dict) -> pd.DataFrame:
    metric = effect_findings.metric_of(effects)
    effects = effect_findings.for_metric(effects, metric)
    rows = [("the metric the verdicts use", metric)]
    rows += [(effect_name(row), effect_value(row)) for _, row in effects.iterrows()]
    for effect in effect_findings.SIDES:
        verdict = effect_findings.effect_verdict(effects, effect)
        if not verdict["pooled"].empty:
            side = f" ({verdict['side']})" if verdict["side"] else ""
            rows.append((f"{effect} effect over its levels", verdict["kind"] + side))
    margin = effect_findings.equivalence_margin(config)
    for effect in ("precision", "framework"):
        same = conditions.sameness(effects, effect, margin)
        rows.append((f"{effect} effect: equivalent within ±{100 * margin:.2f} pp (TOST)", same["verdict"]))
        rows.append((f"{effect} effect: settings equivalent within ±{100 * margin:.2f} pp (TOST)",
                     f"{same['settings_equivalent']} of {same['settings']}"))
    carrier = conditions.carried_by(effects, "init")
    rows.append(("init effect: carried by one optimizer", carrier["optimizer"] if carrier else "none"))
    rows.append(("sweep runs ending at chance (not diverged)",
                 str(len(conditions.at_chance(runs, config["data"]["n_classes"], metric)))))
    swings = conditions.rounding_swings(runs, metric)
    rows.append(("settings sensitive to rounding", "; ".join(
        "/".join(number_text(row[column]) for column in SETTING_COLUMNS)
        for _, row in swings[swings["sensitive"]].iterrows()) or "none"))
    parts = page_gap.page_comparison_parts(runs, config)
    if parts is not None:
        rows.append(("the page's gap: largest part", page_gap.largest_part(parts)[1]))
    furthest = code_size.furthest_claim(complexity)
    rows.append(("lines of code: the page's claim furthest off", f"{furthest['component']} ({furthest['framework']})"))
    rows += [(f"when to use each: {scenario}", verdict)
             for scenario, verdict in guidance.deterministic_verdicts(effects, controlled, margin).items()]
    return pd.DataFrame(rows, columns=COLUMNS)
