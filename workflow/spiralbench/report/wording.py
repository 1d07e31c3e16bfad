"""The report's sentences: wording over the findings (``spiralbench.findings``), nothing computed here.

Every function takes findings (or the tables the findings are computed from, handed straight to
``spiralbench.findings``) and returns text; the verdicts, superlatives and numbers all come from there.
"""
from __future__ import annotations

import functools
import math
import re

import numpy as np
import pandas as pd

from spiralbench import effects as effects_module
from spiralbench.collect import ENGINE_LOSS_TOLERANCE
from spiralbench.findings import code_size, conditions, effects as ef, engines, page_gap, settings as sweep, speed as sp
from spiralbench.findings.effects import effect_verdict


def missing_as_dash(format_number):
    """``format_number`` writes a missing number (None, NaN, infinite) as '–'."""
    @functools.wraps(format_number)
    def format_or_dash(value, *args, **kwargs):
        return "–" if value is None or not np.isfinite(value) else format_number(value, *args, **kwargs)
    return format_or_dash


def setting_labels(runs: pd.DataFrame, always: tuple[str, ...] = ()) -> dict[str, str]:
    """Short names for the sweep's settings, naming what varies (and ``always``): 'Adam, lr 0.01, batch 16'."""
    settings = sweep.sweep_settings(runs)
    varying = [key for key in SETTING_PARTS if key in always or key in varying_columns(settings)]
    return {row["setting"]: setting_label(row, varying) for _, row in settings.iterrows()}


OPTIMIZER_NAMES = {"sgd": "SGD", "adam": "Adam"}
FRAMEWORK_NAMES = {"neurogebra": "neurogebra", "pytorch": "PyTorch"}
SETTING_PARTS = {
    "optimizer": lambda v: OPTIMIZER_NAMES.get(v, v),
    "learning_rate": lambda v: f"lr {float(v):g}",
    "batch_size": lambda v: f"batch {int(v)}",
    "epochs": lambda v: f"{int(v)} epochs",
    "hidden_sizes": lambda v: f"hidden {v}",
    "activation": str,
    "init": lambda v: f"{v} init",
}


def varying_columns(settings: pd.DataFrame) -> list[str]:
    """The setting columns that take more than one value (optimizer and learning rate if none do)."""
    return [key for key in SETTING_PARTS if key in settings and settings[key].nunique() > 1] or ["optimizer", "learning_rate"]


def setting_label(row, columns) -> str:
    """'Adam, lr 0.01, batch 16' from a row with the setting columns."""
    return ", ".join(SETTING_PARTS[key](row[key]) for key in columns)


INIT_NAMES = {"page": "the page's initialisation", "torch-default": "PyTorch's default initialisation"}
# How each effect's difference is written: minuend − subtrahend.
CONTRASTS = {"framework": "Neurogebra − PyTorch", "init": "Page − torch-default", "precision": "Float32 − float64"}
def effect_numbers(row) -> str:
    """'+3.1 pp (unadjusted 95% CI +1.0 to +5.2 pp, Holm p = 0.004, 10 seeds)': Holm adjusts the p-value
    only, so the interval beside it says it is not adjusted."""
    return (f"{points(row['mean'])} (unadjusted 95% CI {points(row['t_low'], unit=False)} to {points(row['t_high'])}, "
            f"Holm p {p_value(row['p_holm'], relation=True)}, {plural(int(row['n_pairs']), 'seed')})")


def where(effect: str, level: str) -> str:
    """The levels an effect was measured at (``within``, e.g. 'page/float32'), as a phrase: 'from the
    page's initialisation in float32', 'in PyTorch in float64', 'in neurogebra from PyTorch's default
    initialisation'."""
    fixed = dict(zip(effects_module.held_fixed(effect), level.split("/")))
    words = []
    if "framework" in fixed:
        words.append(f"in {framework_name(fixed['framework'])}")
    if "init" in fixed:
        words.append(f"from {INIT_NAMES.get(fixed['init'], fixed['init'])}")
    if "precision" in fixed:
        words.append(f"in {fixed['precision']}")
    return " ".join(words)


def split_verdict(verdict: dict, effect: str) -> str:
    """For a 'partial' or 'opposite' verdict: which side each level favours, with its mean.

    'neurogebra is more accurate from PyTorch's default initialisation (+3.3 pp); from the page's
    initialisation the difference (+4.2 pp) is not significant after Holm's correction'.
    """
    pooled = verdict["pooled"]
    shown = [(level, side) for level, side in verdict["sides"].items() if side]
    quiet = [level for level, side in verdict["sides"].items() if not side]
    parts = [f"{side} is more accurate {where(effect, level)} ({points(pooled.loc[level, 'mean'])})"
             for level, side in shown]
    parts += [f"{where(effect, level)} the difference ({points(pooled.loc[level, 'mean'])}) is not significant "
              "after Holm's correction" for level in quiet]
    return "; ".join(parts)


def bold_first(verdict: dict, effect: str, prefix: str = "") -> str:
    """A 'partial' or 'opposite' verdict with its first clause in bold: '**prefix first**; rest'."""
    first, _, rest = split_verdict(verdict, effect).partition("; ")
    return f"**{prefix}{first}**" + (f"; {rest}" if rest else "")


def verdict_lead(verdict: dict, effect: str, none: str, same: str, partial: str, opposite: str) -> str:
    """A conclusion's lead, worded for the verdict's kind: ``same`` may name the ``{side}``, ``partial``
    starts the bold first clause of the split verdict, ``opposite`` comes before the whole split."""
    kind = verdict["kind"]
    if kind == "none":
        return none
    if kind == "same":
        return same.format(side=verdict["side"])
    if kind == "partial":
        return bold_first(verdict, effect, partial)
    return f"{opposite}: {split_verdict(verdict, effect)}"


def means_at(pooled: pd.DataFrame, effect: str, sep: str = " and ") -> str:
    """Each level's mean: '+2.4 pp from the page's initialisation and +1.8 pp from ...'."""
    return sep.join(f"{points(row['mean'])} {where(effect, level)}" for level, row in pooled.iterrows())


def pooled_over(n_settings: int) -> str:
    return f"averaged over the {n_settings} settings of each seed" if n_settings > 1 else "in the one setting with pairs"


def per_level(pooled: pd.DataFrame, effect: str) -> str:
    """Each pooled row's numbers and where it was measured, joined by '; '."""
    return "; ".join(f"{effect_numbers(row)} {where(effect, level)}" for level, row in pooled.iterrows())


def factor_conclusion(effects: pd.DataFrame, effect: str, missing: str, **leads: str) -> str:
    """An effect's conclusion: the lead for its verdict (``leads`` as ``verdict_lead`` takes them), each
    level's numbers, what the intervals rule out when no level differs, and the per-setting count;
    ``missing`` when the sweep does not measure it."""
    verdict = effect_verdict(effects, effect)
    pooled = verdict["pooled"]
    if pooled.empty:
        return missing
    over = pooled_over(int(pooled["n_settings"].max()))
    metric = ef.METRIC_NAMES.get(ef.metric_of(effects), "accuracy")
    text = f"{verdict_lead(verdict, effect, **leads)}. {CONTRASTS[effect]} in {metric}, {over}: {per_level(pooled, effect)}. "
    if effect == "framework" and verdict["kind"] == "none":
        text += ruled_out(pooled)
    return text + per_setting_summary(effects, effect)


