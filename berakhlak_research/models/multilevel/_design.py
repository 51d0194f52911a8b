"""Response vector and design matrix of a model formula (plain columns read directly)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from berakhlak_research.exceptions import InputError

__all__ = ["design"]

_SIMPLE_TERM = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _simple_terms(formula: str) -> tuple[str, list[str], bool] | None:
    """Parse ``y ~ a + b [- 1]`` with plain column names; None if the formula is richer."""
    if formula.count("~") != 1:
        return None
    lhs, rhs = (s.strip() for s in formula.split("~"))
    if not _SIMPLE_TERM.match(lhs):
        return None
    intercept = True
    terms: list[str] = []
    for raw in re.split(r"(?=[+-])", rhs.replace(" ", "")):
        if not raw:
            continue
        sign, name = raw[0] if raw[0] in "+-" else "+", raw.lstrip("+-")
        if name == "1":
            intercept = sign == "+"
        elif name == "0" and sign == "+":
            intercept = False
        elif sign == "+" and _SIMPLE_TERM.match(name):
            terms.append(name)
        else:
            return None
    return lhs, terms, intercept


def design(data: pd.DataFrame, formula: str, *, extra: tuple[str, ...] = ()):
    """Response vector, design matrix and term names of a formula; rows with NA dropped.

    Plain numeric columns are read directly (fast at millions of rows); richer
    formulas (``C(x)``, interactions, transforms) go through formulaic.

    Parameters
    ----------
    data : pandas.DataFrame
    formula : str
        ``"y ~ x1 + x2"``; an intercept is included unless ``- 1`` or ``0``.
    extra : tuple of str
        Further columns that must be non-missing (e.g. grouping columns).

    Returns
    -------
    tuple
        ``(y, X, names, keep)``: float arrays, term names and the boolean mask
        of the rows of ``data`` used.
    """
    simple = _simple_terms(formula)
    if simple is not None and all(
        c in data.columns and pd.api.types.is_numeric_dtype(data[c])
        for c in [simple[0], *simple[1]]
    ):
        lhs, terms, intercept = simple
        cols = [lhs, *terms]
        keep = np.ones(len(data), dtype=bool)
        for c in [*cols, *extra]:
            keep &= data[c].notna().to_numpy()
        arrays = [data[c].to_numpy(dtype="float64", na_value=np.nan) for c in cols]
        if not keep.all():
            arrays = [a[keep] for a in arrays]
        n = int(keep.sum())
        y = arrays[0]
        X = np.empty((n, len(terms) + intercept), dtype="float64")
        if intercept:
            X[:, 0] = 1.0
        for j, a in enumerate(arrays[1:]):
            X[:, j + intercept] = a
        names = (["Intercept"] if intercept else []) + terms
        return y, X, names, keep
    try:
        import formulaic

        needed = sorted(formulaic.Formula(formula).required_variables)
        needed = [str(getattr(v, "name", v)) for v in needed]
        missing = [c for c in [*needed, *extra] if c not in data.columns]
        if missing:
            raise InputError(
                f"Formula {formula!r} needs column(s) {missing} that the data lack; "
                f"available: {list(data.columns)[:20]}."
            )
        keep = data[[*needed, *extra]].notna().all(axis=1).to_numpy()
        sub = data.loc[keep]
        mm = formulaic.model_matrix(formula, sub, na_action="raise")
    except InputError:
        raise
    except Exception as err:  # formulaic raises many types
        raise InputError(f"Cannot build the design of formula {formula!r}: {err}") from err
    y = np.asarray(mm.lhs, dtype="float64").ravel()
    X = np.asarray(mm.rhs, dtype="float64")
    return y, X, list(mm.rhs.columns), keep
