"""Lines of code per component, measured from the project's own source.

The tutorial claims its scratch network costs ~120 lines against PyTorch's ~40.
This module measures the same four components in the code that actually runs in
this benchmark, so the claim can be checked rather than repeated.

Counting rule (also written next to the table, see ``COUNTING_RULE``):

- Every component is a list of *targets* written ``module:Qualified.name``: a
  function, class, method or assigned name (``OPTIMIZERS = {...}``) found by
  walking the module's syntax tree (the module is located, not imported for its
  side effects). A class counts whole: its header, attributes and every method.
  Decorators belong to what they decorate.
- ``module:Qualified.name#Symbol`` selects, inside that definition, only the
  innermost statements that mention ``Symbol`` (a name or an attribute), e.g.
  ``spiralbench.frameworks.torch_train:train#CrossEntropyLoss`` is the one line that builds the loss.
- Lines are counted with radon's raw metrics as SLOC: lines that are neither
  blank, nor comment-only, nor part of a docstring (a string standing alone as
  a statement). A statement spread over several physical lines counts each of them.
- Targets listed in ``UNCOUNTED`` are taken out of the targets that enclose them
  (weight import/export and text representations: neither side counts them).
- No line is counted twice within one implementation: when one target lies
  inside another (the loss line inside the training loop), its lines count only
  for the inner target. Code shared by both implementations counts for each.
- A target that no longer exists raises ``LookupError``: a rename must not
  silently turn a row into zero.
"""

import ast
import importlib.util
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import pandas as pd
from radon.raw import analyze

from spiralbench.contract import COMPLEXITY_COLUMNS as COLUMNS
from spiralbench.frameworks import FRAMEWORKS

# Where each component of each implementation lives. This is the only place to
# edit when code moves: every target is checked to exist when the table is built.
#
# What counts, as on the page: the neurogebra side is the library's network and
# loss (the page writes them itself) plus the workflow's loop and evaluation; the
# PyTorch side is the workflow's model, loss line, loop and evaluation. Neither
# side counts its autograd engine (neurogebra's Value, torch.autograd) nor its
# optimizer classes (neurogebra.optim, torch.optim): both loops call them through
# the same zero_grad()/step() interface. The neurogebra network's array methods
# (evaluate/predict and their helpers) are listed under evaluation, which takes
# them out of the classes' count.
NG_NN = "neurogebra.nn"
NG_TRAIN = "spiralbench.frameworks.neurogebra_train"
PT_MODEL = "spiralbench.frameworks.torch_model"
PT_TRAIN = "spiralbench.frameworks.torch_train"

COMPONENTS = {
    "network definition": {
        "neurogebra": [
            f"{NG_NN}:ACTIVATIONS",
            f"{NG_NN}:_check_activation",
            f"{NG_NN}:_activate",
            f"{NG_NN}:Neuron",
            f"{NG_NN}:Layer",
            f"{NG_NN}:NeuralNetwork",
            f"{NG_TRAIN}:build_network",
        ],
        "pytorch": [f"{PT_MODEL}:ACTIVATIONS", f"{PT_MODEL}:SpiralNet", f"{PT_TRAIN}:build_network"],
    },
    "softmax + cross-entropy": {
        "neurogebra": ["neurogebra.losses:softmax_cross_entropy"],
        "pytorch": [f"{PT_TRAIN}:train#CrossEntropyLoss"],
    },
    "training loop": {
        "neurogebra": [
            f"{NG_TRAIN}:OPTIMIZERS",
            f"{NG_TRAIN}:make_optimizer",
            f"{NG_TRAIN}:train",
            f"{NG_TRAIN}:sample_by_sample_loss",  # the page's loop; its tensor-engine twin is not the page's
        ],
        "pytorch": [f"{PT_TRAIN}:OPTIMIZERS", f"{PT_TRAIN}:make_optimizer", f"{PT_TRAIN}:train"],
    },
    "evaluation": {
        "neurogebra": [
            f"{NG_TRAIN}:evaluate",
            f"{NG_NN}:NeuralNetwork.predict",
            f"{NG_NN}:NeuralNetwork.evaluate",
            f"{NG_NN}:Layer.evaluate",
            f"{NG_NN}:Neuron.evaluate",
            f"{NG_NN}:_as_points",
            f"{NG_NN}:_affine",
            f"{NG_NN}:_activate_array",
        ],
        "pytorch": [f"{PT_TRAIN}:evaluate", f"{PT_TRAIN}:scores"],
    },
}

# Code inside the targets above that serves neither the page's purpose nor a
# component: moving weights in and out as arrays (saving a run's parameters, the export into
# PyTorch; the PyTorch side has the same helpers in torch_train, not counted
# either) and text representations. Located like targets, so a rename fails loudly.
UNCOUNTED = {
    "neurogebra": [
        f"{NG_NN}:Neuron.__repr__",
        f"{NG_NN}:Layer.get_weights",
        f"{NG_NN}:Layer.set_weights",
        f"{NG_NN}:Layer._checked",
        f"{NG_NN}:Layer._assign",
        f"{NG_NN}:Layer.__repr__",
        f"{NG_NN}:NeuralNetwork.get_weights",
        f"{NG_NN}:NeuralNetwork.set_weights",
        f"{NG_NN}:NeuralNetwork.__repr__",
        f"{NG_NN}:NeuralNetwork.n_parameters",  # the count the text representations print
    ],
    "pytorch": [],
}