def ruled_out(pooled: pd.DataFrame) -> str:
    """What the intervals of a framework effect that no level shows rule out."""
    bound = ef.largest_interval_bound(pooled)
    if np.isfinite(bound) and bound < 1:
        return (f"The unadjusted intervals rule out an average framework effect larger than {outward(bound)} pp "
                "at each level. ")
    if np.isfinite(bound):
        return "The intervals are wider than any difference of two accuracies: they rule nothing out. "
    return ""


# Each effect's conclusion when the sweep does not measure it, and its lead per verdict (``verdict_lead``).
MATCHED = "At matched initialisation and precision "
LEADS = {
    "framework": dict(
        missing="The sweep has no setting trained by both frameworks with the same initialisation and precision: "
                "no fair comparison.",
        none=f"**{MATCHED}the framework makes no difference that survives Holm's correction**",
        same=f"**{MATCHED}{{side}} is more accurate**", partial=MATCHED,
        opposite=f"**{MATCHED}the framework's effect reverses with the initialisation or the precision**"),
    "init": dict(
        missing="The sweep trains no framework with both initialisations: the initialisation effect is not measured.",
        none="**No initialisation effect survives Holm's correction**",
        same="**The initialisation matters: {side} is more accurate**", partial="The initialisation matters: ",
        opposite="**The initialisation's effect reverses between the frameworks**"),
    "precision": dict(
        missing="The sweep trains no framework in both precisions: the precision effect is not measured.",
        same="**The precision matters: {side} is more accurate**", partial="The precision matters: ",
        opposite="**The precision's effect reverses between frameworks or initialisations**"),
}


def conclusion(effects: pd.DataFrame, effect: str, margin: float | None = None, epochs: pd.DataFrame | None = None,
               runs: pd.DataFrame | None = None) -> str:
    """Section 6's conclusion on one effect, pooled over the settings (the framework's at matched
    initialisation and precision), with its conditions: the framework's and the precision's equivalence
    test against ± ``margin`` pooled and per setting, the initialisation's split by optimizer and the
    convergence of the settings that carry it (``epochs``), the settings where rounding alone moves a run
    (``runs``), and the settings where the precisions never differ."""
    if effect == "init":
        text = factor_conclusion(effects, effect, **LEADS[effect])
        return f"{text} {split_sentence(effects, effect, epochs)}".rstrip()
    if effect == "framework":
        text = factor_conclusion(effects, effect, **LEADS[effect])
        return f"{text} {sameness_sentence(effects, effect, margin)}".rstrip() if margin else text
    within = f"within ±{100 * margin:.2f} pp (one point of the page's test set)"
    none = (f"**Averaged over the settings, float32 and float64 train to the same accuracy {within}**: no precision "
            "effect survives Holm's correction, and every level's 90% interval lies inside that margin (two one-sided "
            "tests at 5%, TOST); whether each setting does is said below"
            if ef.equivalence_verdict(effects, "precision", margin) == "equivalent" else
            f"**No precision effect survives Holm's correction, but sameness {within} is not shown**: some level's "
            "90% interval (TOST at 5%) reaches past that margin")
    parts = [factor_conclusion(effects, effect, none=none, **LEADS[effect]), sameness_sentence(effects, effect, margin),
             margin_reason(margin), rounding_sentence(runs, ef.metric_of(effects)) if runs is not None else "",
             identical_sentence(effects)]
    return " ".join(part for part in parts if part)


# ---------------------------------------------------------------- conditions (findings.conditions)


def outward(bound: float, digits: int = 1) -> str:
    """An interval's bound (a difference of accuracies) in pp, rounded away from zero: 0.0194 -> '2.0', so
    that 'rules out more than X' never claims more than the interval does."""
    scaled = 100 * abs(bound) * 10 ** digits
    return f"{math.ceil(scaled - 1e-9) / 10 ** digits:.{digits}f}"


def label_columns(rows: pd.DataFrame) -> list[str]:
    """The setting columns that name rows of one table: optimizer and learning rate, and whatever else varies."""
    return [key for key in SETTING_PARTS if key in ("optimizer", "learning_rate")
            or (key in rows and key != "init" and key in varying_columns(rows))]


def setting_names(rows: pd.DataFrame) -> list[str]:
    """Distinct short names of per-setting rows, always with optimizer and learning rate: 'Adam, lr 0.2'."""
    keep = label_columns(rows)
    return list(dict.fromkeys(setting_label(row, keep) for _, row in rows.iterrows()))


def margin_reason(margin: float | None) -> str:
    """Why the equivalence margin is what it is, and when it was set (``findings.effects``)."""
    if margin is None:
        return ""
    when = ("It was fixed before the data." if ef.MARGIN_FIXED_BEFORE_DATA else
            "It was chosen after the sweep's results had been published, not fixed before them.")
    return (f"The margin, ±{100 * margin:.2f} pp, is one point of the page's {round(1 / margin)}-point test set: the "
            "smallest difference the page's own evaluation can show. It is applied to the fresh sample, which "
            f"resolves far smaller differences. {when}")


def sameness_sentence(effects: pd.DataFrame, effect: str, margin: float | None) -> str:
    """The equivalence test pooled and per setting: which levels and how many settings pass, the level
    whose 90% interval reaches furthest when one fails, and the settings that fail."""
    if margin is None:
        return ""
    same = conditions.sameness(effects, effect, margin)
    if not same["levels"]:
        return ""
    name = ef.METRIC_NAMES[ef.metric_of(effects)]
    text = (f"Sameness, on {name}, by the equivalence test (TOST at 5%: the 90% interval of the difference inside "
            f"±{100 * margin:.2f} pp): averaged over the settings it passes at {same['levels_equivalent']} of "
            f"{plural(same['levels'], 'level')}")
    widest = same["widest"]
    if same["levels_equivalent"] < same["levels"]:
        text += (f" and fails {where(effect, widest['within'])} (90% interval {points(widest['low'], 2, unit=False)} to "
                 f"{points(widest['high'], 2)})")
    text += f"; setting by setting it passes {same['settings_equivalent']} of {setting_tests(effects, effect)}"
    if len(same["failing"]):
        text += f"; it fails at {'; '.join(setting_names(same['failing']))}"
    return text + "."


def split_sentence(effects: pd.DataFrame, effect: str, epochs: pd.DataFrame | None) -> str:
    """When one optimizer carries a pooled effect (``conditions.carried_by``): its share, the largest
    setting, the other optimizer's range, and whether the settings carrying it had converged."""
    carrier = conditions.carried_by(effects, effect)
    if carrier is None:
        return ""
    name, largest = optimizer_name(carrier["optimizer"]), carrier["largest"]
    others = "; ".join(f"under {optimizer_name(other)} it is {points(low, unit=False)} to {points(high)}"
                       for other, (low, high) in carrier["means"].items() if other != carrier["optimizer"])
    low, high = round(100 * carrier["share_low"]), round(100 * carrier["share_high"])
    text = (f"The pooled effect hides a split: {name}'s settings carry {low}–{high}% of it at every level "
            f"(the rule: one optimizer {100 * conditions.SPLIT_SHARE:.0f}% or more), "
            f"{setting_label(largest, label_columns(ef.setting_rows(effects, effect)))} "
            f"alone {setting_size(carrier['largest_across_levels'])}; {others}.")
    return f"{text} {convergence_sentence(epochs, carrier['optimizer'])}".rstrip()


def setting_size(sizes: dict) -> str:
    """'+26.1 to +27.3 pp (48–53% of its level) over the 4 levels': a setting's effect over every level held
    fixed, not only at the level where it is largest."""
    share_low, share_high = round(100 * sizes["share_low"]), round(100 * sizes["share_high"])
    if sizes["levels"] < 2:
        return f"{points(sizes['high'])} ({share_high}% of its level)"
    shares = f"{share_low}%" if share_low == share_high else f"{share_low}–{share_high}%"
    return (f"{points(sizes['low'], unit=False)} to {points(sizes['high'])} ({shares} of its level) over the "
            f"{sizes['levels']} levels")


