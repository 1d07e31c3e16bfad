"""The README and the reference pages hold together: every relative link (text or image) leads to a file
of the repository, and to a heading of it where it names one (GitHub's anchors); every `make X` they show
names a target of the Makefile, and the README shows the two commands.

The helpers are first shown to catch what they exist to catch, so that a clean result means something.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
PAGES = [README, *sorted((REPO / "docs").glob("*.md")), REPO / "config" / "README.md",
         REPO / "benchmarks" / "README.md", REPO / "report" / "published" / "README.md"]
LEDGER_PAGES = [README, REPO / "docs" / "reproducibility.md"]

FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)", re.DOTALL)
# [text](target) and ![alt](target), with an optional title; the text may hold parentheses, not brackets.
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HTML_SOURCE = re.compile(r"<(?:img|a)\b[^>]*?\b(?:src|href)=\"([^\"]+)\"", re.IGNORECASE)
HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$", re.MULTILINE)
# `make`, its VAR=value settings and -flags, then its goal.
MAKE = re.compile(r"(?:^|[\s;&|(`])make(?:[ \t]+(?:-\S+|\w+=\S*))*[ \t]+([\w.$(/-][^\s`;&|)#,]*)")
SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)


def prose(markdown: str) -> str:
    """The text outside fenced code blocks and code spans, where links are links."""
    return CODE_SPAN.sub("", FENCE.sub("", markdown))


def fenced_blocks(markdown: str) -> list[str]:
    return [match.group(0) for match in FENCE.finditer(markdown)]


def code(markdown: str) -> list[str]:
    """Every fenced block and code span: where commands are shown."""
    return fenced_blocks(markdown) + [match.group(0) for match in CODE_SPAN.finditer(FENCE.sub("", markdown))]


def links(markdown: str) -> list[str]:
    text = prose(markdown)
    return [*LINK.findall(text), *HTML_SOURCE.findall(text)]


def github_slug(heading: str) -> str:
    """The anchor GitHub gives a heading: its text lower-cased, without markup and punctuation (letters,
    digits, `_`, `-` and spaces stay), spaces turned into hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link's text
    text = re.sub(r"<[^>]+>", "", text).replace("`", "")
    return re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")


def anchors(markdown: str) -> set[str]:
    """Every heading's anchor; a repeated one gets -1, -2, ... as on GitHub."""
    seen: dict[str, int] = {}
    found = set()
    for heading in HEADING.findall(FENCE.sub("", markdown)):
        slug = github_slug(heading)
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        found.add(slug if count == 0 else f"{slug}-{count}")
    return found


def broken_links(page: Path) -> list[str]:
    """The relative links of a page that lead nowhere: a missing file or directory, or a missing heading."""
    broken = []
    for target in links(page.read_text(encoding="utf-8")):
        if SCHEME.match(target):
            continue  # a web address: not checked here
        path_part, _, anchor = target.partition("#")
        path = (page.parent / path_part).resolve() if path_part else page
        if not path.exists() or not path.is_relative_to(REPO):
            broken.append(f"{target}: no such file")
        elif anchor and path.suffix == ".md" and anchor not in anchors(path.read_text(encoding="utf-8")):
            broken.append(f"{target}: no heading with that anchor in {path.relative_to(REPO)}")
    return broken


def makefile_targets(makefile: str) -> set[str]:
    """The targets of a Makefile: its `.PHONY` names and every rule's targets (not variables)."""
    targets = set()
    for line in makefile.splitlines():
        if line.startswith(("\t", "#")) or re.match(r"^[^:#=]*(?::=|\?=|\+=|!=|=)", line):
            continue  # a recipe, a comment or a variable
        if match := re.match(r"^([^:#=]+?)\s*::?(?!=)", line):
            names = match.group(1).split()
            if names == [".PHONY"]:
                targets.update(line.split(":", 1)[1].split())
            else:
                targets.update(name for name in names if not name.startswith("."))
    return targets


