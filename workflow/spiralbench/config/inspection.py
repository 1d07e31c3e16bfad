"""Inspection pairs: the runs of both frameworks whose networks the report looks inside."""
from __future__ import annotations

from .design import FRAMEWORKS, SETTING_KEYS, make_run, setting_slug, sweep_settings, tutorial_setting
from .schema import ConfigError


def inspection_pair(config: dict, name: str) -> dict:
    """``{"seed": int, "neurogebra": run_id, "pytorch": run_id}`` for one entry of ``config["inspection"]``.

    A sweep entry names a seed of ``seeds`` (the first one if it names none, so that a new list of
    seeds on the command line keeps the pair valid) and enough of the setting to pick exactly one
    combination of the grid (keys left out must have a single value in the sweep). A tutorial entry's
    seed is the tutorial's.
    """
    selection = config["inspection"][name]
    key = f"inspection.{name}"
    group = selection["group"]
    seed = selection.get("seed", config["tutorial"]["seed"] if group == "tutorial" else config["seeds"][0])
    if group == "tutorial":
        extra = sorted(set(selection) - {"group", "seed"})
        if extra:
            raise ConfigError(f"{key}: a tutorial entry takes only group and seed, not {', '.join(extra)}")
        if seed != config["tutorial"]["seed"]:
            raise ConfigError(f"{key}.seed: {seed} is not the tutorial's seed; allowed: {config['tutorial']['seed']}")
        settings = {fw: tutorial_setting(config, fw) for fw in FRAMEWORKS}
    else:
        if seed not in config["seeds"]:
            raise ConfigError(f"{key}.seed: {seed} is not one of seeds; allowed: {config['seeds']}")
        absent = [fw for fw in FRAMEWORKS if fw not in config["frameworks"]]
        if absent:
            raise ConfigError(f"{key}: a sweep pair needs both frameworks, but frameworks lacks {', '.join(absent)}")
        matches = [
            setting
            for setting in sweep_settings(config)
            if all(setting[k] == selection[k] for k in SETTING_KEYS if k in selection)
        ]
        if len(matches) != 1:
            found = "no setting" if not matches else f"{len(matches)} settings ({', '.join(map(setting_slug, matches))})"
            raise ConfigError(
                f"{key}: selects {found} of the sweep; it must select exactly one "
                f"(give values of {', '.join(SETTING_KEYS)} that are in the sweep)"
            )
        settings = {fw: matches[0] for fw in FRAMEWORKS}
    n_classes = config["data"]["n_classes"]
    return {
        "seed": seed,
        **{fw: make_run(group, fw, settings[fw], seed, n_classes)["run_id"] for fw in FRAMEWORKS},
    }


def inspection_pairs(config: dict) -> dict[str, dict]:
    """Every inspection pair, by name (sorted)."""
    return {name: inspection_pair(config, name) for name in sorted(config["inspection"])}
