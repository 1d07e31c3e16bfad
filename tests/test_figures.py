"""The report's figures (``spiralbench.figures``, rule ``figures``): every figure drawn into its own PNG,
with alternative text and its sources in figures.json, the same bytes when drawn again, and shown by the
report under its name."""

from __future__ import annotations

import json

import pytest

from spiralbench.config import load_config
from spiralbench.figures import ABOUT_FILE, FIGURES_DIR, draw
from spiralbench.figures.style import Chart
from spiralbench.report.results import Results

from conftest import CI_CONFIG, copy_of

pytestmark = pytest.mark.slow

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_every_figure_is_a_png_with_alternative_text_and_its_sources(ci_results):
    about = json.loads((ci_results / ABOUT_FILE).read_text())
    pngs = sorted(path.stem for path in (ci_results / FIGURES_DIR).glob("*.png"))
    assert pngs == sorted(about)
    assert {"dataset", "effects", "speed", "boundaries-tutorial", "boundaries-matched", "neuron-maps"} <= set(about)
    for name, entry in about.items():
        assert (ci_results / FIGURES_DIR / f"{name}.png").read_bytes().startswith(PNG_SIGNATURE), name
        assert len(entry["alt"]) > 40, name  # says what the figure shows, not just its name
        assert entry["sources"] and all((ci_results / source).is_file() for source in entry["sources"]), name
        assert 200 <= entry["width"] <= 1000, name  # CSS pixels: fits the page's text column


def test_figures_drawn_again_are_the_same_bytes(ci_results, tmp_path):
    copy = copy_of(ci_results, tmp_path)
    before = {path.name: path.read_bytes() for path in (copy / FIGURES_DIR).glob("*.png")}
    draw.draw_all(Results(copy, load_config(CI_CONFIG)))
    after = {path.name: path.read_bytes() for path in (copy / FIGURES_DIR).glob("*.png")}
    assert after == before


def test_a_figure_without_alternative_text_is_refused(ci_results, monkeypatch, tmp_path):
    from matplotlib.figure import Figure

    results = Results(ci_results, load_config(CI_CONFIG))
    results.dir = tmp_path  # nothing is written into the session's results
    monkeypatch.setattr(draw, "charts", lambda results: {"blank": lambda: Chart(Figure(), ["tables/runs.csv"], " ")})
    with pytest.raises(ValueError, match="figure blank has no alternative text"):
        draw.draw_all(results)


def test_the_report_shows_a_drawn_figure_under_its_name(ci_results):
    figure = Results(ci_results, load_config(CI_CONFIG)).figure("speed")
    assert figure.path == ci_results / FIGURES_DIR / "speed.png"
    assert figure.sources == ["timing/speed.csv"]
    with pytest.raises(Exception, match="no figure named 'nothing'"):
        Results(ci_results, load_config(CI_CONFIG)).figure("nothing")


def test_the_speed_figure_names_an_unstable_cell_as_the_text_does(ci_results):
    """Its legend and alternative text call a cell without a verdict unstable, as the report's text does,
    and the ratio's axis label fits its panel."""
    from spiralbench.figures.cost import speed_scaling

    chart = speed_scaling(Results(ci_results, load_config(CI_CONFIG)))
    texts = [text.get_text() for legend in chart.figure.legends for text in legend.get_texts()]
    assert "disturbed" not in chart.alt and all("disturbed" not in text for text in texts)
    right = chart.figure.axes[1]
    assert "×" not in right.get_ylabel()
    chart.figure.draw_without_rendering()  # lays the figure out, as saving it does
    label = right.yaxis.label.get_window_extent(chart.figure._get_renderer())
    panel = right.get_window_extent(chart.figure._get_renderer())
    assert panel.y0 <= label.y0 and label.y1 <= panel.y1, "the ratio's axis label is longer than its panel"
