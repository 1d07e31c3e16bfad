"""How far a rerun reproduces the published results: the check's levels, from strongest to weakest.

- **bit-identical**: every deterministic output has the published SHA-256. What every x86-64-v3 CPU
  gives under the numeric pins (``spiralbench.numeric_platform``; ``spiralbench.kernels`` checks that no
  kernel a run calls depends on the CPU's vendor), and what the check demands there by default.
- **distributions reproduced**: bytes differ, but the rerun is a draw of the same random process
  (``spiralbench.distributions``): every input (data split, fresh sample) holds the published values,
  and per group, setting, framework and metric the runs over seeds are not shifted from the published
  ones (a paired signed-rank test over seeds, Holm-corrected over all of them at 1%). Tables computed
  from fixed inputs without training (``FIXED_TABLES``) must hold their values within ``FIXED_RTOL``.
  Everything computed from the runs (histories, predictions, parameters, the tables of effects) is
  judged through the runs.
- **conclusions reproduced**: the runs or inputs moved beyond that, but every verdict the report draws
  (``tables/verdicts.csv``: whether each effect survives Holm and which side it favours, the page gap's
  largest part, every answer of "When to use each") equals the published one.
- **not reproduced**: a verdict moved, or an output is missing; the check names the first.

``assess`` gives the level of each output and overall; the check passes when the overall level is at
least the one required (``check_require`` in the config: ``make check REQUIRE=distributions-reproduced``).
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from spiralbench import distributions, manifest
from spiralbench.io import read_json

BIT_IDENTICAL = "bit-identical"
DISTRIBUTIONS_REPRODUCED = "distributions reproduced"
CONCLUSIONS_REPRODUCED = "conclusions reproduced"
NOT_REPRODUCED = "not reproduced"
LEVELS = (BIT_IDENTICAL, DISTRIBUTIONS_REPRODUCED, CONCLUSIONS_REPRODUCED, NOT_REPRODUCED)

VERDICTS_TABLE = "tables/verdicts.csv"
INPUTS_TABLE = "inputs.csv"  # in the published reference/: a summary of every data file (distributions)
# Tables computed from fixed inputs, no training: the page's softmax demo, MathForge against its
# definitions, the code-size counts. Another machine may round their last bit, nothing more.
FIXED_TABLES = ("tables/softmax_demo.csv", "tables/mathforge.csv", "tables/complexity.csv",
                "tables/complexity_rule.txt")
FIXED_RTOL = 1e-9


def level_name(text: str) -> str:
    """'conclusions-reproduced' (as a config value or command-line word) -> 'conclusions reproduced'."""
    words = text.replace("_", " ").replace("-", " ").strip().lower()
    for level in LEVELS[:-1]:
        if level.replace("-", " ") == words:
            return level
    raise ValueError(f"unknown reproduction level {text!r}: choose one of "
                     + ", ".join(level.replace(" ", "-") for level in LEVELS[:-1]))


def at_least(level: str, required: str) -> bool:
    return LEVELS.index(level) <= LEVELS.index(required)


def required_level(asked: str, isa_level: str) -> str:
    """The level a check requires: the one asked for, or with ``auto`` what the README promises for this
    CPU: bit-identical where the numeric pins apply (x86-64-v3 and up), conclusions reproduced elsewhere."""
    if asked.strip().lower() != "auto":
        return level_name(asked)
    return BIT_IDENTICAL if isa_level in ("x86-64-v3", "x86-64-v4") else CONCLUSIONS_REPRODUCED


# ---------------------------------------------------------------- values of a table


def read_table(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, keep_default_na=False, na_values=[""], dtype=str)


def fixed_table_difference(expected: Path, actual: Path) -> str | None:
    """The first cell of a fixed-input table that differs beyond ``FIXED_RTOL`` (text: at all), or None."""
    if expected.suffix != ".csv":
        return None if expected.read_bytes() == actual.read_bytes() else "the text differs"
    want, got = read_table(expected), read_table(actual)
    if list(want.columns) != list(got.columns) or len(want) != len(got):
        return f"shape {len(want)}×{list(want.columns)} expected, {len(got)}×{list(got.columns)} found"
    for column in want.columns:
        a, b = pd.to_numeric(want[column], errors="coerce"), pd.to_numeric(got[column], errors="coerce")
        numbers = a.notna() & b.notna()
        close = np.isclose(a[numbers], b[numbers], rtol=FIXED_RTOL, atol=0.0)
        text_same = (want[column][~numbers].fillna("") == got[column][~numbers].fillna(""))
        if not close.all() or not text_same.all():
            row = (numbers[numbers].index[~close].tolist() + text_same.index[~text_same].tolist())[0]
            return f"row {row + 1}, column {column}: expected {want[column][row]}, found {got[column][row]}"
    return None


# ---------------------------------------------------------------- verdicts


def first_moved_verdict(expected: Path, actual: Path) -> str | None:
    """The first verdict whose value differs between two verdict tables, in words; None if none."""
    want = read_table(expected).set_index("verdict")["value"]
    got = read_table(actual).set_index("verdict")["value"] if actual.is_file() else pd.Series(dtype=str)
    for verdict, value in want.items():
        if verdict not in got.index:
            return f"verdict '{verdict}' is missing (published: {value})"
        if got[verdict] != value:
            return f"verdict '{verdict}': published {value}, found {got[verdict]}"
    extra = [verdict for verdict in got.index if verdict not in want.index]
    return f"verdict '{extra[0]}' is not among the published ones" if extra else None


# ---------------------------------------------------------------- the assessment


@dataclass(frozen=True)
class Outcome:
    path: str
    status: str  # the manifest's: matched | differed | missing | unexpected
    level: str
    detail: str = ""


@dataclass(frozen=True)
class Assessment:
    outcomes: list[Outcome]
    level: str
    reason: str


def assess(results_dir: Path, published_dir: Path) -> Assessment:
    """Compare ``results_dir`` with what ``published_dir`` holds and say how far it reproduces."""
    results_dir, published_dir = Path(results_dir), Path(published_dir)
    reference = published_dir / manifest.REFERENCE_DIR
    comparisons = manifest.compare(manifest.read_manifest(published_dir / manifest.MANIFEST_NAME), results_dir, reference)
    runs_judged = []  # the distribution test of the runs, made once, when an output needs it

    def through_the_runs() -> tuple[str, str]:
        if not runs_judged:
            runs_judged.append(_judge_runs(reference, results_dir))
        return runs_judged[0]

    outcomes = []
    for comparison in comparisons:
        path, status = comparison.path, comparison.status
        if status == manifest.MATCHED:
            outcomes.append(Outcome(path, status, BIT_IDENTICAL))
        elif status != manifest.DIFFERED:
            outcomes.append(Outcome(path, status, NOT_REPRODUCED, comparison.detail))
        elif path == VERDICTS_TABLE:
            moved = first_moved_verdict(reference / path, results_dir / path)
            outcomes.append(Outcome(path, status, NOT_REPRODUCED if moved else DISTRIBUTIONS_REPRODUCED,
                                    moved or "the same verdicts, written differently"))
        elif path.startswith("data/"):
            moved = _input_difference(reference, results_dir, path)
            outcomes.append(Outcome(path, status, CONCLUSIONS_REPRODUCED if moved else DISTRIBUTIONS_REPRODUCED,
                                    f"an input changed: {moved}" if moved else "the same values, up to rounding"))
        elif path in FIXED_TABLES:
            moved = fixed_table_difference(reference / path, results_dir / path)
            outcomes.append(Outcome(path, status, CONCLUSIONS_REPRODUCED if moved else DISTRIBUTIONS_REPRODUCED,
                                    moved or f"every value within {FIXED_RTOL:g} (relative)"))
        else:
            level, detail = through_the_runs()
            # A table's first differing cell from its published copy; a job table's first differing run and
            # value, as the manifest's comparison found them.
            first = (first_cell_difference(reference / path, results_dir / path) if path.endswith(".csv")
                     else comparison.detail)
            outcomes.append(Outcome(path, status, level, "; ".join(filter(None, [first, detail]))))
    return Assessment(outcomes, *overall(outcomes, reference, results_dir))


def _judge_runs(reference: Path, results_dir: Path) -> tuple[str, str]:
    """The level of everything computed from the runs, and why: the distribution test of ``tables/runs.csv``."""
    published, rerun = reference / distributions.RUNS_TABLE, results_dir / distributions.RUNS_TABLE
    if not published.is_file() or not rerun.is_file():
        return CONCLUSIONS_REPRODUCED, f"no {distributions.RUNS_TABLE} to compare the runs' distributions with"
    moved, table = distributions.first_difference(published, rerun)
    if moved:
        return CONCLUSIONS_REPRODUCED, f"the runs' distribution moved: {moved}"
    return DISTRIBUTIONS_REPRODUCED, (f"judged through the runs: no setting's runs shifted ({len(table)} tests, "
                                      f"{int((table['p'] < distributions.ALPHA).sum()) if len(table) else 0} "
                                      "significant before Holm's correction)")


def _input_difference(reference: Path, results_dir: Path, path: str) -> str | None:
    summaries = reference / INPUTS_TABLE
    if not summaries.is_file():
        return f"no published {INPUTS_TABLE} to compare it with"
    return distributions.input_difference(pd.read_csv(summaries, keep_default_na=False, dtype=str), results_dir, path)


def first_cell_difference(expected: Path, actual: Path) -> str | None:
    """Where a table first differs, in words: its row's first column (a run's id), the column, both values."""
    if not expected.is_file() or not actual.is_file():
        return None
    want, got = read_table(expected), read_table(actual)
    if list(want.columns) != list(got.columns) or len(want) != len(got):
        return f"{len(want)} rows × {len(want.columns)} columns expected, {len(got)} × {len(got.columns)} found"
    differs = (want.fillna("") != got.fillna("")).to_numpy()
    if not differs.any():
        return None
    row, column = map(int, np.argwhere(differs)[0])
    name = want.columns[column]
    return f"first at {want.iloc[row, 0]}, {name}: {want.iloc[row, column]} published, {got.iloc[row, column]} here"


def overall(outcomes: list[Outcome], reference: Path, results_dir: Path) -> tuple[str, str]:
    """The weakest level of any output, with the reason in words."""
    if not outcomes:
        return NOT_REPRODUCED, "nothing to compare"
    broken = [o for o in outcomes if o.status in (manifest.MISSING, manifest.UNEXPECTED)]
    if broken:
        return NOT_REPRODUCED, f"{broken[0].path} is {broken[0].status}"
    moved = [o for o in outcomes if o.level == NOT_REPRODUCED]
    if moved:
        return NOT_REPRODUCED, f"a verdict moved: {moved[0].detail}"
    beyond = [o for o in outcomes if o.level == CONCLUSIONS_REPRODUCED]
    if beyond:
        if not (reference / VERDICTS_TABLE).is_file():
            return NOT_REPRODUCED, (f"{beyond[0].path}: {beyond[0].detail}; and no published verdicts to "
                                    "compare conclusions with")
        return CONCLUSIONS_REPRODUCED, (f"every verdict as published, but not the same distributions, first in "
                                        f"{beyond[0].path}: {beyond[0].detail}")
    differed = [o for o in outcomes if o.status == manifest.DIFFERED]
    if differed:
        return DISTRIBUTIONS_REPRODUCED, (f"{len(differed)} of {len(outcomes)} outputs differ in their bytes, first "
                                          f"{differed[0].path}: {differed[0].detail}")
    return BIT_IDENTICAL, f"all {len(outcomes)} deterministic outputs have the published SHA-256"


def format_assessment(assessment: Assessment, show_matched: bool = True) -> str:
    rows = [o for o in assessment.outcomes if show_matched or o.status != manifest.MATCHED]
    width = max([len("path")] + [len(o.path) for o in rows])
    level_width = max(len(level) for level in LEVELS)
    lines = [f"{'path':<{width}}  {'status':<10}  {'level':<{level_width}}  detail"]
    lines += [f"{o.path:<{width}}  {o.status:<10}  {o.level:<{level_width}}  {o.detail}".rstrip() for o in rows]
    counts = {level: sum(o.level == level for o in assessment.outcomes) for level in LEVELS}
    lines.append(", ".join(f"{n} {level}" for level, n in counts.items() if n))
    return "\n".join(lines) + "\n"


def platform_difference(results_dir: Path, published_dir: Path) -> str:
    """The published and this run's platforms side by side, or why they cannot be shown."""
    from spiralbench.numeric_platform import PLATFORM_FILE, side_by_side

    published, local = Path(published_dir) / PLATFORM_FILE, Path(results_dir) / PLATFORM_FILE
    if not published.is_file() or not local.is_file():
        return f"(platform not recorded: {published if not published.is_file() else local} is missing)"
    return side_by_side(read_json(published), read_json(local))


