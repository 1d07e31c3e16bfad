"""The page without Quarto: the executed notebook as one plain, self-contained HTML page (nbconvert).

Same figures, tables and text as Quarto's page, plainly: the outputs were
written as CommonMark for it (``document``), the code is left out (it is in
``report/report.qmd``), and there is no table of contents, no folding of code
and no callout boxes. The one thing done here besides nbconvert is to write
the references ``@fig-x`` / ``@tbl-x`` as "Figure 3" / "Table 2" linked to
the exhibit, from the numbers the exhibits recorded in their outputs' metadata
(a reference to nothing stays visible as ``?@fig-x``, as in Quarto).

Nothing is fetched from the network: nbconvert's ``basic`` template writes no
script tags, the figures are PNG data URIs, the stylesheets are inlined.
"""

from __future__ import annotations

import html
import re
from importlib.metadata import version
from pathlib import Path

import nbformat
import yaml
from nbconvert import HTMLExporter

from .document import EXHIBIT_KEY

REFERENCE = re.compile(r"(?<![\w\\])@((?:fig|tbl)-[a-z0-9]+(?:-[a-z0-9]+)*)")
CODE_SPAN = re.compile(r"(`[^`]*`)")

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="nbconvert {version}">
<title>{title}</title>
<style>
{css}
</style>
</head>
<body class="sb-plain">
<main>
{body}
</main>
</body>
</html>
"""


def nbconvert_version() -> str:
    return version("nbconvert")


def front_matter(notebook: nbformat.NotebookNode) -> dict:
    """The YAML front matter held by the notebook's first raw cell ({} if none)."""
    for cell in notebook.cells:
        if cell.cell_type == "raw" and cell.source.startswith("---"):
            return yaml.safe_load(cell.source.strip().strip("-")) or {}
    return {}


def exhibit_names(notebook: nbformat.NotebookNode) -> dict[str, str]:
    """{"fig-x": "Figure 3", ...} from the outputs' metadata."""
    names = {}
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            exhibit = output.get("metadata", {}).get(EXHIBIT_KEY)
            if exhibit:
                names[exhibit["label"]] = exhibit["name"]
    return names


def resolve_references(markdown: str, names: dict[str, str]) -> str:
    """``@fig-x`` -> ``[Figure 3](#fig-x)`` outside code spans."""
    def link(match):
        label = match.group(1)
        return f"[{names[label]}](#{label})" if label in names else f"?@{label}"

    parts = CODE_SPAN.split(markdown)
    return "".join(part if index % 2 else REFERENCE.sub(link, part) for index, part in enumerate(parts))


def notebook_to_html(notebook: nbformat.NotebookNode, stylesheets: list[Path]) -> str:
    """The plain page of an executed notebook whose outputs were written for it."""
    notebook = nbformat.from_dict(notebook)  # a copy: the executed notebook is kept as it ran
    names = exhibit_names(notebook)
    options = front_matter(notebook)
    title = str(options.get("title", ""))
    heading = f"# {title}\n\n" + (f"*{options['subtitle']}*" if options.get("subtitle") else "")
    cells = [nbformat.v4.new_markdown_cell(heading)]
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = resolve_references(cell.source, names)
        elif cell.cell_type == "code":
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                if "text/markdown" in data:
                    data["text/markdown"] = resolve_references("".join(data["text/markdown"]), names)
        if cell.cell_type != "raw":
            cells.append(cell)
    notebook.cells = cells
    exporter = HTMLExporter(template_name="basic", exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(notebook)
    css = "\n".join(Path(path).read_text(encoding="utf-8") for path in stylesheets)
    return PAGE.format(version=nbconvert_version(), title=html.escape(title), css=css, body=body)

