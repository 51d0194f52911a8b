"""Turn raw cell values into typed values, one column at a time.

Every converter takes a column as read (strings from CSV, mixed objects from
XLSX, typed values from Parquet) and returns ``(values, rule, reason)``:
the typed column, and for each cell either missing (fine) or the rule it broke
and why. Work is done once per DISTINCT value (``pandas.factorize``), so a
million rows with five answer labels cost five look-ups.

Answer labels (case, spacing and punctuation do not matter):

* culture items: the labels of :data:`framework.LIKERT_LABELS` for the scale
  length (Indonesian and English), and on 4- and 5-point scales the usual
  abbreviations STS, TS, N/RR, S, SS; or the numbers 1..k;
* SKM elements: the element's own labels (``IkmElement.labels_id`` /
  ``labels_en``) or the generic "Tidak sesuai .. Sangat sesuai"; or 1..4.

Missing cells ("", "-", "NA", "N/A", "null", "tidak menjawab") stay missing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

import numpy as np
import pandas as pd

from berakhlak_research import regions
from berakhlak_research.framework import (
    GENERIC_SKM_LABELS,
    IKM_ELEMENTS_2017,
    INTERVENTION_KINDS,
    LIKERT_LABELS,
    STAGES,
)
from berakhlak_research.io.headers import norm_header

__all__ = [
    "MISSING_TOKENS",
    "likert_labels",
    "skm_labels",
    "to_answers",
    "to_number",
    "to_date",
    "to_bool",
    "to_text",
    "to_choice",
    "to_stage",
    "to_government",
    "CHOICES",
]

MISSING_TOKENS = frozenset(
    {"", "-", "--", "na", "n a", "nan", "null", "none", "tidak menjawab", "tidak diisi"}
)

_LIKERT_ABBREV = {
    4: {"sts": 1, "ts": 2, "s": 3, "ss": 4},
    5: {"sts": 1, "ts": 2, "n": 3, "rr": 3, "ragu ragu": 3, "s": 4, "ss": 5},
}

Converted = tuple[pd.Series, object, object]
"""(values, rule, reason): rule/reason are array-likes aligned with values, or None."""


@cache
def likert_labels(points: int = 5) -> dict[str, int]:
    """Normalised label -> answer for the culture items on a ``points`` scale."""
    if points not in LIKERT_LABELS:
        from berakhlak_research.exceptions import ParameterError

        raise ParameterError(
            f"Likert scale length {points} has no label set; use one of {sorted(LIKERT_LABELS)}."
        )
    out = {norm_header(t): i for lang in ("id", "en") for i, t in
           enumerate(LIKERT_LABELS[points][lang], start=1)}  # fmt: skip
    for k, v in _LIKERT_ABBREV.get(points, {}).items():
        out.setdefault(k, v)
    return out


@cache
def skm_labels(code: str) -> dict[str, int]:
    """Normalised label -> score 1..4 for SKM element ``code`` (its own labels, then generic)."""
    el = {e.code: e for e in IKM_ELEMENTS_2017}[code]
    out: dict[str, int] = {}
    for labels in (el.labels_id, el.labels_en, GENERIC_SKM_LABELS, _GENERIC_EN):
        for i, t in enumerate(labels, start=1):
            out.setdefault(norm_header(t), i)
    return out


_GENERIC_EN = ("Not appropriate", "Less appropriate", "Appropriate", "Very appropriate")


def _missing_mask(strings: pd.Series) -> np.ndarray:
    normed = strings.str.lower().str.replace(r"[^0-9a-z]+", " ", regex=True).str.strip()
    return normed.isin(MISSING_TOKENS).to_numpy(dtype=bool, na_value=True)


def _by_unique(values: pd.Series, convert: Callable[[pd.Series], Converted], dtype) -> Converted:
    """Apply ``convert`` to the distinct non-missing values, then broadcast back.

    ``rule`` and ``reason`` come back as object arrays, or None when no value
    broke a rule (the common case, kept cheap).
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    if len(uniques) == 0:
        return pd.Series(index=values.index, dtype=dtype), None, None
    val, rule, reason = convert(pd.Series(uniques))
    arr = pd.array(pd.Series(val).reset_index(drop=True), dtype=dtype)
    out = pd.Series(
        pd.api.extensions.take(arr, codes, allow_fill=True), index=values.index, dtype=dtype
    )
    r = np.asarray(rule, dtype=object)
    if not pd.notna(r).any():
        return out, None, None
    idx = np.where(codes < 0, len(r), codes)
    r_ext = np.append(r, None)
    why_ext = np.append(np.asarray(reason, dtype=object), None)
    return out, r_ext[idx], why_ext[idx]


