"""MathForge: the library's mathematics as symbolic expressions you can read, differentiate and evaluate.

    >>> forge = MathForge()
    >>> relu = forge.get("relu")
    >>> relu.symbolic_expr
    Max(0, x)
    >>> relu.gradient("x").symbolic_expr
    Heaviside(x, 0)
    >>> relu.eval(x=2.0), relu.gradient("x").eval(x=-2.0)
    (2.0, 0.0)

An ``Expression`` wraps a sympy formula: ``str`` and ``latex`` show it,
``gradient`` differentiates it exactly, ``eval`` computes it on numbers or
numpy arrays. ``MathForge`` is the catalogue of named expressions
(``neurogebra.core.expressions`` lists them and the gradient conventions at
kinks).
"""

import difflib
import functools
import math

import numpy as np
import sympy

from neurogebra.core.expressions import DEFINITIONS


# numpy has no erf (gelu needs it); the standard library's is exact to double precision.
_erf = np.vectorize(math.erf, otypes=[float])
_LAMBDIFY_MODULES = [{"erf": _erf}, "numpy"]


def _with_pytorch_kink_convention(derivative):
    """sympy differentiates max(0, x) to Heaviside(x), whose value at 0 is 1/2.
    PyTorch's relu has gradient 0 at 0; fix Heaviside(0) = 0 so both agree."""
    return derivative.replace(
        lambda node: isinstance(node, sympy.Heaviside),
        lambda node: sympy.Heaviside(node.args[0], 0),
    )


class Expression:
    """A named symbolic formula with variables (always given) and parameters (with defaults).

    Args:
        name: how the expression is called (shown in messages and ``str``).
        symbolic_expr: a sympy expression (or a string sympy can parse).
        variables: names of the symbols ``eval`` requires, in order. Defaults to
            every free symbol that is not a parameter, alphabetically.
        params: parameter name -> default value, e.g. ``{"alpha": 0.01}``.
        kind: "activation", "loss", "gradient", or anything that describes it.
        description: one sentence of meaning.
    """

    def __init__(self, name, symbolic_expr, variables=None, params=None, kind="expression", description=""):
        self.name = name
        self.symbolic_expr = sympy.sympify(symbolic_expr)
        self.params = dict(params or {})
        self.kind = kind
        self.description = description

        free = {symbol.name: symbol for symbol in self.symbolic_expr.free_symbols}
        if variables is None:
            variables = sorted(n for n in free if n not in self.params)
        self.variables = tuple(variables)

        unaccounted = sorted(set(free) - set(self.variables) - set(self.params))
        if unaccounted:
            raise ValueError(
                f"expression {name!r} has symbol(s) {', '.join(unaccounted)} that are neither "
                f"variables {list(self.variables)} nor parameters {list(self.params)}"
            )
        # A variable may be absent from the formula (the gradient of x is 1), yet it is still an argument.
        self._symbols = {n: free.get(n, sympy.Symbol(n, real=True)) for n in self.variables + tuple(self.params)}
        self._gradients = {}

    # --- reading -----------------------------------------------------------------

    @property
    def latex(self):
        """The formula in LaTeX, e.g. ``\\max\\left(0, x\\right)`` for relu."""
        return sympy.latex(self.symbolic_expr)

    def _repr_latex_(self):
        return f"$\\displaystyle {self.latex}$"

    def __str__(self):
        return f"{self.name}({', '.join(self.variables)}) = {self.symbolic_expr}"

    def __repr__(self):
        return f"Expression({self.name!r}, {str(self.symbolic_expr)!r})"

    # --- calculus ------------------------------------------------------------------

    def gradient(self, variable):
        """The exact derivative with respect to ``variable`` (a variable or a parameter name).

        At kinks the derivative takes PyTorch's value (see ``neurogebra.core.expressions``).
        The result keeps this expression's variables and parameters, so it is evaluated
        with the same arguments.
        """
        if variable not in self._symbols:
            raise ValueError(
                f"cannot differentiate {self.name!r} with respect to {variable!r}: "
                f"its variables are {list(self.variables)} and its parameters {list(self.params)}"
            )
        if variable not in self._gradients:
            derivative = sympy.diff(self.symbolic_expr, self._symbols[variable])
            self._gradients[variable] = Expression(
                f"d{self.name}/d{variable}",
                _with_pytorch_kink_convention(derivative),
                variables=self.variables,
                params=self.params,
                kind="gradient",
                description=f"derivative of {self.name} with respect to {variable}",
            )
        return self._gradients[variable]

    # --- numbers -------------------------------------------------------------------

    @functools.cached_property
    def _compiled(self):
        # Compiling with lambdify costs milliseconds; evaluating the result costs microseconds.
        arguments = [self._symbols[n] for n in self.variables + tuple(self.params)]
        return sympy.lambdify(arguments, self.symbolic_expr, modules=_LAMBDIFY_MODULES)

    def eval(self, **values):
        """Evaluate at ``values`` (every variable by name; parameters optional).

        Numbers give a float; numpy arrays (or lists) give an ndarray of their
        broadcast shape. The formula is evaluated as written, in float64: outside
        its domain (log of 0) or where its exponentials overflow (sigmoid's
        gradient below x = -709) it gives inf or nan, with numpy's warning.
        """
        unknown = [n for n in values if n not in self._symbols]
        if unknown:
            raise TypeError(f"{self.name}.eval() got unknown name(s) {', '.join(unknown)}; {self._signature()}")
        missing = [n for n in self.variables if n not in values]
        if missing:
            raise TypeError(f"{self.name}.eval() is missing variable(s) {', '.join(missing)}; {self._signature()}")

        arguments = [self._as_array(n, values[n]) for n in self.variables]
        arguments += [self._as_array(n, values.get(n, default)) for n, default in self.params.items()]
        with np.errstate(over="ignore"):
            # exp overflowing to inf is routine and harmless here: np.select (from Piecewise)
            # evaluates every branch, even where it is not selected, and 1 / (1 + inf) is
            # sigmoid's correct 0. Invalid operations (inf / inf, log of a negative) still warn.
            result = np.asarray(self._compiled(*arguments), dtype=float)
        shape = np.broadcast_shapes(*(argument.shape for argument in arguments))
        if shape == ():
            return float(result)
        # A formula that ignores its variables (the gradient of x is 1) returns a scalar.
        return np.broadcast_to(result, shape).copy()

    def _as_array(self, name, value):
        try:
            return np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(
                f"{self.name}.eval(): {name} must be a number or an array of numbers, got {value!r}"
            ) from None

    def _signature(self):
        params = ", ".join(f"{n}={default}" for n, default in self.params.items())
        return f"it takes variables ({', '.join(self.variables)})" + (f" and parameters ({params})" if params else "")


