"""Every fact and verdict the report states, computed from the result tables alone.

numpy, pandas, scipy and statsmodels only: no plotting, no notebook, no neurogebra, no re-validation
of the config. One module per topic:

- ``effects``: each paired effect's verdict (Holm), the precisions' equivalence (TOST), the metric the
  verdicts use (``VERDICT_METRIC``);
- ``conditions``: what a conclusion holds under, each by a stated rule: the optimizer that carries a
  pooled effect, the settings still improving at their last epochs, the runs that end at chance, the
  settings where rounding alone moves a run, what a pair shares, the equivalence test per setting;
- ``page_gap``: the page's single-seed gap split into optimizer, framework, precision, initialisation
  and chance, and its largest part;
- ``speed``: speed ratios, crossovers, growth exponents over a common range of widths, the tensor
  engine's distance to the numpy floor per precision (timing: never a deterministic verdict);
- ``engines``: which engine trained what, and the controlled run's agreement;
- ``code_size``: lines of code against the page's claims, and the claim furthest off;
- ``guidance``: "when to use each", answered from the above;
- ``settings``: the sweep's settings and the ones the report follows;
- ``verdicts``: the deterministic verdicts as ``tables/verdicts.csv``.

The report words these findings (``spiralbench.report.wording``); it computes none of them.
"""
