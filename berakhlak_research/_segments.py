"""Per-group sums and cross-products of the rows of a matrix, by batched BLAS products.

Shared by the psychometric moments (item covariances per government-wave) and
the key-driver correlations (per government, per unit for the cluster
bootstrap). Private to the package.

The rows are ordered by group once and processed in chunks of about
``chunk_rows`` rows of whole groups, so memory stays at one chunk of float64
values. Inside a chunk each group is cut into segments of ``L`` rows (the last
one padded with zero rows, which add nothing to the sums) and the
cross-products are one batched matrix product over the segments, summed back to
groups: BLAS does the k x k products instead of k (k + 1) / 2 weighted
``bincount`` passes, an order of magnitude faster. ``L`` follows the mean group
size (a power of two between 8 and 512), so padding at most doubles the rows.
"""

from __future__ import annotations

import numpy as np

__all__ = ["segment_layout", "segment_sums"]


def segment_layout(sizes: np.ndarray, seg_len: int) -> tuple[np.ndarray, np.ndarray]:
    """Where each member of consecutive groups goes in segments of ``seg_len`` slots.

    Parameters
    ----------
    sizes : ndarray of int, shape (G,)
        Members per group (the members sorted by group, groups in order).
    seg_len : int
        Slots per segment; a segment never holds two groups (the last segment
        of a group is padded).

    Returns
    -------
    seg0 : ndarray of int, shape (G,)
        Each group's first segment (the ``reduceat`` offsets back to groups).
    slot : ndarray of int, shape (sum(sizes),)
        Each member's slot in the padded layout of ``sum(ceil(sizes / seg_len))
        * seg_len`` slots.
    """
    nseg = -(-sizes // seg_len)
    seg0 = np.concatenate([[0], np.cumsum(nseg)[:-1]]).astype(np.intp)
    first = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    pos = np.arange(int(sizes.sum())) - np.repeat(first, sizes)  # position within its group
    slot = (np.repeat(seg0, sizes) + pos // seg_len) * seg_len + pos % seg_len
    return seg0, slot


def segment_sums(
    x: np.ndarray,
    codes: np.ndarray,
    n_groups: int,
    *,
    rows: np.ndarray | None = None,
    center: np.ndarray | None = None,
    chunk_rows: int = 500_000,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row counts, sums and cross-products of ``x - center`` within each group.

    Parameters
    ----------
    x : ndarray, shape (N, k)
        Values (any float dtype; sums are accumulated in float64). Must be finite
        on the rows used.
    codes : ndarray of int, shape (N,)
        Group 0..n_groups-1 of each row.
    n_groups : int
        Number of groups.
    rows : ndarray of int, optional
        The rows to use (default all rows with ``codes >= 0``).
    center : ndarray, shape (k,), optional
        Subtracted from every row before the products (a value near the mean
        keeps the sums small, numerically safer than raw sums); default 0.
    chunk_rows : int, default 500,000
        Rows converted to float64 at a time (the memory bound).

    Returns
    -------
    n : ndarray of int64, shape (G,)
        Rows per group.
    sums : ndarray, shape (G, k)
        Sums of ``x - center``.
    cross : ndarray, shape (G, k, k)
        Sums of the outer products of ``x - center``.
    """
    codes = np.asarray(codes)
    k = x.shape[1]
    if rows is None:
        rows = np.flatnonzero(codes >= 0)
    center = np.zeros(k) if center is None else np.asarray(center, dtype="float64")
    order = rows[np.argsort(codes[rows], kind="stable")]
    n = np.bincount(codes[rows], minlength=n_groups)
    starts = np.concatenate([[0], np.cumsum(n)[:-1]])
    sums = np.zeros((n_groups, k))
    cross = np.zeros((n_groups, k, k))
    nonempty = np.flatnonzero(n > 0)
    mean_size = rows.size / max(nonempty.size, 1)
    seg_len = int(2 ** np.clip(np.floor(np.log2(max(mean_size, 1.0))), 3, 9))
    # chunks of whole groups: a new chunk starts where a group's first row crosses a
    # multiple of chunk_rows (a group bigger than that is a chunk of its own)
    block = starts[nonempty] // chunk_rows
    cut = [0, *(np.flatnonzero(np.diff(block)) + 1).tolist(), nonempty.size]
    if nonempty.size == 0:
        cut = []
    for c0, c1 in zip(cut[:-1], cut[1:], strict=True):  # chunks of rows, a handful
        groups = nonempty[c0:c1]
        r0 = starts[groups[0]]
        r1 = starts[groups[-1]] + n[groups[-1]]
        ng = n[groups]
        # row -> (segment, slot): segments of seg_len rows that never cross a group
        seg0, slot = segment_layout(ng, seg_len)
        src = np.full(int((-(-ng // seg_len)).sum()) * seg_len, -1, dtype=np.int64)
        src[slot] = order[r0:r1]
        pad = src < 0
        # one gather straight into the padded layout; padding rows are zeros
        padded = x[np.where(pad, 0, src)].astype("float64") - center
        padded[pad] = 0.0
        padded = padded.reshape(-1, seg_len, k)
        sums[groups] = np.add.reduceat(padded.sum(axis=1), seg0, axis=0)
        prod = np.matmul(padded.transpose(0, 2, 1), padded)  # (segments, k, k)
        cross[groups] = np.add.reduceat(prod, seg0, axis=0)
    return n.astype("int64"), sums, cross
