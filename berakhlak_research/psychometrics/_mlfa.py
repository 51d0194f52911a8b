"""Maximum-likelihood confirmatory factor analysis from a covariance matrix (numpy only).

Model: ``Sigma = Lambda Phi Lambda' + Psi`` with a fixed loading pattern, factor variances
fixed to 1 (lavaan's ``std.lv = TRUE``), free factor correlations and free (unbounded)
residual variances. The ML discrepancy

    F(theta) = log|Sigma| + tr(S Sigma^-1) - log|S| - p

(S with divisor N, as lavaan's ``likelihood = "normal"``) is minimised by Fisher scoring
with the analytic gradient and the expected information, with step halving that keeps
Sigma positive definite. Standard errors come from the expected information
(lavaan's ``se = "standard"``, ``information = "expected"``): Cov(theta) = 2 H^-1 / N with
``H_ab = tr(W Sigma_a W Sigma_b)``, W = Sigma^-1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize, special

from berakhlak_research.exceptions import EstimationError

__all__ = ["MLFit", "fit_ml_cfa", "rmsea_ci"]


@dataclass(frozen=True)
class MLFit:
    """Result of :func:`fit_ml_cfa` (arrays; the public wrappers turn them into tables).

    Attributes
    ----------
    loadings : ndarray (p, m)
        Unstandardised loadings (0 where the pattern has none).
    phi : ndarray (m, m)
        Factor correlation matrix.
    psi : ndarray (p,)
        Residual variances.
    sigma : ndarray (p, p)
        Model-implied covariance matrix.
    s : ndarray (p, p)
        Sample covariance matrix (divisor N).
    theta_cov : ndarray (q, q)
        Covariance matrix of the free parameters (order: loadings in pattern order
        row-major, factor correlations (lower triangle, row-major), residual variances).
    std_loadings, std_loadings_se : ndarray (n_free_loadings,)
        Standardised (std.all) loadings and their delta-method SEs, pattern order.
    fmin : float
        Minimum of F.
    n : int
        Number of observations.
    df : int
        Degrees of freedom.
    iterations : int
        Fisher-scoring iterations used.
    converged : bool
    """

    loadings: np.ndarray
    phi: np.ndarray
    psi: np.ndarray
    sigma: np.ndarray
    s: np.ndarray
    theta_cov: np.ndarray
    std_loadings: np.ndarray
    std_loadings_se: np.ndarray
    fmin: float
    n: int
    df: int
    iterations: int
    converged: bool


class _Model:
    """Parameter bookkeeping for a loading pattern."""

    def __init__(self, pattern: np.ndarray):
        self.pattern = np.asarray(pattern, dtype=bool)
        self.p, self.m = self.pattern.shape
        self.li, self.lj = np.nonzero(self.pattern)  # free loadings, row-major
        self.fi, self.fj = np.tril_indices(self.m, -1)  # free factor correlations
        self.nl, self.nf = self.li.size, self.fi.size
        self.q = self.nl + self.nf + self.p

    def unpack(self, theta: np.ndarray):
        lam = np.zeros((self.p, self.m))
        lam[self.li, self.lj] = theta[: self.nl]
        phi = np.eye(self.m)
        phi[self.fi, self.fj] = theta[self.nl : self.nl + self.nf]
        phi[self.fj, self.fi] = theta[self.nl : self.nl + self.nf]
        psi = theta[self.nl + self.nf :]
        return lam, phi, psi

    def sigma(self, theta: np.ndarray) -> np.ndarray:
        lam, phi, psi = self.unpack(theta)
        return lam @ phi @ lam.T + np.diag(psi)

    def grad(self, theta: np.ndarray, w: np.ndarray, s: np.ndarray) -> np.ndarray:
        """dF/dtheta_a = tr(M Sigma_a), M = W (Sigma - S) W, in closed form per block."""
        lam, phi, psi = self.unpack(theta)
        sig = lam @ phi @ lam.T + np.diag(psi)
        m = w @ (sig - s) @ w
        ma = m @ (lam @ phi)
        lml = lam.T @ m @ lam
        return np.concatenate([2 * ma[self.li, self.lj], 2 * lml[self.fi, self.fj], np.diag(m)])

    def info(self, theta: np.ndarray, w: np.ndarray) -> np.ndarray:
        """H_ab = tr(W Sigma_a W Sigma_b) in closed form (small matrices only, no (q, p, p) arrays).

        With Sigma_a = u v' + v u' and Sigma_b = x y' + y x' (W symmetric),
        tr(W Sigma_a W Sigma_b) = 2 [(v'Wx)(y'Wu) + (v'Wy)(x'Wu)].
        """
        lam, phi, _ = self.unpack(theta)
        a = lam @ phi
        wa, wl = w @ a, w @ lam
        awa, awl, lwl = a.T @ wa, a.T @ wl, lam.T @ wl
        li, lj, fi, fj = self.li, self.lj, self.fi, self.fj
        r, c = (slice(None), None), (None, slice(None))
        h = np.empty((self.q, self.q))
        L, F = slice(0, self.nl), slice(self.nl, self.nl + self.nf)
        P = slice(self.nl + self.nf, self.q)
        # lambda_ij (u = e_i, v = a_j) with lambda_kl (x = e_k, y = a_l)
        h[L, L] = 2 * (wa[li[c], lj[r]] * wa[li[r], lj[c]] + awa[lj[r], lj[c]] * w[li[r], li[c]])
        # lambda_ij with phi_kl (x = lambda_k, y = lambda_l)
        h[L, F] = 2 * (awl[lj[r], fi[c]] * wl[li[r], fj[c]] + awl[lj[r], fj[c]] * wl[li[r], fi[c]])
        # lambda_ij with psi_k (e_k e_k')
        k = np.arange(self.p)
        h[L, P] = 2 * w[k[c], li[r]] * wa[k[c], lj[r]]
        # phi_ij (u = lambda_i, v = lambda_j) with phi_kl
        h[F, F] = 2 * (
            lwl[fj[r], fi[c]] * lwl[fj[c], fi[r]] + lwl[fj[r], fj[c]] * lwl[fi[c], fi[r]]
        )
        h[F, P] = 2 * wl[k[c], fj[r]] * wl[k[c], fi[r]]
        h[P, P] = w * w
        h[F, L] = h[L, F].T
        h[P, L] = h[L, P].T
        h[P, F] = h[F, P].T
        return h

    def dsigma_diag(self, theta: np.ndarray) -> np.ndarray:
        """d Sigma_ii / d theta_a, shape (q, p)."""
        lam, phi, _ = self.unpack(theta)
        a = lam @ phi
        d = np.zeros((self.q, self.p))
        d[np.arange(self.nl), self.li] = 2 * a[self.li, self.lj]
        d[self.nl : self.nl + self.nf] = 2 * (lam[:, self.fi] * lam[:, self.fj]).T
        d[self.nl + self.nf + np.arange(self.p), np.arange(self.p)] = 1.0
        return d

    def dsigma(self, theta: np.ndarray) -> np.ndarray:
        """Derivatives of Sigma with respect to each free parameter, shape (q, p, p).

        Not used by the fit (see :meth:`grad`, :meth:`info`); kept as the reference the
        tests check the closed forms against.
        """
        lam, phi, _ = self.unpack(theta)
        a = lam @ phi
        p = self.p
        d = np.zeros((self.q, p, p))
        k = np.arange(self.nl)
        # d Sigma / d lambda_ij = e_i a_j' + a_j e_i'
        d[k, self.li, :] += a[:, self.lj].T
        d[k, :, self.li] += a[:, self.lj].T
        # d Sigma / d phi_jk = lambda_j lambda_k' + lambda_k lambda_j'
        lj = lam[:, self.fi].T  # (nf, p)
        lk = lam[:, self.fj].T
        d[self.nl : self.nl + self.nf] = lj[:, :, None] * lk[:, None, :] + (
            lk[:, :, None] * lj[:, None, :]
        )
        ii = np.arange(p)
        d[self.nl + self.nf + ii, ii, ii] = 1.0
        return d


def _logdet_pd(a: np.ndarray) -> tuple[float, np.ndarray] | None:
    try:
        c = np.linalg.cholesky(a)
    except np.linalg.LinAlgError:
        return None
    return 2.0 * np.log(np.diag(c)).sum(), c


def _start(model: _Model, s: np.ndarray) -> np.ndarray:
    """Starting values: half of each item's variance common, factor correlations from sum scores."""
    d = np.diag(s)
    lam = np.sqrt(0.5 * d)
    # correlations of unit-weighted sums of each factor's items
    w = model.pattern.astype(float)
    cs = w.T @ s @ w
    sd = np.sqrt(np.diag(cs))
    r = cs / np.outer(sd, sd)
    return np.concatenate([lam[model.li], 0.8 * r[model.fi, model.fj], 0.5 * d])


