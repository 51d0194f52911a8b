"""Survey weights and design-based uncertainty for respondents clustered in work units.

The culture survey of a government is a two-stage sample: work units (PSUs)
within the government (stratum), then employees within each unit. Units have
known headcounts and small governments are surveyed nearly in full, so the
variance estimator keeps the finite-population corrections of both stages.

* :func:`rake_weights` calibrates respondent weights to unit headcounts
  (optionally also to sex and employment-type totals per government), trims
  extreme weights and reports the design effect.
* :func:`svymean` is the design-based mean (a ratio estimator) of one or more
  variables by domain, with a linearisation standard error that equals R's
  ``svymean`` on ``svydesign(ids = ~unit + respondent, strata = ~gov,
  fpc = ~units_in_gov + headcount)``; ``fpc=False`` gives the ultimate-cluster
  (with-replacement) variance of ``svydesign(ids = ~unit, strata = ~gov)``.
* :func:`svyratio` is R's ``svyratio``: a ratio of two totals per domain with its
  linearisation SE, under the same designs.
* ``stages=1`` (in :func:`svymean`, :func:`svyratio`, the engine) is a one-stage cluster
  design, R's ``svydesign(ids = ~unit, fpc = ~M)``: whole units sampled, no second stage.
* :func:`calibrated_svymean` is the mean after raking to population margins with the
  calibration-aware linearisation SE (residuals from the design-weighted regression on
  the margins), R's ``calibrate(..., calfun = "raking")`` design.
* :func:`ratio_from_cells` is the vectorised engine they use: it works on
  per-cell sufficient statistics, so national data (millions of respondents)
  reduce to a few bincounts before any variance is computed. It also runs a
  Rao-Wu cluster bootstrap (units resampled within governments).

Notes
-----
For a domain ``G`` with weighted ratio ``R = sum(w a y) / sum(w a)`` (``a`` = the
answer is present) the linearised variable is ``z_i = w_i a_i (y_i - R) / W``.
With PSU totals ``t_u`` of ``z``, ``m_g`` PSUs sampled of ``M_g`` in stratum
``g``, and ``n_u`` of ``N_u`` respondents in PSU ``u``:

``V = sum_g [(1 - m_g/M_g) m_g/(m_g-1) sum_u (t_u - tbar_g)^2
+ (m_g/M_g) sum_u (1 - n_u/N_u) n_u/(n_u-1) sum_i (z_i - zbar_u)^2]``

(Särndal, Swensson and Wretman 1992, result 4.3.1; the form of
``survey:::multistage``). A stratum with one PSU, or a PSU with one
respondent, contributes no variance of its own (R's
``options(survey.lonely.psu = "certainty")``). Unit-level estimates
condition on the unit (``certainty=True``): only the within-unit term counts.

References
----------
1. Lumley T (2004). Analysis of complex survey samples. J. Stat. Softw. 9(8).
2. Rao JNK, Wu CFJ (1988). Resampling inference with complex survey data.
   JASA 83(401), 231-241.
3. Deville J-C, Särndal C-E (1992). Calibration estimators in survey sampling.
   JASA 87(418), 376-382.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse, stats

from berakhlak_research.exceptions import EstimationError, InputError
from berakhlak_research.vocabulary import renamed

__all__ = [
    "Z95",
    "RakingResult",
    "kish_deff",
    "rake_weights",
    "svymean",
    "svyratio",
    "calibrated_svymean",
    "calibration_residuals",
    "ratio_from_cells",
    "psu_moments",
    "ratio_from_moments",
    "normal_interval",
    "factorize_columns",
    "group_sum_matrix",
]

Z95 = float(stats.norm.ppf(0.975))
"""The 97.5 % normal quantile used for 95 % intervals."""


def normal_interval(estimate, se, *, level: float = 0.95):
    """Normal-theory interval ``estimate -/+ z * se`` (arrays in, arrays out)."""
    z = float(stats.norm.ppf(0.5 + level / 2))
    est = np.asarray(estimate, dtype=float)
    half = z * np.asarray(se, dtype=float)
    return est - half, est + half


def kish_deff(weights) -> float:
    """Kish's design effect due to unequal weights, ``n * sum(w^2) / sum(w)^2``.

    Parameters
    ----------
    weights : array-like
        Positive weights (missing values ignored).

    Returns
    -------
    float
        1 for equal weights; larger the more the weights vary.
    """
    w = np.asarray(weights, dtype=float)
    w = w[np.isfinite(w)]
    if w.size == 0 or w.sum() <= 0:
        return float("nan")
    return float(w.size * np.square(w).sum() / np.square(w.sum()))


# --------------------------------------------------------------------------
# The engine: ratio estimates and their variance from per-cell statistics
# --------------------------------------------------------------------------


def group_sum_matrix(index: np.ndarray, size: int) -> sparse.csr_matrix:
    """Sparse (size x n) 0/1 matrix whose product with an (n x k) array sums rows by ``index``."""
    n = index.size
    return sparse.csr_matrix((np.ones(n), index, np.arange(n + 1)), shape=(n, size)).T.tocsr()


def _group_sum(index: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """Sum rows of ``values`` (n x k) into ``size`` groups given by ``index``; vectorised."""
    return np.asarray(group_sum_matrix(index, size) @ values)


def ratio_from_cells(
    cell_psu: np.ndarray,
    cell_group: np.ndarray,
    cell_weight: np.ndarray,
    n_avail: np.ndarray,
    sum_y: np.ndarray,
    sum_y2: np.ndarray,
    psu_stratum: np.ndarray,
    psu_n: np.ndarray,
    psu_population: np.ndarray,
    stratum_population: np.ndarray,
    n_groups: int,
    *,
    fpc: bool = True,
    certainty: bool = False,
    n_boot: int = 0,
    seed: int | None = None,
    stages: int = 2,
) -> dict[str, np.ndarray]:
    """Weighted ratio means and design-based variances from per-cell sufficient statistics.

    A *cell* is a set of respondents of one PSU (unit) who share one weight
    and one domain; ``n_avail``, ``sum_y`` and ``sum_y2`` hold, per cell and
    variable, the number of respondents who answered and the unweighted sums
    of ``y`` and ``y**2`` over them. Every array is numpy; nothing loops over
    cells, units or groups.

    Parameters
    ----------
    cell_psu, cell_group : int arrays (C,)
        PSU index (0..P-1) and domain index (0..n_groups-1, or -1 = none) of each cell.
    cell_weight : float array (C,)
        The weight shared by the cell's respondents.
    n_avail, sum_y, sum_y2 : float arrays (C, V)
        Sufficient statistics of V variables.
    psu_stratum : int array (P,)
        Stratum (government and wave) of each PSU.
    psu_n : array (P,)
        Respondents sampled in the PSU (all of them, answered or not).
    psu_population : array (P,)
        PSU population (headcount); NaN = unknown (no within-unit FPC).
    stratum_population : array (S,)
        Number of PSUs in the stratum's population; NaN = unknown (ultimate-cluster
        variance, no stage-two term), as in R when no stage-one fpc is given.
    n_groups : int
        Number of domains.
    fpc : bool
        Use finite-population corrections (two-stage variance). False gives the
        with-replacement ultimate-cluster variance.
    certainty : bool
        Condition on the PSUs (unit-level estimates): only within-PSU variance.
    n_boot : int
        Rao-Wu cluster-bootstrap replicates (0 = none). Units are resampled
        ``m_g - 1`` times with replacement within each stratum; no FPC.
    seed : int, optional
        Bootstrap seed.
    stages : {2, 1}
        2 (default): two-stage variance, units then respondents. 1: a one-stage cluster
        design (whole units are the sampled elements): only the between-unit term, with
        the stage-one FPC, as R's ``svydesign(ids = ~unit, fpc = ~units_in_population)``;
        ``psu_population`` is then not used.

    Returns
    -------
    dict of numpy arrays (n_groups x V)
        ``estimate``, ``se``, ``n`` (respondents who answered), ``weight_sum``;
        with ``n_boot``: ``boot_se``, ``boot_ci_low``, ``boot_ci_high`` (percentile).
    """
    cell_psu = np.asarray(cell_psu, dtype=np.int64)
    cell_group = np.asarray(cell_group, dtype=np.int64)
    keep = cell_group >= 0
    if not keep.all():
        cell_psu, cell_group = cell_psu[keep], cell_group[keep]
        cell_weight = np.asarray(cell_weight)[keep]
        n_avail, sum_y, sum_y2 = n_avail[keep], sum_y[keep], sum_y2[keep]
    n_avail = np.asarray(n_avail, dtype=float)
    sum_y = np.asarray(sum_y, dtype=float)
    sum_y2 = np.asarray(sum_y2, dtype=float)
    if n_avail.ndim == 1:
        n_avail, sum_y, sum_y2 = n_avail[:, None], sum_y[:, None], sum_y2[:, None]
    n_psu = psu_stratum.size
    w = np.asarray(cell_weight, dtype=float)[:, None]
    w2 = w * w

    # Aggregate cells to (group, psu) pairs: everything after this is small. When the
    # cells are the PSUs themselves (weights constant within units, no sub-unit domains)
    # the pairs are the cells and nothing needs aggregating.
    if cell_psu.size == n_psu and np.array_equal(cell_psu, np.arange(n_psu)):
        gp_group, gp_psu = cell_group, cell_psu
        a0, a1, na = w * n_avail, w * sum_y, n_avail
        b0, b1, b2 = w2 * n_avail, w2 * sum_y, w2 * sum_y2
    else:
        gp_key = cell_group * n_psu + cell_psu
        gp_codes, gp_inv = np.unique(gp_key, return_inverse=True)
        n_gp = gp_codes.size
        gp_group = gp_codes // n_psu
        gp_psu = gp_codes % n_psu
        agg = group_sum_matrix(gp_inv, n_gp)
        a0, a1, na = agg @ (w * n_avail), agg @ (w * sum_y), agg @ n_avail
        b0, b1, b2 = agg @ (w2 * n_avail), agg @ (w2 * sum_y), agg @ (w2 * sum_y2)

    moments = {"a0": a0, "a1": a1, "b0": b0, "b1": b1, "b2": b2, "na": na}
    return _ratio_core(
        moments, gp_group, gp_psu, psu_stratum, psu_n, psu_population, stratum_population,
        n_groups, fpc=fpc, certainty=certainty, n_boot=n_boot, seed=seed, stages=stages,
    )  # fmt: skip


def psu_moments(
    cell_psu: np.ndarray,
    cell_weight: np.ndarray,
    n_avail: np.ndarray,
    sum_y: np.ndarray,
    sum_y2: np.ndarray,
    n_psu: int,
) -> dict[str, np.ndarray]:
    """Per-PSU weighted moments of the cells, reusable for every grouping made of whole PSUs.

    Returns
    -------
    dict of numpy arrays (n_psu x V)
        ``a0 = sum(w a)``, ``a1 = sum(w a y)``, ``b0 = sum(w^2 a)``, ``b1 = sum(w^2 a y)``,
        ``b2 = sum(w^2 a y^2)``, ``na = sum(a)``.
    """
    w = np.asarray(cell_weight, dtype=float)[:, None]
    w2 = w * w
    cell_psu = np.asarray(cell_psu, dtype=np.int64)
    if cell_psu.size == n_psu and np.array_equal(cell_psu, np.arange(n_psu)):
        return {"a0": w * n_avail, "a1": w * sum_y, "b0": w2 * n_avail, "b1": w2 * sum_y,
                "b2": w2 * sum_y2, "na": np.asarray(n_avail, dtype=float)}  # fmt: skip
    agg = group_sum_matrix(cell_psu, n_psu)
    return {"a0": agg @ (w * n_avail), "a1": agg @ (w * sum_y), "b0": agg @ (w2 * n_avail),
            "b1": agg @ (w2 * sum_y), "b2": agg @ (w2 * sum_y2), "na": agg @ n_avail}  # fmt: skip


def ratio_from_moments(
    moments: dict[str, np.ndarray],
    psu_group: np.ndarray,
    psu_stratum: np.ndarray,
    psu_n: np.ndarray,
    psu_population: np.ndarray,
    stratum_population: np.ndarray,
    n_groups: int,
    *,
    fpc: bool = True,
    certainty: bool = False,
    n_boot: int = 0,
    seed: int | None = None,
    stages: int = 2,
) -> dict[str, np.ndarray]:
    """As :func:`ratio_from_cells` for groups made of whole PSUs, from :func:`psu_moments`.

    ``psu_group`` gives each PSU's group. Returns the same arrays.
    """
    n_psu = psu_stratum.size
    return _ratio_core(
        moments, np.asarray(psu_group, dtype=np.int64), np.arange(n_psu), psu_stratum, psu_n,
        psu_population, stratum_population, n_groups, fpc=fpc, certainty=certainty,
        n_boot=n_boot, seed=seed, stages=stages,
    )  # fmt: skip


def _check_stages(stages: int, certainty: bool) -> None:
    if stages not in (1, 2):
        raise InputError(f"stages must be 1 (one-stage cluster design) or 2, got {stages!r}.")
    if stages == 1 and certainty:
        raise InputError(
            "certainty=True conditions on the units, which leaves no variance in a one-stage "
            "design (stages=1); use stages=2 for unit-level estimates."
        )


def _ratio_core(
    moments, gp_group, gp_psu, psu_stratum, psu_n, psu_population, stratum_population,
    n_groups, *, fpc, certainty, n_boot, seed, stages=2,
):  # fmt: skip
    """Ratio estimates and their multistage variance from (group, PSU) pair moments.

    ``moments`` holds, per pair and variable, ``a0 = sum(w x)`` and ``a1 = sum(w y)`` (the
    ratio ``R = sum a1 / sum a0``), ``b0 = sum(w^2 x^2)``, ``b1 = sum(w^2 x y)``,
    ``b2 = sum(w^2 y^2)`` and ``na`` (count); a mean is the ratio with ``x`` = answered
    (0/1). Optional ``c0``, ``c1`` replace ``a0``, ``a1`` in the linearised totals
    ``t = (c1 - R c0) / W`` (and ``b*`` are then moments of the same replaced variables):
    calibration residuals, see :func:`calibrated_svymean`.
    """
    _check_stages(stages, certainty)
    a0, a1, b0, b1, b2, na = (moments[k] for k in ("a0", "a1", "b0", "b1", "b2", "na"))
    c0, c1 = moments.get("c0", a0), moments.get("c1", a1)
    n_strata = stratum_population.size
    to_group = group_sum_matrix(gp_group, n_groups)
    wsum, ysum, n_obs = to_group @ a0, to_group @ a1, to_group @ na
    with np.errstate(invalid="ignore", divide="ignore"):
        est = ysum / wsum
        inv_w = np.where(wsum > 0, 1.0 / wsum, 0.0)  # groups nobody answered contribute 0
    r_g = np.where(wsum > 0, est, 0.0)
    # Work on (PSU x variable) arrays with as few temporaries as possible: this is the
    # largest array arithmetic of the whole computation.
    r = r_g[gp_group]
    inv = inv_w[gp_group]
    # Each group one whole PSU, conditioned on (units' own figures): the PSU total of z is
    # exactly 0, so only the within-PSU part is computed.
    own_psu = certainty and gp_group.size == n_groups and np.array_equal(gp_psu, gp_group)
    if own_psu:
        t = None
    else:
        t = r * c0
        np.subtract(c1, t, out=t)
        t *= inv  # PSU totals of the linearised variable z
    # a one-stage design has no within-unit term (units are the sampled elements)
    need_within = certainty or (fpc and stages == 2)
    if need_within:
        ss = r * b0
        ss -= 2 * b1
        ss *= r
        ss += b2
        ss *= inv * inv  # sum of z^2 within the PSU
        n_u = np.asarray(psu_n, dtype=float)[gp_psu][:, None]
        big_n = np.asarray(psu_population, dtype=float)[gp_psu][:, None]
        with np.errstate(invalid="ignore", divide="ignore"):
            f2 = np.where(
                np.isfinite(big_n) & fpc, np.minimum(n_u / np.where(big_n > 0, big_n, 1), 1), 0
            )
            factor = np.where(n_u > 1, (1 - f2) * n_u / (n_u - 1), 0.0)
        if t is None:
            within = np.maximum(ss, 0.0, out=ss)
        else:
            within = t * t
            within /= n_u
            np.subtract(ss, within, out=within)
            np.maximum(within, 0.0, out=within)
        within *= factor
        v2 = within
        del ss
    else:
        v2 = None

    stratum = np.asarray(psu_stratum, dtype=np.int64)
    m_s = np.bincount(stratum, minlength=n_strata).astype(float)
    big_m = np.asarray(stratum_population, dtype=float)
    f1 = np.where(np.isfinite(big_m) & fpc, np.minimum(m_s / np.where(big_m > 0, big_m, 1), 1), 0)

    if own_psu:
        var = v2
    elif certainty:
        var = to_group @ v2
    else:
        gp_stratum = stratum[gp_psu]
        owner = np.full(n_strata, -1, dtype=np.int64)
        owner[gp_stratum] = gp_group
        if np.array_equal(owner[gp_stratum], gp_group):
            # Every stratum lies inside one group (government and higher levels).
            gs_inv, gs_stratum = gp_stratum, np.arange(n_strata)
            gs_group = owner
        else:  # domains cut across strata: (group, stratum) pairs
            gs_key = gp_group * n_strata + gp_stratum
            gs_codes, gs_inv = np.unique(gs_key, return_inverse=True)
            gs_group, gs_stratum = gs_codes // n_strata, gs_codes % n_strata
        to_gs = group_sum_matrix(gs_inv, gs_stratum.size)
        t1, t2 = to_gs @ t, to_gs @ (t * t)
        m = m_s[gs_stratum][:, None]
        f1g = f1[gs_stratum][:, None]
        with np.errstate(invalid="ignore", divide="ignore"):
            v1 = np.where(m > 1, (1 - f1g) * m / (m - 1) * np.maximum(t2 - t1 * t1 / m, 0), 0.0)
        v = v1 + f1g * (to_gs @ v2) if v2 is not None else v1
        keep = gs_group >= 0  # strata without PSUs in any group
        var = group_sum_matrix(gs_group[keep], n_groups) @ v[keep]
    out = {
        "estimate": est,
        "se": np.where(np.isfinite(est), np.sqrt(var), np.nan),
        "n": n_obs,
        "weight_sum": wsum,
    }
    if n_boot:
        out.update(_rao_wu(a0, a1, gp_group, gp_psu, stratum, m_s, n_groups, n_boot, seed))
    return out


def _rao_wu(a0, a1, gp_group, gp_psu, stratum, m_s, n_groups, n_boot, seed):
    """Rao-Wu (m_g - 1) cluster bootstrap of the ratio; units resampled within strata."""
    rng = np.random.default_rng(seed)
    n_psu = stratum.size
    order = np.argsort(stratum, kind="stable")
    start = np.concatenate([[0], np.cumsum(m_s)[:-1]]).astype(np.int64)
    draws_per = np.maximum(m_s - 1, 0).astype(np.int64)
    draw_stratum = np.repeat(np.arange(m_s.size), draws_per)
    scale = np.where(m_s > 1, m_s / np.maximum(m_s - 1, 1), 1.0)
    # Each replicate's estimate for every group, V columns at a time.
    agg = sparse.csr_matrix(
        (np.ones(gp_group.size), (gp_group, np.arange(gp_group.size))),
        shape=(n_groups, gp_group.size),
    )
    reps = np.empty((n_boot, n_groups, a0.shape[1]))
    for b in range(n_boot):  # loop over replicates only; all groups at once
        pick = start[draw_stratum] + np.floor(
            rng.random(draw_stratum.size) * m_s[draw_stratum]
        ).astype(np.int64)
        counts = np.bincount(order[pick], minlength=n_psu).astype(float)
        mult = counts * scale[stratum]
        # Strata with a single PSU cannot be resampled: keep them as they are.
        mult = np.where(m_s[stratum] > 1, mult, 1.0)[gp_psu][:, None]
        with np.errstate(invalid="ignore", divide="ignore"):
            reps[b] = np.asarray(agg @ (mult * a1)) / np.asarray(agg @ (mult * a0))
    with np.errstate(invalid="ignore"):
        return {
            "boot_se": np.nanstd(reps, axis=0, ddof=1),
            "boot_ci_low": np.nanpercentile(reps, 2.5, axis=0),
            "boot_ci_high": np.nanpercentile(reps, 97.5, axis=0),
        }


# --------------------------------------------------------------------------
# Public helpers on respondent-level data
# --------------------------------------------------------------------------


def factorize_columns(df: pd.DataFrame, cols: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Integer codes (0..G-1) of the row combinations of ``cols`` and a frame of their values.

    Factorises column by column (fast on categoricals and strings), then the
    combined integer key; missing values form their own level. Groups are
    numbered in order of first appearance.
    """
    n = len(df)
    if not cols:
        return np.zeros(n, dtype=np.int64), pd.DataFrame(index=pd.RangeIndex(1))
    key = None
    parts = []
    for c in cols:
        col = df[c]
        if isinstance(col.dtype, pd.CategoricalDtype):  # codes are already there
            cats = col.cat.categories
            codes = np.asarray(col.array.codes)  # int8/16/32: widened in the key arithmetic
            missing = codes < 0
            if missing.any():
                codes = np.where(missing, len(cats), codes).astype(np.int64)
                uniques = pd.Series(cats).reindex(range(len(cats) + 1)).array
            else:
                uniques = cats.array
        elif col.dtype.kind in "iu" and n:  # small integer ranges (waves): dense codes, no hash
            na = col.isna().to_numpy()
            has_na = bool(na.any())
            vals = col.to_numpy(dtype=np.int64, na_value=0)
            valid = vals[~na] if has_na else vals
            lo = int(valid.min()) if valid.size else 0
            hi = int(valid.max()) if valid.size else 0
            if hi - lo > 4 * n + 1000:
                codes, uniques = pd.factorize(col, use_na_sentinel=False)
                codes = codes.astype(np.int64)
            elif lo == hi and not has_na:
                # One value (a single wave): code 0 everywhere, as a zero-stride view that
                # the key below skips - no pass over the rows.
                codes = np.broadcast_to(np.int8(0), (n,))
                uniques = pd.array([lo, None], dtype="Int64")
            else:
                codes = np.where(na, hi - lo + 1, vals - lo)
                uniques = pd.array([*range(lo, hi + 1), None], dtype="Int64")
        else:
            codes, uniques = pd.factorize(col, use_na_sentinel=False)
            codes = codes.astype(np.int64)
        parts.append((codes, uniques))
    # The combined key in place, in 4 bytes per row when the combinations fit: the passes
    # over millions of rows are memory-bound.
    radix = [len(u) + 1 for _, u in parts]
    key_type = np.int32 if float(np.prod(radix, dtype=float)) < 2**31 else np.int64
    for (codes, _), r in zip(parts, radix, strict=True):
        if codes.strides == (0,):  # a constant column adds nothing to the key
            continue
        if key is None:
            key = codes.astype(key_type)
        else:
            key *= r
            key += codes
    if key is None:  # every column constant
        key = np.zeros(n, dtype=key_type)
    if n and bool(np.all(key[1:] >= key[:-1])):
        # Rows already grouped in key order (as exports usually are): run-length codes,
        # no hashing (np.repeat of the run lengths is several times cheaper than a cumsum).
        change = np.empty(n, dtype=bool)
        change[0] = True
        np.not_equal(key[1:], key[:-1], out=change[1:])
        first = np.flatnonzero(change)
        combined = np.repeat(np.arange(first.size), np.diff(first, append=n))
    else:
        combined, first_keys = pd.factorize(key)
        # Representative row of each combination: vectorised "first occurrence".
        first = np.empty(len(first_keys), dtype=np.int64)
        first[combined[::-1]] = np.arange(n - 1, -1, -1)
    values = pd.DataFrame(
        {
            c: pd.Series(u).take(codes[first]).reset_index(drop=True)
            for c, (codes, u) in zip(cols, parts, strict=True)
        }
    )
    return combined.astype(np.int64, copy=False), values


