"""The timing findings as one long table, ``timing/findings.csv``: every speed number and speed verdict
the report states, beside the timings they come from (never in the manifest: timing is not deterministic)."""
from __future__ import annotations

import pandas as pd

from spiralbench.findings import guidance, speed as sp

COLUMNS = ["finding", "value"]


def timing_findings(speed: pd.DataFrame, run_timing: pd.DataFrame, page_width: int, epochs: int) -> pd.DataFrame:
    facts = sp.speed_facts(speed, page_width)
    width = facts["width"]
    rows = [
        (f"scalar engine / PyTorch time at width {width}", facts["ratio"]),
        (f"scalar engine / PyTorch time at width {width}, interval", _interval(facts["ratio_low"], facts["ratio_high"])),
    ]
    # The tensor engine against PyTorch, in every precision, at every width: the speed-up, its interval and
    # the verdict drawn from it (none where the interval straddles a bound or the machine was disturbed).
    for precision in sorted(set(speed["precision"])):
        for r in sp.ratio_verdicts(speed, "torch", "tensor", precision).itertuples():
            name = f"tensor engine speed-up over PyTorch in {precision} at width {r.hidden_width}"
            rows += [(name, r.ratio), (f"{name}, interval", _interval(r.low, r.high)),
                     (f"{name}, verdict on the tensor engine", r.verdict)]
    rows.append(("PyTorch faster than the tensor engine (float64) from width",
                 facts["crossover"] or "not within the widths timed"))
    rows.append(("cells the machine disturbed (no verdict drawn from them)",
                 "; ".join(f"{name} {precision} width {w}" for name, precision, w in facts["unstable"]) or "none"))
    for key in ("scalar_growth", "tensor_growth"):  # each fitted over the widths all its implementations share
        growth = facts[key]
        names = [name for name in growth if name != "widths"]
        span = f"widths {growth['widths'][0]}-{growth['widths'][-1]}" if growth["widths"] else "no common widths"
        rows += [(f"growth exponent of {name}, fitted beside {' and '.join(names)} over {span}", growth[name])
                 for name in names]
    rows += [(f"tensor engine / numpy floor time in {row.precision} at width {row.hidden_width}", row.floor_ratio)
             for row in sp.floor_distance(speed).itertuples()]
    speedups = sp.precision_speedups(speed)
    rows += [(f"float32 faster than float64 (interval above {sp.CLEAR_SPEEDUP}x) in {name} from width",
              sp.float32_faster_from(speedups, name) or "not at the largest width timed")
             for name in speedups["implementation"].unique()]
    rows += [(f"float32 against float64 in {r.implementation} at width {r.hidden_width}, verdict", r.verdict)
             for r in speedups.itertuples()]
    runs = sp.run_speedup(run_timing)
    rows.append(("sweep runs: neurogebra's speed-up over PyTorch, median over (setting, seed) pairs", runs["median"]))
    rows.append((f"when to use each: {guidance.COURSE}", guidance.course_verdict(facts, epochs)))
    rows += [(f"when to use each: {scenario}", guidance.at_scale_verdict(facts)) for scenario in guidance.AT_SCALE]
    return pd.DataFrame(rows, columns=COLUMNS)


def _interval(low: float, high: float) -> str:
    return f"{low:.3g}-{high:.3g}"
