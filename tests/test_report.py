"""The report: its qmd -> notebook conversion, both renderers, its statistics, and the rendered page.

The page tests read the report the workflow rendered from the small config's results (the session's
``ci_results`` run) as a browser would, with whichever renderer made it (Quarto when ``quarto`` is on
the PATH, nbconvert's plain page otherwise): every section, every finding, every figure embedded with
alternative text, nothing loaded from outside, no error in any output. Run them both ways:
``python -m pytest tests/test_report.py`` and ``PATH=/path/to/quarto/bin:$PATH python -m pytest tests/test_report.py``.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import stat
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
import yaml

from spiralbench.findings import speed as sp
from spiralbench.intervals import t_interval
from spiralbench.figures import slug
from spiralbench.report import document, plain, render, wording
from spiralbench.report.document import EXHIBIT_KEY, ReportDocument, Table, markdown_text
from spiralbench.report.render import hide_injected_parameters
from spiralbench.report.results import FigureFile
from spiralbench.report.qmd import QmdError, parse_cell_options, qmd_to_notebook, read_qmd

REPO = Path(__file__).resolve().parents[1]
REPORT_QMD = REPO / "report" / "report.qmd"
QUARTO_YML = REPO / "report" / "_quarto.yml"
SECTIONS = [
    "The dataset", "The networks", "Softmax and cross-entropy", "Training", "Evaluation",
    "The comparison made fair", "Decision boundaries", "What the network learned", "Code complexity", "Speed",
    "When to use each", "Reproducibility and provenance",
]


# ---------------------------------------------------------------- qmd -> notebook

DOCUMENT = """---
title: "A title"
jupyter: python3
---

Some *text*.

```{python}
#| tags: [parameters]
#| echo: false
x = 1
```

```python
# shown, not run
```

````markdown
```{python}
not a chunk: inside another fence
```
````

```{{python}}
not run either
```

