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

:func:`fit_ml_cfa_batch` runs the same algorithm on a stack of groups at once (thousands
of government-waves), with the same results.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from scipy import optimize, special

from berakhlak_research.exceptions import EstimationError, ParameterError

__all__ = ["MLFit", "fit_ml_cfa", "fit_ml_cfa_batch", "rmsea_ci"]


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


# Groups per slice when the batched fit builds (G, q, q) information matrices: ~8 MB slices
# stay below glibc's mmap threshold, so the temporaries are reused rather than freshly
# page-faulted on every call (2-3x faster than one (2,200, 63, 63) stack).
_SLICE_BYTES = 8 << 20


def _take2(x: np.ndarray, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """``x[:, i, j]`` for a (G, r, c) stack via np.take on the flattened matrices.

    Same values as the fancy index (a copy), but several times faster: numpy's mixed
    slice-and-array indexing goes through its slow general path.
    """
    return np.take(x.reshape(x.shape[0], -1), i * x.shape[2] + j, axis=1)


class _BatchModel(_Model):
    """:class:`_Model` with sigma, gradient, information and d diag(Sigma) for a stack of groups.

    Every method takes ``theta`` of shape (G, q) (and W, S of shape (G, p, p)) and repeats
    the single-group method operation by operation, with a leading group axis: numpy's
    stacked matmul, inv, solve and cholesky call the same LAPACK/BLAS routine on each
    matrix, so the batched fit reproduces :func:`fit_ml_cfa` bit for bit.
    """

    def unpack_b(self, theta: np.ndarray):
        g = theta.shape[0]
        lam = np.zeros((g, self.p, self.m))
        lam[:, self.li, self.lj] = theta[:, : self.nl]
        phi = np.zeros((g, self.m, self.m))
        phi[:, np.arange(self.m), np.arange(self.m)] = 1.0
        phi[:, self.fi, self.fj] = theta[:, self.nl : self.nl + self.nf]
        phi[:, self.fj, self.fi] = theta[:, self.nl : self.nl + self.nf]
        psi = theta[:, self.nl + self.nf :]
        return lam, phi, psi

    def sigma_from(self, lam: np.ndarray, phi: np.ndarray, psi: np.ndarray) -> np.ndarray:
        sig = lam @ phi @ lam.transpose(0, 2, 1)
        k = np.arange(self.p)
        sig[:, k, k] += psi  # as "+ np.diag(psi)": the off-diagonal zeros add nothing
        return sig

    def sigma_b(self, theta: np.ndarray) -> np.ndarray:
        return self.sigma_from(*self.unpack_b(theta))

    def grad_b(self, theta: np.ndarray, w: np.ndarray, s: np.ndarray) -> np.ndarray:
        """Batched :meth:`_Model.grad`, shape (G, q)."""
        lam, phi, psi = self.unpack_b(theta)
        sig = self.sigma_from(lam, phi, psi)
        m = w @ (sig - s) @ w
        ma = m @ (lam @ phi)
        lml = lam.transpose(0, 2, 1) @ m @ lam
        return np.concatenate(
            [2 * ma[:, self.li, self.lj], 2 * lml[:, self.fi, self.fj],
             np.diagonal(m, axis1=1, axis2=2)],
            axis=1,
        )  # fmt: skip

    def info_b(self, theta: np.ndarray, w: np.ndarray) -> np.ndarray:
        """Batched :meth:`_Model.info`, shape (G, q, q); same blocks and operation order."""
        lam, phi, _ = self.unpack_b(theta)
        a = lam @ phi
        wa, wl = w @ a, w @ lam
        at = a.transpose(0, 2, 1)
        awa, awl, lwl = at @ wa, at @ wl, lam.transpose(0, 2, 1) @ wl
        li, lj, fi, fj = self.li, self.lj, self.fi, self.fj
        r, c = (slice(None), None), (None, slice(None))
        t = _take2
        h = np.empty((theta.shape[0], self.q, self.q))
        L, F = slice(0, self.nl), slice(self.nl, self.nl + self.nf)
        P = slice(self.nl + self.nf, self.q)
        k = np.arange(self.p)
        h[:, L, L] = 2 * (t(wa, li[c], lj[r]) * t(wa, li[r], lj[c])
                          + t(awa, lj[r], lj[c]) * t(w, li[r], li[c]))  # fmt: skip
        h[:, L, F] = 2 * (t(awl, lj[r], fi[c]) * t(wl, li[r], fj[c])
                          + t(awl, lj[r], fj[c]) * t(wl, li[r], fi[c]))  # fmt: skip
        h[:, L, P] = 2 * t(w, k[c], li[r]) * t(wa, k[c], lj[r])
        h[:, F, F] = 2 * (t(lwl, fj[r], fi[c]) * t(lwl, fj[c], fi[r])
                          + t(lwl, fj[r], fj[c]) * t(lwl, fi[c], fi[r]))  # fmt: skip
        h[:, F, P] = 2 * t(wl, k[c], fj[r]) * t(wl, k[c], fi[r])
        h[:, P, P] = w * w
        h[:, F, L] = h[:, L, F].transpose(0, 2, 1)
        h[:, P, L] = h[:, L, P].transpose(0, 2, 1)
        h[:, P, F] = h[:, F, P].transpose(0, 2, 1)
        return h

    def dsigma_diag_b(self, theta: np.ndarray) -> np.ndarray:
        """Batched :meth:`_Model.dsigma_diag`, shape (G, q, p)."""
        lam, phi, _ = self.unpack_b(theta)
        a = lam @ phi
        d = np.zeros((theta.shape[0], self.q, self.p))
        d[:, np.arange(self.nl), self.li] = 2 * a[:, self.li, self.lj]
        pairs = lam[:, :, self.fi] * lam[:, :, self.fj]
        d[:, self.nl : self.nl + self.nf] = 2 * pairs.transpose(0, 2, 1)
        d[:, self.nl + self.nf + np.arange(self.p), np.arange(self.p)] = 1.0
        return d

    def slices(self, g: int):
        """Slices of at most ~_SLICE_BYTES of (q, q) matrices covering ``range(g)``."""
        size = max(16, _SLICE_BYTES // (8 * self.q * self.q))
        return [slice(i, i + size) for i in range(0, g, size)]


def _stacked(fn, *arrays: np.ndarray, out_of: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``fn`` on stacks of matrices, and the mask of matrices where it succeeded.

    numpy raises for the whole stack when one matrix fails (a line-search step that leaves
    the PD cone, an exactly singular matrix), so then the stack is bisected until the
    failing matrices are isolated: one failure among thousands costs about three stacked
    calls (not a Python loop over the stack), and every matrix still goes through the same
    LAPACK routine. Failed
    matrices get NaN results shaped like ``arrays[out_of]``.
    """
    k = arrays[0].shape[0]
    try:
        return fn(*arrays), np.ones(k, dtype=bool)
    except np.linalg.LinAlgError:
        if k == 1:
            return np.full(arrays[out_of].shape, np.nan), np.zeros(1, dtype=bool)
    h = k // 2
    r1, ok1 = _stacked(fn, *(x[:h] for x in arrays), out_of=out_of)
    r2, ok2 = _stacked(fn, *(x[h:] for x in arrays), out_of=out_of)
    return np.concatenate([r1, r2]), np.concatenate([ok1, ok2])


def _cholesky_b(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cholesky factors of a stack and the mask of positive definite matrices (NaN if not)."""
    return _stacked(np.linalg.cholesky, a)


def _solve_vec(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.linalg.solve(a, b[..., None])[..., 0]


def _solve_b(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``solve(a[g], b[g])`` for a stack of vectors ``b`` (G, q), and the nonsingular mask."""
    return _stacked(_solve_vec, a, b, out_of=1)


def _inv_b(a: np.ndarray) -> np.ndarray:
    """Inverses of a stack; NaN for singular matrices (fit_ml_cfa's NaN theta_cov)."""
    return _stacked(np.linalg.inv, a)[0]


def _fit_block(
    model: _BatchModel, sb: np.ndarray, n_b: np.ndarray, logdet_s: np.ndarray,
    max_iter: int, tol: float,
) -> dict[str, np.ndarray]:  # fmt: skip
    """The batched fit of a block of groups whose S passed fit_ml_cfa's checks.

    Returns ``done`` (converged by the batched path), ``handover`` (to be fitted by
    :func:`fit_ml_cfa`), ``iterations`` and ``f`` for all groups of the block, and for the
    ``done`` groups in order the arrays of their :class:`MLFit`.
    """
    p, q, nl, nf = model.p, model.q, model.nl, model.nf
    nb = sb.shape[0]

    def fval(theta, s_, logdet_s_):
        """F and W as fit_ml_cfa's fval: F = inf (W NaN) where Sigma or Phi is not PD."""
        lam, phi, psi = model.unpack_b(theta)
        sig = model.sigma_from(lam, phi, psi)
        c, good = _cholesky_b(sig)
        if model.m > 1:
            good &= _cholesky_b(phi)[1]
        if good.all():
            w = np.linalg.inv(sig)
            logdet = 2.0 * np.log(np.diagonal(c, axis1=1, axis2=2)).sum(axis=1)
            # np.trace(S @ W) as fit_ml_cfa, not einsum: a different summation order moves
            # F by ~1e-14, enough to flip the 1e-14 relative line-search test
            return logdet + np.trace(s_ @ w, axis1=1, axis2=2) - logdet_s_ - p, w
        f = np.full(theta.shape[0], np.inf)
        w = np.full(sig.shape, np.nan)
        if good.any():
            f[good], w[good] = fval(theta[good], s_[good], logdet_s_[good])
        return f, w

    # Starting values: _start on the stack, and fit_ml_cfa's fallback where not PD.
    d = np.diagonal(sb, axis1=1, axis2=2)
    wpat = model.pattern.astype(float)
    csum = wpat.T @ sb @ wpat
    sd = np.sqrt(np.diagonal(csum, axis1=1, axis2=2))
    rcor = csum / (sd[:, :, None] * sd[:, None, :])
    lam0 = np.sqrt(0.5 * d)[:, model.li]
    theta = np.concatenate([lam0, 0.8 * rcor[:, model.fi, model.fj], 0.5 * d], axis=1)
    f, w = fval(theta, sb, logdet_s)
    bad = ~np.isfinite(f)
    if bad.any():
        theta[bad] = np.concatenate([lam0[bad], np.zeros((bad.sum(), nf)), 0.5 * d[bad]], axis=1)
        fb, wb = fval(theta[bad], sb[bad], logdet_s[bad])
        f[bad], w[bad] = fb, wb
    # (the fallback start has Phi = I and Psi > 0, so it is PD; should it not be,
    # fit_ml_cfa decides what happens)
    handover = ~np.isfinite(f)

    # Fisher scoring on a compacted copy of the state of the groups still iterating.
    pos = np.flatnonzero(~handover)  # block positions of the active groups
    th_a, f_a, w_a, s_a, ld_a = theta[pos], f[pos], w[pos], sb[pos], logdet_s[pos]
    iterations = np.zeros(nb, dtype="int64")
    done = np.zeros(nb, dtype=bool)

    def finish(rows, it):
        done[pos[rows]] = True
        iterations[pos[rows]] = it
        theta[pos[rows]], f[pos[rows]] = th_a[rows], f_a[rows]

    it = 0
    while it < max_iter and pos.size:
        it += 1
        grad = model.grad_b(th_a, w_a, s_a)
        step = np.empty_like(grad)
        nonsing = np.empty(pos.size, dtype=bool)
        for sl in model.slices(pos.size):  # see _SLICE_BYTES
            step[sl], nonsing[sl] = _solve_b(model.info_b(th_a[sl], w_a[sl]), grad[sl])
        gs = (grad[:, None, :] @ step[:, :, None])[:, 0, 0]  # as grad @ step (BLAS dot)
        with np.errstate(invalid="ignore"):  # NaN steps of singular groups
            conv = nonsing & ((np.max(np.abs(step), axis=1) < tol) | (gs < 1e-15))
        finish(conv, it)
        handover[pos[~nonsing]] = True  # fit_ml_cfa raises its "singular information" error
        keep = nonsing & ~conv
        if not keep.all():
            pos, th_a, f_a, w_a, s_a, ld_a, step, gs = (
                x[keep] for x in (pos, th_a, f_a, w_a, s_a, ld_a, step, gs)
            )
            if not pos.size:
                break
        # Step halving: every group with a pending search tries theta - alpha step; those
        # whose F does not rise beyond rounding accept and drop out. All start at alpha = 1
        # and halve together, so one alpha serves each round.
        cand_t = th_a - step
        fc, wc = fval(cand_t, s_a, ld_a)
        acc = fc <= f_a + 1e-14 * np.abs(f_a)
        # first round (all groups, most accept): adopt the candidate arrays, restore the few
        # rejected groups, instead of copying the accepted majority
        rej = ~acc
        cand_t[rej], fc[rej], wc[rej] = th_a[rej], f_a[rej], w_a[rej]
        th_a, f_a, w_a = cand_t, fc, wc
        pending = np.flatnonzero(rej)
        alpha = 0.5
        while alpha > 1e-8 and pending.size:
            cand_t = th_a[pending] - alpha * step[pending]
            fc, wc = fval(cand_t, s_a[pending], ld_a[pending])
            acc = fc <= f_a[pending] + 1e-14 * np.abs(f_a[pending])
            pa = pending[acc]
            th_a[pa], f_a[pa], w_a[pa] = cand_t[acc], fc[acc], wc[acc]
            pending = pending[~acc]
            alpha /= 2
        if pending.size:
            # No decrease possible along the step: converged if at the optimum up to
            # rounding; otherwise fit_ml_cfa would polish with L-BFGS-B, so it gets them.
            at_opt = np.zeros(pos.size, dtype=bool)
            at_opt[pending] = gs[pending] < 1e-10
            finish(at_opt, it)
            handover[pos[pending[~at_opt[pending]]]] = True
            keep = np.ones(pos.size, dtype=bool)
            keep[pending] = False
            pos, th_a, f_a, w_a, s_a, ld_a = (x[keep] for x in (pos, th_a, f_a, w_a, s_a, ld_a))
    handover[pos] = True  # not converged within max_iter: needs the polish

    # Sign identification, SEs and standardised loadings of the converged groups.
    fin = np.flatnonzero(done)
    lam, phi, psi = model.unpack_b(theta[fin])
    sign = np.where(lam.sum(axis=1) < 0, -1.0, 1.0)  # (G, m)
    lam = lam * sign[:, None, :]
    phi = phi * (sign[:, :, None] * sign[:, None, :])
    th = np.concatenate([lam[:, model.li, model.lj], phi[:, model.fi, model.fj], psi], axis=1)
    sig = model.sigma_from(lam, phi, psi)
    wf = np.linalg.inv(sig)
    theta_cov = np.empty((fin.size, q, q))
    n_f = n_b[fin]
    for sl in model.slices(fin.size):
        theta_cov[sl] = 2.0 * _inv_b(model.info_b(th[sl], wf[sl])) / n_f[sl, None, None]
    var_y = np.diagonal(sig, axis1=1, axis2=2)[:, model.li]
    lam_free = lam[:, model.li, model.lj]
    std = lam_free / np.sqrt(var_y)
    dsd = model.dsigma_diag_b(th)[:, :, model.li].transpose(0, 2, 1)
    jac = -(lam_free / (2 * var_y**1.5))[:, :, None] * dsd
    jac[:, np.arange(nl), np.arange(nl)] += 1 / np.sqrt(var_y)
    std_se = np.sqrt(((jac @ theta_cov) * jac).sum(axis=2))
    return dict(
        done=done, handover=handover, iterations=iterations, f=f, lam=lam, phi=phi, psi=psi,
        sig=sig, theta_cov=theta_cov, std=std, std_se=std_se,
    )  # fmt: skip


def fit_ml_cfa_batch(
    s: np.ndarray,
    n: np.ndarray,
    pattern: np.ndarray,
    *,
    max_iter: int = 200,
    tol: float = 1e-9,
    workers: int | None = None,
) -> list[MLFit | EstimationError]:
    """Fit one confirmatory factor model by maximum likelihood to many covariance matrices.

    The algorithm of :func:`fit_ml_cfa` -- same starting values and fallback start, Fisher
    scoring with the same convergence rule, step halving with the same acceptance rule,
    sign identification and expected-information SEs -- run on all groups at once on
    stacked arrays, with per-group masks in the line search. Groups the batched path does
    not finish -- input :func:`fit_ml_cfa` rejects, a singular information matrix, no
    convergence within ``max_iter`` iterations, a fit that needs its L-BFGS-B polish --
    are passed to :func:`fit_ml_cfa` itself, so their entries are exactly its results.

    Parameters
    ----------
    s : ndarray (G, p, p)
        Sample covariance matrices with divisor N (the ML estimates), one per group.
    n : ndarray (G,)
        Number of observations (complete rows) per group.
    pattern : ndarray of bool (p, m)
        True where an item loads on a factor.
    max_iter, tol : optional
        As in :func:`fit_ml_cfa`.
    workers : int, optional
        Threads that fit contiguous blocks of groups at the same time (numpy releases the
        GIL in the stacked linear algebra, which is most of the time). Default: up to 4,
        at most the number of CPUs, and 1 for fewer than 500 groups. Results do not
        depend on it.

    Returns
    -------
    list of MLFit or EstimationError
        One entry per group, in order: the fit :func:`fit_ml_cfa` returns for that group,
        or the :class:`EstimationError` it raises (returned, not raised).

    Raises
    ------
    ParameterError
        If ``s`` is not a (G, p, p) stack or ``n`` does not have one entry per matrix.

    Notes
    -----
    numpy's stacked linear algebra calls the same LAPACK/BLAS routine on each matrix as
    the single-matrix calls, and the batched code keeps :func:`fit_ml_cfa`'s operation
    order, so the fits agree with it bit for bit on one machine (iterations too). The
    arrays of the returned fits are views into stacked arrays of all groups.
    """
    s = np.asarray(s, dtype="float64")
    n = np.asarray(n)
    if s.ndim != 3 or s.shape[1] != s.shape[2]:
        raise ParameterError(f"s must have shape (G, p, p), got {s.shape}.")
    if n.shape != (s.shape[0],):
        raise ParameterError(f"n must have shape ({s.shape[0]},), got {n.shape}.")
    model = _BatchModel(pattern)
    p, q = model.p, model.q
    n_groups = s.shape[0]

    def single(g: int) -> MLFit | EstimationError:
        try:
            return fit_ml_cfa(s[g], n[g].item(), pattern, max_iter=max_iter, tol=tol)
        except EstimationError as err:
            return err

    df = p * (p + 1) // 2 - q
    if s.shape[1] != p or df < 0 or np.any(model.pattern.sum(axis=0) == 0):
        # wrong for every group (shape, identification): fit_ml_cfa's error for each
        return [single(g) for g in range(n_groups)]
    out: list[MLFit | EstimationError | None] = [None] * n_groups

    # Groups fit_ml_cfa rejects (missing values, n <= p, S not PD) go to it for the error.
    cand = np.flatnonzero(np.isfinite(s).all(axis=(1, 2)) & (n > p))
    chol_s, ok = _cholesky_b(s[cand])
    idx = cand[ok]
    to_single = set(np.setdiff1d(np.arange(n_groups), idx).tolist())
    logdet_s = 2.0 * np.log(np.diagonal(chol_s[ok], axis1=1, axis2=2)).sum(axis=1)
    n_b = n[idx].astype("float64")

    if workers is None:
        workers = 1 if idx.size < 500 else min(4, os.cpu_count() or 1)
    blocks = np.array_split(np.arange(idx.size), max(1, min(workers, idx.size)))

    def run(b: np.ndarray) -> dict[str, np.ndarray]:
        return _fit_block(model, s[idx[b]], n_b[b], logdet_s[b], max_iter, tol)

    if len(blocks) > 1:
        with ThreadPoolExecutor(len(blocks)) as ex:
            results = list(ex.map(run, blocks))
    else:
        results = [run(b) for b in blocks]

    for b, r in zip(blocks, results, strict=True):
        groups = idx[b]
        to_single.update(groups[r["handover"]].tolist())
        done = np.flatnonzero(r["done"])
        fmin, iters = r["f"][done].tolist(), r["iterations"][done].tolist()
        lam, phi, psi, sig = r["lam"], r["phi"], r["psi"], r["sig"]
        tcov, std, std_se = r["theta_cov"], r["std"], r["std_se"]
        for k, g in enumerate(groups[done].tolist()):  # cheap: views into the stacks
            out[g] = MLFit(
                loadings=lam[k], phi=phi[k], psi=psi[k], sigma=sig[k], s=s[g],
                theta_cov=tcov[k], std_loadings=std[k], std_loadings_se=std_se[k],
                fmin=float(fmin[k]), n=int(n[g]), df=int(df), iterations=int(iters[k]),
                converged=True,
            )  # fmt: skip
    for g in sorted(to_single):
        out[g] = single(g)
    return out  # type: ignore[return-value]


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