# Zero-width characters and BOMs vanish; no-break spaces become spaces.
_ZERO_WIDTH = "[\u200b\u200c\u200d\u2060\ufeff]"
_NBSP = "[\u00a0\u202f\u2007]"
_ZW_RE = re.compile(_ZERO_WIDTH)
_NBSP_RE = re.compile(_NBSP)


def _strip_invisible(text: pd.Series) -> pd.Series:
    """Text without invisible characters (vectorised; a no-op check when there are none)."""
    has = text.str.contains(f"{_ZERO_WIDTH}|{_NBSP}", regex=True).fillna(False)
    if not has.any():
        return text
    fixed = text[has].str.replace(_ZERO_WIDTH, "", regex=True).str.replace(_NBSP, " ", regex=True)
    out = text.copy()
    out[has] = fixed
    return out


def _as_text(u: pd.Series) -> pd.Series:
    """Distinct values as stripped text (numbers like 4.0 written as 4)."""

    if pd.api.types.is_string_dtype(u.dtype) and not pd.api.types.is_object_dtype(u.dtype):
        return _strip_invisible(u.astype("string")).str.strip()

    def one(v):
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v)

    return _strip_invisible(u.map(one).astype("string")).str.strip()


def _numbers(text: pd.Series, decimal: str) -> pd.Series:
    t = text.str.replace(r"\s+", "", regex=True).str.replace("%", "", regex=False)
    # News-style percentages: "61,8 persen", "61.8 percent".
    t = t.str.replace(r"(?i)(persen|percent|pct)\.?$", "", regex=True)
    if decimal == ".":
        # "61,8" in a comma file (quoted) can only be a decimal comma: thousands
        # groups have three digits.
        lone = t.str.fullmatch(r"-?\d+,\d{1,2}").fillna(False).astype(bool)
        t = t.where(~lone, t.str.replace(",", ".", regex=False))
    if decimal == ",":
        # Indonesian thousands dots ("1.234,5") go, the decimal comma becomes a point.
        thousands = t.str.fullmatch(r"-?\d{1,3}(\.\d{3})+(,\d+)?").fillna(False).astype(bool)
        t = t.where(~thousands, t.str.replace(".", "", regex=False))
        t = t.str.replace(",", ".", regex=False)
    return pd.to_numeric(t, errors="coerce")


def _rules(n: int) -> tuple[np.ndarray, np.ndarray]:
    return np.full(n, None, dtype=object), np.full(n, None, dtype=object)