_codes = factorize_columns


@renamed(weight="weights")
def svymean(
    data: pd.DataFrame,
    y: str | list[str],
    *,
    by: list[str] | None = None,
    cluster: str = "unit_code",
    strata: str | None = "gov_code",
    weights: str | None = None,
    psu_population: str | None = None,
    stratum_population: str | None = None,
    fpc: bool = True,
    certainty: bool = False,
    n_boot: int = 0,
    seed: int | None = None,
    stages: int = 2,
    level: float = 0.95,
) -> pd.DataFrame:
    """Design-based mean of each variable by domain, respondents clustered in units.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent.
    y : str or list of str
        Numeric columns; missing values are excluded from that variable only
        (they stay in the design, as R's ``na.rm=TRUE`` does).
    by : list of str, optional
        Domain columns; None = the whole sample.
    cluster : str
        PSU column (the work unit), nested in ``strata``.
    strata : str or None
        Stratum column (the government); None = one stratum.
    weights : str, optional
        Survey weight column; None = equal weights.
    psu_population : str, optional
        Column with each PSU's population size (headcount).
    stratum_population : str, optional
        Column with the number of PSUs in the stratum's population.
    fpc, certainty, n_boot, seed
        As in :func:`ratio_from_cells`.
    stages : {2, 1}, default 2
        2: units then respondents (the culture survey). 1: a one-stage cluster design,
        whole units sampled: R's ``svydesign(ids = ~unit, fpc = ~M)`` without having to
        pretend each unit's population is its sample (``psu_population`` must be None).
    level : float, default 0.95
        Confidence level of the normal intervals.

    Returns
    -------
    pandas.DataFrame
        ``by`` columns, ``variable``, ``estimate``, ``se``, ``ci_low``,
        ``ci_high``, ``n``; with ``n_boot`` also ``boot_se``, ``boot_ci_low``,
        ``boot_ci_high``.

    Examples
    --------
    The R equivalent::

        d <- svydesign(ids = ~unit + id, strata = ~gov, fpc = ~M + N, data = x)
        svyby(~y, ~gov, d, svymean, na.rm = TRUE)

    and for ``stages=1`` (``stratum_population="M"``, ``strata=None``)::

        d <- svydesign(ids = ~unit, fpc = ~M, weights = ~w, data = x)
    """
    ys = [y] if isinstance(y, str) else list(y)
    by = list(by or [])
    missing = [c for c in [*ys, *by, cluster] if c not in data.columns]
    if missing:
        raise InputError(f"svymean: columns {missing} are not in the data.")
    _check_one_stage(stages, psu_population, certainty)
    strat_cols = [strata] if strata else []
    psu, psu_keys = _codes(data, [*strat_cols, cluster])
    stratum_of_psu, _ = _codes(psu_keys, strat_cols)
    group, group_keys = _codes(data, by)
    n = len(data)
    weight = weights
    w = np.ones(n) if weight is None else data[weight].to_numpy(dtype=float)
    if np.any(~np.isfinite(w)) or np.any(w <= 0):
        raise EstimationError(f"svymean: weights in {weight!r} must be positive and finite.")
    yv = data[ys].to_numpy(dtype=float, na_value=np.nan)
    avail = np.isfinite(yv)
    y0 = np.where(avail, yv, 0.0)

    def first(col: str | None, index: np.ndarray, size: int) -> np.ndarray:
        if col is None:
            return np.full(size, np.nan)
        out = np.full(size, np.nan)
        out[index[::-1]] = data[col].to_numpy(dtype=float, na_value=np.nan)[::-1]
        return out

    n_psu = len(psu_keys)
    res = ratio_from_cells(
        psu,
        group,
        w,
        avail.astype(float),
        y0,
        y0 * y0,
        stratum_of_psu,
        np.bincount(psu, minlength=n_psu),
        first(psu_population, psu, n_psu),
        _stratum_first(stratum_population, data, psu, stratum_of_psu),
        len(group_keys),
        fpc=fpc,
        certainty=certainty,
        n_boot=n_boot,
        seed=seed,
        stages=stages,
    )
    lo, hi = normal_interval(res["estimate"], res["se"], level=level)
    out = pd.DataFrame(
        {
            "variable": np.tile(ys, len(group_keys)),
            "estimate": res["estimate"].ravel(),
            "se": res["se"].ravel(),
            "ci_low": lo.ravel(),
            "ci_high": hi.ravel(),
            "n": res["n"].ravel().astype(np.int64),
        }
    )
    for extra in ("boot_se", "boot_ci_low", "boot_ci_high"):
        if extra in res:
            out[extra] = res[extra].ravel()
    if by:
        keys = group_keys.loc[np.repeat(np.arange(len(group_keys)), len(ys))].reset_index(drop=True)
        out = pd.concat([keys, out], axis=1)
    return out


