"""Whether operations record a graph: on by default, off inside ``with no_grad():``.

Inference needs values only. Inside ``no_grad`` both engines compute the same numbers but record
no inputs and no backward functions, as ``torch.no_grad`` does: the results are constants, there
is no graph to keep alive or to free, and ``backward()`` from them is an error.
"""

__all__ = ["no_grad", "is_grad_enabled"]


class GradMode:
    """The switch the engines read on every operation (a class attribute: one cheap lookup)."""

    enabled = True


def is_grad_enabled():
    """True unless inside ``no_grad``."""
    return GradMode.enabled


class no_grad:
    """Context manager: operations inside record no graph. Nests; restores the previous mode on exit.

    >>> with no_grad():
    ...     scores = net(X)        # a Tensor (or Values) with no graph behind it
    """

    def __enter__(self):
        self._previous = GradMode.enabled
        GradMode.enabled = False
        return self

    def __exit__(self, *exc_info):
        GradMode.enabled = self._previous
        return False
