"""Observed-scale truth of the simulated culture survey: value-score moments and ICCs.

The simulator's variance components (``Params.var_gov`` ...) live on the
*latent* scale. The package's estimators see *observed* value scores: a
respondent's value score ``S`` is the mean of the value's answered items
scored 0-100 (``"mean"``: ``(x - 1) x 25``; ``"favourable"``: 100 if the
answer is 4 or 5, else 0). This module computes, exactly, the moments of
``S`` implied by the model, and from them the variance decomposition and
ICCs an estimator fitted to observed scores should recover.

Model (``docs/simulation.md``), for one value with items j = 1, 2, 3::

    eta = b + P,   P ~ N(0, var_person)       (b = gov + unit + trend + shift)
    y*_j = lambda_j eta + psi_j e_j,          psi_j = sqrt(1 - lambda_j^2)
    answer_j = 1 + #{k : y*_j > tau_jk}, missing (MCAR) with probability p

Exact ingredients:

* Tail probabilities ``P(answer_j > k | x, s2) = Phi((lambda_j x - tau_jk) /
  sqrt(lambda_j^2 s2 + psi_j^2))`` for a latent mean ``x`` and a remaining
  normal latent variance ``s2`` (``s2 = 0`` given eta). With ``N_j`` the
  number of thresholds exceeded, ``E[N_j] = sum_k P(N_j >= k)`` and
  ``E[N_j^2] = sum_k (2k - 1) P(N_j >= k)``, closed form for any ``s2``.
* Missingness: the 8 answered/missing patterns ``A`` of the three items are
  enumerated (:func:`pattern_weights`); a respondent with no item answered
  has no score and is excluded, so weights are conditional on ``|A| >= 1``.
  ``E[S] = sum_A P(A) mean_{j in A} E[s_j]`` and, items being independent
  given eta, ``E[S^2 | eta] = d1 sum_j E[s_j^2] + d2 sum_{j != l} E[s_j] E[s_l]``
  with ``d1 = E[1{j in A} / |A|^2]``, ``d2 = E[1{j, l in A} / |A|^2]``.
* ``E[S | b]`` is therefore closed form (the Gauss-Hermite integral over the
  person component done analytically); ``E[S^2 | b]`` integrates
  ``E[S^2 | eta]`` over ``P`` by Gauss-Hermite quadrature.
* Variance components (:func:`variance_components`) are Gauss-Hermite
  integrals of these closed forms over the normal government, unit and
  person components. The overall score (mean of the respondent's available
  value scores) needs pairs of values, whose components are bivariate normal
  with the exchangeable correlations of each level; because a normal mixture
  of the closed form is again closed form (``E[E[S | Y] | X]`` only widens
  ``s2``), ``E[f_v(X) f_u(Y)] = E_X[f_v(X) E[f_u(Y) | X]]`` is a 1-D integral
  too. The overall decomposition is therefore exact as well (no Monte Carlo).

The quadrature has 64 nodes; the integrands are smooth (normal CDFs of a
linear function of the node), so results agree with 128 nodes to about
1e-11 on the 0-100 scale (tested, and tested against a large Monte Carlo
draw).
"""

from __future__ import annotations

import itertools
from functools import lru_cache

import numpy as np
import pandas as pd
from numpy.polynomial.hermite_e import hermegauss
from scipy.special import ndtr

from berakhlak_research.exceptions import ParameterError
from berakhlak_research.framework import VALUE_CODES
from berakhlak_research.simulate import _params as P

__all__ = [
    "SCORINGS",
    "N_NODES",
    "pattern_weights",
    "expected_value_scores",
    "conditional_moments",
    "conditional_overall_moments",
    "satisfaction_within_variance",
    "variance_components",
    "observed_scale_truth",
]

SCORINGS = ("mean", "favourable")
"""Value-score scorings, as in :mod:`berakhlak_research.indices.culture`."""

