"""The Quarto markdown the report uses, rewritten as CommonMark + HTML for nbconvert.

Quarto reads the report's markdown (its prose and its cells' ``text/markdown``
outputs, see ``document``) with Pandoc and its own filters. nbconvert reads the
same text with mistune, which knows none of Quarto's extensions and would show
them as literal text. This module rewrites the few the report uses, the way
Quarto renders them:

- cross-reference figures ``![caption](src){#fig-x width=...}`` become
  ``<figure id="fig-x">`` with the caption numbered "Figure N:";
- cross-reference tables (a pipe table followed by ``: caption {#tbl-x}``) get the
  numbered caption above them;
- ``@fig-x`` / ``@tbl-x`` become links reading "Figure N" / "Table N";
- fenced divs ``::: {.callout-note ...}`` ... ``:::`` become ``<div>`` elements
  (callouts get Quarto's ``callout`` class), bracketed spans ``[text]{.class}``
  become ``<span>`` elements;
- TeX math, ``$...$`` and ``$$...$$`` (Pandoc's rules: no space inside the dollars,
  no digit after the closing one), becomes MathML, as ``html-math-method: mathml``
  makes Quarto write it: no MathJax, nothing loaded.

Figures and tables are numbered in document order, as Quarto numbers them. Code
(fenced blocks and inline code) is left as it is. Markdown inside the generated
HTML stays Markdown: every HTML block is closed off by blank lines, so mistune
reads the caption and the callout's text as Markdown again (CommonMark's rule
for HTML blocks).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from latex2mathml.converter import convert as latex_to_mathml

FIGURE = re.compile(
    r"!\[(?P<caption>(?:\\.|[^\]\\])*)\]\((?P<src>[^)\s]+)\)\{#(?P<label>fig-[a-z0-9-]+)(?P<attrs>[^}]*)\}")
TABLE_CAPTION = re.compile(r"^:\s+(?P<caption>.*?)\s*\{#(?P<label>tbl-[a-z0-9-]+)\}\s*$")
DIV_OPEN = re.compile(r"^:{3,}\s*(?:\{(?P<attrs>[^}]*)\}|(?P<name>[\w-]+))\s*$")
DIV_CLOSE = re.compile(r"^:{3,}\s*$")
SPAN = re.compile(r"(?<![\\!\]])\[(?P<text>(?:\\.|[^\]\\])*)\]\{(?P<attrs>[^}]*)\}")
REFERENCE = re.compile(r"(?<![\w\\@])@(?P<label>(?:fig|tbl)-[a-z0-9]+(?:-[a-z0-9]+)*)")
CODE_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
CODE_SPAN = re.compile(r"(`+[^`]*?`+)")
DISPLAY_MATH = re.compile(r"(?<!\\)\$\$(?P<tex>.+?)\$\$", re.S)
INLINE_MATH = re.compile(r"(?<![\\$])\$(?![\s$])(?P<tex>(?:\\.|[^$\\])+?)(?<!\s)\$(?!\d)")
ATTRIBUTE = re.compile(r"""(?P<key>[\w-]+)=(?:"(?P<quoted>[^"]*)"|(?P<bare>\S+))|(?P<short>[.#][\w-]+)""")

KIND_NAMES = {"fig": "Figure", "tbl": "Table"}


def number_targets(texts: Iterable[str]) -> dict[str, str]:
    """Each figure and table label defined in ``texts`` (in order), with its name: ``{"fig-x": "Figure 1"}``."""
    names: dict[str, str] = {}
    counts = {"fig": 0, "tbl": 0}
    for text in texts:
        for line in _lines_outside_code(text):
            labels = [m.group("label") for m in FIGURE.finditer(line)]
            caption = TABLE_CAPTION.match(line)
            if caption:
                labels.append(caption.group("label"))
            for label in labels:
                kind = label[:3]
                if label not in names:
                    counts[kind] += 1
                    names[label] = f"{KIND_NAMES[kind]} {counts[kind]}"
    return names


def to_commonmark(text: str, names: dict[str, str]) -> str:
    """``text`` with the Quarto constructs above rewritten for a CommonMark renderer."""
    out: list[str] = []
    open_divs = 0
    for line, in_code in _lines_with_code(_join_display_math(text.split("\n"))):
        if in_code:  # a fenced code block, fences included: as written
            out.append(line)
            continue
        div = DIV_OPEN.match(line)
        if div:
            open_divs += 1
            out.extend([_open_tag("div", div.group("attrs") or "." + div.group("name")), ""])
            continue
        if DIV_CLOSE.match(line) and open_divs:
            open_divs -= 1
            out.extend(["", "</div>", ""])
            continue
        caption = TABLE_CAPTION.match(line)
        if caption:
            _insert_table_caption(out, caption.group("label"), _inline(caption.group("caption"), names), names)
            continue
        out.append(_inline(line, names))
    out.extend(["", "</div>"] * open_divs)
    return "\n".join(out)


# ------------------------------------------------------------------ internals


