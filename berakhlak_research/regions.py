"""Indonesia's provinces, regencies and cities: the reference list and name/code resolution.

The list is ``data/reference/governments.csv`` (38 provinces, 514 regencies
and cities, Kemendagri 2025 codes; provenance in ``data/reference/README.md``).
:func:`resolve` turns what people type into a canonical code:

>>> resolve("Pasuruan, Kota")
'35.75'
>>> resolve("3514")
'35.14'
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache

import pandas as pd

from berakhlak_research.exceptions import AmbiguousRegionError, UnknownRegionError
from berakhlak_research.paths import GOVERNMENTS_CSV

__all__ = ["governments", "resolve", "resolve_series", "name_of", "kind_of", "slug"]

# Prefixes people write before or after a name, mapped to the kind they imply.
_KIND_WORDS = {
    "kabupaten": "kabupaten",
    "kab": "kabupaten",
    "kabupaten administrasi": "kabupaten",
    "kota": "kota",
    "kotamadya": "kota",
    "kodya": "kota",
    "kota administrasi": "kota",
    "provinsi": "provinsi",
    "prov": "provinsi",
    "propinsi": "provinsi",
}
_CODE = re.compile(r"^\s*(\d{2})(?:[.\s-]?(\d{2}))?\s*$")


@lru_cache(maxsize=1)
def governments() -> pd.DataFrame:
    """The reference list of governments.

    Returns
    -------
    pandas.DataFrame
        One row per government: ``code`` ("35.75"), ``name``, ``kind``
        (provinsi/kabupaten/kota), ``province_code``, ``province_name``.
    """
    return pd.read_csv(GOVERNMENTS_CSV, dtype=str, keep_default_na=False)


@lru_cache(maxsize=1)
def _by_code() -> dict[str, tuple[str, str]]:
    """Code -> (name, kind): the lookups a 552-report batch makes thousands of times
    (a DataFrame ``set_index`` per call cost about 1 ms each)."""
    g = governments()
    return dict(zip(g["code"], zip(g["name"], g["kind"], strict=True), strict=True))


def _norm(text: str) -> str:
    t = re.sub(r"[^0-9a-z ]+", " ", str(text).lower())
    return re.sub(r"\s+", " ", t).strip()


def _split_kind(normed: str) -> tuple[str | None, str]:
    """Separate a kind word at the start or end ("kota pasuruan", "pasuruan kota")."""
    for word in sorted(_KIND_WORDS, key=len, reverse=True):
        if normed.startswith(word + " "):
            return _KIND_WORDS[word], normed[len(word) + 1 :]
        if normed.endswith(" " + word):
            return _KIND_WORDS[word], normed[: -len(word) - 1]
    return None, normed


@lru_cache(maxsize=1)
def _index() -> tuple[dict[str, str], dict[str, list[str]]]:
    """Map (kind, bare name) keys and bare names to codes."""
    exact: dict[str, str] = {}
    bare: dict[str, list[str]] = {}
    for code, name, kind in governments()[["code", "name", "kind"]].itertuples(index=False):
        _, stem = _split_kind(_norm(name))
        stem = stem.removeprefix("administrasi ")
        exact[f"{kind}|{stem}"] = code
        bare.setdefault(stem, []).append(code)
        # Common short forms of the special provinces.
        if kind == "provinsi" and stem.startswith(("daerah khusus ibukota ", "daerah istimewa ")):
            short = stem.replace("daerah khusus ibukota", "dki").replace("daerah istimewa", "di")
            bare.setdefault(short, []).append(code)
            bare.setdefault(stem.split(" ")[-1], []).append(code)
    return exact, bare


def _describe(code: str) -> str:
    name, kind = _by_code()[code]
    prefix = "Provinsi " if kind == "provinsi" else ""
    return f"{code} {prefix}{name}"


def resolve(text: str | int) -> str:
    """Resolve a government code or name to its canonical Kemendagri code.

    Parameters
    ----------
    text : str or int
        A code ("35.75", "3575", "35") or a name in any common form
        ("KOTA PASURUAN", "Kota Pasuruan", "Pasuruan, Kota", "Kab. Pasuruan").

    Returns
    -------
    str
        The code, "PP" for a province or "PP.RR" for a regency/city.

    Raises
    ------
    AmbiguousRegionError
        A bare name fits several governments ("Pasuruan": 35.14 Kabupaten and
        35.75 Kota); ``candidates`` lists them. Add "Kota" or "Kabupaten".
    UnknownRegionError
        Nothing fits; ``candidates`` holds close matches.
    """
    raw = str(text)
    codes = _by_code()
    if raw in codes:  # already canonical: the common case in batches
        return raw
    m = _CODE.match(raw)
    if m:
        code = m.group(1) if m.group(2) is None else f"{m.group(1)}.{m.group(2)}"
        if code in codes:
            return code
        raise UnknownRegionError(
            f"Government code {raw!r} is not in the Kemendagri 2025 list "
            f"(data/reference/governments.csv). Check the code; Kota Pasuruan is 35.75.",
            raw,
        )
    exact, bare = _index()
    kind, stem = _split_kind(_norm(raw))
    stem = stem.removeprefix("administrasi ")
    if kind is not None and f"{kind}|{stem}" in exact:
        return exact[f"{kind}|{stem}"]
    hits = bare.get(stem, [])
    if kind is None and len(set(hits)) == 1:
        return hits[0]
    if kind is None and len(set(hits)) > 1:
        cands = tuple(sorted(set(hits)))
        raise AmbiguousRegionError(
            f"Government name {raw!r} is ambiguous: it could be "
            + " or ".join(_describe(c) for c in cands)
            + ". Write 'Kota ...', 'Kabupaten ...' or 'Provinsi ...', or give the code.",
            raw,
            cands,
        )
    keys = list(exact) + list(bare)
    target = f"{kind}|{stem}" if kind else stem
    close = difflib.get_close_matches(target, keys, n=5, cutoff=0.75)
    cands = []
    for k in close:
        for c in [exact[k]] if k in exact else bare[k]:
            if c not in cands:
                cands.append(c)
    hint = (
        " Did you mean: " + "; ".join(_describe(c) for c in cands) + "?"
        if cands
        else " See data/reference/governments.csv for the list."
    )
    raise UnknownRegionError(
        f"Government {raw!r} is not a known province, regency or city.{hint}", raw, tuple(cands)
    )


def resolve_series(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Resolve a column of codes or names, each distinct value once.

    Returns
    -------
    codes : pandas.Series
        Canonical codes, missing where the value could not be resolved.
    problems : pandas.Series
        The error message for each unresolved value, missing elsewhere.
    """
    uniques = pd.unique(values.dropna().astype(str))
    good: dict[str, str] = {}
    bad: dict[str, str] = {}
    for u in uniques:
        try:
            good[u] = resolve(u)
        except (AmbiguousRegionError, UnknownRegionError) as err:
            bad[u] = str(err)
    as_str = values.astype("string")
    return as_str.map(good).astype("string"), as_str.map(bad).astype("string")


def name_of(code: str) -> str:
    """Official name of a government code, e.g. ``name_of("35.75") == "Kota Pasuruan"``."""
    return _by_code()[resolve(code)][0]


def kind_of(code: str) -> str:
    """Kind (provinsi, kabupaten, kota) of a government code."""
    return _by_code()[resolve(code)][1]


def slug(code: str) -> str:
    """Folder name for a government's report: ``"35.75-kota-pasuruan"``."""
    return f"{code}-{_norm(name_of(code)).replace(' ', '-')}"