def convergence_sentence(epochs: pd.DataFrame | None, optimizer: str | None = None) -> str:
    """Which settings are still improving at their last epochs (``conditions.convergence``), by the rule
    stated; with ``optimizer``, whether that optimizer's settings are among them."""
    if epochs is None:
        return ""
    table = conditions.convergence(epochs)
    if table.empty:
        return (f"With fewer than {conditions.LAST_EPOCHS + 1} epochs, whether a setting is still improving over its "
                f"last {conditions.LAST_EPOCHS} is not measured.")
    rule = (f"(training accuracy, mean over the runs, up by more than {100 * conditions.STILL_IMPROVING:.0f} pp over the "
            f"last {conditions.LAST_EPOCHS} epochs)")
    improving = table[table["still_improving"]]
    if improving.empty:
        return f"No setting is still improving at its last epochs {rule}."
    listed = "; ".join(f"{setting_label(row, label_columns(table))} ({points(row['rise'])})"
                       for _, row in improving.iterrows())
    text = f"Still improving at the last epochs {rule}: {listed}"
    if optimizer is not None:
        mine = table[table["optimizer"] == optimizer]
        if len(mine) and mine["still_improving"].all():
            text += (f"; every {optimizer_name(optimizer)} setting is, so its effect is measured before "
                     f"{optimizer_name(optimizer)} has converged")
    return text + "."


def curve_setting(setting: dict) -> str:
    """Every part of a run's setting: 'SGD, lr 0.05, batch 16, page init, float64'."""
    return ", ".join(SETTING_PARTS.get(part, str)(value) for part, value in setting.items())


def training_curves_key(columns: list[dict]) -> str:
    """What the training figure's bands and dashed lines each show (``findings.settings.training_curve_sources``):
    the bands' setting per column, and the page's own runs at theirs, with what differs from the bands'."""
    bands = " and ".join(f"{curve_setting(column['bands'])} ({optimizer_name(column['optimizer'])} column)"
                         for column in columns)
    text = f"Bands: mean ± one standard deviation over seeds of the sweep's runs at {bands}."
    dashed = []
    for column in columns:
        for run in column["page_runs"]:
            differs = curve_setting({part: column["bands"][part] for part in run["differs"]})
            dashed.append(f"{framework_name(run['framework'])} at {curve_setting(run['setting'])}, seed {run['seed']}"
                          + (f" (the bands beside it: {differs})" if differs else " (the bands' setting)"))
    if not dashed:
        return text
    return text + " Dashed: the page's own runs, each at its own setting: " + "; ".join(dashed) + "."


def chance_sentence(runs: pd.DataFrame, n_classes: int, metric: str) -> str:
    """How many finished runs end at chance, which the divergence rule cannot see, and in which settings."""
    found = conditions.at_chance(runs, n_classes, metric)
    sweep = runs[runs["group"] == "sweep"]
    chance = conditions.chance_level(n_classes)
    rule = (f"{ef.METRIC_NAMES.get(metric, metric)} within {100 * conditions.CHANCE_MARGIN:.0f} pp of chance, "
            f"{percent(chance)}: a network predicting nearly one class everywhere")
    if found.empty:
        return f"None of the sweep's {len(sweep)} runs ends at chance ({rule})."
    counts = found.groupby(["optimizer", "learning_rate", "framework", "init"], sort=True).size()
    listed = "; ".join(f"{optimizer_name(opt)}, lr {lr:g}, {framework_name(fw)}, {init} init: {count}"
                       for (opt, lr, fw, init), count in counts.items())
    return (f"{len(found)} of the sweep's {len(sweep)} runs end at chance ({rule}) without diverging: their loss "
            f"stays finite, so the divergence rule counts them as healthy. They are kept in the means ({listed}).")


def rounding_sentence(runs: pd.DataFrame, metric: str) -> str:
    """The settings where a change of precision alone moves a run by more than ``ROUNDING_SWING``."""
    swings = conditions.rounding_swings(runs, metric)
    sensitive = swings[swings["sensitive"]] if len(swings) else swings
    if sensitive.empty:
        return ""
    listed = "; ".join(f"{setting_label(row, label_columns(swings))} (up to {100 * row['swing']:.1f} pp)"
                       for _, row in sensitive.iterrows())
    return (f"Some settings are chaotic: rounding alone (float32 against float64, same framework, initialisation "
            f"and seed) moves a run's {ef.METRIC_NAMES.get(metric, metric)} by more than "
            f"{100 * conditions.ROUNDING_SWING:.0f} pp at {listed}; a per-run difference there says little.")


PAIR_NAMES = {"framework": "a framework pair", "init": "an initialisation pair", "precision": "a precision pair"}


def pairing_sentence(runs: pd.DataFrame, metric: str) -> str:
    """What the two runs of each kind of pair share, and how much they move together across seeds."""
    correlations = conditions.pair_correlations(runs, metric)
    parts = []
    for effect, (shared, apart) in conditions.SHARED.items():
        if effect not in correlations:
            continue
        r = correlations[effect]
        parts.append(f"{PAIR_NAMES[effect]} shares {shared}, not {apart}; across seeds its two runs' "
                     f"{ef.METRIC_NAMES.get(metric, metric)} correlate at r = {r['median']:.2f} (median over "
                     f"{r['groups']} settings and levels)")
    if not parts:
        return ("How much the two runs of a pair move together across seeds is not measured: it needs three seeds "
                "or more, with accuracies that vary.")
    return ("What a pair shares: " + "; ".join(parts) + ". Pairing removes the seed's noise only as far as the two "
            "runs move together: little where r is near 0.")


def identical_sentence(effects: pd.DataFrame) -> str:
    """Which settings gave float32 and float64 the same accuracy on every seed, and why they can."""
    rows = ef.identical_settings(effects, "precision")
    if rows.empty:
        return ""
    varying = varying_columns(rows)
    listed = "; ".join(f"{where('precision', within)}: " + " / ".join(setting_label(r, varying) for _, r in group.iterrows())
                       for within, group in rows.groupby("within", sort=True))
    return (f"In {len(rows)} of the {len(ef.setting_rows(effects, 'precision'))} per-setting rows float32 and float64 "
            f"give the same accuracy on every seed ({listed}). Both precisions start there from the same weights up "
            "to rounding, and the rounding differences stay too small to move any prediction; where they differ, "
            "larger steps (Adam, larger learning rates) amplify them, or the two precisions start from different draws.")


def setting_tests(effects: pd.DataFrame, effect: str) -> str:
    """'24 per-setting tests (6 settings × 4 levels)': the sweep's settings are counted once, so a
    count over settings and levels says what it multiplies."""
    rows = ef.setting_rows(effects, effect)
    keys = [key for key in effects_module.SETTING_COLUMNS if key in rows.columns]
    settings, levels = len(rows[keys].drop_duplicates()), rows["within"].nunique()
    return f"{plural(len(rows), 'per-setting test')} ({plural(settings, 'setting')} × {plural(levels, 'level')})"


def untested_rows(effects: pd.DataFrame, effect: str, tested: int) -> str:
    """Why fewer effects were tested than there are per-setting rows: rows whose two runs agree on every
    seed have no spread, so no test."""
    rows = len(ef.setting_rows(effects, effect))
    if tested == rows:
        return ""
    return (f"; the other {rows - tested} of the {rows} per-setting rows are left out: their two runs gave "
            "identical results on every seed, so there is nothing to test")


