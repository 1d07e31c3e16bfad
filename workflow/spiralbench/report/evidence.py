"""The statistics behind the report's conclusions, computed from the result tables.

Nothing here trains or re-evaluates a model: every number comes from a table
the workflow wrote. Intervals are Student-t intervals over seeds; runs that
diverged are counted and left out of means, never silently dropped.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
from scipy import stats

from spiralbench import effects as effects_module
from spiralbench.collect import ENGINE_LOSS_TOLERANCE
from spiralbench.config import DEFAULT_PRECISION, hidden_slug

FRAMEWORKS = ("neurogebra", "pytorch")
OK = "ok"


def t_interval(values, confidence: float = 0.95) -> dict:
    """Mean, sample standard deviation and the two-sided t-interval of the mean (NaN where undefined)."""
    values = np.asarray([v for v in values if np.isfinite(v)], dtype=float)
    n = len(values)
    mean = float(values.mean()) if n else math.nan
    std = float(values.std(ddof=1)) if n > 1 else math.nan
    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1) * std / math.sqrt(n)) if n > 1 else math.nan
    return {"n": n, "mean": mean, "std": std, "low": mean - half, "high": mean + half}


# ---------------------------------------------------------------- settings


def sweep_settings(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per sweep setting (optimizer, learning rate, batch size, ...), sorted."""
    keys = ["setting", "optimizer", "learning_rate", "batch_size", "epochs", "hidden_sizes", "activation"]
    keys += [key for key in ("init",) if key in runs.columns]
    sweep = runs[runs["group"] == "sweep"]
    return sweep[keys].drop_duplicates().sort_values(["optimizer", "learning_rate", "batch_size", "setting"]).reset_index(drop=True)


def setting_labels(runs: pd.DataFrame, always: tuple[str, ...] = ()) -> dict[str, str]:
    """Short names for the sweep's settings, naming what varies (and ``always``): 'Adam, lr 0.01, batch 16'."""
    settings = sweep_settings(runs)
    varying = [key for key in SETTING_PARTS if key in always or key in varying_columns(settings)]
    return {row["setting"]: setting_label(row, varying) for _, row in settings.iterrows()}


