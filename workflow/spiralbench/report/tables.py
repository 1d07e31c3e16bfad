"""The report's tables: result files turned into formatted rows a reader can scan.

Each function returns a :class:`~spiralbench.report.document.Table` carrying the
contract paths it was computed from.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from spiralbench.config import FRAMEWORKS
from spiralbench.job_tables import RUNS_FILE, job_path, trained_weights
from spiralbench.numeric_platform import PLATFORM_FILE
from spiralbench.effects import OK
from spiralbench.findings import effects as ef, engines, lesson, page_gap, speed as sp

from . import wording
from .document import Table
from .wording import framework_name, optimizer_name, percent, points, ratio, seconds
from .results import Results, split_path


# ---------------------------------------------------------------- 1. dataset


def split_sizes(results: Results, seeds: list[int]) -> Table:
    rows = []
    for seed in seeds:
        counts = lesson.class_counts(results.split(seed))
        rows.append({"seed": seed, "training points": counts["train"], "test points": counts["test"],
                     **{f"{name} points per class": " / ".join(map(str, counts[f"{part}_per_class"]))
                        for part, name in (("train", "training"), ("test", "test"))}})
    return Table(pd.DataFrame(rows), [split_path(seed) for seed in seeds])


# ---------------------------------------------------------------- 2. networks


def networks(results: Results) -> Table:
    """The page's two networks: architecture, parameters reported by the run, and counted from its weights."""
    tutorial = page_gap.tutorial_runs(results.table("runs"))
    jobs = {framework: job_path(tutorial.loc[framework], RUNS_FILE) for framework in FRAMEWORKS}
    rows = []
    for framework, path in jobs.items():
        run = tutorial.loc[framework]
        network = lesson.saved_network(trained_weights(results.dir / path, run["run_id"])[1])
        rows.append({
            "framework": framework_name(framework),
            "architecture": " → ".join(map(str, network["sizes"])),
            "activations": ", ".join([run["activation"]] * (len(network["sizes"]) - 2) + ["linear"]),
            "parameters (reported)": int(run["n_parameters"]),
            "parameters (weights saved)": network["counted"],
            "Σ (inputs + 1) × outputs": network["implied"],
        })
    return Table(pd.DataFrame(rows), [results.path_of("runs"), *jobs.values()],
                 text_columns=("framework", "architecture", "activations"))


# ---------------------------------------------------------------- 3. softmax


def softmax_demo(results: Results, check: dict) -> Table:
    """Both frameworks' probabilities and loss for the page's scores, beside the formula evaluated by NumPy
    (``check``: ``findings.lesson.softmax_check``)."""
    formula, formula_loss = check["formula"]
    rows = [{"quantity": f"P(class {k})", "score": f"{score:g}",
             **{framework_name(f): f"{check['probabilities'][f][k]:.6f}" for f in FRAMEWORKS},
             "NumPy, by the formula": f"{formula[k]:.6f}"} for k, score in enumerate(check["scores"])]
    rows.append({"quantity": f"loss (target class {check['target']})", "score": "",
                 **{framework_name(f): f"{check['losses'][f]:.6f}" for f in FRAMEWORKS},
                 "NumPy, by the formula": f"{formula_loss:.6f}"})
    return Table(pd.DataFrame(rows), [results.path_of("softmax_demo")], text_columns=("quantity",))


# ---------------------------------------------------------------- 5. evaluation


def _mean_std(mean, std) -> str:
    if not np.isfinite(mean):
        return "all diverged"
    return percent(mean) + (f" ± {100 * std:.1f}" if np.isfinite(std) else "")


def _interval(low, high) -> str:
    """A confidence interval of an accuracy, cut to the 0–100% an accuracy can take."""
    if not (np.isfinite(low) and np.isfinite(high)):
        return "–"
    return f"{percent(max(low, 0.0))} – {percent(min(high, 1.0))}"


