"""The report's figures, drawn by the workflow (rule ``figures``) into ``figures/{name}.png``.

Each module draws one part of the report from the result tables (``dataset``, ``training``,
``comparison``, ``inspection``, ``cost``; ``style`` gives them one look); ``draw`` draws every figure
of a results directory and writes ``figures/figures.json`` beside them: each figure's alternative text,
the result files it was drawn from and its width on the page. The report shows them under captions of
its own, and Snakemake's report lists them. This module names where they go, without importing
matplotlib, for the Snakefile.
"""

from __future__ import annotations

import re

FIGURES_DIR = "figures"
ABOUT_FILE = f"{FIGURES_DIR}/figures.json"


def slug(name: str) -> str:
    """A name as a file-name and label part: lower case, runs of other characters turned into one hyphen."""
    return re.sub(r"[^a-z0-9]+", "-", str(name).lower()).strip("-") or "x"


def boundary_figure(pair: str) -> str:
    """The figure of an inspection pair's decision boundaries."""
    return f"boundaries-{slug(pair)}"
