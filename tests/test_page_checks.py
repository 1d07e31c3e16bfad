"""The rendered page passes the W3C Nu HTML checker and axe-core with zero errors, and every table fits a
760 px window (``tests/tools/page_widths.py``).

The checkers come from npm (``tests/tools/package.json``: ``npm install --prefix tests/tools``, which
``.ci/run`` does where npm is installed) and need java (the Nu checker) and Chromium (axe-core runs in the
page, ``tests/tools/axe_page.py``). Where one is missing its test is skipped and says what to install,
unless ``SPIRALBENCH_REQUIRE_PAGE_CHECKS=1`` (set by ``.ci/run`` after it installed them): then it fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

TOOLS = Path(__file__).resolve().parent / "tools"
VNU_JAR = Path(os.environ.get("SPIRALBENCH_VNU_JAR", TOOLS / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"))
AXE = TOOLS / "node_modules" / "axe-core" / "axe.min.js"
INSTALL = "npm install --prefix tests/tools"

sys.path.insert(0, str(TOOLS))
import axe_page  # noqa: E402  (tests/tools is not a package)
import page_widths  # noqa: E402

# The narrowest window the page is checked at: a laptop's half screen.
NARROW_WINDOW = 760


def missing(reason: str) -> None:
    """Skip with ``reason``, or fail where the checks are required (CI, after installing the tools)."""
    if os.environ.get("SPIRALBENCH_REQUIRE_PAGE_CHECKS") == "1":
        pytest.fail(f"SPIRALBENCH_REQUIRE_PAGE_CHECKS=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def page(ci_results) -> Path:
    return ci_results / "report" / "report.html"


@pytest.mark.slow
def test_the_w3c_checker_finds_no_error_in_the_page(page):
    if shutil.which("java") is None:
        missing("java is not installed (Debian: apt-get install default-jre-headless)")
    if not VNU_JAR.is_file():
        missing(f"the W3C Nu checker is not installed ({INSTALL})")
    checked = subprocess.run(["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", str(page)],
                             capture_output=True, text=True, timeout=600, check=False)
    messages = json.loads(checked.stderr or checked.stdout)["messages"]
    errors = [f"{m.get('lastLine', '?')}: {m['message']}" for m in messages if m["type"] in ("error", "non-document-error")]
    assert errors == [], "\n".join(errors)


@pytest.mark.slow
def test_axe_core_finds_no_violation_in_the_page(page):
    if axe_page.browser() is None:
        missing("Chromium is not installed (Debian: apt-get install chromium)")
    if not AXE.is_file():
        missing(f"axe-core is not installed ({INSTALL})")
    violations = axe_page.violations(page, AXE)
    assert violations == [], json.dumps(violations, indent=1)


@pytest.mark.slow
def test_every_table_fits_its_container_in_a_narrow_window(page):
    if axe_page.browser() is None:
        missing("Chromium is not installed (Debian: apt-get install chromium)")
    assert page_widths.overflowing_tables(page, NARROW_WINDOW) == []


def test_the_width_check_finds_a_table_wider_than_its_container(tmp_path):
    if axe_page.browser() is None:
        missing("Chromium is not installed (Debian: apt-get install chromium)")
    cells = "".join(f"<td>column{i}_with_a_long_unbroken_value</td>" for i in range(12))
    page = tmp_path / "page.html"
    page.write_text(f"<!DOCTYPE html><html><body><main><div id='tbl-wide'><table><tr>{cells}</tr></table></div>"
                    "<details><summary>folded</summary><div id='tbl-fits'><table><tr><td>1</td></tr></table></div>"
                    "</details></main></body></html>", encoding="utf-8")
    (wide,) = page_widths.overflowing_tables(page, NARROW_WINDOW)
    assert wide["table"] == "tbl-wide" and wide["width"] > wide["room"]
