"""Paired effects on accuracy: how much the framework, the initialisation and the precision each matter.

Each effect is measured on two accuracies of the same runs (the table's ``metric``): ``test_accuracy``,
on the page's 60 test points (steps of 1.67 points), and ``fresh_accuracy``, on the seed's fresh
sample of tens of thousands of points from the same generator (``spiralbench.data``), which measures
each model without the test set's own sampling noise.

Three effects, each measured with everything else held fixed and paired by seed (the seed fixes the
data split, so both runs of a pair see the same training and test points):

- the framework effect, neurogebra − PyTorch, within each initialisation scheme and precision;
- the initialisation effect, page − torch-default, within each framework and precision;
- the precision effect, float32 − float64, within each framework and initialisation scheme.

The levels held fixed make an effect's ``within``, e.g. ``page/float32`` for the framework effect.

Each is estimated per sweep setting (optimizer, learning rate, batch size, epochs, hidden sizes,
activation) and pooled over the settings. Pooling averages a seed's paired differences over the
settings first and tests across seeds afterwards, so the seed stays the unit of replication: the
settings of one seed share its data split, and treating them as independent pairs would overstate
the evidence.

For every effect: the number of pairs, mean and standard deviation of the differences, the Student-t
95% interval and p-value of the paired t-test (``scipy.stats.ttest_1samp`` on the differences, which
is ``ttest_rel`` on the pairs), a BCa bootstrap 95% interval (``scipy.stats.bootstrap``, fixed seed),
and the p-value corrected with Holm's method (``statsmodels``) within its family.

Families. The pooled effects answer the report's questions (is there a framework effect at matched
initialisation and precision, an initialisation or a precision effect within a framework?); the
per-setting effects look for where an effect sits. Holm controls the chance of any false positive
within a family, so the families are the (metric, effect, scope) combinations, e.g.
``fresh_accuracy/framework/pooled``: the two or so confirmatory pooled tests of an effect are not
diluted by the many exploratory per-setting ones, every per-setting scan pays for its own size, and the
two metrics are two measurements of one question, each corrected on its own.

Diverged runs: a pair with a diverged run has no accuracy to compare; it is dropped and counted
(``n_dropped``). A pooled seed averages over the settings whose pair is complete for that seed.
"""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests

from spiralbench.config import FACTORS, SETTING_KEYS
from spiralbench.frameworks import FRAMEWORKS


# The accuracies an effect is measured on (columns of tables/runs.csv), in the table's order.
METRICS = ("test_accuracy", "fresh_accuracy")
METRIC = "test_accuracy"  # path_effects' default: the page's own measure
CONFIDENCE = 0.95
ALPHA = 0.05
# The bootstrap's generator is re-seeded for every effect: an effect's interval depends on its own
# differences only, not on which effects were computed before it.
BOOTSTRAP_SEED = 20260909
BOOTSTRAP_RESAMPLES = 9999
OK = "ok"

# What defines a setting of the sweep, apart from the factors being compared.
SETTING_COLUMNS = [key for key in SETTING_KEYS if key not in FACTORS]

# effect -> (the factor it varies, the level whose accuracy is subtracted from, the other level);
# every other factor is held fixed (``held_fixed``).
EFFECTS = {
    "framework": ("framework", *FRAMEWORKS),
    "init": ("init", "page", "torch-default"),
    "precision": ("precision", "float32", "float64"),
}


def held_fixed(effect: str) -> list[str]:
    """The factors an effect is measured within: the two it does not vary, in ``FACTORS`` order."""
    return [factor for factor in FACTORS if factor != EFFECTS[effect][0]]
SCOPES = ("pooled", "setting")

EFFECTS_COLUMNS = [
    "metric", "effect", "scope", "family", "within", "contrast", *SETTING_COLUMNS,
    "n_settings", "n_pairs", "n_dropped", "mean", "sd", "t_low", "t_high", "boot_low", "boot_high",
    "p_value", "p_holm", "significant",
]


# ---------------------------------------------------------------- one effect


