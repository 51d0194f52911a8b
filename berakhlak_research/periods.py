"""Survey periods: a year, a semester, a quarter, a month or a month range.

PermenPANRB 14/2017 lets a unit run its SKM per year, semester, quarter or
month, so an SKM export's "Periode" column holds text such as "2025",
"Semester I 2025", "Triwulan II 2025", "Tahun 2023 Semester 1", "Juni 2025",
"Januari - Juni 2026", "Januari s.d. Juni 2026", or a survey date
("2025-06-15", "15/06/2025") that a declared rule turns into its period.

Every period is stored under one canonical, language-free code:

=================  ===========================  ======
code               meaning                      months
=================  ===========================  ======
``2025``           the year                     1..12
``2025-S1``        semester I (January-June)    1..6
``2025-Q2``        quarter / triwulan II        4..6
``2025-06``        a month                      6
``2026-01..05``    a month range in one year    1..5
=================  ===========================  ======

A month range that is exactly a semester, a quarter, a month or the whole
year gets that code ("Januari - Juni 2026" is ``2026-S1``). The year of every
period is its first four characters, so the integer ``period`` column of the
SKM tables (the survey year everything downstream groups by) and the
``period_code`` column (the period itself) can never disagree.

Codes do not sort chronologically as strings ("2025-06" < "2025-Q1"); use
:func:`period_sort_key` or :func:`sort_periods`. :func:`period_label` shows
a code in Indonesian or English.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "DATE_RULES",
    "Period",
    "PeriodError",
    "parse_period",
    "to_periods",
    "period_months",
    "period_sort_key",
    "sort_periods",
    "period_label",
    "period_of_dates",
]

DATE_RULES = ("year", "semester", "quarter", "month")
"""How a survey date becomes a period (declared in a mapping or ``--period-rule``)."""

_MONTHS_ID = ("januari", "februari", "maret", "april", "mei", "juni", "juli", "agustus",
              "september", "oktober", "november", "desember")  # fmt: skip
_MONTHS_EN = ("january", "february", "march", "april", "may", "june", "july", "august",
              "september", "october", "november", "december")  # fmt: skip
_MONTH_NAMES: dict[str, int] = {}
for _i, (_a, _b) in enumerate(zip(_MONTHS_ID, _MONTHS_EN, strict=True), start=1):
    for _n in (_a, _b, _a[:3], _b[:3]):
        _MONTH_NAMES.setdefault(_n, _i)
_MONTH_NAMES |= {"agt": 8, "agu": 8, "ags": 8, "okt": 10, "des": 12, "nop": 11, "sept": 9,
                 "pebruari": 2, "nopember": 11}  # fmt: skip
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00a0\u202f]")

_MONTH_RE = "|".join(sorted(map(re.escape, _MONTH_NAMES), key=len, reverse=True))
_NUM = r"(i{1,3}|iv|[1-4])"
_SEM_WORDS = r"(?:semester|smt|sem|half|h)"
_QTR_WORDS = r"(?:triwulan|tw|kuartal|quarter|qtr|q|trimester)"
_YEAR = r"((?:19|20)\d\d)"
_RANGE_SEP = r"(?:-|–|—|s\.?\s*/?\s*d\.?|sd|sampai(?: dengan)?|hingga|to|until|through)"

_PATTERNS: list[tuple[re.Pattern, str]] = [
    (re.compile(rf"^{_YEAR}$"), "year"),
    (re.compile(rf"^(?:tahun|year|th\.?)\s*{_YEAR}$"), "year"),
    (re.compile(rf"^{_YEAR}\s*-?\s*s([12])$"), "sem_ys"),
    (re.compile(rf"^{_YEAR}\s*-?\s*h([12])$"), "sem_ys"),
    (re.compile(rf"^{_YEAR}\s*-?\s*q([1-4])$"), "qtr_ys"),
    (re.compile(rf"^{_YEAR}-(0[1-9]|1[0-2])$"), "month_ym"),
    (re.compile(rf"^(0?[1-9]|1[0-2])\s*[/-]\s*{_YEAR}$"), "month_my"),
    # "Semester I 2025", "Smt. 2 Tahun 2025", "S1 2025", "H1 2025"
    (re.compile(rf"^{_SEM_WORDS}\.?\s*(?:ke\s*)?-?{_NUM}\s*(?:tahun|th\.?|year)?\s*,?\s*{_YEAR}$"),
     "sem_sy"),
    (re.compile(r"^s([12])\s*" + _YEAR + "$"), "sem_sy"),
    # "Tahun 2023 Semester 1", "2025 Semester II"
    (re.compile(rf"^(?:tahun|year)?\s*{_YEAR}\s*,?\s*{_SEM_WORDS}\.?\s*(?:ke\s*)?-?{_NUM}$"),
     "sem_ys"),
    (re.compile(rf"^{_QTR_WORDS}\.?\s*(?:ke\s*)?-?{_NUM}\s*(?:tahun|th\.?|year)?\s*,?\s*{_YEAR}$"),
     "qtr_qy"),
    (re.compile(rf"^(?:tahun|year)?\s*{_YEAR}\s*,?\s*{_QTR_WORDS}\.?\s*(?:ke\s*)?-?{_NUM}$"),
     "qtr_ys"),
    # English ordinals: "first half 2025", "2nd quarter 2025"
    (re.compile(rf"^(first|second|1st|2nd)\s+(?:half|semester)\s*(?:of\s*)?{_YEAR}$"), "half_en"),
    (re.compile(rf"^(first|second|third|fourth|1st|2nd|3rd|4th)\s+quarter\s*(?:of\s*)?{_YEAR}$"),
     "qtr_en"),
    # "Juni 2025", "bulan Juni 2025"
    (re.compile(rf"^(?:bulan\s*)?({_MONTH_RE})\.?\s*,?\s*{_YEAR}$"), "month_name"),
    # "Januari - Juni 2026", "Januari 2026 s.d. Juni 2026", "Jan-Jun 2026"
    (re.compile(rf"^(?:bulan\s*)?({_MONTH_RE})\.?\s*{_YEAR}?\s*{_RANGE_SEP}\s*({_MONTH_RE})\.?\s*,?\s*{_YEAR}$"),
     "range"),
]  # fmt: skip
_ORD = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}

_ISO_DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ t].*)?$")
_DMY_DATE = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?:[ t].*)?$")
_NAMED_DATE = re.compile(rf"^(\d{{1,2}})\s+({_MONTH_RE})\.?\s+{_YEAR}$")


@dataclass(frozen=True)
class Period:
    """One period: its year and first and last month (inclusive)."""

    year: int
    first: int
    last: int

    @property
    def code(self) -> str:
        """The canonical code (see the module docstring)."""
        y, a, b = self.year, self.first, self.last
        if (a, b) == (1, 12):
            return f"{y}"
        if (a, b) in ((1, 6), (7, 12)):
            return f"{y}-S{1 if a == 1 else 2}"
        if b - a == 2 and a % 3 == 1:
            return f"{y}-Q{(a + 2) // 3}"
        if a == b:
            return f"{y}-{a:02d}"
        return f"{y}-{a:02d}..{b:02d}"


def _clean(text: str) -> str:
    t = _INVISIBLE.sub(" ", str(text)).strip().lower()
    t = re.sub(r"\s+", " ", t)
    return t


def _from_date(y: int, m: int, d: int, rule: str) -> Period | None:
    try:
        dt.date(y, m, d)
    except ValueError:
        return None
    if rule == "year":
        return Period(y, 1, 12)
    if rule == "semester":
        return Period(y, 1, 6) if m <= 6 else Period(y, 7, 12)
    if rule == "quarter":
        q = (m - 1) // 3
        return Period(y, 3 * q + 1, 3 * q + 3)
    return Period(y, m, m)


class PeriodError(ValueError):
    """A text that is not a period; ``rule`` says which rule it broke."""

    def __init__(self, rule: str, reason: str):
        super().__init__(reason)
        self.rule = rule
        self.reason = reason


def parse_period(text, date_rule: str = "year") -> Period:
    """Parse one period written in Indonesian or English.

    Parameters
    ----------
    text : str or int or date-like
        "2025", "Semester I 2025", "Triwulan II 2025", "2025-Q2", "Juni 2025",
        "Januari - Juni 2026", "Januari s.d. Juni 2026", "2025-06-15",
        "15/06/2025", a ``datetime``.
    date_rule : {"year", "semester", "quarter", "month"}
        The period a survey date belongs to.

    Returns
    -------
    Period

    Raises
    ------
    PeriodError
        ``not_a_period`` (not recognised) or ``period_spans_years`` (a month
        range across two years), with the reason.
    """
    if date_rule not in DATE_RULES:
        raise ValueError(f"date_rule={date_rule!r}; use one of {', '.join(DATE_RULES)}")
    if isinstance(text, pd.Timestamp | np.datetime64) or hasattr(text, "isoformat"):
        ts = pd.Timestamp(text)
        return _from_date(ts.year, ts.month, ts.day, date_rule)  # type: ignore[return-value]
    if isinstance(text, float) and text.is_integer():
        text = str(int(text))
    t = _clean(text)
    for pat, kind in _PATTERNS:
        m = pat.match(t)
        if not m:
            continue
        g = m.groups()
        if kind == "year":
            return Period(int(g[0]), 1, 12)
        if kind == "sem_ys":
            s = _ROMAN[g[1]]
            if s > 2:
                break
            return Period(int(g[0]), 1 + 6 * (s - 1), 6 * s)
        if kind == "sem_sy":
            s = _ROMAN[g[0]]
            if s > 2:
                break
            return Period(int(g[1]), 1 + 6 * (s - 1), 6 * s)
        if kind in ("qtr_ys", "qtr_qy"):
            y, q = (g[0], g[1]) if kind == "qtr_ys" else (g[1], g[0])
            q = _ROMAN[q]
            return Period(int(y), 3 * q - 2, 3 * q)
        if kind == "half_en":
            s = _ORD[g[0]]
            return Period(int(g[1]), 1 + 6 * (s - 1), 6 * s)
        if kind == "qtr_en":
            q = _ORD[g[0]]
            return Period(int(g[1]), 3 * q - 2, 3 * q)
        if kind == "month_ym":
            return Period(int(g[0]), int(g[1]), int(g[1]))
        if kind == "month_my":
            return Period(int(g[1]), int(g[0]), int(g[0]))
        if kind == "month_name":
            mo = _MONTH_NAMES[g[0]]
            return Period(int(g[1]), mo, mo)
        if kind == "range":
            a, y1, b, y2 = _MONTH_NAMES[g[0]], g[1], _MONTH_NAMES[g[2]], int(g[3])
            if y1 is not None and int(y1) != y2:
                raise PeriodError(
                    "period_spans_years",
                    f"'{text}' runs across two years; report one period per year",
                )
            if a > b:
                raise PeriodError("not_a_period", f"'{text}' ends before it starts")
            return Period(y2, a, b)
    for pat, order in ((_ISO_DATE, "ymd"), (_DMY_DATE, "dmy")):
        m = pat.match(t)
        if m:
            a, b, c = map(int, m.groups())
            y, mo, d = (a, b, c) if order == "ymd" else (c, b, a)
            p = _from_date(y, mo, d, date_rule)
            if p is not None:
                return p
    m = _NAMED_DATE.match(t)
    if m:
        return _from_date(int(m.group(3)), _MONTH_NAMES[m.group(2)], int(m.group(1)), date_rule)
    raise PeriodError(
        "not_a_period",
        f"'{text}' is not a period (e.g. 2025, Semester I 2025, Triwulan II 2025, Juni 2025, "
        "Januari - Juni 2025, 2025-Q2, or a date)",
    )


def period_of_dates(dates: pd.Series, rule: str = "year") -> pd.Series:
    """Canonical period code of each date under ``rule`` (vectorised).

    Returns
    -------
    pandas.Series
        ``string`` codes, missing where the date is missing.
    """
    if rule not in DATE_RULES:
        raise ValueError(f"rule={rule!r}; use one of {', '.join(DATE_RULES)}")
    d = pd.to_datetime(dates)
    y = d.dt.year.astype("Int64").astype("string")
    m = d.dt.month
    if rule == "year":
        out = y
    elif rule == "semester":
        out = y + "-S" + ((m - 1) // 6 + 1).astype("Int64").astype("string")
    elif rule == "quarter":
        out = y + "-Q" + ((m - 1) // 3 + 1).astype("Int64").astype("string")
    else:
        out = y + "-" + m.astype("Int64").astype("string").str.zfill(2)
    return out.astype("string")


def to_periods(values: pd.Series, date_rule: str = "year"):
    """Parse a column of periods, once per distinct value.

    Parameters
    ----------
    values : pandas.Series
        Raw values (text, whole numbers, dates).
    date_rule : {"year", "semester", "quarter", "month"}
        The period a survey date belongs to.

    Returns
    -------
    year : pandas.Series
        ``Int64`` survey year of the period.
    code : pandas.Series
        ``string`` canonical period code.
    rule, reason : numpy.ndarray or None
        Per row, the broken rule (``not_a_period``, ``period_spans_years``)
        and why, or None when every value parsed.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    n_u = len(uniques)
    u_code = np.full(n_u, None, dtype=object)
    u_rule = np.full(n_u, None, dtype=object)
    u_why = np.full(n_u, None, dtype=object)
    # Dates (e.g. a "Cap waktu" timestamp per response) are many: parse those
    # shapes vectorised, everything else one distinct value at a time.
    u = pd.Series(uniques, dtype=object)
    is_dt = u.map(lambda v: hasattr(v, "isoformat")).to_numpy(dtype=bool)
    text = u.map(lambda v: v if isinstance(v, str) else "").astype("string")
    text = text.str.replace(_INVISIBLE.pattern, " ", regex=True).str.strip()
    iso = text.str.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?").fillna(
        False
    )
    dmy = text.str.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}(?: \d{1,2}:\d{2}(?::\d{2})?)?").fillna(False)
    dates = pd.Series(pd.NaT, index=u.index, dtype="datetime64[ns]")
    if is_dt.any():
        dates[is_dt] = pd.to_datetime(u[is_dt], errors="coerce")
    if iso.any():
        dates[iso.to_numpy()] = pd.to_datetime(
            text[iso].str.slice(0, 10), format="%Y-%m-%d", errors="coerce"
        ).to_numpy()
    if dmy.any():
        dates[dmy.to_numpy()] = pd.to_datetime(
            text[dmy].str.split(" ").str[0], format="%d/%m/%Y", errors="coerce"
        ).to_numpy()
    got = dates.notna().to_numpy()
    if got.any():
        u_code[got] = period_of_dates(dates[got], date_rule).to_numpy(dtype=object)
    blank = text.str.len().eq(0).to_numpy(dtype=bool) & ~is_dt
    blank &= ~u.map(lambda v: isinstance(v, int | float | np.integer | np.floating)).to_numpy(
        dtype=bool
    )
    for i in np.flatnonzero(~got & ~blank):
        v = uniques[i]
        if isinstance(v, float | np.floating) and not np.isfinite(v):
            u_rule[i], u_why[i] = "not_a_period", f"{v} is not a period"
            continue
        if isinstance(v, int | np.integer):
            v = str(int(v))
        try:
            u_code[i] = parse_period(v, date_rule).code
        except PeriodError as err:
            u_rule[i], u_why[i] = err.rule, err.reason
    for i in np.flatnonzero(blank):
        u_code[i] = None  # empty text: missing, the schema's "required" rule reports it
    code_u = pd.array(u_code, dtype="string")
    code = pd.Series(
        pd.api.extensions.take(code_u, codes, allow_fill=True), index=values.index, dtype="string"
    )
    year = code.str.slice(0, 4).astype("Int64")
    if not pd.notna(u_rule).any():
        return year, code, None, None
    idx = np.where(codes < 0, n_u, codes)
    return year, code, np.append(u_rule, None)[idx], np.append(u_why, None)[idx]


