"""Find the tables of a rendered page that are wider than their container at a given window width.

    python tests/tools/page_widths.py PAGE.html [--width 760]

Like ``axe_page``, a copy of the page with a few lines of script appended is opened by
``chromium --headless --dump-dom``: the script opens every folded table (``<details>``), measures
each table against the element that holds it, and writes the ones that do not fit into the DOM,
which Chromium prints. A table wider than its container is clipped or scrolls sideways: the reader
loses columns. Exit status: 0 when every table fits, 1 when some do not, 2 when the script did not report.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from axe_page import FLAGS, script_report

MARK = "sb-width-result"
# A table is named by its label: Quarto's float holds it (<div id="tbl-x">), the plain page puts an anchor
# (<a id="tbl-x">) before its caption.
MEASURE = """
<script>
function label(table) {
  var float = table.closest("[id^='tbl-']");
  if (float) { return float.id; }
  var anchors = Array.from(document.querySelectorAll("a[id^='tbl-']")).filter(function (a) {
    return a.compareDocumentPosition(table) & Node.DOCUMENT_POSITION_FOLLOWING;
  });
  return anchors.length ? anchors[anchors.length - 1].id : "unlabelled";
}
window.addEventListener("load", function () {
  document.querySelectorAll("details").forEach(function (d) { d.open = true; });
  var wide = [];
  document.querySelectorAll("table").forEach(function (table) {
    var room = table.parentElement.clientWidth;
    if (table.scrollWidth > room + 1) {
      wide.push({table: label(table), width: table.scrollWidth, room: room});
    }
  });
  var out = document.createElement("pre");
  out.id = "%(mark)s";
  out.textContent = JSON.stringify(wide);
  document.body.appendChild(out);
});
</script>
""" % {"mark": MARK}


def with_window_width(width: int) -> list[str]:
    """Chromium's flags with the window ``width`` pixels wide."""
    return [flag for flag in FLAGS if not flag.startswith("--window-size=")] + [f"--window-size={width},1000"]


def overflowing_tables(page: Path, width: int = 760, chromium: str | None = None, timeout: float = 300) -> list[dict]:
    """The tables of ``page`` wider than their container in a window ``width`` pixels wide: each its label,
    its width and the room it has (CSS pixels)."""
    return script_report(page, MEASURE, MARK, with_window_width(width), chromium, timeout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page", type=Path)
    parser.add_argument("--width", type=int, default=760)
    args = parser.parse_args(argv)
    try:
        wide = overflowing_tables(args.page, args.width)
    except (RuntimeError, FileNotFoundError) as error:
        print(error, file=sys.stderr)
        return 2
    print(json.dumps(wide, indent=1))
    print(f"{len(wide)} table(s) wider than their container at {args.width} px", file=sys.stderr)
    return 1 if wide else 0


if __name__ == "__main__":
    sys.exit(main())
