"""Design-based ratio means for every unit and for every grouping of whole governments at once.

The national measurement job asks the same design (units within government-wave
strata) for four levels: each unit, each government, each province and the
nation. When every respondent of a unit shares one weight (raking to unit
headcounts gives exactly that), the variance of :mod:`berakhlak_research.survey`
for any grouping made of whole strata needs only a dozen sums per stratum:

* a unit's own figure conditions on the unit: ``V = f_u (SS_u) / a_u^2`` with
  ``SS_u`` its within-unit sum of squares and ``f_u = (1 - n_u/N_u) n_u/(n_u - 1)``;
* for a group ``G`` with ratio ``R`` and ``W = sum(w a)``, the PSU total of the
  linearised variable is ``t_u = w_u (sum_i a y - R a_u) / W``, so
  ``sum_u t_u^2`` and ``sum_u f_u (sum_i z_i^2 - t_u^2/n_u)`` are quadratics in
  ``R`` whose coefficients are per-stratum sums that do not depend on the group.

The sums are taken once, in cache-sized chunks of units on threads, and every
level is then assembled from them on arrays with one row per stratum. The answer
equals :func:`berakhlak_research.survey.ratio_from_moments` (tested to 1e-9 relative);
``y`` is centred on each stratum's own ratio first, so the quadratics do not
lose digits to cancellation (a group whose answers are all alike gets an SE of
exactly 0). :func:`berakhlak_research.indices.culture_tables` uses it whenever
weights are constant within units; the general engine remains for weights that
vary within units, for domains that cut across units and for the bootstrap.
"""

from __future__ import annotations

import numpy as np

from berakhlak_research.survey import group_sum_matrix

__all__ = ["ratio_levels"]

_CHUNK_PSUS = 512  # units per chunk: a chunk's temporaries stay in the CPU cache
_ROUNDING = 1e-12  # relative size of a sum of squares that is rounding, not spread


def _finish_group(sums, group_of_stratum, n_groups, m_s, f1, fpc):
    """Estimate, SE, n and weight sum of each group from the per-stratum sums."""
    keep = group_of_stratum >= 0
    g = group_of_stratum[keep]
    agg = group_sum_matrix(g, n_groups)
    a0 = agg @ sums["a0"][keep]
    a1 = agg @ sums["a1"][keep]
    n_obs = agg @ sums["na"][keep]
    with np.errstate(invalid="ignore", divide="ignore"):
        est = a1 / a0
        inv_g = np.where(a0 > 0, 1.0 / a0, 0.0)  # groups nobody answered contribute 0
    # The group's ratio, per stratum, on the scale of the stratum's centred variable.
    r = np.where(a0 > 0, est, 0.0)[g] - sums["centre"][keep]
    inv2 = np.square(inv_g)[g]
    var_s = np.zeros_like(r)
    m = m_s[keep][:, None]
    f1s = f1[keep][:, None]
    if "q00" in sums:  # between-unit (stage-one) term
        t1 = sums["a1c"][keep] - r * sums["a0"][keep]
        t2 = sums["q11"][keep] - 2 * r * sums["q01"][keep] + r * r * sums["q00"][keep]
        with np.errstate(invalid="ignore", divide="ignore"):
            between = inv2 * np.maximum(t2 - t1 * t1 / m, 0.0)
            var_s += np.where(m > 1, (1 - f1s) * m / (m - 1) * between, 0.0)
    if fpc and "b0" in sums:  # within-unit (stage-two) term
        within = (sums["b2"][keep] - 2 * r * sums["b1"][keep] + r * r * sums["b0"][keep]) - (
            sums["r11"][keep] - 2 * r * sums["r01"][keep] + r * r * sums["r00"][keep]
        )
        var_s += f1s * inv2 * np.maximum(within, 0.0)
    var = agg @ var_s
    se = np.where(np.isfinite(est), np.sqrt(var), np.nan)
    return {"estimate": est, "se": se, "n": n_obs, "weight_sum": a0}