SETTING_PARTS = {
    "optimizer": lambda v: {"sgd": "SGD", "adam": "Adam"}.get(v, v),
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


def ordered_pairs(pairs: dict[str, dict]) -> dict[str, dict]:
    """Inspection pairs with the page's own ('tutorial') first."""
    return dict(sorted(pairs.items(), key=lambda item: (item[0] != "tutorial", item[0])))


def reference_settings(runs: pd.DataFrame, config: dict) -> dict[str, str]:
    """For each optimizer of the sweep, the setting the report follows epoch by epoch.

    It is the tutorial's own choice for that optimizer (the learning rate the page
    gives the framework it trains with it, the page's batch size) when the sweep
    has it; otherwise the setting with the best mean test accuracy over both frameworks.
    """
    tutorial = config["tutorial"]
    page_learning_rate = {tutorial[fw]["optimizer"]: tutorial[fw]["learning_rate"] for fw in FRAMEWORKS}
    settings = sweep_settings(runs)
    sweep = runs[(runs["group"] == "sweep") & (runs["status"] == OK)]
    chosen = {}
    for optimizer, candidates in settings.groupby("optimizer", sort=True):
        page_like = candidates[
            np.isclose(candidates["learning_rate"], page_learning_rate.get(optimizer, math.nan))
            & (candidates["batch_size"] == tutorial["batch_size"])
        ]
        if len(page_like):
            chosen[optimizer] = page_like["setting"].iloc[0]
            continue
        means = sweep[sweep["setting"].isin(candidates["setting"])].groupby("setting")["test_accuracy"].mean()
        chosen[optimizer] = means.idxmax() if len(means) else candidates["setting"].iloc[0]
    return chosen


# ---------------------------------------------------------------- effects (section 6, headline)
#
# Every sentence below is built from tables/effects.csv or tables/runs.csv, and its wording follows
# the numbers: an effect is called a difference only when its Holm-corrected p-value is below 0.05,
# and its direction is the sign of its mean. Feed the functions other tables and the text changes.

INIT_NAMES = {"page": "the page's initialisation", "torch-default": "PyTorch's default initialisation"}
# How each effect's difference is written: minuend − subtrahend.
CONTRASTS = {"framework": "Neurogebra − PyTorch", "init": "Page − torch-default", "precision": "Float32 − float64"}
EFFECT_LEVELS = {  # effect -> (what a positive mean favours, what a negative mean favours)
    "framework": ("neurogebra", "PyTorch"),
    "init": (INIT_NAMES["page"], INIT_NAMES["torch-default"]),
    "precision": ("float32", "float64"),
}


def pooled_effects(effects: pd.DataFrame, effect: str) -> pd.DataFrame:
    """The pooled rows of one effect, indexed by the level held fixed (init scheme or framework)."""
    rows = effects[(effects["effect"] == effect) & (effects["scope"] == "pooled")]
    return rows.set_index("within").sort_index()


def favours(row, effect: str) -> str | None:
    """Which side an effect favours when it is significant after Holm; None when it is not."""
    if not bool(row["significant"]):
        return None
    positive, negative = EFFECT_LEVELS[effect]
    return positive if row["mean"] > 0 else negative


def effect_numbers(row) -> str:
    """'+3.1 pp (95% CI +1.0 to +5.2 pp, Holm p = 0.004, 10 seeds)'."""
    return (f"{points(row['mean'])} (95% CI {points(row['t_low'], unit=False)} to {points(row['t_high'])}, "
            f"Holm p {p_value(row['p_holm'], relation=True)}, {plural(int(row['n_pairs']), 'seed')})")


def effect_verdict(effects: pd.DataFrame, effect: str) -> dict:
    """The pooled verdict on one effect over its levels: which side it favours, if any, and where.

    ``kind`` is 'none' (no level shows a difference after Holm), 'same' (every level shows a
    difference favouring the same side), 'partial' (some levels favour one side, the others show no
    difference) or 'opposite' (levels favour different sides).
    """
    pooled = pooled_effects(effects, effect)
    sides = {within: favours(row, effect) for within, row in pooled.iterrows()}
    shown = {side for side in sides.values() if side}
    if not shown:
        kind = "none"
    elif len(shown) > 1:
        kind = "opposite"
    else:
        kind = "same" if all(sides.values()) else "partial"
    return {"kind": kind, "sides": sides, "side": next(iter(shown)) if len(shown) == 1 else None, "pooled": pooled}


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


def framework_conclusion(effects: pd.DataFrame) -> str:
    """Section 6's lead: the framework effect at matched initialisation and precision, pooled over the settings."""
    verdict = effect_verdict(effects, "framework")
    pooled = verdict["pooled"]
    if pooled.empty:
        return ("The sweep has no setting trained by both frameworks with the same initialisation and precision: "
                "no fair comparison.")
    per_init = per_level(pooled, "framework")
    n_settings = int(pooled["n_settings"].max())
    kind = verdict["kind"]
    lead = verdict_lead(
        verdict, "framework",
        none="**At matched initialisation and precision the framework makes no difference that survives Holm's "
             "correction**",
        same="**At matched initialisation and precision {side} is more accurate**",
        partial="At matched initialisation and precision ",
        opposite="**At matched initialisation and precision the framework's effect reverses with the initialisation "
                 "or the precision**")
    text = f"{lead}. Neurogebra − PyTorch, {pooled_over(n_settings)}: {per_init}. "
    if kind == "none":
        bound = float(np.nanmax(np.abs(pooled[["t_low", "t_high"]].to_numpy())))
        if np.isfinite(bound) and bound < 1:
            text += f"The intervals rule out an average framework effect larger than {100 * bound:.1f} pp. "
        elif np.isfinite(bound):
            text += "The intervals are wider than any difference of two accuracies: they rule nothing out. "
    text += per_setting_summary(effects, "framework")
    return text


def factor_conclusion(effects: pd.DataFrame, effect: str, missing: str, **leads: str) -> str:
    """A factor's conclusion beside the framework's: the lead for its verdict (``leads`` as
    ``verdict_lead`` takes them), each level's numbers, and the per-setting count; ``missing`` when
    the sweep does not measure it."""
    verdict = effect_verdict(effects, effect)
    pooled = verdict["pooled"]
    if pooled.empty:
        return missing
    over = pooled_over(int(pooled["n_settings"].max()))
    return (f"{verdict_lead(verdict, effect, **leads)}. {CONTRASTS[effect]}, {over}: {per_level(pooled, effect)}. "
            + per_setting_summary(effects, effect))


def init_conclusion(effects: pd.DataFrame) -> str:
    """Beside it: the initialisation effect within each framework and precision."""
    return factor_conclusion(
        effects, "init",
        missing="The sweep trains no framework with both initialisations: the initialisation effect is not measured.",
        none="**No initialisation effect survives Holm's correction**",
        same="**The initialisation matters: {side} is more accurate**",
        partial="The initialisation matters: ",
        opposite="**The initialisation's effect reverses between the frameworks**")


def precision_conclusion(effects: pd.DataFrame) -> str:
    """Beside them: the precision effect within each framework and initialisation."""
    return factor_conclusion(
        effects, "precision",
        missing="The sweep trains no framework in both precisions: the precision effect is not measured.",
        none="**Float32 and float64 train to the same accuracy: no precision effect survives Holm's correction**",
        same="**The precision matters: {side} is more accurate**",
        partial="The precision matters: ",
        opposite="**The precision's effect reverses between frameworks or initialisations**")


def per_setting_summary(effects: pd.DataFrame, effect: str) -> str:
    """'3 of 24 per-setting effects are significant after Holm (all favouring neurogebra).'"""
    rows = effects[(effects["effect"] == effect) & (effects["scope"] == "setting") & effects["p_value"].notna()]
    if rows.empty:
        return ""
    significant = rows[rows["significant"].astype(bool)]
    if significant.empty:
        return f"Setting by setting, none of the {plural(len(rows), 'effect')} is significant after Holm's correction."
    text = (f"Setting by setting, {len(significant)} of the {plural(len(rows), 'effect')} "
            f"{'is' if len(significant) == 1 else 'are'} significant after Holm's correction over the {len(rows)}")
    sides = sorted({favours(row, effect) for _, row in significant.iterrows()})
    return text + f" (favouring {' or '.join(sides)})."


# ---------------------------------------------------------------- the page's comparison, in parts


def tutorial_runs(runs: pd.DataFrame) -> pd.DataFrame:
    """The page's own comparison: one run per framework, each with the optimizer the page gives it."""
    return runs[runs["group"] == "tutorial"].set_index("framework").reindex(list(FRAMEWORKS))


PART_NAMES = ("optimizer", "framework", "precision", "initialisation")


def page_comparison_path(config: dict) -> list[dict]:
    """From the page's neurogebra run to its PyTorch run, changing one thing at a time.

    neurogebra/SGD/page/float64 → neurogebra/Adam/page/float64 (optimizer) → PyTorch/Adam/page/float64
    (framework) → PyTorch/Adam/page/float32 (precision) → PyTorch/Adam/torch-default/float32
    (initialisation), every step with the page's batch size, epochs and network, on the sweep's runs.
    """
    tutorial = config["tutorial"]
    common = {"batch_size": tutorial["batch_size"], "epochs": tutorial["epochs"],
              "hidden_sizes": hidden_slug(tutorial["hidden_sizes"]), "activation": tutorial["activation"]}
    ng, pt = tutorial["neurogebra"], tutorial["pytorch"]
    ng_init, pt_init = ng.get("init", "page"), pt.get("init", "torch-default")  # as the page does it
    ng_precision = ng.get("precision", DEFAULT_PRECISION["neurogebra"])
    pt_precision = pt.get("precision", DEFAULT_PRECISION["pytorch"])
    ng_optimizer = {"optimizer": ng["optimizer"], "learning_rate": ng["learning_rate"]}
    pt_optimizer = {"optimizer": pt["optimizer"], "learning_rate": pt["learning_rate"]}
    return [
        {"framework": "neurogebra", **ng_optimizer, "init": ng_init, "precision": ng_precision, **common},
        {"framework": "neurogebra", **pt_optimizer, "init": ng_init, "precision": ng_precision, **common},
        {"framework": "pytorch", **pt_optimizer, "init": ng_init, "precision": ng_precision, **common},
        {"framework": "pytorch", **pt_optimizer, "init": ng_init, "precision": pt_precision, **common},
        {"framework": "pytorch", **pt_optimizer, "init": pt_init, "precision": pt_precision, **common},
    ]


def page_comparison_parts(runs: pd.DataFrame, config: dict) -> dict | None:
    """The page's single-seed gap (neurogebra − PyTorch test accuracy) as optimizer + framework +
    precision + initialisation + chance.

    The four parts are mean paired differences along ``page_comparison_path`` over the sweep's seeds
    (those where all five runs finished); chance is what is left of the page's own gap. None when the
    sweep lacks one of the five settings or the page's runs did not both finish.
    """
    tutorial = tutorial_runs(runs)
    if tutorial["status"].ne(OK).any() or tutorial["test_accuracy"].isna().any():
        return None
    path = page_comparison_path(config)
    steps = effects_module.path_effects(runs, path)
    if len(steps) < 2:
        return None
    observed = float(tutorial.loc["neurogebra", "test_accuracy"] - tutorial.loc["pytorch", "test_accuracy"])
    parts = {name: t_interval(steps[f"step{i}"]) for i, name in enumerate(PART_NAMES)}
    total = t_interval(steps["total"])
    return {"observed": observed, "seed": int(tutorial.loc["neurogebra", "seed"]), "parts": parts, "total": total,
            "chance": observed - total["mean"], "n_seeds": len(steps), "path": path}


def largest_part(parts: dict) -> tuple[dict[str, float], str]:
    """The parts of the page's gap (chance included) by name, and the name of the largest in size."""
    pieces = {**{name: parts["parts"][name]["mean"] for name in PART_NAMES}, "chance": parts["chance"]}
    return pieces, max(pieces, key=lambda name: abs(pieces[name]))


def decomposition_conclusion(parts: dict | None) -> str:
    """The page's gap as the sum of its parts, naming the largest."""
    if parts is None:
        return ("The sweep does not train both of the page's optimizer settings with its batch size, epochs and "
                "network in both frameworks and both initialisations, so the page's gap cannot be split into parts.")
    pieces, largest = largest_part(parts)
    spread = parts["total"]["std"]
    typical = np.isfinite(spread) and abs(parts["chance"]) <= 2 * spread
    text = (f"The page's gap, neurogebra − PyTorch on seed {parts['seed']}, is {points(parts['observed'])} = "
            + " + ".join(f"{name} {points(value)}" for name, value in pieces.items())
            + f". **The largest part is {largest}**"
            + {"optimizer": " (SGD at the page's learning rate instead of Adam)",
               "framework": " (neurogebra instead of PyTorch, same optimizer, initialisation and precision)",
               "precision": " (PyTorch's float32 instead of float64)",
               "initialisation": " (the page's initial weights instead of PyTorch's default)",
               "chance": " (this seed's luck, beyond what the sweep's mean explains)"}[largest]
            + f". The parts are means over {plural(parts['n_seeds'], 'seed')} of the sweep; ")
    if np.isfinite(spread):
        text += (f"across those seeds the same comparison varies with a standard deviation of {100 * spread:.1f} pp, "
                 f"so the page's seed is {'an ordinary draw' if typical else 'an unusual draw'}.")
    else:
        text += "with fewer than two seeds its spread is unknown."
    return text


# ---------------------------------------------------------------- engines and cost


def engine_usage(runs: pd.DataFrame) -> pd.DataFrame:
    """How many runs each engine trained, per group and framework."""
    if "engine" not in runs.columns:
        return pd.DataFrame(columns=["group", "framework", "engine", "runs"])
    usage = runs.groupby(["group", "framework", "engine"], sort=True).size().rename("runs").reset_index()
    order = {group: i for i, group in enumerate(GROUP_NAMES)}
    return usage.sort_values("group", key=lambda g: g.map(order).fillna(len(order)), kind="mergesort").reset_index(drop=True)


def engine_sentence(runs: pd.DataFrame) -> str:
    """Which engine trained what, engine by engine: 'neurogebra's numpy tensor engine trained ...'."""
    usage = engine_usage(runs)
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


def engine_agreement(agreement: pd.DataFrame) -> dict:
    """How closely neurogebra's two engines agree on the runs both trained (tables/engine_agreement.csv)."""
    per_seed = agreement.groupby("seed", sort=True)
    test_same = per_seed.apply(lambda rows: bool((rows["test_accuracy_scalar"] == rows["test_accuracy_tensor"]).all()),
                               include_groups=False)
    return {
        "seeds": int(agreement["seed"].nunique()),
        "epochs": len(agreement),
        "max_abs_diff": float(agreement["loss_abs_diff"].max()) if len(agreement) else math.nan,
        "same_accuracy_epochs": int((agreement["accuracy_scalar"] == agreement["accuracy_tensor"]).sum()),
        "seeds_same_test_accuracy": int(test_same.sum()),
        "all_agree": bool(len(agreement)) and bool(agreement["agree"].astype(bool).all()),
    }


def engine_agreement_sentence(agreement: dict, tolerance: float = ENGINE_LOSS_TOLERANCE) -> str:
    """The engine check in words: do the scalar and tensor engines give the same numbers?"""
    if not agreement["seeds"]:
        return "No run was trained by both of neurogebra's engines, so their agreement is not checked."
    numbers = (f"on {plural(agreement['seeds'], 'seed')}, the page's neurogebra setting trained by both engines "
               f"gives epoch losses within {agreement['max_abs_diff']:.1e} of each other "
               f"(tolerance {tolerance:.0e}), the same training accuracy in {agreement['same_accuracy_epochs']} "
               f"of {agreement['epochs']} epochs and the same test accuracy on {agreement['seeds_same_test_accuracy']} of {agreement['seeds']} seeds")
    if agreement["all_agree"]:
        return (f"**The two engines agree**: {numbers}. The tensor engine's runs stand for what the page's scalar "
                "engine would have computed.")
    return (f"**The two engines do not agree everywhere**: {numbers}. Runs trained by the tensor engine may differ "
            "from what the page's scalar engine computes.")


def training_cost(runs: pd.DataFrame, run_timing: pd.DataFrame) -> dict:
    """Seconds of training summed over every run (median seconds per epoch × epochs completed)."""
    joined = runs[["run_id", "framework", "epochs_completed"]].merge(
        run_timing[["run_id", "seconds_per_epoch_median"]], on="run_id", how="inner")
    seconds_each = joined["seconds_per_epoch_median"] * joined["epochs_completed"]
    by_framework = seconds_each.groupby(joined["framework"]).sum().to_dict()
    return {"runs": len(joined), "seconds": float(seconds_each.sum()), "by_framework": by_framework}


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


# ---------------------------------------------------------------- controlled comparison


CONTROLLED_IMPLEMENTATIONS = ("scalar", "tensor", "torch")


def controlled_agreement(controlled: pd.DataFrame, tolerance: float = 1e-6) -> dict:
    """How closely the implementations agree when everything but the implementation is the same.

    ``max_abs_diff`` is the largest difference between any two implementations' losses in any epoch
    (recomputed from the losses as well as read from ``abs_diff``); an epoch has the same accuracy
    when all implementations counted the same.
    """
    losses = controlled[[f"{name}_loss" for name in CONTROLLED_IMPLEMENTATIONS]]
    accuracies = controlled[[f"{name}_accuracy" for name in CONTROLLED_IMPLEMENTATIONS]]
    max_difference = max(float(controlled["abs_diff"].max()), float((losses.max(axis=1) - losses.min(axis=1)).max()))
    return {
        "epochs": len(controlled),
        "max_abs_diff": max_difference,
        "within_tolerance": bool(max_difference <= tolerance),
        "tolerance": tolerance,
        "epochs_same_accuracy": int((accuracies.nunique(axis=1) == 1).sum()),
    }


# ---------------------------------------------------------------- code complexity


def complexity_conclusion(complexity: pd.DataFrame) -> str:
    """Measured totals against the page's, and the component whose claim is furthest off."""
    table = complexity.set_index("component")
    parts = table.drop(index="total", errors="ignore")
    total = table.loc["total"] if "total" in table.index else parts.sum(numeric_only=True)
    measured = total["neurogebra_lines"] / total["pytorch_lines"]
    claimed = total["page_neurogebra_lines"] / total["page_pytorch_lines"]
    gaps = (parts["neurogebra_lines"] - parts["page_neurogebra_lines"]).abs() + (
        parts["pytorch_lines"] - parts["page_pytorch_lines"]).abs()
    worst = gaps.idxmax()
    return (
        f"Measured: **{int(total['neurogebra_lines'])} lines for neurogebra against {int(total['pytorch_lines'])} "
        f"for PyTorch** ({ratio(measured)}); the page claims ~{int(total['page_neurogebra_lines'])} against "
        f"~{int(total['page_pytorch_lines'])} ({ratio(claimed)}). The claim furthest off is the {worst}: "
        f"{int(parts.loc[worst, 'neurogebra_lines'])} and {int(parts.loc[worst, 'pytorch_lines'])} lines measured, "
        f"{int(parts.loc[worst, 'page_neurogebra_lines'])} and {int(parts.loc[worst, 'page_pytorch_lines'])} claimed."
    )


# ---------------------------------------------------------------- MathForge


def relu_values(forge: pd.DataFrame) -> str:
    """'ReLU(2) = 2 (gradient 1), ReLU(-2) = 0 (gradient 0)' from MathForge's rows for relu."""
    relu = forge[forge["expression"] == "relu"].sort_values("x", ascending=False)
    return ", ".join(f"ReLU({r.x:g}) = {r.value:g} (gradient {r.gradient_value:g})" for r in relu.itertuples())


# ---------------------------------------------------------------- speed

# The implementations the speed job times, and how the report names them.
IMPLEMENTATIONS = (*CONTROLLED_IMPLEMENTATIONS, "numpy")
IMPLEMENTATION_NAMES = {"scalar": "neurogebra's scalar engine", "tensor": "neurogebra's tensor engine",
                        "torch": "PyTorch", "numpy": "numpy by hand (no autograd)"}
# Ratios of median seconds per epoch: (name, numerator, denominator).
SPEED_RATIOS = (("ratio", "scalar", "torch"), ("tensor_ratio", "tensor", "torch"), ("floor_ratio", "tensor", "numpy"))
# The precision every implementation is timed in (the scalar engine's Python floats): the one the
# implementations are compared in.
COMPARED_PRECISION = "float64"


def _median_ratio(slow_row: dict, slow: str, fast_row: dict, fast: str) -> tuple[float, float, float]:
    """``slow``'s median time over ``fast``'s (each read from its ``speed_by_width`` row), and the spread of
    that ratio across repeats: the slower quartile over the faster one, both ways."""
    return (slow_row[f"{slow}_median"] / fast_row[f"{fast}_median"],
            slow_row[f"{slow}_p25"] / fast_row[f"{fast}_p75"],
            slow_row[f"{slow}_p75"] / fast_row[f"{fast}_p25"])


def speed_by_width(speed: pd.DataFrame, precision: str = COMPARED_PRECISION) -> pd.DataFrame:
    """Per hidden width, in one precision: median and interquartile range of seconds per epoch for each
    implementation, and ratios.

    ``ratio`` is scalar engine / PyTorch, ``tensor_ratio`` tensor engine / PyTorch (below 1: the tensor
    engine is faster), ``floor_ratio`` tensor engine / numpy floor; each with ``_low``/``_high``, the
    spread across repeats (``_median_ratio``). NaN where an implementation was not timed at that width.
    """
    speed = speed[speed["precision"] == precision]
    grouped = speed.groupby(["hidden_width", "implementation"])["seconds_per_epoch"]
    summary = grouped.agg(median="median", p25=lambda s: s.quantile(0.25), p75=lambda s: s.quantile(0.75),
                          repeats="count").reset_index()
    wide = summary.pivot(index="hidden_width", columns="implementation")
    rows = []
    for width in wide.index:
        row = {"hidden_width": int(width)}
        for name in IMPLEMENTATIONS:
            for stat in ("median", "p25", "p75", "repeats"):
                row[f"{name}_{stat}"] = wide.loc[width, (stat, name)] if (stat, name) in wide.columns else math.nan
        for key, slow, fast in SPEED_RATIOS:
            row[key], row[f"{key}_low"], row[f"{key}_high"] = _median_ratio(row, slow, row, fast)
        rows.append(row)
    return pd.DataFrame(rows)


def growth_exponents(speed: pd.DataFrame, precision: str = COMPARED_PRECISION) -> dict[str, float]:
    """Slope of log(seconds per epoch) against log(hidden width), per implementation: cost grows like width ** slope."""
    exponents = {}
    speed = speed[speed["precision"] == precision]
    medians = speed.groupby(["implementation", "hidden_width"])["seconds_per_epoch"].median().reset_index()
    for name, rows in medians.groupby("implementation"):
        if rows["hidden_width"].nunique() < 2:
            exponents[name] = math.nan
            continue
        slope, _ = np.polyfit(np.log(rows["hidden_width"]), np.log(rows["seconds_per_epoch"]), 1)
        exponents[name] = float(slope)
    return exponents


def _from_width_on(holds: pd.Series):
    """The smallest width from which ``holds`` (True or False per width) is True at every larger width
    measured; None when it is False at the largest width (or nothing was measured)."""
    start = None
    for width, true in holds.sort_index().items():
        start = (start or int(width)) if true else None
    return start


def crossover_width(speed: pd.DataFrame, fast: str = "tensor", peer: str = "torch",
                    precision: str = COMPARED_PRECISION):
    """The smallest width from which ``peer`` is faster than ``fast`` at every larger width measured.

    ``speed``: rows with columns ``implementation``, ``precision``, ``hidden_width``, ``seconds_per_epoch``
    (the repeats of timing/speed.csv, compared by their medians). None when ``peer`` is not faster at the
    largest width (or either is missing).
    """
    seconds = speed[speed["precision"] == precision].pivot_table(
        index="hidden_width", columns="implementation", values="seconds_per_epoch", aggfunc="median")
    if fast not in seconds or peer not in seconds:
        return None
    return _from_width_on(seconds[peer] < seconds[fast])


# float32 counts as faster than float64 from this ratio of their median times on. Timings of the same
# code differ too: under the default speed config on the shared 2-core development machine, the 5
# repeats of a cell (tensor engine, PyTorch, numpy floor; each precision, widths 4 to 1024) spread by a
# median of 6% of their median (interquartile range), so a ratio below 1.1 is within what the machine
# alone moves.
CLEAR_SPEEDUP = 1.1
PRECISION_SPEEDUP_COLUMNS = ["implementation", "hidden_width", "speedup", "speedup_low", "speedup_high"]


def precision_speedups(speed: pd.DataFrame) -> pd.DataFrame:
    """float64's median seconds per epoch over float32's (above 1: float32 is faster), for every
    implementation and width timed in both, with ``speedup_low``/``_high`` its spread across repeats."""
    if not {"float32", "float64"} <= set(speed["precision"]):
        return pd.DataFrame(columns=PRECISION_SPEEDUP_COLUMNS)
    in_float64, in_float32 = (speed_by_width(speed, precision).set_index("hidden_width").to_dict("index")
                              for precision in ("float64", "float32"))
    rows = [(name, int(width), *_median_ratio(in_float64[width], name, in_float32[width], name))
            for name in IMPLEMENTATIONS for width in sorted(in_float64.keys() & in_float32.keys())]
    table = pd.DataFrame(rows, columns=PRECISION_SPEEDUP_COLUMNS)
    return table[np.isfinite(table["speedup"])].reset_index(drop=True)


def float32_faster_from(speedups: pd.DataFrame, implementation: str):
    """The smallest width from which float32 is faster than float64 by ``CLEAR_SPEEDUP`` at every larger
    width measured for ``implementation`` (rows of ``precision_speedups``); None when it is not at the
    largest width."""
    rows = speedups[speedups["implementation"] == implementation]
    return _from_width_on(rows.set_index("hidden_width")["speedup"] >= CLEAR_SPEEDUP)


def speedup(value) -> str:
    """'1.07×': ratios near 1 with two decimals, so that one below ``CLEAR_SPEEDUP`` never prints as 1.1×."""
    return "–" if value is None or not np.isfinite(value) else f"{value:.2f}×"


def precision_speed_conclusion(speed: pd.DataFrame) -> str:
    """What float32 buys each implementation timed in both precisions, and from which width on, in one sentence."""
    speedups = precision_speedups(speed)
    if speedups.empty:
        return "Float32 was not timed beside float64, so what it buys in speed is not measured here."
    names = {**IMPLEMENTATION_NAMES, "numpy": "the hand-written numpy floor"}
    parts, late = [], False
    for name, rows in speedups.groupby("implementation", sort=False):
        first, last = rows.iloc[0], rows.iloc[-1]
        measured = f"{speedup(first['speedup'])} at width {int(first['hidden_width'])}"
        if len(rows) > 1:
            measured += f", {speedup(last['speedup'])} at width {int(last['hidden_width'])}"
        faster_from = float32_faster_from(speedups, name)
        if faster_from is None:
            verdict = "no clear gain at any width measured"
        elif faster_from == first["hidden_width"]:
            verdict = "**faster at every width measured**"
        else:
            verdict, late = f"**faster from width {faster_from} on**", True
        parts.append(f"{names[name]} {measured} ({verdict})")
    why = ("; below the width where a gain starts, an epoch's time goes to per-operation overhead, which the "
           "precision does not shrink" if late else "")
    return (f"What float32 buys, all else equal (float64's time per epoch over float32's; from "
            f"{CLEAR_SPEEDUP:.1f}× on it counts as faster): " + "; ".join(parts) + why + ".")


def relative_speed(speedup: float, peer: str = "PyTorch") -> str:
    """'2.3× faster than PyTorch' for a speed-up of 2.3, '2.5× slower than PyTorch' for one of 0.4."""
    return f"{ratio(speedup)} faster than {peer}" if speedup > 1 else f"{ratio(1 / speedup)} slower than {peer}"


def speed_conclusion(speed: pd.DataFrame, width: int) -> str:
    """What the speed figure means, in one sentence made from the measurements."""
    by_width = speed_by_width(speed).set_index("hidden_width")
    at = by_width.loc[width]
    crossover = crossover_width(speed)
    tensor_vs_torch = relative_speed(1 / at["tensor_ratio"])
    floor = (f" and {ratio(at['floor_ratio'])} the time of the hand-written numpy floor"
             if np.isfinite(at["floor_ratio"]) else "")
    scalar = (f", while the scalar engine is {ratio(at['ratio'])} slower than PyTorch"
              if np.isfinite(at["ratio"]) else "")
    if crossover is None:
        where = (f"PyTorch does not overtake it up to width {int(by_width.index.max())}, so at these sizes "
                 "per-operation overhead, not arithmetic, decides the speed")
    else:
        where = (f"PyTorch overtakes it from width {crossover} on: below, per-operation overhead decides and "
                 "vectorised numpy pays less of it; above, arithmetic decides and PyTorch's kernels are faster")
    return (f"At hidden width {width}, vectorising alone (neurogebra's tensor engine, from scratch in numpy) is "
            f"{tensor_vs_torch}{floor}{scalar}; {where}.")


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
            "the pins, which cost speed at large widths (the README measures how much).")


