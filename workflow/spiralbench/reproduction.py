"""How far a rerun reproduces the published results: the check's levels, from strongest to weakest.

- **bit-identical**: every deterministic output has the published SHA-256. What every x86-64-v3 CPU
  gives under the numeric pins (``spiralbench.numeric_platform``), and what the check demands by default.
- **numerically equivalent**: some bytes differ, but every value of every table is within its
  tolerance. Tolerances are per table column, *measured*: the largest difference seen between the
  published run and reruns on other code paths of the same machine (the pins off, other kernels),
  times ``HEADROOM`` (2); a column that no such rerun moved must match exactly. They are published beside
  the manifest (``tolerances.csv``, made by ``python -m spiralbench.reproduction tolerances``).
  The per-run files (histories, metrics, predictions, parameters) and arrays have only a hash in the
  manifest; their values reach the tables (every history is in ``tables/epochs.csv``, every run's
  final metrics in ``tables/runs.csv``), so they are judged through them.
- **conclusions reproduced**: values moved beyond tolerance, but every verdict the report draws
  (``tables/verdicts.csv``: whether each effect survives Holm and which side it favours, the page gap's largest
  part, every answer of "When to use each") equals the published one.
- **not reproduced**: a verdict moved, or an output is missing; the check names the first.

``assess`` gives the level of each output and overall; the check passes when the overall level is at
least the one required (``check_require`` in the config: ``make check REQUIRE=conclusions-reproduced``).
"""
from __future__ import annotations

import argparse
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from spiralbench import manifest
from spiralbench.io import read_json

BIT_IDENTICAL = "bit-identical"
NUMERICALLY_EQUIVALENT = "numerically equivalent"
CONCLUSIONS_REPRODUCED = "conclusions reproduced"
NOT_REPRODUCED = "not reproduced"
LEVELS = (BIT_IDENTICAL, NUMERICALLY_EQUIVALENT, CONCLUSIONS_REPRODUCED, NOT_REPRODUCED)

VERDICTS_TABLE = "tables/verdicts.csv"
TOLERANCES_FILE = "tolerances.csv"
# A tolerance is the largest difference measured between code paths, times this: another machine's
# kernels are not the ones measured, and training amplifies a last-bit difference by an amount that
# depends on the path. Not more: an accuracy moves in steps of one test point, and ten steps would
# hide a real change.
HEADROOM = 2.0


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


# ---------------------------------------------------------------- values of a table


def read_table(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, keep_default_na=False, na_values=[""], dtype=str)


def numeric(column: pd.Series) -> pd.Series | None:
    """The column as floats, or None when any non-empty cell is not a number."""
    values = pd.to_numeric(column, errors="coerce")
    return None if (values.isna() & column.notna()).any() else values


def column_differences(expected: pd.DataFrame, actual: pd.DataFrame) -> dict[str, float]:
    """Per column, the largest absolute difference between two tables of the same shape.

    Text columns give 0 where equal and infinity where any cell differs; a cell empty on one side
    only is infinitely different.
    """
    differences = {}
    for column in expected.columns:
        want, got = expected[column], actual[column]
        want_numbers, got_numbers = numeric(want), numeric(got)
        if want_numbers is None or got_numbers is None:
            same = (want.fillna("") == got.fillna("")).all()
            differences[column] = 0.0 if same else np.inf
            continue
        a, b = want_numbers.to_numpy(float), got_numbers.to_numpy(float)
        both_missing = np.isnan(a) & np.isnan(b)
        delta = np.where(both_missing, 0.0, np.abs(a - b))
        differences[column] = float(np.nan_to_num(delta, nan=np.inf).max()) if len(delta) else 0.0
    return differences


def shape_difference(expected: pd.DataFrame, actual: pd.DataFrame) -> str | None:
    if list(expected.columns) != list(actual.columns):
        return f"columns differ: expected {', '.join(expected.columns)}; found {', '.join(actual.columns)}"
    if len(expected) != len(actual):
        return f"{len(expected)} rows expected, {len(actual)} found"
    return None


