"""Vectorised generation: structure, programmes, culture answers, SKM answers.

Governments are processed in chunks (a few hundred thousand respondents each)
so that the national scale stays within memory; inside a chunk every step is
a numpy operation over all units and respondents at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from berakhlak_research import regions
from berakhlak_research.framework import STAGES, VALUE_CODES
from berakhlak_research.simulate import _params as P
from berakhlak_research.simulate._observed import (
    expected_value_scores,
    satisfaction_within_variance,
)

__all__ = [
    "Structure",
    "ChunkResult",
    "build_structure",
    "build_interventions",
    "chunks",
    "simulate_chunk",
]

N_WAVES = len(P.WAVES)
WAVES = np.array(P.WAVES)

DINAS_NAMES = np.array([
    "Dinas Pendidikan", "Dinas Kesehatan", "Dinas Sosial",
    "Dinas Kependudukan dan Pencatatan Sipil",
    "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
    "Dinas Pekerjaan Umum dan Penataan Ruang", "Dinas Perhubungan", "Dinas Lingkungan Hidup",
    "Dinas Komunikasi dan Informatika", "Dinas Perdagangan dan Perindustrian",
    "Dinas Koperasi dan Usaha Mikro", "Dinas Tenaga Kerja", "Dinas Pertanian",
    "Dinas Pariwisata dan Kebudayaan", "Dinas Pemuda dan Olahraga",
    "Dinas Perpustakaan dan Kearsipan", "Dinas Perumahan dan Kawasan Permukiman",
    "Dinas Pemadam Kebakaran", "Dinas Ketahanan Pangan", "Dinas Perikanan",
], dtype=object)  # fmt: skip
BADAN_NAMES = np.array([
    "Badan Perencanaan Pembangunan Daerah", "Badan Kepegawaian dan Pengembangan SDM",
    "Badan Pengelolaan Keuangan dan Aset Daerah", "Badan Pendapatan Daerah",
    "Badan Penanggulangan Bencana Daerah", "Badan Kesatuan Bangsa dan Politik",
], dtype=object)  # fmt: skip
TYPE_PREFIX = {
    "sekretariat": "Sekretariat Daerah", "inspektorat": "Inspektorat", "kecamatan": "Kecamatan",
    "kelurahan": "Kelurahan", "puskesmas": "Puskesmas", "rsud": "RSUD",
}  # fmt: skip
SERVICES = {
    "dinas": ("Perizinan", "Administrasi Kependudukan", "Pelayanan Informasi"),
    "badan": ("Pelayanan Pajak Daerah", "Pelayanan Informasi"),
    "kecamatan": ("Administrasi Kependudukan", "Surat Keterangan"),
    "kelurahan": ("Surat Keterangan", "Surat Pengantar"),
    "puskesmas": ("Pelayanan Kesehatan", "Imunisasi"),
    "rsud": ("Rawat Jalan", "Rawat Inap", "Instalasi Gawat Darurat"),
    "sekretariat": ("Pelayanan Informasi",),
    "inspektorat": ("Pengaduan",),
}  # fmt: skip
SERVICE_LIST = tuple(sorted({s for v in SERVICES.values() for s in v}))

SEX = np.array(["L", "P"], dtype=object)
AGE_ASN = np.array(["<30", "30-39", "40-49", "50+"], dtype=object)
AGE_ASN_P = (0.15, 0.30, 0.30, 0.25)
EMPLOYMENT = np.array(["PNS", "PPPK"], dtype=object)
AGE_SKM = np.array(["<25", "25-34", "35-44", "45-54", "55+"], dtype=object)
AGE_SKM_P = (0.18, 0.27, 0.25, 0.18, 0.12)
EDUCATION = np.array(["SD", "SMP", "SMA", "D1-D3", "D4/S1", "S2+"], dtype=object)
EDUCATION_P = (0.08, 0.14, 0.40, 0.10, 0.24, 0.04)
OCCUPATION = np.array(
    ["PNS/ASN", "TNI/Polri", "Pegawai Swasta", "Wiraswasta", "Pelajar/Mahasiswa", "Lainnya"],
    dtype=object,
)
OCCUPATION_P = (0.08, 0.03, 0.30, 0.27, 0.12, 0.20)


def _cat(rng: np.random.Generator, p, size) -> np.ndarray:
    """Categorical codes drawn by inverse CDF (vectorised)."""
    cum = np.cumsum(p)
    cum[-1] = 1.0
    return np.searchsorted(cum, rng.random(size), side="right").astype(np.int8)


@dataclass
class Structure:
    """Governments, units, cohorts and the level-2/3 random components."""

    govs: pd.DataFrame  # code, name, kind, province_code, gov_cohort
    unit_gov: np.ndarray  # government index per unit
    units: pd.DataFrame  # canonical units table (plus helper columns)
    first_treated: np.ndarray  # per unit, 0 = never
    unit_cohort: np.ndarray
    gov_effect: np.ndarray  # (n_gov, 7) latent
    unit_effect: np.ndarray  # (n_units, 7) latent
    skm_unit: np.ndarray  # (n_units,) satisfaction component on q
    n_resp: np.ndarray  # (n_units, n_waves)
    n_skm: np.ndarray  # (n_units, n_waves)


def _select_governments(scale: P.Scale) -> pd.DataFrame:
    ref = regions.governments()
    if scale.governments is not None:
        sel = ref.set_index("code").loc[list(scale.governments)].reset_index()
    elif scale.province is not None:
        sel = ref[ref["province_code"] == scale.province].reset_index(drop=True)
    else:
        sel = ref.reset_index(drop=True)
    return sel[["code", "name", "kind", "province_code"]].copy()


def _mvn(rng: np.random.Generator, n: int, var: float, corr: np.ndarray) -> np.ndarray:
    chol = np.linalg.cholesky(corr)
    return rng.standard_normal((n, corr.shape[0])) @ chol.T * np.sqrt(var)


def build_structure(scale: P.Scale, params: P.Params, seed: int) -> Structure:
    """Draw governments' units, headcounts, cohorts and random components."""
    rng = np.random.default_rng([seed, 11])
    govs = _select_governments(scale)
    n_gov = len(govs)
    kind = govs["kind"].to_numpy()
    if scale.units_demo_range is not None:
        lo, hi = scale.units_demo_range
        n_units = rng.integers(lo, hi + 1, n_gov)
    else:
        base = np.array([scale.units_base[k] for k in kind])
        n_units = np.maximum(12, np.round(base * np.exp(0.2 * rng.standard_normal(n_gov))))
        n_units = n_units.astype(int)
    unit_gov = np.repeat(np.arange(n_gov), n_units)
    n_u = len(unit_gov)
    start = np.repeat(np.cumsum(n_units) - n_units, n_units)
    seq = np.arange(n_u) - start

    # unit types: secretariat and inspectorate first, then the kind's mix
    type_names = np.array(P.UNIT_TYPES, dtype=object)
    kinds = ("provinsi", "kabupaten", "kota")
    cum = np.zeros((3, len(P.UNIT_TYPES)))
    for i, k in enumerate(kinds):
        p = np.array([P.TYPE_MIX[k].get(t, 0.0) for t in P.UNIT_TYPES])
        cum[i] = np.cumsum(p / p.sum())
    cum[:, -1] = 1.0
    kind_idx = (
        pd.Series(kind).map({k: i for i, k in enumerate(kinds)}).to_numpy(dtype=int)[unit_gov]
    )
    u = rng.random(n_u)
    t_idx = (u[:, None] >= cum[kind_idx]).sum(axis=1)
    t_idx = np.where(seq == 0, 0, np.where(seq == 1, 1, t_idx))
    utype = type_names[t_idx]

    med = np.array([P.HEADCOUNT_MEDIAN[t] for t in P.UNIT_TYPES])[t_idx]
    headcount = np.maximum(6, np.round(med * np.exp(P.HEADCOUNT_LOG_SD * rng.standard_normal(n_u))))
    headcount = headcount.astype(np.int64)
    pf_p = np.array([P.PUBLIC_FACING_P[t] for t in P.UNIT_TYPES])[t_idx]
    public = rng.random(n_u) < pf_p

    # names: numbered within (government, type)
    frame = pd.DataFrame({"g": unit_gov, "t": t_idx})
    rank = frame.groupby(["g", "t"], sort=False).cumcount().to_numpy()
    names = pd.Series(np.empty(n_u, dtype=object))
    is_dinas, is_badan = utype == "dinas", utype == "badan"
    for mask, pool in ((is_dinas, DINAS_NAMES), (is_badan, BADAN_NAMES)):
        r = rank[mask]
        wrap = pd.Series(r // len(pool) + 1).astype(str)
        suffix = np.where(r >= len(pool), " " + wrap.to_numpy(dtype=object), "")
        names[mask] = pool[r % len(pool)] + suffix
    other = ~(is_dinas | is_badan)
    prefix = pd.Series(utype[other]).map(TYPE_PREFIX).to_numpy(dtype=object)
    num = pd.Series(rank[other] + 1).astype(str).str.zfill(2).to_numpy(dtype=object)
    single = np.isin(utype[other], ["sekretariat", "inspektorat"])
    names[other] = np.where(single, prefix, prefix + " " + num)
    unit_code = "U" + pd.Series(seq + 1).astype(str).str.zfill(3)

    # programme cohorts: whole-government and unit programmes
    cohorts = np.array([2023, 2024, 2025, 0])
    if scale.name == "demo":
        gov_cohort = govs["code"].map(P.DEMO_GOV_COHORTS).fillna(0).to_numpy().astype(int)
        _ = rng.random(n_gov)  # keep the stream aligned with the other scales
    else:
        gov_cohort = cohorts[_cat(rng, params.gov_cohort_p, n_gov)]
    gov_cohort = np.where(govs["code"].to_numpy() == P.PASURUAN_CODE, 2023, gov_cohort)
    unit_cohort = cohorts[_cat(rng, params.unit_cohort_p, n_u)]
    gc = gov_cohort[unit_gov]
    both = np.where(gc == 0, 9999, gc), np.where(unit_cohort == 0, 9999, unit_cohort)
    first = np.minimum(*both)
    first = np.where(first == 9999, 0, first)

    gov_effect = _mvn(rng, n_gov, params.var_gov, params.corr("gov"))
    unit_effect = _mvn(rng, n_u, params.var_unit, params.corr("unit"))
    skm_unit = params.skm_unit_sd * rng.standard_normal(n_u)

    lo, hi = scale.resp_clip
    m = np.clip(scale.resp_rate * headcount, lo, hi)
    n_resp = rng.poisson(np.repeat(m[:, None], N_WAVES, axis=1))
    n_resp = np.minimum(headcount[:, None], np.maximum(n_resp, 3))
    n_skm = np.maximum(scale.skm_min, rng.poisson(scale.skm_mean, (n_u, N_WAVES)))
    n_skm = np.where(public[:, None], n_skm, 0)

    govs = govs.assign(gov_cohort=gov_cohort, n_units=n_units)
    units = pd.DataFrame(
        {
            "gov_code": pd.array(govs["code"].to_numpy()[unit_gov], dtype="string"),
            "unit_code": pd.array(unit_code.to_numpy(), dtype="string"),
            "unit_name": pd.array(names.to_numpy(), dtype="string"),
            "unit_type": pd.array(utype, dtype="string"),
            "headcount": pd.array(headcount, dtype="Int64"),
            "public_facing": pd.array(public, dtype="boolean"),
        }
    )
    return Structure(
        govs, unit_gov, units, first, unit_cohort, gov_effect, unit_effect, skm_unit, n_resp, n_skm
    )


# ---------------------------------------------------------------------------
# programmes
# ---------------------------------------------------------------------------

STAGE_OF_KIND = {
    "penghargaan": next(s.number for s in STAGES if s.name_en == "Rewards and recognition")
}
"""Kinds that are a stage of their own in framework.STAGES, whatever year they fall in."""
KIND_BY_STAGE = {
    1: ("internalisasi", "aktivasi", "komitmen"),
    4: ("pelatihan", "agen_perubahan"),
    7: ("penghargaan", "pelatihan"),
}
HOURS = {"internalisasi": 4.0, "aktivasi": 8.0, "komitmen": 2.0, "agen_perubahan": 24.0,
         "penghargaan": 0.0}  # fmt: skip
TRAINING_HOURS = np.array([16.0, 24.0, 32.0, 40.0])


def _events_for(rng, cohort, years_last, n_entities):
    """Expand entities with a cohort into one event per year from cohort to the last wave."""
    has = cohort > 0
    idx = np.flatnonzero(has)
    n_ev = years_last - cohort[idx] + 1
    ent = np.repeat(idx, n_ev)
    k = np.arange(len(ent)) - np.repeat(np.cumsum(n_ev) - n_ev, n_ev)
    year = cohort[ent] + k
    stage = np.minimum(7, 1 + 3 * k)
    kind = np.empty(len(ent), dtype=object)
    for st, options in KIND_BY_STAGE.items():
        m = stage == st
        kind[m] = np.array(options, dtype=object)[rng.integers(0, len(options), m.sum())]
    # A reward is the stage framework.STAGES names "rewards and recognition" (6), not the
    # follow-up year's stage 7; set after the draw so the random stream is unchanged.
    stage = np.where(kind == "penghargaan", STAGE_OF_KIND["penghargaan"], stage)
    hours = pd.Series(kind).map(HOURS).to_numpy(dtype=float, copy=True)
    train = kind == "pelatihan"
    hours[train] = TRAINING_HOURS[rng.integers(0, 4, train.sum())]
    month = rng.integers(1, 8, len(ent))
    day = rng.integers(1, 29, len(ent))
    return ent, year, stage, kind, hours, month, day


def build_interventions(st: Structure, params: P.Params, seed: int) -> pd.DataFrame:
    """Programme events: whole-government and unit events, one per year from the cohort year.

    The first event of a cohort is stage 1 (internalisation, activation or
    commitment signing) and falls in January-July of the cohort year, before
    the culture survey's fieldwork (August-October); follow-up events move to
    stage 4 and stage 7. Effects on culture depend only on the first event's
    year (the cohort) and the time since it (see ``Params.effect``).
    """
    rng = np.random.default_rng([seed, 12])
    last = P.WAVES[-1]
    codes = st.govs["code"].to_numpy()
    headcount = st.units["headcount"].to_numpy(dtype=np.int64)

    g_ent, g_year, g_stage, g_kind, g_hours, g_month, g_day = _events_for(
        rng, st.govs["gov_cohort"].to_numpy(), last, len(codes)
    )
    gov_head = np.bincount(st.unit_gov, weights=headcount, minlength=len(codes))
    g_part = np.round(gov_head[g_ent] * rng.uniform(0.1, 0.3, len(g_ent))).astype(np.int64)
    # Kota Pasuruan's first event is the 15 May 2023 activation workshop.
    pas = (codes[g_ent] == P.PASURUAN_CODE) & (g_year == 2023)
    g_kind[pas], g_hours[pas], g_month[pas], g_day[pas] = "aktivasi", 8.0, 5, 15

    u_ent, u_year, u_stage, u_kind, u_hours, u_month, u_day = _events_for(
        rng, st.unit_cohort, last, len(st.unit_gov)
    )
    u_part = np.round(headcount[u_ent] * rng.uniform(0.5, 1.0, len(u_ent))).astype(np.int64)

    gov_of = np.concatenate([codes[g_ent], codes[st.unit_gov[u_ent]]])
    unit_of = np.concatenate(
        [
            np.full(len(g_ent), None, dtype=object),
            st.units["unit_code"].to_numpy(dtype=object)[u_ent],
        ]
    )
    year = np.concatenate([g_year, u_year])
    month = np.concatenate([g_month, u_month])
    day = np.concatenate([g_day, u_day])
    dates = pd.to_datetime(
        pd.DataFrame({"year": year, "month": month, "day": day}), errors="raise"
    ).astype("datetime64[ns]")
    ev = pd.DataFrame(
        {
            "gov_code": pd.array(gov_of, dtype="string"),
            "unit_code": pd.array(unit_of, dtype="string"),
            "date": dates,
            "kind": pd.array(np.concatenate([g_kind, u_kind]), dtype="string"),
            "stage": pd.array(np.concatenate([g_stage, u_stage]), dtype="Int64"),
            "hours": np.concatenate([g_hours, u_hours]),
            "participants": pd.array(np.concatenate([g_part, u_part]), dtype="Int64"),
        }
    )
    ev = ev.sort_values(["gov_code", "date", "unit_code"], na_position="first", kind="stable")
    ev = ev.reset_index(drop=True)
    ev.insert(0, "event_id", pd.array("KG" + pd.Series(np.arange(1, len(ev) + 1)).astype(str)
                                      .str.zfill(6), dtype="string"))  # fmt: skip
    return ev


# ---------------------------------------------------------------------------
# culture and satisfaction, one chunk of governments at a time
# ---------------------------------------------------------------------------


def chunks(st: Structure, max_rows: int) -> list[tuple[int, int]]:
    """Consecutive government ranges [g0, g1) holding at most ~max_rows respondents."""
    per_gov = np.bincount(st.unit_gov, weights=st.n_resp.sum(axis=1), minlength=len(st.govs))
    out, g0, acc = [], 0, 0.0
    for g, n in enumerate(per_gov):  # loop over governments (552 at most), not units
        if acc + n > max_rows and g > g0:
            out.append((g0, g))
            g0, acc = g, 0.0
        acc += n
    out.append((g0, len(per_gov)))
    return out


def _scores(y: np.ndarray, answered: np.ndarray) -> np.ndarray:
    """Respondent scores (n, 8): seven value means of (x-1)*25 over answered items, then overall."""
    n = len(y)
    s = np.where(answered, (y.astype(np.float32) - 1.0) * 25.0, 0.0).reshape(n, 7, 3)
    c = answered.reshape(n, 7, 3).sum(axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        v = s.sum(axis=2) / c
    v = np.where(c > 0, v, np.nan)
    ok = ~np.isnan(v)
    with np.errstate(invalid="ignore", divide="ignore"):
        overall = np.where(ok, v, 0).sum(axis=1) / ok.sum(axis=1)
    return np.column_stack([v, overall])


def _segment_mean(x: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Column means of x over consecutive row segments of the given (positive) sizes, NaN ignored.

    Rows are stored unit-wave by unit-wave, so a unit-wave is a contiguous
    segment and one ``np.add.reduceat`` pass aggregates all of them.
    """
    starts = np.cumsum(sizes) - sizes
    ok = ~np.isnan(x)
    s = np.add.reduceat(np.where(ok, x, 0.0), starts, axis=0)
    c = np.add.reduceat(ok.astype(np.int32), starts, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(c > 0, s / c, np.nan)


def _likert(ystar: np.ndarray, tau: np.ndarray) -> np.ndarray:
    y = np.ones(ystar.shape, dtype=np.int8)
    for k in range(tau.shape[1]):  # four thresholds
        y += ystar > tau[:, k]
    return y


def _fav_scores(fav: np.ndarray, answered: np.ndarray) -> np.ndarray:
    """Respondent favourable scores (n, 7): share of the value's answered items that are 4 or 5."""
    n = len(fav)
    f = (fav & answered).reshape(n, 7, 3).sum(axis=2)
    a = answered.reshape(n, 7, 3).sum(axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(a > 0, f / a, np.nan)


def _weighted_percent(scores: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted mean of respondent scores per value, in percent (respondents with a score)."""
    ok = ~np.isnan(scores)
    return (np.where(ok, scores, 0) * w[:, None]).sum(axis=0) / (ok * w[:, None]).sum(axis=0) * 100


def _calibrate_shift(ystar, answered, w, lam, iv, tau3, target):
    """Latent shift per value so the realised weighted percent favourable equals ``target``.

    Bisection, vectorised over the seven values; the percent favourable is the
    definition of :func:`_published_culture` (weighted respondent scores).
    """
    lo = np.full(7, -3.0)
    hi = np.full(7, 3.0)
    for _ in range(40):  # bisection steps
        mid = (lo + hi) / 2
        share = _weighted_percent(_fav_scores((ystar + lam * mid[iv]) > tau3, answered), w)
        low = share < target
        lo = np.where(low, mid, lo)
        hi = np.where(low, hi, mid)
    return (lo + hi) / 2


@dataclass
class ChunkResult:
    culture: dict  # column -> array (canonical names; items int8 with 0 = missing)
    skm: dict
    unit_waves: pd.DataFrame
    pub_culture: pd.DataFrame
    pub_ikm: pd.DataFrame
    pasuruan_shift: np.ndarray | None


def simulate_chunk(
    st: Structure, params: P.Params, g0: int, g1: int, seed: int, chunk_no: int,
    resp_offset: int, skm_offset: int,
) -> ChunkResult:  # fmt: skip
    """Culture and SKM microdata, potential outcomes and published figures for governments g0..g1."""
    rng = np.random.default_rng([seed, 13, chunk_no])
    units = np.flatnonzero((st.unit_gov >= g0) & (st.unit_gov < g1))
    u0, u1 = units[0], units[-1] + 1
    n_cu = u1 - u0
    # unit-waves
    uw_unit = np.repeat(np.arange(u0, u1), N_WAVES)
    uw_w = np.tile(np.arange(N_WAVES), n_cu)
    uw_wave = WAVES[uw_w]
    uw_n = st.n_resp[u0:u1].ravel()
    ft = st.first_treated[uw_unit]
    treated = (ft > 0) & (uw_wave >= ft)
    e = np.where(ft > 0, uw_wave - ft, -999)
    delta = params.effect(ft, e)
    n_uw = len(uw_unit)

    # respondents
    r = np.repeat(np.arange(n_uw), uw_n)
    n = len(r)
    r_unit = uw_unit[r]
    r_gov = st.unit_gov[r_unit]
    headcount = st.units["headcount"].to_numpy(dtype=np.float64)
    uw_weight = np.round(headcount[uw_unit] / np.maximum(uw_n, 1), 4)  # the survey weight
    r_weight = uw_weight[r]
    iv = params.item_value_index()
    lam = np.array(params.loadings, dtype=np.float32)
    psi = np.sqrt(1 - lam**2).astype(np.float32)
    tau = params.thresholds().astype(np.float32)
    w = np.array(params.value_weight, dtype=np.float32)

    chol_p = np.linalg.cholesky(params.corr("person")).T * np.sqrt(params.var_person)
    eta = rng.standard_normal((n, 7), dtype=np.float32) @ chol_p.astype(np.float32)
    eta += st.gov_effect[r_gov].astype(np.float32)
    eta += st.unit_effect[r_unit].astype(np.float32)
    eta += np.asarray(params.trend, dtype=np.float32)[uw_w[r]][:, None]
    eps = rng.standard_normal((n, 21), dtype=np.float32)
    ystar0 = eta[:, iv] * lam + psi * eps
    del eta, eps
    answered = rng.random((n, 21), dtype=np.float32) >= params.item_missing
    r_tr = treated[r]
    shift1 = (delta[r][r_tr, None].astype(np.float32) * w[iv]) * lam

    pas_shift = None
    codes = st.govs["code"].to_numpy()
    pas = np.flatnonzero(codes[g0:g1] == P.PASURUAN_CODE)
    if len(pas):
        pg = g0 + pas[0]
        target = np.array([P.PASURUAN_2023[v] for v in VALUE_CODES])
        rows = (r_gov == pg) & (uw_wave[r] == P.PASURUAN_WAVE)
        obs = ystar0[rows].copy()
        tr_rows = r_tr[rows]
        obs[tr_rows] += shift1[rows[r_tr]]
        pas_shift = _calibrate_shift(
            obs, answered[rows], r_weight[rows], lam, iv, tau[:, 2], target
        )
        ystar0[r_gov == pg] += lam * pas_shift[iv].astype(np.float32)

    y0 = _likert(ystar0, tau)
    y1t = _likert(ystar0[r_tr] + shift1, tau)
    del ystar0, shift1
    s0 = _scores(y0, answered)
    c0 = _segment_mean(s0, uw_n)
    c1 = c0.copy()
    tr_uw = np.flatnonzero(treated)
    if len(tr_uw):
        s1 = _scores(y1t, answered[r_tr])
        c1[tr_uw] = _segment_mean(s1, uw_n[tr_uw])
    y = y0
    y[r_tr] = y1t
    del y1t
    y[~answered] = 0
    c_obs = np.where(treated[:, None], c1, c0)

    # published culture: percent favourable per government and wave
    # weighted respondent scores; sums per unit-wave segment first, then to government-waves
    n_gw = (g1 - g0) * N_WAVES
    uw_gw = (st.unit_gov[uw_unit] - g0) * N_WAVES + uw_w
    starts = np.cumsum(uw_n) - uw_n
    fs = _fav_scores(y >= 4, answered)
    ok = ~np.isnan(fs)
    num_uw = np.add.reduceat(np.where(ok, fs, 0) * r_weight[:, None], starts, axis=0)
    den_uw = np.add.reduceat(ok * r_weight[:, None], starts, axis=0)
    n_ans = np.bincount(uw_gw, weights=uw_n, minlength=n_gw).astype(np.int64)
    val = np.empty((n_gw, 7))
    for j in range(7):  # seven values, over unit-waves (not respondents)
        num = np.bincount(uw_gw, weights=num_uw[:, j], minlength=n_gw)
        den = np.bincount(uw_gw, weights=den_uw[:, j], minlength=n_gw)
        with np.errstate(invalid="ignore", divide="ignore"):
            val[:, j] = num / den * 100
    pub_c = pd.DataFrame(val, columns=list(VALUE_CODES))
    pub_c.insert(0, "overall", val.mean(axis=1))
    pub_c.insert(0, "wave", np.tile(WAVES, g1 - g0))
    pub_c.insert(0, "gov_code", np.repeat(codes[g0:g1], N_WAVES))
    pub_c["respondents"] = n_ans
    pub_c = pub_c[pub_c["respondents"] > 0]

    # culture microdata columns
    offs = rng.integers(0, 92, n)
    resp_date = (
        (WAVES[uw_w[r]] - 1970).astype("datetime64[Y]").astype("datetime64[D]")
        + np.timedelta64(212, "D")  # 1 August (31 July in leap years; fieldwork opens)
        + offs.astype("timedelta64[D]")
    )
    culture = {
        "respondent_id_num": resp_offset + np.arange(1, n + 1),
        "wave": uw_wave[r],
        "gov_idx": r_gov,
        "unit_idx": r_unit,
        "response_date": resp_date,
        "items": y,
        "sex": _cat(rng, (0.52, 0.48), n),
        "age_group": _cat(rng, AGE_ASN_P, n),
        "employment_type": _cat(rng, (0.85, 0.15), n),
        "weight": r_weight,
    }

    # SKM: public-facing unit-waves
    b = np.array(params.ikm_on_culture)
    alpha = np.array(params.skm_alpha)
    lo, hi = params.q_clip

    def q_of(c: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        cv = np.nan_to_num(c[:, :7], nan=params.culture_centre) - params.culture_centre
        lin = (cv @ b) / 75.0 + st.skm_unit[uw_unit] + np.asarray(params.skm_period)[uw_w]
        lin = lin + params.direct_effect_q * d
        raw = alpha[None, :] + lin[:, None]
        return np.clip(raw, lo, hi), raw

    q_obs, raw_obs = q_of(c_obs, treated.astype(float))
    q0, _ = q_of(c0, np.zeros(n_uw))
    q1, _ = q_of(c1, np.ones(n_uw))
    eikm0 = 25 + 75 * q0.mean(axis=1)
    eikm1 = 25 + 75 * q1.mean(axis=1)
    eikm_obs = 25 + 75 * q_obs.mean(axis=1)
    clipped = ((raw_obs < lo) | (raw_obs > hi)).any(axis=1)

    n_skm = st.n_skm[u0:u1].ravel()
    sr = np.repeat(np.arange(n_uw), n_skm)
    ns = len(sr)
    ans = (1 + rng.binomial(3, q_obs[sr])).astype(np.int8)
    ans_ok = rng.random((ns, 9), dtype=np.float32) >= params.skm_missing
    ans[~ans_ok] = 0
    s_offs = rng.integers(0, 340, ns)
    s_date = (
        (WAVES[uw_w[sr]] - 1970).astype("datetime64[Y]").astype("datetime64[D]")
        + np.timedelta64(10, "D")
        + s_offs.astype("timedelta64[D]")
    )
    utypes = st.units["unit_type"].to_numpy(dtype=object)[uw_unit[sr]]
    svc_idx = rng.integers(0, 6, ns)
    service = np.empty(ns, dtype=object)
    for t, opts in SERVICES.items():  # eight unit types
        m = utypes == t
        service[m] = np.array(opts, dtype=object)[svc_idx[m] % len(opts)]
    svc_code = np.searchsorted(np.array(SERVICE_LIST, dtype=object), service).astype(np.int8)
    skm = {
        "response_id_num": skm_offset + np.arange(1, ns + 1),
        "period": uw_wave[sr],
        "gov_idx": st.unit_gov[uw_unit[sr]],
        "unit_idx": uw_unit[sr],
        "response_date": s_date,
        "service": svc_code,
        "items": ans,
        "sex": _cat(rng, (0.48, 0.52), ns),
        "age_group": _cat(rng, AGE_SKM_P, ns),
        "education": _cat(rng, EDUCATION_P, ns),
        "occupation": _cat(rng, OCCUPATION_P, ns),
    }

    # published IKM per unit and per government (pooled responses), from the microdata
    nrr_u = np.empty((n_uw, 9))
    gp = st.unit_gov[uw_unit[sr]] - g0
    gpw = gp * N_WAVES + uw_w[sr]
    nrr_g = np.empty((n_gw, 9))
    for k in range(9):  # nine elements
        ok = ans[:, k] > 0
        su = np.bincount(sr, weights=np.where(ok, ans[:, k], 0), minlength=n_uw)
        cu = np.bincount(sr, weights=ok, minlength=n_uw)
        sg = np.bincount(gpw, weights=np.where(ok, ans[:, k], 0), minlength=n_gw)
        cg = np.bincount(gpw, weights=ok, minlength=n_gw)
        with np.errstate(invalid="ignore", divide="ignore"):
            nrr_u[:, k] = su / cu
            nrr_g[:, k] = sg / cg
    ikm_u = nrr_u.mean(axis=1) * 25
    ikm_g = nrr_g.mean(axis=1) * 25
    n_g = np.bincount(gpw, minlength=n_gw)
    unit_codes = st.units["unit_code"].to_numpy(dtype=object)
    has = n_skm > 0
    pub_i = pd.concat(
        [
            pd.DataFrame({
                "gov_code": codes[st.unit_gov[uw_unit[has]]], "unit_code": unit_codes[uw_unit[has]],
                "period": uw_wave[has], "ikm": ikm_u[has], "respondents": n_skm[has],
            }),
            pd.DataFrame({
                "gov_code": np.repeat(codes[g0:g1], N_WAVES), "unit_code": None,
                "period": np.tile(WAVES, g1 - g0), "ikm": ikm_g, "respondents": n_g,
            })[n_g > 0],
        ],
        ignore_index=True,
    )  # fmt: skip

    uwf = pd.DataFrame(
        {
            "gov_code": codes[st.unit_gov[uw_unit]],
            "unit_code": unit_codes[uw_unit],
            "wave": uw_wave,
            "first_treated": ft,
            "treated": treated,
            "event_time": np.where(ft > 0, uw_wave - ft, np.nan),
            "latent_effect": delta,
            "n_resp": uw_n,
            "public_facing": n_skm > 0,
            "n_skm": n_skm,
        }
    )
    # Model-based unit truth: the expected observed index of the unit-wave given its
    # latent effects (what infinitely many of its respondents would give), mean scoring.
    gov_eff = st.gov_effect[g0:g1].copy()
    if pas_shift is not None:
        gov_eff[pas[0]] += pas_shift  # Kota Pasuruan's calibrated effect applies to every wave
    b_uw = gov_eff[st.unit_gov[uw_unit] - g0] + st.unit_effect[uw_unit]
    b_uw += np.asarray(params.trend)[uw_w][:, None]
    b_uw += np.where(treated, delta, 0.0)[:, None] * np.asarray(params.value_weight)
    expected = expected_value_scores(b_uw, params, "mean")
    expected = np.column_stack([expected, expected.mean(axis=1)])
    for j, v in enumerate([*VALUE_CODES, "overall"]):
        uwf[f"y0_{v}"] = c0[:, j]
        uwf[f"y1_{v}"] = np.where(treated, c1[:, j], np.nan)
        uwf[f"culture_{v}"] = c_obs[:, j]
    for j, v in enumerate([*VALUE_CODES, "overall"]):
        uwf[f"expected_culture_{v}"] = expected[:, j]
    pf = n_skm > 0
    uwf["eikm0"] = np.where(pf, eikm0, np.nan)
    uwf["eikm1"] = np.where(pf & treated, eikm1, np.nan)
    uwf["eikm"] = np.where(pf, eikm_obs, np.nan)
    uwf["ikm_sample"] = np.where(pf, ikm_u, np.nan)
    uwf["q_clipped"] = pf & clipped
    uwf["skm_unit_effect"] = st.skm_unit[uw_unit]
    # Truth of the residual variance of a citizen-level satisfaction model (binomial answers).
    uwf["skm_var_within"] = np.where(pf, satisfaction_within_variance(q_obs, params.skm_missing),
                                     np.nan)  # fmt: skip
    return ChunkResult(culture, skm, uwf, pub_c, pub_i, pas_shift)