def _check_one_stage(stages: int, psu_population: str | None, certainty: bool) -> None:
    _check_stages(stages, certainty)
    if stages == 1 and psu_population is not None:
        raise InputError(
            f"psu_population={psu_population!r} is a second-stage population size, but "
            "stages=1 (a one-stage cluster design) has no second stage; drop it, or use "
            "stages=2 for units sampled and then respondents within them."
        )


@dataclass(frozen=True)
class _Design:
    """Respondent-level design arrays shared by the estimators on raw data."""

    psu: np.ndarray  # (N,) PSU index of each row
    stratum_of_psu: np.ndarray  # (P,)
    group: np.ndarray  # (N,) domain index
    group_keys: pd.DataFrame
    weight: np.ndarray  # (N,)
    psu_n: np.ndarray  # (P,) rows sampled in each PSU
    psu_population: np.ndarray  # (P,)
    stratum_population: np.ndarray  # (S,)


def _design(data, *, by, cluster, strata, weight, psu_population, stratum_population, what):
    missing = [c for c in [*by, cluster] if c not in data.columns]
    if missing:
        raise InputError(f"{what}: columns {missing} are not in the data.")
    strat_cols = [strata] if strata else []
    psu, psu_keys = _codes(data, [*strat_cols, cluster])
    stratum_of_psu, _ = _codes(psu_keys, strat_cols)
    group, group_keys = _codes(data, by)
    w = np.ones(len(data)) if weight is None else data[weight].to_numpy(dtype=float)
    if np.any(~np.isfinite(w)) or np.any(w <= 0):
        raise EstimationError(f"{what}: weights in {weight!r} must be positive and finite.")
    n_psu = len(psu_keys)
    pop = np.full(n_psu, np.nan)
    if psu_population is not None:
        pop[psu[::-1]] = data[psu_population].to_numpy(dtype=float, na_value=np.nan)[::-1]
    return _Design(
        psu, stratum_of_psu, group, group_keys, w, np.bincount(psu, minlength=n_psu), pop,
        _stratum_first(stratum_population, data, psu, stratum_of_psu),
    )  # fmt: skip