def first_excess(expected: pd.DataFrame, actual: pd.DataFrame, table: str, tolerances: dict) -> str | None:
    """The first cell whose difference exceeds its column's tolerance, in words; None if none does."""
    problem = shape_difference(expected, actual)
    if problem:
        return problem
    for column, difference in column_differences(expected, actual).items():
        tolerance = tolerances.get((table, column), 0.0)
        if difference > tolerance:
            want, got = expected[column].fillna(""), actual[column].fillna("")
            want_numbers, got_numbers = numeric(expected[column]), numeric(actual[column])
            if want_numbers is not None and got_numbers is not None:
                delta = (want_numbers - got_numbers).abs().fillna(np.inf)
                delta[want_numbers.isna() & got_numbers.isna()] = 0.0
                row = int(np.argmax(delta.to_numpy() > tolerance))
            else:
                row = int(np.argmax((want != got).to_numpy()))
            return (f"row {row + 1}, column {column}: expected {want.iloc[row] or '(empty)'}, found "
                    f"{got.iloc[row] or '(empty)'} (difference {difference:.3g} > tolerance {tolerance:.3g})")
    return None


def read_tolerances(path: Path) -> dict[tuple[str, str], float]:
    """{(table, column): tolerance} from a published ``tolerances.csv``; empty when there is none."""
    if not path.is_file():
        return {}
    frame = pd.read_csv(path)
    return {(row.table, row.column): float(row.tolerance) for row in frame.itertuples()}


def measure_tolerances(reference: Path, variants: list[Path], headroom: float = HEADROOM) -> pd.DataFrame:
    """Per table column: the largest difference between ``reference`` and any variant, and the tolerance."""
    rows = []
    for path in sorted(Path(reference).glob("tables/**/*.csv")):
        table = path.relative_to(reference).as_posix()
        expected = read_table(path)
        largest = dict.fromkeys(expected.columns, 0.0)
        for variant in variants:
            actual = read_table(Path(variant) / table)
            problem = shape_difference(expected, actual)
            if problem:
                raise ValueError(f"{variant}/{table}: {problem}: not a rerun of the same config")
            for column, difference in column_differences(expected, actual).items():
                largest[column] = max(largest[column], difference)
        for column, difference in largest.items():
            if np.isfinite(difference):  # a text column that moved has no tolerance: it must match
                rows.append({"table": table, "column": column, "largest_difference": difference,
                             "tolerance": headroom * difference})
    return pd.DataFrame(rows, columns=["table", "column", "largest_difference", "tolerance"])


def rerun_on_code_paths(configfile: Path, results_dir: Path, cores: int) -> list[Path]:
    """Rerun a config on each other code path of this machine (``numeric_platform.code_paths``)."""
    from spiralbench import numeric_platform

    variants = []
    for name, changes in numeric_platform.code_paths().items():
        variant = Path(f"{str(results_dir).rstrip('/')}-{name}")
        command = ["snakemake", "--cores", str(cores), "--configfile", str(configfile),
                   "--config", f"results_dir={variant}"]
        print(f"{name}: {' '.join(f'{k}={v}' for k, v in changes.items())} {' '.join(command)}", flush=True)
        subprocess.run(command, env=numeric_platform.environment_with(changes), check=True)
        variants.append(variant)
    return variants


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
    tolerances = read_tolerances(published_dir / TOLERANCES_FILE)
    outcomes = []
    for comparison in manifest.compare(manifest.read_manifest(published_dir / manifest.MANIFEST_NAME),
                                       results_dir, reference):
        path = comparison.path
        if comparison.status == manifest.MATCHED:
            outcomes.append(Outcome(path, comparison.status, BIT_IDENTICAL))
        elif comparison.status != manifest.DIFFERED:
            outcomes.append(Outcome(path, comparison.status, NOT_REPRODUCED, comparison.detail))
        elif path == VERDICTS_TABLE:
            moved = first_moved_verdict(reference / path, results_dir / path)
            outcomes.append(Outcome(path, comparison.status, NOT_REPRODUCED if moved else NUMERICALLY_EQUIVALENT,
                                    moved or "the same verdicts, written differently"))
        elif (reference / path).is_file() and path.endswith(".csv"):
            excess = first_excess(read_table(reference / path), read_table(results_dir / path), path, tolerances)
            outcomes.append(Outcome(path, comparison.status,
                                    CONCLUSIONS_REPRODUCED if excess else NUMERICALLY_EQUIVALENT,
                                    excess or "every value within its tolerance"))
        else:  # a hash only: judged through the tables its values reach
            outcomes.append(Outcome(path, comparison.status, NUMERICALLY_EQUIVALENT,
                                    "bytes differ; its values are judged through the tables"))
    return Assessment(outcomes, *overall(outcomes, reference, results_dir))


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
        return CONCLUSIONS_REPRODUCED, (f"every verdict as published, but values moved beyond tolerance, first "
                                        f"in {beyond[0].path}: {beyond[0].detail}")
    differed = [o for o in outcomes if o.status == manifest.DIFFERED]
    if differed:
        return NUMERICALLY_EQUIVALENT, (f"{len(differed)} of {len(outcomes)} outputs differ in their bytes, "
                                        "every table value within its tolerance")
    return BIT_IDENTICAL, f"all {len(outcomes)} deterministic outputs have the published SHA-256"


