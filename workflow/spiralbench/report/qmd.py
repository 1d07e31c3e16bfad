"""Convert a Quarto ``.qmd`` document into a Jupyter notebook.

The notebook is laid out the way Quarto itself stores a document as ``.ipynb``,
so that either renderer can take it from there:

- the YAML front matter becomes the first cell, a raw cell between ``---`` lines
  (where Quarto looks for it in a notebook); its ``title`` and ``jupyter`` kernel
  also go into the notebook metadata, where Jupyter tools look for them;
- every executable chunk (```` ```{python} ````) becomes a code cell whose source
  keeps its leading ``#|`` option lines, as Quarto keeps them in ``.ipynb``; a
  ``tags`` option is also copied into the cell metadata, where papermill looks
  for the ``parameters`` cell;
- the text in between becomes markdown cells, fenced blocks that are not
  executable (```` ```python ````, ```` ```{{python}} ````) included.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import yaml

# An executable chunk opens with 3+ backticks, then {language ...}; a doubled
# brace ({{python}}) is Quarto's way of showing a chunk without running it.
_CHUNK_OPEN = re.compile(r"^(?P<fence>`{3,})\{(?P<lang>[A-Za-z0-9_]+)(?P<rest>[^{}]*)\}\s*$")
_ANY_FENCE = re.compile(r"^(?P<fence>`{3,}|~{3,})")
_OPTION_LINE = re.compile(r"^#\|\s?(?P<yaml>.*)$")

_KERNELS = {"python": "python3"}


class QmdError(ValueError):
    """The .qmd text cannot be converted; the message names the line."""


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
    lines = text.replace("\r\n", "\n").split("\n")
    front_matter, body_start = _split_front_matter(lines)

    notebook = nbformat.v4.new_notebook()
    language = "python"
    if front_matter is not None:
        raw_yaml, options = front_matter
        notebook.cells.append(nbformat.v4.new_raw_cell("---\n" + raw_yaml + "\n---"))
        if "title" in options:
            notebook.metadata["title"] = str(options["title"])
        kernel = options.get("jupyter", "python3")
        if not isinstance(kernel, str):
            raise QmdError("front matter: 'jupyter' must name a kernel, e.g. 'jupyter: python3'")
    else:
        kernel = "python3"

    for kind, start, chunk in _blocks(lines, body_start):
        if kind == "markdown":
            source = "\n".join(chunk).strip("\n")
            if source.strip():
                notebook.cells.append(nbformat.v4.new_markdown_cell(source))
            continue
        language = kind
        source = "\n".join(chunk)
        options = parse_cell_options(source, first_line=start + 1)
        cell = nbformat.v4.new_code_cell(source)
        tags = options.get("tags")
        if tags is not None:
            if isinstance(tags, str):
                tags = [tags]
            if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
                raise QmdError(f"line {start + 1}: '#| tags:' must be a list of strings, got {tags!r}")
            cell.metadata["tags"] = list(tags)
        notebook.cells.append(cell)

    notebook.metadata["kernelspec"] = {"name": kernel, "display_name": kernel, "language": language}
    notebook.metadata["language_info"] = {"name": language}
    # Cell ids: nbformat draws random ones; numbered ids keep the notebook the same bytes every time.
    for index, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{index}"
    nbformat.validate(notebook)
    return notebook


def parse_cell_options(source: str, first_line: int = 1) -> dict:
    """The ``#|`` options at the top of a code cell, parsed as one YAML mapping.

    ``first_line`` is the document line of the cell's first source line, used
    only to name the line in errors.
    """
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
        raise QmdError(f"line {first_line}: cell options are not valid YAML: {error}") from error
    if not isinstance(options, dict):
        raise QmdError(f"line {first_line}: cell options must be 'key: value' lines, got {option_lines[0]!r}")
    return options


def _split_front_matter(lines: list[str]) -> tuple[tuple[str, dict] | None, int]:
    """Return ((raw yaml, parsed yaml) or None, index of the first body line)."""
    if not lines or lines[0].strip() != "---":
        return None, 0
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            raw = "\n".join(lines[1:index])
            try:
                options = yaml.safe_load(raw) or {}
            except yaml.YAMLError as error:
                raise QmdError(f"front matter is not valid YAML: {error}") from error
            if not isinstance(options, dict):
                raise QmdError("front matter must be a YAML mapping (key: value lines)")
            return (raw, options), index + 1
    raise QmdError("front matter opened with '---' on line 1 is never closed")


def _blocks(lines: list[str], start: int):
    """Yield ("markdown" | language, first line index, lines) in document order."""
    markdown: list[str] = []
    markdown_start = start
    index = start
    while index < len(lines):
        line = lines[index]
        chunk = _CHUNK_OPEN.match(line)
        fence = _ANY_FENCE.match(line)
        if chunk:
            if chunk.group("lang") not in _KERNELS:
                raise QmdError(f"line {index + 1}: only python chunks can run here, got {{{chunk.group('lang')}}}")
            end = _closing_fence(lines, index, chunk.group("fence"))
            if markdown:
                yield "markdown", markdown_start, markdown
            yield chunk.group("lang"), index + 1, lines[index + 1 : end]
            markdown, markdown_start = [], end + 1
            index = end + 1
        elif fence:
            # A fenced block that does not run (```python, ```{{python}}): markdown, verbatim,
            # and its inside must not be taken for a chunk.
            end = _closing_fence(lines, index, fence.group("fence"))
            markdown.extend(lines[index : end + 1])
            index = end + 1
        else:
            markdown.append(line)
            index += 1
    if markdown:
        yield "markdown", markdown_start, markdown


def _closing_fence(lines: list[str], open_index: int, fence: str) -> int:
    """Index of the line closing the fence opened at ``open_index``."""
    char = fence[0]
    for index in range(open_index + 1, len(lines)):
        stripped = lines[index].strip()
        if stripped and set(stripped) == {char} and len(stripped) >= len(fence):
            return index
    raise QmdError(f"line {open_index + 1}: code block opened with {fence} is never closed")
