"""Does the distributions level separate a faithful rerun from a real change? Measured, not argued.

Every sweep run of a config is trained in-process (the workflow's own ``train_run``) once per variant:

- ``pinned``: the reference, under the numeric pins, as the workflow runs;
- faithful reruns on this machine's other code paths (``numeric_platform.code_paths``: the pins off,
  the libraries' AVX-512 kernels where the CPU has them, their generic SSE ones), whose runs differ
  from the reference in the last bits and, where training is chaotic, far more;
- real changes, each small enough to hide in one run's noise: every learning rate 10% higher; Adam's
  β₂ 0.99 instead of 0.999 (both frameworks); one seed's split with one training point's label changed.

Each variant is compared with the reference as the check compares a rerun with the published run
(``spiralbench.distributions``: the inputs' summaries, then the runs' distributions). A faithful rerun
must pass; a real change must fail, and the first difference must name it.

    python -m spiralbench.level_experiment --configfile config/config.yaml --cores 2 --out FILE.csv
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd

from spiralbench import distributions, numeric_platform

ALTERED_SEED_INDEX = 3  # the split altered is that of the config's fourth seed
VARIANTS = {
    "pinned": "the reference: the workflow's runs under the pins",
    "avx512": "faithful: the pins off, the libraries' AVX-512 kernels (numpy, OpenBLAS SkylakeX, MKL AUTO, ATen AVX-512)",
    "generic": "faithful: the pins off, the libraries' generic kernels (SSE: numpy, OpenBLAS Nehalem, MKL SSE4_2, ATen default)",
    "learning-rate": "changed: every learning rate 10% higher",
    "adam-beta2": "changed: Adam's beta2 0.99 instead of 0.999, in both frameworks",
    "split": "changed: one training point's label in one seed's split",
}
FAITHFUL = ("avx512", "generic")


def variant_environment(name: str) -> dict:
    import os
    environ = dict(os.environ)
    if name in FAITHFUL:
        return numeric_platform.environment_with(numeric_platform.CODE_PATHS[name], environ)
    numeric_platform.pin_environment(environ)
    return environ


def change(name: str) -> None:
    """Make this process's training differ as the variant says (learning rate and split: in ``train``)."""
    if name == "adam-beta2":
        from neurogebra.optim import Adam

        from spiralbench.frameworks import neurogebra_train, torch_train
        torch_train.OPTIMIZER_OPTIONS["adam"] = {**torch_train.OPTIMIZER_OPTIONS["adam"], "betas": (0.9, 0.99)}
        neurogebra_train.OPTIMIZERS["adam"] = lambda params, lr: Adam(params, lr=lr, betas=(0.9, 0.99))


