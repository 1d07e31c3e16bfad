"""Render the executed report notebook with Quarto, when Quarto is installed.

Quarto renders an ``.ipynb`` without executing it (the cells already ran under
papermill), reading the front matter from the notebook's first raw cell and the
project options from the ``_quarto.yml`` beside it. So the notebook is staged
in a scratch directory beside copies of the report's project files
(``_quarto.yml`` and the stylesheets it names), rendered there, and the single
self-contained page (``embed-resources: true``) is moved out.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import nbformat

NOTEBOOK_NAME = "report.ipynb"
PAGE_NAME = "report.html"
GET_QUARTO = "https://quarto.org/docs/get-started/"


def quarto_version(executable: str) -> str:
    """``quarto --version``, for the page's footer."""
    result = subprocess.run([executable, "--version"], capture_output=True, text=True, check=False)
    return result.stdout.strip() or "unknown version"


def write_html(notebook: nbformat.NotebookNode, project_files: list[Path], output_path: Path, executable: str) -> Path:
    """Render ``notebook`` with Quarto, ``project_files`` beside it, and write the page to ``output_path``."""
    output_path = Path(output_path)
    output_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="quarto-", dir=output_path.parent) as staging:
        staging = Path(staging)
        for path in project_files:
            shutil.copyfile(path, staging / Path(path).name)
        nbformat.write(notebook, staging / NOTEBOOK_NAME)
        # No --execute: Quarto does not run the cells of a notebook unless asked. --output takes a file
        # name only; Quarto writes it beside the input.
        command = [executable, "render", NOTEBOOK_NAME, "--to", "html", "--output", PAGE_NAME]
        result = subprocess.run(command, cwd=staging, capture_output=True, text=True, check=False)
        page = staging / PAGE_NAME
        if result.returncode != 0 or not page.is_file():
            raise RuntimeError(
                f"quarto render failed (exit {result.returncode}) for {output_path}:\n{result.stderr.strip()}"
            )
        shutil.move(page, output_path)
    return output_path