def per_setting_summary(effects: pd.DataFrame, effect: str) -> str:
    """'3 of 24 per-setting effects are significant after Holm (all favouring neurogebra).'"""
    counts = ef.significant_settings(effects, effect)
    tested, significant = counts["tested"], counts["significant"]
    if not tested:
        return ""
    why = untested_rows(effects, effect, tested)
    if not significant:
        return (f"Setting by setting, none of the {plural(tested, 'effect')} tested is significant after "
                f"Holm's correction{why}.")
    return (f"Setting by setting, {significant} of the {plural(tested, 'effect')} tested "
            f"{'is' if significant == 1 else 'are'} significant after Holm's correction over the {tested} "
            f"(favouring {' or '.join(counts['sides'])}){why}.")


def decomposition_conclusion(parts: dict | None) -> str:
    """The page's gap as the sum of its parts, naming the largest."""
    if parts is None:
        return ("The sweep does not train both of the page's optimizer settings with its batch size, epochs and "
                "network in both frameworks and both initialisations, so the page's gap cannot be split into parts.")
    pieces, largest = page_gap.largest_part(parts)
    spread, typical = parts["total"]["std"], page_gap.seed_is_typical(parts)
    metric = ef.METRIC_NAMES.get(parts.get("metric", "test_accuracy"), parts.get("metric"))
    text = (f"The page's gap in {metric}, neurogebra − PyTorch on seed {parts['seed']}, is {points(parts['observed'])} = "
            + " + ".join(f"{name} {points(value)}" for name, value in pieces.items())
            + f". **The largest part is {largest}**"
            + {"optimizer": " (SGD at the page's learning rate instead of Adam)",
               "framework": " (neurogebra instead of PyTorch, same optimizer, initialisation and precision)",
               "precision": " (PyTorch's float32 instead of float64)",
               "initialisation": " (the page's initial weights instead of PyTorch's default)",
               "chance": " (this seed's luck, beyond what the sweep's mean explains)"}[largest]
            + f". The parts are means over {plural(parts['n_seeds'], 'seed')} of the sweep; ")
    if typical is not None:
        text += (f"across those seeds the same comparison varies with a standard deviation of {100 * spread:.1f} pp, "
                 f"so the page's seed is {'an ordinary draw' if typical else 'an unusual draw'}.")
    else:
        text += "with fewer than two seeds its spread is unknown."
    return text


def gap_on_two_samples(on_test: dict | None, on_fresh: dict | None, runs: pd.DataFrame, n_test: int,
                       n_fresh: int) -> str:
    """Why the page's gap is split twice with different numbers (``page_gap.page_comparison_parts`` on test
    accuracy and on the fresh sample): the same runs, counted on two samples of different size. "" when
    there are not two splits to set side by side."""
    if on_test is None or on_fresh is None or on_test["metric"] == on_fresh["metric"]:
        return ""
    pieces_test, largest = page_gap.largest_part(on_test)
    pieces_fresh = page_gap.largest_part(on_fresh)[0]
    fresh = " + ".join(f"{name} {points(value)}" for name, value in pieces_fresh.items())
    return (f"The box at the top splits the same gap counted on the fresh sample ({n_fresh:,} points per seed) "
            f"instead of each seed's {n_test} test points: {points(on_fresh['observed'])} = {fresh}, against "
            f"{points(on_test['observed'])} here ({largest} {points(pieces_test[largest])} against "
            f"{points(pieces_fresh[largest])}); the runs are the same, and the two splits differ by the test set's "
            f"sampling noise, a standard error of {100 * page_gap.sampling_error(runs, n_test):.1f} pp on one run's "
            f"accuracy at the page's runs' accuracy (one test point is {100 / n_test:.2f} pp), which the fresh "
            f"sample all but removes ({100 * page_gap.sampling_error(runs, n_fresh):.2f} pp).")


def engine_sentence(runs: pd.DataFrame) -> str:
    """Which engine trained what, engine by engine: 'neurogebra's numpy tensor engine trained ...'."""
    usage = engines.engine_usage(runs)
    if usage.empty:
        return "The runs table does not say which engine trained each run."
    parts = []
    for engine, rows in usage.groupby("engine", sort=False):
        what = " and ".join(f"{GROUP_NAMES.get(r.group, r.group)} of {framework_name(r.framework)} ({r.runs})"
                            for r in rows.itertuples())
        parts.append(f"{ENGINE_NAMES.get(engine, engine)} trained {what}")
    return "Which engine trained what: " + "; ".join(parts) + "."


GROUP_NAMES = {"sweep": "the sweep's runs", "tutorial": "the page's own run", "engine_check": "the engine check"}
ENGINE_NAMES = {"scalar": "neurogebra's scalar `Value` engine", "tensor": "neurogebra's numpy tensor engine",
                "torch": "PyTorch"}


def engine_agreement_sentence(agreement: dict, scope: dict, tolerance: float = ENGINE_LOSS_TOLERANCE) -> str:
    """The engine check in words: do the scalar and tensor engines give the same numbers, at the one setting
    the check trains (``findings.engines.engine_check_scope``), and what it does not cover."""
    if not agreement["seeds"]:
        return "No run was trained by both of neurogebra's engines, so their agreement is not checked."
    setting = curve_setting(scope["checked"])
    numbers = (f"on {plural(agreement['seeds'], 'seed')}, the page's neurogebra setting ({setting}) trained by both "
               f"engines gives epoch losses within {agreement['max_abs_diff']:.1e} of each other "
               f"(tolerance {tolerance:.0e}), the same training accuracy in {agreement['same_accuracy_epochs']} "
               f"of {agreement['epochs']} epochs and the same test accuracy on {agreement['seeds_same_test_accuracy']} of {agreement['seeds']} seeds")
    if agreement["all_agree"]:
        text = (f"**The two engines agree at the one setting checked**: {numbers}. The tensor engine's runs at that "
                "setting stand for what the page's scalar engine would have computed.")
    else:
        text = (f"**The two engines do not agree everywhere**: {numbers}. Runs trained by the tensor engine may differ "
                "from what the page's scalar engine computes.")
    return text + unchecked_settings(scope)


def controlled_setting(setup: dict) -> str:
    """The one optimizer setting the controlled run trains (the config's ``controlled``): 'SGD, lr 0.05, batch 16'."""
    return curve_setting({part: setup[part] for part in ("optimizer", "learning_rate", "batch_size")})


def controlled_sentence(agreement: dict, setup: dict) -> str:
    """The controlled run in words (``findings.engines.controlled_agreement``), under the one optimizer
    setting it trains: what it shows holds for that setting."""
    setting = controlled_setting(setup)
    text = (f"Over {agreement['epochs']} epochs of {setting} in float64 the losses differ by at most "
            f"{agreement['max_abs_diff']:.1e} ({'within' if agreement['within_tolerance'] else 'outside'} the "
            f"{agreement['tolerance']:.0e} tolerance), and the training accuracy is identical in "
            f"{agreement['epochs_same_accuracy']} of {agreement['epochs']} epochs: neurogebra's two engines and PyTorch ")
    if not agreement["within_tolerance"]:
        return text + f"do not compute the same numbers with {setting}."
    return text + (f"compute the same function and the same gradients in this run, with {setting}; where their "
                   "results differ elsewhere, the runs differ in what they do not share (optimizer, initial weights, "
                   "precision).")