_CODE = re.compile(r"^(\d{4})(?:-(?:S([12])|Q([1-4])|(\d\d)(?:\.\.(\d\d))?))?$")


def period_months(code: str) -> tuple[int, int, int]:
    """(year, first month, last month) of a canonical code."""
    m = _CODE.match(str(code))
    if not m:
        raise ValueError(f"{code!r} is not a canonical period code")
    y, s, q, a, b = m.groups()
    y = int(y)
    if s:
        return y, 6 * int(s) - 5, 6 * int(s)
    if q:
        return y, 3 * int(q) - 2, 3 * int(q)
    if a:
        return y, int(a), int(b or a)
    return y, 1, 12


def period_sort_key(codes: pd.Series) -> pd.Series:
    """An integer that sorts codes chronologically (longer periods first on ties).

    Returns
    -------
    pandas.Series
        ``Int64`` key: year * 10000 + first month * 100 + (12 - last month).
    """
    s = pd.Series(codes, dtype="string")
    uniq = s.dropna().unique()
    keys = {}
    for c in uniq:  # distinct periods: a handful
        y, a, b = period_months(c)
        keys[c] = y * 10000 + a * 100 + (12 - b)
    return s.map(keys).astype("Int64")


def sort_periods(codes) -> list[str]:
    """Distinct codes in chronological order."""
    s = pd.Series(pd.unique(pd.Series(list(codes), dtype="string").dropna()), dtype="string")
    return s.iloc[np.argsort(period_sort_key(s).to_numpy(), kind="stable")].tolist()


