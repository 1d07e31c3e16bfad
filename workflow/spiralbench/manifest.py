"""The reproducibility manifest: the SHA-256 of every deterministic output.

A results directory holds two kinds of files. Deterministic ones must come out byte for byte the same
whenever the same config is run again (data splits, histories, metrics, predictions, trained parameters,
inspection grids, tables). The others legitimately change from run to run (timing, provenance, logs, the
rendered report). `DETERMINISTIC` below is the one definition of the first kind; publishing, checking and
the tests all go through it.

The manifest is written in `sha256sum` format (`<hex>  <path>`, sorted by path), so besides
`python -m spiralbench.manifest check` a plain `cd results && sha256sum -c ../report/published/manifest.sha256`
also works.
Next to it, publishing keeps a copy of every table (`reference/tables/...`): a hash says only *that* a
table moved, the copy lets the check say *where* (first differing row, column and value on both sides).
A training job's tables (`runs/.../runs.parquet`, `epochs.parquet`) are not copied: publishing keeps a
digest of each run's rows in them (`reference/run_digests.csv`), which names the first run that differs;
its values are then found in the copies of `tables/runs.csv` and `tables/epochs.csv`.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

# pandas and pyarrow are imported where a job table is read: `python -m spiralbench.manifest` and
# `sha256sum -c` need neither.
if TYPE_CHECKING:
    import pandas as pd

# Glob patterns, relative to the results directory, of every deterministic output.
# Not listed, on purpose: timing/ and runs/**/timing.parquet (wall-clock), provenance.json (dates, versions),
# logs/, report/ (the HTML embeds dates and library versions).
DETERMINISTIC = (
    "data/*.npz",
    "runs/**/runs.parquet",
    "runs/**/epochs.parquet",
    "inspection/**/*.npz",
    "tables/**/*.csv",
    "tables/**/*.txt",
)

# Deterministic outputs of which publishing keeps a full copy, for the check's first-difference detail.
REFERENCE_COPIES = ("tables/**/*.csv", "tables/**/*.txt")

MANIFEST_NAME = "manifest.sha256"
REFERENCE_DIR = "reference"
RUN_DIGESTS = "run_digests.csv"  # in REFERENCE_DIR: a digest of each run's rows in each job table
# Where the values of a job table's runs are kept in full, for the check to name the first that differs.
JOB_TABLE_VALUES = {"runs.parquet": "tables/runs.csv", "epochs.parquet": "tables/epochs.csv"}

MATCHED, DIFFERED, MISSING, UNEXPECTED = "matched", "differed", "missing", "unexpected"


class ManifestError(ValueError):
    """A manifest file or a results directory that cannot be read as one."""


def pattern_regex(pattern: str) -> re.Pattern:
    """A glob pattern as a regex: `*` stays within one path segment, `**/` spans any number of them."""
    parts = re.split(r"(\*\*/|\*)", pattern)
    translated = {"**/": "(?:[^/]+/)*", "*": "[^/]*"}
    return re.compile("".join(translated.get(part, re.escape(part)) for part in parts))


_DETERMINISTIC = [pattern_regex(pattern) for pattern in DETERMINISTIC]
_REFERENCE_COPIES = [pattern_regex(pattern) for pattern in REFERENCE_COPIES]


def is_deterministic(path: str) -> bool:
    """Whether `path` (relative to a results directory, POSIX) names a deterministic output."""
    return any(regex.fullmatch(path) for regex in _DETERMINISTIC)


def deterministic_outputs(results_dir: str | Path) -> list[str]:
    """Paths (relative, POSIX, sorted) of the deterministic outputs present under `results_dir`."""
    results_dir = Path(results_dir)
    if not results_dir.is_dir():
        raise ManifestError(f"results directory {results_dir} does not exist")
    found = (path.relative_to(results_dir).as_posix() for path in results_dir.rglob("*") if path.is_file())
    return sorted(path for path in found if is_deterministic(path))


def sha256_file(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def build_manifest(results_dir: str | Path, outputs: list[str] | None = None) -> dict[str, str]:
    """{relative path: sha256} of the deterministic outputs under `results_dir`.

    `outputs` (paths relative to `results_dir`) restricts the manifest to the files a workflow declares,
    so that leftovers of an earlier config lying in the same directory do not get published; by default
    every deterministic output found there is taken.
    """
    results_dir = Path(results_dir)
    if outputs is None:
        outputs = deterministic_outputs(results_dir)
    else:
        outputs = sorted({path for path in outputs if is_deterministic(path)})
        absent = [path for path in outputs if not (results_dir / path).is_file()]
        if absent:
            raise ManifestError(f"{results_dir} lacks declared output(s): {', '.join(absent)}")
    return {path: sha256_file(results_dir / path) for path in outputs}


def format_manifest(manifest: dict[str, str]) -> str:
    return "".join(f"{digest}  {path}\n" for path, digest in sorted(manifest.items()))


def write_manifest(manifest: dict[str, str], path: str | Path) -> None:
    Path(path).write_text(format_manifest(manifest), encoding="utf-8", newline="\n")


def read_manifest(path: str | Path) -> dict[str, str]:
    path = Path(path)
    if not path.is_file():
        raise ManifestError(f"manifest {path} does not exist (publish one first)")
    manifest = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        digest, separator, name = line.partition("  ")
        if not separator or len(digest) != 64 or not name:
            raise ManifestError(f"{path}, line {number}: expected '<sha256>  <path>', got {line!r}")
        manifest[name] = digest
    return manifest


@dataclass(frozen=True)
class Comparison:
    path: str
    status: str  # matched | differed | missing | unexpected
    detail: str = ""


def compare(
    manifest: dict[str, str], results_dir: str | Path, reference_dir: str | Path | None = None
) -> list[Comparison]:
    """Compare the deterministic outputs under `results_dir` with `manifest`, path by path.

    `reference_dir`, if given, holds published copies of some outputs; a differing file that has a copy
    whose hash is the manifest's gets its first difference spelled out.
    """
    results_dir = Path(results_dir)
    actual = build_manifest(results_dir)
    comparisons = []
    for path in sorted(manifest.keys() | actual.keys()):
        if path not in actual:
            comparisons.append(Comparison(path, MISSING))
        elif path not in manifest:
            comparisons.append(Comparison(path, UNEXPECTED, "not in the manifest"))
        elif actual[path] == manifest[path]:
            comparisons.append(Comparison(path, MATCHED))
        else:
            detail = f"sha256 {manifest[path][:12]} expected, {actual[path][:12]} found"
            if reference_dir is not None:
                reference = Path(reference_dir) / path
                if path.endswith(".parquet"):
                    detail = first_run_difference(Path(reference_dir), results_dir, path) or detail
                elif reference.is_file() and sha256_file(reference) == manifest[path]:
                    detail = first_difference(reference, results_dir / path) or detail
            comparisons.append(Comparison(path, DIFFERED, detail))
    return comparisons


def first_difference(expected: Path, actual: Path) -> str | None:
    """Where two versions of an output first differ, in words; None if no finer detail can be given."""
    if expected.suffix == ".csv":
        return _first_csv_difference(expected, actual)
    expected_lines = expected.read_text(encoding="utf-8").splitlines()
    actual_lines = actual.read_text(encoding="utf-8", errors="replace").splitlines()
    for number, (want, got) in enumerate(zip(expected_lines, actual_lines), start=1):
        if want != got:
            return f"line {number}: expected {want!r}, found {got!r}"
    if len(expected_lines) != len(actual_lines):
        return f"{len(expected_lines)} lines expected, {len(actual_lines)} found"
    return None  # only line endings or a trailing newline differ


def run_digests(results_dir: Path, paths) -> pd.DataFrame:
    """A digest of each run's rows in each job table of ``paths``, and of its parameters and predictions
    apart (``spiralbench.job_tables.row_digests``): what ``reference/run_digests.csv`` holds."""
    import pandas as pd

    from spiralbench import job_tables

    frames = []
    for path in paths:
        table = job_tables.read_table(Path(results_dir) / path)
        digests = {"sha256": job_tables.row_digests(table)}
        for column in ("parameters", "y_pred"):
            if column in table.columns:
                digests[column] = job_tables.row_digests(table[["run_id", column]])
        frame = pd.DataFrame(digests).rename_axis("run_id").reset_index()
        frames.append(frame.assign(path=path))
    columns = ["path", "run_id", "sha256", "parameters", "y_pred"]
    return pd.concat(frames, ignore_index=True).reindex(columns=columns) if frames else pd.DataFrame(columns=columns)


def first_run_difference(reference_dir: Path, results_dir: Path, path: str) -> str | None:
    """The first run whose rows differ in a job table, and its first differing value, in words; None when
    the published digests cannot tell."""
    import pandas as pd

    from spiralbench import job_tables

    digests_path = reference_dir / RUN_DIGESTS
    if not digests_path.is_file():
        return None
    published = pd.read_csv(digests_path, dtype=str, keep_default_na=False)
    published = published[published["path"] == path].set_index("run_id")
    table = job_tables.read_table(results_dir / path)
    found = job_tables.row_digests(table)
    for run_id in sorted(set(published.index) | set(found.index)):
        if run_id not in found.index:
            return f"run {run_id} is missing"
        if run_id not in published.index:
            return f"run {run_id} is not among the published runs"
        if found[run_id] != published.at[run_id, "sha256"]:
            rows = table[table["run_id"] == run_id]
            return f"first at run {run_id}: " + _first_value_difference(reference_dir, path, rows, published.loc[run_id])
    return None


def _first_value_difference(reference_dir: Path, path: str, rows, published) -> str:
    """Where a run's rows in a job table first differ from the published values (``JOB_TABLE_VALUES``)."""
    import pandas as pd

    from spiralbench import job_tables
    from spiralbench.io import format_float

    values = reference_dir / JOB_TABLE_VALUES[path.rsplit("/", 1)[-1]]
    if values.is_file():
        want = pd.read_csv(values, dtype=str, keep_default_na=False)
        want = want[want["run_id"] == rows["run_id"].iloc[0]].reset_index(drop=True)
        columns = [c for c in want.columns if c in rows.columns]
        # The rows as the collected table writes them, so that both sides are text in the same form.
        buffer = io.StringIO()
        rows[columns].to_csv(buffer, index=False, float_format=format_float, na_rep="", lineterminator="\n")
        buffer.seek(0)
        got = pd.read_csv(buffer, dtype=str, keep_default_na=False)
        if len(want) != len(got):
            return f"{len(want)} rows published, {len(got)} here"
        for number in range(len(want)):
            for column in columns:
                if want.at[number, column] != got.at[number, column]:
                    where = f"epoch {want.at[number, 'epoch']}, " if "epoch" in columns else ""
                    return f"{where}{column}: {want.at[number, column]} published, {got.at[number, column]} here"
    for column in ("parameters", "y_pred"):
        if column in rows.columns and published.get(column) != job_tables.row_digests(rows[["run_id", column]]).iloc[0]:
            return {"parameters": "its trained parameters differ", "y_pred": "its test predictions differ"}[column]
    return "its rows differ"