def unchecked_settings(scope: dict) -> str:
    """What the engine check leaves out: the sweep's other neurogebra settings, with the values they take."""
    if not scope["unchecked"]:
        return ""
    values = "; ".join(", ".join(SETTING_PARTS.get(part, str)(value) for value in values)
                       for part, values in scope["other_values"].items())
    return (f" The check covers that setting only: the sweep's {plural(scope['unchecked'], 'other neurogebra setting')}"
            f" (they take {values}) are not compared between the engines.")


def cost_sentence(cost: dict, config: dict) -> str:
    """What training this config's runs took, summed over runs (jobs ran side by side, so wall time is less)."""
    if not cost["runs"]:
        return "No run timing was recorded."
    parts = ", ".join(f"{framework_name(fw)} {minutes_text(seconds_)}" for fw, seconds_ in sorted(cost["by_framework"].items()))
    return (f"Training the {plural(cost['runs'], 'run')} of this configuration ({plural(len(config['seeds']), 'seed')}) "
            f"took {minutes_text(cost['seconds'])} of training time summed over runs ({parts}): seconds per epoch, "
            "measured while jobs shared the machine, times the epochs each run completed.")


def minutes_text(value: float) -> str:
    return seconds(value) if value < 120 else f"{value / 60:.1f} min"


def complexity_conclusion(complexity: pd.DataFrame) -> str:
    """Measured totals against the page's, and the claim furthest off (``code_size.furthest_claim``)."""
    total, worst = code_size.totals(complexity), code_size.furthest_claim(complexity)
    return (
        f"Measured: **{int(total['neurogebra_lines'])} lines for neurogebra against {int(total['pytorch_lines'])} "
        f"for PyTorch** ({ratio(total['measured_ratio'])}); the page claims ~{int(total['page_neurogebra_lines'])} "
        f"against ~{int(total['page_pytorch_lines'])} ({ratio(total['claimed_ratio'])}). The claim furthest off, as a "
        f"factor either way, is {framework_name(worst['framework'])}'s {worst['component']}: {worst['measured']} lines "
        f"measured, {worst['claimed']} claimed ({ratio(worst['factor'])} "
        f"{'more' if worst['measured'] > worst['claimed'] else 'fewer'})."
    )


# ---------------------------------------------------------------- MathForge


def relu_values(forge: pd.DataFrame) -> str:
    """'ReLU(2) = 2 (gradient 1), ReLU(-2) = 0 (gradient 0)' from MathForge's rows for relu."""
    relu = forge[forge["expression"] == "relu"].sort_values("x", ascending=False)
    return ", ".join(f"ReLU({r.x:g}) = {r.value:g} (gradient {r.gradient_value:g})" for r in relu.itertuples())


IMPLEMENTATION_NAMES = {"scalar": "neurogebra's scalar engine", "tensor": "neurogebra's tensor engine",
                        "torch": "PyTorch", "numpy": "numpy by hand (no autograd)"}
@missing_as_dash
def speedup(value) -> str:
    """'1.07×': ratios near 1 with two decimals, so that one below ``CLEAR_SPEEDUP`` never prints as 1.1×."""
    return f"{value:.2f}×"


def precision_speed_conclusion(speed: pd.DataFrame) -> str:
    """What float32 buys each implementation timed in both precisions, and from which width on, in one sentence."""
    speedups = sp.precision_speedups(speed)
    if speedups.empty:
        return "Float32 was not timed beside float64, so what it buys in speed is not measured here."
    names = {**IMPLEMENTATION_NAMES, "numpy": "the hand-written numpy floor"}
    parts, late = [], False
    for name, rows in speedups.groupby("implementation", sort=False):
        first, last = rows.iloc[0], rows.iloc[-1]
        measured = f"{speedup(first['speedup'])} at width {int(first['hidden_width'])}"
        if len(rows) > 1:
            measured += f", {speedup(last['speedup'])} at width {int(last['hidden_width'])}"
        faster_from = sp.float32_faster_from(speedups, name)
        unstable = [str(int(w)) for w in rows.loc[~rows["stable"].astype(bool), "hidden_width"]]
        faster_at = [str(int(w)) for w in rows.loc[rows["verdict"] == sp.FASTER, "hidden_width"]]
        if faster_from is None and unstable:
            verdict = ((f"**faster at width {', '.join(faster_at)}**; " if faster_at else "no gain shown; ")
                       + f"not resolved at width {', '.join(unstable)}, whose timings were unstable")
        elif faster_from is None:
            verdict = "no clear gain at any width measured"
        elif faster_from == first["hidden_width"]:
            verdict = "**faster at every width measured**"
        else:
            verdict, late = f"**faster from width {faster_from} on**", True
        parts.append(f"{names[name]} {measured} ({verdict})")
    why = ("; below the width where a gain starts, an epoch's time goes to per-operation overhead, which the "
           "precision does not shrink" if late else "")
    return (f"What float32 buys, all else equal (float64's time per epoch over float32's, round by round; float32 "
            f"counts as faster where the whole interval of that ratio is above {sp.CLEAR_SPEEDUP:.1f}×): "
            + "; ".join(parts) + why + ".")


def compared_speed(value: float, low: float, high: float, verdict: str, peer: str = "PyTorch") -> str:
    """One speed-up (the peer's time over this one's) with its interval, worded by its verdict
    (``findings.speed.speed_verdict``): '2.3× faster than PyTorch (interval 2.1× – 2.5×)', 'about as fast
    as PyTorch (1.02×, interval 0.97× – 1.06×)', 'not shown faster or slower than PyTorch (...)', or
    'not compared with PyTorch: their timings were unstable'."""
    interval = f"interval {speedup_range(low, high)}"
    if verdict == sp.UNSTABLE:
        # The number is shown, but an unstable cell's interval is not trusted to carry a verdict.
        return (f"{speedup(value)} as fast as {peer} ({interval}), with no verdict drawn: the timings of a cell it "
                "comes from spread more than the stability limit allows")
    if verdict == sp.FASTER:
        return f"{ratio(value)} faster than {peer} ({interval})"
    if verdict == sp.SLOWER:
        return f"{ratio(1 / value)} slower than {peer} ({interval} as fast)"
    if verdict == sp.SAME:
        return f"about as fast as {peer} ({speedup(value)}, {interval})"
    return f"neither shown faster nor shown as fast as {peer} ({speedup(value)}, {interval})"


def speedup_range(low, high) -> str:
    """'0.97× – 1.06×'."""
    return f"{speedup(low)} – {speedup(high)}"


def tensor_engine_speed(facts: dict) -> str:
    """'in float64 on one thread, neurogebra's tensor engine is 4.0× faster than PyTorch (interval ...) at
    width 16; at width 1024, the largest timed, it is 1.4× slower than PyTorch (...) in float32 and ...
    in float64' (``findings.speed.speed_facts``), each worded by the verdict its interval allows, each
    naming its precision and width."""
    text = ("in float64 on one thread, neurogebra's tensor engine is "
            + compared_speed(facts["tensor_speedup"], facts["tensor_speedup_low"], facts["tensor_speedup_high"],
                             facts["tensor_verdict"]) + f" at width {facts['width']}")
    largest = largest_width_speeds(facts)
    return text + (f"; at width {facts['largest_width']}, the largest timed, it is: {largest}" if largest else "")


def largest_width_speeds(facts: dict) -> str:
    """The tensor engine against PyTorch at the largest width, one clause per precision timed there
    (float64 from the float64 facts when no per-precision answers were computed)."""
    by_precision = facts.get("largest_by_precision") or {sp.COMPARED_PRECISION: {
        "width": facts["largest_width"], "speedup": facts["largest_tensor_speedup"],
        "low": facts["largest_tensor_speedup_low"], "high": facts["largest_tensor_speedup_high"],
        "verdict": facts["largest_tensor_verdict"]}}
    at_largest = {precision: answer for precision, answer in by_precision.items()
                  if answer["width"] == facts["largest_width"] != facts["width"]}
    return " and ".join(f"in {precision} " + compared_speed(answer["speedup"], answer["low"], answer["high"],
                                                            answer["verdict"])
                        for precision, answer in sorted(at_largest.items()))