def _pair_moments(d: _Design, x: np.ndarray, y: np.ndarray, count: np.ndarray):
    """(group, PSU) pair moments of a ratio sum(w y) / sum(w x) for every column of x, y.

    ``x``, ``y`` are (N, V) arrays with 0 where a row does not count (missing); ``count``
    (N, V) is 1 where it counts (the ``n`` column).
    """
    n_psu = d.psu_n.size
    key = d.group * n_psu + d.psu
    codes, inv = np.unique(key, return_inverse=True)
    agg = group_sum_matrix(inv.ravel(), codes.size)
    w = d.weight[:, None]
    moments = {
        "a0": agg @ (w * x), "a1": agg @ (w * y), "na": agg @ count.astype(float),
        "b0": agg @ (w * w * x * x), "b1": agg @ (w * w * x * y), "b2": agg @ (w * w * y * y),
    }  # fmt: skip
    return codes // n_psu, codes % n_psu, moments


def _tidy(res, keys: pd.DataFrame, by, labels: dict[str, list], level: float, null=None):
    lo, hi = normal_interval(res["estimate"], res["se"], level=level)
    n_var = len(next(iter(labels.values())))
    out = pd.DataFrame({k: np.tile(v, len(keys)) for k, v in labels.items()})
    out["estimate"] = res["estimate"].ravel()
    out["se"] = res["se"].ravel()
    out["ci_low"] = lo.ravel()
    out["ci_high"] = hi.ravel()
    if null is not None:
        with np.errstate(invalid="ignore", divide="ignore"):
            zs = (out["estimate"] - null) / out["se"]
        out["p_value"] = 2 * stats.norm.sf(np.abs(zs))
    out["n"] = res["n"].ravel().astype(np.int64)
    if by:
        rep = keys.loc[np.repeat(np.arange(len(keys)), n_var)].reset_index(drop=True)
        out = pd.concat([rep, out], axis=1)
    return out


