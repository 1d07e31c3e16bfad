"""Run axe-core on a rendered page in headless Chromium and print its violations as JSON.

    python tests/tools/axe_page.py PAGE.html [--axe tests/tools/node_modules/axe-core/axe.min.js]

A copy of the page, with axe-core and a few lines that run it appended to its body, is opened by
``chromium --headless --dump-dom``; the script writes axe's violations into the DOM, which Chromium
prints once the page is idle. No browser driver (puppeteer, selenium) is needed, only the browser and the
``axe-core`` npm package. Exit status: 0 without violations, 1 with some, 2 when axe did not report.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
MARK = "sb-axe-result"
RUNNER = """
<script>
axe.run(document, {resultTypes: ["violations"]}).then(function (result) {
  var out = document.createElement("pre");
  out.id = "%(mark)s";
  out.textContent = JSON.stringify(result.violations.map(function (v) {
    return {id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(function (n) { return n.target.join(" ") + ": " + n.failureSummary; })};
  }));
  document.body.appendChild(out);
});
</script>
""" % {"mark": MARK}
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--virtual-time-budget=60000", "--window-size=760,1000"]


def browser() -> str | None:
    """The Chromium (or Chrome) on the PATH, if any."""
    return next((found for name in ("chromium", "chromium-browser", "google-chrome") if (found := shutil.which(name))),
                None)


def script_report(page: Path, script: str, mark: str, flags=FLAGS, chromium: str | None = None,
                  timeout: float = 300):
    """Run ``script`` (HTML, appended to the body of a copy of ``page``) in headless Chromium and return the
    JSON it writes into ``<pre id=mark>``: the way every check of a rendered page here reads the browser."""
    chromium = chromium or browser()
    if chromium is None:
        raise FileNotFoundError("no chromium on the PATH")
    text = page.read_text(encoding="utf-8")
    at = text.rfind("</body>")
    instrumented = text[:at] + script + text[at:] if at >= 0 else text + script
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / page.name
        copy.write_text(instrumented, encoding="utf-8")
        profile = Path(scratch) / "profile"
        done = subprocess.run([chromium, *flags, f"--user-data-dir={profile}", "--dump-dom", copy.as_uri()],
                              capture_output=True, text=True, timeout=timeout, check=False)
    found = re.search(rf'<pre id="{mark}">(.*?)</pre>', done.stdout, re.S)
    if not found:
        raise RuntimeError(f"the page's script did not report (chromium exited {done.returncode}): "
                           f"{done.stderr[-2000:]}")
    return json.loads(html.unescape(found.group(1)))


def violations(page: Path, axe: Path = AXE, chromium: str | None = None, timeout: float = 300) -> list[dict]:
    """axe-core's violations on ``page`` (rules of every tag axe runs by default)."""
    script = f"<script>{axe.read_text(encoding='utf-8')}</script>{RUNNER}"
    return script_report(page, script, MARK, chromium=chromium, timeout=timeout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page", type=Path)
    parser.add_argument("--axe", type=Path, default=AXE)
    args = parser.parse_args(argv)
    try:
        found = violations(args.page, args.axe)
    except (RuntimeError, FileNotFoundError) as error:
        print(error, file=sys.stderr)
        return 2
    print(json.dumps(found, indent=1))
    print(f"{len(found)} axe-core violation(s)", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
