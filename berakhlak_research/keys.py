"""Unit keys: a work unit is the pair (government, unit code), never the code alone.

Offices number their units 1..k within each government, so ``unit_code`` is
unique only within ``gov_code``: on the demo data 153 units share 28 codes. A
model grouped by ``unit_code`` alone silently pools different units of
different governments into one group (a random-intercept ICC of 0.20 instead of
0.89). Every public function that takes a unit column therefore goes through
:func:`resolve_unit`: it refuses a unit code repeated across governments unless
the government column is given too, and then uses the combined key of
:func:`unit_key`.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from berakhlak_research.exceptions import ValidationError

__all__ = ["GOV", "UNIT", "KEY", "unit_key", "check_unit", "resolve_unit"]

GOV = "gov_code"
"""The canonical government column; looked for when no ``gov=`` is given."""
UNIT = "unit_code"
KEY = "unit_key"
"""Name of the combined-key column :func:`resolve_unit` adds."""
SEP = "/"


def unit_key(df: pd.DataFrame, gov: str = GOV, unit: str = UNIT) -> pd.Series:
    """The combined unit key ``"<gov>/<unit>"`` (missing where either part is missing).

    Parameters
    ----------
    df : pandas.DataFrame
        Table with the government and unit columns.
    gov, unit : str
        Their names.

    Returns
    -------
    pandas.Series
        String keys, one per row of ``df``, named :data:`KEY`; unique per
        (government, unit) pair.

    Raises
    ------
    ValidationError
        A column is missing.
    """
    missing = [c for c in (gov, unit) if c not in df.columns]
    if missing:
        raise ValidationError(
            f"unit_key: column(s) {missing} not in the data (columns: {list(df.columns)}); "
            "pass gov=... and unit=... naming the government and unit columns."
        )
    g, u = df[gov], df[unit]
    # plain str (object) keys, as the hand-built keys they replace, so stored
    # tables and sort orders do not change
    key = g.astype(str) + SEP + u.astype(str)
    return key.where(g.notna() & u.notna()).rename(KEY)


def check_unit(
    df: pd.DataFrame,
    unit: str | Sequence[str],
    *,
    gov: str | None = None,
    func: str,
    arg: str = "unit",
    fix: str | None = None,
) -> None:
    """Refuse unit codes repeated across governments when no government column is given.

    ``unit`` is one column or a path of columns (nested groups, or grouping
    columns plus a cluster column) that together should identify a unit. The
    check needs the government column: with ``gov`` given nothing can be pooled
    and only its presence is checked; otherwise, if the data carry the
    canonical :data:`GOV` and the path does not include it, every path value
    must belong to one government.

    Parameters
    ----------
    df : pandas.DataFrame
        The data the function was given.
    unit : str or sequence of str
        The unit column, or the columns that jointly identify the unit.
    gov : str, optional
        The government column the caller passed.
    func, arg : str
        Function and argument named in the message.
    fix : str, optional
        The remedy the message gives; default: pass ``gov=`` or use
        :func:`unit_key`.

    Raises
    ------
    ValidationError
        The codes repeat across governments (the message names the fix), or
        ``gov`` is not a column.
    """
    if gov is not None:
        if gov not in df.columns:
            raise ValidationError(
                f"{func}: gov={gov!r} is not a column of the data (columns: {list(df.columns)})."
            )
        return
    cols = [unit] if isinstance(unit, str) else list(dict.fromkeys(unit))
    if GOV in cols or GOV not in df.columns or not all(c in df.columns for c in cols):
        return  # nothing to pool, or the caller's own column check names what is missing
    pairs = df[[*cols, GOV]].dropna().drop_duplicates()
    per_code = pairs.groupby(cols, sort=False, observed=True).size()
    repeated = per_code[per_code > 1]
    if len(repeated):
        what = f"{arg}={unit!r}"
        raise ValidationError(
            f"{func}: {what} is unique only within a government: {len(repeated)} of its "
            f"{len(per_code)} codes (e.g. {repeated.index[0]!r}) appear under more than one "
            f"{GOV!r}, so {len(pairs)} units would be pooled into {len(per_code)} groups. "
            + (
                fix
                or f"Pass gov={GOV!r} (the unit is then the pair) or use keys.unit_key(df) "
                "as the unit column."
            )
        )


def resolve_unit(
    df: pd.DataFrame, unit: str, *, gov: str | None = None, func: str, arg: str = "unit"
) -> tuple[pd.DataFrame, str]:
    """The data and the unit column a function should group by.

    Without ``gov``: the data and ``unit`` unchanged, after :func:`check_unit`
    refused codes repeated across governments. With ``gov``: a copy of the data
    with the combined key column :data:`KEY` and that name.

    Parameters
    ----------
    df : pandas.DataFrame
    unit : str
        The unit column.
    gov : str, optional
        The government column; the unit is then the pair.
    func, arg : str
        Function and argument named in messages.

    Returns
    -------
    tuple of (pandas.DataFrame, str)
        The data to use and the name of its unit column.

    Raises
    ------
    ValidationError
        As :func:`check_unit`, or a column is missing.
    """
    check_unit(df, unit, gov=gov, func=func, arg=arg)
    if gov is None or gov == unit:
        return df, unit
    if unit not in df.columns:
        raise ValidationError(
            f"{func}: {arg}={unit!r} is not a column of the data (columns: {list(df.columns)})."
        )
    return df.assign(**{KEY: unit_key(df, gov, unit)}), KEY
