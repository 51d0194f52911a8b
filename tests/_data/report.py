"""TEST FIXTURE: a small, seeded results folder shaped like the results-store contract.

The tables are computed by plain pandas code from random respondent data so the
report tests can run before (and independently of) the real measurement and
model pipeline. The numbers mean nothing; only the shapes, keys, suppression
flags and the adversarial unit name (HTML in it) matter. Nothing here is used
by the package.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from berakhlak_research import framework as fw
from berakhlak_research import regions, store

__all__ = ["make_results", "GOVS", "XSS_NAME", "MIN_GROUP"]

GOVS = ("35.75", "35.14", "35.73", "32.73", "33.74", "35")
WAVES = (2023, 2024)
MIN_GROUP = 10
XSS_NAME = '<script>alert("x")</script> Dinas & "Kominfo"'
Z = 1.959963984540054


def _p(z) -> np.ndarray:
    """Two-sided normal p-value (math.erfc; avoids importing scipy.stats in a fixture)."""
    z = np.abs(np.asarray(z, dtype="float64"))
    return np.array([math.erfc(x / math.sqrt(2)) if x == x else np.nan for x in z])


def _responses(rng: np.random.Generator, govs=GOVS) -> tuple[pd.DataFrame, pd.DataFrame]:
    units = []
    for g in govs:
        k = 5
        codes = [f"U{i:02d}" for i in range(1, k + 1)]
        names = [f"Dinas {i} {regions.name_of(g)}" for i in range(1, k + 1)]
        if g == govs[0]:
            names[1] = XSS_NAME
        size = rng.integers(14, 40, k)
        size[-1] = 4  # a unit below the threshold in every government
        units.append(
            pd.DataFrame(
                {
                    "gov_code": g,
                    "unit_code": codes,
                    "unit_name": names,
                    "unit_type": "dinas",
                    "headcount": size * 3,
                    "public_facing": [True, True, True, False, True],
                    "size": size,
                }
            )
        )
    units = pd.concat(units, ignore_index=True)
    rows = units.loc[units.index.repeat(units["size"])].reset_index(drop=True)
    rows = pd.concat([rows.assign(wave=w) for w in WAVES], ignore_index=True)
    n = len(rows)
    effect = rng.normal(0, 0.4, len(units))
    base = pd.Series(effect, index=units["gov_code"] + "/" + units["unit_code"])
    mu = 3.3 + base.loc[rows["gov_code"] + "/" + rows["unit_code"]].to_numpy()
    mu = mu + 0.15 * (rows["wave"].to_numpy() - WAVES[0])
    items = np.clip(np.rint(mu[:, None] + rng.normal(0, 0.9, (n, 21))), 1, 5).astype("int8")
    resp = pd.DataFrame(items, columns=list(fw.BEHAVIOUR_CODES))
    resp.insert(0, "respondent_id", [f"RSP-{i:07d}" for i in range(n)])
    resp.insert(1, "gov_code", rows["gov_code"].to_numpy())
    resp.insert(2, "unit_code", rows["unit_code"].to_numpy())
    resp.insert(3, "wave", rows["wave"].to_numpy())
    return units.drop(columns="size"), resp


def _scores(resp: pd.DataFrame) -> pd.DataFrame:
    """Long respondent scores: one row per respondent, value and scoring."""
    items = resp[list(fw.BEHAVIOUR_CODES)].astype("float64")
    mean = (items - 1) / 4 * 100
    fav = (items >= 4).astype("float64") * 100
    out = []
    for scoring, sc in (("mean", mean), ("favourable", fav)):
        vals = pd.DataFrame({v: sc[list(fw.behaviours_of(v))].mean(axis=1) for v in fw.VALUE_CODES})
        vals["overall"] = vals[list(fw.VALUE_CODES)].mean(axis=1)
        long = vals.assign(scoring=scoring, **resp[["gov_code", "unit_code", "wave"]]).melt(
            id_vars=["gov_code", "unit_code", "wave", "scoring"], var_name="value", value_name="x"
        )
        out.append(long)
    return pd.concat(out, ignore_index=True)


def _summarise(long: pd.DataFrame, keys: list[str], col: str = "x") -> pd.DataFrame:
    g = long.groupby(keys, as_index=False, observed=True)[col].agg(["mean", "std", "count"])
    g = g.rename(columns={"mean": "estimate", "count": "n"})
    g["se"] = g.pop("std") / np.sqrt(g["n"])
    g["ci_low"] = g["estimate"] - Z * g["se"]
    g["ci_high"] = g["estimate"] + Z * g["se"]
    return g


def _categorise(df: pd.DataFrame) -> pd.DataFrame:
    bands = [fw.culture_category(float(x)) if pd.notna(x) else None for x in df["estimate"]]
    df["category"] = [b.code if b else pd.NA for b in bands]
    df["category_label_id"] = [b.label_id if b else pd.NA for b in bands]
    df["category_label_en"] = [b.label_en if b else pd.NA for b in bands]
    df["category_confirmed"] = [b.confirmed if b else pd.NA for b in bands]
    return df


def _suppress(df: pd.DataFrame) -> pd.DataFrame:
    small = df["n"] < MIN_GROUP
    df["suppressed"] = small
    df["suppression_reason"] = np.where(small, f"n < {MIN_GROUP}", "")
    df.loc[small, ["estimate", "se", "ci_low", "ci_high"]] = np.nan
    return df


def _culture_index(long: pd.DataFrame) -> pd.DataFrame:
    long = long.assign(province=long["gov_code"].str[:2])
    parts = []
    for level, keys in (
        ("unit", ["gov_code", "unit_code"]),
        ("government", ["gov_code"]),
        ("province", ["province"]),
        ("national", []),
    ):
        s = _summarise(long, [*keys, "wave", "value", "scoring"])
        s["aggregation"] = level
        if level == "province":
            s = s.rename(columns={"province": "gov_code"})
        parts.append(s)
    out = pd.concat(parts, ignore_index=True)
    out["gov_code"] = out["gov_code"].astype("string")
    out["unit_code"] = out.get("unit_code").astype("string")
    out = _suppress(_categorise(out))
    cols = ["aggregation", "gov_code", "unit_code", "wave", "value", "scoring", "estimate", "se"]
    cols += ["ci_low", "ci_high", "n", "category", "category_label_id", "category_label_en"]
    cols += ["category_confirmed", "suppressed", "suppression_reason"]
    return out[cols]


def _culture_behaviour(resp: pd.DataFrame) -> pd.DataFrame:
    long = resp.melt(
        id_vars=["gov_code", "unit_code", "wave"],
        value_vars=list(fw.BEHAVIOUR_CODES),
        var_name="behaviour",
        value_name="x",
    )
    long["x"] = (long["x"].astype("float64") - 1) / 4 * 100
    u = _summarise(long, ["gov_code", "unit_code", "wave", "behaviour"]).assign(aggregation="unit")
    g = _summarise(long, ["gov_code", "wave", "behaviour"]).assign(aggregation="government")
    out = pd.concat([u, g], ignore_index=True).assign(scoring="mean")
    return _suppress(_categorise(out))


def _benchmarks(ci: pd.DataFrame) -> pd.DataFrame:
    g = ci[(ci["aggregation"] == "government") & (ci["scoring"] == "mean")].copy()
    g["kind"] = g["gov_code"].map(regions.kind_of)
    keys = ["wave", "value"]
    g["rank_kind"] = g.groupby([*keys, "kind"])["estimate"].rank(ascending=False, method="min")
    g["n_kind"] = g.groupby([*keys, "kind"])["estimate"].transform("count")
    g["rank_national"] = g.groupby(keys)["estimate"].rank(ascending=False, method="min")
    g["n_national"] = g.groupby(keys)["estimate"].transform("count")
    g["peer_median_kind"] = g.groupby([*keys, "kind"])["estimate"].transform("median")
    g["peer_q75_kind"] = g.groupby([*keys, "kind"])["estimate"].transform(
        lambda s: s.quantile(0.75)
    )
    g["peer_median_national"] = g.groupby(keys)["estimate"].transform("median")
    g["peer_q75_national"] = g.groupby(keys)["estimate"].transform(lambda s: s.quantile(0.75))
    g = g.sort_values(["gov_code", "value", "wave"])
    prev = g.groupby(["gov_code", "value"])[["estimate", "se"]].shift(1)
    g["change"] = g["estimate"] - prev["estimate"]
    g["change_se"] = np.sqrt(g["se"] ** 2 + prev["se"] ** 2)
    g["change_ci_low"] = g["change"] - Z * g["change_se"]
    g["change_ci_high"] = g["change"] + Z * g["change_se"]
    g["change_p_value"] = _p(g["change"] / g["change_se"])
    cols = ["gov_code", "wave", "kind", "value", "estimate", "rank_kind", "n_kind"]
    cols += ["rank_national", "n_national", "peer_median_kind", "peer_q75_kind"]
    cols += ["peer_median_national", "peer_q75_national", "change", "change_se"]
    cols += ["change_ci_low", "change_ci_high", "change_p_value"]
    return g[cols].reset_index(drop=True)


def _ikm(rng: np.random.Generator, units: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    pf = units[units["public_facing"]]
    k = rng.integers(5, 60, len(pf))
    rows = pf.loc[pf.index.repeat(k)].reset_index(drop=True)
    rows = pd.concat([rows.assign(period=w) for w in WAVES], ignore_index=True)
    els = [e.code for e in fw.ikm_elements("2017")]
    ans = np.clip(np.rint(3.1 + rng.normal(0, 0.6, (len(rows), 9))), 1, 4)
    skm = pd.concat(
        [rows[["gov_code", "unit_code", "period"]], pd.DataFrame(ans, columns=els)], axis=1
    )
    long = skm.melt(id_vars=["gov_code", "unit_code", "period"], var_name="element", value_name="x")
    names = {e.code: (e.name_id, e.name_en) for e in fw.ikm_elements("2017")}
    parts = []
    for level, keys in (("unit", ["gov_code", "unit_code"]), ("government", ["gov_code"])):
        e = long.groupby([*keys, "period", "element"], as_index=False)["x"].agg(
            ["sum", "mean", "count"]
        )
        e = e.rename(columns={"sum": "total", "mean": "nrr", "count": "n"}).assign(
            aggregation=level
        )
        parts.append(e)
    el = pd.concat(parts, ignore_index=True)
    el["element_name_id"] = el["element"].map(lambda c: names[c][0])
    el["element_name_en"] = el["element"].map(lambda c: names[c][1])
    el["nrr_weighted"] = el["nrr"] / 9
    el["nrr_x25"] = el["nrr"] * 25
    el["band"] = [fw.ikm_band(x).code for x in el["nrr_x25"]]
    keys = ["aggregation", "gov_code", "unit_code", "period"]
    el["unit_code"] = el["unit_code"].astype("string")
    per = long.groupby(["gov_code", "unit_code", "period"], as_index=False)["x"].agg(
        ["mean", "std"]
    )
    ik = el.groupby(keys, as_index=False, dropna=False).agg(
        ikm_interval=("nrr_weighted", "sum"), n=("n", "max")
    )
    ik["estimate"] = ik["ikm_interval"] * 25
    ik["se"] = 25 * per["std"].mean() / np.sqrt(ik["n"] * 9)
    ik["ci_low"] = ik["estimate"] - Z * ik["se"]
    ik["ci_high"] = ik["estimate"] + Z * ik["se"]
    bands = [fw.ikm_band(x) for x in ik["estimate"]]
    ik["band"] = [b.code for b in bands]
    ik["band_label_id"] = [b.label_id for b in bands]
    ik["band_label_en"] = [b.label_en for b in bands]
    ik["method_version"] = "2017"
    ik = _suppress(ik)
    ik.loc[ik["suppressed"], "ikm_interval"] = np.nan
    return ik, el


def _events(units: pd.DataFrame) -> pd.DataFrame:
    govs = list(GOVS[:4])
    return pd.DataFrame(
        {
            "event_id": [f"EV{i:03d}" for i in range(len(govs) * 2)],
            "gov_code": [g for g in govs for _ in range(2)],
            "unit_code": pd.array([pd.NA, "U01"] * len(govs), dtype="string"),
            "date": pd.to_datetime(["2023-05-15", "2024-02-01"] * len(govs)),
            "kind": ["aktivasi", "internalisasi"] * len(govs),
            "stage": pd.array([1, 4] * len(govs), dtype="Int64"),
            "hours": [8.0, 16.0] * len(govs),
            "participants": pd.array([120, 35] * len(govs), dtype="Int64"),
        }
    )


def _psychometrics(resp: pd.DataFrame) -> dict[str, pd.DataFrame]:
    # per government and pooled over all data (gov_code NA, as the contract says)
    resp = pd.concat([resp, resp.assign(gov_code="__all__")], ignore_index=True)
    rel, it = [], []
    for v in fw.VALUE_CODES:
        cols = list(fw.behaviours_of(v))
        x = resp[["gov_code", "wave", *cols]].copy()
        x[cols] = x[cols].astype("float64")
        x["total"] = x[cols].sum(axis=1)
        g = x.groupby(["gov_code", "wave"])
        item_var = g[cols].var().sum(axis=1)
        tot_var = g["total"].var()
        alpha = 3 / 2 * (1 - item_var / tot_var)
        n = g.size()
        rel.append(
            pd.DataFrame(
                {"alpha": alpha, "alpha_ci_low": alpha - 0.1, "alpha_ci_high": alpha + 0.05,
                 "omega": alpha + 0.01, "n": n, "value": v}
            ).reset_index()
        )  # fmt: skip
        for c in cols:
            x["rest"] = x["total"] - x[c]
            r = x.groupby(["gov_code", "wave"])[[c, "rest"]].corr().xs(c, level=2)["rest"]
            it.append(
                r.rename("r_corrected").reset_index().assign(value=v, behaviour=c, n=n.values)
            )
    rel = pd.concat(rel, ignore_index=True)
    item = pd.concat(it, ignore_index=True)
    gw = resp.groupby(["gov_code", "wave"]).size().rename("n").reset_index()
    fit = gw.assign(chi2=300.0, df=168, p_value=0.001, cfi=0.95, tli=0.94, rmsea=0.05, srmr=0.04)
    load = item.rename(columns={"r_corrected": "estimate"}).assign(se=0.05)
    for df in (rel, item, fit, load):
        df["gov_code"] = df["gov_code"].astype("string").replace("__all__", pd.NA)
    return {"reliability": rel, "item_total": item, "cfa_fit": fit, "cfa_loadings": load}


def _models(ci: pd.DataFrame, ik: pd.DataFrame, units: pd.DataFrame) -> dict[str, pd.DataFrame]:
    rows = []
    for est, shift in (("staggered_att", 0.0), ("twfe", -0.8)):
        rows.append(
            dict(aggregation="overall", cohort=pd.NA, event_time=pd.NA, estimate=3.0 + shift)
        )
        rows += [
            dict(
                aggregation="event_time",
                cohort=pd.NA,
                event_time=e,
                estimate=(e >= 0) * (2 + e) + shift,
            )
            for e in range(-2, 2)
        ]
        rows += [
            dict(aggregation="cohort", cohort=c, event_time=pd.NA, estimate=2.5 + shift)
            for c in (2023, 2024)
        ]
        for r in rows[-7:]:
            r["estimator"] = est
    did = pd.DataFrame(rows)
    did["se"] = 0.7
    did["ci_low"] = did["estimate"] - Z * did["se"]
    did["ci_high"] = did["estimate"] + Z * did["se"]
    did["p_value"] = _p(did["estimate"] / did["se"])
    # Six governments: the pipeline clusters the unit panel by unit (models.did).
    did = did.assign(outcome="culture_overall", time=pd.NA, n=120, panel="unit", cluster="unit")
    pre = pd.DataFrame({"outcome": ["culture_overall"], "panel": ["unit"], "statistic": [1.2],
                        "df": [2], "p_value": [0.55]})  # fmt: skip
    u = ci[(ci["aggregation"] == "unit") & (ci["value"] == "overall") & (ci["scoring"] == "mean")]
    g = ci[
        (ci["aggregation"] == "government") & (ci["value"] == "overall") & (ci["scoring"] == "mean")
    ]
    ue = u.merge(g[["gov_code", "wave", "estimate"]], on=["gov_code", "wave"], suffixes=("", "_g"))
    # unit effects are relative to the government mean; withheld units keep NaN
    ue["estimate"] = ue["estimate"] - ue["estimate_g"]
    ue = ue.assign(outcome="culture_overall")[
        ["gov_code", "unit_code", "wave", "outcome", "estimate", "se", "ci_low", "ci_high", "n"]
    ]
    ue["ci_low"] = ue["estimate"] - Z * ue["se"]
    ue["ci_high"] = ue["estimate"] + Z * ue["se"]
    var = pd.DataFrame({"component": ["gov", "unit", "person"], "estimate": [20.0, 35.0, 300.0]})
    var["icc"] = var["estimate"] / var["estimate"].sum()
    paths = pd.DataFrame({"path": ["a", "b", "direct", "indirect", "total"],
                          "estimate": [2.0, 0.3, 0.5, 0.6, 1.1]})  # fmt: skip
    paths = paths.assign(se=0.2, n=150)
    paths["ci_low"] = paths["estimate"] - Z * 0.2
    paths["ci_high"] = paths["estimate"] + Z * 0.2
    paths["p_value"] = _p(paths["estimate"] / 0.2)
    # the shape the pipeline writes: a primary within-unit model and a lagged check
    link = pd.concat([
        pd.DataFrame({"value": ["overall", *fw.VALUE_CODES]}).assign(
            estimate=np.linspace(0.1, 0.4, 8), se=0.1, n=150, model="within_unit"),
        pd.DataFrame({"value": ["overall", *fw.VALUE_CODES]}).assign(
            estimate=np.linspace(-0.2, 0.1, 8), se=0.1, n=100, model="within_unit_lag1"),
    ], ignore_index=True)  # fmt: skip
    link["ci_low"] = link["estimate"] - Z * 0.1
    link["ci_high"] = link["estimate"] + Z * 0.1
    link["p_value"] = _p(link["estimate"] / 0.1)
    gv = ci[
        (ci["aggregation"] == "government") & (ci["scoring"] == "mean") & (ci["value"] != "overall")
    ]
    ip = gv[gv["wave"] == WAVES[-1]][["gov_code", "value", "estimate"]].rename(
        columns={"value": "driver", "estimate": "performance"}
    )
    ip["importance"] = ip["driver"].map(
        dict(zip(fw.VALUE_CODES, np.linspace(0.05, 0.35, 7), strict=True))
    )
    hi_i = ip["importance"] >= ip["importance"].median()
    hi_p = ip["performance"] >= ip.groupby("gov_code")["performance"].transform("median")
    ip["quadrant"] = np.select(
        [hi_i & ~hi_p, hi_i & hi_p, ~hi_i & ~hi_p],
        ["concentrate_here", "keep_up", "low_priority"],
        "possible_overkill",
    )
    ip["priority_id"] = np.where(
        ip["quadrant"] == "concentrate_here", "Prioritas perbaikan", "Pertahankan"
    )
    ip["priority_en"] = np.where(ip["quadrant"] == "concentrate_here", "Improve first", "Keep up")
    names = {v.code: (v.name_id, v.name_en) for v in fw.VALUES}
    ip["driver_label_id"] = ip["driver"].map(lambda c: names[c][0])
    ip["driver_label_en"] = ip["driver"].map(lambda c: names[c][1])
    ip["target"] = "culture"
    # IKM elements as drivers of satisfaction (target "ikm"), as the pipeline writes them:
    # importances near 1/9 each, performance the element's NRR x 25
    el = [e for e in fw.IKM_ELEMENTS_2017]
    govs = ip["gov_code"].unique()
    ie = pd.DataFrame([(g, e.code, e.name_id, e.name_en) for g in govs for e in el],
                      columns=["gov_code", "driver", "driver_label_id", "driver_label_en"])  # fmt: skip
    ie["importance"] = np.tile(np.linspace(0.125, 0.098, len(el)), len(govs))
    ie["performance"] = np.tile(np.linspace(74.0, 86.0, len(el)), len(govs))
    ie["quadrant"] = np.where(ie["importance"] > 1 / 9, "concentrate_here", "possible_overkill")
    ie["priority_id"] = np.where(ie["quadrant"] == "concentrate_here", "Prioritas", "Pertahankan")
    ie["priority_en"] = np.where(ie["quadrant"] == "concentrate_here", "Top priority", "Maintain")
    ie["target"] = "ikm"
    ip = pd.concat([ip, ie], ignore_index=True)
    # bootstrap intervals as the pipeline writes them: wide for values, narrow for elements
    half = np.where(ip["target"] == "culture", 0.06, 0.008)
    ip["importance_ci_low"] = ip["importance"] - half
    ip["importance_ci_high"] = ip["importance"] + half
    ip["importance_p_value"] = 0.5
    kd = ip[["gov_code", "target", "driver", "importance"]].assign(
        share=lambda d: (
            d["importance"] / d.groupby(["gov_code", "target"])["importance"].transform("sum")
        )
    )
    return {
        "did_effects": did,
        "did_pretrend": pre,
        "unit_effects": ue,
        "multilevel_variance": var,
        "value_chain_paths": paths,
        "culture_ikm_link": link,
        "importance_performance": ip,
        "key_drivers": kd,
    }


def make_results(path: str | Path, seed: int = 0, n_govs: int | None = None) -> dict:
    """Write the fixture results folder; return what the tests need to know.

    ``n_govs`` adds regencies and cities (in code order) to the six default
    governments, for benchmarks.

    Returns
    -------
    dict
        ``results`` (path), ``govs`` (codes with results), ``respondent_ids``
        (every id the fixture generated), ``xss_name``, ``min_group``, ``waves``.
    """
    rng = np.random.default_rng(seed)
    path = Path(path)
    govs = GOVS
    if n_govs and n_govs > len(GOVS):
        ref = regions.governments()
        extra = [c for c in ref.loc[ref["kind"] != "provinsi", "code"] if c not in GOVS]
        govs = GOVS + tuple(extra[: n_govs - len(GOVS)])
    units, resp = _responses(rng, govs)
    ci = _culture_index(_scores(resp))
    ik, el = _ikm(rng, units)
    tables = {
        "units": units,
        "culture_index": ci,
        "culture_behaviour": _culture_behaviour(resp),
        "culture_benchmarks": _benchmarks(ci),
        "ikm": ik,
        "ikm_elements": el,
        "interventions": _events(units),
        **_psychometrics(resp),
        **_models(ci, ik, units),
    }
    # answer shares and the index by respondent group, by the package's own functions;
    # the profile is drawn from its own stream so the other fixture numbers do not move
    from berakhlak_research.indices import demographic_index, item_shares

    rng2 = np.random.default_rng(seed + 1000)
    prof = resp.assign(
        sex=rng2.choice(["L", "P"], len(resp)),
        age_group=rng2.choice(["<30", "30-39", "40-49", "50+"], len(resp)),
        employment_type=rng2.choice(["PNS", "PPPK"], len(resp), p=[0.97, 0.03]),  # PPPK small
    )
    tables["culture_item_shares"] = item_shares(resp, min_group=MIN_GROUP)
    tables["culture_demographics"] = demographic_index(prof, min_group=MIN_GROUP)
    sizes = (
        resp.groupby(["gov_code", "unit_code", "wave"]).size().rename("respondents").reset_index()
    )
    sa = sizes.merge(units[["gov_code", "unit_code", "headcount"]], on=["gov_code", "unit_code"])
    sa = sa.rename(columns={"headcount": "population", "wave": "period"})
    npop = sa["population"].astype("float64")
    sa["required"] = np.rint(3.841 * npop * 0.25 / (0.0025 * (npop - 1) + 3.841 * 0.25)).astype(
        "int64"
    )
    sa["adequate"] = sa["respondents"] >= sa["required"]
    tables["sample_adequacy"] = sa.drop(columns=[])
    sup = ci[ci["suppressed"]][["aggregation", "gov_code", "unit_code", "wave", "n"]].assign(
        table="culture_index", reason=f"n < {MIN_GROUP}"
    )
    tables["suppression"] = sup
    for name, df in tables.items():
        store.write_table(path, name, df)
    return {
        "results": path,
        "govs": list(govs),
        "respondent_ids": resp["respondent_id"].tolist(),
        "xss_name": XSS_NAME,
        "min_group": MIN_GROUP,
        "waves": list(WAVES),
    }
