"""Which groups were withheld from report-facing outputs, and why.

Every index function withholds a group whose figure rests on fewer than
``min_group`` respondents (default 10, never below 5): its estimate, SE and
interval are NaN, ``suppressed`` is True and ``suppression_reason`` says why.
The respondents still count in the parent groups (a unit's respondents are in
its government's figure). :func:`suppression_table` lists the withheld groups
of the results tables, one row per group.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["suppression_table"]

_COLUMNS = ["table", "aggregation", "gov_code", "unit_code", "wave", "n", "reason"]


def suppression_table(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per withheld group of each results table.

    Parameters
    ----------
    tables : dict of str -> pandas.DataFrame
        Results tables with ``suppressed`` and ``suppression_reason`` columns
        (``wave`` or ``period``; ``aggregation``, ``unit_code`` optional). Tables
        without a ``suppressed`` column are skipped.

    Returns
    -------
    pandas.DataFrame
        ``table, aggregation, gov_code, unit_code, wave, n, reason``; ``n`` is the
        smallest count among the group's withheld figures.
    """
    keys = ["table", "aggregation", "gov_code", "unit_code", "wave"]
    parts = []
    for name, df in tables.items():
        if df is None or "suppressed" not in df.columns:
            continue
        s = df[df["suppressed"].astype(bool)]
        if s.empty:
            continue
        # Grouped by category codes: a national culture_behaviour table withholds
        # 1.6M rows, and casting them to strings first took over a second.
        part = pd.DataFrame(
            {
                "aggregation": _as_category(s["aggregation"]) if "aggregation" in s else pd.NA,
                "gov_code": _as_category(s["gov_code"]) if "gov_code" in s else pd.NA,
                "unit_code": _as_category(s["unit_code"]) if "unit_code" in s else pd.NA,
                "wave": (s["wave"] if "wave" in s else s["period"]).astype("Int64"),
                "n": s["n"].astype("Int64"),
                "reason": _as_category(s["suppression_reason"]),
            }
        )
        part = (
            part.groupby(keys[1:], dropna=False, sort=False, observed=True)
            .agg(n=("n", "min"), reason=("reason", "first"))
            .reset_index()
        )
        for c in ("aggregation", "gov_code", "unit_code", "reason"):
            part[c] = part[c].astype("string")
        part.insert(0, "table", name)
        parts.append(part.sort_values(keys[1:], ignore_index=True))
    if not parts:
        return pd.DataFrame(
            {c: pd.Series(dtype="string" if c != "n" else "Int64") for c in _COLUMNS}
        )
    out = pd.concat(parts, ignore_index=True)
    out["table"] = out["table"].astype("string")
    out["wave"] = out["wave"].astype("Int64")
    return out[_COLUMNS]


def _as_category(col: pd.Series) -> pd.Series:
    """``col`` as a categorical (kept when it is one), for grouping by codes."""
    return col if isinstance(col.dtype, pd.CategoricalDtype) else col.astype("category")
