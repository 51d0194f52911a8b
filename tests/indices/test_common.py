"""Band lookup: the vectorised band index equals the rule of ``Band.admits``, boundaries included."""

import numpy as np
import pytest

from berakhlak_research.framework import CULTURE_CATEGORIES, IKM_BANDS, Band
from berakhlak_research.indices._common import band_codes


def _by_rule(score: float, bands) -> int:
    """The first band from the top that admits the score; the last band below all."""
    if not np.isfinite(score):
        return -1
    for i, band in enumerate(bands):
        if band.admits(score):
            return i
    return len(bands) - 1


TABLES = {
    "culture": CULTURE_CATEGORIES,
    **{f"ikm_{k}": v for k, v in IKM_BANDS.items()},
    # Unordered limits and an exclusive limit: the general path.
    "unordered": (
        Band("X", 50.0, "x", "x"),
        Band("Y", 70.0, "y", "y", lower_inclusive=False),
        Band("Z", 0.0, "z", "z"),
    ),
    "exclusive": (
        Band("P", 60.0, "p", "p", lower_inclusive=False),
        Band("Q", 30.0, "q", "q"),
        Band("R", 10.0, "r", "r", lower_inclusive=False),
    ),
}


@pytest.mark.parametrize("name", sorted(TABLES))
def test_band_codes_follow_the_admission_rule(name):
    bands = TABLES[name]
    rng = np.random.default_rng(3)
    limits = np.array([b.lower for b in bands])
    scores = np.concatenate(
        [
            rng.uniform(-10, 110, 2_000),
            limits,  # exactly on each limit
            np.nextafter(limits, -np.inf),
            np.nextafter(limits, np.inf),
            [np.nan, np.inf, -np.inf, -5.0, 0.0, 100.0],
        ]
    )
    got = band_codes(scores, bands)
    want = np.array([_by_rule(s, bands) for s in scores])
    np.testing.assert_array_equal(got, want)
    assert got.dtype == np.int8
    even = scores.size // 2 * 2  # any shape works
    np.testing.assert_array_equal(
        band_codes(scores[:even].reshape(-1, 2), bands), want[:even].reshape(-1, 2)
    )


def test_scores_within_rounding_of_a_limit_are_on_it():
    """75 computed as 74.99999999999999 is 75: category A, not B; 74.999 stays B."""
    limit = 75.0
    scores = np.array([np.nextafter(limit, 0), limit - 1e-12, limit, limit - 1e-3, 100 * 15 / 20])
    got = band_codes(scores, CULTURE_CATEGORIES)
    np.testing.assert_array_equal(got, [0, 0, 0, 1, 0])
    exclusive = TABLES["exclusive"]
    # "more than 60": 60 plus noise is still 60, so not in the band
    np.testing.assert_array_equal(band_codes(np.array([60 + 1e-12, 60.001]), exclusive), [1, 0])