def paired_statistics(differences, seed: int = BOOTSTRAP_SEED) -> dict:
    """Mean, sd, t and bootstrap 95% intervals and the paired t-test p-value of paired differences.

    Fewer than two differences leave everything but the mean undefined (NaN). When every difference
    is the same there is no spread: the intervals are that single value, and the p-value is 0 for a
    non-zero value (scipy's t statistic is infinite) and NaN for zero.
    """
    d = np.asarray(differences, dtype=float)
    n = len(d)
    row = {"n_pairs": n, "mean": float(d.mean()) if n else math.nan, "sd": math.nan,
           "t_low": math.nan, "t_high": math.nan, "boot_low": math.nan, "boot_high": math.nan,
           "p_value": math.nan}
    if n < 2:
        return row
    row["sd"] = float(d.std(ddof=1))
    if row["sd"] == 0:
        row.update(t_low=row["mean"], t_high=row["mean"], boot_low=row["mean"], boot_high=row["mean"],
                   p_value=0.0 if row["mean"] != 0 else math.nan)
        return row
    test = stats.ttest_1samp(d, 0.0)
    interval = test.confidence_interval(CONFIDENCE)
    row.update(t_low=float(interval.low), t_high=float(interval.high), p_value=float(test.pvalue))
    row["boot_low"], row["boot_high"] = bootstrap_interval(d, seed)
    return row


