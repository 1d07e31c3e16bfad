"""Turn the executed report notebook into one self-contained HTML page with nbconvert.

This is the renderer used when Quarto is not installed. It reads the same cell
options Quarto reads (``#| echo``, ``#| include``, ``#| output``, ``code-fold``
and ``execute`` defaults, and the ``css`` files, from ``_quarto.yml``) so that both
renderers show the same content, and rewrites the Quarto markdown of the prose and
of the outputs (cross-referenced figures and tables, callouts, spans) into what
nbconvert's Markdown renderer reads (``quarto_markdown``). The page loads nothing
from the network: figures are already base64 PNG inside the notebook, and the
template leaves out the script tags (require.js, MathJax, mermaid) that nbconvert
would otherwise point at a CDN.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import jinja2
import nbformat
import yaml
from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor

from .qmd import parse_cell_options
from .quarto import quarto_defaults
from .quarto_markdown import number_targets, to_commonmark

_TEMPLATE_NAME = "spiralbench_report.html.j2"

# Extends nbconvert's JupyterLab template: no external scripts, a title block from the
# front matter, a table of contents, folded code, and a page width a reader can follow.
_TEMPLATE = r"""
{%- extends 'index.html.j2' -%}

{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}

{%- block html_head_css -%}
<style type="text/css">
{{ resources.page_css }}
{{ resources.report_css }}
</style>
{%- endblock html_head_css -%}

{%- block body_header -%}
{{ super() }}
<header class="sb-title-block">
<h1 class="sb-title">{{ resources.front_matter.get('title', '') | e }}</h1>
{%- if resources.front_matter.get('subtitle') %}
<p class="sb-subtitle">{{ resources.front_matter.get('subtitle') | e }}</p>
{%- endif %}
</header>
<!-- table of contents -->
{%- endblock body_header -%}