@functools.cache
def _catalogue():
    """Build the named expressions once; every MathForge shares them (and their compiled forms)."""
    expressions, aliases = {}, {}
    for definition in DEFINITIONS:
        expressions[definition.name] = Expression(
            definition.name,
            definition.formula,
            variables=definition.variables,
            params=definition.params,
            kind=definition.kind,
            description=definition.description,
        )
        aliases.update({alias: definition.name for alias in definition.aliases})
    return expressions, aliases


class MathForge:
    """The catalogue of named expressions: ``get``, ``list``, ``search``, ``register``.

    ``register`` adds to this forge only; every new MathForge starts from the built-in catalogue.
    """

    def __init__(self):
        expressions, aliases = _catalogue()
        self._expressions = dict(expressions)
        self._aliases = dict(aliases)

    def get(self, name):
        """The expression called ``name`` (or one of its aliases, e.g. "bce").

        An unknown name raises KeyError listing the closest known names.
        """
        name = self._aliases.get(name, name)
        if name not in self._expressions:
            known = list(self._expressions) + list(self._aliases)
            closest = difflib.get_close_matches(str(name), known, n=3, cutoff=0.5)
            hint = f"closest: {', '.join(closest)}" if closest else f"known: {', '.join(self.list())}"
            raise KeyError(f"no expression named {name!r}; {hint}")
        return self._expressions[name]

    def list(self, kind=None):
        """Sorted names of all expressions, or only those of ``kind`` ("activation", "loss", ...)."""
        if kind is None:
            return sorted(self._expressions)
        kinds = {expression.kind for expression in self._expressions.values()}
        if kind not in kinds:
            raise ValueError(f"unknown kind {kind!r}; kinds are {', '.join(sorted(kinds))}")
        return sorted(n for n, expression in self._expressions.items() if expression.kind == kind)

    def search(self, query):
        """Names whose name, alias or description contains ``query`` (case-insensitive);
        names that contain it come first."""
        query = query.lower()
        aliases_of = {}
        for alias, name in self._aliases.items():
            aliases_of.setdefault(name, []).append(alias)

        def matches(name):
            words = [name, *aliases_of.get(name, []), self._expressions[name].description]
            return any(query in word.lower() for word in words)

        found = [name for name in self._expressions if matches(name)]
        return sorted(found, key=lambda name: (query not in name.lower(), name))

    def register(self, expression, aliases=()):
        """Add ``expression`` under its name (and ``aliases``); a name already in use raises ValueError."""
        for name in (expression.name, *aliases):
            if name in self._expressions or name in self._aliases:
                raise ValueError(f"an expression named {name!r} already exists")
        self._expressions[expression.name] = expression
        self._aliases.update({alias: expression.name for alias in aliases})
        return expression

    def __contains__(self, name):
        return name in self._expressions or name in self._aliases

    def __repr__(self):
        return f"MathForge({len(self._expressions)} expressions: {', '.join(self.list())})"
