"""The report pipeline: report.qmd -> notebook -> executed (papermill) -> one HTML page.

The page is made by Quarto when ``quarto`` is on PATH (``quarto``), otherwise by
nbconvert as a plain page (``plain``); either way from a notebook executed once
by papermill. The renderer is chosen before execution and passed in as a
parameter: the cells write their outputs for it, and the footer names it.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
import yaml

from spiralbench.config import load_config

from . import plain, quarto
from .execute import execute
from .provenance import collect_provenance
from .qmd import read_qmd

HTML_NAME = "report.html"
NOTEBOOK_NAME = "report.ipynb"
CONFIG_NAME = "config.yaml"
METADATA_KEY = "spiralbench"  # notebook metadata: {"renderer": ...}, read back by rendered_by()


@dataclass(frozen=True)
class Renderer:
    name: str  # "quarto" or "nbconvert"
    label: str  # what the footer and the run's output print, with the version
    advice: str = ""  # said beside the label: how to get the full page
    executable: str | None = None

    @property
    def quarto(self) -> bool:
        return self.name == "quarto"


def choose_renderer() -> Renderer:
    """Quarto if it is installed, nbconvert otherwise."""
    executable = shutil.which("quarto")
    if executable:
        return Renderer("quarto", f"Quarto {quarto.quarto_version(executable)}", executable=executable)
    return Renderer("nbconvert", f"nbconvert {plain.nbconvert_version()}",
                    advice=f"Quarto was not found, so this is the plain page; with Quarto installed "
                           f"({quarto.GET_QUARTO}) the report gets a table of contents, cross-references, "
                           "callouts and folded code.")


def project_files_of(qmd: Path) -> list[Path]:
    """The files Quarto reads beside the document: ``_quarto.yml`` and the stylesheets."""
    return [qmd.parent / "_quarto.yml", *sorted(qmd.parent.glob("*.css"))]


def render_report(
    qmd: Path,
    results_dir: Path,
    config: Path | dict,
    output_dir: Path,
    project_files: list[Path] | None = None,
    renderer: Renderer | None = None,
) -> Path:
    """Execute the report on ``results_dir`` and write ``report.ipynb`` and ``report.html`` to ``output_dir``.

    ``config`` is the config the results were made with: the config as the workflow holds it
    (validated, overrides included), or a YAML file, validated here. Either way it is written to
    ``output_dir/config.yaml`` for the report to read. Returns the page's path.
    """
    qmd, results_dir, output_dir = (Path(p).resolve() for p in (qmd, results_dir, output_dir))
    project_files = [Path(p).resolve() for p in (project_files or project_files_of(qmd))]
    for what, path in (("results directory", results_dir), ("report source", qmd),
                       *(("report file", p) for p in project_files)):
        if not path.exists():
            raise FileNotFoundError(f"report: {what} {path} does not exist")
    if not isinstance(config, dict):
        config = load_config(config)
    output_dir.mkdir(parents=True, exist_ok=True)
    config_path = output_dir / CONFIG_NAME
    config_path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    renderer = renderer or choose_renderer()

    parameters = {
        "results_dir": str(results_dir),
        "config_path": str(config_path),
        "renderer": renderer.label,
        "renderer_advice": renderer.advice,
        "quarto": renderer.quarto,
        "provenance": collect_provenance(config),
    }
    notebook = execute(read_qmd(qmd), output_dir / NOTEBOOK_NAME, parameters, cwd=output_dir)
    notebook.metadata[METADATA_KEY] = {"renderer": renderer.label}
    nbformat.write(notebook, output_dir / NOTEBOOK_NAME)
    page = output_dir / HTML_NAME
    if renderer.quarto:
        return quarto.write_html(notebook, project_files, page, renderer.executable)
    return plain.write_html(notebook, [p for p in project_files if p.suffix == ".css"], page)


def rendered_by(notebook_path: Path) -> str:
    """The renderer that made the page beside ``notebook_path`` ("" if unknown)."""
    try:
        notebook = nbformat.read(notebook_path, as_version=4)
    except (OSError, ValueError):
        return ""
    return notebook.metadata.get(METADATA_KEY, {}).get("renderer", "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Render the benchmark report from a results directory.")
    parser.add_argument("--qmd", type=Path, default=Path("report/report.qmd"), help="the report source")
    parser.add_argument("--results-dir", type=Path, required=True, help="the workflow's results directory")
    parser.add_argument("--config", type=Path, required=True, help="the config the results were made with")
    parser.add_argument("--output-dir", type=Path, help="where report.html goes (default: RESULTS_DIR/report)")
    args = parser.parse_args(argv)
    renderer = choose_renderer()
    page = render_report(args.qmd, args.results_dir, args.config, args.output_dir or args.results_dir / "report",
                         renderer=renderer)
    print(describe(page, renderer))
    return 0


def describe(page: Path, renderer: Renderer) -> str:
    """What the run says about the page it wrote."""
    return f"report written to {page} by {renderer.label}" + (f"\n{renderer.advice}" if renderer.advice else "")


if __name__ == "__main__":
    sys.exit(main())
