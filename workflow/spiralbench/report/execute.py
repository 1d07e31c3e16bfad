"""Run the report notebook once, with its parameters injected, through papermill."""

from __future__ import annotations

from pathlib import Path

import nbformat
import papermill

# Quarto hides a cell whose source starts with this option (the plain page shows no code at all).
HIDE_CELL_SOURCE = "#| echo: false"


class ReportExecutionError(RuntimeError):
    """A cell of the report failed; the message names the cell and the error."""


def execute(notebook: nbformat.NotebookNode, output_path: Path, parameters: dict, cwd: Path) -> nbformat.NotebookNode:
    """Execute ``notebook`` with ``parameters`` replacing its ``parameters`` cell; write and return the result.

    The cell papermill adds for the injected values is hidden like the
    ``parameters`` cell it overrides: it holds paths, not something to read.
    """
    if not any("parameters" in cell.metadata.get("tags", []) for cell in notebook.cells):
        raise ReportExecutionError("the report has no cell tagged 'parameters' ('#| tags: [parameters]')")
    output_path = Path(output_path)
    output_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        papermill.execute_notebook(
            notebook,
            str(output_path),
            parameters=parameters,
            cwd=str(cwd),
            progress_bar=False,
            log_output=False,
        )
    except papermill.PapermillExecutionError as error:
        raise ReportExecutionError(
            f"report cell {error.exec_count} failed ({error.ename}: {error.evalue}); "
            f"the partly executed notebook is {output_path}"
        ) from error
    executed = nbformat.read(output_path, as_version=4)
    hide_injected_parameters(executed)
    nbformat.write(executed, output_path)
    return executed


def hide_injected_parameters(notebook: nbformat.NotebookNode) -> None:
    """Give papermill's ``injected-parameters`` cell the option that hides its source, and a fixed id
    (papermill draws a random one) so that the page does not change for no reason."""
    for cell in notebook.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"
            if not cell.source.startswith(HIDE_CELL_SOURCE):
                cell.source = HIDE_CELL_SOURCE + "\n" + cell.source