# The page's "Code Complexity" table, (neurogebra, pytorch), shown beside the measurement.
PAGE_CLAIMS = {
    "network definition": (60, 15),
    "softmax + cross-entropy": (15, 1),
    "training loop": (35, 20),
    "evaluation": (8, 5),
}
PAGE_TOTAL = (120, 40)
TOTAL_ROW = "total"


COUNTING_RULE = f"""\
Lines per component are measured from the source that runs in this benchmark.
Each component is a list of targets module:Qualified.name (a function, class,
method or assigned name located through the module's syntax tree; a class counts
whole, with its methods; decorators count with what they decorate). A target written
module:Qualified.name#Symbol is only the innermost statements of that definition
that mention Symbol.
Counted with radon {version("radon")} raw metrics as SLOC: lines that are neither
blank, nor comment-only, nor part of a docstring; a statement spread over several
physical lines counts each line.
Within one implementation no line counts twice: a target nested inside another
counts only for itself. Code shared by both implementations counts for each.
Not counted: helpers that move weights in and out as arrays (saving a run's parameters,
the export into PyTorch; present on both sides) and text representations.
Not counted on either side: the autograd engine (neurogebra's Value,
torch.autograd) and the optimizer classes (neurogebra.optim, torch.optim),
which both training loops call through the same zero_grad()/step() interface.
The neurogebra network's array path (NeuralNetwork.predict/evaluate and the
helpers they call), which the workflow's evaluation runs, counts as evaluation.
The *_source columns list the targets of each row.
The page_* columns are the tutorial page's own claims, copied from its table
(its total row reads ~120 and ~40).
"""


@dataclass(frozen=True)
class Span:
    """Lines ``first``..``last`` (1-based, inclusive) of ``path``, selected by ``target``."""

    target: str
    path: Path
    first: int
    last: int

    def contains(self, other):
        return self.path == other.path and self.first <= other.first and other.last <= self.last


def parse_target(target):
    """Split ``module:Qualified.name#Symbol`` into (module, [names], symbol or None)."""
    module, sep, rest = target.partition(":")
    qualname, _, symbol = rest.partition("#")
    if not sep or not module or not qualname or "" in qualname.split("."):
        raise ValueError(f"complexity target {target!r} is not of the form 'module:Qualified.name[#Symbol]'")
    return module, qualname.split("."), symbol or None


def module_path(module):
    """The source file of ``module``, found without running any of its package's code.

    ``importlib.util.find_spec("a.b")`` would import package ``a`` first; here only the top-level
    name is looked up, and the rest is followed through the package's directories.
    """
    top, *rest = module.split(".")
    try:
        spec = importlib.util.find_spec(top)
    except (ModuleNotFoundError, ValueError):
        spec = None
    candidates = []
    if spec is not None and not rest:
        candidates = [Path(spec.origin)] if spec.origin else []
    elif spec is not None:
        for directory in spec.submodule_search_locations or []:
            base = Path(directory).joinpath(*rest[:-1])
            candidates += [base / f"{rest[-1]}.py", base / rest[-1] / "__init__.py"]
    for candidate in candidates:
        if candidate.suffix == ".py" and candidate.is_file():
            return candidate
    raise LookupError(f"module {module!r} has no Python source file")


def _target_path(module, target):
    try:
        return module_path(module)
    except LookupError as error:
        raise LookupError(f"complexity target {target!r}: {error}") from None


def _defines(node, name):
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return node.name == name
    if isinstance(node, ast.Assign):
        return any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
    if isinstance(node, ast.AnnAssign):
        return isinstance(node.target, ast.Name) and node.target.id == name
    return False


def _definitions(body, name):
    return [node for node in body if _defines(node, name)]


def _mentions(node, symbol):
    return any(
        (isinstance(n, ast.Name) and n.id == symbol) or (isinstance(n, ast.Attribute) and n.attr == symbol)
        for n in ast.walk(node)
    )


def _innermost_statements(node, symbol):
    """The smallest statements under ``node`` whose subtree mentions ``symbol``."""
    found = []
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.stmt) and _mentions(child, symbol):
            found.extend(_innermost_statements(child, symbol) or [child])
    return found


def _first_line(node):
    decorators = getattr(node, "decorator_list", [])
    return min([node.lineno] + [d.lineno for d in decorators])