N_NODES = 64
"""Gauss-Hermite nodes."""

_COLUMNS = ["value", "scoring", "mean", "var_gov", "var_unit", "var_within", "var_total",
            "icc_gov", "icc_unit", "icc_unit_within_gov"]  # fmt: skip


@lru_cache(maxsize=8)
def _gh(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights with ``sum w f(z) = E f(Z)``, ``Z ~ N(0, 1)``."""
    z, w = hermegauss(n)
    return z, w / w.sum()


def _check_scoring(scoring: str) -> None:
    if scoring not in SCORINGS:
        raise ParameterError(f"scoring must be one of {SCORINGS}, got {scoring!r}.")


def _items(params: P.Params) -> tuple[np.ndarray, np.ndarray]:
    """Loadings (7, 3) and thresholds (7, 3, 4) of each value's three items."""
    iv = params.item_value_index()
    order = np.stack([np.flatnonzero(iv == v) for v in range(len(VALUE_CODES))])
    return np.asarray(params.loadings, dtype=float)[order], params.thresholds()[order]


def pattern_weights(p: float, k: int = 3) -> tuple[float, float, float]:
    """Weights of the answered/missing patterns of ``k`` exchangeable parts (MCAR).

    Every one of the ``2^k`` patterns ``A`` (part answered or missing, each
    missing with probability ``p``) is enumerated; the pattern with nothing
    answered is excluded (no score), so the weights are conditional on
    ``|A| >= 1``.

    Parameters
    ----------
    p : float
        Probability that one part is missing (an item: ``item_missing``; a
        whole value of three items: ``item_missing ** 3``).
    k : int, default 3
        Number of parts (3 items of a value, 7 values of the overall score).

    Returns
    -------
    tuple of float
        ``(a, d1, d2)``: ``a = E[1{j in A} / |A|]`` (weight of a part in the
        mean, ``1 / k``), ``d1 = E[1{j in A} / |A|^2]`` (weight of a part's
        square in the squared mean), ``d2 = E[1{j, l in A} / |A|^2]`` for
        ``j != l`` (weight of a cross product).
    """
    if not 0.0 <= p < 1.0:
        raise ParameterError(f"missing probability must be in [0, 1), got {p!r}.")
    a = d1 = d2 = tot = 0.0
    for pat in itertools.product((0, 1), repeat=k):  # 2^k patterns (8 or 128)
        m = sum(pat)
        if m == 0:
            continue
        prob = (1.0 - p) ** m * p ** (k - m)
        tot += prob
        if pat[0]:
            a += prob / m
            d1 += prob / m**2
            if pat[1]:
                d2 += prob / m**2
    return a / tot, d1 / tot, d2 / tot


def _item_moments(x, s2, lam, tau, scoring):
    """First and second moments of the three item scores of each value.

    ``x`` has shape (..., 7) (latent mean per value), ``s2`` is the latent
    variance still to integrate over (closed form). Returns two arrays of
    shape (..., 7, 3): ``E[s_j]`` and ``E[s_j^2]`` on 0-100.
    """
    x = np.asarray(x, dtype=float)
    scale = np.sqrt(lam**2 * s2 + 1.0 - lam**2)  # (7, 3)
    # One big temporary, transformed in place (memory-bound at many rows).
    t = (x[..., None, None] * (lam / scale)[..., None]) - tau / scale[..., None]  # (..., 7, 3, 4)
    ndtr(t, out=t)
    if scoring == "mean":
        t0, t1, t2, t3 = t[..., 0], t[..., 1], t[..., 2], t[..., 3]
        m1 = 25.0 * (t0 + t1 + t2 + t3)
        m2 = 625.0 * (t0 + 3.0 * t1 + 5.0 * t2 + 7.0 * t3)
    else:
        m1 = 100.0 * t[..., 2]
        m2 = 100.0 * m1
    return m1, m2


def expected_value_scores(
    b: np.ndarray, params: P.Params | None = None, scoring: str = "mean"
) -> np.ndarray:
    """Expected value score ``E[S | b]`` of a respondent, exact (closed form).

    This is the mean an infinite number of respondents with between-person
    latent mean ``b`` (government + unit effect + trend + programme shift)
    would give.

    Parameters
    ----------
    b : array_like, shape (..., 7)
        Latent mean of each value (BP..KB order).
    params : Params, optional
        Simulator parameters (default :func:`default_params`).
    scoring : {"mean", "favourable"}

    Returns
    -------
    numpy.ndarray, shape (..., 7)
        Expected value scores on 0-100. The expected overall score (mean of
        the available value scores) is their mean over the last axis (the
        missingness of a whole value is exchangeable across values).
    """
    _check_scoring(scoring)
    params = params or P.default_params()
    lam, tau = _items(params)
    m1, _ = _item_moments(b, params.var_person, lam, tau, scoring)
    # MCAR: every answered pattern weighs the three items equally (a = 1/3).
    a, _, _ = pattern_weights(params.item_missing)
    return 3.0 * a * m1.mean(axis=-1)


def _second(m1, m2, d1, d2):
    """``E[S^2 | eta]`` (..., 7) from the item moments given eta (items independent)."""
    s1 = m1.sum(axis=-1)
    return d1 * m2.sum(axis=-1) + d2 * (s1**2 - (m1**2).sum(axis=-1))


def _second_given_eta(eta, lam, tau, scoring, d1, d2):
    """``E[S^2 | eta]`` (..., 7)."""
    return _second(*_item_moments(eta, 0.0, lam, tau, scoring), d1, d2)


def conditional_moments(
    b: np.ndarray,
    params: P.Params | None = None,
    scoring: str = "mean",
    n_nodes: int = N_NODES,
    block: int = 2048,
) -> tuple[np.ndarray, np.ndarray]:
    """``E[S | b]`` and ``E[S^2 | b]`` of a value score by Gauss-Hermite quadrature.

    The person component ``P ~ N(0, var_person)`` is integrated by
    ``n_nodes``-point Gauss-Hermite quadrature; given ``eta = b + P`` the
    answer probabilities are normal CDFs and the items independent. Both
    moments come from the quadrature (the first also has the closed form of
    :func:`expected_value_scores`, which the tests compare).

    Parameters
    ----------
    b : array_like, shape (..., 7)
        Between-person latent mean of each value.
    params : Params, optional
    scoring : {"mean", "favourable"}
    n_nodes : int, default 64
    block : int, default 2048
        Rows of ``b`` integrated at once (bounds memory: ``block x n_nodes x 84``).

    Returns
    -------
    tuple of numpy.ndarray
        ``(first, second)``, each of shape (..., 7), on 0-100 (second: its
        square). ``Var(S | b) = second - first**2``.
    """
    _check_scoring(scoring)
    params = params or P.default_params()
    lam, tau = _items(params)
    a, d1, d2 = pattern_weights(params.item_missing)
    z, w = _gh(n_nodes)
    b = np.asarray(b, dtype=float)
    flat = b.reshape(-1, b.shape[-1])
    first = np.empty(flat.shape)
    second = np.empty(flat.shape)
    sd = np.sqrt(params.var_person)
    for i in range(0, len(flat), block):  # blocks of rows, bounded memory
        eta = flat[i : i + block, None, :] + sd * z[None, :, None]  # (rows, nodes, 7)
        m1, m2 = _item_moments(eta, 0.0, lam, tau, scoring)
        first[i : i + block] = np.einsum("rnv,n->rv", 3.0 * a * m1.mean(axis=-1), w)
        second[i : i + block] = np.einsum("rnv,n->rv", _second(m1, m2, d1, d2), w)
    return first.reshape(b.shape), second.reshape(b.shape)


def conditional_overall_moments(
    b: np.ndarray,
    params: P.Params | None = None,
    scoring: str = "mean",
    n_nodes: int = N_NODES,
    block: int = 1024,
) -> tuple[np.ndarray, np.ndarray]:
    """``E[O | b]`` and ``E[O^2 | b]`` of the overall score (mean of the available value scores).

    The seven values' person components are exchangeable-correlated, so the
    cross products ``E[S_v S_w | b]`` integrate over a correlated pair; given
    ``P_v``, ``P_w ~ N(rho P_v, var_person (1 - rho^2))`` and ``E[S_w | .]``
    integrates over it in closed form, leaving a 1-D Gauss-Hermite integral.
    A whole value is missing with probability ``item_missing^3``; the
    availability patterns of the seven values are enumerated
    (:func:`pattern_weights`).

    Parameters
    ----------
    b : array_like, shape (n, 7)
        Between-person latent mean of each value (rows: unit-waves, say).
    params : Params, optional
    scoring : {"mean", "favourable"}
    n_nodes : int, default 64
    block : int, default 1024
        Rows integrated at once (bounds memory).

    Returns
    -------
    tuple of numpy.ndarray
        ``(first, second)``, each of shape (n,): ``E[O | b]`` and ``E[O^2 | b]``.
    """
    _check_scoring(scoring)
    params = params or P.default_params()
    lam, tau = _items(params)
    a, d1, d2 = pattern_weights(params.item_missing)
    b = np.atleast_2d(np.asarray(b, dtype=float))
    k = b.shape[-1]
    _, c1, c2 = pattern_weights(params.item_missing**3, k)
    off = ~np.eye(k, dtype=bool)
    z, w = _gh(n_nodes)
    vp, rho = params.var_person, params.rho_person
    pv = np.sqrt(vp) * z  # person component of value v at the nodes
    first = np.empty(len(b))
    second = np.empty(len(b))
    for i in range(0, len(b), block):  # blocks of rows, bounded memory
        bb = b[i : i + block, None, :]
        # Given eta = b + pv: item moments, E[S_v | eta_v] = f and E[S_v^2 | eta_v].
        m1, m2 = _item_moments(bb + pv[None, :, None], 0.0, lam, tau, scoring)
        f = a * m1.sum(axis=-1)
        sq = _second(m1, m2, d1, d2)
        # g[r, i, u] = E[S_u | b, P_v = pv_i] for u != v (the person pair's conditional law).
        g = a * _item_moments(bb + rho * pv[None, :, None], vp * (1 - rho**2), lam, tau,
                              scoring)[0].sum(axis=-1)  # fmt: skip
        cross = np.einsum("i,riv,riu->rvu", w, f, g)  # E[S_v S_u | b] for v != u
        # A whole value's missingness is exchangeable across values: E[O | b] = mean_v E[S_v | b].
        first[i : i + block] = np.einsum("riv,i->r", f, w) / k
        second[i : i + block] = c1 * np.einsum("riv,i->r", sq, w) + c2 * cross[:, off].sum(-1)
    return first, second


def satisfaction_within_variance(q: np.ndarray, item_missing: float) -> np.ndarray:
    """Variance of one citizen's satisfaction score given the unit-period's answer probabilities.

    A citizen answers SKM element k with ``1 + Binomial(3, q_k)`` (missing
    MCAR with probability ``item_missing``); the satisfaction score is 25 x the
    mean of the answered elements (25-100, as
    :func:`berakhlak_research.models.value_chain.culture_link.satisfaction_scores`; a
    response with nothing answered is dropped). Elements are independent
    given ``q``, so with the answered set ``A``
    ``Var = 625 E[sum_{k in A} 3 q_k (1 - q_k) / |A|^2] = 625 x 3 d1 sum_k q_k (1 - q_k)``,
    ``d1`` from the enumeration of the answered/missing patterns
    (:func:`pattern_weights`).

    Parameters
    ----------
    q : array_like, shape (..., k)
        Answer probabilities of the k elements (after clipping).
    item_missing : float

    Returns
    -------
    numpy.ndarray, shape (...)
        Within-unit-period variance of the score, in squared points.
    """
    q = np.asarray(q, dtype=float)
    _, d1, _ = pattern_weights(item_missing, q.shape[-1])
    return 625.0 * 3.0 * d1 * (q * (1.0 - q)).sum(axis=-1)


def variance_components(
    params: P.Params | None = None,
    scoring: str = "mean",
    wave: int = P.WAVES[0],
    n_nodes: int = N_NODES,
) -> pd.DataFrame:
    """Observed-scale variance decomposition of value scores and the overall score.

    For the untreated potential outcome in ``wave`` (latent mean = the wave's
    trend; at 2022, the truth's wave, nobody is treated yet), with ``G`` the
    government and ``U`` the unit effects:

    * ``var_gov = Var_G(E[S | G])`` (between governments);
    * ``var_unit = E_G Var_U(E[S | G, U] | G)`` (between units within a government);
    * ``var_within = E Var(S | G, U)`` (between respondents within a unit);
    * ``icc_gov = var_gov / var_total`` (two respondents of one government,
      different units), ``icc_unit = (var_gov + var_unit) / var_total`` (two
      respondents of one unit), ``icc_unit_within_gov = var_unit / var_total``.

    The overall score is the respondent's mean of their available value
    scores; its decomposition uses the joint normal law of the seven values'
    components (exchangeable correlations by level), exactly.

    Parameters
    ----------
    params : Params, optional
    scoring : {"mean", "favourable"}
    wave : int, default 2022
    n_nodes : int, default 64
        Gauss-Hermite nodes.

    Returns
    -------
    pandas.DataFrame
        One row per value (BP..KB) and ``overall``: ``value, scoring, mean,
        var_gov, var_unit, var_within, var_total, icc_gov, icc_unit,
        icc_unit_within_gov`` (scores on 0-100, variances in squared points).
    """
    _check_scoring(scoring)
    params = params or P.default_params()
    if wave not in P.WAVES:
        raise ParameterError(f"wave must be one of {P.WAVES}, got {wave!r}.")
    shift = params.trend[P.WAVES.index(wave)]
    lam, tau = _items(params)
    a, d1, d2 = pattern_weights(params.item_missing)
    vg, vu, vp = params.var_gov, params.var_unit, params.var_person
    tot = vg + vu + vp
    z, w = _gh(n_nodes)
    k = len(VALUE_CODES)
    ones = np.ones(k)

    def mean_given(x, s2):  # E[S | latent mean x, remaining variance s2], x (..., 7)
        return 3.0 * a * _item_moments(x, s2, lam, tau, scoring)[0].mean(axis=-1)

    def nodes1(var):  # 1-D nodes per value: (n, 7)
        return (shift + np.sqrt(var) * z)[:, None] * ones

    # Level functions: E[S | eta] (s2 = 0), E[S | G, U] (s2 = vp), E[S | G] (s2 = vu + vp),
    # with the level's variance and the correlation of two values' components there.
    levels = {
        "eta": (tot, (vg * params.rho_gov + vu * params.rho_unit + vp * params.rho_person) / tot,
                0.0),
        "gu": (vg + vu, (vg * params.rho_gov + vu * params.rho_unit) / (vg + vu), vp),
        "g": (vg, params.rho_gov, vu + vp),
    }  # fmt: skip
    sq, cross = {}, {}
    for name, (var, rho, s2) in levels.items():  # three levels
        x = nodes1(var)  # (n, 7)
        f = mean_given(x, s2)
        if name == "eta":
            sq[name] = w @ _second_given_eta(x, lam, tau, scoring, d1, d2)  # E[S^2]
        else:
            sq[name] = w @ f**2  # E[E[S | level]^2]
        # Pairs of values: Y | X ~ N(shift + rho (X - shift), var (1 - rho^2)), and
        # integrating E[S | level] over that normal is again closed form (s2 grows), so
        # E[f_v(X) f_u(Y)] = E_X[f_v(X) E[f_u(Y) | X]] is a 1-D quadrature.
        g = mean_given(shift + rho * (x - shift), s2 + var * (1 - rho**2))
        cross[name] = np.einsum("i,iv,iu->vu", w, f, g)
    mean = mean_given(np.full(k, shift), tot)  # E[S], closed form

    rows = []
    for j, v in enumerate(VALUE_CODES):
        e_s2, e_gu2, e_g2 = sq["eta"][j], sq["gu"][j], sq["g"][j]
        rows.append([v, mean[j], e_g2 - mean[j] ** 2, e_gu2 - e_g2, e_s2 - e_gu2])
    # Overall: O = mean of the available value scores. A whole value is missing
    # with probability p^3; E[O | b] = mean_v E[S_v | b] exactly (exchangeable).
    _, c1, c2 = pattern_weights(params.item_missing**3, k)
    off = ~np.eye(k, dtype=bool)
    e_o = mean.mean()
    e_o2 = c1 * sq["eta"].sum() + c2 * cross["eta"][off].sum()
    e_ogu2 = (sq["gu"].sum() + cross["gu"][off].sum()) / k**2
    e_og2 = (sq["g"].sum() + cross["g"][off].sum()) / k**2
    rows.append(["overall", e_o, e_og2 - e_o**2, e_ogu2 - e_og2, e_o2 - e_ogu2])
    out = pd.DataFrame(rows, columns=["value", "mean", "var_gov", "var_unit", "var_within"])
    out.insert(1, "scoring", scoring)
    out["var_total"] = out[["var_gov", "var_unit", "var_within"]].sum(axis=1)
    out["icc_gov"] = out["var_gov"] / out["var_total"]
    out["icc_unit"] = (out["var_gov"] + out["var_unit"]) / out["var_total"]
    out["icc_unit_within_gov"] = out["var_unit"] / out["var_total"]
    return out[_COLUMNS]


def observed_scale_truth(params: P.Params | None = None, wave: int = P.WAVES[0]) -> dict:
    """The observed-scale truth block of ``truth.json`` (``truth["culture"]["observed_scale"]``).

    Returns
    -------
    dict
        ``wave``, ``definition`` (text), ``method`` (text) and, for each scoring
        ``"mean"`` and ``"favourable"``, a dict keyed by value code and
        ``"overall"`` of ``mean, var_gov, var_unit, var_within, var_total,
        icc_gov, icc_unit, icc_unit_within_gov`` (see :func:`variance_components`).
    """
    out = {
        "wave": int(wave),
        "definition": (
            "respondent value score S = mean of the value's answered items on 0-100 "
            "(mean: (x-1)*25; favourable: 100 if 4-5), overall = mean of the available value "
            "scores; untreated wave; var_gov = Var_G(E[S|G]), var_unit = E_G Var_U(E[S|G,U]|G), "
            "var_within = E Var(S|G,U); icc_gov = var_gov/var_total, icc_unit = "
            "(var_gov+var_unit)/var_total"
        ),
        "method": (
            "exact: closed-form normal-CDF answer probabilities, the 8 answered/missing item "
            f"patterns (MCAR), {N_NODES}-node Gauss-Hermite quadrature over the normal "
            "components (bivariate normal pairs of values for the overall score)"
        ),
    }
    for scoring in SCORINGS:  # two scorings
        tab = variance_components(params, scoring, wave).set_index("value")
        out[scoring] = {
            v: {c: float(tab.loc[v, c]) for c in _COLUMNS[2:]} for v in [*VALUE_CODES, "overall"]
        }
    return out
