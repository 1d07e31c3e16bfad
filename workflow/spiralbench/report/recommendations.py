"""Section 11's table, "When to use each": the page's answers beside those of ``findings.guidance``,
each with the measurement it rests on, worded here."""
from __future__ import annotations

import numpy as np
import pandas as pd

from spiralbench.findings import code_size, conditions, engines, guidance
from spiralbench.findings.effects import effect_verdict, equivalence_margin
from spiralbench.findings import speed as sp

from .document import Table
from .results import Results
from .wording import compared_speed, controlled_setting, means_at, minutes_text, plural, setting_tests


def reasons(results: Results, facts: dict) -> dict[str, str]:
    """The measurement behind each answer."""
    controlled = engines.controlled_agreement(results.table("controlled"))
    total = code_size.totals(results.table("complexity"))
    epochs = results.config["tutorial"]["epochs"]
    same_math = (f"with the same weights and batches, at {controlled_setting(results.config['controlled'])}, it "
                 f"computes PyTorch's losses to within {controlled['max_abs_diff']:.1e} over {controlled['epochs']} epochs")
    at_scale = measured_speed(facts, results.config["speed"])
    effects = results.table("effects")
    same = conditions.sameness(effects, "framework", equivalence_margin(results.config))
    verdict = effect_verdict(effects, "framework")
    framework = means_at(verdict["pooled"], "framework", sep=", ")
    holm = {"none": "no level differs after Holm's correction",
            "same": f"every level favours {verdict['side']} after Holm's correction",
            "partial": "only some levels differ after Holm's correction, so the initial weights or the precision decide",
            "opposite": "the levels favour different sides"}[verdict["kind"]]
    return {
        "Learning ML concepts": f"every component is code in plain sight ({int(total['neurogebra_lines'])} lines "
                                f"measured, against {int(total['pytorch_lines'])} with PyTorch), and {same_math}",
        "Understanding backprop": f"each gradient is a `Value.grad` you can print; {same_math}",
        "Course assignments": f"the page's {epochs} epochs take {minutes_text(epochs * facts['neurogebra_seconds'])} "
                              f"with its scalar engine at hidden width {facts['width']} (the budget: "
                              f"{minutes_text(guidance.COURSE_BUDGET_SECONDS)})",
        "Research prototyping": f"{at_scale}; PyTorch's layers, losses and optimizers are ready-made",
        # Not answered: the speed job times networks of at most the largest width, on one thread, on one CPU.
        "Production ML systems": "no table of this benchmark measures what production asks (serving, hardware "
                                 "beyond one CPU thread, reliability); neurogebra computes on the CPU only",
        "Large-scale training": f"no table of this benchmark measures it: the speed job times 2-w-w-3 networks of "
                                f"width at most {facts['largest_width']} on {_threads(results.config['speed'])} of one "
                                "CPU, which says nothing of networks, data, threads or devices at scale",
        "GPU acceleration": "no table of this benchmark measures it (it runs on CPUs); neurogebra has no device "
                            "support, PyTorch runs on GPUs",
        "Pre-trained models": "no table of this benchmark measures it; neurogebra has no model hub or pretrained "
                              "weights, PyTorch's ecosystem has",
        guidance.ACCURACY: f"neurogebra − PyTorch at matched initialisation and precision: {framework} "
                           f"({holm}); the equivalence test at ±{100 * same['margin']:.2f} pp passes at "
                           f"{same['levels_equivalent']} of {same['levels']} levels and {same['settings_equivalent']} "
                           f"of {setting_tests(effects, 'framework')}",
    }


def _threads(setup: dict) -> str:
    return f"{setup['threads']} thread{'s' if setup['threads'] != 1 else ''}"