def _check_level(level: float) -> None:
    if not 0 < level < 1:
        raise InputError(f"level must be between 0 and 1 (e.g. 0.95), got {level!r}.")


@renamed(weight="weights")
def svyratio(
    data: pd.DataFrame,
    numerator: str | list[str],
    denominator: str | list[str],
    *,
    by: list[str] | None = None,
    cluster: str = "unit_code",
    strata: str | None = "gov_code",
    weights: str | None = None,
    psu_population: str | None = None,
    stratum_population: str | None = None,
    fpc: bool = True,
    stages: int = 2,
    level: float = 0.95,
    null: float = 0.0,
) -> pd.DataFrame:
    """Design-based ratio of two totals by domain with its linearisation SE (R's ``svyratio``).

    ``R = sum(w y) / sum(w x)`` over the domain's respondents who have both ``y`` and
    ``x``; its variance is that of the total of the linearised variable
    ``z = w (y - R x) / sum(w x)`` under the same multistage design as :func:`svymean`
    (strata, units, respondents, finite-population corrections).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent (or per element of a one-stage design).
    numerator, denominator : str or list of str
        Numeric columns; every numerator is divided by every denominator (as R does).
        A row missing either value is left out of that ratio but stays in the design
        (R's ``na.rm = TRUE``).
    by : list of str, optional
        Domain columns (R's ``svyby(..., svyratio)``); None = the whole sample.
    cluster, strata, weights, psu_population, stratum_population, fpc
        The design, as in :func:`svymean`.
    stages : {2, 1}, default 2
        As in :func:`svymean`: 1 = one-stage cluster design.
    level : float, default 0.95
        Confidence level of the normal interval.
    null : float, default 0
        Ratio under the null hypothesis of ``p_value``.

    Returns
    -------
    pandas.DataFrame
        One row per domain and (numerator, denominator): the ``by`` columns,
        ``numerator``, ``denominator``, ``estimate`` (the ratio), ``se`` (linearised),
        ``ci_low``, ``ci_high`` (normal interval at ``level``), ``p_value`` (two-sided
        normal test of ``ratio = null``), ``n`` (rows with both values).

    Raises
    ------
    InputError
        Unknown columns, bad ``level`` or ``stages``, ``psu_population`` with
        ``stages=1``.
    EstimationError
        Non-positive or non-finite weights.

    Examples
    --------
    The R equivalent of
    ``svyratio(x, "api_stu", "enroll", cluster="dnum", strata=None, weights="pw",
    stratum_population="fpc", stages=1)``::

        d <- svydesign(ids = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1)
        svyratio(~api.stu, ~enroll, d)
    """
    _check_level(level)
    nums = [numerator] if isinstance(numerator, str) else list(numerator)
    dens = [denominator] if isinstance(denominator, str) else list(denominator)
    by = list(by or [])
    missing = [c for c in [*nums, *dens] if c not in data.columns]
    if missing:
        raise InputError(f"svyratio: columns {missing} are not in the data.")
    _check_one_stage(stages, psu_population, certainty=False)
    d = _design(data, by=by, cluster=cluster, strata=strata, weight=weights,
                psu_population=psu_population, stratum_population=stratum_population,
                what="svyratio")  # fmt: skip
    yv = data[nums].to_numpy(dtype=float, na_value=np.nan)
    xv = data[dens].to_numpy(dtype=float, na_value=np.nan)
    # every (numerator, denominator) combination as one column, numerator-major
    yy = np.repeat(yv, len(dens), axis=1)
    xx = np.tile(xv, (1, len(nums)))
    ok = np.isfinite(yy) & np.isfinite(xx)
    yy, xx = np.where(ok, yy, 0.0), np.where(ok, xx, 0.0)
    gp_group, gp_psu, moments = _pair_moments(d, xx, yy, ok)
    res = _ratio_core(
        moments, gp_group, gp_psu, d.stratum_of_psu, d.psu_n, d.psu_population,
        d.stratum_population, len(d.group_keys), fpc=fpc, certainty=False, n_boot=0,
        seed=None, stages=stages,
    )  # fmt: skip
    labels = {"numerator": list(np.repeat(nums, len(dens))), "denominator": dens * len(nums)}
    return _tidy(res, d.group_keys, by, labels, level, null=null)


