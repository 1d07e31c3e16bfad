"""What a report cell shows: labelled figures and tables with captions, findings, the footer.

Every exhibit is one Jupyter output of Markdown (``text/markdown``), written for the
renderer that will read it (``ReportDocument.quarto``):

- for Quarto, Quarto markdown: a figure div ``::: {#fig-x}`` holding ``<img alt="..." src="../figures/x.png">``
  and then the caption is a numbered, cross-referenced figure with alternative text on the image; a pipe table followed by
  ``: caption {#tbl-x}`` a numbered table; ``::: {.callout-note}`` a callout; ``@fig-x`` /
  ``@tbl-x`` in any text a reference that Quarto writes as "Figure 3" with a link;
- for the plain page (nbconvert, when Quarto is not installed), CommonMark: the image with
  its alternative text and a caption line "Figure 3. ...", the caption line then the table,
  a finding as a quotation. Its references are written as "Figure 3" by ``plain`` after the
  notebook ran, from the numbers each exhibit records in its output's metadata.

Labels start with ``fig-`` or ``tbl-`` and then use only ``a-z``, ``0-9`` and ``-``
(Quarto's rule; ``spiralbench.figures.slug`` makes a label part from any name). Captions, table cells and
findings are plain text in which ``**bold**``, ```code``` and ``@fig-``/``@tbl-`` references
are markup; everything else is shown as written. A table's ``row_classes`` wrap every cell
of a row in a span (``report/report.css`` colours ``sb-diverged``).

No cell may output ``text/html`` or ``application/javascript``: Quarto takes either for a
JavaScript widget and then loads require.js and jQuery from a CDN. Each exhibit is
captioned with the result files it was drawn from, and recorded, so that the provenance
section can list them all.
"""

from __future__ import annotations

import base64
import html
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from IPython.display import display


from .results import FigureFile

