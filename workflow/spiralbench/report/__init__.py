"""The benchmark report: ``report/report.qmd`` rendered from a results directory.

``render`` is the pipeline (qmd -> notebook -> papermill -> Quarto, or nbconvert's plain page);
the other modules are what the report's cells call, so that each cell stays a
few lines: ``results`` reads the result files and the figures the workflow drew
(``spiralbench.figures``), ``spiralbench.findings`` computes every fact and verdict, ``wording`` words
them, ``tables`` formats them, ``recommendations`` sets the "when to use each" table, and ``document``
shows them as Quarto markdown, labelled and captioned with the files they came from.
"""

from .document import ReportDocument
from .results import Results


def open_report(results_dir, config_path, renderer: str, quarto: bool = True) -> tuple[ReportDocument, Results]:
    """What the report's first cell needs: the document (its outputs written for Quarto, or for the plain
    page) and the results."""
    return ReportDocument(renderer=renderer, quarto=quarto), Results(results_dir, config_path)