def _fast_numeric(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(
        values.dtype
    )


def _text1(v) -> str:
    """One raw value as stripped text (4.0 -> "4"), invisible characters removed."""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return _NBSP_RE.sub(" ", _ZW_RE.sub("", str(v))).strip()


def _is_missing1(t: str) -> bool:
    return re.sub(r"[^0-9a-z]+", " ", t.lower()).strip() in MISSING_TOKENS


def _py(fn: Callable[[str], tuple]) -> Callable[[pd.Series], Converted]:
    """A per-distinct-value converter written for one text value at a time.

    The distinct values of a categorical column are few, so plain Python on
    them is cheaper than a chain of vectorised string operations.
    """

    def convert(u: pd.Series) -> Converted:
        vals, rules, reasons = [], [], []
        for v in u.tolist():
            t = _text1(v)
            if _is_missing1(t):
                vals.append(None), rules.append(None), reasons.append(None)
                continue
            a, b, c = fn(t)
            vals.append(a), rules.append(b), reasons.append(c)
        return pd.Series(vals, dtype=object), pd.Series(rules), pd.Series(reasons)

    return convert


_NUM1 = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
_LEAD1 = re.compile(r"^(\d+)\s*[-.:)]\s*(\S.*)$")


def _numeric_answers(values: pd.Series, high: int) -> Converted:
    """Answers already stored as numbers (Parquet, typed workbooks): numpy only."""
    x = values.to_numpy(dtype="float64", na_value=np.nan)
    missing = np.isnan(x)
    with np.errstate(invalid="ignore"):
        frac = ~missing & (x != np.floor(x))
        huge = ~missing & ~frac & (np.abs(x) > 127)
    bad = frac | huge
    ints = np.where(missing | bad, 0, x).astype(np.int8)
    out = pd.Series(pd.arrays.IntegerArray(ints, missing | bad), index=values.index)
    if not bad.any():
        return out, None, None
    rule, reason = _rules(len(values))
    shown = pd.Series(x).astype(str).to_numpy()
    rule[frac], rule[huge] = "not_whole_number", "answer_range"
    reason[frac] = np.char.add(np.char.add("answer ", shown[frac].astype(str)),
                               " is not a whole number")  # fmt: skip
    reason[huge] = np.char.add(np.char.add("answer ", shown[huge].astype(str)),
                               f" is outside 1..{high}")  # fmt: skip
    return out, rule, reason


def to_answers(
    values: pd.Series, labels: dict[str, int], high: int, *, decimal: str = ".", hint: str = ""
) -> Converted:
    """Answers 1..``high`` from numbers or labels (Int8; out-of-range numbers kept for the range rule).

    Returns
    -------
    values : Series (Int8)
    rule, reason : array-like or None
        ``unknown_label`` (text that is not a label), ``not_whole_number``
        (3.5), ``answer_range`` (numbers beyond what Int8 holds); None/missing
        where fine. Answers within Int8 but outside 1..high are kept for the
        schema's range rule.
    """
    shown = hint or ", ".join(list(labels)[:high])

    def one(t: str):
        if _NUM1.match(t):
            x = float(t.replace(",", ".")) if ("," not in t or decimal == ",") else None
            if x is None:
                return None, "unknown_label", f"'{t}' is not an answer; use 1..{high}"
            if not x.is_integer():
                return None, "not_whole_number", f"answer {t} is not a whole number"
            if abs(x) > 127:
                return None, "answer_range", f"answer {t} is outside 1..{high}"
            return int(x), None, None
        hit = labels.get(norm_header(t))
        if hit is not None:
            return hit, None, None
        m = _LEAD1.match(t)  # "4 - Setuju", "4. Setuju"
        if m and labels.get(norm_header(m.group(2))) == int(m.group(1)):
            return int(m.group(1)), None, None
        return (
            None,
            "unknown_label",
            (f"'{t}' is not an answer; use 1..{high} or a label ({shown})"),
        )

    if _fast_numeric(values):
        return _numeric_answers(values, high)
    return _by_unique(values, _py(one), "Int8")


def to_number(
    values: pd.Series, dtype: str, *, decimal: str = ".", whole: bool = False
) -> Converted:
    """Numbers (decimal comma allowed in semicolon files; "61,8 %" -> 61.8).

    Returns ``not_a_number`` for text that is no number and ``not_whole_number``
    where a count (``whole=True``) has decimals.
    """

    def convert(u: pd.Series) -> Converted:
        text = _as_text(u)
        miss = _missing_mask(text)
        if whole:
            # A count cannot have decimals, so "1.250" and "2,500" are thousands.
            sep = text.str.fullmatch(r"-?\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*").fillna(False)
            text = text.where(~sep.astype(bool), text.str.replace(r"[.,]", "", regex=True))
        num = _numbers(text, decimal)
        rule, reason = _rules(len(u))
        bad = (~miss) & num.isna().to_numpy()
        rule[bad] = "not_a_number"
        reason[bad] = ("'" + text[bad].astype(str) + "' is not a number").to_numpy()
        inf = np.isinf(num.to_numpy(dtype="float64", na_value=np.nan))
        if inf.any():
            rule[inf] = "not_finite"
            reason[inf] = ("'" + text[inf].astype(str) + "' is not a finite number").to_numpy()
            num[inf] = np.nan
        if whole:
            frac = num.notna().to_numpy() & (num.fillna(0) % 1 != 0).to_numpy()
            rule[frac] = "not_whole_number"
            reason[frac] = (text[frac].astype(str) + " is not a whole number").to_numpy()
            num[frac] = np.nan
        return num, pd.Series(rule), pd.Series(reason)

    if _fast_numeric(values):
        x = values.to_numpy(dtype="float64", na_value=np.nan)
        inf = np.isinf(x)
        if inf.any():
            # inf / 1e309 from a typed file: the whole column goes the text way,
            # which names the rule (a handful of distinct values).
            return to_number(values.astype(object), dtype, decimal=decimal, whole=whole)
        missing = np.isnan(x)
        if not whole:
            return pd.Series(x, index=values.index).astype(dtype), None, None
        with np.errstate(invalid="ignore"):
            frac = ~missing & (x != np.floor(x))
        ints = np.where(missing | frac, 0, x).astype(np.int64)
        out = pd.Series(pd.arrays.IntegerArray(ints, missing | frac), index=values.index)
        if not frac.any():
            return out.astype(dtype), None, None
        rule, reason = _rules(len(values))
        rule[frac] = "not_whole_number"
        reason[frac] = np.char.add(x[frac].astype(str), " is not a whole number")
        return out.astype(dtype), rule, reason
    if whole:
        val, rule, reason = _by_unique(values, convert, "Float64")
        return val.round().astype(dtype), rule, reason
    return _by_unique(values, convert, dtype)


_DATE_FORMATS = ("%d/%m/%Y", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d-%m-%Y", "%d.%m.%Y")


def to_date(values: pd.Series) -> Converted:
    """Dates: ISO ("2023-05-15", with or without time) or day first ("15/05/2023").

    Returns ``bad_date`` for text that is no date in these forms.
    """
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return values.astype("datetime64[ns]"), None, None

    def convert(u: pd.Series) -> Converted:
        is_dt = u.map(lambda v: hasattr(v, "year") and hasattr(v, "month"))
        text = _as_text(u)
        miss = _missing_mask(text) & ~is_dt.to_numpy(dtype=bool)
        out = pd.Series(pd.NaT, index=u.index, dtype="datetime64[ns]")
        if is_dt.any():
            out[is_dt] = pd.to_datetime(u[is_dt].astype(object), errors="coerce").astype(
                "datetime64[ns]"
            )
        todo = out.isna() & ~pd.Series(miss, index=u.index)
        iso = text.str.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?")
        iso = iso.fillna(False).astype(bool) & todo
        if iso.any():
            out[iso] = pd.to_datetime(text[iso], format="ISO8601", errors="coerce").astype(
                "datetime64[ns]"
            )
        for fmt in _DATE_FORMATS:
            todo = out.isna() & ~pd.Series(miss, index=u.index) & ~iso
            if not todo.any():
                break
            out[todo] = pd.to_datetime(text[todo], format=fmt, errors="coerce").astype(
                "datetime64[ns]"
            )
        rule, reason = _rules(len(u))
        bad = (~miss) & out.isna().to_numpy()
        rule[bad] = "bad_date"
        reason[bad] = (
            "'" + text[bad].astype(str) + "' is not a date (use 2023-05-15 or 15/05/2023)"
        ).to_numpy()
        return out, pd.Series(rule), pd.Series(reason)

    return _by_unique(values, convert, "datetime64[ns]")


_TRUE = {"ya", "y", "yes", "true", "benar", "1", "v", "iya"}
_FALSE = {"tidak", "t", "n", "no", "false", "salah", "0", "bukan"}


def to_bool(values: pd.Series) -> Converted:
    """Yes/no: Ya/Tidak, Y/T, Yes/No, True/False, 1/0. Returns ``not_yes_no`` otherwise."""
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.astype("boolean"), None, None

    def one(t: str):
        key = re.sub(r"[^0-9a-z]+", " ", t.lower()).strip()
        if key in _TRUE:
            return True, None, None
        if key in _FALSE:
            return False, None, None
        return None, "not_yes_no", f"'{t}' is not yes/no (Ya/Tidak)"

    return _by_unique(values, _py(one), "boolean")


def to_text(values: pd.Series) -> Converted:
    """Free text, stripped; blank and missing tokens become missing."""
    if pd.api.types.is_string_dtype(values.dtype) and not pd.api.types.is_object_dtype(
        values.dtype
    ):
        text = values.astype("string")
    else:
        num_int = values.map(lambda v: isinstance(v, float) and v.is_integer())
        text = values.astype("string")
        if num_int.any():
            text[num_int] = values[num_int].map(lambda v: str(int(v))).astype("string")
    text = _strip_invisible(text).str.strip()
    text = text.mask(text.str.len() == 0)
    return text, None, None


def _key(s: str) -> str:
    return norm_header(s)


# Spellings of the allowed values of categorical columns (normalised key -> canonical).
CHOICES: dict[str, dict[str, str]] = {
    "sex": {"l": "L", "laki laki": "L", "laki": "L", "pria": "L", "male": "L", "m": "L",
            "p": "P", "perempuan": "P", "wanita": "P", "female": "P", "f": "P"},
    "employment_type": {"pns": "PNS", "pppk": "PPPK", "p3k": "PPPK"},
    "age_group": {"30": "<30", "kurang dari 30": "<30", "under 30": "<30", "30 39": "30-39",
                  "40 49": "40-49", "50": "50+", "50 ke atas": "50+", "50 atau lebih": "50+"},
    "unit_type": {k: k for k in ("sekretariat", "dinas", "badan", "kecamatan", "kelurahan",
                                 "rsud", "puskesmas", "inspektorat")},
    "kind": {**{_key(k): k for k in INTERVENTION_KINDS},
             **{_key(v[0]): k for k, v in INTERVENTION_KINDS.items()},
             **{_key(v[1]): k for k, v in INTERVENTION_KINDS.items()},
             "lokakarya aktivasi": "aktivasi", "workshop aktivasi": "aktivasi",
             "penandatanganan komitmen": "komitmen", "agen perubahan": "agen_perubahan"},
    "education": {"sd": "SD", "smp": "SMP", "sltp": "SMP", "sma": "SMA", "slta": "SMA",
                  "smk": "SMA", "d1 d3": "D1-D3", "d1": "D1-D3", "d2": "D1-D3", "d3": "D1-D3",
                  "diploma": "D1-D3", "d4 s1": "D4/S1", "d4": "D4/S1", "s1": "D4/S1",
                  "s2": "S2+", "s3": "S2+", "s2 s3": "S2+",
                  # Wordings of the PermenPANRB 14/2017 questionnaire and common apps.
                  "s2 keatas": "S2+", "s2 ke atas": "S2+", "s2 keatas s3": "S2+",
                  "pascasarjana": "S2+", "sd kebawah": "SD", "sd ke bawah": "SD",
                  "sd sederajat": "SD", "smp sederajat": "SMP", "sma sederajat": "SMA",
                  "sltp smp": "SMP", "smp sltp": "SMP", "slta sma": "SMA", "sma slta": "SMA",
                  "sma smk": "SMA", "d1 d2 d3": "D1-D3", "diii": "D1-D3", "d iii": "D1-D3",
                  "s1 d4": "D4/S1", "d4 s1 sarjana": "D4/S1", "sarjana": "D4/S1",
                  "diploma iv": "D4/S1", "s1 sederajat": "D4/S1"},
    "index_kind": {"culture health": "culture_health", "kesehatan budaya": "culture_health",
                   "indeks kesehatan budaya": "culture_health", "survei": "culture_health",
                   "survey": "culture_health", "survei budaya kerja": "culture_health",
                   "indeks berakhlak": "culture_health", "survei berakhlak": "culture_health",
                   "indeks survei": "culture_health", "culture survey": "culture_health",
                   "implementation": "implementation", "implementasi": "implementation",
                   "evaluasi implementasi": "implementation", "indeks implementasi": "implementation",
                   "evaluasi penerapan": "implementation", "penerapan": "implementation",
                   "implementation evaluation": "implementation",
                   "evaluasi implementasi budaya kerja": "implementation"},
    "method_version": {"2017": "2017", "2004": "2004",
                       "permenpanrb 14 2017": "2017", "permenpan rb 14 2017": "2017",
                       "kep 25 m pan 2 2004": "2004"},
}  # fmt: skip
_STAGE_NAMES = {_key(s.name_id): s.number for s in STAGES} | {
    _key(s.name_en): s.number for s in STAGES
}


def to_choice(values: pd.Series, column: str) -> Converted:
    """Categorical text mapped to its canonical spelling; unknown spellings are kept
    as written (stripped) so that the schema's allowed-values rule reports them."""
    mapping = CHOICES[column]
    keep_case = column in ("age_group",)

    def one(t: str):
        if keep_case and t in ("<30", "30-39", "40-49", "50+"):
            return t, None, None
        return mapping.get(_key(t), t), None, None

    return _by_unique(values, _py(one), "string")


def to_stage(values: pd.Series) -> Converted:
    """Stage 1..7 from a number or the stage's name ("Internalisasi" = 1)."""

    def one(t: str):
        if _NUM1.match(t):
            x = float(t.replace(",", "."))
            if not x.is_integer():
                return None, "not_whole_number", f"{t} is not a whole number"
            return int(x), None, None
        named = _STAGE_NAMES.get(_key(t))
        if named is None:
            return None, "not_a_number", f"'{t}' is not a stage (1..7)"
        return named, None, None

    return _by_unique(values, _py(one), "Int64")


@cache
def _known_codes() -> frozenset[str]:
    return frozenset(regions.governments()["code"])


def to_government(values: pd.Series) -> Converted:
    """Government codes or names to Kemendagri codes via :func:`regions.resolve_series`.

    Returns ``unknown_government`` (with close-match suggestions) or
    ``ambiguous_government`` ("Pasuruan" without Kota/Kabupaten).
    """

    known = _known_codes()

    def convert(u: pd.Series) -> Converted:
        text = _as_text(u)
        text = text.mask(pd.Series(_missing_mask(text), index=text.index))
        text, amb_rule, amb_why = _lost_zero(text)
        # Canonical codes need no look-up; everything else goes through resolve.
        exact = text.isin(known).fillna(False).to_numpy(dtype=bool)
        codes = text.where(exact).astype("string")
        rule = np.full(len(u), None, dtype=object)
        reason = np.full(len(u), None, dtype=object)
        if (~exact).any():
            got, problems = regions.resolve_series(text[~exact])
            codes[~exact] = got
            has = problems.notna().to_numpy(dtype=bool)
            amb = problems.str.contains("ambiguous", regex=False).fillna(False)
            amb = amb.to_numpy(dtype=bool)
            sub = np.where(has, np.where(amb, "ambiguous_government", "unknown_government"), None)
            rule[~exact] = sub
            reason[~exact] = problems.astype(object).to_numpy()
        amb = pd.notna(amb_rule)
        if amb.any():
            codes[amb] = pd.NA
            rule[amb], reason[amb] = amb_rule[amb], amb_why[amb]
        return codes, rule, reason

    if _fast_numeric(values):
        x = values.to_numpy(dtype="float64", na_value=np.nan)
        whole = np.isnan(x) | (x == np.floor(x))
        values = values.astype("Int64").astype("string") if whole.all() else values.astype(object)
    return _by_unique(values, convert, "string")


def _lost_zero(text: pd.Series):
    """Region codes whose trailing zero a number format dropped ("35.10" -> 35.1).

    A regency/city code always has two digits after the point. "35.1" is
    therefore 35.10 only if the column shows two-digit codes elsewhere (the
    column was typed as numbers); alone it is ambiguous and refused with a
    request to type codes as text.
    """
    one = text.str.fullmatch(r"\d{2}\.\d").fillna(False).to_numpy(dtype=bool)
    rule = np.full(len(text), None, dtype=object)
    why = np.full(len(text), None, dtype=object)
    if not one.any():
        return text, rule, why
    context = text.str.fullmatch(r"\d{2}\.\d{2}").fillna(False).any()
    if context:
        text = text.copy()
        text[one] = text[one] + "0"
        return text, rule, why
    rule[one] = "ambiguous_code"
    why[one] = (
        "'" + text[one].astype(str) + "' looks like a code typed as a number that lost its "
        "trailing zero (" + text[one].astype(str) + "0?); format the column as Text and type "
        "the code with two digits after the point (e.g. 35.10)"
    ).to_numpy()
    return text, rule, why
