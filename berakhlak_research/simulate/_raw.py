"""One raw export before it is written (:class:`RawFile`) and the raw headers of a table.

Shared by the writer (:mod:`._export`) and the defect injector (:mod:`._messy`);
its own module so that neither imports the other (the writer calls the injector
for ``--messy`` runs, the injector edits the writer's files).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from berakhlak_research.tables import TABLES

__all__ = ["RawFile", "header_of"]


def header_of(table: str) -> dict[str, str]:
    """Canonical column name -> Indonesian raw header."""
    return {c.name: c.header_id for c in TABLES[table].columns}


@dataclass
class RawFile:
    """One raw export before it is written (values already formatted as the file shows them)."""

    name: str
    table: str
    data: pd.DataFrame  # raw headers as columns
    kind: str  # "csv", "csv;" (semicolon, decimal comma), "xlsx"
    title: list[str] = field(default_factory=list)  # rows above the header (xlsx)
    bom: bool = False

    @property
    def header_row(self) -> int:
        """Row number of the header as the user sees it (1-based)."""
        return len(self.title) + 1

    def file_row(self, position: int) -> int:
        """Row number in the file of the data row at 0-based ``position``."""
        return self.header_row + 1 + position
