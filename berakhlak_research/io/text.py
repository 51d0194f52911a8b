"""Header text normalisation, shared by the header, label and instrument modules.

Its own module so that :mod:`.instruments` and :mod:`.headers` can both use it
without importing each other.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["norm_header"]


def norm_header(text: object) -> str:
    """Normalise a header: lower case, no accents, punctuation and spacing to single spaces."""
    t = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    t = re.sub(r"[^0-9a-z]+", " ", t.lower())
    return t.strip()