def first_difference(assessment: Assessment) -> str:
    """The first output below bit-identity and why, in words ('' when every output is bit-identical)."""
    below = [o for o in assessment.outcomes if o.level != BIT_IDENTICAL]
    worst = min(below, key=lambda o: -LEVELS.index(o.level), default=None)
    return f"{worst.path} ({worst.level}): {worst.detail}" if worst else ""


def check(results_dir: Path, published_dir: Path, required: str = BIT_IDENTICAL,
          show_matched: bool = True, with_assessment: bool = False):
    """The check: (passed?, printed text): the table, the platforms when anything differs, the level
    (and the assessment itself, ``with_assessment``)."""
    assessment = assess(results_dir, published_dir)
    text = format_assessment(assessment, show_matched)
    if assessment.level != BIT_IDENTICAL:
        text += ("\nThe published platform and this run's (≠ marks a difference):\n"
                 + platform_difference(results_dir, published_dir) + "\n")
    passed = at_least(assessment.level, required)
    text += (f"\nReproduction: {assessment.level.upper()} ({assessment.reason}).\n"
             f"Required: {required}: {'passed' if passed else 'FAILED'}.\n")
    return (passed, text, assessment) if with_assessment else (passed, text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m spiralbench.reproduction", description=__doc__.split("\n")[0])
    parser.add_argument("results", type=Path)
    parser.add_argument("published", type=Path)
    parser.add_argument("--require", default=BIT_IDENTICAL, type=level_name,
                        help="the weakest level that passes (default: bit-identical)")
    parser.add_argument("--only-differences", action="store_true", help="leave matched outputs out")
    args = parser.parse_args(argv)
    try:
        passed, text = check(args.results, args.published, args.require, not args.only_differences)
    except (manifest.ManifestError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(text, end="")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
