"""The IKM (Indeks Kepuasan Masyarakat) of PermenPANRB 14/2017, and Krejcie-Morgan sample sizes.

Per element ``u``: total of the scores, ``NRR_u`` = mean score over the
respondents who answered it, weighted NRR = ``NRR_u * weight``, and
``NRR_u * 25`` with its band. IKM (nilai interval, 1-4) = sum of the weighted
NRRs; the converted IKM (25-100) = IKM x 25, banded unrounded. The weight is
exactly 1/9 by default (``element_weight="rounded"`` uses the printed 0.111, to
reproduce an office's report); the 2004 method (KEP/25/M.PAN/2/2004) has 14
elements and weight 1/14. Every row carries its ``method_version``.

If an element has no answers at all in a group, the IKM is the weighted mean
of the elements that were answered (weights ``1/k`` over the ``k`` answered
elements); the ``elements`` column says how many were used.

Uncertainty: the converted IKM is a linear function of element ratio means;
its linearised variable is ``z_i = 25 sum_u w_u a_iu (y_iu - NRR_u) / n_u``.
Within a unit respondents are treated as a simple random sample from a large
population of service users; groups made of several units (a government)
cluster respondents by unit (ultimate-cluster variance, ``m/(m-1) sum t_c^2``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from berakhlak_research import survey
from berakhlak_research.exceptions import InputError, ParameterError
from berakhlak_research.framework import IKM_BANDS, IKM_METHODS, ikm_elements
from berakhlak_research.indices._common import (
    MIN_GROUP,
    band_codes,
    check_min_group,
    factorize_columns,
)
from berakhlak_research.keys import GOV, UNIT, check_unit
from berakhlak_research.vocabulary import renamed

__all__ = ["ikm", "ikm_elements_table", "krejcie_morgan", "sample_adequacy", "KM_INFINITE"]

_WEIGHTS = ("exact", "rounded")


def krejcie_morgan(population):
    """Required sample size of Krejcie and Morgan (1970), as PermenPANRB 14/2017 prints it.

    ``s = 3.841 N 0.25 / (0.0025 (N - 1) + 3.841 * 0.25)``, rounded half up.

    Parameters
    ----------
    population : int or array-like
        Population size N (>= 1); ``inf`` gives the large-population limit 384.

    Returns
    -------
    int or numpy.ndarray
        Required respondents.

    Examples
    --------
    >>> krejcie_morgan(100), krejcie_morgan(1000), krejcie_morgan(1_000_000)
    (80, 278, 384)
    """
    n = np.asarray(population, dtype=float)
    if np.any(n[np.isfinite(n)] < 1):
        raise ParameterError(f"krejcie_morgan: population must be at least 1, got {population!r}.")
    chi2, p, d = 3.841, 0.25, 0.0025
    with np.errstate(invalid="ignore", over="ignore"):
        s = np.where(np.isinf(n), chi2 * p / d, chi2 * n * p / (d * (n - 1) + chi2 * p))
    out = np.floor(s + 0.5)
    if out.ndim == 0:
        return int(out)
    return out.astype(np.int64)


KM_INFINITE = krejcie_morgan(np.inf)
"""Krejcie-Morgan size for an unknown (large) population: 384."""


def _element_answers(responses: pd.DataFrame, codes: tuple[str, ...]) -> list[np.ndarray]:
    missing = [c for c in codes if c not in responses.columns]
    if missing:
        raise InputError(f"SKM responses lack element columns {missing}.")
    out = []
    for c in codes:
        col = responses[c]
        if col.dtype.kind in "iu":  # nullable or plain integers: no float round trip
            x = col.to_numpy(dtype="int16", na_value=0)
            bad = (x < 0) | (x > 4) | ((x == 0) & col.notna().to_numpy())
        else:
            xf = col.to_numpy(dtype="float64", na_value=np.nan)
            bad = np.isfinite(xf) & ((xf != np.round(xf)) | (xf < 1) | (xf > 4))
            x = np.where(np.isfinite(xf), xf, 0)
        if bad.any():
            raise InputError(
                f"Element {c} holds answers outside 1..4 (first bad row {int(np.flatnonzero(bad)[0])})."
            )
        out.append(x.astype(np.int8))
    return out


def _compute(responses, by, method, element_weight, cluster):
    weight = element_weight
    if method not in IKM_METHODS:
        raise ParameterError(f"Unknown IKM method {method!r}; use '2017' or '2004'.")
    if weight not in _WEIGHTS:
        raise ParameterError(
            f"Unknown element_weight={weight!r}; use 'exact' (1/9) or 'rounded' (0.111)."
        )
    by = list(by)
    miss = [c for c in by if c not in responses.columns]
    if miss:
        raise InputError(f"ikm: by columns {miss} are not in the responses.")
    elems = ikm_elements(method)
    codes = tuple(e.code for e in elems)
    answers = _element_answers(responses, codes)
    g, keys = factorize_columns(responses, by)
    n_groups = len(keys)
    g5 = g * 5
    cell_codes = [g5 + x for x in answers]  # (group, answer) codes, reused below
    counts = np.stack(
        [np.bincount(c, minlength=n_groups * 5).reshape(n_groups, 5) for c in cell_codes], axis=1
    )  # (G, E, 5): answer 0 = missing
    n_e = counts[:, :, 1:].sum(2).astype(float)
    total = (counts * np.arange(5)).sum(2).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        nrr = total / n_e
    present = n_e > 0
    k_present = present.sum(1)
    w_full = 1 / len(codes) if weight == "exact" else round(1 / len(codes), 3)
    with np.errstate(invalid="ignore", divide="ignore"):
        w_part = 1 / k_present if weight == "exact" else np.round(1 / k_present, 3)
    wt = np.where(k_present == len(codes), w_full, w_part)[:, None] * present  # (G, E)
    interval = np.where(k_present > 0, np.nansum(nrr * wt, axis=1), np.nan)
    # Linearised variable, one gather per element through a (G x 5) lookup table.
    z = np.zeros(len(responses))
    with np.errstate(invalid="ignore", divide="ignore"):
        coef = np.where(present, 25 * wt / n_e, 0.0)
    for j, codes_j in enumerate(cell_codes):
        lut = coef[:, j : j + 1] * (np.arange(5)[None, :] - np.nan_to_num(nrr[:, j : j + 1]))
        lut[:, 0] = 0.0
        z += np.take(lut.ravel(), codes_j)
    if cluster and cluster not in by and cluster in responses.columns:
        psu, _ = factorize_columns(responses, [*by, cluster])
        n_psu = int(psu.max()) + 1 if len(psu) else 0
        t = np.bincount(psu, z, minlength=n_psu)
        psu_group = np.empty(n_psu, dtype=np.int64)
        psu_group[psu] = g
    else:  # respondents are the sampling units
        t, psu_group = z, g
    m = np.bincount(psu_group, minlength=n_groups).astype(float)
    ss = np.bincount(psu_group, t * t, minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        var = np.where(m > 1, m / (m - 1) * ss, np.nan)
    n_resp = np.bincount(g, minlength=n_groups)
    return {
        "keys": keys, "elements": elems, "n_e": n_e, "total": total, "nrr": nrr, "wt": wt,
        "interval": interval, "se": np.sqrt(var) * 1.0, "n": n_resp, "k_present": k_present,
    }  # fmt: skip


def _band_columns(converted: np.ndarray, method: str, prefix: str = "band") -> dict:
    bands = IKM_BANDS[method]
    idx = band_codes(converted, bands)
    # Each column its own codes (pandas keeps int8 codes as given; columns must not alias).
    return {
        prefix: pd.Categorical.from_codes(idx.copy(), [b.code for b in bands]),
        f"{prefix}_label_id": pd.Categorical.from_codes(idx.copy(), [b.label_id for b in bands]),
        f"{prefix}_label_en": pd.Categorical.from_codes(idx, [b.label_en for b in bands]),
    }


def _check_units(responses, by, cluster, func):
    """Refuse groups or clusters keyed by a unit code that repeats across governments."""
    path = [*by, cluster] if cluster and cluster not in by else list(by)
    if UNIT in path:
        check_unit(responses, path, func=func, arg="by" if UNIT in by else "cluster",
                   fix=f"Add {GOV!r} to by (units are numbered within each government).")  # fmt: skip


@renamed(weight="element_weight")
def ikm(
    responses: pd.DataFrame,
    by: list[str] | tuple[str, ...] = ("gov_code", "unit_code", "period"),
    *,
    element_weight: str = "exact",
    method: str = "2017",
    cluster: str | None = "unit_code",
    min_group: int = MIN_GROUP,
) -> pd.DataFrame:
    """IKM per group (unit, service, government, period) with its standard error.

    Parameters
    ----------
    responses : pandas.DataFrame
        ``skm_responses``: element columns ``U1`` .. ``U9`` (``E1`` .. ``E14`` for
        the 2004 method), answers 1-4, missing allowed.
    by : list of str
        Grouping columns.
    element_weight : {"exact", "rounded"}
        Element weight 1/9 (default) or the printed 0.111 (not survey weights:
        respondents count equally in the NRRs, as the regulation prescribes).
    method : {"2017", "2004"}
        PermenPANRB 14/2017 or KEP/25/M.PAN/2/2004.
    cluster : str or None
        Column whose values cluster respondents when a group holds several of
        them (units within a government); None = independent respondents.
    min_group : int
        Groups with fewer respondents are withheld (estimate NaN, ``suppressed``).

    Returns
    -------
    pandas.DataFrame
        ``by`` columns, ``method_version``, ``ikm_interval`` (1-4), ``estimate``
        (converted 25-100), ``se``, ``ci_low``, ``ci_high``, ``n``, ``elements``
        (elements with answers), ``band``, ``band_label_id``, ``band_label_en``,
        ``suppressed``, ``suppression_reason``.

    Examples
    --------
    Ten respondents answer 4 ("Sangat sesuai") to all nine elements in unit A;
    in unit B they alternate 3 and 4, so every NRR is 3.5 and the converted
    value 87.5, just under the A band (88.31):

    >>> import pandas as pd
    >>> from berakhlak_research.indices import ikm
    >>> skm = pd.DataFrame({f"U{i}": [4] * 10 + [3, 4] * 5 for i in range(1, 10)})
    >>> skm["unit_code"] = ["A"] * 10 + ["B"] * 10
    >>> ikm(skm, by=["unit_code"], cluster=None)[["unit_code", "estimate", "band", "n"]]
      unit_code  estimate band   n
    0         A     100.0    A  10
    1         B      87.5    B  10
    """
    min_group = check_min_group(min_group)
    _check_units(responses, by, cluster, "ikm")
    r = _compute(responses, by, method, element_weight, cluster)
    n = r["n"]
    small = n < min_group
    est = r["interval"] * 25
    show = np.where(small, np.nan, est)
    se = np.where(small, np.nan, r["se"])
    lo, hi = survey.normal_interval(show, se)
    out = r["keys"].copy()
    out["method_version"] = method
    out["ikm_interval"] = np.where(small, np.nan, r["interval"])
    out["estimate"] = show
    out["se"] = se
    out["ci_low"] = lo
    out["ci_high"] = hi
    out["n"] = n.astype(np.int64)
    out["elements"] = r["k_present"].astype(np.int64)
    for c, v in _band_columns(show, method).items():
        out[c] = v
    out["suppressed"] = small
    out["suppression_reason"] = pd.Categorical(
        np.where(small, f"fewer than {min_group} respondents", None)
    )
    return out


@renamed(weight="element_weight")
def ikm_elements_table(
    responses: pd.DataFrame,
    by: list[str] | tuple[str, ...] = ("gov_code", "unit_code", "period"),
    *,
    element_weight: str = "exact",
    method: str = "2017",
    min_group: int = MIN_GROUP,
) -> pd.DataFrame:
    """Per-element IKM table: total, NRR, weighted NRR, NRR x 25 and band, per group.

    Parameters
    ----------
    responses, by, element_weight, method, min_group
        As in :func:`ikm`. Element figures of withheld groups are NaN.

    Returns
    -------
    pandas.DataFrame
        ``by`` columns, ``element``, ``element_name_id``, ``element_name_en``,
        ``total``, ``nrr``, ``nrr_weighted``, ``nrr_x25``, ``band``, ``n``
        (respondents who answered the element), ``suppressed``.
    """
    min_group = check_min_group(min_group)
    _check_units(responses, by, None, "ikm_elements_table")
    r = _compute(responses, by, method, element_weight, None)
    elems = r["elements"]
    g, e = r["nrr"].shape
    small = np.repeat(r["n"] < min_group, e)
    rows = np.repeat(np.arange(g), e)
    out = r["keys"].take(rows).reset_index(drop=True)
    idx = np.tile(np.arange(e), g)
    out["element"] = pd.Categorical.from_codes(idx, [x.code for x in elems])
    out["element_name_id"] = pd.Categorical.from_codes(idx, [x.name_id for x in elems])
    out["element_name_en"] = pd.Categorical.from_codes(idx, [x.name_en for x in elems])
    hide = lambda a: np.where(small, np.nan, a.ravel())  # noqa: E731
    out["total"] = hide(r["total"])
    out["nrr"] = hide(r["nrr"])
    out["nrr_weighted"] = hide(r["nrr"] * r["wt"])
    out["nrr_x25"] = hide(r["nrr"] * 25)
    with np.errstate(invalid="ignore"):
        out["band"] = _band_columns(np.clip(out["nrr_x25"].to_numpy(), 25, 100), method)["band"]
    out["n"] = r["n_e"].ravel().astype(np.int64)
    out["suppressed"] = small
    return out


def sample_adequacy(
    responses: pd.DataFrame,
    population: pd.DataFrame | None = None,
    *,
    by: tuple[str, ...] = ("gov_code", "unit_code", "period"),
) -> pd.DataFrame:
    """Respondents per unit and period against the Krejcie-Morgan requirement.

    Parameters
    ----------
    responses : pandas.DataFrame
        ``skm_responses``.
    population : pandas.DataFrame, optional
        Service population per unit: the ``by`` columns (``period`` optional)
        and ``population``. Where it is unknown the large-population
        requirement (384) applies and ``population`` is NA.
    by : tuple of str
        Grouping columns.

    Returns
    -------
    pandas.DataFrame
        ``by`` columns, ``population``, ``required``, ``respondents``, ``adequate``.
    """
    by = list(by)
    _check_units(responses, by, None, "sample_adequacy")
    g, keys = factorize_columns(responses, by)
    out = keys.copy()
    out["respondents"] = np.bincount(g, minlength=len(keys)).astype(np.int64)
    if population is not None and len(population):
        on = [c for c in by if c in population.columns]
        out = out.merge(population[[*on, "population"]], on=on, how="left")
    else:
        out["population"] = np.nan
    pop = out["population"].to_numpy(dtype=float, na_value=np.nan)
    req = krejcie_morgan(np.where(np.isfinite(pop) & (pop >= 1), pop, np.inf))
    out["population"] = pd.array(np.where(np.isfinite(pop), pop, np.nan)).astype("Int64")
    out["required"] = req
    out["adequate"] = out["respondents"].to_numpy() >= req
    return out[[*by, "population", "required", "respondents", "adequate"]]