CALIBRATION_MAX_CELLS = 200_000_000
"""Largest rows x domains x variables array :func:`calibrated_svymean` builds."""

CALIBRATION_NESTED_PATH = True
"""Use the residuals of the whole sample when every calibration group lies in one domain."""


def _margin_codes(data: pd.DataFrame, margins: list[str], groups: list[str]) -> list[np.ndarray]:
    """Each margin's cell (calibration group x category) per row; -1 = category missing."""
    out = []
    for m in margins:
        codes, _ = _codes(data, [*groups, m])
        out.append(np.where(data[m].isna().to_numpy(), -1, codes))
    return out


def calibration_residuals(
    values: np.ndarray,
    margin_codes: list[np.ndarray],
    design_weight: np.ndarray,
    *,
    tol: float = 1e-12,
    max_iter: int = 1000,
) -> np.ndarray:
    """Residuals of ``values`` from their design-weighted regression on the margins' dummies.

    Parameters
    ----------
    values : ndarray (N, C)
        Variables to residualise, one column each.
    margin_codes : list of int arrays (N,)
        Per margin, each row's cell (calibration group x category), -1 = not in the margin.
    design_weight : ndarray (N,)
        Regression weights: the weights before calibration (R's ``calibrate`` uses them).
    tol, max_iter : float, int
        Backfitting stops when the largest change is below ``tol`` times the largest
        absolute value.

    Returns
    -------
    ndarray (N, C)
        ``values - X B`` with ``B = (X' D X)^- X' D values`` (the least-squares fit is
        unique even though the dummies of several margins are collinear).

    Raises
    ------
    EstimationError
        If backfitting does not converge in ``max_iter`` rounds.

    Notes
    -----
    Backfitting: subtract each margin's weighted cell means in turn until nothing changes.
    Each step is an orthogonal projection in the ``D`` inner product, so the alternation
    converges to the projection on the orthogonal complement of the margins' span (von
    Neumann); one margin (post-stratification) takes one step. Every step is a sparse
    product over all rows and columns: no loop over groups or respondents.
    """
    e = np.array(values, dtype=float)
    dw = np.asarray(design_weight, dtype=float)
    aggs = []
    for codes in margin_codes:
        ok = codes >= 0
        size = int(codes.max()) + 1 if ok.any() else 0
        agg = group_sum_matrix(np.where(ok, codes, size), size + 1)[:size]
        aggs.append((codes, ok, agg, np.asarray(agg @ dw).ravel()))
    scale = max(float(np.max(np.abs(e))) if e.size else 0.0, 1e-300)
    for _ in range(max_iter):
        worst = 0.0
        for codes, ok, agg, dsum in aggs:
            if dsum.size == 0:
                continue
            with np.errstate(invalid="ignore", divide="ignore"):
                mean = np.asarray(agg @ (dw[:, None] * e)) / dsum[:, None]
            step = np.where(ok[:, None], mean[np.where(ok, codes, 0)], 0.0)
            e -= step
            worst = max(worst, float(np.max(np.abs(step))))
        if worst <= tol * scale or len(aggs) == 1:
            return e
    raise EstimationError(
        f"calibration residuals: backfitting over {len(aggs)} margins did not converge in "
        f"{max_iter} rounds (margins nearly collinear?); raise max_iter."
    )


