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

# Glob patterns, relative to the results directory, of every deterministic output.
# Not listed, on purpose: timing/ and runs/*/timing.json (wall-clock), provenance.json (dates, versions),
# logs/, report/ (the HTML embeds dates and library versions).
DETERMINISTIC = (
    "data/*.npz",
    "runs/**/history.csv",
    "runs/**/metrics.json",
    "runs/**/predictions.csv",
    "runs/**/params.npz",
    "inspection/**/*.npz",
    "tables/**/*.csv",
    "tables/**/*.txt",
)

# Deterministic outputs of which publishing keeps a full copy, for the check's first-difference detail.
REFERENCE_COPIES = ("tables/**/*.csv", "tables/**/*.txt")

MANIFEST_NAME = "manifest.sha256"
REFERENCE_DIR = "reference"

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
                if reference.is_file() and sha256_file(reference) == manifest[path]:
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