def run_speed_ratios(run_timing: pd.DataFrame) -> dict:
    """Neurogebra over PyTorch seconds per epoch for every (setting, seed) both trained: median and quartiles."""
    wide = run_timing.pivot_table(index=["setting", "seed"], columns="framework",
                                  values="seconds_per_epoch_median", aggfunc="first").dropna()
    if wide.empty or not set(FRAMEWORKS) <= set(wide.columns):
        return {"pairs": 0, "median": math.nan, "p25": math.nan, "p75": math.nan}
    ratios = wide["neurogebra"] / wide["pytorch"]
    return {"pairs": len(ratios), "median": float(ratios.median()),
            "p25": float(ratios.quantile(0.25)), "p75": float(ratios.quantile(0.75))}


# ---------------------------------------------------------------- formatting


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def optimizer_name(optimizer: str) -> str:
    return {"sgd": "SGD", "adam": "Adam"}.get(optimizer, optimizer)


def framework_name(framework: str) -> str:
    return {"neurogebra": "neurogebra", "pytorch": "PyTorch"}.get(framework, framework)


def percent(value, digits: int = 1) -> str:
    """0.8533 -> '85.3%'; missing -> '–'."""
    return "–" if value is None or not np.isfinite(value) else f"{100 * value:.{digits}f}%"


