"""The reproduction ledger: one record per check, on which machine, at which level.

A claim of reproduction names the machines it was verified on, nothing more. Every check (``make
check``, the CI's check jobs) writes one record into its results directory (``reproduction.csv``):
the date, the commit, the CPU (vendor, family, model, name, ISA level), the OS, Python, the numeric
libraries' versions and builds, the level reached and the level required, and the first difference.
``make check`` adds it to the ledger beside the manifest (``report/published/reproductions.csv``);
``make publish`` starts a new ledger with the publisher's own run (level ``published``) whenever the
manifest changed; re-rendering the report of the same outputs keeps the ledger. Every record names the
manifest it made or checked by its SHA-256.

The README's claim and the report's reproducibility section are generated from the ledger
(``claim``): the README holds it between ``BEGIN`` and ``END`` and a test keeps it equal.

    python -m spiralbench.ledger add RECORD LEDGER      # add a check's record to a ledger
    python -m spiralbench.ledger claim LEDGER [--write FILE ...]
"""
from __future__ import annotations

import argparse
import hashlib
import os
import re
import sys
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

LEDGER_NAME = "reproductions.csv"
RECORD_NAME = "reproduction.csv"
PUBLISHED = "published"
COLUMNS = ("date", "commit", "config", "manifest_sha256", "runner", "cpu", "cpu_vendor", "cpu_family", "cpu_model", "isa_level", "os",
           "python", "numpy", "scipy", "pandas", "statsmodels", "torch", "torch_build", "blas", "pins", "level",
           "required", "first_difference")
BEGIN, END = "<!-- ledger:begin -->", "<!-- ledger:end -->"


def runner(environ=os.environ) -> str:
    """Where the check ran: a GitHub-hosted runner (its OS and architecture) or a machine of one's own."""
    if environ.get("GITHUB_ACTIONS") == "true":
        return f"GitHub Actions ({environ.get('RUNNER_OS', '?')} {environ.get('RUNNER_ARCH', '?')})"
    return "own machine"


def record(platform: dict, commit: str, config: str, level: str, required: str, first_difference: str,
           manifest_sha256: str = "", environ=os.environ, now: datetime | None = None) -> dict:
    """One ledger row from a run's ``platform.json`` and the check's outcome; ``manifest_sha256`` names the
    publication (the SHA-256 of its manifest file) that was made or checked."""
    vendor, family, model = _cpu_id(platform.get("cpu_id", ""))
    return {"date": (now or datetime.now(timezone.utc)).strftime("%Y-%m-%d"), "commit": commit, "config": config,
            "manifest_sha256": manifest_sha256, "runner": runner(environ), "cpu": platform.get("cpu", "unknown"), "cpu_vendor": vendor,
            "cpu_family": family, "cpu_model": model, "isa_level": platform.get("isa_level", "unknown"),
            "os": f"{platform.get('os', '?')}, {platform.get('libc', '?')}", "python": platform.get("python", "?"),
            **{name: platform.get(f"version {name}", "?") for name in ("numpy", "scipy", "pandas", "statsmodels", "torch")},
            "torch_build": platform.get("torch_build", "?"), "blas": platform.get("blas", "?"),
            "pins": platform.get("pins", "?"), "level": level, "required": required,
            "first_difference": first_difference}


def _cpu_id(cpu_id: str) -> tuple[str, str, str]:
    """'GenuineIntel family 6 model 167 stepping 1' -> ('GenuineIntel', '6', '167')."""
    found = re.match(r"(\S+)(?: family (\S+))?(?: model (\S+))?", cpu_id or "")
    return (found.group(1), found.group(2) or "", found.group(3) or "") if found else ("unknown", "", "")


def file_sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def same_publication(ledger_path: Path, manifest_sha256: str) -> bool:
    """Whether the ledger at ``ledger_path`` records the publication whose manifest has this SHA-256."""
    book = read(ledger_path)
    return not book.empty and (book["manifest_sha256"] == manifest_sha256).all()


def write_record(row: dict, path: Path) -> None:
    pd.DataFrame([row], columns=list(COLUMNS)).to_csv(path, index=False, lineterminator="\n")


