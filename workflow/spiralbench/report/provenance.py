"""Where a report's numbers came from: config hash, git commit, the report's own tools' versions, date.

Collected once, when the report is rendered, from the config the workflow ran with (already
validated; hashed by ``spiralbench.config.identity``). The platform the jobs ran on, with the
versions of the numeric libraries, is the workflow's ``platform.json`` (``spiralbench.numeric_platform``),
read by the report itself.
"""

from __future__ import annotations

import datetime
import os
import re
import subprocess
from pathlib import Path

from spiralbench.config import config_sha256
from spiralbench.config.identity import HOW as CONFIG_HASH_HOW
from spiralbench.numeric_platform import package_versions

# The tools that made the report and ran the workflow (the numeric libraries are in platform.json).
TOOLS = ("matplotlib", "sympy", "snakemake", "papermill", "nbconvert")
REPOSITORY = Path(__file__).resolve().parents[3]


def collect_provenance(config: dict) -> dict:
    """The provenance record of a report rendered now from results made with ``config``."""
    return {
        "config_sha256": config_sha256(config),
        "config_sha256_is": CONFIG_HASH_HOW,
        "git_commit": git_commit(REPOSITORY),
        "repository": repository_url(REPOSITORY) or config.get("repository_url", "")
        or "not recorded (no git remote named origin; the config's `repository_url` sets it)",
        "packages": package_versions(TOOLS),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


def git_commit(repository: Path) -> str:
    """HEAD's commit, marked ``(modified)`` when the work tree has uncommitted changes."""
    def git(*args):
        return subprocess.run(["git", "-C", str(repository), *args], capture_output=True, text=True, check=False)

    head = git("rev-parse", "HEAD")
    if head.returncode != 0:
        return "unknown (not a git checkout)"
    dirty = git("status", "--porcelain", "--untracked-files=no").stdout.strip()
    return head.stdout.strip() + (" (modified)" if dirty else "")


def repository_url(repository: Path, environ=os.environ) -> str:
    """The repository's web address: GitHub Actions' own, else the ``origin`` remote's ("" if neither; the
    report then takes the config's ``repository_url``)."""
    if environ.get("GITHUB_SERVER_URL") and environ.get("GITHUB_REPOSITORY"):
        return f"{environ['GITHUB_SERVER_URL']}/{environ['GITHUB_REPOSITORY']}"
    remote = subprocess.run(["git", "-C", str(repository), "remote", "get-url", "origin"], capture_output=True,
                            text=True, check=False).stdout.strip()
    ssh = re.fullmatch(r"git@([^:]+):(.+?)(\.git)?", remote)
    if ssh:
        return f"https://{ssh.group(1)}/{ssh.group(2)}"
    return re.sub(r"\.git$", "", remote) if remote.startswith("https://") else ""



TUTORIAL_DIR = "tests/tutorial_page"
TUTORIAL_SLUG = "project3-neural-network-from-scratch"  # the page's name, as its reproduction records it


def web_address(record: dict) -> str:
    """The repository's web address from a provenance record ("" when none was recorded)."""
    where = str(record.get("repository", ""))
    return where if re.match(r"https?://", where) else ""


def where_to_read(record: dict) -> str:
    """Markdown (CommonMark, which both renderers read) linking the repository, its README and the tutorial's
    reproduction; their paths where the repository's address is not recorded."""
    where = web_address(record)
    if not where:
        return ("How to run everything is in the repository's `README.md`; the tutorial page the benchmark follows "
                f"(`{TUTORIAL_SLUG}`) is reproduced step by step in the repository's `{TUTORIAL_DIR}/`, one file per "
                "step. This page was rendered from a checkout with no recorded address (no `origin` remote, no "
                "`repository_url` in the config).")
    return (f"The repository is [{where}]({where}); how to run everything is in its [README]({where}#readme); "
            f"the tutorial page the benchmark follows (`{TUTORIAL_SLUG}`) is reproduced step by step, one file per "
            f"step, in [`{TUTORIAL_DIR}/`]({where}/tree/HEAD/{TUTORIAL_DIR}).")
