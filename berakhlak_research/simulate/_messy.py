"""Realistic defects for ``--messy`` runs, each one recorded where it sits in the file.

Every defect is a dict: ``file``, ``table``, ``row`` (as seen in the file,
1-based, the header counted; in a workbook the sheet's own row), ``column``
(the header as written), ``value`` (as written), ``rule`` (what it breaks),
``kind`` (the key of :data:`RULES`), ``expect`` ("reject": the data layer must quarantine the row; "accept": it
must read the row correctly anyway) and, for duplicates, ``duplicate_of`` (the
original's row) and ``rows`` (both rows: the key rule is broken by the pair,
and the data layer quarantines both).
Defects change existing cells in place, except duplicates, which are appended
at the end of their file, so no other row number moves.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from berakhlak_research.framework import BEHAVIOUR_CODES, IKM_ELEMENTS_2017
from berakhlak_research.simulate._raw import RawFile, header_of

__all__ = ["inject", "RULES"]

RULES = {
    "out_of_range": "answer outside the scale (culture 1..5, SKM 1..4)",
    "label_typo": "answer label not recognised (typo)",
    "duplicate": "duplicate key (respondent_id, wave) / response_id",
    "unknown_unit": "unit_code not in the units table of its government",
    "unknown_government": "government name not in the Kemendagri list",
    "future_date": "date in the future",
    "swapped_elements": "SKM element columns U8 and U9 in swapped order (keyed by name)",
}


class _Picker:
    """Hands out distinct rows of a file so defects never share a row."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.used: dict[str, set[int]] = {}

    def rows(self, f: RawFile, k: int) -> list[int]:
        used = self.used.setdefault(f.name, set())
        free = np.setdiff1d(np.arange(len(f.data)), np.fromiter(used, int, len(used)))
        pick = sorted(int(x) for x in self.rng.choice(free, size=k, replace=False))
        used.update(pick)
        return pick


def _set(f: RawFile, pos: int, col: str, value, rule: str, expect: str, out: list) -> None:
    f.data[col] = f.data[col].astype(object)
    f.data.loc[pos, col] = value
    kind = next(k for k, v in RULES.items() if v == rule)
    out.append({"file": f.name, "table": f.table, "row": f.file_row(pos), "column": col,
                "value": str(value), "rule": rule, "kind": kind, "expect": expect})  # fmt: skip


def inject(files: list[RawFile], seed: int) -> list[dict]:
    """Inject the defects into the raw files (in place) and return the defect list."""
    rng = np.random.default_rng([seed, 99])
    pick = _Picker(rng)
    out: list[dict] = []
    ch = header_of("culture_responses")
    sh = header_of("skm_responses")
    cult = [f for f in files if f.table == "culture_responses"]
    skm = [f for f in files if f.table == "skm_responses"]
    numeric = [f for f in cult if pd.api.types.is_numeric_dtype(f.data[ch["BP1"]])]
    labelled = [f for f in cult if not pd.api.types.is_numeric_dtype(f.data[ch["BP1"]])]
    by_name = [f for f in cult if f.data[ch["gov_code"]].astype(str).str.contains(" ").any()]

    # culture answers out of range
    a = numeric[0]
    for pos, v in zip(pick.rows(a, 3), ("7", "0", "55"), strict=True):
        col = ch[BEHAVIOUR_CODES[int(rng.integers(0, 21))]]
        _set(a, pos, col, v, RULES["out_of_range"], "reject", out)
    # labels with typos
    if labelled:
        b = labelled[0]
        for pos, v in zip(pick.rows(b, 3), ("Setujuu", "Sangat Stuju", "Tdak Setuju"), strict=True):
            col = ch[BEHAVIOUR_CODES[int(rng.integers(0, 21))]]
            _set(b, pos, col, v, RULES["label_typo"], "reject", out)
    # unknown units
    for f in (numeric[-1], skm[0]):
        for pos in pick.rows(f, 2):
            _set(f, pos, (ch if f.table == "culture_responses" else sh)["unit_code"], "U999",
                 RULES["unknown_unit"], "reject", out)  # fmt: skip
    # unknown government name
    if by_name:
        f = by_name[0]
        (pos,) = pick.rows(f, 1)
        _set(f, pos, ch["gov_code"], "Kota Pasuruhan", RULES["unknown_government"], "reject", out)
    # a date in the future
    f = numeric[0]
    (pos,) = pick.rows(f, 1)
    iso = "-" in str(f.data[ch["response_date"]].iloc[0])
    _set(f, pos, ch["response_date"], "2031-03-14" if iso else "14/03/2031",
         RULES["future_date"], "reject", out)  # fmt: skip
    # SKM answers out of range and a label typo
    s = skm[-1]
    u3 = sh["U3"]
    for pos, v in zip(pick.rows(s, 2), ("5", "0"), strict=True):
        _set(s, pos, u3, v, RULES["out_of_range"], "reject", out)
    labelled_skm = [f for f in skm if not pd.api.types.is_numeric_dtype(f.data[sh["U1"]])]
    if labelled_skm:
        f = labelled_skm[0]
        (pos,) = pick.rows(f, 1)
        _set(f, pos, sh["U1"], "Sangat sesuaii", RULES["label_typo"], "reject", out)
    # duplicate respondents: copies appended at the end of the file
    for f, key in ((numeric[0], ch["respondent_id"]), (skm[0], sh["response_id"])):
        src = pick.rows(f, 2 if f.table == "culture_responses" else 1)
        n0 = len(f.data)
        f.data = pd.concat([f.data, f.data.iloc[src]], ignore_index=True)
        for k, pos in enumerate(src):
            out.append({"file": f.name, "table": f.table, "row": f.file_row(n0 + k),
                        "column": key, "value": str(f.data[key].iloc[pos]),
                        "rule": RULES["duplicate"], "kind": "duplicate", "expect": "reject",
                        "duplicate_of": f.file_row(pos),
                        "rows": [f.file_row(pos), f.file_row(n0 + k)]})  # fmt: skip
    # swapped U8/U9 columns in one SKM file that had them in order
    u8, u9 = (e.name_id for e in IKM_ELEMENTS_2017[7:9])
    for f in skm:
        cols = list(f.data.columns)
        if cols.index(u8) < cols.index(u9):
            i, j = cols.index(u8), cols.index(u9)
            cols[i], cols[j] = cols[j], cols[i]
            f.data = f.data[cols]
            out.append({"file": f.name, "table": f.table, "row": f.header_row,
                        "column": f"{u9} | {u8}", "value": "column order",
                        "rule": RULES["swapped_elements"], "kind": "swapped_elements",
                        "expect": "accept"})  # fmt: skip
            break
    return out
