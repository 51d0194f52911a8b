"""The statsmodels MixedLM route: random slopes (and nested levels when asked for)."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
from scipy import stats

from berakhlak_research.exceptions import EstimationError
from berakhlak_research.models.multilevel._design import design
from berakhlak_research.models.multilevel._fast import centre, criterion_value
from berakhlak_research.models.multilevel._nested import NestedCriterion
from berakhlak_research.models.multilevel._profile import mixed_profile_intervals
from berakhlak_research.models.multilevel._result import FALLBACK_PATH, MixedResult, fixed_table

__all__ = ["SlopeCriterion", "random_intercept_mixedlm"]


class SlopeCriterion:
    """Correlated random intercept and slopes of one grouping factor, from per-group sums.

    ``V_g = sigma^2 (I + Z_g T T' Z_g')`` with ``T = diag(rho) C``, ``C`` unit-lower
    triangular with free entries below the diagonal, rows scaled to length 1 (so
    ``C C'`` is a correlation matrix): ``psi = (rho, entries of C)``. With ``M_g = I
    + T'Z_g'Z_g T`` (q x q, Woodbury), ``log|H_g| = log|M_g|`` and ``X'H^-1X = X'X -
    sum_g B_g' M_g^-1 B_g``, ``B_g = T'Z_g'X_g`` (likewise for y): per-group
    ``Z'Z, Z'X, Z'y`` suffice, and an evaluation is batched q x q algebra.
    """

    def __init__(self, y, X, Z, codes: np.ndarray, reml: bool):
        y, X = centre(y, X)
        self.reml, self.N, self.q = reml, len(y), Z.shape[1]
        self.K = self.q
        self.d = self.N - X.shape[1] if reml else self.N
        self.XtX, self.Xty, self.yty = X.T @ X, X.T @ y, float(y @ y)
        G = int(codes.max()) + 1

        def gsum(v):
            return np.bincount(codes, weights=v, minlength=G)

        q, p = self.q, X.shape[1]
        self.ZtZ = np.stack(
            [np.stack([gsum(Z[:, a] * Z[:, b]) for b in range(q)], -1) for a in range(q)], 1
        )
        # Z'[X | y] per group: (G, q, p + 1).
        Xy = np.column_stack([X, y])
        self.ZtXy = np.stack(
            [np.stack([gsum(Z[:, a] * Xy[:, j]) for j in range(p + 1)], -1) for a in range(q)], 1
        )
        self.tril = np.tril_indices(q, -1)

    def factor(self, psi: np.ndarray) -> np.ndarray:
        """``T`` of ``psi``: relative covariance ``T T'``."""
        C = np.eye(self.q)
        C[self.tril] = psi[self.q :]
        C /= np.linalg.norm(C, axis=1, keepdims=True)
        return np.asarray(psi[: self.q], dtype="float64")[:, None] * C

    @staticmethod
    def start(rel_cov: np.ndarray) -> np.ndarray:
        """``psi`` of a relative covariance matrix (inverse of :meth:`factor`)."""
        q = rel_cov.shape[0]
        rho = np.sqrt(np.clip(np.diag(rel_cov), 0.0, None))
        z = np.zeros(q * (q - 1) // 2)
        if np.all(rho > 0):
            R = rel_cov / np.outer(rho, rho)
            try:
                C = np.linalg.cholesky(R + 1e-12 * np.eye(q))
                z = (C / np.diag(C)[:, None])[np.tril_indices(q, -1)]
            except np.linalg.LinAlgError:
                pass
        return np.concatenate([rho, z])

    def __call__(self, psi: np.ndarray) -> tuple[float, float]:
        T = self.factor(psi)
        M = np.eye(self.q) + T.T @ self.ZtZ @ T
        try:
            Lm = np.linalg.cholesky(M)
        except np.linalg.LinAlgError:
            return np.inf, np.nan
        # W_g = L_g^-1 T'Z_g'[X | y]; the Gram matrix of the stacked W_g is
        # sum_g [X | y]'Z_g T M_g^-1 T'Z_g'[X | y], the part that H^-1 takes away.
        W = np.linalg.solve(Lm, T.T @ self.ZtXy).reshape(-1, self.ZtXy.shape[2])
        gram = W.T @ W
        p = self.XtX.shape[0]
        A = self.XtX - gram[:p, :p]
        c = self.Xty - gram[:p, p]
        qq = self.yty - float(gram[p, p])
        logdet = 2.0 * float(np.sum(np.log(np.diagonal(Lm, axis1=1, axis2=2))))
        return criterion_value(A, c, qq, logdet, self.N, self.reml)


def random_intercept_mixedlm(data, formula, gcols, re_formula, reml, level) -> MixedResult:
    import statsmodels.formula.api as smf

    y, X, names, keep = design(data, formula, extra=tuple(gcols))
    outer = gcols[0]
    sub = data.loc[keep, [outer]].copy()
    sub["_y"] = y
    vc = None
    inner_codes = None
    if len(gcols) > 1:
        # Nested levels: one variance component per inner level, coded within its parent.
        vc = {}
        for k in range(1, len(gcols)):
            key = data.loc[keep, gcols[0]].astype(str)
            for c in gcols[1 : k + 1]:
                key = key + "/" + data.loc[keep, c].astype(str)
            col = f"_lvl{k}"
            sub[col] = pd.factorize(key)[0]
            vc[":".join(gcols[: k + 1])] = f"0 + C({col})"
        inner_codes = sub[f"_lvl{len(gcols) - 1}"].to_numpy()
    if re_formula is not None:
        re_vars = [c for c in data.columns if re.search(rf"\b{re.escape(c)}\b", re_formula)]
        for c in re_vars:
            sub[c] = data.loc[keep, c].to_numpy()
    xcols = [f"_x{j}" for j in range(len(names))]
    for j, c in enumerate(xcols):
        sub[c] = X[:, j]
    try:
        # The design is built once (above); statsmodels sees plain columns in the same order.
        model = smf.mixedlm(
            "_y ~ 0 + " + " + ".join(xcols),
            sub,
            groups=sub[outer],
            vc_formula=vc,
            re_formula=re_formula if re_formula is not None else "1",
        )
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            # BFGS with a tight gradient tolerance reaches lme4's optimum to ~1e-6;
            # statsmodels' default L-BFGS stops earlier (differences ~1e-4).
            try:
                res = model.fit(reml=reml, method="bfgs", gtol=1e-8)
            except (np.linalg.LinAlgError, ValueError):
                res = model.fit(reml=reml, method=["lbfgs", "cg"])
    except (np.linalg.LinAlgError, ValueError) as err:
        raise EstimationError(f"MixedLM failed for {formula!r} by {gcols}: {err}") from err
    conv_warn = any("converge" in str(w.message).lower() for w in caught)
    k_fe = len(names)
    beta = np.asarray(res.fe_params, dtype="float64")
    cov = np.asarray(res.cov_params())[:k_fe, :k_fe]
    N = len(y)
    fixed = fixed_table(names, beta, cov, N, level)
    s2 = float(res.scale)
    comps = [outer]
    ests = [float(np.asarray(res.cov_re)[0, 0])]
    ngroups = [int(sub[outer].nunique())]
    if vc is not None:
        for k, name in enumerate(vc, start=1):
            comps.append(name)
            ests.append(float(res.vcomp[k - 1]))
            ngroups.append(int(sub[f"_lvl{k}"].nunique()))
    total = sum(ests) + s2
    icc = [e / total for e in ests]
    cov_re = res.cov_re
    for j in range(1, cov_re.shape[0]):
        # Random-slope variances: no ICC (they scale with the covariate).
        comps.append(f"{outer}:slope:{cov_re.index[j]}")
        ests.append(float(cov_re.iloc[j, j]))
        icc.append(np.nan)
        ngroups.append(ngroups[0])
    ci, icc_ci = _mixedlm_intervals(res, y, X, sub, gcols, vc, re_formula, reml, level)
    variance = pd.DataFrame(
        {
            "component": [*comps, "residual"],
            "estimate": [*ests, s2],
            "ci_low": ci[:, 0],
            "ci_high": ci[:, 1],
            "icc": [*icc, np.nan],
            "icc_ci_low": [*icc_ci[:, 0], np.nan],
            "icc_ci_high": [*icc_ci[:, 1], np.nan],
            "n_groups": [*ngroups, N],
        }
    )
    re_tab = _mixedlm_random_effects(res, sub, data.loc[keep, gcols], gcols, inner_codes, level)
    deviance = -2.0 * float(res.llf)
    singular = any(e <= 1e-10 * max(total, 1e-300) for e in ests)
    return MixedResult(
        fixed,
        variance,
        re_tab,
        bool(res.converged) and not conv_warn,
        FALLBACK_PATH,
        reml,
        deviance,
        cov,
        singular,
        N,
        res,
    )


def _mixedlm_intervals(res, y, X, sub, gcols, vc, re_formula, reml, level):
    """Profile intervals of a MixedLM fit's variance rows (see ``mixed_profile_intervals``).

    Nested random intercepts (any depth) and random slopes of one grouping
    column are profiled; random slopes with nested levels are not (NaN rows).
    Returns ``(ci, icc_ci)`` aligned with the ``variance`` rows (residual last in
    ``ci``; ``icc_ci`` without the residual).
    """
    cov_re = np.asarray(res.cov_re, dtype="float64")
    n_rows = cov_re.shape[0] + (len(vc) if vc else 0)
    ci = np.full((n_rows + 1, 2), np.nan)
    icc_ci = np.full((n_rows, 2), np.nan)
    scale = float(res.scale)
    if re_formula is None:
        codes = [pd.factorize(sub[gcols[0]])[0]]
        codes += [sub[f"_lvl{k}"].to_numpy() for k in range(1, len(gcols))]
        crit = NestedCriterion(y, X, [np.asarray(c, dtype=np.intp) for c in codes], reml)
        rel = np.array([cov_re[0, 0], *np.asarray(res.vcomp, dtype="float64")]) / scale
        psi0 = np.sqrt(np.clip(rel, 0.0, None))
        icc_idx = list(range(len(psi0)))
    elif vc is None:
        Z = np.asarray(res.model.exog_re, dtype="float64")
        crit = SlopeCriterion(y, X, Z, pd.factorize(sub[gcols[0]])[0].astype(np.intp), reml)
        psi0 = crit.start(cov_re / scale)
        # ICC of the intercept only (the slope variances scale with their covariate).
        icc_idx = [0] if np.all(Z[:, 0] == 1.0) else []
    else:
        return ci, icc_ci
    try:
        with np.errstate(all="ignore"):
            ci, icc_part = mixed_profile_intervals(crit, psi0, icc_idx, level)
    except (np.linalg.LinAlgError, ValueError, RuntimeError) as err:
        warnings.warn(f"Profile intervals failed ({err}); reported as NaN.", stacklevel=3)
        return ci, icc_ci
    return ci, icc_part


def _mixedlm_random_effects(res, sub, keys, gcols, inner_codes, level) -> pd.DataFrame:
    """BLUPs of the innermost level from a MixedLM fit (outer + every nested level's effect),
    with conditional SDs and Wald intervals."""
    z = stats.norm.ppf(0.5 + level / 2)
    outer = gcols[0]
    re_dict = res.random_effects
    if inner_codes is None:
        groups = list(re_dict)
        est = np.array([float(np.asarray(re_dict[g])[0]) for g in groups])
        cv = res.random_effects_cov
        se = np.array([float(np.sqrt(np.asarray(cv[g])[0, 0])) for g in groups])
        n = sub.groupby(outer).size().reindex(groups).to_numpy()
        out = pd.DataFrame({outer: groups})
    else:
        # statsmodels names vc effects "<name>[C(_lvlK)[code]]"; map back to the keys.
        # An innermost BLUP is the sum of its own effect, its ancestors' and the outer
        # group's; its conditional variance (given the data, beta at its estimate, as
        # lme4's condVar) is e' C e over the outer group's conditional covariance C
        # (statsmodels' random_effects_cov covers the variance components too).
        depth = len(gcols) - 1
        labels = [":".join(gcols[: k + 1]) for k in range(1, depth + 1)]
        inner_col = f"_lvl{depth}"
        # Innermost code -> its code at each level above it (codes nest, so "first" is it).
        lineage = sub.groupby(inner_col)[[f"_lvl{k}" for k in range(1, depth + 1)]].first()
        cov_all = res.random_effects_cov
        rows = []
        for g, eff in re_dict.items():  # loop over outer groups only (few)
            eff = pd.Series(eff)
            names = eff.index
            sel = names.str.startswith(labels[-1] + "[")
            codes = names[sel].str.extract(r"\[(\d+)\]\]?$")[0].astype(int).to_numpy()
            # Incidence of each innermost BLUP on the group's effects.
            pos = {name: i for i, name in enumerate(names)}
            E = np.zeros((len(codes), len(names)))
            E[:, 0] = 1.0  # the outer group's intercept
            for k, lab in enumerate(labels, start=1):  # levels, not groups
                anc = lineage.loc[codes, f"_lvl{k}"].to_numpy()
                cols = [pos[f"{lab}[C(_lvl{k})[{a}]]"] for a in anc]
                E[np.arange(len(codes)), cols] = 1.0
            C = np.asarray(pd.DataFrame(cov_all[g]).loc[names, names], dtype="float64")
            var = np.einsum("ij,jk,ik->i", E, C, E)
            rows.append(
                pd.DataFrame(
                    {
                        "_code": codes,
                        "estimate": E @ eff.to_numpy(dtype="float64"),
                        "se": np.sqrt(np.maximum(var, 0.0)),
                    }
                )
            )
        est_tab = pd.concat(rows, ignore_index=True)
        first = (
            pd.DataFrame({"_code": inner_codes})
            .join(keys.reset_index(drop=True))
            .groupby("_code", as_index=False)
            .agg(**{c: (c, "first") for c in gcols}, n=(gcols[0], "size"))
        )
        out = first.merge(est_tab, on="_code", how="left").drop(columns="_code")
        out["ci_low"] = out["estimate"] - z * out["se"]
        out["ci_high"] = out["estimate"] + z * out["se"]
        return out[[*gcols, "estimate", "se", "ci_low", "ci_high", "n"]]
    out["estimate"] = est
    out["se"] = se
    out["ci_low"] = est - z * se
    out["ci_high"] = est + z * se
    out["n"] = n.astype("int64")
    return out
