"""Nested random intercepts (any depth) from per-group sums."""

from __future__ import annotations

import numpy as np

from berakhlak_research.models.multilevel._fast import centre, criterion_value, sufficient_stats

__all__ = ["NestedCriterion"]


class NestedCriterion:
    """Nested random intercepts (any depth) from per-group sums; ``psi`` = relative sds.

    ``V = sigma^2 H`` with ``H = I + sum_k lambda_k Z_k Z_k'`` (``lambda_k = psi_k^2``,
    level 1 outermost). ``H`` is block diagonal and each block is a parent's
    children's blocks plus ``lambda_k 1 1'``, so Sherman-Morrison applied from the
    innermost level outwards gives, for a node with children's sums ``a = 1'D^-1 1``,
    ``b = X'D^-1 1``, ``c = y'D^-1 1`` and ``w = lambda / (1 + lambda a)``: the
    updates ``X'H^-1X -= w b b'`` (likewise for ``X'H^-1y``, ``y'H^-1y``), ``log|H| +=
    log(1 + lambda a)``, and the node's own sums are ``(a, b, c) / (1 + lambda a)``.
    Innermost groups enter through their size only, so they are pooled by
    (parent, size): one evaluation costs O(nodes above the innermost level * p^2).
    """

    def __init__(self, y, X, codes: list[np.ndarray], reml: bool):
        y, X = centre(y, X)
        self.reml, self.N, self.K = reml, len(y), len(codes)
        self.d = self.N - X.shape[1] if reml else self.N
        self.XtX, self.Xty, self.yty = X.T @ X, X.T @ y, float(y @ y)
        G = int(codes[-1].max()) + 1
        st = sufficient_stats(y, X, codes[-1], G)
        self.inner = st  # innermost groups pooled by size (as the fast path)
        # parents[k][i]: parent (at level k) of node i of level k + 1, 0-based levels.
        self.parents = []
        for k in range(self.K - 1):
            child, par = codes[k + 1], codes[k]
            pmap = np.zeros(int(child.max()) + 1, dtype=np.intp)
            pmap[child] = par
            self.parents.append(pmap)
        self.n_nodes = [int(c.max()) + 1 for c in codes]
        if self.K > 1:
            # Innermost groups pooled by (parent, size): counts and sums of S and t.
            par = self.parents[-1]
            _, size_idx = np.unique(st.n, return_inverse=True)
            key = par * len(st.sizes) + size_idx
            cls, inv = np.unique(key, return_inverse=True)
            self.cls_parent = cls // len(st.sizes)
            self.cls_size = st.sizes[cls % len(st.sizes)]
            nc = len(cls)
            self.cls_count = np.bincount(inv, minlength=nc).astype("float64")
            self.cls_S = np.stack(
                [np.bincount(inv, weights=st.S[:, j], minlength=nc) for j in range(X.shape[1])],
                axis=1,
            )
            self.cls_t = np.bincount(inv, weights=st.t, minlength=nc)

    def __call__(self, psi: np.ndarray) -> tuple[float, float]:
        lam = np.asarray(psi[: self.K], dtype="float64") ** 2
        st = self.inner
        lam_in = lam[-1]
        w = lam_in / (1.0 + lam_in * st.sizes)
        A = st.XtX - np.tensordot(w, st.SS, axes=1)
        c = st.Xty - w @ st.St
        q = st.yty - float(w @ st.tt)
        logdet = float(st.count @ np.log1p(lam_in * st.sizes))
        if self.K > 1:
            shrink = 1.0 / (1.0 + lam_in * self.cls_size)
            a_c = self.cls_count * self.cls_size * shrink
            b_c = self.cls_S * shrink[:, None]
            t_c = self.cls_t * shrink
            owner = self.cls_parent
            for k in range(self.K - 2, -1, -1):  # levels above the innermost, inwards out
                m = self.n_nodes[k]
                a = np.bincount(owner, weights=a_c, minlength=m)
                b = np.stack(
                    [np.bincount(owner, weights=b_c[:, j], minlength=m) for j in range(A.shape[0])],
                    axis=1,
                )
                t = np.bincount(owner, weights=t_c, minlength=m)
                wk = lam[k] / (1.0 + lam[k] * a)
                A = A - (b * wk[:, None]).T @ b
                c = c - (b * wk[:, None]).T @ t
                q -= float(wk @ (t * t))
                logdet += float(np.sum(np.log1p(lam[k] * a)))
                if k:
                    shrink = 1.0 / (1.0 + lam[k] * a)
                    a_c, b_c, t_c = a * shrink, b * shrink[:, None], t * shrink
                    owner = self.parents[k - 1]
        return criterion_value(A, c, q, logdet, self.N, self.reml)