def ratio_levels(
    n_avail: np.ndarray,
    sum_y: np.ndarray,
    sum_y2: np.ndarray,
    psu_weight: np.ndarray,
    psu_stratum: np.ndarray,
    psu_n: np.ndarray,
    psu_population: np.ndarray,
    stratum_population: np.ndarray,
    groupings: list[tuple[np.ndarray, int]],
    *,
    fpc: bool = True,
    parallel=None,
) -> tuple[dict[str, np.ndarray], list[dict[str, np.ndarray]]]:
    """Weighted ratio means with design-based SEs per PSU and per grouping of whole strata.

    Parameters
    ----------
    n_avail, sum_y, sum_y2 : float arrays (P, V)
        Per PSU and variable: respondents who answered, and the *unweighted* sums of
        ``y`` and ``y**2`` over them.
    psu_weight : float array (P,)
        The weight every respondent of the PSU shares.
    psu_stratum : int array (P,)
        Stratum (government and wave) of each PSU, 0..S-1.
    psu_n, psu_population, stratum_population
        As in :func:`berakhlak_research.survey.ratio_from_cells`: respondents sampled
        per PSU, PSU headcount (NaN = unknown), PSUs in the stratum's population
        (NaN = unknown).
    groupings : list of (int array (S,), int)
        For each grouping, the group of each stratum (-1 = left out) and the number
        of groups. Groups are unions of whole strata (governments, provinces, nation).
    fpc : bool
        Finite-population corrections (two-stage variance); False gives the
        ultimate-cluster variance.
    parallel : callable, optional
        ``parallel(fn, items) -> list`` used to run the chunks (e.g. on threads);
        default: in turn.

    Returns
    -------
    tuple
        ``(psu, groups)``: ``psu`` is a dict of (P, V) arrays ``estimate``, ``se``,
        ``n``, ``weight_sum`` for each PSU's own figure (conditioned on the PSU, as
        ``certainty=True``); ``groups`` holds one such dict of (n_groups, V) arrays per
        grouping, in the order given.
    """
    na = np.asarray(n_avail, dtype=float)
    s1 = np.asarray(sum_y, dtype=float)
    s2 = np.asarray(sum_y2, dtype=float)
    n_psu, n_var = na.shape
    stratum = np.asarray(psu_stratum, dtype=np.int64)
    w = np.asarray(psu_weight, dtype=float)
    n_u = np.asarray(psu_n, dtype=float)
    big_n = np.asarray(psu_population, dtype=float)
    big_m = np.asarray(stratum_population, dtype=float)
    n_strata = big_m.size
    parallel = parallel or (lambda fn, items: [fn(x) for x in items])

    # The chunks need each stratum's PSUs side by side: sort once if they are not.
    order = None
    if n_psu and not bool(np.all(stratum[1:] >= stratum[:-1])):
        order = np.argsort(stratum, kind="stable")
        na, s1, s2 = na[order], s1[order], s2[order]
        stratum, w, n_u, big_n = stratum[order], w[order], n_u[order], big_n[order]

    with np.errstate(invalid="ignore", divide="ignore"):
        f2 = np.where(
            np.isfinite(big_n) & fpc, np.minimum(n_u / np.where(big_n > 0, big_n, 1), 1), 0
        )
        factor = np.where(n_u > 1, (1 - f2) * n_u / (n_u - 1), 0.0)
        m_s = np.bincount(stratum, minlength=n_strata).astype(float)
        f1 = np.where(
            np.isfinite(big_m) & fpc, np.minimum(m_s / np.where(big_m > 0, big_m, 1), 1), 0
        )
    need_between = bool(np.any((m_s > 1) & (f1 < 1)))
    need_within = bool(fpc and np.any(f1 > 0))
    w2 = w * w
    coef = {
        "a": w,  # sum(w a), sum(w a y)
        "q": w2,  # between-unit term: sum(w^2 (a y)^2) and kin
        "b": factor * w2,  # within-unit term: sum(f w^2 a y^2) and kin
        "r": np.divide(factor * w2, n_u, out=np.zeros_like(w), where=n_u > 0),
    }
    quadratic = [k for k, need in (("q", need_between), ("r", need_within)) if need]
    names = ["na", "a0", "a1", "a1c", "centre"]
    if need_between:
        names += ["q00", "q01", "q11"]
    if need_within:
        names += ["b0", "b1", "b2", "r00", "r01", "r11"]
    sums = {k: np.zeros((n_strata, n_var)) for k in names}
    unit_est = np.empty((n_psu, n_var))
    unit_var = np.empty((n_psu, n_var))

    # Chunks of about _CHUNK_PSUS units, cut at stratum boundaries: each chunk owns its
    # strata's rows of ``sums`` and its units' rows of the unit arrays.
    n_chunks = max(1, -(-n_psu // _CHUNK_PSUS))
    cuts = np.searchsorted(stratum, stratum[np.arange(1, n_chunks) * n_psu // n_chunks])
    bounds = np.unique(np.concatenate([[0], cuts, [n_psu]]))

    def chunk(span: tuple[int, int]) -> None:
        p0, p1 = span
        if p1 <= p0:
            return
        a, y1, y2 = na[p0:p1], s1[p0:p1], s2[p0:p1]
        st = stratum[p0:p1]
        starts = np.flatnonzero(np.r_[True, st[1:] != st[:-1]])
        sid = st[starts]

        def put(name, coef_key, x):
            sums[name][sid] = np.add.reduceat(coef[coef_key][p0:p1, None] * x, starts, axis=0)
            return sums[name][sid]

        # The unit's own figure: the within-unit sum of squares about its own mean (exactly
        # 0 when its answers are all alike).
        est = unit_est[p0:p1]
        with np.errstate(invalid="ignore", divide="ignore"):
            np.divide(y1, a, out=est)
            inv_a = np.where(a > 0, 1.0 / a, 0.0)
        ss = np.where(a > 0, y2 - y1 * est, 0.0)
        # What is left of y2 after the subtraction at the level of its rounding error is
        # no spread: a unit whose answers are all alike gets an SE of exactly 0.
        ss[ss <= _ROUNDING * y2] = 0.0
        ss *= inv_a * inv_a
        np.multiply(ss, factor[p0:p1, None], out=unit_var[p0:p1])

        sums["na"][sid] = np.add.reduceat(a, starts, axis=0)
        a0 = put("a0", "a", a)
        a1 = put("a1", "a", y1)
        # Centre each stratum's PSUs on the stratum's own ratio: the variance is unchanged
        # and the quadratics below keep their digits.
        with np.errstate(invalid="ignore", divide="ignore"):
            centre = np.where(a0 > 0, a1 / a0, 0.0)
        sums["centre"][sid] = centre
        c = np.repeat(centre, np.diff(starts, append=p1 - p0), axis=0)
        y1c = y1 - c * a
        y2c = y2 - 2 * c * y1 + c * c * a
        put("a1c", "a", y1c)
        if need_between or need_within:
            aa, ay, yy = a * a, a * y1c, y1c * y1c
            for k in quadratic:
                put(k + "00", k, aa)
                put(k + "01", k, ay)
                put(k + "11", k, yy)
        if need_within:
            put("b0", "b", a)
            put("b1", "b", y1c)
            put("b2", "b", y2c)

    parallel(chunk, list(zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True)))

    unit_se = np.sqrt(unit_var, out=unit_var)
    unit_se[~np.isfinite(unit_est)] = np.nan
    psu = {"estimate": unit_est, "se": unit_se, "n": na, "weight_sum": w[:, None] * na}
    if order is not None:  # back to the callers' PSU order
        back = np.empty_like(order)
        back[order] = np.arange(n_psu)
        psu = {k: v[back] for k, v in psu.items()}
    groups = [
        _finish_group(sums, np.asarray(g, dtype=np.int64), int(n_g), m_s, f1, fpc)
        for g, n_g in groupings
    ]
    return psu, groups