@renamed(weight="weights")
def calibrated_svymean(
    data: pd.DataFrame,
    y: str | list[str],
    *,
    margins: list[str],
    weights: str,
    design_weight: str | None = None,
    calibration_groups: list[str] | None = None,
    by: list[str] | None = None,
    cluster: str = "unit_code",
    strata: str | None = "gov_code",
    psu_population: str | None = None,
    stratum_population: str | None = None,
    fpc: bool = True,
    stages: int = 2,
    level: float = 0.95,
) -> pd.DataFrame:
    """Design-based mean after calibration (raking), with the calibration-aware SE.

    Raked weights are random: they depend on the sample through the margins they were
    forced to hit. Treating them as fixed design weights (:func:`svymean`) overstates the
    variance of anything the margins explain. The linearisation variance of a calibrated
    estimator (Deville and Särndal 1992) is that of the weighted residuals
    ``w (e - X B)`` of the linearised variable ``e`` from its design-weighted regression
    on the margins' dummies ``X`` (the g-weights ``w / d`` enter through ``w``), under the
    same multistage design: R's ``svymean`` on ``calibrate(design, ~m1 + m2, ...,
    calfun = "raking")``.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent.
    y : str or list of str
        Numeric columns (missing values excluded from that variable, kept in the design).
    margins : list of str
        Columns whose category totals the weights were calibrated to (population totals),
        e.g. ``["sex", "employment_type"]``. A row with a missing category is not in that
        margin. An empty list gives :func:`svymean` exactly.
    weights : str
        The calibrated (raked) survey weights.
    design_weight : str, optional
        The weights before calibration, used in the regression as R does; None = the
        calibrated weights themselves (asymptotically the same).
    calibration_groups : list of str, optional
        Columns within which the margins were calibrated separately (e.g.
        ``["gov_code", "wave"]`` for :func:`rake_weights`); None = one calibration.
    by : list of str, optional
        Domain columns; None = the whole sample.
    cluster, strata, psu_population, stratum_population, fpc, stages
        The design, as in :func:`svymean`.
    level : float, default 0.95
        Confidence level of the normal interval.

    Returns
    -------
    pandas.DataFrame
        ``by`` columns, ``variable``, ``estimate`` (the calibrated-weight mean), ``se``
        (calibration-aware linearisation SE), ``ci_low``, ``ci_high``, ``p_value``
        (two-sided test of mean = 0, for the tidy contract), ``n`` (respondents who
        answered).

    Raises
    ------
    InputError
        Unknown columns, bad options, or (for domains that cut across calibration groups,
        whose linearised variables are residualised over all rows one by one) domains x
        variables x rows above ``CALIBRATION_MAX_CELLS``. Domains made of whole
        calibration groups (e.g. governments raked separately, or the nation) take one
        residualisation for all and have no such limit.
    EstimationError
        Non-positive weights, backfitting that does not converge.

    Notes
    -----
    Unit headcounts of the sampled units (the only calibration of
    :func:`rake_weights` without ``margins``, and the pipeline's) are the second-stage
    design weights ``N_u / n_u``, not population margins: :func:`svymean`'s two-stage
    variance is already right for them and nothing is to be residualised. Pass the
    extra margins of ``rake_weights(margins=...)`` here, with the headcount-only weights
    as ``design_weight``. R's ``rake()`` approximates the same variance with ten rounds of
    unweighted backfitting (9.2729 against ``calibrate``'s 9.2695 for the mean of api00 on
    ``apistrat`` raked to school type and ``sch.wide``; 9.4102 with the weights fixed).

    Examples
    --------
    The R equivalent::

        d <- svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = apistrat)
        cal <- calibrate(d, ~stype + sch.wide, pop, calfun = "raking")
        svymean(~api00, cal)
    """
    _check_level(level)
    ys = [y] if isinstance(y, str) else list(y)
    by = list(by or [])
    groups = list(calibration_groups or [])
    margins = list(margins)
    cols = [*ys, *margins, *groups, weights] + ([design_weight] if design_weight else [])
    missing = [c for c in cols if c not in data.columns]
    if missing:
        raise InputError(f"calibrated_svymean: columns {missing} are not in the data.")
    _check_one_stage(stages, psu_population, certainty=False)
    d = _design(data, by=by, cluster=cluster, strata=strata, weight=weights,
                psu_population=psu_population, stratum_population=stratum_population,
                what="calibrated_svymean")  # fmt: skip
    n, n_var, n_dom = len(data), len(ys), len(d.group_keys)
    dw = d.weight if design_weight is None else data[design_weight].to_numpy(dtype=float)
    if np.any(~np.isfinite(dw)) or np.any(dw <= 0):
        raise EstimationError(
            f"calibrated_svymean: design weights in {design_weight!r} must be positive."
        )
    yv = data[ys].to_numpy(dtype=float, na_value=np.nan)
    avail = np.isfinite(yv)
    ay = np.where(avail, yv, 0.0)
    codes = _margin_codes(data, margins, groups)
    cal_group, cal_keys = _codes(data, groups)
    lo = np.full(len(cal_keys), n_dom)
    hi = np.full(len(cal_keys), -1)
    np.minimum.at(lo, cal_group, d.group)
    np.maximum.at(hi, cal_group, d.group)
    if CALIBRATION_NESTED_PATH and np.array_equal(lo, hi):
        # Every calibration group lies in one domain, and the margins' cells lie in the
        # calibration groups, so the regression splits by group: a domain's residuals are
        # the whole sample's residuals on its own rows. One residualisation serves all
        # domains, and the domains are made of rows as in svymean (national scale).
        res_x, res_y = np.split(
            calibration_residuals(np.hstack([avail.astype(float), ay]), codes, dw), 2, axis=1
        )
        gp_group, gp_psu, moments = _pair_moments(d, avail.astype(float), ay, avail)
        key = np.unique(d.group * d.psu_n.size + d.psu, return_inverse=True)[1].ravel()
        agg = group_sum_matrix(key, gp_group.size)
        w = d.weight[:, None]
        moments.update(
            c0=agg @ (w * res_x), c1=agg @ (w * res_y), b0=agg @ (w * w * res_x * res_x),
            b1=agg @ (w * w * res_x * res_y), b2=agg @ (w * w * res_y * res_y),
        )  # fmt: skip
        res = _ratio_core(
            moments, gp_group, gp_psu, d.stratum_of_psu, d.psu_n, d.psu_population,
            d.stratum_population, n_dom, fpc=fpc, certainty=False, n_boot=0, seed=None,
            stages=stages,
        )  # fmt: skip
        return _tidy(res, d.group_keys, by, {"variable": ys}, level, null=0.0)
    if n * n_dom * n_var * 2 > CALIBRATION_MAX_CELLS:
        raise InputError(
            f"calibrated_svymean: {n_dom} domains x {n_var} variables x {n} rows is too "
            f"large (limit {CALIBRATION_MAX_CELLS} values); estimate fewer domains or "
            "variables at a time, or domains made of whole calibration groups."
        )
    # every domain's answered indicator and answered y, as columns (domain-major)
    member = np.zeros((n, n_dom))
    member[np.arange(n), d.group] = 1.0
    x = (member[:, :, None] * avail[:, None, :]).reshape(n, -1)
    yy = (member[:, :, None] * ay[:, None, :]).reshape(n, -1)
    res_x, res_y = np.split(
        calibration_residuals(np.hstack([x, yy]), codes, dw), 2, axis=1
    )  # fmt: skip
    # (domain, PSU) pairs over every PSU: a domain's residuals live on all rows
    n_psu = d.psu_n.size
    agg = group_sum_matrix(d.psu, n_psu)
    w = d.weight[:, None]

    def per_pair(v: np.ndarray) -> np.ndarray:  # (N, D*V) -> (D*P, V)
        return (agg @ v).reshape(n_psu, n_dom, n_var).transpose(1, 0, 2).reshape(-1, n_var)

    moments = {
        "a0": per_pair(w * x), "a1": per_pair(w * yy), "na": per_pair(x),
        "c0": per_pair(w * res_x), "c1": per_pair(w * res_y),
        "b0": per_pair(w * w * res_x * res_x), "b1": per_pair(w * w * res_x * res_y),
        "b2": per_pair(w * w * res_y * res_y),
    }  # fmt: skip
    gp_group = np.repeat(np.arange(n_dom), n_psu)
    gp_psu = np.tile(np.arange(n_psu), n_dom)
    res = _ratio_core(
        moments, gp_group, gp_psu, d.stratum_of_psu, d.psu_n, d.psu_population,
        d.stratum_population, n_dom, fpc=fpc, certainty=False, n_boot=0, seed=None,
        stages=stages,
    )  # fmt: skip
    return _tidy(res, d.group_keys, by, {"variable": ys}, level, null=0.0)


def _stratum_first(col, data, psu, stratum_of_psu) -> np.ndarray:
    n_strata = int(stratum_of_psu.max()) + 1 if stratum_of_psu.size else 0
    out = np.full(n_strata, np.nan)
    if col is None:
        return out
    vals = data[col].to_numpy(dtype=float, na_value=np.nan)
    out[stratum_of_psu[psu][::-1]] = vals[::-1]
    return out


# --------------------------------------------------------------------------
# Raking
# --------------------------------------------------------------------------


@dataclass
class RakingResult:
    """Calibrated weights and a per-stratum summary.

    Attributes
    ----------
    weights : pandas.Series
        One weight per respondent, aligned with the input rows.
    summary : pandas.DataFrame
        ``gov_code``, ``wave``, ``n``, ``weight_sum``, ``deff`` (Kish),
        ``weight_min``, ``weight_max``, ``trimmed`` (respondents whose weight
        was capped), ``iterations``, ``converged``.
    """

    weights: pd.Series
    summary: pd.DataFrame

    def tidy(self) -> pd.DataFrame:
        """The per-stratum summary, :attr:`summary` (columns as listed there)."""
        return self.summary


