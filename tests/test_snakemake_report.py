"""Snakemake's own report (`snakemake --report snakemake-report.html`) of the session's small-config run
(``ci_results``, see conftest.py): the outputs tagged with ``report(...)`` in workflow/rules/, under
their categories with their captions (workflow/report/*.rst), the benchmark's report embedded and
linked from the workflow description, the rule graph and every job's runtime.

The report is one HTML page whose data sits in JavaScript variables (``var results = {...};``, one per
line); the test reads them as JSON.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest
import yaml

from conftest import CI_CONFIG, run_workflow

pytestmark = pytest.mark.slow

# What workflow/rules/ tags: category -> subcategory -> file names.
TAGGED = {
    "Benchmark report": {"Other": ["report.html"]},
    # One per figure of the report: the ci config inspects the pairs 'matched' and 'tutorial'.
    "Figures": {"Other": sorted(f"{name}.png" for name in (
        "dataset", "splits", "training", "sensitivity", "run-accuracies", "effects", "controlled", "complexity",
        "speed", "boundaries-matched", "boundaries-tutorial", "neuron-maps"))},
    "Tables": {
        "Training runs": ["epochs.csv", "runs.csv", "summary.csv"],
        "Controlled comparison": ["controlled.csv", "engine_agreement.csv"],
        "Paired effects": ["effects.csv", "verdicts.csv"],
    },
    "Timing": {"Other": ["speed.csv"]},
}
DATA = ("workflow_desc", "results", "categories", "rulegraph_spec", "runtimes_spec", "rules")
RULES = ["split", "train_sweep_neurogebra", "train_sweep_pytorch", "train_engine_check_neurogebra",
         "collect_tables", "engine_agreement", "effects", "controlled", "speed", "figures", "report"]


@pytest.fixture(scope="module")
def report_page(ci_results, tmp_path_factory) -> Path:
    page = tmp_path_factory.mktemp("snakemake-report") / "snakemake-report.html"
    done = run_workflow(ci_results, extra=("--report", str(page)))
    assert done.returncode == 0, done.stderr[-3000:]
    return page


@pytest.fixture(scope="module")
def report_data(report_page) -> dict:
    """The report's data variables, parsed (the bundled libraries before them declare variables too)."""
    variables = {}
    for line in report_page.read_text(encoding="utf-8").splitlines():
        match = re.fullmatch(rf"\s*var ({'|'.join(DATA)}) = (.*);", line)
        if match:
            try:
                variables[match.group(1)] = json.loads(match.group(2))
            except json.JSONDecodeError:
                continue  # a library's variable of the same name
    assert set(variables) == set(DATA)
    return variables


def by_name(results: dict) -> dict:
    return {entry["name"]: entry for entry in results.values()}


def decoded(data_uri: str) -> bytes:
    return base64.b64decode(data_uri.split(",", 1)[1])


def test_tagged_outputs_are_in_their_categories(report_data, ci_results):
    results = report_data["results"]
    categories = {
        category: {subcategory: sorted(Path(path).name for path in paths) for subcategory, paths in subs.items()}
        for category, subs in report_data["categories"].items()
    }
    assert categories == TAGGED
    for path in results:
        assert Path(path).is_relative_to(ci_results)


def test_captions_and_labels(report_data):
    results = by_name(report_data["results"])
    assert results["runs.csv"]["labels"] == {"table": "runs", "rows": "one per run"}
    assert results["controlled.csv"]["caption"].startswith("<p>The controlled comparison: neurogebra's scalar")
    assert "Holm" in results["effects.csv"]["caption"]
    assert "Seconds per epoch" in results["speed.csv"]["caption"]
    assert "self-contained HTML page" in results["report.html"]["caption"]
    assert results["speed.png"]["labels"] == {"figure": "speed"}
    assert "figures/speed.png" in results["speed.png"]["caption"]  # the caption's template, filled in per figure
    # The caption's template is filled in from the run's config.
    seeds = yaml.safe_load(CI_CONFIG.read_text())["seeds"]
    assert f"over the {len(seeds)} seeds" in results["summary.csv"]["caption"]
    for name, entry in results.items():
        assert entry["caption"].strip(), name
        assert "System Message" not in entry["caption"], entry["caption"]  # docutils' own errors


def test_the_benchmark_report_is_embedded_whole(report_data, ci_results):
    page = by_name(report_data["results"])["report.html"]
    assert page["mime_type"] == "text/html"  # shown in the report's own viewer
    assert decoded(page["data_uri"]) == (ci_results / "report" / "report.html").read_bytes()
    runs = by_name(report_data["results"])["runs.csv"]
    assert decoded(runs["data_uri"]) == (ci_results / "tables" / "runs.csv").read_bytes()


def test_workflow_description_links_the_benchmark_report(report_data, ci_results):
    description = report_data["workflow_desc"]
    report_html = ci_results / "report" / "report.html"
    assert f"javascript:app.showResultInfo('{report_html}')" in description
    assert "Tables" in description and "Statistics" in description
    seeds = yaml.safe_load(CI_CONFIG.read_text())["seeds"]
    assert ", ".join(map(str, seeds)) in description
    assert "System Message" not in description


def test_rule_graph_runtimes_and_provenance(report_data):
    (nodes,) = [data["values"] for data in report_data["rulegraph_spec"]["data"] if data["name"] == "node-data"]
    graph_rules = {node["rule"] for node in nodes}
    assert set(RULES) <= graph_rules
    runtime_rules = {row["rule"] for row in report_data["runtimes_spec"]["data"]["values"]}
    assert set(RULES) <= runtime_rules
    assert set(RULES) <= set(report_data["rules"])  # each rule's code, input and output
