"""The DiD family's results-store tables: every outcome of both panels in one call.

:func:`model_tables` runs :func:`~berakhlak_research.models.did.staggered_att`,
:func:`~berakhlak_research.models.did.twfe`,
:func:`~berakhlak_research.models.did.event_study` and
:func:`~berakhlak_research.models.did.dose_response` on the unit and
government panels and returns ``did_effects``, ``did_pretrend``, ``did_dose``
and ``did_excluded`` (see ``docs/results_store.md``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from berakhlak_research.exceptions import EstimationError, InputError
from berakhlak_research.framework import VALUE_CODES
from berakhlak_research.keys import unit_key
from berakhlak_research.models.did.dose import DOSE_COLUMNS, dose_response
from berakhlak_research.models.did.staggered import (
    EXCLUDED_COLUMNS,
    TABLE_COLUMNS,
    staggered_att,
)
from berakhlak_research.models.did.two_way import event_study, twfe
from berakhlak_research.models.few_clusters import (
    FEW_CLUSTERS_THRESHOLD,
    did_wild_bootstrap,
    few_clusters_policy,
    randomization_inference,
)
from berakhlak_research.vocabulary import renamed

__all__ = [
    "model_tables",
    "DEFAULT_OUTCOMES",
    "EFFECTS_COLUMNS",
    "PRETREND_COLUMNS",
]

DEFAULT_OUTCOMES: tuple[str, ...] = (
    "culture_overall",
    *(f"culture_{v}" for v in VALUE_CODES),
    "ikm",
)
EFFECTS_COLUMNS = [
    "outcome",
    "estimator",
    *TABLE_COLUMNS,
    "panel",
    "control",
    "band",
    "cluster",
    "inference",
    "preferred",
]
PRETREND_COLUMNS = ["outcome", "panel", "statistic", "df", "p_value", "n_cells", "estimator"]


def _panel_frames(unit_panel, gov_panel, min_clusters, notes):
    """(name, frame, unit column, cluster column, few-clusters policy) per panel."""
    frames = []
    if unit_panel is not None:
        up = unit_panel.assign(_unit=unit_key(unit_panel))
        # Whole-government events make the government the assignment level:
        # cluster there (also valid, if conservative, for unit-level events). With
        # few governments the policy adds wild-bootstrap and randomisation rows
        # rather than clustering by unit, which understated the uncertainty.
        policy = few_clusters_policy(int(up["gov_code"].nunique()), threshold=min_clusters)
        frames.append(("unit", up, "_unit", "gov_code", policy))
    if gov_panel is not None:
        policy = few_clusters_policy(
            max(int(gov_panel["gov_code"].nunique()), 1), threshold=min_clusters
        )
        frames.append(
            ("government", gov_panel.assign(_unit=gov_panel["gov_code"]), "_unit", None, policy)
        )
    for name, df, _, _, policy in frames:
        if policy.few:
            reason = policy.note()
            if not _timing_between_governments(df):
                reason += (
                    "; programme timing varies within governments, so randomisation over "
                    "governments' timing does not apply (wild bootstrap only)"
                )
            notes.append(
                dict(outcome="(all)", panel=name, kind="inference", n=policy.n_clusters,
                     reason=reason)
            )  # fmt: skip
    return frames


def _timing_between_governments(df) -> bool:
    """Whether every unit of a government shares its first treated period."""
    g = pd.to_numeric(df["first_treated"], errors="coerce").fillna(0)
    return bool((g.groupby(df["gov_code"]).nunique() <= 1).all())


def _few_cluster_rows(sub, y, unit, control, level, n_wild, n_perm, seed, panel_name, excluded,
                      with_ri):  # fmt: skip
    """Overall staggered ATT and TWFE rows by wild cluster bootstrap and randomisation."""
    rows = []
    # Integer keys once: the string keys' factorisation would otherwise repeat per call.
    sub = sub[[y, unit, "wave", "first_treated", "gov_code"]].assign(
        **{unit: pd.factorize(sub[unit])[0], "gov_code": pd.factorize(sub["gov_code"])[0]}
    )
    methods = [("wild_cluster_bootstrap", did_wild_bootstrap, {"n_boot": n_wild, "level": level})]
    if with_ri:
        methods.append(("randomization_inference", randomization_inference, {"n_perm": n_perm}))
    for est in ("staggered_att", "twfe"):
        for kind, fn, extra in methods:
            try:
                r = fn(sub, y, unit, "wave", "first_treated", cluster="gov_code",
                       estimator=est, control=control, seed=seed, **extra)  # fmt: skip
            except (EstimationError, InputError) as err:
                excluded.append(
                    dict(
                        outcome=y, panel=panel_name, kind="inference", reason=f"{est} {kind}: {err}"
                    )
                )
                continue
            rows.append(
                r.drop(columns=["n_clusters", "n_draws", "exact", "n"]).assign(
                    aggregation="overall", outcome=y, estimator=est, panel=panel_name,
                    control=control if est == "staggered_att" else "", band="pointwise",
                    cluster="government",
                )
            )  # fmt: skip
    return rows


@renamed(alpha="level")
def model_tables(
    unit_panel: pd.DataFrame | None,
    gov_panel: pd.DataFrame | None = None,
    *,
    outcomes: list[str] | tuple[str, ...] = DEFAULT_OUTCOMES,
    n_boot: int = 999,
    seed: int = 0,
    control: str = "notyet",
    dose: tuple[str, ...] = ("hours", "stage_max"),
    level: float = 0.95,
    min_clusters: int = FEW_CLUSTERS_THRESHOLD,
    n_wild: int = 9999,
    n_perm: int = 999,
) -> dict[str, pd.DataFrame]:
    """Intervention effects of every outcome, for the results store.

    Parameters
    ----------
    unit_panel : pandas.DataFrame or None
        Unit-wave panel (``gov_code, unit_code, wave, first_treated``, the
        outcome columns, optionally ``hours``, ``stage_max``), as built by
        :mod:`berakhlak_research.models.panel`. Standard errors are clustered
        by government (with fewer than ``min_clusters`` governments, wild
        bootstrap and randomisation rows are added; noted in ``did_excluded``).
    gov_panel : pandas.DataFrame, optional
        Government-wave panel (``gov_code, wave, first_treated``, outcomes).
    outcomes : sequence of str
        Outcome columns; those absent from a panel or without data are skipped
        (and listed in ``did_excluded``).
    n_boot, seed, level : int, int, float
        Bootstrap draws, seed and confidence level of ``staggered_att``.
    control : {"notyet", "never"}
        Comparison group of ``staggered_att``.
    dose : tuple of str
        Dose columns tried for ``did_dose`` (outcome ``culture_overall``).
    min_clusters : int
        Fewest governments for cluster-robust inference
        (:func:`~berakhlak_research.models.few_clusters.few_clusters_policy`);
        below it the overall staggered ATT and TWFE effects get extra rows
        from the restricted wild cluster bootstrap (``n_wild`` Webb draws)
        and from randomisation inference over the governments' programme
        timing (``n_perm`` assignments, all of them when fewer), and the
        policy's note goes to ``did_excluded`` (``kind = "inference"``).
    n_wild, n_perm : int
        Wild-bootstrap draws and randomisation assignments.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``did_effects``: ``outcome, estimator`` ("staggered_att", "twfe"),
        ``aggregation, cohort, event_time, time, estimate, se, ci_low, ci_high,
        p_value, n, panel`` ("unit", "government"), ``control``, ``band``,
        ``cluster`` (the clustering level: "government"), ``inference``
        ("multiplier_bootstrap" or "analytic" for staggered_att, "cr1" for
        twfe, "wild_cluster_bootstrap", "randomization_inference": se and
        interval NaN), ``preferred`` (the row to read for its estimate: the
        wild bootstrap one for overall effects when the policy says few
        clusters).
        ``did_pretrend``: ``outcome, panel, statistic, df, p_value, n_cells,
        estimator``. ``did_dose``: ``outcome, panel`` plus the columns of
        :func:`dose_response`. ``did_excluded``: ``outcome, panel, kind,
        cohort, time, n, reason``: everything left out, and why.
    """
    if unit_panel is None and gov_panel is None:
        raise InputError("model_tables needs unit_panel or gov_panel.")
    effects, pretrend, doses, excluded = [], [], [], []
    for panel_name, df, unit, cluster, policy in _panel_frames(
        unit_panel, gov_panel, min_clusters, excluded
    ):
        cl_name = "government"
        staggered_inference = "multiplier_bootstrap" if n_boot > 0 else "analytic"
        with_ri = policy.few and _timing_between_governments(df)
        for col in ("wave", "first_treated"):
            if col not in df.columns:
                raise InputError(f"The {panel_name} panel has no column {col!r}.")
        if "treated" not in df.columns:
            g = pd.to_numeric(df["first_treated"], errors="coerce").fillna(0)
            df = df.assign(treated=(g > 0) & (df["wave"] >= g))
        for y in outcomes:
            if y not in df.columns or pd.to_numeric(df[y], errors="coerce").notna().sum() == 0:
                excluded.append(dict(outcome=y, panel=panel_name, kind="outcome", reason="no data"))
                continue
            sub = df[pd.to_numeric(df[y], errors="coerce").notna()]
            try:
                res = staggered_att(
                    sub, y, unit, "wave", "first_treated", control=control,
                    n_boot=n_boot, seed=seed, cluster=cluster, level=level,
                )  # fmt: skip
            except EstimationError as err:
                excluded.append(dict(outcome=y, panel=panel_name, kind="outcome", reason=str(err)))
                continue
            effects.append(
                res.table.assign(
                    outcome=y,
                    estimator="staggered_att",
                    panel=panel_name,
                    control=control,
                    cluster=cl_name,
                    inference=staggered_inference,
                )
            )
            pretrend.append(
                res.pretrend.assign(outcome=y, panel=panel_name, estimator="staggered_att")
            )
            excluded.append(res.excluded.assign(outcome=y, panel=panel_name))
            effects.extend(
                r.assign(cluster=cl_name, inference="cr1")
                for r in _twfe_rows(sub, y, unit, cluster, level, panel_name, excluded)
            )
            if policy.few:
                effects.extend(
                    _few_cluster_rows(sub, y, unit, control, level, n_wild, n_perm, seed,
                                      panel_name, excluded, with_ri)
                )  # fmt: skip
            if y == "culture_overall":
                for dcol in dose:
                    if dcol not in sub.columns:
                        continue
                    try:
                        dr = dose_response(
                            sub, y, unit, "wave", "first_treated", dcol, control=control,
                            cluster=cluster, n_boot=n_boot, seed=seed, level=level,
                        )  # fmt: skip
                    except EstimationError as err:
                        excluded.append(
                            dict(outcome=y, panel=panel_name, kind="dose", reason=str(err))
                        )
                        continue
                    doses.append(dr.assign(outcome=y, panel=panel_name))
    eff = _concat(effects, EFFECTS_COLUMNS)
    eff["preferred"] = _preferred(eff)
    eff["n"] = _same_n(eff)
    out = {
        "did_effects": eff,
        "did_pretrend": _concat(pretrend, PRETREND_COLUMNS),
        "did_excluded": _concat(excluded, ["outcome", "panel", *EXCLUDED_COLUMNS]),
    }
    if doses:
        out["did_dose"] = _concat(doses, ["outcome", "panel", *DOSE_COLUMNS, "note"])
    return out


def _twfe_rows(sub, y, unit, cluster, level, panel_name, excluded):
    rows = []
    try:
        st = twfe(sub, y, unit, "wave", "treated", cluster=cluster, level=level)
        rows.append(
            pd.DataFrame(
                {
                    "aggregation": ["overall"],
                    "estimate": st["estimate"],
                    "se": st["se"],
                    "ci_low": st["ci_low"],
                    "ci_high": st["ci_high"],
                    "p_value": st["p_value"],
                    "n": st["n"],
                }
            )
        )
        es = event_study(sub, y, unit, "wave", "first_treated", cluster=cluster, level=level)
        rows.append(es.drop(columns=["term", "n_clusters"]).assign(aggregation="event_time"))
    except EstimationError as err:
        excluded.append(dict(outcome=y, panel=panel_name, kind="twfe", reason=str(err)))
    return [
        r.assign(outcome=y, estimator="twfe", panel=panel_name, control="", band="pointwise")
        for r in rows
    ]


def _preferred(eff: pd.DataFrame) -> pd.Series:
    """True for the row to read: the wild bootstrap's where it exists for that estimate."""
    if not len(eff):
        return pd.Series([], dtype=bool)
    key = ["outcome", "estimator", "panel", "aggregation"]
    wild = eff["inference"].eq("wild_cluster_bootstrap")
    has_wild = wild.groupby([eff[k] for k in key]).transform("any")
    return (wild | ~has_wild) & ~eff["inference"].eq("randomization_inference")


