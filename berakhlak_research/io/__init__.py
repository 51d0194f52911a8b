"""The data layer: read raw exports, map headers and labels, validate, quarantine bad rows.

>>> from berakhlak_research.io import read_table, ingest
>>> data, rejected, report, problems = read_table("survey.xlsx")  # doctest: +SKIP
>>> result = ingest("data/raw", "data")  # doctest: +SKIP

Modules: :mod:`.read` (files to raw frames; :mod:`.xlsx` reads workbooks
without evaluating formulas), :mod:`.headers` (header aliases, table
inference; :mod:`.text` normalises header text), :mod:`.labels` (cells to
typed values), :mod:`.validate` (rules, failures), :mod:`.mapping`
(questionnaire mappings: columns, answer labels, constants, period rule;
drafts), :mod:`.instruments` (the 2014 and 2004 SKM questionnaires, refused
unless declared), :mod:`.flags` (quality flags on SKM responses),
:mod:`.ingest` (one file or a folder, row accounting).
The rules are listed in :data:`berakhlak_research.schemas.RULES`.
"""

from __future__ import annotations

from berakhlak_research.io.ingest import (
    IngestResult,
    ReadResult,
    collect_files,
    ingest,
    read_table,
    validate_paths,
)

__all__ = ["read_table", "ingest", "validate_paths", "collect_files", "ReadResult", "IngestResult"]
