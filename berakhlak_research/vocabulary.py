"""One argument vocabulary for every public statistic, and the guard for renamed arguments.

The words (documented in ``docs/CONVENTIONS.md``, checked by ``tests/test_vocabulary.py``):

* ``level=0.95`` - the confidence level of every interval (never ``alpha=`` or ``ci=``);
* ``aggregation`` - the name of an aggregation (national, government, unit, cohort,
  event time, ...) in arguments (``aggregations=``, ``aggregation=``) and in the
  results tables' ``aggregation`` column;
* ``weights=`` - survey weights only; the IKM element weight is ``element_weight=``,
  bootstrap multiplier distributions are ``multipliers=``;
* ``gov=`` - the government column that makes a unit code a unit
  (:mod:`berakhlak_research.keys`);
* the role columns (data, outcome, unit, time, ...) come first, every option after
  them is keyword-only.

An old argument name is never a silent alias: :func:`renamed` makes a call with it
raise a :class:`TypeError` that names the new one.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

__all__ = ["renamed", "RENAMED", "alpha_of"]

F = TypeVar("F", bound=Callable)

RENAMED = {
    "alpha": "level",
    "ci": "level",
    "weights": "multipliers",
    "weight": "element_weight",
    "levels": "aggregations",
    # Only where ``level`` named an aggregation (store.read_table, the report views);
    # everywhere else ``level=`` is the confidence level.
    "level": "aggregation",
    "return_fits": None,
}
"""Old argument names and their replacements across the package (None: removed)."""

_HINTS = {
    ("alpha", "level"): " (the confidence level: level = 1 - alpha, so alpha=0.05 is level=0.95)",
    ("ci", "level"): " (the confidence level, e.g. level=0.95)",
    ("level", "aggregation"): (
        " (the aggregation: national, province, government, unit, or overall, cohort,"
        " event_time, ...; level= is reserved for the confidence level)"
    ),
}


def alpha_of(level: float, name: str = "level") -> float:
    """The two-sided test size ``1 - level`` of a confidence level, checked.

    Rounded to 12 decimals so that ``level=0.95`` gives exactly the ``0.05``
    the code used before the rename (``1 - 0.95`` is 0.050000000000000044).

    Parameters
    ----------
    level : float
        Confidence level, strictly between 0 and 1.
    name : str
        Argument named in the error.

    Returns
    -------
    float

    Raises
    ------
    InputError
        ``level`` is not strictly between 0 and 1.
    """
    from berakhlak_research.exceptions import InputError

    if not 0 < level < 1:
        raise InputError(f"{name}={level!r} must lie strictly between 0 and 1 (e.g. 0.95).")
    return round(1.0 - float(level), 12)


def renamed(**old_to_new: str | None) -> Callable[[F], F]:
    """Make calls with an old argument name fail with a message naming the new one.

    Parameters
    ----------
    **old_to_new : str or None
        Old keyword -> new keyword; None or a sentence (what to do instead)
        when the argument was removed.

    Returns
    -------
    callable
        A decorator. The decorated function keeps its signature (for
        :func:`inspect.signature` and the docs); only calls passing an old
        keyword are intercepted.

    Examples
    --------
    >>> @renamed(alpha="level")
    ... def f(x, *, level=0.95):
    ...     return level
    >>> f(1, alpha=0.05)
    Traceback (most recent call last):
    ...
    TypeError: f(): alpha= was renamed level= (the confidence level: ...
    """

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            old = [k for k in kwargs if k in old_to_new]
            if old:
                k = old[0]
                new = old_to_new[k]
                if new is None or not new.isidentifier():
                    why = f": {new}" if new else ""
                    raise TypeError(f"{func.__name__}(): the argument {k}= was removed{why}.")
                hint = _HINTS.get((k, new), "")
                raise TypeError(f"{func.__name__}(): {k}= was renamed {new}={hint}.")
            return func(*args, **kwargs)

        wrapper.__renamed__ = dict(old_to_new)  # read by tests/test_vocabulary.py
        return wrapper  # type: ignore[return-value]

    return decorate
