"""BerAKHLAK culture indices from respondent-level Likert answers, with design-based intervals.

Scoring (docs/domain.md section 3; never the official, proprietary index):

* ``"favourable"``: percent of answers in the top two boxes (4-5 on a 5-point scale);
* ``"mean"``: the answer rescaled to 0-100, ``(x - 1) / (k - 1) * 100``.

A behaviour's index is the weighted mean of its item over the respondents
who answered it. A respondent's value score is the mean of the value's
answered items, their overall score the mean of their value scores; a
value's (overall) index is the weighted mean of those respondent scores. With
complete answers the value index is exactly the mean of its three behaviour
indices and the overall index the mean of the seven values.

Standard errors follow :mod:`berakhlak_research.survey`: respondents are
clustered in units (PSUs) within governments (strata), with finite-population
corrections from unit headcounts and the number of units; unit-level figures
condition on the unit. 95 % intervals are ``estimate -/+ q * se`` with ``q``
the Student t quantile on ``n - 1`` degrees of freedom for units and the
normal quantile for governments, provinces and the nation, truncated to the
scale's range 0-100.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy import stats

from berakhlak_research import survey
from berakhlak_research.exceptions import InputError, ParameterError
from berakhlak_research.framework import (
    BEHAVIOUR_CODES,
    CULTURE_CATEGORIES,
    LIKERT_POINTS,
    VALUE_CODES,
    behaviours_of,
    favourable_threshold,
)
from berakhlak_research.indices._common import (
    MIN_GROUP,
    band_codes,
    check_min_group,
    factorize_columns,
    n_threads,
    parallel_map,
)
from berakhlak_research.keys import GOV, UNIT, check_unit
from berakhlak_research.survey_levels import ratio_levels
from berakhlak_research.vocabulary import renamed

__all__ = ["SCORINGS", "LEVELS", "culture_index", "culture_tables", "item_scores"]

SCORINGS = ("favourable", "mean")
LEVELS = ("national", "province", "government", "unit")
_VARS = (*BEHAVIOUR_CODES, *VALUE_CODES, "overall")
_NV = len(_VARS)
_BLOCK_ROWS = 32_768  # respondents per cache-sized block of the pattern-count pass


def item_scores(*, points: int = LIKERT_POINTS) -> dict[str, np.ndarray]:
    """Score of each answer 0..k (0 = missing) under each scoring, on 0-100.

    Parameters
    ----------
    points : int, default 5
        Points of the Likert scale.

    Returns
    -------
    dict of str -> numpy.ndarray
        ``"favourable"`` (100 for the top two boxes, else 0) and ``"mean"``
        (``(x - 1) / (points - 1) * 100``), indexed by the answer; index 0 (missing) scores 0.
    """
    x = np.arange(points + 1, dtype=float)
    fav = np.where(x >= favourable_threshold(points), 100.0, 0.0)
    mean = (x - 1) / (points - 1) * 100
    fav[0] = mean[0] = 0.0
    return {"favourable": fav, "mean": mean}


def _masked_int8(array) -> np.ndarray | None:
    """A nullable integer column as int8 with 0 for missing, in two vectorised passes;
    None when it is not one (or its values do not fit in int8).

    pandas' own ``to_numpy(na_value=0)`` assigns through the boolean mask, three times
    slower on millions of rows; this reads the masked array's data and mask directly.
    """
    if not isinstance(array, pd.arrays.IntegerArray):
        return None
    data, mask = array._data, array._mask
    if data.dtype != np.int8:
        if data.size and (data.min() < -128 or data.max() > 127):  # let the checks name it
            return None
        data = data.astype(np.int8)
    # mask - 1 is 0 where missing and all bits set where present: one AND keeps the answers.
    keep = np.subtract(mask.view(np.int8), np.int8(1))
    return np.bitwise_and(keep, data, out=keep)


def _answers(responses: pd.DataFrame, points: int) -> list[np.ndarray]:
    """Item columns as int8 arrays with 0 = missing; checks the range."""
    missing = [c for c in BEHAVIOUR_CODES if c not in responses.columns]
    if missing:
        raise InputError(f"culture responses lack item columns {missing}.")

    def one(c: str) -> np.ndarray:
        col = responses[c]
        arr = _masked_int8(col.array)
        if arr is not None:  # nullable integers (the processed tables): the fast path
            n_missing = np.count_nonzero(col.array._mask)
            # Cheap reductions first; locate the bad rows only when there are some.
            ok = len(arr) == 0 or (
                arr.min() >= 0
                and arr.max() <= points
                and len(arr) - np.count_nonzero(arr) == n_missing
            )
            bad = np.zeros(0, dtype=bool)
            if not ok:
                bad = (arr < 0) | (arr > points) | ((arr == 0) & col.notna().to_numpy())
        else:  # anything else via float: a cast to int8 first would wrap 260 round to 4
            x = col.to_numpy(dtype="float64", na_value=np.nan)
            bad = np.isfinite(x) & ((x != np.round(x)) | (x < 1) | (x > points))
            arr = np.where(np.isfinite(x), x, 0).astype(np.int8)
        if bad.any():
            raise InputError(
                f"Item {c} holds answers outside 1..{points} (first bad row "
                f"{int(np.flatnonzero(bad)[0])}); fix the data or pass points=."
            )
        return arr

    return parallel_map(one, BEHAVIOUR_CODES)  # column conversions release the GIL


@dataclass
class _Cells:
    cell: np.ndarray  # respondent -> cell
    n_cells: int
    cell_psu: np.ndarray
    cell_weight: np.ndarray
    cell_rep: np.ndarray | None  # a representative respondent row of each cell (lazy)
    stats: dict  # scoring -> (n_avail, sum, sum2) arrays (C, _NV), views of ``stacked``
    stacked: list  # (n_avail, sum, sum2) arrays (C, len(SCORINGS) * _NV), scorings in order
    psu: np.ndarray
    psu_keys: pd.DataFrame
    psu_n: np.ndarray  # respondents per PSU
    n_rows: int


@lru_cache(maxsize=1)
def _t_quantiles(cap: int = 10_000) -> np.ndarray:
    """97.5 % Student t quantiles on n - 1 df for n = 0..cap (beyond, t and normal agree
    to 1e-4)."""
    return stats.t.ppf(0.975, np.maximum(np.arange(cap + 1) - 1, 1))


def _first_rows(codes: np.ndarray, size: int) -> np.ndarray:
    """Index of the first row of each code (vectorised)."""
    rep = np.empty(size, dtype=np.int64)
    rep[codes[::-1]] = np.arange(codes.size - 1, -1, -1)
    return rep


def _build_cells(responses, weights, extra, points) -> _Cells:
    n = len(responses)

    def cell_codes():
        psu, psu_keys = factorize_columns(responses, ["wave", "gov_code", "unit_code"])
        n_psu = psu_keys.shape[0]
        key = psu
        if weights is None:
            w_first = np.ones(n_psu)
        else:
            w = np.asarray(weights, dtype=float)
            if w.shape != (n,) or not np.all(np.isfinite(w) & (w > 0)):
                raise InputError(
                    "culture weights must be one positive finite number per respondent."
                )
            if n and bool(np.all(psu[1:] >= psu[:-1])):  # rows grouped by unit: no scatter
                starts = np.searchsorted(psu, np.arange(n_psu))
                w_first = w[starts]
                same = np.array_equal(
                    np.minimum.reduceat(w, starts), np.maximum.reduceat(w, starts)
                )
            else:
                w_first = np.empty(n_psu)
                w_first[psu] = w
                same = np.array_equal(w_first[psu], w)
            if not same:  # weights vary within units: one cell per weight
                key = key * (n + 1) + pd.factorize(w)[0]
        if extra:
            ecodes, _ = factorize_columns(responses, extra)
            key = key * (int(ecodes.max()) + 2) + ecodes
        if key is psu:  # one cell per unit: the common case, nothing more to index
            cell, n_cells = psu, psu_keys.shape[0]
            rep = None
            cell_psu, cell_w = np.arange(n_cells), w_first
        else:
            cell, uniq = pd.factorize(key)
            cell, n_cells = cell.astype(np.int64), len(uniq)
            rep = _first_rows(cell, n_cells)
            cell_psu = psu[rep]
            cell_w = w_first[cell_psu] if weights is None else w[rep]
        return psu, psu_keys, cell, n_cells, rep, cell_psu, cell_w

    # Reading the item columns and factorising the units are independent passes over the
    # rows: run them side by side.
    (psu, psu_keys, cell, n_cells, rep, cell_psu, cell_w), items = parallel_map(
        lambda f: f(), [cell_codes, lambda: _answers(responses, points)]
    )
    k1 = points + 1
    k3 = k1**3
    # Every (x1, x2, x3) answer pattern of a value (0 = missing) and what it implies:
    # answered count; value score per scoring; each item's score.
    g = np.indices((k1, k1, k1)).reshape(3, -1)
    answered = (g > 0).sum(0)
    avail3 = (answered > 0).astype(float)
    # Respondent overall scores, exactly, in small integers: 6 * (value score) / (100 / (k-1))
    # is an integer for 1-3 answered items (mean scoring: 6 * sum(x-1) / answered; percent
    # favourable: 6 * favourable / answered). Both are packed in one int16 (mean * 64 + fav)
    # so one small-table lookup per value serves both scorings.
    with np.errstate(invalid="ignore", divide="ignore"):
        six_mean = np.where(answered > 0, 6 * np.where(g > 0, g - 1, 0).sum(0) / answered, 0)
        six_fav = np.where(
            answered > 0, 6 * (g >= favourable_threshold(points)).sum(0) / answered, 0
        )
    packed = (np.rint(six_mean) * 64 + np.rint(six_fav)).astype(np.int16)
    # One matrix maps pattern counts to the sufficient statistics of the value and its three
    # items, in integer units (answered, favourable, x - 1, (x - 1)^2 per item; answered,
    # 6 x value score and its square per scoring for the value). Integer sums below 2^24
    # are exact in float32, which halves the cost of this, the largest product.
    thr = favourable_threshold(points)
    cols = []
    for j in range(3):
        a = (g[j] > 0).astype(float)
        m = np.where(g[j] > 0, g[j] - 1, 0).astype(float)
        cols += [a, (g[j] >= thr).astype(float), m, m * m]
    six_mean, six_fav = np.rint(six_mean), np.rint(six_fav)
    cols += [avail3, six_fav, six_fav**2, six_mean, six_mean**2]
    to_stats = np.stack(cols, axis=1)  # (k3, 17)
    sizes = np.bincount(cell, minlength=n_cells)
    exact32 = sizes.size == 0 or float(sizes.max()) * to_stats.max() < 2**24
    to_stats = to_stats.astype(np.float32 if exact32 else np.float64)
    c = 100.0 / (points - 1)
    # (scoring, slot) -> (n_avail column, sum column, scale, sum-of-squares column, scale)
    item_map = {"favourable": (1, 100.0, 1, 10_000.0), "mean": (2, c, 3, c * c)}
    value_map = {"favourable": (13, 100 / 6, 14, (100 / 6) ** 2),
                 "mean": (15, c / 6, 16, (c / 6) ** 2)}  # fmt: skip
    # (n_avail, sum, sum of squares) with both scorings side by side, as the variance
    # engine takes them; ``stats`` holds each scoring's column views.
    stacked = [np.zeros((n_cells, len(SCORINGS) * _NV)) for _ in range(3)]
    stats = {s: [m[:, i * _NV : (i + 1) * _NV] for m in stacked] for i, s in enumerate(SCORINGS)}
    raw = np.empty((len(VALUE_CODES), n_cells, to_stats.shape[1]), dtype=to_stats.dtype)
    code_type = np.uint8 if k3 <= 256 else np.int16
    packed_tiled = np.tile(packed, n_cells)
    nb = len(BEHAVIOUR_CODES)
    # each value's three item columns
    value_items = [[BEHAVIOUR_CODES.index(b) for b in behaviours_of(v)] for v in VALUE_CODES]

    def block(task: tuple[int, int, int, int, list[int]]) -> tuple[np.ndarray, np.ndarray]:
        """Sufficient statistics of values ``vs`` over rows ``r0:r1`` (cells ``c0:c1``,
        disjoint from other tasks' cells or values) and those rows' overall partial sums."""
        r0, r1, c0, c1, vs = task
        base = (cell[r0:r1] - c0) * k3
        acc = np.zeros(r1 - r0, dtype=np.int16)
        acc_n = np.zeros(r1 - r0, dtype=np.int8)
        for vi in vs:
            idx = value_items[vi]
            x = [items[i][r0:r1] for i in idx]
            # Pattern code in the smallest integer type (uint8 on a 5-point scale): cheap passes.
            code = x[0].astype(code_type)
            code *= k1
            code += x[1].view(np.uint8) if code_type is np.uint8 else x[1]
            code *= k1
            code += x[2].view(np.uint8) if code_type is np.uint8 else x[2]
            cell_code = np.add(base, code, dtype=np.intp)
            counts = np.bincount(cell_code, minlength=(c1 - c0) * k3).reshape(c1 - c0, k3)
            # One write per value and block (spread into ``stats`` once, after all blocks:
            # many small column writes here would hold the GIL the other threads need).
            np.matmul(counts.astype(to_stats.dtype), to_stats, out=raw[vi, c0:c1])
            del counts
            # Look up through the (cell, pattern) code, already an index array: no conversion.
            acc += np.take(packed_tiled, cell_code)
            acc_n += code > 0
        if len(vs) == len(VALUE_CODES):  # the block's overall scores are complete
            overall(r0, r1, c0, c1, acc, acc_n)
        return acc, acc_n

    def overall(r0, r1, c0, c1, acc, acc_n) -> None:
        """Respondent overall scores of rows ``r0:r1`` (mean of their value scores, from the
        packed sums) into the last column of ``stats`` for cells ``c0:c1``."""
        local = cell[r0:r1] - c0
        has = acc_n > 0
        denom = np.where(has, acc_n, 1) * 6.0
        answered = np.bincount(local, has, minlength=c1 - c0)
        for sc in SCORINGS:
            part = (acc >> 6) * (100.0 / (points - 1)) if sc == "mean" else (acc & 63) * 100.0
            score = np.divide(part, denom, out=part)  # 0 where nothing was answered
            na, s1, s2 = (a[c0:c1] for a in stats[sc])
            na[:, -1] = answered
            s1[:, -1] = np.bincount(local, score, minlength=c1 - c0)
            s2[:, -1] = np.bincount(local, np.square(score, out=score), minlength=c1 - c0)

    # Rows grouped by cell (as exports and the processed tables are) are cut into blocks of
    # about _BLOCK_ROWS rows at cell boundaries: a block's pattern counts and row arrays stay
    # in the CPU cache (2.5x faster than whole-array passes, measured in
    # benchmarks/results/measure.md), and blocks run on threads (numpy releases the GIL).
    # Otherwise the values are split between threads, each pass over all rows.
    threads = n_threads()
    values = list(range(len(VALUE_CODES)))
    if n > _BLOCK_ROWS and bool(np.all(cell[1:] >= cell[:-1])):
        n_blocks = -(-n // _BLOCK_ROWS)
        cuts = np.searchsorted(cell, cell[np.arange(1, n_blocks) * n // n_blocks])
        rows = np.unique(np.concatenate([[0], cuts, [n]]))
        cells_at = np.append(cell[rows[:-1]], n_cells)
        tasks = [(int(a), int(b), int(ca), int(cb), values)
                 for a, b, ca, cb in zip(rows[:-1], rows[1:], cells_at[:-1], cells_at[1:],
                                         strict=True)]  # fmt: skip
        parallel_map(block, tasks)  # each block also fills its cells' overall statistics
    else:
        split = np.array_split(values, min(threads, len(values)))
        parts = parallel_map(block, [(0, n, 0, n_cells, list(v)) for v in split])
        acc, acc_n = parts[0]
        for a, an in parts[1:]:
            acc += a
            acc_n += an
        if len(parts) > 1:  # one part covering every value has done this already
            overall(0, n, 0, n_cells, acc, acc_n)
    for vi, idx in enumerate(value_items):  # spread each value's statistics into ``stats``
        st = raw[vi].astype(np.float64)
        for sc in SCORINGS:
            na, s1, s2 = stats[sc]
            i1, f1, i2, f2 = item_map[sc]
            for j, col in enumerate(idx):
                na[:, col] = st[:, 4 * j]
                s1[:, col] = st[:, 4 * j + i1] * f1
                s2[:, col] = st[:, 4 * j + i2] * f2
            i1, f1, i2, f2 = value_map[sc]
            na[:, nb + vi] = st[:, 12]
            s1[:, nb + vi] = st[:, i1] * f1
            s2[:, nb + vi] = st[:, i2] * f2
    psu_n = sizes if cell is psu else np.bincount(psu, minlength=len(psu_keys))
    return _Cells(cell, n_cells, cell_psu, cell_w, rep, stats, stacked, psu, psu_keys, psu_n, n)


def _design(cells: _Cells, units: pd.DataFrame | None):
    keys = cells.psu_keys
    stratum, skeys = factorize_columns(keys, ["wave", "gov_code"])
    psu_n = cells.psu_n
    pop = np.full(len(keys), np.nan)
    spop = np.full(len(skeys), np.nan)
    if units is not None and len(units):
        u = units[["gov_code", "unit_code", "headcount"]]
        hc = (
            keys[["gov_code", "unit_code"]]
            .astype("string")
            .merge(
                u.astype({"gov_code": "string", "unit_code": "string"}),
                on=["gov_code", "unit_code"],
                how="left",
            )["headcount"]
        )
        pop = hc.to_numpy(dtype=float, na_value=np.nan)
        pop = np.where(np.isfinite(pop) & (pop < psu_n), psu_n, pop)
        n_units = u.groupby(u["gov_code"].astype("string")).size()
        m = skeys["gov_code"].astype("string").map(n_units).to_numpy(dtype=float, na_value=np.nan)
        sampled = np.bincount(stratum, minlength=len(skeys))
        spop = np.where(np.isfinite(m), np.maximum(m, sampled), np.nan)
    return stratum, psu_n, pop, spop


def _level_groups(cells: _Cells, level: str, by: list[str] | None, responses: pd.DataFrame):
    """Group (domain) index of each cell and the key frame of the groups."""
    if cells.cell_rep is None:
        cells.cell_rep = _first_rows(cells.cell, cells.n_cells)
    rep = responses.iloc[cells.cell_rep]
    if level == "unit":
        cols = ["wave", "gov_code", "unit_code"]
    elif level == "government":
        cols = ["wave", "gov_code"]
    elif level == "province":
        rep = rep.assign(gov_code=rep["gov_code"].astype("string").str.slice(0, 2))
        cols = ["wave", "gov_code"]
    elif level == "national":
        cols = ["wave"]
    else:
        cols = list(by)
    codes, keys = factorize_columns(rep, cols)
    return codes, keys


def _clip_to_scale(lo: np.ndarray, hi: np.ndarray) -> None:
    """Truncate intervals to the index's range 0-100, in place.

    A Wald interval near the ends of the scale can run past them (a unit at 98 with
    an SE of 4); no index lies outside 0-100, so the truncated interval covers every
    true value the full one does (0.45 % of national rows were affected).
    """
    np.clip(lo, 0.0, 100.0, out=lo)
    np.clip(hi, 0.0, 100.0, out=hi)


def _categories(est: np.ndarray) -> dict[str, pd.Categorical]:
    idx = band_codes(np.clip(est, 0, 100), CULTURE_CATEGORIES)
    cats = CULTURE_CATEGORIES
    confirmed = np.array([b.confirmed for b in cats])
    if confirmed.all() or not confirmed.any():  # one flag for every band: no lookup
        flag = np.full(idx.shape, bool(confirmed[0]))
    else:
        flag = confirmed[idx]  # -1 (missing) picks the last band's flag, masked below

    def cat(codes, labels):  # codes from band_codes are valid by construction
        return pd.Categorical.from_codes(codes, labels, validate=False)

    # Each column gets its own codes: pandas keeps int8 codes as given, and a later
    # in-place edit of one column must not change the others.
    return {
        "category": cat(idx.copy(), [b.code for b in cats]),
        "category_label_id": cat(idx.copy(), [b.label_id for b in cats]),
        "category_label_en": cat(idx, [b.label_en for b in cats]),
        "category_confirmed": pd.arrays.BooleanArray(flag, idx < 0),
    }


def _long(keys, res, scoring, var_idx, var_name, aggregation, min_group, boot):
    """Tidy rows: one per group x variable of ``var_idx``."""
    g = len(keys)
    nv = len(var_idx)
    est = res["estimate"][:, var_idx].ravel()
    se = res["se"][:, var_idx].ravel()
    n = res["n"][:, var_idx].ravel()
    small = n < min_group
    est = np.where(small, np.nan, est)
    se = np.where(small, np.nan, se)
    lo, hi = survey.normal_interval(est, se)
    _clip_to_scale(lo, hi)
    rows = np.repeat(np.arange(g), nv)
    out = {}
    if aggregation is not None:
        out["aggregation"] = pd.Categorical.from_codes(
            np.full(g * nv, LEVELS.index(aggregation)), LEVELS
        )
    for c in keys.columns:
        out[c] = keys[c].take(rows).reset_index(drop=True)
    if aggregation is not None:
        if "unit_code" not in keys.columns:
            out["unit_code"] = pd.array([pd.NA] * (g * nv), dtype="string")
        if "gov_code" not in keys.columns:
            out["gov_code"] = pd.array([pd.NA] * (g * nv), dtype="string")
    names = [_VARS[i] for i in var_idx]
    out[var_name] = pd.Categorical.from_codes(np.tile(np.arange(nv), g), names)
    out["scoring"] = pd.Categorical.from_codes(np.full(g * nv, SCORINGS.index(scoring)), SCORINGS)
    out.update(estimate=est, se=se, ci_low=lo, ci_high=hi, n=n.astype(np.int64))
    out.update(_categories(est))
    out["suppressed"] = small
    reason = np.where(small, f"fewer than {min_group} respondents", "")
    out["suppression_reason"] = pd.Categorical(np.where(small, reason, None))
    if boot:
        for c in ("boot_se", "boot_ci_low", "boot_ci_high"):
            out[c] = np.where(small, np.nan, res[c][:, var_idx].ravel())
    return pd.DataFrame(out)


@renamed(levels="aggregations")
def culture_tables(
    responses: pd.DataFrame,
    units: pd.DataFrame | None = None,
    *,
    aggregations: tuple[str, ...] = LEVELS,
    scorings: tuple[str, ...] = SCORINGS,
    weights: str | np.ndarray | None = None,
    points: int = LIKERT_POINTS,
    fpc: bool = True,
    min_group: int = MIN_GROUP,
    n_boot: int = 0,
    seed: int | None = None,
) -> dict[str, pd.DataFrame]:
    """All culture indices at every level: the ``culture_index`` and ``culture_behaviour`` tables.

    Parameters
    ----------
    responses : pandas.DataFrame
        ``culture_responses``: ``wave``, ``gov_code``, ``unit_code``, ``BP1`` .. ``KB3``.
    units : pandas.DataFrame, optional
        ``units`` table (``gov_code``, ``unit_code``, ``headcount``) for the
        finite-population corrections; None = no FPC information.
    aggregations : tuple of str
        Any of "national", "province" (all governments of a province pooled;
        ``gov_code`` is the two-digit province code), "government", "unit".
    scorings : tuple of str
        "favourable" and/or "mean".
    weights : str or array, optional
        Weight column name or array (e.g. :func:`survey.rake_weights`); None = equal.
    points : int
        Likert scale length.
    fpc : bool
        Finite-population corrections (two-stage variance).
    min_group : int
        Groups whose statistic rests on fewer respondents are withheld
        (estimate NaN, ``suppressed`` True); they still count in their parents.
    n_boot, seed : int
        Rao-Wu cluster bootstrap replicates (government and higher levels).

    Returns
    -------
    dict of pandas.DataFrame
        ``"culture_index"``: ``aggregation, gov_code, unit_code, wave, value, scoring,
        estimate, se, ci_low, ci_high, n, category, category_label_id,
        category_label_en, category_confirmed, suppressed, suppression_reason``
        (value in "overall", "BP".."KB"); ``"culture_behaviour"``: the same with
        ``behaviour`` ("BP1".."KB3") instead of ``value``. With ``n_boot`` both
        also hold ``boot_se, boot_ci_low, boot_ci_high``.
    """
    min_group = check_min_group(min_group)
    for s in scorings:
        if s not in SCORINGS:
            raise ParameterError(f"Unknown scoring {s!r}; use 'favourable' or 'mean'.")
    levels = aggregations
    for lv in levels:
        if lv not in LEVELS:
            raise ParameterError(f"Unknown aggregation {lv!r}; use one of {', '.join(LEVELS)}.")
    w = responses[weights].to_numpy(dtype=float) if isinstance(weights, str) else weights
    cells = _build_cells(responses, w, [], points)
    design = _design(cells, units)
    keys = cells.psu_keys
    n_psu = len(keys)
    wave_p = keys["wave"].to_numpy(dtype=np.int64)
    gov_idx, gov_cats = pd.factorize(keys["gov_code"].astype("string"))
    unit_idx, unit_cats = pd.factorize(keys["unit_code"].astype("string"))
    gov_cats = pd.Index(gov_cats.astype(object))
    prov = gov_cats.str.slice(0, 2)
    all_gov = gov_cats.append(pd.Index(prov.unique()).difference(gov_cats))
    prov_idx = all_gov.get_indexer(prov)[gov_idx]
    if tuple(scorings) == SCORINGS:
        stacked = cells.stacked
    else:
        stacked = [np.hstack([cells.stats[sc][m] for sc in scorings]) for m in range(3)]
    value_idx = [_NV - 1, *range(len(BEHAVIOUR_CODES), _NV - 1)]
    beh_idx = list(range(len(BEHAVIOUR_CODES)))
    parts = {"value": [], "behaviour": []}

    def groups_of(level: str):
        """Each PSU's group at ``level``, a representative PSU and the gov/unit codes of
        each group."""
        if level == "unit":
            return np.arange(n_psu), np.arange(n_psu), gov_idx, unit_idx
        sub = {"government": gov_idx, "province": prov_idx, "national": np.zeros(n_psu, np.int64)}
        key = wave_p * (len(all_gov) + 1) + sub[level]
        psu_group, uniq = pd.factorize(key)
        rep = np.empty(len(uniq), dtype=np.int64)
        rep[psu_group[::-1]] = np.arange(n_psu - 1, -1, -1)
        g_gov = sub[level][rep] if level != "national" else np.full(len(uniq), -1)
        return psu_group, rep, g_gov, np.full(len(uniq), -1)

    grouped = {level: groups_of(level) for level in levels}
    one_weight_per_unit = cells.n_cells == n_psu and cells.cell_rep is None
    if one_weight_per_unit and not n_boot:
        # Every respondent of a unit shares its weight (headcount raking): all levels
        # from per-stratum sums in one pass over the units (survey_levels; equals the
        # general engine below).
        stratum = design[0]
        upper = [lv for lv in levels if lv != "unit"]
        groupings = []
        for level in upper:
            psu_group, rep = grouped[level][:2]
            of_stratum = np.full(len(design[3]), -1, dtype=np.int64)
            of_stratum[stratum] = psu_group
            groupings.append((of_stratum, len(rep)))
        unit_res, upper_res = ratio_levels(
            *stacked, cells.cell_weight, *design, groupings, fpc=fpc, parallel=parallel_map
        )
        results = {"unit": unit_res, **dict(zip(upper, upper_res, strict=True))}
        level_results = [(*grouped[lv][1:], 0, results[lv]) for lv in levels]
    else:
        moments = survey.psu_moments(cells.cell_psu, cells.cell_weight, *stacked, n_psu)

        def level_result(level: str):
            psu_group, rep, g_gov, g_unit = grouped[level]
            boot = n_boot if level != "unit" else 0
            res = survey.ratio_from_moments(
                moments, psu_group, *design, len(rep),
                fpc=fpc, certainty=level == "unit", n_boot=boot, seed=seed,
            )  # fmt: skip
            return rep, g_gov, g_unit, boot, res

        # The levels are independent array computations: threads, results in level order.
        level_results = parallel_map(level_result, levels)

    for level, (rep, g_gov, g_unit, boot, res) in zip(levels, level_results, strict=True):
        n_groups = len(rep)
        for name, vidx in (("value", value_idx), ("behaviour", beh_idx)):
            sel = [si * _NV + v for si in range(len(scorings)) for v in vidx]
            width = len(sel)
            part = {
                "aggregation": np.full(n_groups * width, LEVELS.index(level), dtype=np.int8),
                # Small integer codes: these arrays have ~2 million rows.
                "gov": np.repeat(g_gov.astype(np.int32), width),
                "unit": np.repeat(g_unit.astype(np.int32), width),
                "wave": np.repeat(wave_p[rep], width),
                "var": np.tile(
                    np.tile(np.arange(len(vidx), dtype=np.int8), len(scorings)), n_groups
                ),  # fmt: skip
                "scoring": np.tile(
                    np.repeat(np.array([SCORINGS.index(x) for x in scorings], np.int8), len(vidx)),
                    n_groups,
                ),
            }
            for c in ("estimate", "se", "n"):
                part[c] = res[c][:, sel].ravel()
            for c in ("boot_se", "boot_ci_low", "boot_ci_high"):
                if n_boot:
                    part[c] = res[c][:, sel].ravel() if boot else np.full(n_groups * width, np.nan)
            parts[name].append(part)

    def finish(name: str, vidx: list[int]) -> pd.DataFrame:
        p = {k: np.concatenate([x[k] for x in parts[name]]) for k in parts[name][0]}
        n = p["n"]
        small = n < min_group
        # In place where possible: these columns have ~2 million rows.
        est, se = p["estimate"], p["se"]  # fresh from the concatenation
        est[small] = np.nan
        se[small] = np.nan
        # Unit figures rest on few respondents: Student t with n - 1 df; pooled levels: normal.
        t_table = _t_quantiles()
        q = t_table[np.minimum(n, t_table.size - 1).astype(np.intp)]
        q[p["aggregation"] != LEVELS.index("unit")] = survey.Z95
        half = np.multiply(q, se, out=q)
        lo = est - half
        hi = np.add(est, half, out=half)
        _clip_to_scale(lo, hi)

        def cat(codes, categories):  # codes built above are valid by construction
            return pd.Categorical.from_codes(codes, categories, validate=False)

        out = {
            "aggregation": cat(p["aggregation"], LEVELS),
            "gov_code": cat(p["gov"], all_gov.astype("string")),
            "unit_code": cat(p["unit"], pd.Index(unit_cats).astype("string")),
            "wave": p["wave"],
            name: cat(p["var"], [_VARS[i] for i in vidx]),
            "scoring": cat(p["scoring"], SCORINGS),
            "estimate": est, "se": se, "ci_low": lo, "ci_high": hi,
            "n": n.astype(np.int64, copy=False),
            **_categories(est),
            "suppressed": small,
            "suppression_reason": pd.Categorical.from_codes(
                small.view(np.int8) - 1, [f"fewer than {min_group} respondents"]
            ),
        }  # fmt: skip
        for c in ("boot_se", "boot_ci_low", "boot_ci_high"):
            if c in p:
                out[c] = np.where(small, np.nan, p[c])
        # Every array above is new: no copy, and no consolidation into 2-D blocks (which
        # copies ~2 million rows per column for nothing).
        return pd.DataFrame(out, copy=False)

    index, behaviour = parallel_map(
        lambda args: finish(*args), [("value", value_idx), ("behaviour", beh_idx)]
    )
    return {"culture_index": index, "culture_behaviour": behaviour}


def culture_index(
    responses: pd.DataFrame,
    by: list[str] | tuple[str, ...] = ("gov_code", "wave"),
    *,
    scoring: str = "favourable",
    weights: str | np.ndarray | None = None,
    units: pd.DataFrame | None = None,
    points: int = LIKERT_POINTS,
    fpc: bool = True,
    min_group: int = MIN_GROUP,
    behaviours: bool = False,
) -> pd.DataFrame:
    """Culture index per value (or behaviour) for any grouping of respondents.

    Parameters
    ----------
    responses : pandas.DataFrame
        ``culture_responses`` rows (``wave``, ``gov_code``, ``unit_code``, items).
    by : list of str
        Grouping columns, e.g. ``["gov_code", "wave"]``, ``["gov_code",
        "unit_code", "wave"]`` or a demographic such as ``["gov_code", "wave",
        "sex"]`` (domain estimation: the design stays whole).
    scoring : {"favourable", "mean"}
        Percent favourable (top two boxes) or mean rescaled to 0-100.
    weights : str or array, optional
        Weight column name or array; None = equal weights.
    units : pandas.DataFrame, optional
        Units with headcounts for finite-population corrections.
    points, fpc, min_group
        As in :func:`culture_tables`.
    behaviours : bool
        Return the 21 behaviours instead of overall and the seven values.

    Returns
    -------
    pandas.DataFrame
        ``by`` columns, ``value`` (or ``behaviour``), ``scoring``, ``estimate``,
        ``se``, ``ci_low``, ``ci_high``, ``n``, ``category``,
        ``category_label_id``, ``category_label_en``, ``category_confirmed``,
        ``suppressed``, ``suppression_reason``.

    Examples
    --------
    Forty respondents of two units answer the 21 items at random between 2
    and 5, so about half of the answers are favourable (4-5); the interval
    treats the two units as clusters:

    >>> import numpy as np, pandas as pd
    >>> from berakhlak_research.framework import BEHAVIOUR_CODES
    >>> from berakhlak_research.indices import culture_index
    >>> rng = np.random.default_rng(1)
    >>> resp = pd.DataFrame(rng.integers(2, 6, size=(40, 21)), columns=list(BEHAVIOUR_CODES))
    >>> resp[["wave", "gov_code", "unit_code"]] = [2025, "35.75", "U1"]
    >>> resp.loc[20:, "unit_code"] = "U2"
    >>> ci = culture_index(resp, by=["gov_code", "wave"])
    >>> ci.loc[ci["value"] == "overall", ["estimate", "ci_low", "ci_high", "n", "category"]].round(1)
       estimate  ci_low  ci_high   n category
    0      48.9    44.5     53.4  40        C
    """
    min_group = check_min_group(min_group)
    if scoring not in SCORINGS:
        raise ParameterError(f"Unknown scoring {scoring!r}; use 'favourable' or 'mean'.")
    by = list(by)
    missing = [c for c in by if c not in responses.columns]
    if missing:
        raise InputError(f"culture_index: by columns {missing} are not in the responses.")
    if UNIT in by:
        check_unit(responses, by, func="culture_index", arg="by",
                   fix=f"Add {GOV!r} to by (units are numbered within each government).")  # fmt: skip
    w = responses[weights].to_numpy(dtype=float) if isinstance(weights, str) else weights
    unit_cols = {"wave", "gov_code", "unit_code"}
    cells = _build_cells(responses, w, [c for c in by if c not in unit_cols], points)
    stratum, psu_n, pop, spop = _design(cells, units)
    group, keys = _level_groups(cells, "", by, responses)
    na, s1, s2 = cells.stats[scoring]
    res = survey.ratio_from_cells(
        cells.cell_psu, group, cells.cell_weight, na, s1, s2, stratum, psu_n, pop, spop,
        len(keys), fpc=fpc, certainty="unit_code" in by,
    )  # fmt: skip
    if behaviours:
        idx, name = list(range(len(BEHAVIOUR_CODES))), "behaviour"
    else:
        idx, name = [_NV - 1, *range(len(BEHAVIOUR_CODES), _NV - 1)], "value"
    return _long(keys, res, scoring, idx, name, None, min_group, False)
