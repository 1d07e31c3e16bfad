"""Lines of code, measured against what the page claims (``tables/complexity.csv``)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from spiralbench.frameworks import FRAMEWORKS


def totals(complexity: pd.DataFrame) -> pd.Series:
    """The total row (or the parts' sum when the table has none)."""
    table = complexity.set_index("component")
    return table.loc["total"] if "total" in table.index else table.sum(numeric_only=True)


def furthest_claim(complexity: pd.DataFrame) -> dict:
    """The page's claim furthest off: the (component, framework) whose measured lines are the largest
    factor away from the claimed ones, either way (|log(measured / claimed)|)."""
    parts = complexity.set_index("component").drop(index="total", errors="ignore")
    cells = [(component, framework, int(row[f"{framework}_lines"]), int(row[f"page_{framework}_lines"]))
             for component, row in parts.iterrows() for framework in FRAMEWORKS]
    factors = [abs(np.log(measured / claimed)) if measured > 0 and claimed > 0 else np.inf
               for _, _, measured, claimed in cells]
    component, framework, measured, claimed = cells[int(np.argmax(factors))]
    return {"component": component, "framework": framework, "measured": measured, "claimed": claimed}