def stability_sentence(speed: pd.DataFrame) -> str:
    """Which cells of the speed job timed unsteadily, from its ``stable`` marks."""
    cells = sp.cell_stability(speed)
    unstable = cells[~cells["stable"]]
    rounds = f"{int(cells['rounds'].min())} to {int(cells['rounds'].max())}" if cells["rounds"].nunique() > 1 \
        else f"{int(cells['rounds'].max())}"
    if unstable.empty:
        return (f"Every cell was stable ({rounds} rounds; interquartile range at most "
                f"{100 * cells['relative_spread'].max():.0f}% of the median).")
    names = {**IMPLEMENTATION_NAMES, "numpy": "numpy floor"}
    listed = "; ".join(f"{names[r.implementation]} in {r.precision} at width {r.hidden_width} "
                       f"({100 * r.relative_spread:.0f}%)" for r in unstable.itertuples())
    return (f"**Unstable timings**: {len(unstable)} of {len(cells)} cells stayed unstable after {rounds} rounds "
            f"(interquartile range over median above the threshold): {listed}. Other cells timed in the same "
            "rounds stayed steady, so the spread belongs to those cells, not only to the machine. No verdict is "
            "drawn from them; their numbers are shown, not compared.")


def relative_speed(speedup: float, peer: str = "PyTorch") -> str:
    """'2.3× faster than PyTorch' for a speed-up of 2.3, '2.5× slower than PyTorch' for one of 0.4."""
    return f"{ratio(speedup)} faster than {peer}" if speedup > 1 else f"{ratio(1 / speedup)} slower than {peer}"


def inverse_verdict(verdict: str) -> str:
    """The verdict on the other side of a ratio: PyTorch faster is the tensor engine slower."""
    return {sp.FASTER: sp.SLOWER, sp.SLOWER: sp.FASTER}.get(verdict, verdict)


def speed_conclusion(speed: pd.DataFrame, width: int) -> str:
    """What the speed figure means, in one sentence made from the measurements."""
    by_width = sp.speed_by_width(speed).set_index("hidden_width")
    at = by_width.loc[width]
    tensor_vs_torch = compared_speed(1 / at["tensor_ratio"], 1 / at["tensor_ratio_high"], 1 / at["tensor_ratio_low"],
                                     inverse_verdict(at["tensor_ratio_verdict"]))
    floor = (f" and {ratio(at['floor_ratio'])} the time of the hand-written numpy floor"
             if np.isfinite(at["floor_ratio"]) else "")
    scalar = (", while the scalar engine is " + compared_speed(1 / at["ratio"], 1 / at["ratio_high"], 1 / at["ratio_low"],
                                                                inverse_verdict(at["ratio_verdict"]))
              if np.isfinite(at["ratio"]) else "")
    return (f"At hidden width {width}, in float64, vectorising alone (neurogebra's tensor engine, from scratch in "
            f"numpy) is {tensor_vs_torch}{floor}{scalar}; {overtaking(speed)}.")


def overtaking(speed: pd.DataFrame) -> str:
    """Whether PyTorch overtakes the tensor engine, decided in each precision timed by that precision's
    verdicts (overtaking: shown faster at a width and every larger one), with the why when it does."""
    clauses, overtaken = [], False
    for precision in sorted(set(speed["precision"])):
        verdicts = sp.ratio_verdicts(speed, "torch", "tensor", precision)
        if verdicts.empty:
            continue
        crossover, largest = sp.crossover_width(speed, precision=precision), verdicts.iloc[-1]
        if crossover is not None:
            overtaken = True
            clauses.append(f"in {precision} PyTorch overtakes it from width {crossover} on")
            continue
        clause = f"in {precision} PyTorch is not shown to overtake it up to width {int(largest['hidden_width'])}"
        if largest["verdict"] == sp.UNSTABLE:
            clause += (f" (there the tensor engine measured {speedup(largest['ratio'])} as fast as PyTorch, but that "
                       "cell's timings were too unstable for a verdict)")
        clauses.append(clause)
    why = ("; below the width where PyTorch takes over, per-operation overhead decides and vectorised numpy pays "
           "less of it; above, arithmetic decides and PyTorch's kernels are faster" if overtaken else "")
    return ("whether PyTorch overtakes it (is shown faster at a width and every larger one) is decided per precision: "
            + "; ".join(clauses) + why)


def pins_sentence(platform: dict) -> str:
    """Whether the speed job's timings were taken under the numeric pins, which choose kernels for every
    x86-64-v3 CPU alike rather than the fastest for this one (``platform``: the speed job's)."""
    where = f"on {platform['cpu']} ({platform['isa_level']})"
    blas = re.search(r"kernel (\S+),", platform["blas"])
    kernels = (f"numpy's loops up to {platform['numpy_dispatch'].split()[-1]}, "
               f"{'the ' + blas.group(1) + ' kernel of ' if blas else ''}its BLAS, "
               f"PyTorch's {platform['torch_cpu_capability']} kernels")
    if platform["pins"] == "on":
        return (f"The speed job's timings were taken {where} under the numeric pins that make the results the same "
                f"on every x86-64 CPU with AVX2 ({kernels}): a library left alone may pick a faster kernel.")
    return (f"The speed job's timings were taken {where} without the numeric pins, each library with the kernels "
            f"it picks for this CPU ({kernels}); the trained runs, whose numbers are compared byte for byte, use "
            "the pins, which cost speed at large widths (docs/reproducibility.md measures how much).")


# ---------------------------------------------------------------- formatting


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def optimizer_name(optimizer: str) -> str:
    return OPTIMIZER_NAMES.get(optimizer, optimizer)


def framework_name(framework: str) -> str:
    return FRAMEWORK_NAMES.get(framework, framework)


def diverged_rows(runs: pd.DataFrame) -> str:
    """What the accuracy table's red rows mean, said only when there are any."""
    diverged = int((runs["status"] == "diverged").sum())
    if diverged:
        return f"Rows in red had runs that diverged ({diverged:,} of {len(runs):,} runs)."
    return f"None of the {len(runs):,} runs diverged, so no row is marked."


@missing_as_dash
def percent(value, digits: int = 1) -> str:
    """0.8533 -> '85.3%'."""
    return f"{100 * value:.{digits}f}%"


@missing_as_dash
def points(value, digits: int = 1, unit: bool = True) -> str:
    """A difference of two accuracies in percentage points, signed: -0.021 -> '−2.1 pp'."""
    text = f"{100 * value:+.{digits}f}".replace("-", "−")
    if float(text[1:]) == 0:  # a difference that rounds to nothing has no sign
        text = text[1:]
    return text + (" pp" if unit else "")


def p_value(value, relation: bool = False) -> str:
    """A p-value: two significant digits, '< 0.0001' below that (``relation``: '= 0.004' / '< 0.0001')."""
    if value is None or not np.isfinite(value):
        return "= –" if relation else "–"
    if value < 1e-4:
        return "< 0.0001"
    return f"= {value:.2g}" if relation else f"{value:.2g}"


@missing_as_dash
def ratio(value, digits: int = 0) -> str:
    return f"{value:,.{digits}f}×" if value >= 10 else f"{value:.1f}×"