```{python}
print(x)
```
"""


def test_qmd_front_matter_becomes_a_raw_first_cell_and_the_title_metadata():
    notebook = qmd_to_notebook(DOCUMENT)
    first = notebook.cells[0]
    assert first.cell_type == "raw"
    assert yaml.safe_load(first.source.strip("-\n")) == {"title": "A title", "jupyter": "python3"}
    assert notebook.metadata["title"] == "A title"
    assert notebook.metadata["kernelspec"]["name"] == "python3"


def test_qmd_chunks_become_code_cells_keeping_their_options_and_tags():
    notebook = qmd_to_notebook(DOCUMENT)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert [cell.source for cell in code] == ["#| tags: [parameters]\n#| echo: false\nx = 1", "print(x)"]
    assert code[0].metadata["tags"] == ["parameters"]
    assert "tags" not in code[1].metadata


def test_qmd_fences_that_do_not_run_stay_markdown_verbatim():
    notebook = qmd_to_notebook(DOCUMENT)
    markdown = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    assert "Some *text*." in markdown
    assert "```python\n# shown, not run\n```" in markdown
    assert "not a chunk: inside another fence" in markdown
    assert "```{{python}}\nnot run either\n```" in markdown
    # Cells alternate as in the document: text, code, text (the three fences), code.
    assert [cell.cell_type for cell in notebook.cells] == ["raw", "markdown", "code", "markdown", "code"]


def test_qmd_conversion_is_the_same_notebook_every_time():
    assert nbformat.writes(qmd_to_notebook(DOCUMENT)) == nbformat.writes(qmd_to_notebook(DOCUMENT))


def test_qmd_errors_name_the_problem():
    with pytest.raises(QmdError, match=r"only python chunks can run here, the document's are R"):
        qmd_to_notebook("```{r}\n1\n```\n")
    with pytest.raises(QmdError, match="front matter opened with '---' on line 1 is never closed"):
        qmd_to_notebook("---\ntitle: x\n")
    with pytest.raises(QmdError, match=r"cell options are not valid YAML"):
        qmd_to_notebook("```{python}\n#| echo: [unclosed\nx\n```\n")
    with pytest.raises(QmdError, match=r"'#\| tags:' must be a list of strings"):
        qmd_to_notebook("```{python}\n#| tags: {a: 1}\nx\n```\n")


def test_cell_options_are_read_only_from_the_leading_lines():
    assert parse_cell_options("#| echo: false\n#| fig-cap: 'A, b'\nx = 1\n#| label: late") == {
        "echo": False, "fig-cap": "A, b"}
    assert parse_cell_options("x = 1") == {}


def test_the_report_source_has_a_parameters_cell_and_the_twelve_sections_in_order():
    notebook = read_qmd(REPORT_QMD)
    parameters = [cell for cell in notebook.cells if "parameters" in cell.metadata.get("tags", [])]
    assert len(parameters) == 1
    for name in ("results_dir", "config_path", "renderer"):
        assert re.search(rf"^{name} = ", parameters[0].source, re.M), name
    headings = [line for cell in notebook.cells if cell.cell_type == "markdown"
                for line in cell.source.split("\n") if line.startswith("## ")]
    assert headings == [f"## {number}. {title}" for number, title in enumerate(SECTIONS, start=1)]


# ---------------------------------------------------------------- renderers


def _executed_notebook() -> nbformat.NotebookNode:
    """A small notebook as papermill leaves it: outputs in place, the injected parameters cell added."""
    notebook = qmd_to_notebook(
        "---\ntitle: Small\n---\n\n## 1. Part\n\n```{python}\n#| tags: [parameters]\n#| echo: false\n"
        "default_parameter_value = 1\n```\n\n"
        "```{python}\n#| include: false\nexcluded_cell_code = True\n```\n\n"
        "```{python}\n#| output: false\nshown_code = 2\n```\n\n"
        "```{python}\nvisible_code = 3\n```\n"
    )
    injected = nbformat.v4.new_code_cell("# Parameters\ninjected_parameter_value = 2",
                                         metadata={"tags": ["injected-parameters"]})
    notebook.cells.insert(3, injected)
    notebook.cells[-1].outputs = [nbformat.v4.new_output("display_data", data={"text/html": "<p>the output</p>"})]
    notebook.cells[-2].outputs = [nbformat.v4.new_output("stream", name="stdout", text="dropped output")]
    hide_injected_parameters(notebook)
    return notebook


def _fake_quarto(directory: Path) -> Path:
    """A `quarto` that records its arguments and working directory, and writes the page it is asked for."""
    script = directory / "quarto"
    script.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = "--version" ]; then echo 9.9.9; exit 0; fi\n'
        f'printf "%s\\n" "$@" > "{directory}/args"\n'
        f'ls > "{directory}/staged"\n'
        'echo "<html>rendered by quarto</html>" > report.html\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


def test_quarto_is_chosen_when_installed_and_renders_the_executed_notebook_without_running_it(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _fake_quarto(bin_dir)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")

    renderer = render.choose_renderer()
    assert (renderer.name, renderer.label, renderer.quarto, renderer.advice) == ("quarto", "Quarto 9.9.9", True, "")

    (tmp_path / "out").mkdir()
    page = render.quarto_html(_executed_notebook(), render.project_files_of(REPORT_QMD), tmp_path / "out" / "report.html",
                              renderer.executable)
    assert page.read_text() == "<html>rendered by quarto</html>\n"
    assert (bin_dir / "args").read_text().split("\n")[:-1] == [
        "render", "report.ipynb", "--to", "html", "--output", "report.html"]
    assert (bin_dir / "staged").read_text().split() == ["_quarto.yml", "report.css", "report.ipynb"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["report.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bin", "out"]  # staging (beside out/) removed


def test_nbconvert_is_chosen_without_quarto_and_says_how_to_get_it(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    renderer = render.choose_renderer()
    assert renderer.name == "nbconvert" and not renderer.quarto
    assert re.fullmatch(r"nbconvert \d+\.\d+\S*", renderer.label)
    assert render.GET_QUARTO in renderer.advice and "plain page" in renderer.advice
    assert "https://quarto.org" in render.describe(Path("report.html"), renderer)


def test_quarto_options_are_valid_for_a_self_contained_page():
    options = yaml.safe_load(QUARTO_YML.read_text())
    html_format = options["format"]["html"]
    assert html_format["embed-resources"] is True
    # Quarto's default math method loads MathJax from a CDN; MathML and plain need nothing.
    assert html_format["html-math-method"] in ("mathml", "plain")
    assert html_format["code-fold"] is True
    assert "execute" not in html_format and options["execute"].get("enabled") is not True
    assert (QUARTO_YML.parent / html_format["css"]).is_file()


def test_plain_page_shows_the_notebook_without_code_and_loads_nothing(shown):
    report = ReportDocument(renderer="test", quarto=False)
    report.figure(_figure(), "A curve; see @tbl-values.")
    report.table(Table(pd.DataFrame({"run": ["a|b", "c_d"], "accuracy": ["0.5", "0.9"]}), ["tables/runs.csv"],
                       text_columns=("run",), row_classes=["sb-diverged", ""]), "Values per run.", label="tbl-values",
                 fold="Two runs")
    report.finding("All **4** runs agree: 3 < 4.")
    notebook = _executed_notebook()
    notebook.cells.append(nbformat.v4.new_markdown_cell("See @fig-curve and @tbl-values, not `@fig-curve`, nor @fig-gone."))
    notebook.cells[-2].outputs = [nbformat.v4.new_output("display_data", data=bundle, metadata=metadata)
                                  for bundle, metadata in shown]
    page = plain.notebook_to_html(notebook, [REPO / "report" / "report.css"])
    assert "<title>Small</title>" in page and re.search(r"<h1[^>]*>Small", page)
    assert "visible_code" not in page and "#|" not in page  # the code is left out: it is in report.qmd
    assert re.search(r'<img alt="A falling line\." src="data:image/png;base64,', page)
    assert "<strong>Figure 1.</strong> A curve; see <a href=\"#tbl-values\">Table 1</a>" in page
    assert '<a href="#fig-curve">Figure 1</a> and <a href="#tbl-values">Table 1</a>' in page
    assert "<code>@fig-curve</code>" in page and "?@fig-gone" in page
    assert '<details class="sb-fold">' in page and "<summary>Two runs (show table 1, 2 rows)</summary>" in page
    assert '<span class="sb-diverged">a|b</span>' in page and re.search(r"<td[^>]*>c_d</td>", page)
    assert "<blockquote>" in page and "3 &lt; 4" in page
    assert ".sb-diverged" in page  # report.css inlined
    assert not re.search(r"""<(script|img|link|iframe)[^>]+(src|href)=["']?(https?:)?//""", page)
    assert "<script" not in page


