"""Comparing a workflow run of the small config with its committed manifest (report/published/ci/).

Shared by test_reproducibility, test_faults and test_cluster: each runs the small config in its own
way and must end with exactly the published bytes.
"""
from __future__ import annotations

from pathlib import Path

from conftest import REPO
from spiralbench import manifest, reproduction

CI_PUBLISHED = REPO / "report" / "published" / "ci"
# What to type when a change of the numbers is intended (then commit report/published/ci/).
REPUBLISH_CI = "snakemake --cores 4 --configfile config/ci.yaml --forceall publish_manifest"


def assert_reproduces_ci_manifest(results_dir: Path) -> None:
    manifest_path = CI_PUBLISHED / manifest.MANIFEST_NAME
    assert manifest_path.is_file(), f"{manifest_path} is missing; create it with: {REPUBLISH_CI}"
    matched, table = reproduction.check(results_dir, CI_PUBLISHED, show_matched=False)
    assert matched, (
        f"the deterministic outputs in {results_dir} differ from {manifest_path}:\n{table}"
        f"if the change is intended, republish with `{REPUBLISH_CI}` and commit {CI_PUBLISHED.relative_to(REPO)}/"
    )