def _lines_with_code(lines):
    """Each line and whether it belongs to a fenced code block (its fences included)."""
    fence = None
    for line in lines:
        if fence:
            if line.strip().startswith(fence):
                fence = None
            yield line, True
            continue
        opening = CODE_FENCE.match(line)
        if opening:
            fence = opening.group(1)
        yield line, bool(opening)


def _lines_outside_code(text: str):
    return (line for line, in_code in _lines_with_code(text.split("\n")) if not in_code)


def _inline(line: str, names: dict[str, str]) -> str:
    """Figures, spans and references of one line rewritten; inline code left alone.

    Code spans are set aside first (a span may hold code, code may hold anything) and put back at the end.
    """
    code: list[str] = []

    def set_aside(match: re.Match | str) -> str:
        code.append(match if isinstance(match, str) else match.group(0))
        return f"\x00{len(code) - 1}\x00"

    def put_back(text: str) -> str:
        return re.sub("\x00(\\d+)\x00", lambda m: code[int(m.group(1))], text)

    line = CODE_SPAN.sub(set_aside, line)
    line = DISPLAY_MATH.sub(lambda m: set_aside(_mathml(m.group("tex"), "block")), line)
    line = INLINE_MATH.sub(lambda m: set_aside(_mathml(m.group("tex"), "inline")), line)
    line = FIGURE.sub(lambda m: _figure(m, names, put_back), line)
    line = SPAN.sub(_span, line)
    line = REFERENCE.sub(lambda m: _reference(m.group("label"), names), line)
    return put_back(line)


def _span(match: re.Match) -> str:
    return f"{_open_tag('span', match.group('attrs'))}{match.group('text')}</span>"


def _mathml(tex: str, display: str) -> str:
    try:
        return latex_to_mathml(tex.strip(), display=display)
    except Exception as error:  # latex2mathml raises a range of exceptions on TeX it cannot read
        raise ValueError(f"cannot turn the TeX math ${tex}$ into MathML: {error}") from error


def _join_display_math(lines: list[str]) -> list[str]:
    """Lines with each display-math block (``$$`` on separate lines) joined into one line, code left alone."""
    joined: list[str] = []
    pending: list[str] | None = None
    for line, in_code in _lines_with_code(lines):
        if pending is not None:
            pending.append(line)
            if line.rstrip().endswith("$$"):
                joined.append(" ".join(pending))
                pending = None
            continue
        if not in_code and line.strip().startswith("$$") and line.count("$$") == 1:
            pending = [line]
            continue
        joined.append(line)
    return joined + ([" ".join(pending)] if pending else [])


def _figure(match: re.Match, names: dict[str, str], put_back) -> str:
    label = match.group("label")
    attributes = _attributes(match.group("attrs"))
    width = f' width="{html.escape(attributes["width"])}"' if "width" in attributes else ""
    caption = match.group("caption")
    plain = put_back(REFERENCE.sub(lambda m: names.get(m.group("label"), m.group(0)), caption))
    alt = html.escape(re.sub(r"\\(.)", r"\1", plain).replace("`", "")).replace("@", "&#64;")
    caption = REFERENCE.sub(lambda m: _reference(m.group("label"), names), caption)
    caption = SPAN.sub(_span, caption)
    number = names.get(label, "Figure")
    return (f'\n<figure id="{label}" class="sb-figure">\n<img src="{match.group("src")}" alt="{alt}"{width}>\n'
            f"<figcaption>\n\n<span class=\"sb-label\">{number}:</span> {caption}\n\n"
            f"</figcaption>\n</figure>\n")


def _insert_table_caption(out: list[str], label: str, caption: str, names: dict[str, str]) -> None:
    """Put the numbered caption above the pipe table that ends the lines written so far."""
    while out and not out[-1].strip():
        out.pop()
    start = len(out)
    while start > 0 and out[start - 1].lstrip().startswith("|"):
        start -= 1
    number = names.get(label, "Table")
    out[start:start] = [f'<div id="{label}" class="sb-table-caption">', "",
                        f'<span class="sb-label">{number}:</span> {caption}', "", "</div>", ""]
    out.append("")


def _reference(label: str, names: dict[str, str]) -> str:
    if label in names:
        return f"[{names[label]}](#{label})"
    return f"**?@{label}**"  # as Quarto shows a reference to nothing


def _attributes(text: str) -> dict:
    """Pandoc attributes ``#id .class key=value`` as a dict (``class`` joined by spaces)."""
    found: dict[str, str] = {}
    classes = []
    for match in ATTRIBUTE.finditer(text or ""):
        if match.group("short"):
            value = match.group("short")
            if value.startswith("."):
                classes.append(value[1:])
            else:
                found["id"] = value[1:]
        else:
            found[match.group("key")] = match.group("quoted") if match.group("quoted") is not None else match.group("bare")
    if any(name.startswith("callout-") for name in classes):
        classes.insert(0, "callout")
    if classes:
        found["class"] = " ".join(classes)
    return found


def _open_tag(tag: str, attrs: str) -> str:
    attributes = _attributes(attrs)
    shown = "".join(f' {key}="{html.escape(attributes[key])}"' for key in ("id", "class") if key in attributes)
    return f"<{tag}{shown}>"

