"""Render the executed report notebook with Quarto, when Quarto is installed.

Quarto renders an ``.ipynb`` without executing it (the cells already ran under
papermill), reading the front matter from the notebook's first raw cell and the
project options from a ``_quarto.yml`` beside it. So the notebook, a copy of
``report/_quarto.yml`` and the stylesheets it names are staged in a scratch
directory, rendered there, and the single self-contained page
(``embed-resources: true``) is moved out.

The notebook's outputs are Quarto markdown and PNG only (see ``document``): an
output of ``text/html`` or ``application/javascript`` would make Quarto add
require.js and jQuery from a CDN for JavaScript widgets, and the page would no
longer open offline.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import nbformat
import yaml

NOTEBOOK_NAME = "report.ipynb"
PAGE_NAME = "report.html"


def quarto_executable() -> str | None:
    """Path of the ``quarto`` command, or None when it is not on PATH."""
    return shutil.which("quarto")


def quarto_version(executable: str) -> str:
    """``quarto --version``, for the page's footer."""
    result = subprocess.run([executable, "--version"], capture_output=True, text=True, check=False)
    return result.stdout.strip() or "unknown version"


def render_command(executable: str) -> list[str]:
    """The command that renders the staged notebook to one HTML page (run in the staging directory).

    No ``--execute``: Quarto does not run the cells of a notebook unless asked.
    ``--output`` takes a file name only; Quarto writes it beside the input.
    """
    return [executable, "render", NOTEBOOK_NAME, "--to", "html", "--output", PAGE_NAME]


def quarto_defaults(quarto_yml: Path) -> dict:
    """The options of ``_quarto.yml`` that matter outside Quarto: the stylesheets to stage beside the
    notebook, and what the nbconvert renderer honours (echo default, code folding, stylesheets)."""
    try:
        config = yaml.safe_load(Path(quarto_yml).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise ValueError(f"cannot read Quarto options from {quarto_yml}: {error}") from error
    html_format = (config.get("format") or {}).get("html") or {}
    execute = config.get("execute") or {}
    css = html_format.get("css") or []
    return {
        "echo": bool(execute.get("echo", True)),
        "code_fold": bool(html_format.get("code-fold", False)),
        "code_summary": str(html_format.get("code-summary", "Code")),
        "css": [Path(quarto_yml).parent / name for name in ([css] if isinstance(css, str) else css)],
    }


def write_html(notebook: nbformat.NotebookNode, quarto_yml: Path, output_path: Path, executable: str) -> Path:
    """Render ``notebook`` with Quarto and write the page to ``output_path``."""
    output_path = Path(output_path)
    output_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="quarto-", dir=output_path.parent) as staging:
        staging = Path(staging)
        shutil.copyfile(quarto_yml, staging / "_quarto.yml")
        for stylesheet in quarto_defaults(quarto_yml)["css"]:
            shutil.copyfile(stylesheet, staging / stylesheet.name)
        nbformat.write(notebook, staging / NOTEBOOK_NAME)
        result = subprocess.run(render_command(executable), cwd=staging, capture_output=True, text=True, check=False)
        page = staging / PAGE_NAME
        if result.returncode != 0 or not page.is_file():
            raise RuntimeError(
                f"quarto render failed (exit {result.returncode}) for {output_path}:\n{result.stderr.strip()}"
            )
        shutil.move(page, output_path)
    return output_path