def locate(target):
    """The spans of source lines a target selects; ``LookupError`` if it no longer exists."""
    module, names, symbol = parse_target(target)
    path = _target_path(module, target)
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    nodes = [tree]
    for depth, name in enumerate(names):
        nodes = [found for node in nodes for found in _definitions(node.body, name)]
        if not nodes:
            missing = ".".join(names[: depth + 1])
            raise LookupError(f"complexity target {target!r}: no definition of {missing!r} in {path}")
    if symbol is not None:
        nodes = [stmt for node in nodes for stmt in _innermost_statements(node, symbol)]
        if not nodes:
            raise LookupError(f"complexity target {target!r}: {'.'.join(names)} never mentions {symbol!r} ({path})")
    return [Span(target, path, _first_line(node), node.end_lineno) for node in nodes]


def _check_nesting(spans):
    for i, a in enumerate(spans):
        for b in spans[i + 1 :]:
            if a.path != b.path or a.last < b.first or b.last < a.first:
                continue
            if (a.first, a.last) == (b.first, b.last):
                raise ValueError(f"complexity targets {a.target!r} and {b.target!r} select the same lines")
            if not (a.contains(b) or b.contains(a)):
                raise ValueError(f"complexity targets {a.target!r} and {b.target!r} overlap without nesting")


def count_sloc(span, inner_spans=()):
    """radon SLOC of ``span`` with the lines of ``inner_spans`` (nested in it) blanked out."""
    lines = span.path.read_text(encoding="utf-8").splitlines()[span.first - 1 : span.last]
    for inner in inner_spans:
        for lineno in range(inner.first, inner.last + 1):
            lines[lineno - span.first] = ""
    return analyze("\n".join(lines) + "\n").sloc


def measure(components=COMPONENTS, uncounted=UNCOUNTED):
    """{component: {framework: lines}}: every target located, nested lines counted once.

    ``uncounted`` ({framework: [targets]}) are taken out of the targets that enclose them.
    """
    located = {
        (component, framework): [span for target in targets for span in locate(target)]
        for component, by_framework in components.items()
        for framework, targets in by_framework.items()
    }
    # Nesting is resolved within one implementation: code shared by both counts for each.
    framework_spans = {
        framework: [span for (_, fw), spans in located.items() if fw == framework for span in spans]
        + [span for target in uncounted.get(framework, []) for span in locate(target)]
        for framework in {framework for _, framework in located}
    }
    for spans in framework_spans.values():
        _check_nesting(spans)
    counts = {}
    for (component, framework), spans in located.items():
        total = 0
        for span in spans:
            nested = [other for other in framework_spans[framework] if other is not span and span.contains(other)]
            outermost = [n for n in nested if not any(o is not n and o.contains(n) for o in nested)]
            total += count_sloc(span, outermost)
        counts.setdefault(component, {})[framework] = total
    return counts


def complexity_rows(components=COMPONENTS, uncounted=UNCOUNTED, claims=PAGE_CLAIMS, page_total=PAGE_TOTAL):
    """The table's rows (dicts in ``COLUMNS`` order): one per component, then the total."""
    missing = [c for c in components if c not in claims]
    if missing:
        raise ValueError(f"components without a page claim: {missing}; known: {sorted(claims)}")
    for component, by_framework in components.items():
        if set(by_framework) != set(FRAMEWORKS):
            raise ValueError(f"component {component!r} must list exactly {FRAMEWORKS}, got {sorted(by_framework)}")
    counts = measure(components, uncounted)
    rows = [
        {
            "component": component,
            "neurogebra_lines": counts[component]["neurogebra"],
            "pytorch_lines": counts[component]["pytorch"],
            "page_neurogebra_lines": claims[component][0],
            "page_pytorch_lines": claims[component][1],
            "neurogebra_source": "; ".join(components[component]["neurogebra"]),
            "pytorch_source": "; ".join(components[component]["pytorch"]),
        }
        for component in components
    ]
    rows.append(
        {
            "component": TOTAL_ROW,
            "neurogebra_lines": sum(row["neurogebra_lines"] for row in rows),
            "pytorch_lines": sum(row["pytorch_lines"] for row in rows),
            "page_neurogebra_lines": page_total[0],
            "page_pytorch_lines": page_total[1],
            "neurogebra_source": "",
            "pytorch_source": "",
        }
    )
    return rows


def source_files(components=COMPONENTS, uncounted=UNCOUNTED):
    """Every file the table is measured from (the workflow reruns when one changes)."""
    targets = [t for by_framework in components.values() for ts in by_framework.values() for t in ts]
    targets += [t for ts in uncounted.values() for t in ts]
    paths = {_target_path(parse_target(target)[0], target) for target in targets}
    return sorted(paths)


def write_complexity(table_path, rule_path, components=COMPONENTS, uncounted=UNCOUNTED):
    """Write the table (CSV, ``COLUMNS`` order) and the counting rule next to it."""
    table = pd.DataFrame(complexity_rows(components, uncounted), columns=COLUMNS)
    Path(table_path).parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(table_path, index=False, lineterminator="\n")
    Path(rule_path).write_text(COUNTING_RULE, encoding="utf-8")
    return table
