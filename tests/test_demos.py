"""The softmax demo and the MathForge table hold the page's numbers, derived here independently."""

import math

import pytest
import sympy

from spiralbench import demos
from spiralbench.io import write_csv

SCORES = [2.0, 1.0, 0.1]


def expected_softmax():
    exps = [math.exp(s) for s in SCORES]
    probabilities = [e / sum(exps) for e in exps]
    return probabilities, -math.log(probabilities[0])


@pytest.fixture(scope="module")
def softmax_table():
    return demos.softmax_demo_table()


def test_softmax_demo_rows_and_columns(softmax_table):
    assert list(softmax_table.columns) == demos.SOFTMAX_COLUMNS
    assert list(softmax_table["framework"]) == ["neurogebra"] * 3 + ["pytorch"] * 3
    assert list(softmax_table["class"]) == [0, 1, 2] * 2
    assert list(softmax_table["score"]) == SCORES * 2


# PyTorch computes the demo in float32: a few units of its 1.2e-7 epsilon.
@pytest.mark.parametrize("framework, tolerance", [("neurogebra", 1e-15), ("pytorch", 1e-6)])
def test_softmax_demo_is_the_softmax_and_cross_entropy(softmax_table, framework, tolerance):
    rows = softmax_table[softmax_table["framework"] == framework]
    probabilities, loss = expected_softmax()
    assert list(rows["probability"]) == pytest.approx(probabilities, rel=tolerance)
    assert list(rows["loss"]) == pytest.approx([loss] * 3, rel=tolerance)
    # What the page prints: probabilities [0.659, 0.242, 0.099], loss 0.4170.
    assert [f"{p:.3f}" for p in rows["probability"]] == ["0.659", "0.242", "0.099"]
    assert f"{rows['loss'].iloc[0]:.4f}" == "0.4170"


@pytest.fixture(scope="module")
def forge_table():
    return demos.mathforge_table()


def row(table, expression, x):
    found = table[(table["expression"] == expression) & (table["x"] == x)]
    assert len(found) == 1
    return found.iloc[0]


def test_relu_at_the_pages_points(forge_table):
    # The page's Step 8: ReLU at 2 and -2, and its gradient there.
    assert (row(forge_table, "relu", 2.0)["value"], row(forge_table, "relu", 2.0)["gradient_value"]) == (2.0, 1.0)
    assert (row(forge_table, "relu", -2.0)["value"], row(forge_table, "relu", -2.0)["gradient_value"]) == (0.0, 0.0)
    # At the kink the gradient is PyTorch's convention, 0.
    assert row(forge_table, "relu", 0.0)["gradient_value"] == 0.0


def test_formulas_are_the_activations_and_their_derivatives(forge_table):
    x = sympy.Symbol("x", real=True)
    formulas = {"relu": sympy.Max(0, x), "sigmoid": 1 / (1 + sympy.exp(-x)), "tanh": sympy.tanh(x)}
    for name, formula in formulas.items():
        first = row(forge_table, name, 2.0)
        parsed = sympy.sympify(first["symbolic"], locals={"x": x})
        assert sympy.simplify(parsed - formula) == 0
        assert first["symbolic_latex"] and first["gradient_latex"]
    sigmoid_gradient = sympy.sympify(row(forge_table, "sigmoid", 0.0)["gradient"], locals={"x": x})
    assert sympy.simplify(sigmoid_gradient - sympy.diff(formulas["sigmoid"], x)) == 0


@pytest.mark.parametrize("x", demos.POINTS)
def test_values_match_closed_forms_and_the_engine(forge_table, x):
    sigmoid = 1 / (1 + math.exp(-x))
    expected = {
        "relu": (max(0.0, x), 1.0 if x > 0 else 0.0),
        "sigmoid": (sigmoid, sigmoid * (1 - sigmoid)),
        "tanh": (math.tanh(x), 1 - math.tanh(x) ** 2),
    }
    for name, (value, gradient) in expected.items():
        found = row(forge_table, name, x)
        assert found["value"] == pytest.approx(value, rel=1e-12, abs=1e-15)
        assert found["gradient_value"] == pytest.approx(gradient, rel=1e-12, abs=1e-15)
        assert found["engine_value"] == pytest.approx(value, rel=1e-12, abs=1e-15)
        assert found["engine_gradient_value"] == pytest.approx(gradient, rel=1e-12, abs=1e-15)


def test_tables_are_written_to_the_same_bytes(tmp_path, softmax_table, forge_table):
    for name, build, columns in [
        ("softmax.csv", demos.softmax_demo_table, demos.SOFTMAX_COLUMNS),
        ("mathforge.csv", demos.mathforge_table, demos.MATHFORGE_COLUMNS),
    ]:
        write_csv(tmp_path / name, build(), columns)
        first = (tmp_path / name).read_bytes()
        write_csv(tmp_path / name, build(), columns)
        assert (tmp_path / name).read_bytes() == first
        assert b"\r\n" not in first


@pytest.mark.slow
def test_workflow_writes_both_demo_tables(ci_results, tmp_path):
    for name, build, columns in [
        ("softmax_demo.csv", demos.softmax_demo_table, demos.SOFTMAX_COLUMNS),
        ("mathforge.csv", demos.mathforge_table, demos.MATHFORGE_COLUMNS),
    ]:
        write_csv(tmp_path / name, build(), columns)
        assert (ci_results / "tables" / name).read_bytes() == (tmp_path / name).read_bytes()
