"""The statistics behind the report's conclusions, computed from the result tables.

Nothing here trains or re-evaluates a model: every number comes from a table
the workflow wrote. Intervals are Student-t intervals over seeds; runs that
diverged are counted and left out of means, never silently dropped.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

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
    sweep = runs[runs["group"] == "sweep"]
    return sweep[keys].drop_duplicates().sort_values(["optimizer", "learning_rate", "batch_size", "setting"]).reset_index(drop=True)


def setting_labels(runs: pd.DataFrame, always: tuple[str, ...] = ()) -> dict[str, str]:
    """Short names for the sweep's settings, naming what varies (and ``always``): 'Adam, lr 0.01, batch 16'."""
    settings = sweep_settings(runs)
    parts = {
        "optimizer": lambda v: {"sgd": "SGD", "adam": "Adam"}.get(v, v),
        "learning_rate": lambda v: f"lr {v:g}",
        "batch_size": lambda v: f"batch {v}",
        "epochs": lambda v: f"{v} epochs",
        "hidden_sizes": lambda v: f"hidden {v}",
        "activation": str,
    }
    varying = [key for key in parts if key in always or settings[key].nunique() > 1] or ["optimizer", "learning_rate"]
    return {row["setting"]: ", ".join(parts[key](row[key]) for key in varying) for _, row in settings.iterrows()}


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


# ---------------------------------------------------------------- framework vs framework


def paired_differences(runs: pd.DataFrame, metric: str = "test_accuracy") -> pd.DataFrame:
    """Per sweep setting: neurogebra minus PyTorch, paired by seed (same data split, same hyperparameters).

    Seeds where either run diverged are excluded from the pair and counted in ``n_excluded``.
    """
    sweep = runs[runs["group"] == "sweep"]
    rows = []
    for _, setting in sweep_settings(runs).iterrows():
        same = sweep[sweep["setting"] == setting["setting"]]
        wide = same.pivot_table(index="seed", columns="framework", values=metric, aggfunc="first")
        status = same.pivot_table(index="seed", columns="framework", values="status", aggfunc="first")
        both_ok = (status.reindex(columns=list(FRAMEWORKS)) == OK).all(axis=1)
        if not set(FRAMEWORKS) <= set(wide.columns):
            continue
        differences = (wide["neurogebra"] - wide["pytorch"])[both_ok.reindex(wide.index, fill_value=False)]
        interval = t_interval(differences)
        rows.append({
            **setting.to_dict(),
            "n_pairs": interval["n"],
            "n_excluded": int(len(wide) - interval["n"]),
            "mean_difference": interval["mean"],
            "std_difference": interval["std"],
            "ci95_low": interval["low"],
            "ci95_high": interval["high"],
        })
    return pd.DataFrame(rows)


def optimizer_effect(runs: pd.DataFrame, reference: dict[str, str], metric: str = "test_accuracy") -> pd.DataFrame:
    """Per framework: Adam minus SGD at the reference settings, paired by seed."""
    if not {"sgd", "adam"} <= set(reference):
        return pd.DataFrame(columns=["framework", "n_pairs", "mean_difference", "ci95_low", "ci95_high"])
    sweep = runs[(runs["group"] == "sweep") & (runs["status"] == OK)]
    rows = []
    for framework in FRAMEWORKS:
        mine = sweep[sweep["framework"] == framework]
        adam = mine[mine["setting"] == reference["adam"]].set_index("seed")[metric]
        sgd = mine[mine["setting"] == reference["sgd"]].set_index("seed")[metric]
        interval = t_interval((adam - sgd).dropna())
        rows.append({"framework": framework, "n_pairs": interval["n"], "mean_difference": interval["mean"],
                     "ci95_low": interval["low"], "ci95_high": interval["high"]})
    return pd.DataFrame(rows)


def tutorial_runs(runs: pd.DataFrame) -> pd.DataFrame:
    """The page's own comparison: one run per framework, each with the optimizer the page gives it."""
    return runs[runs["group"] == "tutorial"].set_index("framework").reindex(list(FRAMEWORKS))


