"""The report pipeline: report.qmd -> notebook -> executed (papermill) -> one HTML page.

The page is made by Quarto when ``quarto`` is on PATH, otherwise by nbconvert as
a plain page (``plain``); either way from a notebook executed once by papermill.
The renderer is chosen before execution and passed in as a parameter: the cells
write their outputs for it, and the footer names it.

Quarto renders an ``.ipynb`` without executing it, reading the front matter from
the notebook's first raw cell and the project options from the ``_quarto.yml``
beside it: so the notebook is staged in a scratch directory beside copies of the
project files, rendered there, and the self-contained page is moved out. The figures stay files until
then: the notebook links them and Quarto embeds them in the page.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat
import papermill
import yaml

from spiralbench.config import load_config

from . import plain
from .provenance import collect_provenance
from .qmd import read_qmd

HTML_NAME = "report.html"
NOTEBOOK_NAME = "report.ipynb"
CONFIG_NAME = "config.yaml"
METADATA_KEY = "spiralbench"  # notebook metadata: {"renderer": ...}, read back by rendered_by()
GET_QUARTO = "https://quarto.org/docs/get-started/"
# Quarto hides a cell whose source starts with this option (the plain page shows no code at all).
HIDE_CELL_SOURCE = "#| echo: false"


class ReportExecutionError(RuntimeError):
    """A cell of the report failed; the message names the cell and the error."""


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
        version = subprocess.run([executable, "--version"], capture_output=True, text=True, check=False).stdout
        return Renderer("quarto", f"Quarto {version.strip() or 'unknown version'}", executable=executable)
    return Renderer("nbconvert", f"nbconvert {plain.nbconvert_version()}",
                    advice=f"Quarto was not found, so this is the plain page; with Quarto installed "
                           f"({GET_QUARTO}) the report gets a table of contents, cross-references, "
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
    notebook = execute(read_qmd(qmd), output_dir / NOTEBOOK_NAME, parameters)
    notebook.metadata[METADATA_KEY] = {"renderer": renderer.label}
    nbformat.write(notebook, output_dir / NOTEBOOK_NAME)
    page = output_dir / HTML_NAME
    if renderer.quarto:
        return quarto_html(notebook, project_files, page, renderer.executable)
    page.write_text(plain.notebook_to_html(notebook, [p for p in project_files if p.suffix == ".css"]), encoding="utf-8")
    return page


def execute(notebook: nbformat.NotebookNode, output_path: Path, parameters: dict) -> nbformat.NotebookNode:
    """Execute ``notebook`` in ``output_path``'s directory with ``parameters`` replacing its ``parameters``
    cell; write and return the result."""
    if not any("parameters" in cell.metadata.get("tags", []) for cell in notebook.cells):
        raise ReportExecutionError("the report has no cell tagged 'parameters' ('#| tags: [parameters]')")
    try:
        papermill.execute_notebook(notebook, str(output_path), parameters=parameters, cwd=str(output_path.parent),
                                   progress_bar=False, log_output=False)
    except papermill.PapermillExecutionError as error:
        raise ReportExecutionError(f"report cell {error.exec_count} failed ({error.ename}: {error.evalue}); "
                                   f"the partly executed notebook is {output_path}") from error
    executed = nbformat.read(output_path, as_version=4)
    hide_injected_parameters(executed)
    return executed


def hide_injected_parameters(notebook: nbformat.NotebookNode) -> None:
    """Hide papermill's ``injected-parameters`` cell like the ``parameters`` cell it overrides (it holds
    paths, not something to read), with a fixed id (papermill draws a random one) so that the page does
    not change for no reason."""
    for cell in notebook.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"
            if not cell.source.startswith(HIDE_CELL_SOURCE):
                cell.source = HIDE_CELL_SOURCE + "\n" + cell.source


def quarto_html(notebook: nbformat.NotebookNode, project_files: list[Path], page: Path, executable: str) -> Path:
    """Render ``notebook`` with Quarto, ``project_files`` beside it, and move the page to ``page``.

    The notebook links its figures by paths relative to ``page``'s directory (``../figures/x.png``), so it
    is staged in a directory beside that one, where the same paths lead to the same files."""
    # Not a hidden directory: Quarto would leave the figures of a document in one unembedded.
    with tempfile.TemporaryDirectory(prefix="quarto-", dir=page.parent.parent) as staging:
        for path in project_files:
            shutil.copyfile(path, Path(staging) / path.name)
        nbformat.write(notebook, Path(staging) / NOTEBOOK_NAME)
        # No --execute: Quarto does not run the cells of a notebook unless asked. --output takes a file
        # name only; Quarto writes it beside the input.
        result = subprocess.run([executable, "render", NOTEBOOK_NAME, "--to", "html", "--output", HTML_NAME],
                                cwd=staging, capture_output=True, text=True, check=False)
        if result.returncode != 0 or not (Path(staging) / HTML_NAME).is_file():
            raise RuntimeError(f"quarto render failed (exit {result.returncode}) for {page}:\n{result.stderr.strip()}")
        shutil.move(Path(staging) / HTML_NAME, page)
    page.write_text(valid_html(page.read_text(encoding="utf-8")), encoding="utf-8")
    return page


# Quarto marks its theme's stylesheet link with ``append-hash="true"``, an instruction to its own build (add the
# file's hash to its name) that it leaves in the page; HTML has no such attribute, and an embedded page no file.
_BUILD_ATTRIBUTE = re.compile(r'(<link\b[^>]*?)\s+append-hash="true"')


def valid_html(page: str) -> str:
    """Quarto's page without the build-time attribute it leaves on a ``<link>`` (the one thing the W3C checker
    finds in it)."""
    return _BUILD_ATTRIBUTE.sub(r"\1", page)


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
