"""Read-only access to a results directory, by the names of the results contract.

Every reader goes through ``spiralbench.io``, so a missing or damaged file stops
the report with an error naming that file. Each file is read once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

import numpy as np
import pandas as pd

import yaml

from spiralbench.config import FRAMEWORKS, inspection_pairs
from spiralbench.contract import TABLES as CONTRACT
from spiralbench.figures import ABOUT_FILE, FIGURES_DIR
from spiralbench.findings.effects import for_metric
from spiralbench.io import ResultFileError, load_npz, read_csv, read_json
from spiralbench.numeric_platform import PLATFORM_FILE

SPEED_PLATFORM = "timing/speed_platform.json"



@dataclass(frozen=True)
class FigureFile:
    """A drawn figure as the report shows it: its PNG file, alternative text, the result files it was
    drawn from, and its width on the page in CSS pixels (the PNG has two pixels per CSS pixel)."""

    name: str
    path: Path
    alt: str
    sources: list[str]
    width: int


# "effects_both_metrics": tables/effects.csv with every metric; "effects" holds the verdicts' metric only.
TABLES = CONTRACT | {"effects_both_metrics": CONTRACT["effects"]}


class Results:
    """The tables and arrays of one results directory, and the config that made them."""

    def __init__(self, results_dir: str | Path, config: str | Path | dict):
        self.dir = Path(results_dir)
        if not self.dir.is_dir():
            raise ResultFileError(f"{self.dir}: results directory not found")
        # The config as the workflow validated it when it started (render.py writes it beside the report).
        if not isinstance(config, dict):
            with open(config, encoding="utf-8") as handle:
                config = yaml.safe_load(handle)
        self.config = config
        self.table = cache(self._read_table)
        self.arrays = cache(self._read_arrays)

    # ------------------------------------------------------------ files by contract name

    @staticmethod
    def path_of(name: str) -> str:
        """The contract path of a table, e.g. ``tables/runs.csv``: what captions cite."""
        return TABLES[name][0]

    def _read_table(self, name: str) -> pd.DataFrame:
        path, columns = TABLES[name]
        table = read_csv(self.dir / path, required_columns=columns)
        # tables/effects.csv holds every effect on two accuracies (its ``metric`` column); the report reads
        # the rows of the metric the verdicts use (spiralbench.findings.effects), and both metrics only
        # where it sets them side by side (``effects_both_metrics``).
        return for_metric(table) if name == "effects" else table

    def _read_arrays(self, relative_path: str, keys: tuple[str, ...] | None = None) -> dict[str, np.ndarray]:
        """Every array of the file, or only ``keys``, each of which it must hold."""
        return load_npz(self.dir / relative_path, keys)

    @cached_property
    def figures_about(self) -> dict[str, dict]:
        """``figures/figures.json``, read once: each figure's alternative text, sources and width."""
        return read_json(self.dir / ABOUT_FILE)

    def figure(self, name: str) -> FigureFile:
        """A figure the workflow drew (``figures/{name}.png``), with what ``figures/figures.json`` says of it."""
        about = self.figures_about
        if name not in about:
            raise ResultFileError(f"{self.dir / ABOUT_FILE}: no figure named {name!r}")
        path = self.dir / FIGURES_DIR / f"{name}.png"
        if not path.is_file():
            raise ResultFileError(f"{path}: file not found")
        return FigureFile(name, path, **about[name])

    def platform(self, of: str = PLATFORM_FILE) -> dict:
        """The numeric platform the jobs ran on (``platform.json``, spiralbench.numeric_platform), or the
        speed job (``of=SPEED_PLATFORM``), which runs without the pins."""
        return read_json(self.dir / of, required=("cpu", "isa_level", "pins"))

    # ------------------------------------------------------------ what the config describes

    @property
    def tutorial_seed(self) -> int:
        return self.config["tutorial"]["seed"]

    @property
    def seeds(self) -> list[int]:
        return list(self.config["seeds"])

    def split(self, seed: int) -> dict[str, np.ndarray]:
        """X_train, X_test, y_train, y_test of one seed."""
        return self.arrays(split_path(seed))

    def inspection_pairs(self) -> dict[str, dict]:
        """{name: {"seed", "neurogebra": run_id, "pytorch": run_id}} as the config names them."""
        return inspection_pairs(self.config)

    def boundary(self, name: str) -> dict[str, np.ndarray]:
        """xx, yy and one predicted-class grid per framework (keys ``neurogebra``, ``pytorch``; in the file
        ``Z_neurogebra``, ``Z_pytorch``)."""
        arrays = self.arrays(boundary_path(name), ("xx", "yy", *(f"Z_{framework}" for framework in FRAMEWORKS)))
        return {key.removeprefix("Z_"): array for key, array in arrays.items()}

    def neuron_maps(self, name: str) -> dict[str, np.ndarray]:
        return self.arrays(neuron_maps_path(name), ("xx", "yy", "maps"))

    def runs(self, group: str | None = None) -> pd.DataFrame:
        runs = self.table("runs")
        return runs if group is None else runs[runs["group"] == group]

    def run(self, run_id: str) -> pd.Series:
        runs = self.table("runs")
        match = runs[runs["run_id"] == run_id]
        if len(match) != 1:
            raise ResultFileError(f"{self.dir / self.path_of('runs')}: no row for run {run_id}")
        return match.iloc[0]


def split_path(seed: int) -> str:
    return f"data/seed{seed}.npz"


def boundary_path(name: str) -> str:
    return f"inspection/{name}/boundary.npz"


def neuron_maps_path(name: str) -> str:
    return f"inspection/{name}/neuron_maps.npz"