def make_goals(markdown: str) -> list[str]:
    """The goal of every `make ...` command shown in code (its first word that is not VAR=value or -flag)."""
    return [goal for snippet in code(markdown) for goal in MAKE.findall(snippet)]


# ---------------------------------------------------------------- the helpers catch what they are for


def test_broken_links_are_caught(tmp_path, monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "REPO", tmp_path)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "there.md").write_text("# A heading, `with code`\n\n## Twice\n\n## Twice\n")
    page = tmp_path / "README.md"
    page.write_text(
        "[ok](docs/there.md) [ok](docs/there.md#a-heading-with-code) [ok](docs/there.md#twice-1) [ok](#top)\n"
        "![a picture (with parentheses)](docs/missing.png) [gone](docs/gone.md) [no](docs/there.md#nowhere)\n"
        "<img src=\"img.png\"> [web](https://example.org/x) `[in code](nowhere.md)`\n"
        "```\n[in a block](nowhere.md)\n```\n\n# Top\n"
    )
    assert broken_links(page) == [
        "docs/missing.png: no such file",
        "docs/gone.md: no such file",
        "docs/there.md#nowhere: no heading with that anchor in docs/there.md",
        "img.png: no such file",
    ]


def test_github_slugs():
    assert github_slug("What the default sweep costs") == "what-the-default-sweep-costs"
    assert github_slug("`fresh_sample`") == "fresh_sample"
    assert github_slug("Quarto, or the plain page") == "quarto-or-the-plain-page"
    assert github_slug("`engine_vs_micrograd.py`: the scalar engine") == "engine_vs_microgradpy-the-scalar-engine"
    assert github_slug("Across widths, and float32 against float64") == "across-widths-and-float32-against-float64"


def test_makefile_targets_and_make_goals():
    makefile = (".PHONY: run test\nCORES ?= 4\nBIN := x\nrun: setup\n\tsnakemake --cores $(CORES)\n"
                "$(VENV)/.installed: requirements.txt | venv\nsetup: $(VENV)/.installed\n")
    assert {"run", "test", "setup"} <= makefile_targets(makefile)
    assert not {"CORES", "BIN"} & makefile_targets(makefile)
    shown = ("```sh\nmake run     # comment\nmake CORES=2 -s check\nmake test, make publish\n```\n"
             "then `make check REQUIRE=x` and `make`\n")
    assert make_goals(shown) == ["run", "check", "test", "publish", "check"]


# ---------------------------------------------------------------- the repository's pages


@pytest.mark.parametrize("page", PAGES, ids=lambda path: str(path.relative_to(REPO)))
def test_every_relative_link_resolves(page):
    assert broken_links(page) == []


@pytest.mark.parametrize("page", PAGES, ids=lambda path: str(path.relative_to(REPO)))
def test_every_make_command_is_a_target(page):
    targets = makefile_targets((REPO / "Makefile").read_text())
    unknown = sorted(set(make_goals(page.read_text(encoding="utf-8"))) - targets)
    assert unknown == [], f"not targets of the Makefile: {unknown}"


def test_the_readme_shows_the_two_commands():
    targets = makefile_targets((REPO / "Makefile").read_text())
    assert {"run", "test"} <= targets
    fenced = [goal for block in fenced_blocks(README.read_text()) for goal in make_goals(block)]
    assert "run" in fenced and "test" in fenced


def test_the_readme_shows_the_published_figure():
    images = [target for target in LINK.findall(prose(README.read_text()))
              if target.endswith(".png")]
    assert images == ["report/published/figures/boundaries-tutorial.png"]
    assert (REPO / images[0]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_readme_is_a_front_page():
    assert len(README.read_text().splitlines()) <= 150


@pytest.mark.parametrize("page", LEDGER_PAGES, ids=lambda path: str(path.relative_to(REPO)))
def test_the_reproduction_claim_is_one_replaceable_block(page):
    text = page.read_text()
    assert text.count("<!-- ledger:begin -->") == 1 and text.count("<!-- ledger:end -->") == 1
    block = text.split("<!-- ledger:begin -->")[1].split("<!-- ledger:end -->")[0]
    assert block.strip()