def fit_ml_cfa(
    s: np.ndarray,
    n: int,
    pattern: np.ndarray,
    *,
    max_iter: int = 200,
    tol: float = 1e-9,
) -> MLFit:
    """Fit a confirmatory factor model by maximum likelihood to a covariance matrix.

    Parameters
    ----------
    s : ndarray (p, p)
        Sample covariance matrix with divisor N (the ML estimate).
    n : int
        Number of observations (complete rows).
    pattern : ndarray of bool (p, m)
        True where an item loads on a factor.
    max_iter, tol : optional
        Fisher-scoring iteration cap and convergence tolerance on the largest gradient
        element (scaled by the parameter's information).

    Raises
    ------
    EstimationError
        If S is not positive definite (too few respondents, a constant item, or perfectly
        collinear items) or the model is not identified (negative degrees of freedom).
    """
    s = np.asarray(s, dtype="float64")
    model = _Model(pattern)
    p = model.p
    if s.shape != (p, p):
        raise EstimationError(f"Covariance matrix is {s.shape}, pattern has {p} items.")
    if not np.all(np.isfinite(s)):
        raise EstimationError("Covariance matrix has missing values (too few complete rows?).")
    df = p * (p + 1) // 2 - model.q
    if df < 0:
        raise EstimationError(
            f"The factor model has {model.q} free parameters but only {p * (p + 1) // 2} "
            "distinct variances and covariances: it is not identified."
        )
    if np.any(model.pattern.sum(axis=0) == 0):
        raise EstimationError("A factor has no items in the loading pattern.")
    ld = _logdet_pd(s)
    if ld is None or n <= p:
        raise EstimationError(
            f"The sample covariance matrix of {p} items from {n} complete respondents is not "
            "positive definite (too few respondents, a constant item, or items that are exact "
            "copies of each other); the ML factor model cannot be fitted."
        )
    logdet_s = ld[0]

    def fval(theta):
        sig = model.sigma(theta)
        r = _logdet_pd(sig)
        if r is None:
            return np.inf, None
        logdet, c = r
        w = np.linalg.inv(sig)
        if model.m > 1:
            _, phi, _ = model.unpack(theta)
            if _logdet_pd(phi) is None:
                return np.inf, None
        return logdet + np.trace(s @ w) - logdet_s - p, w

    theta = _start(model, s)
    f, w = fval(theta)
    if not np.isfinite(f):
        theta = np.concatenate([np.sqrt(0.5 * np.diag(s))[model.li], np.zeros(model.nf),
                                0.5 * np.diag(s)])  # fmt: skip
        f, w = fval(theta)
    converged = False
    it = 0
    while it < max_iter:
        it += 1
        grad = model.grad(theta, w, s)
        h = model.info(theta, w)
        try:
            step = np.linalg.solve(h, grad)
        except np.linalg.LinAlgError as err:
            raise EstimationError("The information matrix is singular; the model is not "
                                  "identified in these data.") from err  # fmt: skip
        # Newton decrement g' H^-1 g: the predicted decrease of F (chi2 = N F)
        if np.max(np.abs(step)) < tol or grad @ step < 1e-15:
            converged = True
            break
        alpha = 1.0
        while alpha > 1e-8:
            cand = theta - alpha * step
            fc, wc = fval(cand)
            if fc <= f + 1e-14 * abs(f):
                break
            alpha /= 2
        else:  # no decrease possible along the step: at the optimum up to rounding?
            converged = bool(grad @ step < 1e-10)
            break
        theta, f, w = cand, fc, wc
    if not converged:
        # Fall back on a quasi-Newton polish (rarely needed: Heywood cases, flat optima).
        def fun(t):
            v, wv = fval(t)
            if not np.isfinite(v):
                return 1e10, np.zeros_like(t)
            return v, model.grad(t, wv, s)

        res = optimize.minimize(fun, theta, jac=True, method="L-BFGS-B",
                                options={"maxiter": 5000, "gtol": 1e-10, "ftol": 1e-15})  # fmt: skip
        if res.fun <= f:
            theta, (f, w) = res.x, fval(res.x)
        g = fun(theta)[1]
        converged = bool(np.max(np.abs(g)) < 1e-5)

    lam, phi, psi = model.unpack(theta)
    # Identify each factor's sign: its loadings sum to a positive number.
    sign = np.where(lam.sum(axis=0) < 0, -1.0, 1.0)
    if np.any(sign < 0):
        lam = lam * sign
        phi = phi * np.outer(sign, sign)
        theta = np.concatenate([lam[model.li, model.lj], phi[model.fi, model.fj], psi])
    sig = model.sigma(theta)
    w = np.linalg.inv(sig)
    h = model.info(theta, w)
    try:
        theta_cov = 2.0 * np.linalg.inv(h) / n
    except np.linalg.LinAlgError:
        theta_cov = np.full((model.q, model.q), np.nan)

    # Standardised loadings lambda_ij * sd(f_j) / sd(y_i) (sd(f_j) = 1) and delta-method SEs.
    var_y = np.diag(sig)[model.li]
    lam_free = lam[model.li, model.lj]
    std = lam_free / np.sqrt(var_y)
    jac = -(lam_free / (2 * var_y**1.5))[:, None] * model.dsigma_diag(theta)[:, model.li].T
    jac[np.arange(model.nl), np.arange(model.nl)] += 1 / np.sqrt(var_y)
    std_se = np.sqrt(((jac @ theta_cov) * jac).sum(axis=1))

    return MLFit(
        loadings=lam, phi=phi, psi=psi, sigma=sig, s=s, theta_cov=theta_cov,
        std_loadings=std, std_loadings_se=std_se, fmin=float(f), n=int(n), df=int(df),
        iterations=it, converged=converged,
    )  # fmt: skip


def rmsea_ci(chi2: float, df: int, n: int, level: float = 0.90) -> tuple[float, float]:
    """Confidence interval of the RMSEA from the non-central chi-square (Browne & Cudeck).

    Returns ``(low, high)``: the RMSEA values whose non-centrality puts ``chi2`` at the
    upper and lower ``(1 - level) / 2`` quantiles; ``low`` is 0 when even a central
    chi-square puts ``chi2`` below the upper quantile.
    """
    if df <= 0 or not np.isfinite(chi2):
        return np.nan, np.nan
    a = (1 - level) / 2

    def solve(target: float) -> float:
        # pchisq(chi2, df, ncp) decreases in ncp; the ncp with cdf == target (cdflib's
        # inverse), or 0 when even the central chi-square has cdf below the target.
        if special.chdtr(df, chi2) < target:
            return 0.0
        return float(special.chndtrinc(chi2, df, target))

    lam_lo = solve(1 - a)
    lam_hi = solve(a)
    return float(np.sqrt(lam_lo / (n * df))), float(np.sqrt(lam_hi / (n * df)))