def read(path: Path) -> pd.DataFrame:
    if not Path(path).is_file():
        return pd.DataFrame(columns=list(COLUMNS))
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def add(record_path: Path, ledger_path: Path) -> pd.DataFrame:
    """Append a check's record to a ledger; a new ledger (or a record of publishing) starts it afresh."""
    new = read(record_path)
    if new.empty:
        raise ValueError(f"{record_path}: no record to add")
    ledger = read(ledger_path)
    if (new["level"] == PUBLISHED).any():
        ledger = ledger.iloc[0:0]  # a new publication: checks of the old one no longer describe it
    ledger = pd.concat([ledger, new], ignore_index=True)[list(COLUMNS)]
    ledger.to_csv(ledger_path, index=False, lineterminator="\n")
    return ledger


def strongest(levels) -> str:
    """The strongest of the levels checks reached ('(none yet)' without any)."""
    from spiralbench.reproduction import LEVELS

    reached = [level for level in levels if level in LEVELS]
    return min(reached, key=LEVELS.index) if reached else "(none yet)"


def machines(ledger: pd.DataFrame) -> pd.DataFrame:
    """One row per CPU (vendor, family, model): its name and ISA level, whether the published run was made
    there, how many checks ran there, the strongest level they reached, where and when."""
    rows = []
    for (vendor, family, model), mine in ledger.groupby(["cpu_vendor", "cpu_family", "cpu_model"], sort=False):
        checks = mine[mine["level"] != PUBLISHED]
        rows.append({"cpu": mine["cpu"].iloc[0], "vendor": vendor, "family": family, "model": model,
                     "isa_level": mine["isa_level"].iloc[0], "published": (mine["level"] == PUBLISHED).any(),
                     "checks": len(checks), "strongest": strongest(checks["level"]),
                     "runners": ", ".join(sorted(set(checks["runner"]))) or "-", "last": mine["date"].max()})
    return pd.DataFrame(rows, columns=["cpu", "vendor", "family", "model", "isa_level", "published", "checks",
                                       "strongest", "runners", "last"])


def claim(ledger: pd.DataFrame) -> str:
    """The README's paragraph and table: where the published run has been reproduced, at which level."""
    if ledger.empty:
        return "No run has been published with a ledger yet."
    table = machines(ledger)
    publisher = table[table["published"]]
    made = f"The published run was made on {_machine(publisher.iloc[0])}. " if len(publisher) else ""
    identical = table[table["strongest"] == "bit-identical"]
    verified = (f"Checks have reproduced it bit for bit on {'; '.join(_machine(row) for _, row in identical.iterrows())}, "
                "and on no other CPU yet. " if len(identical) else "No check has reproduced it bit for bit yet. ")
    lines = [made + verified + "Every machine a check ran on, from the ledger (`report/published/reproductions.csv`):",
             "", "| CPU | vendor, family, model | ISA level | checks | strongest level | where | last |",
             "|---|---|---|---|---|---|---|"]
    lines += [f"| {row.cpu} | {row.vendor} {row.family} {row.model} | {row.isa_level} | {row.checks} | "
              f"{row.strongest} | {row.runners} | {row.last} |" for row in table.itertuples()]
    return "\n".join(lines)


def _machine(row) -> str:
    return f"{row['cpu']} ({row['vendor']} family {row['family']} model {row['model']})"


def with_claim(text: str, claim_text: str, name: str = "the file") -> str:
    """``text`` with the block between ``BEGIN`` and ``END`` replaced by ``claim_text``."""
    pattern = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.S)
    if not pattern.search(text):
        raise ValueError(f"{name} has no {BEGIN} ... {END} block for the ledger's claim")
    return pattern.sub(lambda _: f"{BEGIN}\n{claim_text}\n{END}", text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m spiralbench.ledger", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    adding = commands.add_parser("add", help="add a check's record to a ledger")
    adding.add_argument("record", type=Path)
    adding.add_argument("ledger", type=Path)
    claiming = commands.add_parser("claim", help="print the claim the ledger supports, or write it into files")
    claiming.add_argument("ledger", type=Path)
    claiming.add_argument("--write", type=Path, nargs="*", default=[], help="files whose ledger block to rewrite")
    args = parser.parse_args(argv)
    try:
        if args.command == "add":
            ledger = add(args.record, args.ledger)
            print(f"{args.ledger}: {len(ledger)} records; this one: {ledger.iloc[-1]['level']} on {ledger.iloc[-1]['cpu']}")
            return 0
        text = claim(read(args.ledger))
        for path in args.write:
            path.write_text(with_claim(path.read_text(encoding="utf-8"), text, str(path)), encoding="utf-8")
        if not args.write:
            print(text)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
