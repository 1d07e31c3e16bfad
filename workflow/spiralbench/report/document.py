"""What a report cell shows: numbered figures and tables with captions, findings, the footer.

Every figure and table is shown as self-contained HTML (the PNG inline as a
``data:`` URI), so the executed notebook, the nbconvert page and the Quarto
page all carry the same thing. Each one is captioned with the result files it
was drawn from, and recorded, so the provenance section can list them all.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

import pandas as pd
from IPython.display import HTML, display
from matplotlib.figure import Figure

from .style import REPORT_CSS, png_data_uri


@dataclass
class Chart:
    """A drawn figure and the result files it was drawn from."""

    figure: Figure
    sources: list[str]


@dataclass
class Table:
    """A table ready to show (cells already formatted as text) and the files it was computed from.

    ``text_columns`` are left-aligned and may wrap; ``row_classes`` gives a CSS class per row
    (``sb-diverged`` marks runs that diverged).
    """

    frame: pd.DataFrame
    sources: list[str]
    text_columns: tuple[str, ...] = ()
    row_classes: list[str] | None = None
    wrap_columns: tuple[str, ...] = ()


@dataclass
class Exhibit:
    kind: str  # "Figure" or "Table"
    number: int
    caption: str
    sources: list[str]


@dataclass
class ReportDocument:
    """Numbers and shows the report's exhibits, and remembers where each came from."""

    renderer: str
    exhibits: list[Exhibit] = field(default_factory=list)

    def stylesheet(self) -> None:
        display(HTML(f"<style>{REPORT_CSS}</style>"))

    def figure(self, chart: Chart, caption: str) -> None:
        exhibit = self._record("Figure", caption, chart.sources)
        uri, width = png_data_uri(chart.figure)
        display(HTML(
            f'<figure class="sb-figure"><img src="{uri}" width="{width}" alt="{html.escape(caption)}">'
            f"<figcaption class=\"sb-caption\">{self._caption_html(exhibit)}</figcaption></figure>"
        ))

    def table(self, table: Table, caption: str) -> None:
        exhibit = self._record("Table", caption, table.sources)
        display(HTML(
            f'<div class="sb-table-block"><div class="sb-table-wrap">{html_table(table)}</div>'
            f'<div class="sb-caption">{self._caption_html(exhibit)}</div></div>'
        ))

    def finding(self, text: str, warning: bool = False) -> None:
        """A conclusion computed from the data, set apart from the prose."""
        css = "sb-warning" if warning else "sb-finding"
        display(HTML(f'<div class="{css}">{inline_markup(text)}</div>'))

    def sources_table(self) -> Table:
        """Every figure and table shown so far, with the files it was drawn from."""
        rows = [
            {"exhibit": f"{e.kind} {e.number}", "caption": first_sentence(e.caption), "drawn from": ", ".join(e.sources) or "computed when the report was rendered"}
            for e in self.exhibits
        ]
        return Table(pd.DataFrame(rows, columns=["exhibit", "caption", "drawn from"]), sources=[],
                     text_columns=("exhibit", "caption", "drawn from"), wrap_columns=("caption", "drawn from"))

    def footer(self, provenance: dict) -> None:
        date = provenance.get("date", "")
        display(HTML(
            f'<footer class="sb-footer">Rendered by {html.escape(self.renderer)} from '
            f"<code>report/report.qmd</code>{' on ' + html.escape(str(date)) if date else ''}.</footer>"
        ))

    # ------------------------------------------------------------ internals

    def _record(self, kind: str, caption: str, sources: list[str]) -> Exhibit:
        number = 1 + sum(1 for e in self.exhibits if e.kind == kind)
        exhibit = Exhibit(kind, number, caption, list(sources))
        self.exhibits.append(exhibit)
        return exhibit

    @staticmethod
    def _caption_html(exhibit: Exhibit) -> str:
        sources = ""
        if exhibit.sources:
            files = ", ".join(f"<code>{html.escape(s)}</code>" for s in exhibit.sources)
            sources = f' <span class="sb-source">Drawn from {files}.</span>'
        return f'<span class="sb-label">{exhibit.kind} {exhibit.number}.</span> {inline_markup(exhibit.caption)}{sources}'


def html_table(table: Table) -> str:
    """The table as HTML with the report's classes: escaped cells (``code`` and **bold** kept), no index."""
    frame = table.frame
    classes = table.row_classes or [""] * len(frame)

    def cell_class(column):
        names = []
        if column in table.text_columns:
            names.append("sb-text")
        if column in table.wrap_columns:
            names.append("sb-wrap")
        return f' class="{" ".join(names)}"' if names else ""

    head = "".join(f"<th{cell_class(c)}>{html.escape(str(c))}</th>" for c in frame.columns)
    body = []
    for (_, row), row_class in zip(frame.iterrows(), classes):
        cells = "".join(f"<td{cell_class(c)}>{inline_markup(_text(row[c]))}</td>" for c in frame.columns)
        body.append(f'<tr class="{row_class}">{cells}</tr>' if row_class else f"<tr>{cells}</tr>")
    return f'<table class="sb-table"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def _text(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "–"
    return str(value)


_BOLD = re.compile(r"\*\*(.+?)\*\*")
_CODE = re.compile(r"`([^`]+)`")


def inline_markup(text: str) -> str:
    """Escape ``text`` as HTML, then turn ``**bold**`` and ```code``` into tags."""
    escaped = html.escape(text, quote=False)
    return _CODE.sub(r"<code>\1</code>", _BOLD.sub(r"<strong>\1</strong>", escaped))


def first_sentence(text: str) -> str:
    """The caption's first sentence: enough to find the exhibit in the provenance list."""
    plain = text.replace("**", "").replace("`", "")
    match = re.match(r"(.+?[.!?])(\s|$)", plain)
    return match.group(1) if match else plain
