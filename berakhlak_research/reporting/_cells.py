"""A table as plain Python columns: what the CSV and XLSX writers of a report read.

``outputs.write_tables`` writes every report table three times (CSV, Excel CSV,
an XLSX sheet). Converting the frame once to Python lists, and formatting
those, replaced a pandas call per column per file; columns of other dtypes
(dates, durations, float32, nullable floats, ...) keep their pandas Series so
pandas formats them exactly as ``DataFrame.to_csv`` would. Private to
``reporting`` (``outputs`` and ``xlsx``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__: list[str] = []


def _missing(v) -> bool:
    """Whether a cell value is written as an empty cell (None, NA or a float NaN)."""
    return v is None or v is pd.NA or (isinstance(v, float) and v != v)


# Column kinds of a _Table. Plain columns are converted once to Python lists and
# written without a pandas call per column; pandas formats every other dtype
# (dates, durations, periods, float32, nullable floats, ...) itself, so their text
# stays exactly what DataFrame.to_csv writes.
_FLOAT, _PLAIN, _TEXT, _PANDAS = "float", "plain", "text", "pandas"
_MASKED = (
    pd.Int8Dtype, pd.Int16Dtype, pd.Int32Dtype, pd.Int64Dtype,
    pd.UInt8Dtype, pd.UInt16Dtype, pd.UInt32Dtype, pd.UInt64Dtype, pd.BooleanDtype,
)  # fmt: skip


def _kind(dtype) -> str:
    """The :class:`_Table` kind of a dtype (text columns are confirmed by their cells)."""
    if isinstance(dtype, np.dtype):
        if dtype == np.float64:
            return _FLOAT
        if dtype.kind in "iub":
            return _PLAIN
        return _TEXT if dtype.kind == "O" else _PANDAS
    if isinstance(dtype, _MASKED):
        return _PLAIN
    if isinstance(dtype, (pd.StringDtype, pd.CategoricalDtype)):
        return _TEXT
    return _PANDAS


@dataclass
class _Table:
    """A table as plain Python columns, shared by the CSV and XLSX writers.

    Attributes
    ----------
    headers : list
        Column names, by position (they may repeat).
    nrows : int
        Number of rows (a table without columns still has them).
    kinds : list of str
        ``_FLOAT`` (float64: cells are floats), ``_PLAIN`` (integers and booleans,
        numpy or nullable), ``_TEXT`` (str cells or missing) or ``_PANDAS``.
    dtypes : list
        The dtype of each column (its display style).
    cells : list of list
        Each column's values as ``DataFrame.astype(object)`` holds them.
    series : dict of int -> pandas.Series
        The ``_PANDAS`` columns, by position, for pandas to format.
    """

    headers: list
    nrows: int
    kinds: list
    dtypes: list
    cells: list
    series: dict = field(default_factory=dict)

    def set_series(self, i: int, s: pd.Series) -> None:
        """Make column ``i`` a pandas-formatted column holding ``s``."""
        self.kinds[i], self.dtypes[i], self.series[i] = _PANDAS, s.dtype, s
        self.cells[i] = s.astype(object).tolist()


def _frame_table(df: pd.DataFrame) -> _Table:
    """``df`` as a :class:`_Table`: one conversion to Python objects for the whole frame."""
    dtypes = df.dtypes.tolist()
    kinds = [_kind(d) for d in dtypes]
    # one pandas call for all the plain columns (per block, not per column)
    cells = df.to_numpy(dtype=object).T.tolist() if df.shape[1] else []
    tab = _Table(list(df.columns), df.shape[0], kinds, dtypes, cells)
    for i, kind in enumerate(kinds):
        if kind == _TEXT:
            # a text column holds only str and missing cells (else pandas formats it);
            # a categorical one only when pandas counts it as text (its categories are)
            plain = all(isinstance(v, str) or _missing(v) for v in cells[i])
            if not plain or (
                isinstance(dtypes[i], pd.CategoricalDtype)
                and not pd.api.types.is_string_dtype(df.iloc[:, i])
            ):
                tab.set_series(i, df.iloc[:, i])
        elif kind == _PANDAS:
            tab.set_series(i, df.iloc[:, i])
    return tab