# ---------------------------------------------------------------- exhibits as Quarto markdown


@pytest.fixture
def shown(monkeypatch, tmp_path):
    """The outputs a ReportDocument displays, as the bundles a notebook would store; the working directory is
    the results' report/, as when the report runs."""
    (tmp_path / "report").mkdir()
    monkeypatch.chdir(tmp_path / "report")
    outputs = []
    monkeypatch.setattr(document, "display", lambda bundle, metadata, raw: outputs.append((bundle, metadata)))
    return outputs


def _figure(name: str = "curve") -> FigureFile:
    """A figure as the workflow's rule ``figures`` leaves it: ``../figures/{name}.png`` from the working
    directory, and what figures.json says of it."""
    from matplotlib.figure import Figure

    from spiralbench.figures.style import png_bytes
    figure = Figure(figsize=(2, 1.5))
    figure.subplots().plot([0, 1], [1, 0])
    png, width = png_bytes(figure)
    path = Path.cwd().parent / "figures" / f"{name}.png"
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(png)
    return FigureFile(name, path, "A falling line.", ["data/seed1.npz"], width)


def _exhibits(shown) -> ReportDocument:
    report = ReportDocument(renderer="test")
    report.figure(_figure(), "A curve; see @tbl-values.")
    report.table(Table(pd.DataFrame({"run": ["a|b", "c_d"], "accuracy": ["0.5", "**0.9**"]}), ["tables/runs.csv"],
                       text_columns=("run",), row_classes=["sb-diverged", ""]), "Values per run.", label="tbl-values")
    report.finding("All **4** runs agree: 3 < 4.")
    report.finding("One run diverged.", warning=True)
    return report


