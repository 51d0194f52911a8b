"""Key drivers: Shapley (general dominance) decomposition of R-squared, and importance-performance.

For ``p`` drivers the R-squared of every one of the ``2^p`` subsets is computed
from the correlation matrix, ``R2(S) = r_S' R_SS^+ r_S``, batched over subsets
of equal size and over groups (governments). A driver's Shapley value is its
average gain in R-squared over all orders of entry (Lindeman, Merenda and
Gold's LMG, equal to Budescu's general dominance weight); the values sum to
the full model's R-squared. With p = 9 IKM elements (512 subsets) or 7 values
(128) this is exact and takes milliseconds.

References
----------
1. Budescu DV (1993). Dominance analysis. Psychol. Bull. 114(3).
2. Grömping U (2007). Estimators of relative importance in linear regression
   based on variance decomposition. Am. Stat. 61(2).
3. Martilla JA, James JC (1977). Importance-performance analysis. J. Marketing 41(1).
"""

from __future__ import annotations

import warnings
from itertools import combinations
from math import factorial

import numpy as np
import pandas as pd

from berakhlak_research import survey
from berakhlak_research._segments import segment_layout, segment_sums
from berakhlak_research.exceptions import InputError

__all__ = [
    "subset_r2",
    "shapley_from_corr",
    "key_drivers",
    "key_drivers_bootstrap",
    "importance_performance",
    "QUADRANTS",
]

QUADRANTS = {
    # (high importance, high performance): (code, id text, en text)
    (True, False): ("concentrate_here", "skor rendah, kepentingan tinggi — prioritas utama",
                    "low score, high importance — top priority"),
    (True, True): ("keep_up", "skor tinggi, kepentingan tinggi — pertahankan",
                   "high score, high importance — keep it up"),
    (False, False): ("low_priority", "skor rendah, kepentingan rendah — prioritas berikutnya",
                     "low score, low importance — next in line"),
    (False, True): ("possible_overkill",
                    "skor tinggi, kepentingan rendah — cukup dipertahankan, sumber daya dapat dialihkan",
                    "high score, low importance — maintain; resources can be moved"),
}  # fmt: skip
"""Importance-performance quadrants and their action wording (Indonesian, English)."""


def _subset_r2_pinv(corr: np.ndarray) -> np.ndarray:
    """``subset_r2`` by a pseudo-inverse per subset: slow, but defined for singular matrices."""
    g, k, _ = corr.shape
    p = k - 1
    out = np.zeros((g, 2**p))
    for s in range(1, p + 1):  # p sizes; all subsets of a size in one batched solve
        subs = np.array(list(combinations(range(p), s)))
        masks = (1 << subs).sum(axis=1)
        R = corr[:, subs[:, :, None], subs[:, None, :]]  # (g, n_s, s, s)
        r = corr[:, subs, p]  # (g, n_s, s)
        coef = np.einsum("gnij,gnj->gni", np.linalg.pinv(R, hermitian=True), r)
        out[:, masks] = np.einsum("gni,gni->gn", coef, r)
    return out