def ratio_range(low, high) -> str:
    """'6.2× – 25×'; with one more digit where the usual rounding would print the same number twice."""
    text_low, text_high = ratio(low), ratio(high)
    if text_low == text_high and text_low != "–":
        return f"{low:.{2 if low < 10 else 1}f}× – {high:.{2 if high < 10 else 1}f}×"
    return f"{text_low} – {text_high}"


@missing_as_dash
def seconds(value) -> str:
    """Seconds with three significant digits, in ms below one second."""
    return f"{value:.3g} s" if value >= 1 else f"{1000 * value:.3g} ms"
def span(pooled: pd.DataFrame) -> str:
    """The pooled means of one effect as one range over its levels: '−0.3 to +0.6 pp over 4 levels'."""
    low, high = points(pooled["mean"].min()), points(pooled["mean"].max())
    if len(pooled) == 1 or low == high:
        return low
    return f"{low.removesuffix(' pp')} to {high} over {len(pooled)} levels"


def headline(effects: pd.DataFrame, parts: dict | None, speed: dict | None = None, margin: float | None = None,
             epochs: pd.DataFrame | None = None) -> str:
    """The box at the top of the report, one metric per sentence and each named: the fair comparison and
    whether sameness is shown (with ``margin``), the initialisation and the optimizer that carries it (and,
    from ``epochs``, whether that optimizer had converged), the precision pooled and per setting, the
    page's gap (on the metric ``parts`` were computed on), the speed."""
    name = ef.METRIC_NAMES[ef.metric_of(effects)]
    start = (f"By {name}, with the same initialisation scheme (each framework draws its own weights from it and "
             "its own batch order), precision, optimizer and settings, ")
    precision = conditions.sameness(effects, "precision", margin) if margin is not None else None
    equivalent = precision is not None and precision["verdict"] == "equivalent"
    sentences = [factor_sentence(effect_verdict(effects, effect), effect, *words) for effect, *words in (
        ("framework", f"{start}**no difference between neurogebra and PyTorch survives Holm's correction**",
         f"{start}**{{side}} is more accurate**", start),
        ("init", f"By {name}, no effect of the initialisation scheme survives Holm's correction",
         f"**The initialisation matters**: by {name}, {{side}} is more accurate",
         f"**The initialisation matters**: by {name}, "),
        ("precision", f"By {name}, averaged over the settings, float32 and float64 train to the same accuracy within "
         f"±{100 * margin:.2f} pp by an equivalence test" if equivalent else
         f"By {name}, float32 against float64 makes no difference that survives Holm's correction",
         f"**The precision matters**: by {name}, {{side}} is more accurate", f"**The precision matters**: by {name}, "))]
    framework, init, precision_sentence = sentences
    sentences = [framework or "The sweep has no matched comparison of the two frameworks.",
                 headline_sameness(effects, margin) if framework else "", init or "",
                 headline_split(effects, epochs) if init else "", precision_sentence or ""]
    if equivalent and precision["settings_equivalent"] < precision["settings"]:
        sentences.append(f"Setting by setting, {precision['settings_equivalent']} of "
                         f"{setting_tests(effects, 'precision')} pass that "
                         f"test; it fails at {'; '.join(setting_names(precision['failing']))}.")
    if parts is not None:
        pieces, largest = page_gap.largest_part(parts)
        sentences.append(
            f"By {ef.METRIC_NAMES.get(parts['metric'], parts['metric'])}, the page's own comparison (SGD against Adam, "
            f"different initial weights, one seed) shows a gap of {points(parts['observed'])}; its largest part is "
            f"**{largest}** ({points(pieces[largest])}).")
    if speed is not None:
        text = (f"Per epoch at hidden width {speed['width']}, PyTorch is "
                + compared_speed(speed["ratio"], speed["ratio_low"], speed["ratio_high"],
                                 speed.get("scalar_verdict", sp.NOT_RESOLVED), "neurogebra's scalar engine (the page's)"))
        if math.isfinite(speed.get("tensor_speedup", math.nan)):
            text += f", and {tensor_engine_speed(speed)}"
        sentences.append(text + ".")
    return "**In short.** " + " ".join(sentence for sentence in sentences if sentence)


def in_short(effects: pd.DataFrame, parts: dict | None, speed: dict | None = None,
             margin: float | None = None) -> str:
    """The box at the top, readable in one breath: one sentence on the three effects, one on the page's gap,
    one on speed, each naming its metric and carrying at most one number; ``headline`` gives the same findings
    with their numbers, further down."""
    name = ef.METRIC_NAMES[ef.metric_of(effects)]
    clauses = []
    for effect, subject in (("framework", "neurogebra against PyTorch"), ("init", "the initialisation scheme"),
                            ("precision", "float32 against float64")):
        verdict = ef.effect_verdict(effects, effect)
        if verdict["pooled"].empty:
            continue
        if verdict["kind"] == "none":
            same = None if margin is None else conditions.sameness(effects, effect, margin)["verdict"] == "equivalent"
            clauses.append(f"{subject} makes no difference that survives Holm's correction"
                           + ("" if same is None else f" (the same within ±{100 * margin:.2f} pp by an equivalence test, "
                                                      "a margin chosen after the results)"
                              if same else f", but is not shown the same within ±{100 * margin:.2f} pp either"))
        elif verdict["kind"] == "same":
            carrier = conditions.carried_by(effects, effect)
            mostly = f", mostly under {optimizer_name(carrier['optimizer'])}" if carrier else ""
            clauses.append(f"**{subject} matters** ({verdict['side']} is more accurate{mostly})")
        else:
            clauses.append(f"{subject} matters **in some settings only**")
    sentences = []
    if clauses:
        sentences.append(f"By {name}, " + "; ".join(clauses) + ".")
    if parts is not None:
        _, largest = page_gap.largest_part(parts)
        sentences.append(f"By {ef.METRIC_NAMES.get(parts['metric'], parts['metric'])}, the largest part of the "
                         f"page's own gap is the **{largest}**.")
    if speed is not None:
        sentences.append(f"At the page's width ({speed['width']}), in float64 on one thread, PyTorch trains "
                         f"{ratio(speed['ratio'])} faster per epoch than the page's scalar engine, and neurogebra's "
                         "tensor engine " + (f"{ratio(speed['tensor_speedup'])} faster than PyTorch"
                                             if speed.get("tensor_verdict") == sp.FASTER
                                             else "is not shown faster than PyTorch")
                         + largest_width_short(speed) + ".")
    return " ".join(sentences)


def largest_width_short(facts: dict) -> str:
    """The short box's word on the largest width, from its verdicts only: where PyTorch is shown faster
    there, and where it only measured faster, with no verdict (unstable timings)."""
    answers = {precision: answer for precision, answer in (facts.get("largest_by_precision") or {}).items()
               if answer["width"] != facts["width"]}
    shown = [precision for precision, answer in sorted(answers.items()) if answer["verdict"] == sp.SLOWER]
    unsettled = [precision for precision, answer in sorted(answers.items())
                 if answer["verdict"] == sp.UNSTABLE and answer["speedup"] < 1]
    if not shown and not unsettled:
        return ""
    width = next(iter(answers.values()))["width"]
    text = f"; at width {width}, the largest timed, "
    if shown:
        text += f"**PyTorch is faster** in {' and '.join(shown)}"
        if unsettled:
            text += f" (in {' and '.join(unsettled)} it measured faster too, with no verdict: unstable timings)"
    else:
        text += f"PyTorch measured faster in {' and '.join(unsettled)}, with no verdict: unstable timings"
    return text