def test_exhibits_are_quarto_markdown_and_never_html_or_javascript(shown):
    _exhibits(shown)
    assert all(set(bundle) == {"text/markdown", "text/plain"} for bundle, _ in shown)
    figure, table, note, warning = (bundle["text/markdown"] for bundle, _ in shown)
    assert re.fullmatch(r"::: \{#fig-curve\}\n<img src=\"\.\./figures/curve\.png\" "
                        r"alt=\"A falling line\.\" width=\"192\" class=\"img-fluid\">\n\n"
                        r"A curve; see @tbl-values\. Drawn from `data/seed1\.npz`\.\n:::", figure)
    assert [metadata.get(EXHIBIT_KEY) for _, metadata in shown] == [
        {"label": "fig-curve", "name": "Figure 1"}, {"label": "tbl-values", "name": "Table 1"}, None, None]
    assert table.split("\n") == [
        "| run | accuracy |",
        "| :---- | --------: |",  # as many dashes as the longest cell: Pandoc's relative widths
        r"| [a\|b]{.sb-diverged} | [0.5]{.sb-diverged} |",
        r"| c\_d | **0.9** |",
        "",
        ": Values per run. Drawn from `tables/runs.csv`. {#tbl-values}",
    ]
    assert note == '::: {.callout-note appearance="simple"}\nAll **4** runs agree: 3 \\< 4.\n:::'
    assert warning.startswith("::: {.callout-warning")


def test_labels_must_be_quartos_and_unique_and_default_to_the_name_or_number(shown):
    report = ReportDocument(renderer="test")
    report.figure(_figure(), "Labelled by its name.")
    assert report.exhibits[0].label == "fig-curve"
    for bad in ("Curve", "curve_2", "", "curve-"):
        with pytest.raises(ValueError, match="must look like 'fig-some-name'"):
            report.figure(_figure(bad), "Bad.")
    with pytest.raises(ValueError, match="'fig-curve' is used twice"):
        report.figure(_figure(), "Again.")
    table = Table(pd.DataFrame({"a": [1]}), [])
    report.table(table, "No label.")
    assert report.exhibits[-1].label == "tbl-1"
    with pytest.raises(ValueError, match="must look like 'tbl-some-name'"):
        report.table(table, "Bad.", label="fig-values")
    assert slug("My_pair 2") == "my-pair-2"


def test_text_is_escaped_except_bold_code_and_references():
    assert markdown_text("a*b*_c_ [x] <b> $1 | @x @fig-a `k|v` **y_z**") == (
        r"a\*b\*\_c\_ \[x\] \<b\> \$1 \| \@x @fig-a `k\|v` **y\_z**")
    assert markdown_text("12. not a list") == r"12\. not a list"


def test_sources_table_refers_to_every_exhibit_by_its_label(shown):
    report = _exhibits(shown)
    sources = report.sources_table().frame
    assert list(sources["exhibit"]) == ["@fig-curve", "@tbl-values"]
    assert list(sources["drawn from"]) == ["`data/seed1.npz`", "`tables/runs.csv`"]


@pytest.mark.skipif(shutil.which("pandoc") is None, reason="pandoc is not installed (Debian: apt-get install pandoc)")
def test_pandoc_reads_the_exhibits_as_quarto_needs_them(shown):
    """Quarto reads markdown outputs with Pandoc, then resolves the fig-/tbl- labels and callouts with its
    own filters; plain Pandoc shows that the markup parses into the elements those filters look for."""
    _exhibits(shown)
    markdown = "\n\n".join(bundle["text/markdown"] for bundle, _ in shown) + "\n\nMath: $-\\log p_0$.\n"
    page = subprocess.run(["pandoc", "--from", "markdown", "--to", "html", "--mathml"], input=markdown,
                          capture_output=True, text=True, check=True).stdout
    assert re.search(r'<div id="fig-curve">\s*(<p>)?<img src="\.\./figures/curve\.png" alt="A falling line\."', page)
    assert re.search(r'data-cites="tbl-values"', page)  # the reference Quarto's crossref filter resolves
    assert re.search(r"<caption>(<p>)?Values per run\. Drawn from <code>tables/runs\.csv</code>\.", page)
    assert '<span class="sb-diverged">a|b</span>' in page and re.search(r"<td[^>]*>c_d</td>", page)
    assert "<strong>0.9</strong>" in page and "3 &lt; 4" in page
    assert re.search(r'<div class="callout-note"[^>]*>', page) and "<math" in page


# ---------------------------------------------------------------- statistics


