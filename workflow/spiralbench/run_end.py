"""What the workflow says when it ends: where the report is, who rendered it, how long it took, and how
to check the run against the published one; not the several screens of file names that are the
inputs of ``rule all``.
"""
from __future__ import annotations

import logging
from pathlib import Path

REPORT = "report/report.html"
NOTEBOOK = "report/report.ipynb"


class HideJobListing(logging.Filter):
    """Drops Snakemake's announcement of the named rules' jobs (``rule all``'s is a list of every output
    of the workflow, and its reason another), keeping everything else it says."""

    def __init__(self, rules=("all",)):
        super().__init__()
        self.rules = set(rules)

    def filter(self, record: logging.LogRecord) -> bool:
        return not (str(getattr(record, "event", "")) == "job_info" and getattr(record, "rule_name", None) in self.rules)


def check_command(published_dir: str, configfiles: list[str]) -> str:
    """The command that checks a run of this config: ``make check`` for the default sweep."""
    if not configfiles and published_dir.rstrip("/") == "report/published":
        return "make check"
    given = "".join(f" --configfile {path}" for path in configfiles)
    return f"rm -rf results-check && snakemake --cores 2 check{given} --config results_dir=results-check"


def summary(results_dir: str | Path, seconds: float, published_dir: str = "report/published",
            configfiles: list[str] = ()) -> str:
    """The closing lines of a successful run."""
    results_dir = Path(results_dir)
    page = results_dir / REPORT
    lines = ["", f"Done in {_duration(seconds)}."]
    if page.is_file():
        from spiralbench.report.render import rendered_by  # only when there is a report to describe

        renderer = rendered_by(results_dir / NOTEBOOK) or "an unknown renderer"
        lines.append(f"The report: {page.resolve()} (rendered by {renderer}).")
        if not renderer.startswith("Quarto"):
            lines.append("  Quarto was not found, so the report is the plain page; install Quarto "
                         "(https://quarto.org/docs/get-started/) for its full layout and rerun.")
    lines.append(f"To check this run against the published one: {check_command(published_dir, list(configfiles))}\n"
                 f"  (reruns everything into results-check/ and compares each deterministic output with "
                 f"{published_dir.rstrip('/')}/manifest.sha256).")
    return "\n".join(lines)


def _duration(seconds: float) -> str:
    minutes, seconds = divmod(round(seconds), 60)
    return f"{minutes} min {seconds} s" if minutes else f"{seconds} s"