def _same_n(eff: pd.DataFrame) -> pd.Series:
    """Few-cluster rows carry the n of their estimate's cluster-robust row (same estimate)."""
    if not len(eff):
        return eff["n"]
    key = ["outcome", "estimator", "panel", "aggregation"]
    std = eff["inference"].isin(["multiplier_bootstrap", "analytic", "cr1"])
    n_std = eff["n"].where(std).groupby([eff[k] for k in key]).transform("max")
    out = eff["n"].where(std, n_std)
    return out.astype("int64") if out.notna().all() else out.astype("Int64")


def _concat(frames, columns):
    frames = [pd.DataFrame([f]) if isinstance(f, dict) else f for f in frames]
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=columns)
    out = pd.concat(frames, ignore_index=True)
    extra = [c for c in out.columns if c not in columns]
    out = out[[c for c in columns if c in out.columns] + extra].reindex(columns=[*columns, *extra])
    for c in ("cohort", "event_time", "time"):
        if c in out.columns:
            out[c] = (
                pd.to_numeric(out[c], errors="coerce").astype("Float64").round().astype("Int64")
                if _intlike(out[c])
                else out[c]
            )
    return out


def _intlike(s: pd.Series) -> bool:
    v = pd.to_numeric(s, errors="coerce").dropna().to_numpy(dtype=float)
    return bool(np.all(np.mod(v, 1) == 0))