def test_t_interval_matches_the_textbook_values():
    interval = t_interval([1.0, 2.0, 3.0, float("nan")])
    # mean 2, sample std 1, t(0.975, df=2) = 4.302653 -> half width 4.302653 / sqrt(3) = 2.484138
    assert interval["n"] == 3 and interval["mean"] == 2.0 and interval["std"] == 1.0
    assert interval["high"] - 2.0 == pytest.approx(2.484138, abs=1e-6)
    assert math.isnan(t_interval([0.5])["std"])


def _speed(rows, precision="float64"):
    table = pd.DataFrame(rows, columns=["implementation", "hidden_width", "repeat", "seconds_per_epoch",
                                        "samples_per_second"])
    return table.assign(precision=precision)


def test_speed_ratios_are_medians_of_per_round_ratios_with_an_interval():
    # The machine slows from round to round (0.1, 0.2, 0.3 s), for every implementation alike: the per-round
    # ratios do not see it.
    speed = _speed([(name, 8, r, s * scale, 0.0) for name, scale in (("scalar", 10.0), ("tensor", 0.5),
                                                                     ("torch", 1.0), ("numpy", 0.25))
                    for r, s in enumerate([0.1, 0.2, 0.3])]).assign(stable=True)
    row = sp.speed_by_width(speed).iloc[0]
    assert row["ratio"] == pytest.approx(10.0)  # scalar engine / PyTorch
    assert row["ratio_low"] == pytest.approx(10.0) and row["ratio_high"] == pytest.approx(10.0)
    assert row["tensor_ratio"] == pytest.approx(0.5) and row["floor_ratio"] == pytest.approx(2.0)
    assert row["tensor_ratio_verdict"] == "slower"  # PyTorch's time over the tensor engine's: 0.5
    # One round where only PyTorch was slowed widens the interval: the verdict holds only if it stays clear.
    speed.loc[(speed["implementation"] == "torch") & (speed["repeat"] == 0), "seconds_per_epoch"] *= 4
    row = sp.speed_by_width(speed).iloc[0]
    assert row["tensor_ratio"] == pytest.approx(0.5) and row["tensor_ratio_low"] == pytest.approx(0.125)


def test_a_width_without_the_scalar_engine_has_no_scalar_numbers():
    speed = _speed([("tensor", 64, 0, 0.01, 0.0), ("torch", 64, 0, 0.02, 0.0)])
    row = sp.speed_by_width(speed).iloc[0]
    assert np.isnan(row["scalar_median"]) and np.isnan(row["ratio"]) and row["tensor_ratio"] == pytest.approx(0.5)


def test_growth_exponent_recovers_a_power_law():
    widths = [4, 8, 16, 32]
    speed = _speed([(f, w, 0, c * w ** k, 0.0) for f, c, k in (("scalar", 0.01, 2.0), ("torch", 0.001, 0.5))
                    for w in widths])
    exponents = sp.growth_exponents(speed)
    assert exponents["scalar"] == pytest.approx(2.0) and exponents["torch"] == pytest.approx(0.5)


@pytest.mark.parametrize("torch_seconds, crossover", [
    ([2.0, 2.0, 2.0, 2.0], None),  # PyTorch never faster
    ([2.0, 2.0, 0.5, 0.5], 64),  # faster from 64 on
    ([2.0, 0.5, 2.0, 0.5], 256),  # a faster width in between does not count: faster from 256 on, to the end
    ([0.5, 0.5, 0.5, 2.0], None),  # not faster at the largest width
])
def test_crossover_is_where_pytorch_stays_faster(torch_seconds, crossover):
    widths = [4, 16, 64, 256]
    medians = pd.DataFrame([("tensor", w, r, 1.0) for w in widths for r in (1, 2, 3)]
                           + [("torch", w, r, s) for w, s in zip(widths, torch_seconds) for r in (1, 2, 3)],
                           columns=["implementation", "hidden_width", "repeat", "seconds_per_epoch"]).assign(precision="float64")
    assert sp.crossover_width(medians) == crossover
    # Only the float64 rows count: float32 timings that say the opposite change nothing.
    other = medians.assign(precision="float32", seconds_per_epoch=1 / medians["seconds_per_epoch"])
    assert sp.crossover_width(pd.concat([medians, other])) == crossover


