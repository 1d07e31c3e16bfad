"""The tutorial page's code, one file per step, run like a notebook.

Each ``stepN_*.py`` file holds the code blocks of one step of
``project3-neural-network-from-scratch``, re-indented and otherwise exactly as
the page writes them. ``run_page`` executes a chosen sequence of steps in one
shared namespace, so later steps see the variables of earlier ones (``X_train``,
``nn_neuro``, ``neuro_history``, ...), and returns that namespace.

Figures are drawn with matplotlib's non-interactive Agg backend and
``plt.show`` does nothing, so the page runs headless; every figure is closed
afterwards.

Example::

    namespace = run_page([1, 2, 3, 4], replacements={"epochs = 30": "epochs = 2"})
    namespace["neuro_history"]["loss"]
    run_page([6], namespace=namespace)["neuro_test_acc"]
"""

from pathlib import Path

import matplotlib

PAGE_DIR = Path(__file__).resolve().parent

STEP_FILES = {
    1: "step1_data.py",
    2: "step2_networks.py",
    3: "step3_loss.py",
    4: "step4_training.py",
    5: "step5_curves.py",
    6: "step6_evaluation.py",
    7: "step7_boundaries.py",
    8: "step8_inspection.py",
}


def step_source(step):
    """The page's code for one step (1-8), as text."""
    if step not in STEP_FILES:
        raise ValueError(f"unknown tutorial step {step!r}; the page has steps {sorted(STEP_FILES)}")
    return (PAGE_DIR / STEP_FILES[step]).read_text(encoding="utf-8")


def run_page(steps, replacements=None, namespace=None):
    """Execute the page's ``steps`` in order in one namespace and return it.

    ``namespace`` continues an earlier run (its variables are visible, and the
    steps write into it), like running further cells of the same notebook.

    ``replacements`` maps exact text of the page to the text to run instead
    (every occurrence in the chosen steps), e.g. ``{"epochs = 30": "epochs = 2"}``
    to keep a test quick. A replacement whose text appears in none of the
    chosen steps raises ``ValueError``: a typo must not silently run the page
    unchanged.
    """
    steps = list(steps)
    sources = {step: step_source(step) for step in steps}

    for old, new in (replacements or {}).items():
        found = [step for step in steps if old in sources[step]]
        if not found:
            raise ValueError(f"replacement text {old!r} does not occur in tutorial steps {steps}")
        for step in found:
            sources[step] = sources[step].replace(old, new)

    # Selecting the backend before pyplot is imported (by the page or anyone
    # else) keeps the run headless; force=True covers an already-imported pyplot.
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    if namespace is None:
        namespace = {"__name__": "__tutorial_page__"}
    original_show = plt.show
    plt.show = lambda *args, **kwargs: None
    try:
        for step in steps:
            # Compiling against the real file name makes tracebacks point at the page's line.
            code = compile(sources[step], str(PAGE_DIR / STEP_FILES[step]), "exec")
            exec(code, namespace)
    finally:
        plt.show = original_show
        plt.close("all")
    return namespace