EXHIBIT_KEY = "spiralbench/exhibit"  # output metadata: {"label": "fig-x", "name": "Figure 3"}
LABEL = re.compile(r"^(?P<kind>fig|tbl)-[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass
class Table:
    """A table ready to show (cells already formatted as text) and the files it was computed from.

    ``text_columns`` are left-aligned, the others right-aligned; ``wrap_columns`` get the most
    room; ``row_classes`` gives a CSS class per row (``sb-diverged`` marks runs that diverged,
    ``sb-changed`` a changed verdict).
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
    label: str
    caption: str
    sources: list[str]

    @property
    def name(self) -> str:
        """How the text refers to it: "Figure 3"."""
        return f"{self.kind} {self.number}"


@dataclass
class ReportDocument:
    """Labels and shows the report's exhibits for one renderer, and remembers where each came from.

    ``renderer`` is what the footer names (e.g. "Quarto 1.10.18"); ``quarto`` says whether the outputs
    are read by Quarto (Quarto markdown) or by the plain nbconvert page (CommonMark).
    """

    renderer: str
    quarto: bool = True
    exhibits: list[Exhibit] = field(default_factory=list)

    def figure(self, figure: FigureFile, caption: str) -> None:
        """Show a figure the workflow drew, labelled ``fig-{its name}``, under ``caption``."""
        exhibit = self._record("Figure", caption, figure.sources, f"fig-{figure.name}")
        alt = figure.alt.replace('"', "'")
        if self.quarto:
            # A figure div around an HTML <img>: Quarto numbers the div, takes its last paragraph for the caption,
            # and leaves the alternative text on the image. (Its ``fig-alt`` also lands on the figure's <div> as
            # an ``alt`` attribute, which HTML does not allow there.) The image is linked by its path from the
            # working directory, where the notebook runs and is written, and Quarto embeds the file in the page:
            # the same page as from the PNG inlined here, rendered in 11 s instead of 19 (Pandoc would parse
            # megabytes of base64 text).
            src = Path(os.path.relpath(figure.path)).as_posix()
            markdown = (f'::: {{#{exhibit.label}}}\n<img src="{html.escape(src)}" alt="{html.escape(alt)}" '
                        f'width="{figure.width}" class="img-fluid">\n\n{self._caption(exhibit)}\n:::')
        else:
            # An <img> rather than ![alt](src): CommonMark has no width, and the PNG has two pixels per CSS pixel.
            # Inlined: the plain page is one file that nothing else embeds into.
            uri = "data:image/png;base64," + base64.b64encode(figure.path.read_bytes()).decode("ascii")
            markdown = (f'<a id="{exhibit.label}"></a>\n\n<img alt="{html.escape(alt)}" src="{uri}" '
                        f'width="{figure.width}">\n\n**{exhibit.name}.** {self._caption(exhibit)}')
        show_markdown(markdown, plain=f"{exhibit.name}: {caption}", exhibit=exhibit)

    def table(self, table: Table, caption: str, label: str | None = None, fold: str | None = None) -> None:
        """Show ``table`` under ``caption``; ``fold`` (a one-line summary) folds a long table away under it."""
        exhibit = self._record("Table", caption, table.sources, label)
        if self.quarto:
            markdown = f"{pipe_table(table)}\n\n: {self._caption(exhibit)} {{#{exhibit.label}}}"
        else:
            markdown = f'<a id="{exhibit.label}"></a>\n\n**{exhibit.name}.** {self._caption(exhibit)}\n\n{pipe_table(table, spans=False)}'
        if fold:
            markdown = (f"<details class=\"sb-fold\">\n<summary>{html.escape(fold)} "
                        f"(show {exhibit.name.lower()}, {len(table.frame)} rows)</summary>\n\n{markdown}\n\n</details>")
        show_markdown(markdown, plain=f"{exhibit.name}: {caption}\n\n{table.frame.to_string(index=False)}",
                      exhibit=exhibit)

    def finding(self, text: str, warning: bool = False) -> None:
        """A conclusion computed from the data, set apart from the prose."""
        if self.quarto:
            kind = "warning" if warning else "note"
            markdown = f'::: {{.callout-{kind} appearance="simple"}}\n{markdown_text(text)}\n:::'
        else:
            markdown = f"> {'**Caution:** ' if warning else ''}{markdown_text(text)}"
        show_markdown(markdown, plain=text)

    def in_short(self, sentences: list[str], table: Table | None = None) -> None:
        """The box at the top: a few sentences, then a small table (unnumbered: it restates what follows)."""
        text = " ".join(markdown_text(sentence) for sentence in sentences)
        grid = f"\n\n{pipe_table(table, spans=self.quarto)}" if table is not None else ""
        if self.quarto:
            markdown = f'::: {{.callout-note appearance="default" title="In short"}}\n{text}{grid}\n:::'
        else:
            markdown = f"> **In short.** {text}{grid}"  # the table under the quotation: CommonMark's has none inside
        show_markdown(markdown, plain=" ".join(sentences))

    def markdown(self, text: str) -> None:
        """Markdown made by the report itself (links, for one), shown as it is: CommonMark both renderers read."""
        show_markdown(text, plain=text)

    def sources_table(self) -> Table:
        """Every figure and table shown so far (as cross-references), with the files it was drawn from."""
        rows = [
            {"exhibit": f"@{e.label}", "caption": first_sentence(e.caption),
             "drawn from": ", ".join(f"`{s}`" for s in e.sources) or "computed when the report was rendered"}
            for e in self.exhibits
        ]
        return Table(pd.DataFrame(rows, columns=["exhibit", "caption", "drawn from"]), sources=[],
                     text_columns=("exhibit", "caption", "drawn from"), wrap_columns=("caption", "drawn from"))

    def footer(self, provenance: dict, advice: str = "") -> None:
        """The last line: which renderer made the page and when (and ``advice``, e.g. how to get Quarto)."""
        date = provenance.get("date", "")
        text = (f"Rendered by {self.renderer} from `report/report.qmd`{' on ' + str(date) if date else ''}."
                + (f" {advice}" if advice else ""))
        show_markdown(f'<div class="sb-footer">\n\n{markdown_text(text)}\n\n</div>', plain=text)

    # ------------------------------------------------------------ internals

    def _record(self, kind: str, caption: str, sources: list[str], label: str | None) -> Exhibit:
        number = 1 + sum(1 for e in self.exhibits if e.kind == kind)
        prefix = {"Figure": "fig", "Table": "tbl"}[kind]
        label = label or f"{prefix}-{number}"
        match = LABEL.match(label)
        if not match or match.group("kind") != prefix:
            raise ValueError(f"{kind.lower()} label {label!r} must look like '{prefix}-some-name' "
                             "(lower-case letters, digits and single hyphens), as Quarto cross-references need")
        if any(e.label == label for e in self.exhibits):
            raise ValueError(f"{kind.lower()} label {label!r} is used twice: labels name one exhibit each")
        exhibit = Exhibit(kind, number, label, caption, list(sources))
        self.exhibits.append(exhibit)
        return exhibit

    @staticmethod
    def _caption(exhibit: Exhibit) -> str:
        sources = ""
        if exhibit.sources:
            sources = " Drawn from " + ", ".join(f"`{s}`" for s in exhibit.sources) + "."
        return markdown_text(exhibit.caption) + sources


def show_markdown(markdown: str, plain: str, exhibit: Exhibit | None = None) -> None:
    """Output ``markdown``, with a plain-text version for other frontends; an exhibit's label and name go into
    the output's metadata, where the plain page finds what its references point to."""
    metadata = {EXHIBIT_KEY: {"label": exhibit.label, "name": exhibit.name}} if exhibit else {}
    display({"text/markdown": markdown, "text/plain": plain}, metadata=metadata, raw=True)


def pipe_table(table: Table, spans: bool = True) -> str:
    """The table as a Markdown pipe table: cells escaped (their markup kept), row classes as spans,
    Pandoc's bracketed spans (``spans``) or HTML ones (for CommonMark, which has no bracketed spans).

    Pandoc sizes the columns of a long pipe table by the dashes under the header, so each
    column gets as many dashes as its longest cell (wrapping columns up to 40, others up to 16).
    """
    frame = table.frame
    classes = table.row_classes or [""] * len(frame)
    if len(classes) != len(frame):
        raise ValueError(f"table has {len(frame)} rows but {len(classes)} row classes")
    header = [markdown_text(str(c)) or " " for c in frame.columns]
    cells = [[markdown_text(_text(row[c])) for c in frame.columns] for _, row in frame.iterrows()]
    rule = []
    for index, column in enumerate(frame.columns):
        longest = max([len(header[index])] + [len(row[index]) for row in cells])
        dashes = "-" * max(3, min(longest, 40 if column in table.wrap_columns else 16))
        rule.append(f":{dashes}" if column in table.text_columns else f"{dashes}:")
    span = "[{cell}]{{.{row_class}}}" if spans else '<span class="{row_class}">{cell}</span>'
    body = [[span.format(cell=cell, row_class=row_class) if row_class and cell else cell for cell in row]
            for row, row_class in zip(cells, classes)]
    lines = [header, rule, *body]
    return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)