def test_accuracy_summary(results: Results) -> Table:
    """Per sweep setting, both frameworks side by side: test accuracy mean ± std, 95% CI, diverged runs."""
    summary = results.table("summary")
    sweep = summary[summary["group"] == "sweep"]
    keys = ["optimizer", "learning_rate", "batch_size", "init", "precision", "setting"]
    rows, classes = [], []
    for key, same in sweep.groupby(keys, sort=True):
        row = {"optimizer": optimizer_name(key[0]), "learning rate": f"{key[1]:g}", "batch size": int(key[2]),
               "init": key[3], "precision": key[4]}
        diverged = []
        for framework in FRAMEWORKS:
            found = same[same["framework"] == framework]
            name = framework_name(framework)
            if found.empty:
                row[f"{name}: mean ± std (95% CI)"] = "not run"
                continue
            r = found.iloc[0]
            # One column per framework (the interval under its mean where the column is narrow): a page 760 px
            # wide holds the table.
            interval = _interval(r["test_accuracy_ci95_low"], r["test_accuracy_ci95_high"])
            row[f"{name}: mean ± std (95% CI)"] = (_mean_std(r["test_accuracy_mean"], r["test_accuracy_std"])
                                                   + (f" ({interval})" if interval != "–" else ""))
            diverged.append(f"{int(r['n_diverged'])}/{int(r['n_runs'])}")
        row["diverged (neurogebra, PyTorch)"] = ", ".join(diverged)
        rows.append(row)
        classes.append("sb-diverged" if any(not d.startswith("0/") for d in diverged) else "")
    sorted_rows = pd.DataFrame(rows)
    return Table(sorted_rows, [results.path_of("summary")], text_columns=("optimizer", "init", "precision"),
                 row_classes=classes)


def effects_by_metric(both: pd.DataFrame, results: Results) -> Table:
    """The pooled effects on the page's test set and on the fresh sample, side by side (``findings.effects.by_metric``)."""
    def measured(row, metric):
        text = f"{points(row[f'{metric}_mean'])} [{_interval_pp(row[f'{metric}_low'], row[f'{metric}_high'])}]"
        return f"**{text}**" if row[f"{metric}_significant"] else text
    frame = pd.DataFrame([{
        "effect": row["effect"], "levels held fixed": row["within"],
        "on the test set": measured(row, "test_accuracy"), "on the fresh sample": measured(row, "fresh_accuracy"),
        "interval narrower": f"{row['narrower']:.1f}×",
    } for _, row in both.iterrows()])
    return Table(frame, [results.path_of("effects")], text_columns=("effect", "levels held fixed"))


def diverged_runs(results: Results) -> Table:
    runs = results.table("runs")
    diverged = runs[runs["status"] != OK]
    rows = [{
        "run": r.run_id,
        "status": r.status,
        "diverged at epoch": "–" if pd.isna(r.diverged_epoch) else int(r.diverged_epoch),
        "epochs completed": int(r.epochs_completed),
        "of": int(r.epochs),
    } for r in diverged.itertuples()]
    frame = pd.DataFrame(rows, columns=["run", "status", "diverged at epoch", "epochs completed", "of"])
    return Table(frame, [results.path_of("runs")], text_columns=("run", "status"), row_classes=["sb-diverged"] * len(frame))


# ---------------------------------------------------------------- 6. fair comparison


def tutorial_comparison(results: Results) -> Table:
    tutorial = page_gap.tutorial_runs(results.table("runs"))
    rows = [{
        "framework": framework_name(framework),
        "optimizer": optimizer_name(r["optimizer"]),
        "learning rate": f"{r['learning_rate']:g}",
        "batch size": int(r["batch_size"]),
        "initialisation": r["init"],
        "seed": int(r["seed"]),
        "status": r["status"],
        "training accuracy": percent(r["train_accuracy"]),
        "test accuracy": percent(r["test_accuracy"]),
    } for framework, r in tutorial.iterrows()]
    return Table(pd.DataFrame(rows), [results.path_of("runs")],
                 text_columns=("framework", "optimizer", "initialisation", "status"))