def train(config: dict, name: str, folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every sweep run of ``config`` under variant ``name``: its runs table and its inputs' summaries."""
    from spiralbench.config import load_config, runs
    from spiralbench.data import make_fresh_sample, make_split, save_fresh_sample, save_split
    from spiralbench.training import train_run

    config = load_config(config)
    change(name)
    data, seeds = config["data"], config["seeds"]
    altered = seeds[min(ALTERED_SEED_INDEX, len(seeds) - 1)] if name == "split" else None

    def split_of(seed):
        split = make_split(seed, **data)
        if seed == altered:
            split.y_train[0] = (split.y_train[0] + 1) % data["n_classes"]
        return split

    fresh = {seed: make_fresh_sample(seed, config["fresh_sample"]["n_per_class"], data["n_classes"], data["noise"])
             for seed in seeds}
    names = []
    for seed in seeds:
        save_split(folder / f"data/seed{seed}.npz", split_of(seed))
        save_fresh_sample(folder / f"data/seed{seed}_fresh.npz", *fresh[seed])
        names += [f"data/seed{seed}.npz", f"data/seed{seed}_fresh.npz"]
    rows = []
    for run in (run for run in runs(config) if run["group"] == "sweep"):
        trained = {**run, "learning_rate": run["learning_rate"] * 1.1} if name == "learning-rate" else run
        metrics = train_run(trained, split_of(run["seed"]), fresh_sample=fresh[run["seed"]]).metrics()
        rows.append({"run_id": run["run_id"], **{key: run[key] for key in distributions.IDENTITY}, "seed": run["seed"],
                     **{key: metrics[key] for key in ("status", "final_loss", "train_accuracy", "test_accuracy",
                                                      "fresh_accuracy")}})
    return pd.DataFrame(rows), distributions.input_summaries(folder, names)


def compare(reference: tuple[pd.DataFrame, pd.DataFrame], variant: tuple[pd.DataFrame, pd.DataFrame],
            folder: Path) -> dict:
    """The check's verdict on a variant against the reference: passes, and the first difference named."""
    (runs_ref, inputs_ref), (runs_var, _) = reference, variant
    for name in sorted(set(inputs_ref["file"])):
        moved = distributions.input_difference(inputs_ref.astype(str).replace("nan", ""), folder, name)
        if moved:
            return {"passes": False, "tests_failing": None, "first_difference": f"{name}: {moved}"}
    table = distributions.tests(runs_ref, runs_var)
    failed = distributions.failing(table)
    first = "" if failed.empty else str(distributions.Difference(
        f"{failed.iloc[0]['setting']} {failed.iloc[0]['framework']}", failed.iloc[0]["metric"],
        int(failed.iloc[0]["seeds"]), failed.iloc[0]["mean_difference"], failed.iloc[0]["p_holm"]))
    return {"passes": failed.empty, "tests_failing": f"{len(failed)} of {len(table)}", "first_difference": first}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m spiralbench.level_experiment", description=__doc__.split("\n")[0])
    parser.add_argument("--configfile", type=Path, default=Path("config/config.yaml"))
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--variants", nargs="+", choices=[name for name in VARIANTS if name != "pinned"],
                        help="only these (default: all; the pinned reference is always trained)")
    parser.add_argument("--variant", choices=list(VARIANTS), help=argparse.SUPPRESS)  # one variant, in a worker
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.variant:
        runs_table, inputs = train(args.configfile, args.variant, args.folder)
        runs_table.to_csv(args.folder / "runs.csv", index=False)
        inputs.to_csv(args.folder / "inputs.csv", index=False, float_format="%.17g")
        return 0
    import subprocess

    names = [name for name in VARIANTS if (name == "pinned" or not args.variants or name in args.variants)
             and (name != "avx512" or numeric_platform.isa_level() == "x86-64-v4")]
    with tempfile.TemporaryDirectory() as top:
        folders = {name: Path(top) / name for name in names}

        def run(name):
            (folders[name] / "data").mkdir(parents=True)
            command = [sys.executable, "-m", "spiralbench.level_experiment", "--configfile", str(args.configfile),
                       "--out", str(args.out), "--variant", name, "--folder", str(folders[name])]
            subprocess.run(command, env=variant_environment(name), check=True)
            print(f"{name}: trained", flush=True)

        with ThreadPoolExecutor(args.cores) as pool:
            list(pool.map(run, names))
        read = {name: (pd.read_csv(folders[name] / "runs.csv", keep_default_na=False, na_values=[""]),
                       pd.read_csv(folders[name] / "inputs.csv", keep_default_na=False, dtype=str))
                for name in names}
        rows = [{"variant": name, "what": VARIANTS[name],
                 "runs_differing_from_reference": int((read[name][0][["final_loss", "test_accuracy"]].astype(str)
                                                       != read["pinned"][0][["final_loss", "test_accuracy"]].astype(str))
                                                      .any(axis=1).sum()),
                 **compare(read["pinned"], read[name], folders[name])}
                for name in names if name != "pinned"]
    table = pd.DataFrame(rows)
    table.to_csv(args.out, index=False, lineterminator="\n")
    print(table.to_string(index=False))
    expected = table["variant"].isin(FAITHFUL) == table["passes"]
    return 0 if expected.all() else 1


if __name__ == "__main__":
    sys.exit(main())
