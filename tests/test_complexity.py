"""The complexity table counts what a person counting by hand would count."""

import textwrap

import pandas as pd
import pytest

from spiralbench import complexity

# Hand counts (SLOC: not blank, not comment-only, not docstring) are written
# next to each definition; the expected numbers below are their sums.
FIXTURE = textwrap.dedent(
    '''\
    """Module docstring."""

    import math


    class Model:                                   # 1
        """A class docstring
        over two lines."""

        scale = 2  # a trailing comment still counts  # 1

        def __init__(self, n):                     # 1
            # a comment-only line
            self.n = n                             # 1

        def forward(self, x):                      # 1
            return [                               # 1
                v * self.scale                     # 1
                for v in x                         # 1
            ]                                      # 1


    @some_decorator                                # 1
    def loss(x):                                   # 1
        \'\'\'Docstring.\'\'\'

        return math.log(x)                         # 1


    def train(model, data):                        # 1
        total = 0                                  # 1
        for x in data:                             # 1
            criterion = Criterion()                # 1 (the loss line)
            total += criterion(model.forward(x))   # 1
        return total                               # 1
    '''
)
MODEL, FORWARD, LOSS, TRAIN, LOSS_LINE = 9, 5, 3, 6, 1


@pytest.fixture
def fixture_module(tmp_path, monkeypatch):
    (tmp_path / "complexity_fixture.py").write_text(FIXTURE, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    return "complexity_fixture"


def lines_of(module, neurogebra_targets, pytorch_targets=None):
    components = {
        "only": {"neurogebra": neurogebra_targets, "pytorch": pytorch_targets or [f"{module}:loss"]},
    }
    return complexity.measure(components, uncounted={})["only"]["neurogebra"]


@pytest.mark.parametrize(
    "targets, expected",
    [
        (["Model"], MODEL),
        (["Model.forward"], FORWARD),
        (["loss"], LOSS),
        (["train"], TRAIN),
        (["train#Criterion"], LOSS_LINE),
        (["Model", "loss"], MODEL + LOSS),
    ],
)
def test_counts_match_a_hand_count(fixture_module, targets, expected):
    assert lines_of(fixture_module, [f"{fixture_module}:{t}" for t in targets]) == expected


def test_a_nested_target_counts_only_once(fixture_module):
    components = {
        "loss": {"neurogebra": [f"{fixture_module}:train#Criterion"], "pytorch": [f"{fixture_module}:loss"]},
        "loop": {"neurogebra": [f"{fixture_module}:train"], "pytorch": [f"{fixture_module}:train"]},
    }
    counts = complexity.measure(components, uncounted={})
    assert counts["loss"]["neurogebra"] == LOSS_LINE
    assert counts["loop"]["neurogebra"] == TRAIN - LOSS_LINE
    # The other implementation does not list the loss line, so its loop keeps it.
    assert counts["loop"]["pytorch"] == TRAIN


def test_uncounted_code_is_taken_out_of_its_enclosing_target(fixture_module):
    components = {"net": {"neurogebra": [f"{fixture_module}:Model"], "pytorch": [f"{fixture_module}:Model"]}}
    uncounted = {"neurogebra": [f"{fixture_module}:Model.forward"]}
    counts = complexity.measure(components, uncounted)["net"]
    assert counts == {"neurogebra": MODEL - FORWARD, "pytorch": MODEL}


def test_an_uncounted_target_that_no_longer_exists_fails_loudly(fixture_module):
    components = {"net": {"neurogebra": [f"{fixture_module}:Model"], "pytorch": [f"{fixture_module}:Model"]}}
    with pytest.raises(LookupError, match="Model.gone"):
        complexity.measure(components, {"neurogebra": [f"{fixture_module}:Model.gone"]})


def test_the_same_lines_listed_twice_are_refused(fixture_module):
    with pytest.raises(ValueError, match="same lines"):
        lines_of(fixture_module, [f"{fixture_module}:loss", f"{fixture_module}:loss"])


@pytest.mark.parametrize(
    "target, message",
    [
        ("complexity_fixture:Renamed", "no definition of 'Renamed'"),
        ("complexity_fixture:Model.backward", "no definition of 'Model.backward'"),
        ("complexity_fixture:train#nn", "never mentions 'nn'"),
        ("no_such_module_anywhere:train", "no Python source file"),
    ],
)
def test_a_target_that_no_longer_exists_fails_loudly(fixture_module, target, message):
    with pytest.raises(LookupError, match=message) as error:
        lines_of(fixture_module, [target])
    assert target in str(error.value)


def test_modules_inside_packages_are_found_without_running_the_package(tmp_path, monkeypatch):
    package = tmp_path / "exploding_package" / "inner"
    package.mkdir(parents=True)
    (package.parent / "__init__.py").write_text("raise RuntimeError('package code ran')\n")
    (package / "__init__.py").write_text("")
    (package / "model.py").write_text("def f(x):\n    return x\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert complexity.module_path("exploding_package.inner.model") == package / "model.py"
    assert complexity.module_path("exploding_package.inner") == package / "__init__.py"
    target = "exploding_package.inner.model:f"
    assert lines_of("exploding_package", [target], [target]) == 2
    with pytest.raises(LookupError, match="'exploding_package.inner.gone' has no Python source file"):
        complexity.module_path("exploding_package.inner.gone")


@pytest.mark.parametrize("target", ["complexity_fixture", "complexity_fixture:", ":train", "m:a..b"])
def test_a_malformed_target_is_refused(target):
    with pytest.raises(ValueError, match="module:Qualified.name"):
        complexity.parse_target(target)


def test_written_table_has_the_fixed_columns_and_a_total(fixture_module, tmp_path):
    components = {
        "network definition": {"neurogebra": [f"{fixture_module}:Model"], "pytorch": [f"{fixture_module}:Model.forward"]},
        "training loop": {"neurogebra": [f"{fixture_module}:train"], "pytorch": [f"{fixture_module}:loss"]},
    }
    table_path, rule_path = tmp_path / "complexity.csv", tmp_path / "complexity_rule.txt"
    complexity.write_complexity(table_path, rule_path, components, uncounted={})
    table = pd.read_csv(table_path, keep_default_na=False)
    assert list(table.columns) == complexity.COLUMNS
    assert list(table["component"]) == ["network definition", "training loop", "total"]
    assert list(table["neurogebra_lines"]) == [MODEL, TRAIN, MODEL + TRAIN]
    assert list(table["pytorch_lines"]) == [FORWARD, LOSS, FORWARD + LOSS]
    assert list(table["page_neurogebra_lines"]) == [60, 35, 120]
    assert "SLOC" in rule_path.read_text()
    first_bytes = table_path.read_bytes()
    complexity.write_complexity(table_path, rule_path, components, uncounted={})
    assert table_path.read_bytes() == first_bytes


def test_every_project_target_exists_and_has_code():
    """The mapping points at real code: a rename anywhere breaks this test."""
    counts = complexity.measure()
    for component, by_framework in counts.items():
        for framework, lines in by_framework.items():
            assert lines > 0, (component, framework)


@pytest.mark.slow
def test_workflow_table_is_the_measurement_of_the_current_source(ci_results, tmp_path):
    complexity.write_complexity(tmp_path / "complexity.csv", tmp_path / "rule.txt")
    assert (ci_results / "tables" / "complexity.csv").read_bytes() == (tmp_path / "complexity.csv").read_bytes()
    assert (ci_results / "tables" / "complexity_rule.txt").read_text() == complexity.COUNTING_RULE


# What the page's own classes define (plus `n_inputs`, a one-line property, and `summary`, the page's
# printed architecture), the methods that count as network definition when a class counts whole.
PAGE_DEFINITION_METHODS = {"__init__", "__call__", "parameters", "n_inputs", "summary"}


def test_every_method_of_the_network_classes_is_classified():
    """A new method must be placed (a component or UNCOUNTED), not silently counted as definition."""
    import ast as syntax

    listed = {
        target.split(":")[1]
        for by_framework in [*complexity.COMPONENTS.values(), complexity.UNCOUNTED]
        for targets in by_framework.values()
        for target in targets
        if target.startswith("neurogebra.nn:")
    }
    tree = syntax.parse(complexity.module_path("neurogebra.nn").read_text())
    unplaced = [
        f"{cls.name}.{method.name}"
        for cls in tree.body
        if isinstance(cls, syntax.ClassDef) and cls.name in listed
        for method in cls.body
        if isinstance(method, syntax.FunctionDef)
        and method.name not in PAGE_DEFINITION_METHODS
        and f"{cls.name}.{method.name}" not in listed
    ]
    assert not unplaced, f"place these in complexity.COMPONENTS or UNCOUNTED: {unplaced}"