def effects(effect_rows: pd.DataFrame, results: Results, scope: str = "pooled") -> Table:
    """Effects with both intervals and the Holm-corrected p-value (``scope``: 'pooled' or 'setting')."""
    rows = []
    chosen = effect_rows[effect_rows["scope"] == scope].reset_index(drop=True)
    varying = wording.varying_columns(chosen) if scope == "setting" else []
    # Without a config (the Results class itself, as the figure tests pass it) there is no margin to test against.
    margin = ef.equivalence_margin(results.config) if hasattr(results, "config") else None
    # The equivalence test beside each row: sameness is read from it, not from a missing difference.
    tost = ef.equivalence(chosen.rename_axis("within"), margin) if margin else None
    for index, r in chosen.iterrows():
        within = wording.where(r["effect"], r["within"])
        row = {"effect": r["contrast"].replace("pytorch", "PyTorch").replace(" - ", " − "), "held fixed": within}
        if scope == "setting":
            row["setting"] = wording.setting_label(r, varying)
        else:
            row["settings"] = int(r["n_settings"])
        row.update({
            "seeds (pairs dropped)": f"{int(r['n_pairs'])} ({int(r['n_dropped'])})",
            "mean": points(r["mean"]),
            "t 95% CI (unadjusted)": _interval_pp(r["t_low"], r["t_high"]),
            "bootstrap 95% CI (unadjusted)": _interval_pp(r["boot_low"], r["boot_high"]),
            **({f"90% CI, inside ±{100 * margin:.2f} pp?": _interval_pp(tost.at[index, "low"], tost.at[index, "high"], 2)
                + (" (yes)" if tost.at[index, "equivalent"] else " (no)")} if tost is not None else {}),
            # The raw p-value is in effects.csv: the Holm-corrected one decides, and the table fits a narrow page.
            # Bold: significant after Holm's correction within the effect's family.
            "Holm p": f"**{wording.p_value(r['p_holm'])}**" if bool(r["significant"]) else wording.p_value(r["p_holm"]),
        })
        rows.append(row)
    text = ("effect", "held fixed", "setting")
    return Table(pd.DataFrame(rows), [results.path_of("effects")], text_columns=text)


def _interval_pp(low, high, digits: int = 1) -> str:
    if not (np.isfinite(low) and np.isfinite(high)):
        return "–"
    return f"{points(low, digits, unit=False)} to {points(high, digits)}"


def page_comparison_parts(parts: dict, results: Results) -> Table:
    """The page's single-seed gap as the sum of optimizer, framework, precision, initialisation and chance."""
    path = parts["path"]

    def describe(point):
        return (f"{framework_name(point['framework'])}, {optimizer_name(point['optimizer'])} lr "
                f"{point['learning_rate']:g}, {point['init']} init, {point['precision']}")

    rows = []
    for i, name in enumerate(page_gap.PART_NAMES):
        part = parts["parts"][name]
        rows.append({"part": name, "step": f"{describe(path[i])} − {describe(path[i + 1])}",
                     "mean over seeds": points(part["mean"]),
                     "t 95% CI": _interval_pp(part["low"], part["high"])})
    total = parts["total"]
    rows.append({"part": "sum of the parts", "step": f"{describe(path[0])} − {describe(path[-1])}",
                 "mean over seeds": points(total["mean"]), "t 95% CI": _interval_pp(total["low"], total["high"])})
    rows.append({"part": "chance", "step": f"the page's gap on seed {parts['seed']} − the sum of the parts",
                 "mean over seeds": points(parts["chance"]), "t 95% CI": "–"})
    rows.append({"part": "the page's gap", "step": f"the page's two runs, seed {parts['seed']}",
                 "mean over seeds": points(parts["observed"]), "t 95% CI": "–"})
    return Table(pd.DataFrame(rows), [results.path_of("runs")], text_columns=("part", "step"),
                 wrap_columns=("step",))


def engine_usage(results: Results) -> Table:
    usage = engines.engine_usage(results.table("runs"))
    frame = pd.DataFrame({
        "group": usage["group"], "framework": usage["framework"].map(framework_name),
        "engine": usage["engine"].map(lambda e: wording.ENGINE_NAMES.get(e, e)), "runs": usage["runs"],
    })
    return Table(frame, [results.path_of("runs")], text_columns=("group", "framework", "engine"))


# ---------------------------------------------------------------- 7. / 8. inspection


def boundary_agreement(results: Results, pairs: dict) -> Table:
    agreement = results.table("boundary_agreement")
    rows = []
    for r in agreement.sort_values("name").itertuples():
        pair = pairs.get(r.name, {})
        rows.append({
            "pair": r.name,
            "seed": int(r.seed),
            "neurogebra run": pair.get("neurogebra", "–"),
            "PyTorch run": pair.get("pytorch", "–"),
            "grid points with the same class": percent(r.agreement),
        })
    return Table(pd.DataFrame(rows), [results.path_of("boundary_agreement")],
                 text_columns=("pair", "neurogebra run", "PyTorch run"), wrap_columns=("neurogebra run", "PyTorch run"))


