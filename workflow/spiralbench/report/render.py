"""The report pipeline: report.qmd -> notebook -> executed (papermill) -> one HTML page.

The page is made by Quarto when ``quarto`` is on PATH, otherwise by nbconvert;
either way from the same executed notebook, so the content is the same. The
renderer is chosen before execution and passed in as a parameter, so that the
page's footer can say which one made it.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import yaml

from . import html, quarto
from .execute import execute
from .provenance import collect_provenance
from .qmd import read_qmd

HTML_NAME = "report.html"
NOTEBOOK_NAME = "report.ipynb"
CONFIG_NAME = "config.yaml"


@dataclass(frozen=True)
class Renderer:
    name: str  # "quarto" or "nbconvert"
    label: str  # what the footer prints
    executable: str | None = None


def choose_renderer() -> Renderer:
    """Quarto if it is installed, nbconvert otherwise."""
    executable = quarto.quarto_executable()
    if executable:
        return Renderer("quarto", f"Quarto {quarto.quarto_version(executable)}", executable)
    return Renderer("nbconvert", f"nbconvert {version('nbconvert')} (Quarto is not installed)")


def render_report(
    qmd: Path,
    results_dir: Path,
    config: Path | dict,
    output_dir: Path,
    quarto_yml: Path | None = None,
    renderer: Renderer | None = None,
) -> Path:
    """Execute the report on ``results_dir`` and write ``report.ipynb`` and ``report.html`` to ``output_dir``.

    ``config`` is the config the results were made with: a YAML file, or the config itself (as the
    workflow holds it, overrides included), which is then written to ``output_dir/config.yaml`` for
    the report to read. Returns the page's path. ``quarto_yml`` defaults to ``_quarto.yml`` beside the ``.qmd``.
    """
    qmd, results_dir, output_dir = (Path(p).resolve() for p in (qmd, results_dir, output_dir))
    quarto_yml = Path(quarto_yml).resolve() if quarto_yml else qmd.parent / "_quarto.yml"
    output_dir.mkdir(parents=True, exist_ok=True)
    if isinstance(config, dict):
        config_path = output_dir / CONFIG_NAME
        config_path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    else:
        config_path = Path(config).resolve()
    for what, path in (("results directory", results_dir), ("config", config_path), ("Quarto options", quarto_yml),
                       ("report source", qmd)):
        if not path.exists():
            raise FileNotFoundError(f"report: {what} {path} does not exist")
    renderer = renderer or choose_renderer()

    parameters = {
        "results_dir": str(results_dir),
        "config_path": str(config_path),
        "renderer": renderer.label,
        "provenance": collect_provenance(results_dir, config_path),
    }
    notebook = execute(read_qmd(qmd), output_dir / NOTEBOOK_NAME, parameters, cwd=output_dir)
    page = output_dir / HTML_NAME
    if renderer.name == "quarto":
        return quarto.write_html(notebook, quarto_yml, page, renderer.executable)
    return html.write_html(notebook, quarto_yml, page)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Render the benchmark report from a results directory.")
    parser.add_argument("--qmd", type=Path, default=Path("report/report.qmd"), help="the report source")
    parser.add_argument("--results-dir", type=Path, required=True, help="the workflow's results directory")
    parser.add_argument("--config", type=Path, required=True, help="the config the results were made with")
    parser.add_argument("--output-dir", type=Path, help="where report.html goes (default: RESULTS_DIR/report)")
    args = parser.parse_args(argv)
    output_dir = args.output_dir or args.results_dir / "report"
    page = render_report(args.qmd, args.results_dir, args.config, output_dir)
    print(f"report written to {page}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
