"""What a finished run says: the report's path, its renderer, the wall time and the check's command;
not the inputs of `rule all`."""
from __future__ import annotations

import logging

import nbformat
import pytest

from spiralbench import run_end


def _report(results_dir, renderer):
    (results_dir / "report").mkdir(parents=True)
    (results_dir / "report" / "report.html").write_text("<html></html>")
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["spiralbench"] = {"renderer": renderer}
    nbformat.write(notebook, results_dir / "report" / "report.ipynb")


def test_summary_names_the_report_its_renderer_the_time_and_the_check(tmp_path):
    _report(tmp_path, "Quarto 1.10.18")
    text = run_end.summary(tmp_path, 3725.4)
    assert "Done in 62 min 5 s." in text
    assert f"The report: {(tmp_path / 'report' / 'report.html').resolve()} (rendered by Quarto 1.10.18)." in text
    assert "make check" in text and "report/published/manifest.sha256" in text
    assert "quarto.org" not in text


def test_summary_says_how_to_get_quarto_after_a_plain_page_and_the_check_of_another_config(tmp_path):
    _report(tmp_path, "nbconvert 7.17.2")
    text = run_end.summary(tmp_path, 42, "report/published/ci", ["config/ci.yaml"])
    assert "Done in 42 s." in text and "rendered by nbconvert 7.17.2" in text and "https://quarto.org" in text
    assert "snakemake --cores 2 check --configfile config/ci.yaml --config results_dir=results-check" in text
    assert "make check" not in text and "report/published/ci/manifest.sha256" in text


def test_summary_without_a_report_still_says_how_to_check(tmp_path):
    text = run_end.summary(tmp_path, 5)
    assert "The report" not in text and "make check" in text


def test_only_the_listing_of_rule_alls_job_is_hidden():
    hide = run_end.HideJobListing()

    def record(**extra):
        entry = logging.LogRecord("snakemake", logging.INFO, __file__, 1, "message", None, None)
        entry.__dict__.update(extra)
        return entry

    assert not hide.filter(record(event="job_info", rule_name="all"))
    assert hide.filter(record(event="job_info", rule_name="train"))
    assert hide.filter(record(event="job_finished", rule_name="all"))
    assert hide.filter(record())


@pytest.mark.slow
def test_the_workflow_ends_with_the_summary_not_the_inputs_of_rule_all(ci_results, tmp_path):
    from conftest import copy_of, run_workflow

    # The report rendered again (by the renderer installed): a run with a job to do, then the end of it.
    results = copy_of(ci_results, tmp_path)
    finished = run_workflow(results, cores=1, extra=("--forcerun", "report"))
    assert finished.returncode == 0, finished.stderr[-3000:]
    assert f"The report: {(results / 'report' / 'report.html').resolve()} (rendered by " in finished.stderr
    assert "check --configfile" in finished.stderr and "Done in " in finished.stderr
    assert "localrule all" not in finished.stderr and "rule all:" not in finished.stderr
    # The input of `rule all`, every job's tables, is listed nowhere (the report's job reads the tutorial's
    # runs.parquet, but no epochs.parquet).
    assert "epochs.parquet" not in finished.stderr
