"""The report: its qmd -> notebook conversion, both renderers, its statistics, and the rendered page.

The page test renders the report from the small config's results (the session's
``ci_results`` workflow run) and reads it as a browser would: every section,
every figure embedded, nothing loaded from outside, no error in any output.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
import yaml

from spiralbench.report import evidence, html as html_renderer, quarto, render
from spiralbench.report.execute import hide_injected_parameters
from spiralbench.report.provenance import config_hash
from spiralbench.report.qmd import QmdError, parse_cell_options, qmd_to_notebook, read_qmd

REPO = Path(__file__).resolve().parents[1]
REPORT_QMD = REPO / "report" / "report.qmd"
QUARTO_YML = REPO / "report" / "_quarto.yml"
SECTIONS = [
    "The dataset", "The networks", "Softmax and cross-entropy", "Training", "Evaluation",
    "The comparison made fair", "Decision boundaries", "What the network learned", "Code complexity", "Speed",
    "When to use each", "Provenance",
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


def test_qmd_errors_name_the_problem_and_line():
    with pytest.raises(QmdError, match=r"line 3: code block opened with ``` is never closed"):
        qmd_to_notebook("text\n\n```{python}\nx = 1\n")
    with pytest.raises(QmdError, match=r"line 1: only python chunks can run here, got \{r\}"):
        qmd_to_notebook("```{r}\n1\n```\n")
    with pytest.raises(QmdError, match="front matter opened with '---' on line 1 is never closed"):
        qmd_to_notebook("---\ntitle: x\n")
    with pytest.raises(QmdError, match=r"line 2: cell options are not valid YAML"):
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


def test_nbconvert_page_applies_quarto_cell_options_and_folds_code():
    page = html_renderer.notebook_to_html(_executed_notebook(), QUARTO_YML)
    assert '<h1 class="sb-title">Small</h1>' in page
    assert "<p>the output</p>" in page
    assert "excluded_cell_code" not in page  # include: false
    assert "default_parameter_value" not in page  # echo: false
    assert "injected_parameter_value" not in page  # papermill's cell is hidden like the one it overrides
    assert "dropped output" not in page  # output: false
    assert "shown_code" in page and "visible_code" in page
    assert page.count('<details class="sb-code">') == 2  # code-fold: true in _quarto.yml
    assert "#|" not in page
    assert re.search(r'<nav class="sb-toc">.*href="#1\.-Part"', page)


def test_nbconvert_page_loads_nothing_from_outside():
    page = html_renderer.notebook_to_html(_executed_notebook(), QUARTO_YML)
    assert not re.search(r"""<(script|img|link)[^>]+(src|href)=["']?(https?:)?//""", page)


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
    assert (renderer.name, renderer.label) == ("quarto", "Quarto 9.9.9")

    page = quarto.write_html(_executed_notebook(), QUARTO_YML, tmp_path / "out" / "report.html", renderer.executable)
    assert page.read_text() == "<html>rendered by quarto</html>\n"
    assert (bin_dir / "args").read_text().split("\n")[:-1] == [
        "render", "report.ipynb", "--to", "html", "--output", "report.html"]
    assert (bin_dir / "staged").read_text().split() == ["_quarto.yml", "report.ipynb"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["report.html"]  # staging removed


def test_nbconvert_is_chosen_without_quarto(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    renderer = render.choose_renderer()
    assert renderer.name == "nbconvert" and "Quarto is not installed" in renderer.label


def test_quarto_options_are_valid_for_a_self_contained_page():
    options = yaml.safe_load(QUARTO_YML.read_text())
    html_format = options["format"]["html"]
    assert html_format["embed-resources"] is True
    assert html_format["code-fold"] is True
    assert "execute" not in html_format and options["execute"].get("enabled") is not True


# ---------------------------------------------------------------- statistics


def test_t_interval_matches_the_textbook_values():
    interval = evidence.t_interval([1.0, 2.0, 3.0, float("nan")])
    # mean 2, sample std 1, t(0.975, df=2) = 4.302653 -> half width 4.302653 / sqrt(3) = 2.484138
    assert interval["n"] == 3 and interval["mean"] == 2.0 and interval["std"] == 1.0
    assert interval["high"] - 2.0 == pytest.approx(2.484138, abs=1e-6)
    assert math.isnan(evidence.t_interval([0.5])["std"])


def _runs(rows):
    columns = ["run_id", "group", "framework", "setting", "seed", "optimizer", "learning_rate", "batch_size",
               "epochs", "hidden_sizes", "activation", "status", "test_accuracy"]
    return pd.DataFrame([dict(zip(columns, row)) for row in rows])


def test_paired_differences_pair_by_seed_and_leave_out_diverged_pairs():
    rows = []
    for seed, neuro, torch_, torch_status in [(0, 0.90, 0.80, "ok"), (1, 0.70, 0.75, "ok"), (2, 0.99, 0.10, "diverged")]:
        for framework, accuracy, status in (("neurogebra", neuro, "ok"), ("pytorch", torch_, torch_status)):
            rows.append((f"sweep/{framework}/s/seed{seed}", "sweep", framework, "s", seed, "sgd", 0.05, 16, 30, "16x16",
                         "relu", status, accuracy))
    differences = evidence.paired_differences(_runs(rows))
    row = differences.iloc[0]
    assert (row["n_pairs"], row["n_excluded"]) == (2, 1)
    assert row["mean_difference"] == pytest.approx((0.10 - 0.05) / 2)
    assert row["std_difference"] == pytest.approx(np.std([0.10, -0.05], ddof=1))


def _speed(rows):
    return pd.DataFrame(rows, columns=["implementation", "hidden_width", "repeat", "seconds_per_epoch",
                                       "samples_per_second"])


def test_speed_ratios_are_medians_over_medians_with_quartiles():
    speed = _speed([(name, 8, r, s * scale, 0.0) for name, scale in (("scalar", 10.0), ("tensor", 0.5),
                                                                     ("torch", 1.0), ("numpy", 0.25))
                    for r, s in enumerate([0.1, 0.2, 0.3])])
    row = evidence.speed_by_width(speed).iloc[0]
    assert row["ratio"] == pytest.approx(2.0 / 0.2)  # scalar engine / PyTorch
    assert row["ratio_low"] == pytest.approx(1.5 / 0.25) and row["ratio_high"] == pytest.approx(2.5 / 0.15)
    assert row["tensor_ratio"] == pytest.approx(0.5) and row["floor_ratio"] == pytest.approx(2.0)
    assert row["tensor_ratio_low"] == pytest.approx(0.075 / 0.25)


def test_a_width_without_the_scalar_engine_has_no_scalar_numbers():
    speed = _speed([("tensor", 64, 0, 0.01, 0.0), ("torch", 64, 0, 0.02, 0.0)])
    row = evidence.speed_by_width(speed).iloc[0]
    assert np.isnan(row["scalar_median"]) and np.isnan(row["ratio"]) and row["tensor_ratio"] == pytest.approx(0.5)


def test_growth_exponent_recovers_a_power_law():
    widths = [4, 8, 16, 32]
    speed = _speed([(f, w, 0, c * w ** k, 0.0) for f, c, k in (("scalar", 0.01, 2.0), ("torch", 0.001, 0.5))
                    for w in widths])
    exponents = evidence.growth_exponents(speed)
    assert exponents["scalar"] == pytest.approx(2.0) and exponents["torch"] == pytest.approx(0.5)


@pytest.mark.parametrize("torch_seconds, crossover", [
    ([2.0, 2.0, 2.0, 2.0], None),  # PyTorch never faster
    ([2.0, 2.0, 0.5, 0.5], 64),  # faster from 64 on
    ([2.0, 0.5, 2.0, 0.5], 256),  # a faster width in between does not count: faster from 256 on, to the end
    ([0.5, 0.5, 0.5, 2.0], None),  # not faster at the largest width
])
def test_crossover_is_where_pytorch_stays_faster(torch_seconds, crossover):
    widths = [4, 16, 64, 256]
    medians = pd.DataFrame([("tensor", w, 1.0) for w in widths] + [("torch", w, s) for w, s in zip(widths, torch_seconds)],
                           columns=["implementation", "hidden_width", "seconds_per_epoch"])
    assert evidence.crossover_width(medians) == crossover


def test_speed_conclusion_is_made_from_the_numbers():
    rows = [(name, w, 0, s, 0.0) for w, tensor, torch_ in ((16, 0.001, 0.004), (256, 0.05, 0.02))
            for name, s in (("tensor", tensor), ("torch", torch_), ("numpy", tensor / 2), ("scalar", 0.1))
            if name != "scalar" or w == 16]
    text = evidence.speed_conclusion(_speed(rows), 16)
    assert "4.0× faster than PyTorch" in text and "2.0× the time of the hand-written numpy floor" in text
    assert "100× slower than PyTorch" not in text and "25× slower than PyTorch" in text
    assert "PyTorch overtakes it from width 256 on" in text
    never = evidence.speed_conclusion(_speed([r for r in rows if r[1] == 16]), 16)
    assert "does not overtake it up to width 16" in never


def test_config_hash_ignores_comments_and_layout(tmp_path):
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text("seeds: [1, 2]\ndata: {n_points: 10}\n")
    b.write_text("# a comment\ndata:\n  n_points: 10\nseeds:\n  - 1\n  - 2\n")
    assert config_hash(a) == config_hash(b)
    b.write_text("seeds: [1, 3]\ndata: {n_points: 10}\n")
    assert config_hash(a) != config_hash(b)


# ---------------------------------------------------------------- the rendered page


class _Page(HTMLParser):
    """What a reader meets: headings, images, and anything that would be fetched from elsewhere."""

    def __init__(self):
        super().__init__()
        self.h2, self.images, self.external = [], [], []
        self._in_h2 = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "h2":
            self._in_h2 = True
            self.h2.append("")
        if tag == "img":
            self.images.append(attrs.get("src", ""))
        for key in ("src", "href"):
            value = attrs.get(key) or ""
            if tag in ("img", "script", "link", "iframe") and re.match(r"(https?:)?//", value):
                self.external.append(f"<{tag} {key}={value}>")

    def handle_endtag(self, tag):
        if tag == "h2":
            self._in_h2 = False

    def handle_data(self, data):
        if self._in_h2:
            self.h2[-1] += data


@pytest.fixture(scope="module")
def rendered(ci_results):
    """The page and executed notebook the workflow's report rule wrote for the small config."""
    report_dir = ci_results / "report"
    page = (report_dir / "report.html").read_text(encoding="utf-8")
    notebook = nbformat.read(report_dir / "report.ipynb", as_version=4)
    parser = _Page()
    parser.feed(page)
    return page, notebook, parser


@pytest.mark.slow
def test_page_has_every_section_in_order(rendered):
    _, _, parser = rendered
    headings = [h.replace("¶", "").strip() for h in parser.h2 if re.match(r"\d+\. ", h)]
    assert headings == [f"{number}. {title}" for number, title in enumerate(SECTIONS, start=1)]


@pytest.mark.slow
def test_every_figure_is_an_embedded_image_and_nothing_is_fetched(rendered):
    page, _, parser = rendered
    assert len(parser.images) >= 12
    assert all(src.startswith("data:image/png;base64,") for src in parser.images)
    assert parser.external == []
    # Each figure and table is captioned with the result files it was drawn from.
    assert page.count('class="sb-label">Figure') == len(parser.images)
    assert page.count("Drawn from <code>") >= len(parser.images)


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
    page, notebook, _ = rendered
    runs = pd.read_csv(ci_results / "tables" / "runs.csv")
    diverged = runs.loc[runs["status"] == "diverged", "run_id"]
    assert len(diverged) > 0  # config/ci.yaml keeps a learning rate that must diverge
    for run_id in diverged:
        assert run_id in page
    assert f"{len(diverged)} of {len(runs)} runs diverged" in page
    assert re.search(r'<footer class="sb-footer">Rendered by (nbconvert|Quarto) ', page)
    parameters = next(c for c in notebook.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert str(ci_results) in parameters.source
