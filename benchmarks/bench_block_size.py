"""Why the culture pattern-count pass works in cache-sized row blocks (indices/culture.py).

One value's pass over 4.3 million respondents in 40,000 units (rows grouped by unit):
pattern code of its three answers, (unit, pattern) counts by ``np.bincount``, the float32
product that turns counts into sufficient statistics, and the packed-score lookup -
over all rows at once, then over row blocks cut at unit boundaries. Prints the best of
three per block count; results are quoted in ``benchmarks/results/measure.md``.

Run: ``.venv/bin/python benchmarks/bench_block_size.py``.
"""

from __future__ import annotations

import time

import numpy as np

N, UNITS, K1 = 4_300_000, 40_000, 6
K3 = K1**3


def main() -> None:
    rng = np.random.default_rng(0)
    cell = np.sort(rng.integers(0, UNITS, N))
    items = [rng.integers(0, K1, N).astype(np.int8) for _ in range(3)]
    to_stats = rng.random((K3, 17)).astype(np.float32)
    packed_tiled = np.tile(rng.integers(0, 100, K3).astype(np.int16), UNITS)

    def one_value(r0: int, r1: int, c0: int, c1: int) -> None:
        base = (cell[r0:r1] - c0) * K3
        x = [it[r0:r1] for it in items]
        code = x[0].astype(np.uint8)
        code *= K1
        code += x[1].view(np.uint8)
        code *= K1
        code += x[2].view(np.uint8)
        cell_code = np.add(base, code, dtype=np.intp)
        counts = np.bincount(cell_code, minlength=(c1 - c0) * K3).reshape(c1 - c0, K3)
        (counts.astype(np.float32) @ to_stats).astype(np.float64)
        np.take(packed_tiled, cell_code)

    for n_blocks in (1, 8, 32, 64, 128, 256):
        cuts = np.searchsorted(cell, cell[np.arange(1, n_blocks) * N // n_blocks])
        rows = np.unique(np.concatenate([[0], cuts, [N]]))
        cells_at = np.append(cell[rows[:-1]], UNITS)
        blocks = list(zip(rows[:-1], rows[1:], cells_at[:-1], cells_at[1:], strict=True))
        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            for b in blocks:  # a handful of blocks, not units or respondents
                one_value(*b)
            best = min(best, time.perf_counter() - t0)
        print(
            f"{n_blocks:4d} blocks (~{N // n_blocks:,} rows each): {best * 1000:6.1f} ms per value"
        )


if __name__ == "__main__":
    main()