def _text(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "–"
    return str(value).replace("\n", " ")


# The markup a caption, cell or finding may carry; everything else is escaped.
_MARKUP = re.compile(r"(`[^`]+`|\*\*.+?\*\*|@(?:fig|tbl)-[a-z0-9]+(?:-[a-z0-9]+)*)")
# ASCII punctuation that Markdown (Pandoc's or CommonMark's) could read as markup.
_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#+!|$@^~])")
_LIST_START = re.compile(r"^(\d*)([.)-])(?=\s|$)")


def markdown_text(text: str) -> str:
    """``text`` as Markdown that shows it as written, except ``**bold**``, ```code``` and ``@fig-``/``@tbl-``
    references. Pipes inside code are escaped too, so the text can sit in a pipe-table cell."""
    parts = []
    for index, part in enumerate(_MARKUP.split(str(text))):
        if index % 2 == 0:
            parts.append(_SPECIAL.sub(r"\\\1", part))
        elif part.startswith("**"):
            parts.append("**" + _SPECIAL.sub(r"\\\1", part[2:-2]) + "**")
        else:
            parts.append(part.replace("|", r"\|"))
    # A number and a dot (or a dash) at the start would open a list.
    return _LIST_START.sub(r"\1\\\2", "".join(parts))


def first_sentence(text: str) -> str:
    """The caption's first sentence: enough to find the exhibit in the provenance list."""
    plain = text.replace("**", "").replace("`", "")
    match = re.match(r"(.+?[.!?])(\s|$)", plain)
    return match.group(1) if match else plain