def layer_stats(results: Results, pairs: dict) -> Table:
    """Per layer of each inspected network: weight and bias statistics, named by inspection pair."""
    stats = results.table("layer_stats")
    network = {run_id: f"{name} pair" for name, pair in pairs.items() for run_id in (pair["neurogebra"], pair["pytorch"])}
    order = {name: index for index, name in enumerate(pairs)}
    stats = stats.assign(
        network=stats["run_id"].map(lambda run_id: network.get(run_id, run_id)),
        order=stats["run_id"].map(lambda run_id: order.get(network.get(run_id, "").removesuffix(" pair"), len(order))),
    ).sort_values(["order", "network", "framework", "layer"])
    rows = [{
        "network": r.network,
        "framework": framework_name(r.framework),
        "optimizer": optimizer_name(results.run(r.run_id)["optimizer"]),
        "layer": int(r.layer),
        "neurons": int(r.n_neurons),
        "weight mean": f"{r.weight_mean:+.4f}",
        "weight std": f"{r.weight_std:.4f}",
        "weight range": f"[{r.weight_min:+.3f}, {r.weight_max:+.3f}]",
        "bias mean": f"{r.bias_mean:+.4f}",
        "bias std": f"{r.bias_std:.4f}",
    } for r in stats.itertuples()]
    return Table(pd.DataFrame(rows), [results.path_of("layer_stats"), results.path_of("runs")],
                 text_columns=("network", "framework", "optimizer"))


def mathforge(results: Results, checked: pd.DataFrame) -> Table:
    """MathForge's expressions and values, beside the values their definitions give (``checked``:
    ``findings.lesson.mathforge_check``)."""
    def by_definition(r):
        if np.isnan(r.defined_value):
            return "–"
        return f"{r.defined_value:.6g}, {r.defined_gradient:.6g}" + ("" if r.matches else " (differs)")

    frame = pd.DataFrame([{"expression": r.expression, "symbolic": r.symbolic, "gradient": r.gradient, "x": f"{r.x:g}",
                           "value": f"{r.value:g}", "gradient value": f"{r.gradient_value:g}",
                           "by definition": by_definition(r)} for r in checked.itertuples()])
    return Table(frame, [results.path_of("mathforge")], text_columns=("expression", "symbolic", "gradient"),
                 wrap_columns=("symbolic", "gradient"))


# ---------------------------------------------------------------- 9. complexity


def complexity(results: Results) -> Table:
    table = results.table("complexity")
    rows = [{
        "component": r.component,
        "neurogebra (measured)": int(r.neurogebra_lines),
        "neurogebra (page)": f"~{int(r.page_neurogebra_lines)}" if r.component == "total" else int(r.page_neurogebra_lines),
        "PyTorch (measured)": int(r.pytorch_lines),
        "PyTorch (page)": f"~{int(r.page_pytorch_lines)}" if r.component == "total" else int(r.page_pytorch_lines),
        "measured ratio": ratio(r.neurogebra_lines / r.pytorch_lines) if r.pytorch_lines else "–",
    } for r in table.itertuples()]
    return Table(pd.DataFrame(rows), [results.path_of("complexity")], text_columns=("component",))


# ---------------------------------------------------------------- 10. speed


def speed(results: Results) -> Table:
    """Seconds per epoch of each implementation per width, and the tensor engine against PyTorch and the floor."""
    by_width = sp.speed_by_width(results.table("speed"))
    rows = []
    for r in by_width.to_dict("records"):
        row = {"hidden width": int(r["hidden_width"])}
        for name in sp.IMPLEMENTATIONS:
            row[f"{SPEED_COLUMNS[name]} s/epoch (IQR)"] = (
                f"{seconds(r[f'{name}_median'])} ({seconds(r[f'{name}_p25'])} – {seconds(r[f'{name}_p75'])})"
                if np.isfinite(r[f"{name}_median"]) else "not timed")
        unstable = [SPEED_COLUMNS[name] for name in sp.IMPLEMENTATIONS
                    if np.isfinite(r[f"{name}_median"]) and not r[f"{name}_stable"]]
        row["unstable"] = ", ".join(unstable) or "–"
        # How many times faster the tensor engine is than PyTorch (below 1×: slower): the median of the
        # per-round ratios, its interval, and the verdict on the tensor engine that the interval allows.
        interval = wording.speedup_range(1 / r["tensor_ratio_high"], 1 / r["tensor_ratio_low"])
        row["tensor engine: × PyTorch's speed (interval)"] = f"{wording.speedup(1 / r['tensor_ratio'])} ({interval})"
        row["tensor engine: verdict"] = wording.inverse_verdict(r["tensor_ratio_verdict"])
        row["PyTorch: × scalar engine's speed"] = ratio(r["ratio"])
        rows.append(row)
    frame = pd.DataFrame(rows)
    # Nine columns (the rounds are in the stability sentence, the floor's ratio in the speed conclusion):
    # every text column may wrap, so that the table fits a narrow page.
    text = tuple(column for column in frame.columns if frame[column].dtype == object)
    return Table(frame, [results.path_of("speed")], wrap_columns=text)