def headline_sameness(effects: pd.DataFrame, margin: float | None) -> str:
    """The headline's word on whether the frameworks are shown the same (TOST at ± ``margin``)."""
    if margin is None or effect_verdict(effects, "framework")["kind"] != "none":
        return ""
    same = conditions.sameness(effects, "framework", margin)
    name = ef.METRIC_NAMES[ef.metric_of(effects)]
    if same["verdict"] == "equivalent":
        return (f"By an equivalence test on {name}, the two train to the same accuracy within ±{100 * margin:.2f} pp "
                f"at every level (setting by setting: {same['settings_equivalent']} of "
                f"{setting_tests(effects, 'framework')}).")
    widest = same["widest"]
    return (f"That is not sameness: by {name}, the equivalence test at ±{100 * margin:.2f} pp fails "
            f"{where('framework', widest['within'])} (90% interval {points(widest['low'], 2, unit=False)} to "
            f"{points(widest['high'], 2)}) and passes {same['settings_equivalent']} of "
            f"{setting_tests(effects, 'framework')}.")


def headline_split(effects: pd.DataFrame, epochs: pd.DataFrame | None) -> str:
    """The headline's word on the optimizer that carries the initialisation effect, and its convergence."""
    carrier = conditions.carried_by(effects, "init")
    if carrier is None:
        return ""
    name, chosen = ef.METRIC_NAMES[ef.metric_of(effects)], optimizer_name(carrier["optimizer"])
    others = "; ".join(f"under {optimizer_name(other)} it is {points(low, unit=False)} to {points(high)}"
                       for other, (low, high) in carrier["means"].items() if other != carrier["optimizer"])
    text = (f"By {name}, {chosen}'s settings carry {round(100 * carrier['share_low'])}–"
            f"{round(100 * carrier['share_high'])}% of that; {others}.")
    table = conditions.convergence(epochs) if epochs is not None else pd.DataFrame()
    mine = table[table["optimizer"] == carrier["optimizer"]] if len(table) else table
    if len(mine) and mine["still_improving"].all():
        text += (f" Every {chosen} setting's training accuracy is still rising at its last epochs (by more than "
                 f"{100 * conditions.STILL_IMPROVING:.0f} pp over {conditions.LAST_EPOCHS}): {chosen} has not converged.")
    return text


def factor_sentence(verdict: dict, effect: str, none: str, same: str, split: str) -> str | None:
    """The headline's sentence on one effect (None when the sweep does not measure it): ``none`` or ``same``
    (which may name the ``{side}``) with the pooled range, or ``split`` before the split verdict, the
    framework's with its first clause in bold."""
    pooled = verdict["pooled"]
    if pooled.empty:
        return None
    seeds = plural(int(pooled["n_pairs"].min()), "seed")
    numbers = f"{CONTRASTS[effect][0].lower()}{CONTRASTS[effect][1:]} {span(pooled)}"
    numbers = f" ({numbers}, {seeds})." if effect == "framework" else f" ({numbers})."
    if verdict["kind"] == "none":
        return none + numbers
    if verdict["kind"] == "same":
        return same.format(side=verdict["side"]) + numbers
    # A split verdict gives each level's mean itself.
    if effect == "framework":
        return f"{split}{bold_first(verdict, effect)} ({seeds})."
    return f"{split}{split_verdict(verdict, effect)}."


def speed_summary(speed: dict, runs: dict) -> str:
    """The speed job's numbers at the page's width, the growth exponents over common widths, and the
    sweep's run timings read in the same direction, with why the two differ."""
    scalar, tensor = speed["scalar_growth"], speed["tensor_growth"]
    text = (f"At hidden width {speed['width']}, neurogebra's scalar engine takes {seconds(speed['neurogebra_seconds'])} "
            f"per epoch, its tensor engine {seconds(speed['tensor_seconds'])} and PyTorch "
            f"{seconds(speed['pytorch_seconds'])} (PyTorch's lead over the scalar engine ranges "
            f"{ratio_range(speed['ratio_low'], speed['ratio_high'])} across repeats). ")
    if len(scalar["widths"]) > 1:
        text += (f"From width {scalar['widths'][0]} to {scalar['widths'][-1]} (where the scalar engine was timed) time "
                 f"per epoch grows like width^{scalar['scalar']:.1f} for the scalar engine and "
                 f"width^{scalar['torch']:.1f} for PyTorch; ")
    if len(tensor["widths"]) > 1:
        text += (f"from width {tensor['widths'][0]} to {tensor['widths'][-1]} like width^{tensor['tensor']:.1f} for the "
                 f"tensor engine and width^{tensor['torch']:.1f} for PyTorch. ")
    if runs["pairs"]:
        text += (f"In the sweep's {runs['pairs']} (setting, seed) pairs, neurogebra's runs were a "
                 f"median {relative_speed(runs['median'])} per epoch (quartiles {ratio(runs['p25'])} – "
                 f"{ratio(runs['p75'])}), not the {ratio(speed['tensor_speedup'])} of the speed job (float64, width "
                 f"{speed['width']}): those runs mix "
                 "optimizers and precisions and were timed while jobs shared the machine, which costs PyTorch's "
                 "per-operation overhead more, so the speed job, alone on the machine, is the measurement to compare "
                 "with. ")
    return text.rstrip()


def floor_sentence(distance: pd.DataFrame) -> str:
    """How far the tensor engine is from the hand-written numpy floor, per precision: smallest and largest widths."""
    if distance.empty:
        return ""
    parts = []
    for precision, rows in distance.groupby("precision", sort=True):
        first, last = rows.iloc[0], rows.iloc[-1]
        parts.append(f"in {precision} {ratio(first['floor_ratio'])} the floor's time at width "
                     f"{int(first['hidden_width'])} and {ratio(last['floor_ratio'])} at width {int(last['hidden_width'])}")
    return "The tensor engine's autograd costs " + "; ".join(parts) + "."


def sweep_design(runs: pd.DataFrame) -> str:
    """What the sweep varies and what it holds fixed, from its settings."""
    settings = sweep.sweep_settings(runs).drop(columns=["setting", "init"], errors="ignore").drop_duplicates()
    varying = varying_columns(settings)
    fixed = [key for key in SETTING_PARTS if key in settings and key not in varying]
    held = ", ".join(SETTING_PARTS[key](settings[key].iloc[0]) for key in fixed)
    return (f"The sweep varies the {' and the '.join(key.replace('_', ' ') for key in varying)} over "
            f"{plural(len(settings), 'setting')}; every run of it uses {held}.")


def metric_sentence(effects: pd.DataFrame) -> str:
    """Which metric the verdicts are drawn from, and which others the tables report."""
    used = ef.metric_of(effects)
    others = sorted(set(effects["metric"]) - {used}) if "metric" in effects.columns else []
    text = f"The verdicts use {ef.METRIC_NAMES[used]}"
    return text + (f"; the effects tables also report {', '.join(ef.METRIC_NAMES.get(m, m) for m in others)}."
                   if others else ".")


def instrument_sentence(gain: dict, n_test: int, n_fresh: int) -> str:
    """What the fresh sample adds to the page's test set (``findings.effects.instrument_gain``)."""
    text = (f"One test point weighs {100 / n_test:.2f} pp of accuracy, one point of the fresh sample "
            f"{100 / n_fresh:.4f} pp.")
    if not gain["rows"]:
        return text + " These results have no fresh-sample effects to set beside the test set's."
    return text + (f" On the fresh sample the pooled effects' 95% intervals are {gain['median_narrower']:.1f} times "
                   f"narrower (median over {plural(gain['rows'], 'effect')}), and Holm's verdict is the same on both "
                   f"measures for {gain['agree']} of them.")