def _read_csv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", errors="replace", newline="") as stream:
        return list(csv.reader(stream))


def _first_csv_difference(expected: Path, actual: Path) -> str | None:
    want, got = _read_csv(expected), _read_csv(actual)
    if not want or not got:
        return f"{len(want)} rows expected, {len(got)} found"
    if want[0] != got[0]:
        return f"header: expected {','.join(want[0])!r}, found {','.join(got[0])!r}"
    header = want[0]
    for number, (want_row, got_row) in enumerate(zip(want[1:], got[1:]), start=1):
        if want_row == got_row:
            continue
        key = f"{header[0]}={want_row[0]}" if want_row else "empty"
        for column, name in enumerate(header):
            want_value = want_row[column] if column < len(want_row) else "<none>"
            got_value = got_row[column] if column < len(got_row) else "<none>"
            if want_value != got_value:
                return f"row {number} ({key}), column {name}: expected {want_value}, found {got_value}"
        return f"row {number} ({key}): {len(want_row)} fields expected, {len(got_row)} found"
    if len(want) != len(got):
        return f"{len(want) - 1} data rows expected, {len(got) - 1} found"
    return None  # same cells, different bytes (quoting, line endings)


def format_table(comparisons: list[Comparison], show_matched: bool = True) -> str:
    """The check's printed table: one line per output, then a one-line count per status."""
    rows = [c for c in comparisons if show_matched or c.status != MATCHED]
    width = max([len("path")] + [len(c.path) for c in rows])
    out = io.StringIO()
    out.write(f"{'path':<{width}}  {'status':<10}  detail\n")
    for c in rows:
        out.write(f"{c.path:<{width}}  {c.status:<10}  {c.detail}".rstrip() + "\n")
    counts = {status: 0 for status in (MATCHED, DIFFERED, MISSING, UNEXPECTED)}
    for c in comparisons:
        counts[c.status] += 1
    out.write(", ".join(f"{n} {status}" for status, n in counts.items()) + "\n")
    return out.getvalue()