def _subset_r2_sweep(corr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``subset_r2`` by the sweep operator along a Gray code; also returns which groups failed.

    Consecutive subsets of a Gray code differ by one driver, so each subset's
    R-squared is one sweep (driver enters) or reverse sweep (driver leaves) of
    the previous subset's matrix: ``2**p - 1`` rank-one updates of the ``(g, k,
    k)`` stack instead of ``2**p`` pseudo-inverses. After sweeping the drivers
    in S, the target's diagonal entry is ``1 - R2(S)`` (Goodnight 1979). A pivot
    that is (nearly) zero, i.e. a driver that the others in S reproduce exactly,
    marks the group as failed; :func:`subset_r2` recomputes those groups with
    pseudo-inverses.
    """
    g, k, _ = corr.shape
    p = k - 1
    # groups on the last, contiguous axis: every operation below runs one long inner
    # loop over groups (with groups first, numpy's inner loops would be k long)
    # a copy always (ascontiguousarray would return a view of corr when g == 1 and the
    # sweep would then overwrite the caller's matrices)
    A = corr.transpose(1, 2, 0).copy(order="C")  # (k, k, g)
    out = np.zeros((2**p, g))
    failed = np.zeros(g, dtype=bool)
    tmp = np.empty_like(A)  # the rank-one update, written in place: no allocation per step
    inside = 0
    for i in range(1, 2**p):  # the loop is over subsets; each step is vectorised over groups
        j = (i & -i).bit_length() - 1  # the driver that changes between Gray codes i-1 and i
        entering = not (inside >> j) & 1
        inside ^= 1 << j
        d = A[j, j].copy()
        bad = ~(np.abs(d) > 1e-10)
        if bad.any():
            failed |= bad
            d[bad] = 1.0
        col = A[:, j].copy()
        cd = col / d
        np.multiply(col[:, None, :], cd[None, :, :], out=tmp)
        A -= tmp
        A[:, j] = cd if entering else -cd
        A[j, :] = A[:, j]
        A[j, j] = -1.0 / d
        out[inside] = 1.0 - A[p, p]
    out = np.ascontiguousarray(out.T)
    failed |= ~np.isfinite(out).all(axis=1)
    return out, failed


def subset_r2(corr: np.ndarray) -> np.ndarray:
    """R-squared of every subset of drivers from correlation matrices.

    Computed by sweeps along a Gray code (milliseconds for 552 governments and
    nine drivers); groups whose correlation matrix is singular on some subset
    are recomputed with pseudo-inverses, which define R-squared there too.

    Parameters
    ----------
    corr : numpy.ndarray
        ``(g, p + 1, p + 1)`` (or ``(p + 1, p + 1)``) correlation matrices; the
        last row/column is the target.

    Returns
    -------
    numpy.ndarray
        ``(g, 2**p)``: entry ``mask`` is the R-squared of the drivers whose bits
        are set in ``mask`` (entry 0 is 0).
    """
    corr = np.asarray(corr, dtype="float64")
    if corr.ndim == 2:
        corr = corr[None]
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        out, failed = _subset_r2_sweep(corr)
    if failed.any():
        out[failed] = _subset_r2_pinv(corr[failed])
    return out


def _shapley_weights(p: int) -> np.ndarray:
    """``(2**p, p)`` matrix ``C`` with Shapley values = ``R2 @ C`` (R2 of every subset).

    Driver j's Shapley value is ``sum over S without j of w(|S|) (R2(S + j) - R2(S))``
    with ``w(s) = s! (p - s - 1)! / p!``; collecting the terms of each subset T
    gives ``C[T, j] = w(|T| - 1)`` when j is in T and ``-w(|T|)`` when it is not.
    """
    masks = np.arange(2**p)
    size = np.array([bin(m).count("1") for m in masks])
    w = np.array([factorial(s) * factorial(p - s - 1) / factorial(p) for s in range(p)] + [0.0])
    inside = (masks[:, None] >> np.arange(p)) & 1 == 1
    return np.where(inside, w[np.maximum(size - 1, 0)][:, None], -w[size][:, None])


def shapley_from_corr(corr: np.ndarray) -> np.ndarray:
    """Shapley decomposition of the full-model R-squared, ``(g, p)``; rows sum to R2(all)."""
    r2 = subset_r2(corr)
    p = int(np.log2(r2.shape[1]))
    return r2 @ _shapley_weights(p)  # one matrix product for all groups and drivers


def _moments(Z: np.ndarray, codes: np.ndarray, G: int, w: np.ndarray | None = None):
    """Per-group weighted sums ``n`` (G,), ``S`` (G, k) and ``P`` (G, k, k) of the rows of Z.

    ``w`` weights the rows (the bootstrap's resampling counts, >= 0); None = 1
    each. ``S`` and ``P`` are taken about one centre for all groups (near the
    overall mean: numerically safer than raw sums), so sums of them over groups
    or clusters stay consistent and :func:`_corr_from_moments` gives the same
    correlations. One batched product does it all: the rows ``[sqrt(w) (z - c),
    sqrt(w)]`` have cross-products ``P`` (top left), ``S`` (last row) and ``n``
    (corner).
    """
    k = Z.shape[1]
    step = max(1, len(Z) // 100_000)
    center = Z[::step].mean(axis=0) if len(Z) else np.zeros(k)
    sw = np.ones(len(Z)) if w is None else np.sqrt(np.asarray(w, dtype="float64"))
    X = np.empty((len(Z), k + 1))
    np.multiply(Z - center, sw[:, None], out=X[:, :k])
    X[:, k] = sw
    _, _, cross = segment_sums(X, codes, G)
    return cross[:, k, k].copy(), cross[:, k, :k].copy(), cross[:, :k, :k].copy()


def _corr_from_moments(n: np.ndarray, S: np.ndarray, P: np.ndarray) -> np.ndarray:
    """Correlation matrices ``(G, k, k)`` from the sums of :func:`_moments`."""
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = S / n[:, None]
        cov = P / n[:, None, None] - mean[:, :, None] * mean[:, None, :]
        sd = np.sqrt(np.clip(np.einsum("gii->gi", cov), 0, None))
        return cov / (sd[:, :, None] * sd[:, None, :])


def _group_corr(Z: np.ndarray, codes: np.ndarray, G: int, w: np.ndarray | None = None):
    """Per-group correlation matrices of the columns of Z, and the groups' (weighted) sizes."""
    n, S, P = _moments(Z, codes, G, w)
    return _corr_from_moments(n, S, P), n


def key_drivers(
    data: pd.DataFrame,
    target: str,
    drivers: list[str],
    *,
    by: str | None = None,
    min_n: int = 30,
) -> pd.DataFrame:
    """Relative importance of drivers for a target: Shapley shares of R-squared.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per observation (citizen response, unit-wave); rows with a
        missing driver or target are dropped.
    target : str
        Outcome column (e.g. ``"satisfaction"`` or ``"ikm"``).
    drivers : list of str
        Driver columns (e.g. ``U1..U9`` or ``culture_BP..culture_KB``).
    by : str, optional
        Grouping column (e.g. ``"gov_code"``); ``None`` pools all rows (the
        output's ``by`` column is then NA).
    min_n : int, default 30
        Groups with fewer complete rows get NaN importance (too noisy).

    Returns
    -------
    pandas.DataFrame
        One row per (group, driver): ``<by>`` (if given), ``driver,
        importance`` (Shapley R-squared contribution), ``share`` (importance /
        R-squared, sums to 1 per group), ``r2`` (full model), ``n``.
    """
    miss = [c for c in [target, *drivers, *([by] if by else [])] if c not in data.columns]
    if miss:
        raise InputError(f"key_drivers: column(s) {miss} not in the data.")
    if len(drivers) > 12:
        raise InputError(f"key_drivers is exact over 2^p subsets; p={len(drivers)} is too many.")
    cols = [*drivers, target]
    frame = data[cols + ([by] if by else [])].dropna()
    Z = frame[cols].to_numpy(dtype="float64")
    if by:
        codes, groups = pd.factorize(frame[by], sort=True)
    else:
        codes, groups = np.zeros(len(frame), dtype=np.intp), np.array([pd.NA], dtype=object)
    G = len(groups)
    corr, n = _group_corr(Z, codes, G)
    ok = (n >= min_n) & np.isfinite(corr).all(axis=(1, 2))
    phi = np.full((G, len(drivers)), np.nan)
    if ok.any():
        phi[ok] = shapley_from_corr(corr[ok])
    r2 = phi.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = phi / r2[:, None]
    p = len(drivers)
    out = pd.DataFrame(
        {
            "driver": np.tile(drivers, G),
            "importance": phi.ravel(),
            "share": share.ravel(),
            "r2": np.repeat(r2, p),
            "n": np.repeat(n.astype("int64"), p),
        }
    )
    if by:
        out.insert(0, by, np.repeat(np.asarray(groups), p))
    return out


def _replicate_sums(M: np.ndarray, owner: np.ndarray, G: int, W: np.ndarray) -> np.ndarray:
    """``sums[b, g] = sum over clusters c of group g of W[b, c] M[c]``, shape (B, G, m).

    ``M`` (C, m) and ``W`` (B, C) are sorted by ``owner`` (the group of each
    cluster; every group has at least one cluster). Each group's clusters are cut
    into segments of ``L`` clusters (the last padded with zeros); one batched
    matrix product over the segments then gives all replicates' sums at once,
    which BLAS does far faster than a pass over the clusters per replicate.
    """
    C, m = M.shape
    B = W.shape[0]
    nc = np.bincount(owner, minlength=G)
    L = int(2 ** np.clip(np.floor(np.log2(max(C / max(G, 1), 1.0))), 2, 8))
    seg0, slot = segment_layout(nc, L)
    S = int((-(-nc // L)).sum())
    Mp = np.zeros((S * L, m))
    Mp[slot] = M
    Wp = np.zeros((S * L, B))
    Wp[slot] = W.T
    # (S, B, L) @ (S, L, m) -> (S, B, m): each segment's weighted sums for every replicate
    seg = np.matmul(Wp.reshape(S, L, B).transpose(0, 2, 1), Mp.reshape(S, L, m))
    return np.add.reduceat(seg, seg0, axis=0).transpose(1, 0, 2)


def key_drivers_bootstrap(
    data: pd.DataFrame,
    target: str,
    drivers: list[str],
    *,
    by: str | None = None,
    n_boot: int = 199,
    seed: int | None = 0,
    level: float = 0.95,
    min_n: int = 30,
    cluster: str | list[str] | None = None,
) -> pd.DataFrame:
    """Bootstrap intervals for the importance shares of :func:`key_drivers`.

    Resampling is the Poisson bootstrap (each resampled thing gets a Poisson(1)
    count per replicate), so every replicate is one weighted pass over all
    groups at once; the loop is over replicates only. With ``cluster`` the
    clusters (e.g. the units citizens were surveyed in) are resampled whole,
    which keeps the likeness of answers within a cluster in the intervals; the
    clusters' sums of squares and products are formed once, so a replicate
    costs a pass over the clusters, not the rows. Without it rows are treated
    as independent, and with respondents clustered in units the intervals are
    too narrow.

    Parameters
    ----------
    data, target, drivers, by, min_n
        As in :func:`key_drivers`.
    n_boot : int, default 199
        Replicates (at least 20).
    seed : int, optional
    level : float, default 0.95
        Confidence level of the percentile intervals.
    cluster : str or list of str, optional
        Column(s) identifying the resampled clusters; a cluster must lie within
        one group of ``by`` (give the government column with a unit code that
        repeats across governments).

    Returns
    -------
    pandas.DataFrame
        One row per (group, driver): ``<by>`` (if given), ``driver``,
        ``estimate`` (the share of R-squared, as ``key_drivers``), ``se``
        (bootstrap standard deviation), ``ci_low``, ``ci_high`` (percentile),
        ``p_value`` (bootstrap test of share = 1/p, the equal share: twice the
        smaller tail of the replicates around 1/p), ``n``.
    """
    if n_boot < 20:
        raise InputError(f"key_drivers_bootstrap: n_boot={n_boot}; use at least 20 replicates.")
    if not 0 < level < 1:
        raise InputError(f"key_drivers_bootstrap: level={level} must be between 0 and 1.")
    point = key_drivers(data, target, drivers, by=by, min_n=min_n)
    cols = [*drivers, target]
    clusters = [cluster] if isinstance(cluster, str) else list(cluster or [])
    miss = [c for c in clusters if c not in data.columns]
    if miss:
        raise InputError(f"key_drivers_bootstrap: cluster column(s) {miss} not in the data.")
    frame = data[cols + ([by] if by else []) + [c for c in clusters if c != by]].dropna(
        subset=cols + ([by] if by else [])
    )
    Z = frame[cols].to_numpy(dtype="float64")
    if by:
        codes, groups = pd.factorize(frame[by], sort=True)
    else:
        codes, groups = np.zeros(len(frame), dtype=np.intp), np.array([pd.NA], dtype=object)
    G, p = len(groups), len(drivers)
    rng = np.random.default_rng(seed)
    reps = np.full((n_boot, G, p), np.nan)
    n_full = np.bincount(codes, minlength=G)
    if clusters:
        # integer codes column by column (a MultiIndex of millions of rows is slow)
        ccodes, cvalues = survey.factorize_columns(frame, clusters)
        ccodes = ccodes.astype(np.intp, copy=True)
        lone = frame[clusters].isna().any(axis=1).to_numpy()  # a row without a cluster
        ccodes[lone] = len(cvalues) + np.arange(lone.sum())  # is a cluster of its own
        C = len(cvalues) + int(lone.sum())
        owner = np.zeros(C, dtype=np.intp)
        owner[ccodes] = codes
        if (owner[ccodes] != codes).any():
            raise InputError(
                f"key_drivers_bootstrap: a cluster of {clusters} spans several groups of {by!r};"
                " resampled clusters must lie within a group (add the group column to cluster=)."
            )
        # each cluster's sums, formed once, as rows sorted by group: a replicate's group
        # sums are then a weighted sum over the clusters (batched, see _replicate_sums)
        cn, cS, cP = _moments(Z, ccodes, C)
        k = Z.shape[1]
        order = np.argsort(owner, kind="stable")
        M = np.concatenate([cn[:, None], cS, cP.reshape(C, k * k)], axis=1)[order]
        owner_sorted = owner[order]
    ok_n = n_full >= min_n
    chunk = 32  # replicates at a time: bounds the memory of the batched products
    for b0 in range(0, n_boot, chunk):  # chunks of replicates, each vectorised over groups
        nb = min(chunk, n_boot - b0)
        if clusters:
            W = np.stack(
                [rng.poisson(1.0, C)[order] for _ in range(nb)]
            )  # same draws as one by one
            sums = _replicate_sums(M, owner_sorted, G, W)  # (nb, G, m)
            corr = _corr_from_moments(sums[..., 0].ravel(), sums[..., 1 : 1 + k].reshape(-1, k),
                                      sums[..., 1 + k :].reshape(-1, k, k))  # fmt: skip
            corr = corr.reshape(nb, G, k, k)
        else:
            corr = np.stack([_group_corr(Z, codes, G, rng.poisson(1.0, len(Z)).astype("float64"))[0]
                             for _ in range(nb)])  # fmt: skip
        ok = ok_n[None, :] & np.isfinite(corr).all(axis=(2, 3))
        if ok.any():
            phi = shapley_from_corr(corr[ok])  # every replicate and group of the chunk at once
            with np.errstate(invalid="ignore", divide="ignore"):
                block = reps[b0 : b0 + nb]
                block[ok] = phi / phi.sum(axis=1, keepdims=True)
    alpha = (1 - level) / 2
    # groups without replicates (too small) stay NaN; numpy warns about them, needlessly
    with warnings.catch_warnings(), np.errstate(invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        lo = np.nanquantile(reps, alpha, axis=0) if np.isfinite(reps).any() else reps[0]
        hi = np.nanquantile(reps, 1 - alpha, axis=0) if np.isfinite(reps).any() else reps[0]
        se = np.nanstd(reps, axis=0, ddof=1)
        equal = 1.0 / p
        below = np.nanmean(reps <= equal, axis=0)
        above = np.nanmean(reps >= equal, axis=0)
    pval = np.clip(2 * np.minimum(below, above), 0, 1)
    bad = ~np.isfinite(reps).any(axis=0)
    for a in (lo, hi, se, pval):
        a[bad] = np.nan
    out = pd.DataFrame(
        {
            "driver": np.tile(drivers, G),
            "estimate": point["share"].to_numpy(),
            "se": se.ravel(),
            "ci_low": lo.ravel(),
            "ci_high": hi.ravel(),
            "p_value": pval.ravel(),
            "n": np.repeat(n_full.astype("int64"), p),
        }
    )
    if by:
        out.insert(0, by, np.repeat(np.asarray(groups), p))
    return out


def importance_performance(
    importance: pd.DataFrame,
    performance: pd.DataFrame,
    labels: dict[str, tuple[str, str]],
    target: str,
    *,
    by: str = "gov_code",
    fallback: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Importance-performance table per group with priorities in words a city can act on.

    A driver's importance is *high* when its share of R-squared exceeds an
    equal share (1/p); its performance is *high* when it is at or above the
    mean performance of the group's drivers. Quadrants: high importance and
    low score -> "top priority"; high/high -> "keep it up"; low/low -> "next in
    line"; low importance, high score -> "maintain; resources can be moved".

    Parameters
    ----------
    importance : pandas.DataFrame
        Output of :func:`key_drivers` with ``by``: ``<by>, driver, share``.
    performance : pandas.DataFrame
        ``<by>, driver, performance`` (the score on its own scale, e.g. the
        element's NRR x 25 or the value's index 0-100).
    labels : dict
        ``driver -> (label_id, label_en)`` (from the framework).
    target : str
        Written to the ``target`` column.
    by : str, default "gov_code"
    fallback : pandas.DataFrame, optional
        Pooled :func:`key_drivers` output (``driver, share``) used for groups
        whose own importance is NaN (too few observations).

    Returns
    -------
    pandas.DataFrame
        ``<by>, target, driver, driver_label_id, driver_label_en, importance
        (share), performance, quadrant, priority_id, priority_en,
        importance_scope`` (``"own"`` or ``"pooled"``), sorted by group,
        quadrant urgency and importance.
    """
    imp = importance[[by, "driver", "share"]]
    df = performance[[by, "driver", "performance"]].merge(imp, on=[by, "driver"], how="left")
    df["importance_scope"] = np.where(df["share"].notna(), "own", "pooled")
    if fallback is not None:
        pooled = fallback.set_index("driver")["share"]
        df["share"] = df["share"].fillna(df["driver"].map(pooled))
    df = df[df["share"].notna() & df["performance"].notna()].copy()
    p = df.groupby(by)["driver"].transform("size")
    hi_imp = df["share"].to_numpy() > 1.0 / p.to_numpy()
    hi_perf = (df["performance"] >= df.groupby(by)["performance"].transform("mean")).to_numpy()
    unknown = [d for d in df["driver"].unique() if d not in labels]
    if unknown:
        raise InputError(f"importance_performance: no labels for driver(s) {unknown}.")
    lab_id = df["driver"].map({k: v[0] for k, v in labels.items()})
    lab_en = df["driver"].map({k: v[1] for k, v in labels.items()})
    keys = list(zip(hi_imp, hi_perf, strict=True))
    df["quadrant"] = [QUADRANTS[k][0] for k in keys]
    df["priority_id"] = lab_id.to_numpy() + ": " + np.array([QUADRANTS[k][1] for k in keys])
    df["priority_en"] = lab_en.to_numpy() + ": " + np.array([QUADRANTS[k][2] for k in keys])
    df["driver_label_id"] = lab_id.to_numpy()
    df["driver_label_en"] = lab_en.to_numpy()
    df["target"] = target
    order = {"concentrate_here": 0, "keep_up": 1, "low_priority": 2, "possible_overkill": 3}
    df["_o"] = df["quadrant"].map(order)
    df = df.sort_values([by, "_o", "share"], ascending=[True, True, False])
    df = df.rename(columns={"share": "importance"})
    return df[
        [by, "target", "driver", "driver_label_id", "driver_label_en", "importance",
         "performance", "quadrant", "priority_id", "priority_en", "importance_scope"]
    ].reset_index(drop=True)  # fmt: skip