def rake_weights(
    responses: pd.DataFrame,
    units: pd.DataFrame,
    margins: dict[str, pd.DataFrame] | None = None,
    *,
    trim: tuple[float, float] | None = (0.2, 5.0),
    max_iter: int = 100,
    tol: float = 1e-8,
    gov: str = "gov_code",
    unit: str = "unit_code",
    wave: str = "wave",
) -> RakingResult:
    """Rake respondent weights to unit headcounts (and optional margins) per government and wave.

    Parameters
    ----------
    responses : pandas.DataFrame
        Respondents with ``gov``, ``unit`` and ``wave`` columns (and the margin columns).
    units : pandas.DataFrame
        ``gov_code``, ``unit_code``, ``headcount``. A unit without a headcount
        (or with fewer employees than respondents) is taken as fully surveyed.
    margins : dict, optional
        Extra margins, e.g. ``{"sex": df}`` where ``df`` has ``gov_code``,
        the margin column (``sex``) and ``total`` (employees per category);
        a ``wave`` column is optional. Respondents with a missing category keep
        their weight for that margin.
    trim : (low, high) or None
        Bounds on weights relative to the mean weight of the government and
        wave; weights are capped and the raking repeated (trimmed raking).
    max_iter, tol : int, float
        Iterative proportional fitting limits (relative error of every margin).

    Returns
    -------
    RakingResult
        ``weights`` (Series aligned with ``responses``) and ``summary``.

    Notes
    -----
    With headcounts only, raking is post-stratification: every respondent of
    unit ``u`` gets ``N_u / n_u``, the second-stage design weight, and :func:`svymean`'s
    two-stage variance is the right one (this is what the pipeline does). With
    ``margins`` (population totals per government), the weights also depend on the
    sample through those margins: use :func:`calibrated_svymean` with
    ``margins=list(margins)``, ``calibration_groups=[gov, wave]`` and the headcount-only
    weights as ``design_weight`` for the calibration-aware SE.
    """
    for col in (gov, unit, wave):
        if col not in responses.columns:
            raise InputError(f"rake_weights: responses lack column {col!r}.")
    psu, psu_keys = _codes(responses, [wave, gov, unit])
    psu_strat, strat_keys = _codes(psu_keys, [wave, gov])
    n_psu = len(psu_keys)
    n_u = np.bincount(psu, minlength=n_psu).astype(float)
    hc = psu_keys.merge(
        units[["gov_code", "unit_code", "headcount"]].rename(
            columns={"gov_code": gov, "unit_code": unit}
        ),
        on=[gov, unit],
        how="left",
    )["headcount"].to_numpy(dtype=float, na_value=np.nan)
    target_u = np.where(np.isfinite(hc) & (hc >= n_u), hc, n_u)
    if not margins:
        return _poststratify(target_u, n_u, psu, psu_strat, strat_keys, trim, responses.index)
    strat = psu_strat[psu]
    w = (target_u / n_u)[psu]
    constraints = [(psu, target_u)]
    for name, table in (margins or {}).items():
        if name not in responses.columns:
            raise InputError(f"rake_weights: margin {name!r} is not a column of the responses.")
        on = [gov, name] + ([wave] if wave in table.columns else [])
        keyed = responses[[gov, wave, name]].merge(table[[*on, "total"]], on=on, how="left")
        cat, cat_keys = _codes(responses, [wave, gov, name])
        tot = np.full(len(cat_keys), np.nan)
        tot[cat] = keyed["total"].to_numpy(dtype=float, na_value=np.nan)
        ok = responses[name].notna().to_numpy() & np.isfinite(tot[cat])
        cat = np.where(ok, cat, -1)
        constraints.append((cat, tot))

    lo_hi = trim
    trimmed = np.zeros(len(w), dtype=bool)
    iterations = 0
    converged = True
    for _round in range(10 if trim else 1):
        w, it, conv = _ipf(w, constraints, max_iter, tol)
        iterations += it
        converged = conv
        if not lo_hi:
            break
        mean_w = np.bincount(strat, w) / np.bincount(strat)
        lo, hi = lo_hi[0] * mean_w[strat], lo_hi[1] * mean_w[strat]
        out = (w < lo * (1 - 1e-9)) | (w > hi * (1 + 1e-9))
        if not out.any():
            break
        trimmed |= out
        w = np.clip(w, lo, hi)
        if len(constraints) == 1:
            break  # post-stratification only: re-raking would undo the trim
    summ = pd.DataFrame(
        {
            gov: strat_keys[gov].to_numpy(),
            wave: strat_keys[wave].to_numpy(),
            "n": np.bincount(strat).astype(np.int64),
            "weight_sum": np.bincount(strat, w),
            "deff": np.bincount(strat)
            * np.bincount(strat, w * w)
            / np.square(np.bincount(strat, w)),
            "weight_min": pd.Series(w).groupby(strat).min().to_numpy(),
            "weight_max": pd.Series(w).groupby(strat).max().to_numpy(),
            "trimmed": np.bincount(strat, trimmed).astype(np.int64),
            "iterations": iterations,
            "converged": converged,
        }
    )
    return RakingResult(pd.Series(w, index=responses.index, name="weight"), summ)


def _poststratify(target_u, n_u, psu, psu_strat, strat_keys, trim, index) -> RakingResult:
    """Headcount-only raking, done on units (every respondent of a unit shares its weight)."""
    w_u = target_u / n_u
    trimmed_u = np.zeros(w_u.size, dtype=bool)
    n_s = np.bincount(psu_strat, n_u)
    if trim:
        mean_w = (np.bincount(psu_strat, n_u * w_u) / n_s)[psu_strat]
        lo, hi = trim[0] * mean_w, trim[1] * mean_w
        trimmed_u = (w_u < lo * (1 - 1e-9)) | (w_u > hi * (1 + 1e-9))
        w_u = np.clip(w_u, lo, hi)
    ws = np.bincount(psu_strat, n_u * w_u)
    by_stratum = pd.Series(w_u).groupby(psu_strat)
    summ = strat_keys[[strat_keys.columns[1], strat_keys.columns[0]]].copy()  # gov, wave
    summ["n"] = n_s.astype(np.int64)
    summ["weight_sum"] = ws
    summ["deff"] = n_s * np.bincount(psu_strat, n_u * w_u * w_u) / np.square(ws)
    summ["weight_min"] = by_stratum.min().to_numpy()
    summ["weight_max"] = by_stratum.max().to_numpy()
    summ["trimmed"] = np.bincount(psu_strat, n_u * trimmed_u).astype(np.int64)
    summ["iterations"] = 1
    summ["converged"] = True
    return RakingResult(pd.Series(w_u[psu], index=index, name="weight"), summ)


def _ipf(w, constraints, max_iter, tol):
    w = w.copy()
    if len(constraints) == 1:
        idx, tot = constraints[0]
        cur = np.bincount(idx, w, minlength=tot.size)
        return w * (tot / cur)[idx], 1, True
    for it in range(1, max_iter + 1):
        worst = 0.0
        for idx, tot in constraints:
            ok = idx >= 0
            cur = np.bincount(idx[ok], w[ok], minlength=tot.size)
            with np.errstate(invalid="ignore", divide="ignore"):
                factor = np.where((cur > 0) & np.isfinite(tot), tot / cur, 1.0)
            worst = max(worst, float(np.max(np.abs(factor - 1))) if factor.size else 0.0)
            w[ok] *= factor[idx[ok]]
        if worst < tol:
            return w, it, True
    return w, max_iter, False
