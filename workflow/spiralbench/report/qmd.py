"""Read a Quarto ``.qmd`` document as a Jupyter notebook, laid out the way Quarto stores one as ``.ipynb``.

jupytext's R Markdown reader does the parsing: ```` ```{python} ```` chunks become code cells that
keep their leading ``#|`` option lines (Quarto reads them there), the YAML front matter becomes the
first, raw cell (where Quarto looks for it), and fences that do not run (```` ```python ````,
```` ```{{python}} ````) stay markdown. (jupytext's own ``qmd`` format would call Quarto, which the
plain page must do without.) Two things are added: a ``#| tags:`` option is copied into the cell's
metadata, where papermill looks for the ``parameters`` cell, and the cells get numbered ids, so
that the notebook is the same bytes every time.
"""

from __future__ import annotations

import re
from pathlib import Path

import jupytext
import nbformat
import yaml

_OPTION_LINE = re.compile(r"^#\|\s?(?P<yaml>.*)$")


class QmdError(ValueError):
    """The .qmd text cannot be converted; the message says what is wrong."""


def read_qmd(path: str | Path) -> nbformat.NotebookNode:
    """Read a .qmd file into a notebook (see :func:`qmd_to_notebook`)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise QmdError(f"cannot read Quarto document {path}: {error.strerror}") from error
    try:
        return qmd_to_notebook(text)
    except QmdError as error:
        raise QmdError(f"{path}: {error}") from error


def qmd_to_notebook(text: str) -> nbformat.NotebookNode:
    """Convert .qmd text into an nbformat v4 notebook."""
    notebook = jupytext.reads(text, fmt="Rmd")
    language = notebook.metadata.get("jupytext", {}).get("main_language", "python")
    if language != "python":
        raise QmdError(f"only python chunks can run here, the document's are {language}")
    if text.startswith("---") and notebook.cells[0].cell_type != "raw":
        raise QmdError("front matter opened with '---' on line 1 is never closed")
    front_matter = yaml.safe_load(notebook.cells[0].source.strip("-\n")) if text.startswith("---") else {}
    kernel = front_matter.get("jupyter", "python3")
    if not isinstance(kernel, str):
        raise QmdError("front matter: 'jupyter' must name a kernel, e.g. 'jupyter: python3'")
    notebook.metadata = {"kernelspec": {"name": kernel, "display_name": kernel, "language": language},
                         "language_info": {"name": language},
                         **({"title": str(front_matter["title"])} if "title" in front_matter else {})}
    for index, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{index}"  # nbformat draws random ids
        tags = parse_cell_options(cell.source).get("tags") if cell.cell_type == "code" else None
        if tags is not None:
            cell.metadata["tags"] = _tag_list(tags)
    nbformat.validate(notebook)
    return notebook


def _tag_list(tags) -> list[str]:
    tags = [tags] if isinstance(tags, str) else tags
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        raise QmdError(f"'#| tags:' must be a list of strings, got {tags!r}")
    return list(tags)


def parse_cell_options(source: str) -> dict:
    """The ``#|`` options at the top of a code cell, parsed as one YAML mapping."""
    option_lines = []
    for line in source.split("\n"):
        match = _OPTION_LINE.match(line)
        if not match:
            break
        option_lines.append(match.group("yaml"))
    if not option_lines:
        return {}
    try:
        options = yaml.safe_load("\n".join(option_lines))
    except yaml.YAMLError as error:
        raise QmdError(f"cell options are not valid YAML: {option_lines}: {error}") from error
    if not isinstance(options, dict):
        raise QmdError(f"cell options must be 'key: value' lines, got {option_lines[0]!r}")
    return options