def test_speed_conclusion_is_made_from_the_numbers():
    rows = [(name, w, r, s, 0.0) for w, tensor, torch_ in ((16, 0.001, 0.004), (256, 0.05, 0.02))
            for name, s in (("tensor", tensor), ("torch", torch_), ("numpy", tensor / 2), ("scalar", 0.1))
            if name != "scalar" or w == 16 for r in (1, 2, 3)]
    text = wording.speed_conclusion(_speed(rows), 16)
    assert "4.0× faster than PyTorch" in text and "2.0× the time of the hand-written numpy floor" in text
    assert "100× slower than PyTorch" not in text and "25× slower than PyTorch" in text
    assert "PyTorch overtakes it from width 256 on" in text
    never = wording.speed_conclusion(_speed([r for r in rows if r[1] == 16]), 16)
    assert "not shown to overtake it up to width 16" in never
    # One round is no interval: no verdict, whatever the ratio.
    once = wording.speed_conclusion(_speed([r for r in rows if r[2] == 1]), 16)
    assert "neither shown faster nor shown as fast as PyTorch (4.00×" in once


# ---------------------------------------------------------------- the rendered page


class _Page(HTMLParser):
    """What a reader meets: headings, images with their alternative text, the visible text, and anything
    that would be fetched from elsewhere."""

    def __init__(self):
        super().__init__()
        self.h2, self.images, self.external, self.text = [], [], [], []
        self._in_h2, self._skip = False, 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self._skip += tag in ("style", "script")
        if tag == "h2":
            self._in_h2 = True
            self.h2.append("")
        if tag == "img":
            self.images.append((attrs.get("src", ""), attrs.get("alt") or ""))
        for key in ("src", "href"):
            value = attrs.get(key) or ""
            if tag in ("img", "script", "link", "iframe", "source", "video", "audio") and re.match(r"(https?:)?//", value):
                self.external.append(f"<{tag} {key}={value}>")

    def handle_endtag(self, tag):
        self._skip -= tag in ("style", "script")
        if tag == "h2":
            self._in_h2 = False

    def handle_data(self, data):
        if self._in_h2:
            self.h2[-1] += data
        if not self._skip:
            self.text.append(data)

    @property
    def visible(self) -> str:
        """The page's text, white space (and non-breaking spaces) made single spaces, quotes straight."""
        text = "".join(self.text).replace("\xa0", " ")
        for curly, straight in (("’", "'"), ("‘", "'"), ("“", '"'), ("”", '"')):  # Quarto's smart quotes
            text = text.replace(curly, straight)
        return " ".join(text.split())


@pytest.fixture(scope="module")
def rendered(ci_results):
    """The page and executed notebook the workflow's report rule wrote for the small config."""
    report_dir = ci_results / "report"
    page = (report_dir / "report.html").read_text(encoding="utf-8")
    notebook = nbformat.read(report_dir / "report.ipynb", as_version=4)
    parser = _Page()
    parser.feed(page)
    return page, notebook, parser


def _outputs(notebook, key="text/markdown"):
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if key in output.get("data", {}):
                yield output


@pytest.mark.slow
def test_page_has_every_section_in_order(rendered):
    _, _, parser = rendered
    headings = [" ".join(h.replace("¶", "").split()) for h in parser.h2 if re.match(r"\s*\d+\. ", h)]
    assert headings == [f"{number}. {title}" for number, title in enumerate(SECTIONS, start=1)]


@pytest.mark.slow
def test_every_figure_is_an_embedded_image_with_alternative_text_and_nothing_is_fetched(rendered):
    _, notebook, parser = rendered
    figures = [o for o in _outputs(notebook) if o["metadata"].get(EXHIBIT_KEY, {}).get("label", "").startswith("fig-")]
    assert len(figures) >= 12
    assert len(parser.images) == len(figures)
    assert all(src.startswith("data:image/png;base64,") for src, _ in parser.images)
    alternatives = [alt for _, alt in parser.images]
    assert all(len(alt.split()) >= 8 for alt in alternatives), alternatives  # says what it shows, not "figure"
    assert len(set(alternatives)) == len(alternatives)
    assert parser.external == []
    # Each figure is numbered, and captioned with the result files it was drawn from.
    for number in range(1, len(figures) + 1):
        assert re.search(rf"Figure {number}[:.] \S", parser.visible), number
    assert parser.visible.count("Drawn from ") >= len(figures)
    assert "?@" not in parser.visible  # every cross-reference found its figure or table