def points(value, digits: int = 1, unit: bool = True) -> str:
    """A difference of two accuracies in percentage points, signed: -0.021 -> '−2.1 pp'."""
    if value is None or not np.isfinite(value):
        return "–"
    text = f"{100 * value:+.{digits}f}" + (" pp" if unit else "")
    return text.replace("-", "−")


def p_value(value, relation: bool = False) -> str:
    """A p-value: two significant digits, '< 0.0001' below that (``relation``: '= 0.004' / '< 0.0001')."""
    if value is None or not np.isfinite(value):
        return "= –" if relation else "–"
    if value < 1e-4:
        return "< 0.0001"
    return f"= {value:.2g}" if relation else f"{value:.2g}"


def ratio(value, digits: int = 0) -> str:
    if value is None or not np.isfinite(value):
        return "–"
    return f"{value:,.{digits}f}×" if value >= 10 else f"{value:.1f}×"


def ratio_range(low, high) -> str:
    """'6.2× – 25×'; with one more digit where the usual rounding would print the same number twice."""
    text_low, text_high = ratio(low), ratio(high)
    if text_low == text_high and text_low != "–":
        return f"{low:.{2 if low < 10 else 1}f}× – {high:.{2 if high < 10 else 1}f}×"
    return f"{text_low} – {text_high}"


def seconds(value) -> str:
    """Seconds with three significant digits, in ms below one second."""
    if value is None or not np.isfinite(value):
        return "–"
    return f"{value:.3g} s" if value >= 1 else f"{1000 * value:.3g} ms"
