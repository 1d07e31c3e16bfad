"""Lines of code, measured against what the page claims (``tables/complexity.csv``)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from spiralbench.frameworks import FRAMEWORKS


def totals(complexity: pd.DataFrame) -> pd.Series:
    """The total row (or the parts' sum when the table has none), with ``measured_ratio`` and
    ``claimed_ratio``: neurogebra's lines over PyTorch's, measured and as the page claims them."""
    table = complexity.set_index("component")
    total = table.loc["total"] if "total" in table.index else table.sum(numeric_only=True)
    return pd.concat([total, pd.Series({
        "measured_ratio": total["neurogebra_lines"] / total["pytorch_lines"],
        "claimed_ratio": total["page_neurogebra_lines"] / total["page_pytorch_lines"]})])


def furthest_claim(complexity: pd.DataFrame) -> dict:
    """The page's claim furthest off: the (component, framework) whose measured lines are the largest
    factor away from the claimed ones, either way (|log(measured / claimed)|), and that ``factor``."""
    parts = complexity.set_index("component").drop(index="total", errors="ignore")
    cells = [(component, framework, int(row[f"{framework}_lines"]), int(row[f"page_{framework}_lines"]))
             for component, row in parts.iterrows() for framework in FRAMEWORKS]
    factors = [abs(np.log(measured / claimed)) if measured > 0 and claimed > 0 else np.inf
               for _, _, measured, claimed in cells]
    component, framework, measured, claimed = cells[int(np.argmax(factors))]
    return {"component": component, "framework": framework, "measured": measured, "claimed": claimed,
            "factor": max(measured, claimed) / min(measured, claimed) if min(measured, claimed) else np.inf}