@pytest.mark.slow
def test_every_finding_is_on_the_page(rendered):
    """Each finding's text (its plain version, markup aside) is read on the page, whichever renderer made it."""
    _, notebook, parser = rendered
    findings = [o["data"]["text/plain"] for o in _outputs(notebook)
                if not o["metadata"].get(EXHIBIT_KEY) and "Rendered by" not in o["data"]["text/plain"]]
    assert len(findings) >= 15
    for finding in findings:
        plain_text = "".join(finding) if isinstance(finding, list) else finding
        plain_text = plain_text.replace("**", "").replace("`", "")
        # References are written by the renderer ("Figure 3"); compare the words between them.
        for part in re.split(r"@(?:fig|tbl)-[a-z0-9-]+|\[[^\]]*\]\([^)]*\)", plain_text):
            words = " ".join(part.split())
            if len(words) > 12:
                assert words in parser.visible, words


@pytest.mark.slow
def test_no_output_shows_an_error_a_traceback_or_a_warning(rendered):
    page, notebook, _ = rendered
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            assert output["output_type"] != "error", cell.source
            assert not (output["output_type"] == "stream" and output["name"] == "stderr"), output["text"]
            text = json.dumps(output.get("data", {})) + output.get("text", "")
            assert "Traceback" not in text and "Warning" not in text, cell.source
    assert "Traceback" not in page


@pytest.mark.slow
def test_page_shows_the_small_configs_diverged_runs_and_names_its_renderer(rendered, ci_results):
    page, notebook, parser = rendered
    runs = pd.read_csv(ci_results / "tables" / "runs.csv")
    diverged = runs.loc[runs["status"] == "diverged", "run_id"]
    assert len(diverged) > 0  # config/ci.yaml keeps a learning rate that must diverge
    for run_id in diverged:
        assert run_id in page
    assert f"{len(diverged)} of {len(runs)} runs diverged" in parser.visible
    renderer = render.rendered_by(ci_results / "report" / "report.ipynb")
    expected = render.choose_renderer()  # what is installed now made the page of this session's run
    assert renderer == expected.label
    assert f"Rendered by {renderer} from report/report.qmd" in parser.visible
    if not expected.quarto:
        assert render.GET_QUARTO in parser.visible
    parameters = next(c for c in notebook.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert str(ci_results) in parameters.source


@pytest.mark.slow
def test_no_output_would_make_quarto_load_scripts_from_a_cdn(rendered):
    """Quarto adds require.js and jQuery from a CDN when any output holds text/html or
    application/javascript (it takes them for JavaScript widgets); the report's outputs
    are Markdown, PNG and plain text only, and label every figure and table."""
    _, notebook, _ = rendered
    kinds, labels = set(), []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            kinds.update(output.get("data", {}))
            exhibit = output.get("metadata", {}).get(EXHIBIT_KEY)
            if exhibit:
                labels.append(exhibit["label"])
    assert kinds <= {"text/markdown", "text/plain", "image/png"}, kinds
    assert len(labels) == len(set(labels)) >= 20
    assert "fig-dataset" in labels and "tbl-exhibits" in labels


def test_the_page_links_the_repository_and_the_tutorials_reproduction_where_its_address_is_known():
    from spiralbench.report import provenance as where
    known = where.where_to_read({"repository": "https://example.org/me/spiralbench"})
    assert "[https://example.org/me/spiralbench](https://example.org/me/spiralbench)" in known
    assert "(https://example.org/me/spiralbench/tree/HEAD/tests/tutorial_page)" in known
    unknown = where.where_to_read({"repository": "not recorded (no git remote named origin; ...)"})
    assert "](" not in unknown and "`tests/tutorial_page/`" in unknown and "`repository_url`" in unknown


def test_the_accuracy_tables_red_rows_are_explained_only_when_a_run_diverged():
    from spiralbench.report import wording

    runs = pd.DataFrame({"status": ["ok", "ok", "ok"]})
    assert wording.diverged_rows(runs) == "None of the 3 runs diverged, so no row is marked."
    runs.loc[1, "status"] = "diverged"
    assert wording.diverged_rows(runs) == "Rows in red had runs that diverged (1 of 3 runs)."