def matched_conclusion(differences: pd.DataFrame, optimizer: pd.DataFrame, tutorial: pd.DataFrame,
                       labels: dict[str, str] | None = None) -> str:
    """The sentence the matched comparisons support, with its numbers."""
    if differences.empty:
        return "The sweep has no setting trained by both frameworks, so no matched comparison can be made."
    covers_zero = ((differences["ci95_low"] <= 0) & (differences["ci95_high"] >= 0)).sum()
    defined = differences["ci95_low"].notna().sum()
    largest = differences.loc[differences["mean_difference"].abs().idxmax()]
    label = labels.get(largest["setting"], largest["setting"]) if labels else largest["setting"]
    average = differences["mean_difference"].mean()
    text = (
        f"With the same optimizer and hyperparameters, neurogebra minus PyTorch test accuracy averages "
        f"**{points(average)}** over {plural(len(differences), 'setting')}; the largest gap is {points(largest['mean_difference'])} "
        f"({label}, 95% CI {points(largest['ci95_low'])} to {points(largest['ci95_high'])}). "
    )
    if defined:
        text += f"The 95% interval of the difference contains zero in {covers_zero} of {defined} settings. "
    else:
        text += "With fewer than two seeds per setting no interval can be computed. "
    gap = tutorial["test_accuracy"]
    if gap.notna().all():
        text += (
            f"The page's own comparison (neurogebra with {optimizer_name(tutorial.loc['neurogebra', 'optimizer'])}, "
            f"PyTorch with {optimizer_name(tutorial.loc['pytorch', 'optimizer'])}, one seed) differs by "
            f"{points(gap['neurogebra'] - gap['pytorch'])}. "
        )
    effects = optimizer.dropna(subset=["mean_difference"])
    if len(effects):
        parts = ", ".join(f"{framework_name(r.framework)} {points(r.mean_difference)}" for r in effects.itertuples())
        text += f"Switching the optimizer from SGD to Adam (reference settings, same framework) changes it by {parts}."
    return text


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
IMPLEMENTATIONS = ("scalar", "tensor", "torch", "numpy")
IMPLEMENTATION_NAMES = {"scalar": "neurogebra's scalar engine", "tensor": "neurogebra's tensor engine",
                        "torch": "PyTorch", "numpy": "numpy by hand (no autograd)"}
# Ratios of median seconds per epoch: (name, numerator, denominator).
SPEED_RATIOS = (("ratio", "scalar", "torch"), ("tensor_ratio", "tensor", "torch"), ("floor_ratio", "tensor", "numpy"))


def speed_by_width(speed: pd.DataFrame) -> pd.DataFrame:
    """Per hidden width: median and interquartile range of seconds per epoch for each implementation, and ratios.

    ``ratio`` is scalar engine / PyTorch, ``tensor_ratio`` tensor engine / PyTorch (below 1: the tensor
    engine is faster), ``floor_ratio`` tensor engine / numpy floor; each with ``_low``/``_high``, the
    spread across repeats (the slower quartile over the faster one, both ways). NaN where an
    implementation was not timed at that width.
    """
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
            row[key] = row[f"{slow}_median"] / row[f"{fast}_median"]
            row[f"{key}_low"] = row[f"{slow}_p25"] / row[f"{fast}_p75"]
            row[f"{key}_high"] = row[f"{slow}_p75"] / row[f"{fast}_p25"]
        rows.append(row)
    return pd.DataFrame(rows)


def growth_exponents(speed: pd.DataFrame) -> dict[str, float]:
    """Slope of log(seconds per epoch) against log(hidden width), per implementation: cost grows like width ** slope."""
    exponents = {}
    medians = speed.groupby(["implementation", "hidden_width"])["seconds_per_epoch"].median().reset_index()
    for name, rows in medians.groupby("implementation"):
        if rows["hidden_width"].nunique() < 2:
            exponents[name] = math.nan
            continue
        slope, _ = np.polyfit(np.log(rows["hidden_width"]), np.log(rows["seconds_per_epoch"]), 1)
        exponents[name] = float(slope)
    return exponents


def crossover_width(medians: pd.DataFrame, fast: str = "tensor", peer: str = "torch"):
    """The smallest width from which ``peer`` is faster than ``fast`` at every larger width measured.

    ``medians``: one row per implementation and width, columns ``implementation``, ``hidden_width``,
    ``seconds_per_epoch``. None when ``peer`` is not faster at the largest width (or either is missing).
    """
    seconds = medians.pivot_table(index="hidden_width", columns="implementation", values="seconds_per_epoch")
    if fast not in seconds or peer not in seconds:
        return None
    crossover = None
    for width, peer_wins in (seconds[peer] < seconds[fast]).sort_index().items():
        crossover = (crossover or int(width)) if peer_wins else None
    return crossover


def speed_conclusion(speed: pd.DataFrame, width: int) -> str:
    """What the speed figure means, in one sentence made from the measurements."""
    by_width = speed_by_width(speed).set_index("hidden_width")
    at = by_width.loc[width]
    medians = speed.groupby(["implementation", "hidden_width"])["seconds_per_epoch"].median().reset_index()
    crossover = crossover_width(medians)
    tensor_vs_torch = (f"{ratio(1 / at['tensor_ratio'])} faster than PyTorch" if at["tensor_ratio"] < 1
                       else f"{ratio(at['tensor_ratio'])} slower than PyTorch")
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


def points(value, digits: int = 1) -> str:
    """A difference of two accuracies in percentage points, signed: -0.021 -> '−2.1 pp'."""
    if value is None or not np.isfinite(value):
        return "–"
    text = f"{100 * value:+.{digits}f} pp"
    return text.replace("-", "−")


def ratio(value, digits: int = 0) -> str:
    if value is None or not np.isfinite(value):
        return "–"
    return f"{value:,.{digits}f}×" if value >= 10 else f"{value:.1f}×"


def seconds(value) -> str:
    """Seconds with three significant digits, in ms below one second."""
    if value is None or not np.isfinite(value):
        return "–"
    return f"{value:.3g} s" if value >= 1 else f"{1000 * value:.3g} ms"