def measured_speed(facts: dict, setup: dict) -> str:
    """What the speed job measured of the tensor engine against PyTorch, in every precision, and no more:
    'on 1 thread, at width 1024 (the largest timed): in float32, about as fast as PyTorch (...); in float64,
    ...'; the answer says 'depends on precision' when the two disagree."""
    parts = [f"in {precision}, {compared_speed(a['speedup'], a['low'], a['high'], a['verdict'])}"
             for precision, a in facts["largest_by_precision"].items()]
    growth = facts["tensor_growth"]
    text = (f"on {_threads(setup)}, at width {facts['largest_width']} (the largest timed), neurogebra's tensor engine "
            "against PyTorch: " + "; ".join(parts))
    if facts["crossover"]:
        text += f" (in float64, PyTorch is shown faster from width {facts['crossover']} on)"
    if growth["widths"]:
        text += (f"; from width {growth['widths'][0]} to {growth['widths'][-1]} its time per epoch grows like "
                 f"width^{growth['tensor']:.1f} against PyTorch's width^{growth['torch']:.1f}")
    return text


def when_to_use(results: Results) -> Table:
    facts = sp.speed_facts(results.table("speed"), results.config["tutorial"]["hidden_sizes"][0])
    verdicts = guidance.scenario_verdicts(results.table("effects"), results.table("controlled"), facts,
                                          results.config["tutorial"]["epochs"], equivalence_margin(results.config))
    page = guidance.page_says() | {guidance.ACCURACY: guidance.page_accuracy_claim(results.table("runs"))}
    because = reasons(results, facts)
    rows = [{"scenario": scenario, "the page says": page[scenario], "the evidence says": verdict,
             "because": because[scenario]} for scenario, verdict in verdicts.items()]
    classes = ["" if row["the page says"] == row["the evidence says"] else "sb-changed" for row in rows]
    sources = [results.path_of(name) for name in ("speed", "controlled", "complexity", "effects", "runs")]
    return Table(pd.DataFrame(rows), sources, text_columns=("scenario", "the page says", "the evidence says", "because"),
                 row_classes=classes, wrap_columns=("because",))


def _lower(scenario: str) -> str:
    """A scenario inside a sentence: lower-case unless it starts with an acronym ('GPU acceleration')."""
    return scenario if scenario[1:2].isupper() else scenario[0].lower() + scenario[1:]


def summary(table: Table) -> str:
    """The table in one sentence: which library the evidence supports for which scenarios."""
    groups = []
    for verdict, rows in table.frame.groupby("the evidence says", sort=False):
        scenarios = ", ".join(map(_lower, rows["scenario"]))
        groups.append({"either": f"either library for {scenarios}",
                       guidance.UNDECIDED: f"neither library shown better, nor the two shown the same, for {scenarios}",
                       guidance.NOT_MEASURED_VERDICT: f"no answer for {scenarios} (not measured here)",
                       guidance.DEPENDS_ON_PRECISION: f"neither library for {scenarios} in every precision (the "
                                                      "answer depends on the precision)"}
                      .get(verdict, f"{verdict} for {scenarios}"))
    return f"The evidence supports {'; '.join(groups)}. " + changed_rows(table)


def changed_rows(table: Table) -> str:
    """How many of the page's own rows the evidence changes, counted over the rows the page's table has: a row
    added here (accuracy) is the report's, its 'page says' read off the page's one run, so it is said apart."""
    frame = table.frame
    on_page = frame["scenario"].isin(guidance.page_says()).to_numpy()
    changed = np.array([c == "sb-changed" for c in table.row_classes or [""] * len(frame)])
    text = (f"Of the {int(on_page.sum())} rows of the page's table, it changes {int((changed & on_page).sum())} "
            "from what the page says")
    added = [_lower(row["scenario"]) + (f", where the page's one run favours {row['the page says']}"
                                        if row.get("the page says", "either") != "either" else "")
             for _, row in frame[~on_page].iterrows()]
    return text + (f"; it adds {plural(len(added), 'row')} the page's table does not have: {'; '.join(added)}."
                   if added else ".")
