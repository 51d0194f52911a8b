"""Reports from the results store: what the notebooks show, how they are run and exported.

Modules (imported on use; this package imports nothing at import time):

* :mod:`.views` - everything a report notebook calls: a government's slice of
  the results store (:func:`~berakhlak_research.reporting.views.open_report`),
  sections, tables and figures made display-ready, with suppression of small
  groups and bilingual labels;
* :mod:`.runner` - batch execution of report notebooks (one kernel per worker
  process, or a Dask cluster), with ``--resume``;
* :mod:`.xlsx` - a report's tables as one workbook, formatted for people;
* :mod:`.outputs` - a report's files: tables as CSV (for programs and for
  spreadsheets) and XLSX, figures checked inert, text from data neutralised;
* :mod:`.charts` - the government's own figures written directly as SVG text
  (matplotlib, in :mod:`berakhlak_research.plots`, draws the PNG ones);
* :mod:`.numbers` - numbers as each report language writes them;
* :mod:`.sections` - one module per report section, behind :mod:`.views`;
* :mod:`.export` - HTML without code, the PDF, the per-report manifest
  (provenance) and the index pages of a wave.

The results store itself is :mod:`berakhlak_research.store` and the report
text is :mod:`berakhlak_research.i18n` (top level, because upstream code and the
plots use them too).
"""

__all__ = ["views", "runner", "export"]