_ROMAN_OUT = ("I", "II", "III", "IV")


def period_label(code: str, lang: str = "id") -> str:
    """A canonical code as the reader says it.

    ``2025-S1`` -> "Semester I 2025" / "First half 2025"; ``2025-Q2`` ->
    "Triwulan II 2025" / "Q2 2025"; ``2025-06`` -> "Juni 2025" / "June 2025";
    ``2026-01..05`` -> "Januari - Mei 2026" / "January - May 2026".
    """
    y, a, b = period_months(code)
    months = _MONTHS_ID if lang == "id" else _MONTHS_EN
    if (a, b) == (1, 12):
        return f"{y}"
    if (a, b) in ((1, 6), (7, 12)):
        s = 1 if a == 1 else 2
        return (
            f"Semester {_ROMAN_OUT[s - 1]} {y}"
            if lang == "id"
            else (f"{'First' if s == 1 else 'Second'} half {y}")
        )
    if b - a == 2 and a % 3 == 1:
        q = (a + 2) // 3
        return f"Triwulan {_ROMAN_OUT[q - 1]} {y}" if lang == "id" else f"Q{q} {y}"
    if a == b:
        return f"{months[a - 1].title()} {y}"
    return f"{months[a - 1].title()} - {months[b - 1].title()} {y}"
