"""The Student-t interval of a mean over seeds: the one definition the tables and the findings share."""
from __future__ import annotations

import math

import numpy as np
from scipy import stats


def t_interval(values, confidence: float = 0.95) -> dict:
    """Count, mean, sample standard deviation and the two-sided t-interval of the mean of the finite
    ``values``; the spread and interval are NaN with fewer than two (nothing to measure them from).

    The half width is ``t(confidence, n − 1) · std / √n`` in that order of operations: the summary
    table's published bytes were written with it. (The paired effects take their interval from
    ``scipy.stats.ttest_1samp``, the same test object that gives their p-value.)
    """
    values = np.asarray([v for v in np.asarray(values, dtype=float) if np.isfinite(v)], dtype=float)
    n = len(values)
    mean = float(np.mean(values)) if n else math.nan
    if n < 2:
        return {"n": n, "mean": mean, "std": math.nan, "low": math.nan, "high": math.nan}
    std = float(np.std(values, ddof=1))
    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1)) * std / math.sqrt(n)
    return {"n": n, "mean": mean, "std": std, "low": mean - half, "high": mean + half}