def all_matched(comparisons: list[Comparison]) -> bool:
    return bool(comparisons) and all(c.status == MATCHED for c in comparisons)


def publish(
    results_dir: str | Path, published_dir: str | Path, outputs: list[str] | None = None
) -> dict[str, str]:
    """Write `published_dir`/manifest.sha256 and the reference copies from `results_dir`; return the manifest.

    `outputs` as in `build_manifest`.
    """
    results_dir, published_dir = Path(results_dir), Path(published_dir)
    manifest = build_manifest(results_dir, outputs)
    if not manifest:
        raise ManifestError(f"{results_dir} holds no deterministic outputs: nothing to publish")
    reference = published_dir / REFERENCE_DIR
    shutil.rmtree(reference, ignore_errors=True)  # copies of outputs that no longer exist must go too
    for path in (path for path in manifest if any(regex.fullmatch(path) for regex in _REFERENCE_COPIES)):
        (reference / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(results_dir / path, reference / path)
    job_tables = [path for path in manifest if path.endswith(".parquet")]
    if job_tables:
        reference.mkdir(parents=True, exist_ok=True)
        run_digests(results_dir, job_tables).to_csv(reference / RUN_DIGESTS, index=False, lineterminator="\n")
    write_manifest(manifest, published_dir / MANIFEST_NAME)
    return manifest


def check(results_dir: str | Path, published_dir: str | Path, show_matched: bool = True) -> tuple[bool, str]:
    """Compare `results_dir` with the manifest published in `published_dir`: (all matched?, printed table)."""
    published_dir = Path(published_dir)
    manifest = read_manifest(published_dir / MANIFEST_NAME)
    comparisons = compare(manifest, results_dir, published_dir / REFERENCE_DIR)
    return all_matched(comparisons), format_table(comparisons, show_matched)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m spiralbench.manifest",
        description="Publish or check the SHA-256 manifest of a results directory's deterministic outputs.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (
        ("publish", "write PUBLISHED/manifest.sha256 (and reference copies of the tables) from RESULTS"),
        ("check", "compare RESULTS with PUBLISHED/manifest.sha256; exit 1 on any difference"),
    ):
        command = commands.add_parser(name, help=text, description=text)
        command.add_argument("results", type=Path, help="results directory")
        command.add_argument("published", type=Path, help="directory holding manifest.sha256")
    commands.choices["check"].add_argument(
        "--only-differences", action="store_true", help="leave matched outputs out of the table"
    )
    args = parser.parse_args(argv)
    try:
        if args.command == "publish":
            manifest = publish(args.results, args.published)
            print(f"{args.published / MANIFEST_NAME}: {len(manifest)} deterministic outputs of {args.results}")
            return 0
        matched, table = check(args.results, args.published, show_matched=not args.only_differences)
    except ManifestError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(table, end="")
    print("reproduced: every deterministic output matches" if matched else "NOT reproduced: see the table above")
    return 0 if matched else 1


if __name__ == "__main__":
    sys.exit(main())
