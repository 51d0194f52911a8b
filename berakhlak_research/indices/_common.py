"""Helpers shared by the index modules: fast factorising, band lookup, suppression flags."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import numpy as np
from threadpoolctl import threadpool_limits

from berakhlak_research.exceptions import ParameterError
from berakhlak_research.framework import (
    BAND_TOLERANCE,
    SUPPRESSION_FLOOR,
    SUPPRESSION_MIN_GROUP,
    Band,
)
from berakhlak_research.survey import factorize_columns

__all__ = [
    "factorize_columns",
    "band_codes",
    "check_min_group",
    "n_threads",
    "parallel_map",
    "MIN_GROUP",
    "MIN_GROUP_FLOOR",
]

_T = TypeVar("_T")
_R = TypeVar("_R")

MIN_GROUP = SUPPRESSION_MIN_GROUP
"""Default smallest group shown in report-facing outputs (FEVS / UK People Survey convention)."""

MIN_GROUP_FLOOR = SUPPRESSION_FLOOR
"""``min_group`` may never be set below this."""


def check_min_group(min_group: int) -> int:
    """Validate a suppression threshold: an integer of at least :data:`MIN_GROUP_FLOOR`.

    Parameters
    ----------
    min_group : int
        The smallest group shown.

    Returns
    -------
    int
        ``min_group`` as an int.

    Raises
    ------
    ParameterError
        If it is not an integer or is below the floor of 5.
    """
    try:
        value = int(min_group)
    except (TypeError, ValueError) as err:
        raise ParameterError(f"min_group must be an integer, got {min_group!r}.") from err
    if value < MIN_GROUP_FLOOR or value != min_group:
        raise ParameterError(
            f"min_group={min_group!r} is not allowed: groups smaller than "
            f"{MIN_GROUP_FLOOR} respondents are never shown. Use {MIN_GROUP_FLOOR} or more."
        )
    return value


def band_codes(scores: np.ndarray, bands: tuple[Band, ...]) -> np.ndarray:
    """Index (into ``bands``, best first) of each score's band, int8; -1 for missing scores."""
    s = np.asarray(scores, dtype=float)
    lower = np.array([b.lower for b in bands], dtype=float)
    inclusive = np.array([b.lower_inclusive for b in bands], dtype=bool)
    if np.all(lower[1:] < lower[:-1]):
        # Lower limits falling from the best band down: a score's band index is the number
        # of bands it fails to reach, capped at the last band (one comparison per band;
        # bool sums, no masked writes).
        missed = np.zeros(s.shape, dtype=np.int8)
        for lo, inc in zip(lower[:-1], inclusive[:-1], strict=True):  # bands, not data
            missed += (s < lo - BAND_TOLERANCE) if inc else (s <= lo + BAND_TOLERANCE)
        missed[~np.isfinite(s)] = -1
        return missed
    out = np.full(s.shape, -1, dtype=np.int8)
    todo = np.isfinite(s)
    for i, band in enumerate(bands):  # a handful of bands, not data
        if band.lower_inclusive:
            hit = todo & (s >= band.lower - BAND_TOLERANCE)
        else:
            hit = todo & (s > band.lower + BAND_TOLERANCE)
        out[hit] = i
        todo &= ~hit
    out[todo] = len(bands) - 1
    return out


def n_threads() -> int:
    """Threads for the array passes: the CPUs this process may use.

    ``BERAKHLAK_THREADS`` overrides, e.g. 1 inside a process pool that already
    uses every core.

    Returns
    -------
    int
        At least 1.
    """
    env = os.environ.get("BERAKHLAK_THREADS", "").strip()
    if env:
        try:
            return max(1, int(env))
        except ValueError as err:
            raise ParameterError(f"BERAKHLAK_THREADS must be an integer, got {env!r}.") from err
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def parallel_map(fn: Callable[[_T], _R], items: Iterable[_T]) -> list[_R]:
    """``[fn(x) for x in items]`` on up to :func:`n_threads` threads, results in order.

    Worth it only for functions whose time is spent in numpy passes over arrays,
    which release the GIL; BLAS is held to one thread meanwhile. The first
    exception is re-raised.
    """
    items = list(items)
    workers = min(n_threads(), len(items))
    if workers <= 1:
        return [fn(x) for x in items]
    # BLAS threads on top of ours oversubscribe the cores (the small matrix products of
    # culture.py ran slower on 2 threads than on 1 until BLAS was held to one thread).
    with threadpool_limits(1, user_api="blas"), ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(fn, items))