{% block input_group -%}
{%- if resources.code_fold -%}
<details class="sb-code"><summary>{{ resources.code_summary | e }}</summary>
{{ super() }}
</details>
{%- else -%}
{{ super() }}
{%- endif -%}
{% endblock input_group %}
"""

# Page layout for the nbconvert path, and what Quarto itself draws; the report's own styles come
# after it, from report/report.css.
PAGE_CSS = """
body.jp-Notebook { padding: 0; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 32px 48px; box-sizing: border-box; }
.jp-Cell { padding: 0; }
.jp-InputPrompt, .jp-OutputPrompt { display: none; }
.jp-RenderedHTMLCommon { padding-right: 0; font-size: 15px; line-height: 1.55; }
.jp-RenderedHTMLCommon h2 { margin-top: 2.2em; padding-bottom: 0.2em; border-bottom: 1px solid #ddd; }
.sb-title-block, nav.sb-toc, details.sb-code > summary { font-family: var(--jp-content-font-family); }
.sb-title-block { margin: 8px 0 16px; }
.sb-title { font-size: 2em; margin: 0 0 4px; }
.sb-subtitle { font-size: 1.15em; color: #555; margin: 0; }
nav.sb-toc { border: 1px solid #ddd; border-radius: 4px; padding: 8px 20px; margin: 12px 0 24px; background: #fafafa; }
nav.sb-toc h2 { font-size: 1.05em; margin: 4px 0; border: none; }
nav.sb-toc ul { margin: 4px 0; padding-left: 0; list-style: none; columns: 2; }
details.sb-code { margin: 4px 0; }
details.sb-code > summary { cursor: pointer; color: #555; font-size: 0.9em; }
/* What Quarto draws for cross-referenced figures and tables, and for callouts. */
figure.sb-figure { margin: 14px 0 22px; }
figure.sb-figure img { max-width: 100%; height: auto; display: block; margin: 0 auto; }
figure.sb-figure figcaption, .sb-table-caption { font-size: 0.92em; color: #333; line-height: 1.45; }
figure.sb-figure figcaption p, .sb-table-caption p { margin: 6px 0 0; }
.sb-table-caption { margin-top: 14px; }
.sb-label { font-weight: 600; }
.jp-RenderedMarkdown table { margin: 6px 0 18px; }  /* its size: report.css */
.jp-RenderedMarkdown td code, figcaption code, .sb-table-caption code { font-size: 0.95em; }
.callout { border-left: 4px solid #0072B2; background: #f4f8fb; padding: 8px 14px; margin: 12px 0; }
.callout.callout-warning { border-left-color: #B00020; background: #fbf4f4; }
.callout > p { margin: 0; }
"""

_H2 = re.compile(r'<h2 id="(?P<id>[^"]+)">(?P<text>.*?)</h2>', re.S)
_TAG = re.compile(r"<[^>]+>")


class QuartoCellOptions(Preprocessor):
    """Apply Quarto's ``#|`` cell options the way ``quarto render`` would.

    ``include: false`` drops the cell, ``echo: false`` hides its source,
    ``output: false`` drops its outputs; the option lines themselves are not
    shown, as Quarto does not show them.
    """

    def __init__(self, echo_default: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.echo_default = echo_default

    def preprocess(self, nb, resources):
        cells = []
        for cell in nb.cells:
            if cell.cell_type == "raw" and cell.source.startswith("---"):
                continue  # the front matter: shown as the title block instead
            if cell.cell_type != "code":
                cells.append(cell)
                continue
            options = parse_cell_options(cell.source)
            if options.get("include", True) is False:
                continue
            cell.source = "\n".join(line for line in cell.source.split("\n") if not line.startswith("#|")).strip("\n")
            if not options.get("echo", self.echo_default) or not cell.source:
                cell.metadata.setdefault("transient", {})["remove_source"] = True
            if options.get("output", True) is False:
                cell.outputs = []
            cells.append(cell)
        nb.cells = cells
        return nb, resources


class QuartoMarkdown(Preprocessor):
    """Rewrite the Quarto markdown of prose cells and ``text/markdown`` outputs for nbconvert
    (see ``quarto_markdown``), numbering figures and tables over the whole document."""

    def preprocess(self, nb, resources):
        texts = list(_markdown_texts(nb))
        names = number_targets(text for text, _ in texts)
        for text, store in texts:
            store(to_commonmark(text, names))
        return nb, resources


def _markdown_texts(nb):
    """Every piece of markdown of the notebook in document order, each with a function that replaces it."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            yield cell.source, lambda text, cell=cell: setattr(cell, "source", text)
        elif cell.cell_type == "code":
            for output in cell.get("outputs", []):
                markdown = output.get("data", {}).get("text/markdown")
                if markdown is not None:
                    text = "".join(markdown) if isinstance(markdown, list) else markdown
                    yield text, lambda text, data=output["data"]: data.__setitem__("text/markdown", text)


def stylesheets(paths: list[Path]) -> str:
    """The text of the stylesheets ``_quarto.yml`` names, for the page's ``<style>``."""
    try:
        return "\n".join(path.read_text(encoding="utf-8") for path in paths)
    except OSError as error:
        raise ValueError(f"cannot read a stylesheet named in _quarto.yml: {error}") from error


def front_matter(notebook: nbformat.NotebookNode) -> dict:
    """The YAML front matter held by the notebook's first raw cell ({} if none)."""
    for cell in notebook.cells:
        if cell.cell_type == "raw" and cell.source.startswith("---"):
            return yaml.safe_load(cell.source.strip().strip("-")) or {}
    return {}


def notebook_to_html(notebook: nbformat.NotebookNode, quarto_yml: Path) -> str:
    """The self-contained HTML page of an executed notebook."""
    notebook = nbformat.from_dict(notebook)  # a copy: the executed notebook is kept as it ran
    defaults = quarto_defaults(quarto_yml)
    exporter = HTMLExporter(
        template_name="lab",
        template_file=_TEMPLATE_NAME,
        extra_loaders=[jinja2.DictLoader({_TEMPLATE_NAME: _TEMPLATE})],
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    exporter.register_preprocessor(QuartoCellOptions(echo_default=defaults["echo"]), enabled=True)
    exporter.register_preprocessor(QuartoMarkdown(), enabled=True)
    resources = {
        "front_matter": front_matter(notebook),
        "code_fold": defaults["code_fold"],
        "code_summary": defaults["code_summary"],
        "page_css": PAGE_CSS,
        "report_css": stylesheets(defaults["css"]),
    }
    body, _ = exporter.from_notebook_node(notebook, resources=resources)
    return add_table_of_contents(body)


def add_table_of_contents(page: str) -> str:
    """Insert a list of links to the page's level-2 headings where the template left its marker."""
    entries = []
    for match in _H2.finditer(page):
        text = html.unescape(_TAG.sub("", match.group("text"))).rstrip("¶").strip()
        entries.append(f'<li><a href="#{match.group("id")}">{html.escape(text)}</a></li>')
    toc = '<nav class="sb-toc"><h2>Contents</h2><ul>' + "".join(entries) + "</ul></nav>" if entries else ""
    return page.replace("<!-- table of contents -->", toc, 1)


def write_html(notebook: nbformat.NotebookNode, quarto_yml: Path, output_path: Path) -> Path:
    """Render ``notebook`` and write the page to ``output_path``."""
    output_path = Path(output_path)
    output_path.parent.mkdir(parents=True, exist_ok=True)
    output_path.write_text(notebook_to_html(notebook, quarto_yml), encoding="utf-8")
    return output_path
