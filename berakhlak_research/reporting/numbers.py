"""Numbers as the reader of each report language writes them.

Indonesian (PUEBI, as BPS and KemenPAN-RB publish) groups thousands with a
point and marks decimals with a comma: "21.129", "67,4". English is the other
way round: "21,129", "67.4". Years and other calendar codes are never grouped
("2023", not "2.023"); p-values below 0.001 print as "< 0,001" / "< 0.001"
(never "0.000"); an interval prints as "65,9 - 69,0". Missing values print as
an em dash.

Every function returns plain text (not HTML-escaped) and takes ``lang`` in
:data:`berakhlak_research.framework.LANGUAGES`.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import pandas as pd

from berakhlak_research.i18n import check_lang

__all__ = [
    "MISSING",
    "P_FLOOR",
    "YEAR_COLUMNS",
    "COUNT_COLUMNS",
    "number",
    "integer",
    "p_value",
    "year",
    "interval",
    "value",
    "decimal_separator",
]

MISSING = "—"
"""What a missing value prints as."""

P_FLOOR = 0.001
"""p-values below this print as "< 0,001" / "< 0.001"."""

YEAR_COLUMNS = frozenset({"wave", "year", "period", "cohort", "first_wave", "prev_wave"})
"""Columns holding years (or cohorts named by their first year): never grouped."""

COUNT_COLUMNS = frozenset({"n", "count", "respondents", "population", "required", "participants",
                           "rows", "n_units", "n_governments", "headcount", "rank_national"})  # fmt: skip
"""Columns holding counts: whole numbers even when stored as floats ("251", not "251,0")."""

# columns whose numbers are not plain reals (value() decides them one by one)
_SPECIAL_COLUMNS = YEAR_COLUMNS | COUNT_COLUMNS | {"p_value"}

# English text -> Indonesian text: swap the two separators in one pass
_TO_ID = str.maketrans({",": ".", ".": ","})


def _missing(x) -> bool:
    if x is None or x is pd.NA or x is pd.NaT:
        return True
    return isinstance(x, (float, np.floating)) and math.isnan(x)


def _localise(text: str, lang: str) -> str:
    return text.translate(_TO_ID) if check_lang(lang) == "id" else text


def decimal_separator(lang: str) -> str:
    """ "," in Indonesian, "." in English."""
    return "," if check_lang(lang) == "id" else "."


def number(x, lang: str = "id", digits: int = 1) -> str:
    """A real number with ``digits`` decimals and grouped thousands.

    Parameters
    ----------
    x : float
        The value (None and NaN print as :data:`MISSING`).
    lang : {"id", "en"}
        Report language.
    digits : int
        Decimals shown.

    Returns
    -------
    str
        E.g. ``number(2391.04, "id")`` -> "2.391,0"; ``"en"`` -> "2,391.0".
    """
    if _missing(x):
        return MISSING
    x = float(x)
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    text = f"{x:,.{digits}f}"
    if text.startswith("-") and not any(c not in "-0.," for c in text):
        text = text[1:]  # -0.0 after rounding is zero
    return _localise(text, lang)


def integer(x, lang: str = "id") -> str:
    """A count with grouped thousands: "21.129" (id), "21,129" (en)."""
    if _missing(x):
        return MISSING
    return _localise(f"{int(round(float(x))):,}", lang)


def year(x) -> str:
    """A year or cohort, never grouped: 2023 -> "2023"."""
    if _missing(x):
        return MISSING
    return str(int(x)) if isinstance(x, (numbers.Real, np.number)) else str(x)


def p_value(p, lang: str = "id", digits: int = 3) -> str:
    """A p-value: "< 0,001" below :data:`P_FLOOR`, else ``digits`` decimals ("0,042")."""
    if _missing(p):
        return MISSING
    p = float(p)
    if p < P_FLOOR:
        return "< " + _localise(f"{P_FLOOR:.3f}", lang)
    return _localise(f"{min(p, 1.0):.{digits}f}", lang)


def interval(lo, hi, lang: str = "id", digits: int = 1) -> str:
    """A confidence interval "65,9 - 69,0" (id) / "65.9 - 69.0" (en); missing ends -> "—"."""
    if _missing(lo) or _missing(hi):
        return MISSING
    return f"{number(lo, lang, digits)} - {number(hi, lang, digits)}"


def value(x, lang: str = "id", digits: int = 1, column: str | None = None) -> str:
    """Any table cell as text, chosen by its type and column.

    Years (``column`` in :data:`YEAR_COLUMNS`) are never grouped, a
    ``p_value`` column goes through :func:`p_value`, whole numbers and the
    whole values of a count column (:data:`COUNT_COLUMNS`) are counts
    (:func:`integer`), reals :func:`number`; booleans and text are returned as
    they are.

    Returns
    -------
    str
    """
    # the cells of a report table are mostly plain str, float and int (a column's
    # tolist()): decided by exact type first, without the abstract-class checks below
    kind = type(x)
    if kind is str:
        return x
    if kind is float and column not in _SPECIAL_COLUMNS:
        return number(x, lang, digits)  # NaN -> MISSING there
    if kind is int and column not in YEAR_COLUMNS and column != "p_value":
        return integer(x, lang)  # counts included: a whole count is an integer
    if _missing(x):
        return MISSING
    if isinstance(x, (bool, np.bool_)):
        return str(bool(x))
    if column in YEAR_COLUMNS and isinstance(x, (numbers.Real, np.number)):
        return year(x)
    if column == "p_value" and isinstance(x, (numbers.Real, np.number)):
        return p_value(x, lang, max(digits, 3))
    if (
        column in COUNT_COLUMNS
        and isinstance(x, (numbers.Real, np.number))
        and float(x).is_integer()
    ):
        return integer(x, lang)
    if isinstance(x, (numbers.Integral, np.integer)):
        return integer(x, lang)
    if isinstance(x, (numbers.Real, np.floating)):
        return number(x, lang, digits)
    return str(x)