def format_assessment(assessment: Assessment, show_matched: bool = True) -> str:
    rows = [o for o in assessment.outcomes if show_matched or o.status != manifest.MATCHED]
    width = max([len("path")] + [len(o.path) for o in rows])
    lines = [f"{'path':<{width}}  {'status':<10}  {'level':<22}  detail"]
    lines += [f"{o.path:<{width}}  {o.status:<10}  {o.level:<22}  {o.detail}".rstrip() for o in rows]
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


def check(results_dir: Path, published_dir: Path, required: str = BIT_IDENTICAL,
          show_matched: bool = True) -> tuple[bool, str]:
    """The check: (passed?, printed text): the table, the platforms when anything differs, the level."""
    assessment = assess(results_dir, published_dir)
    text = format_assessment(assessment, show_matched)
    if assessment.level != BIT_IDENTICAL:
        text += ("\nThe published platform and this run's (≠ marks a difference):\n"
                 + platform_difference(results_dir, published_dir) + "\n")
    passed = at_least(assessment.level, required)
    text += (f"\nReproduction: {assessment.level.upper()} ({assessment.reason}).\n"
             f"Required: {required}: {'passed' if passed else 'FAILED'}.\n")
    return passed, text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m spiralbench.reproduction", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    checking = commands.add_parser("check", help="how far RESULTS reproduces what PUBLISHED holds")
    checking.add_argument("results", type=Path)
    checking.add_argument("published", type=Path)
    checking.add_argument("--require", default=BIT_IDENTICAL, type=level_name,
                          help="the weakest level that passes (default: bit-identical)")
    checking.add_argument("--only-differences", action="store_true", help="leave matched outputs out")
    measuring = commands.add_parser(
        "tolerances", help="rerun a config on this machine's other code paths and measure per-column tolerances")
    measuring.add_argument("reference", type=Path, help="a results directory of the config, as published")
    measuring.add_argument("--configfile", type=Path, required=True, help="the config the reference was made with")
    measuring.add_argument("--cores", type=int, default=2)
    measuring.add_argument("--out", type=Path, required=True, help="where to write tolerances.csv")
    args = parser.parse_args(argv)
    try:
        if args.command == "tolerances":
            variants = rerun_on_code_paths(args.configfile, args.reference, args.cores)
            table = measure_tolerances(args.reference, variants)
            table.to_csv(args.out, index=False, float_format="%.3g", lineterminator="\n")
            moved = table[table["largest_difference"] > 0]
            print(f"{args.out}: {len(table)} columns, {len(moved)} moved on {', '.join(map(str, variants))}")
            return 0
        passed, text = check(args.results, args.published, args.require, not args.only_differences)
    except (manifest.ManifestError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(text, end="")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