SPEED_COLUMNS = {"scalar": "scalar engine", "tensor": "tensor engine", "torch": "PyTorch", "numpy": "numpy floor"}


def precision_speed(results: Results) -> Table:
    """float64's time over float32's per width for each implementation timed in both: what float32 buys."""
    speedups = sp.precision_speedups(results.table("speed"))
    rows = []
    for width, at in speedups.groupby("hidden_width"):
        row = {"hidden width": int(width)}
        for r in at.itertuples():
            interval = wording.speedup_range(r.speedup_low, r.speedup_high)
            row[f"{SPEED_COLUMNS[r.implementation]} (interval): float32"] = (
                f"{wording.speedup(r.speedup)} ({interval}): {r.verdict}")
        rows.append(row)
    return Table(pd.DataFrame(rows).fillna("not timed"), [results.path_of("speed")])


def run_timing(results: Results) -> Table:
    """Seconds per epoch and samples per second over all training runs of the workflow, per framework and engine."""
    frame = pd.DataFrame([{
        "framework": framework_name(framework), "engine": wording.ENGINE_NAMES.get(engine, engine), "runs": int(r.runs),
        "s/epoch, median over runs": seconds(r.seconds_median),
        "IQR": f"{seconds(r.seconds_p25)} – {seconds(r.seconds_p75)}", "samples/s, median": f"{r.samples_per_second:,.0f}",
    } for (framework, engine), r in lesson.run_timing(results.table("run_timing")).iterrows()])
    return Table(frame, [results.path_of("run_timing")], text_columns=("framework", "engine"))


# ---------------------------------------------------------------- 12. provenance


def provenance(record: dict) -> Table:
    """The provenance record, one row per item (a package per row); keys as the record names them."""
    items = []
    for key, value in record.items():
        if isinstance(value, dict):
            items.extend((f"`{key}`: {name}", v) for name, v in sorted(value.items()))
        else:
            items.append((f"`{key}`", value))
    return _item_table(items, [])


def numeric_platform(results: Results) -> Table:
    return _item_table([(f"`{key}`", value) for key, value in results.platform().items()], [PLATFORM_FILE])


def _item_table(items: list[tuple[str, object]], sources: list[str]) -> Table:
    """A two-column table of (item, value) pairs, the values written as text."""
    frame = pd.DataFrame([(item, str(value)) for item, value in items], columns=["item", "value"])
    return Table(frame, sources, text_columns=("item", "value"), wrap_columns=("value",))


# ---------------------------------------------------------------- the box at the top


EFFECT_CONTRASTS = {"framework": "neurogebra − PyTorch", "init": "page − torch-default initialisation",
                    "precision": "float32 − float64"}


def in_short(effects: pd.DataFrame) -> Table:
    """One row per effect: what it compares, its pooled differences over the levels held fixed, and how many
    of them survive Holm's correction (``findings.effects.pooled_ranges``)."""
    ranges = ef.pooled_ranges(effects)
    rows = [{"effect": effect, "compares": contrast,
             "pooled differences": f"{points(ranges.at[effect, 'low'], unit=False)} to {points(ranges.at[effect, 'high'])}",
             "significant after Holm": f"{ranges.at[effect, 'significant']} of {ranges.at[effect, 'levels']}"}
            for effect, contrast in EFFECT_CONTRASTS.items() if effect in ranges.index]
    frame = pd.DataFrame(rows, columns=["effect", "compares", "pooled differences", "significant after Holm"])
    return Table(frame, ["tables/effects.csv"], text_columns=("effect", "compares"))