def bootstrap_interval(differences: np.ndarray, seed: int = BOOTSTRAP_SEED) -> tuple[float, float]:
    """BCa bootstrap 95% interval of the mean difference, from a generator seeded with ``seed``.

    BCa rather than percentile: it corrects the percentile interval for the bias and skew of the
    bootstrap distribution (accuracies are bounded and their differences often skewed), and is
    second-order accurate where the percentile interval is first-order. With ten seeds every
    bootstrap interval is somewhat too narrow; the t interval beside it is the conservative one.
    Where BCa is undefined (its acceleration needs jackknife values that differ) the percentile
    interval is used.
    """
    for method in ("BCa", "percentile"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # scipy warns, then returns NaN, for degenerate resamples
            result = stats.bootstrap((differences,), np.mean, n_resamples=BOOTSTRAP_RESAMPLES,
                                     confidence_level=CONFIDENCE, method=method,
                                     rng=np.random.default_rng(seed))
        low, high = float(result.confidence_interval.low), float(result.confidence_interval.high)
        if math.isfinite(low) and math.isfinite(high):
            return low, high
    return math.nan, math.nan


# ---------------------------------------------------------------- pairing


def check_runs(runs: pd.DataFrame, metrics=(METRIC,)) -> None:
    """A clear error, before any statistics, when the runs table lacks what the pairing needs."""
    needed = ["group", *FACTORS, "seed", "status", *metrics, *SETTING_COLUMNS]
    missing = [column for column in needed if column not in runs.columns]
    if missing:
        raise ValueError(f"runs table: missing column(s) {', '.join(missing)} needed to pair runs")
    unknown = sorted(set(runs["status"]) - {OK, "diverged"})
    if unknown:
        raise ValueError(f"runs table: unknown status value(s) {', '.join(map(str, unknown))}")
    sweep = runs[runs["group"] == "sweep"]
    keys = [*FACTORS, *SETTING_COLUMNS, "seed"]
    duplicated = sweep[sweep.duplicated(keys, keep=False)]
    if len(duplicated):
        first = duplicated.iloc[0]
        raise ValueError("runs table: more than one sweep run for "
                         + ", ".join(f"{key}={first[key]}" for key in keys))


def paired_differences(runs: pd.DataFrame, effect: str, metric: str = METRIC) -> pd.DataFrame:
    """Every pair of an effect: one row per (levels held fixed, setting, seed), with the difference.

    ``within`` names the levels held fixed, joined by '/'. ``difference`` is NaN when either run of the
    pair diverged; a pair with a run missing from the table altogether is not a pair and does not appear.
    """
    factor, minuend, subtrahend = EFFECTS[effect]
    fixed = held_fixed(effect)
    sweep = runs[runs["group"] == "sweep"]
    keys = [*fixed, *SETTING_COLUMNS, "seed"]
    value = sweep[metric].where(sweep["status"] == OK)
    sides = [value[sweep[factor] == level].set_axis(pd.MultiIndex.from_frame(sweep.loc[sweep[factor] == level, keys]))
             for level in (minuend, subtrahend)]
    both = pd.concat(sides, axis=1, keys=["minuend", "subtrahend"], join="inner")
    pairs = (both["minuend"] - both["subtrahend"]).rename("difference").reset_index()
    pairs.insert(0, "within", pairs[fixed].astype(str).agg("/".join, axis=1) if len(pairs) else "")
    pairs = pairs.drop(columns=fixed)
    return pairs.sort_values(["within", *SETTING_COLUMNS, "seed"], kind="mergesort").reset_index(drop=True)


# ---------------------------------------------------------------- the table


def effects_table(runs: pd.DataFrame, metrics=METRICS) -> pd.DataFrame:
    """Every effect on every metric, per setting and pooled, with intervals and Holm-corrected
    p-values (see module doc)."""
    check_runs(runs, metrics)
    rows = []
    for metric, (effect, (factor, minuend, subtrahend)) in itertools.product(metrics, EFFECTS.items()):
        pairs = paired_differences(runs, effect, metric)
        contrast = f"{minuend} - {subtrahend}"  # ASCII: the table is read by other tools too
        for within, mine in pairs.groupby("within", sort=True):
            base = {"metric": metric, "effect": effect, "within": within, "contrast": contrast}
            pooled = mine.groupby("seed", sort=True)["difference"].mean()  # NaN only if every pair of the seed diverged
            settings = mine.dropna(subset=["difference"])[SETTING_COLUMNS].drop_duplicates()  # that contribute
            rows.append({**base, "scope": "pooled", **{c: None for c in SETTING_COLUMNS},
                         "n_settings": len(settings), "n_dropped": int(mine["difference"].isna().sum()),
                         **paired_statistics(pooled.dropna())})
            for setting, same in mine.groupby(SETTING_COLUMNS, sort=True):
                rows.append({**base, "scope": "setting", **dict(zip(SETTING_COLUMNS, setting)), "n_settings": 1,
                             "n_dropped": int(same["difference"].isna().sum()),
                             **paired_statistics(same["difference"].dropna())})
    table = pd.DataFrame(rows, columns=[c for c in EFFECTS_COLUMNS if c not in ("family", "p_holm", "significant")])
    # e.g. fresh_accuracy/framework/pooled, test_accuracy/precision/setting
    table["family"] = table["metric"] + "/" + table["effect"] + "/" + table["scope"]
    table = holm_by_family(table)
    ordered = {"metric": list(metrics), "effect": list(EFFECTS), "scope": list(SCOPES)}
    for column, levels in ordered.items():
        table[column] = pd.Categorical(table[column], levels)
    table = table.sort_values([*ordered, "within", *SETTING_COLUMNS], kind="mergesort", na_position="first")
    for column in ordered:
        table[column] = table[column].astype(str)
    for column in ("batch_size", "epochs"):  # integers; empty on pooled rows
        table[column] = table[column].astype("Int64")
    return table[EFFECTS_COLUMNS].reset_index(drop=True)


def of_metric(effects: pd.DataFrame, metric: str) -> pd.DataFrame:
    """The rows of one metric of an effects table, without the ``metric`` column: the table as a
    reader of one measure wants it."""
    if metric not in set(effects["metric"]):
        raise ValueError(f"effects table: no rows for metric {metric!r}; it has {', '.join(sorted(set(effects['metric'])))}")
    return effects[effects["metric"] == metric].drop(columns="metric").reset_index(drop=True)


def holm_by_family(table: pd.DataFrame) -> pd.DataFrame:
    """Holm-adjusted p-values within each family; effects without a p-value are not part of the test."""
    table = table.copy()
    table["p_holm"] = math.nan
    table["significant"] = False
    for _, family in table.groupby("family", sort=True):
        tested = family["p_value"].notna()
        if not tested.any():
            continue
        reject, adjusted, _, _ = multipletests(family.loc[tested, "p_value"].to_numpy(), alpha=ALPHA, method="holm")
        index = family.index[tested]
        table.loc[index, "p_holm"] = adjusted
        table.loc[index, "significant"] = reject
    table["significant"] = table["significant"].astype(bool)
    return table


def path_effects(runs: pd.DataFrame, path: list[dict], metric: str = METRIC) -> pd.DataFrame:
    """The steps along a path of runs, paired by seed: step i is (run i) − (run i+1), per seed.

    ``path`` lists run descriptions (framework, init and the setting columns). Only seeds where every
    run of the path finished are kept, so the steps' means add up exactly to the mean of the whole
    gap, first run − last run. Returns one column per step and ``total``, indexed by seed.
    """
    check_runs(runs, (metric,))
    sweep = runs[runs["group"] == "sweep"]
    columns = []
    for point in path:
        mask = np.ones(len(sweep), dtype=bool)
        for key, value in point.items():
            mask &= np.isclose(sweep[key], value) if key == "learning_rate" else (sweep[key] == value).to_numpy()
        chosen = sweep[mask]
        columns.append(chosen[metric].where(chosen["status"] == OK).set_axis(chosen["seed"]))
    values = pd.concat(columns, axis=1, keys=range(len(path))).dropna().sort_index()
    steps = pd.DataFrame({f"step{i}": values[i] - values[i + 1] for i in range(len(path) - 1)}, index=values.index)
    steps["total"] = values[0] - values[len(path) - 1]
    return steps


