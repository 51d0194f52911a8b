"""Reports from the results store: what the notebooks show, how they are run and exported.

Modules (imported on use; this package imports nothing at import time):

* :mod:`.views` - everything a report notebook calls: a government's slice of
  the results store (:func:`~berakhlak_research.reporting.views.open_report`),
  sections, tables and figures made display-ready, with suppression of small
  groups and bilingual labels;
* :mod:`.runner` - batch execution of report notebooks (one kernel per worker
  process, or a Dask cluster), with ``--resume``;
* :mod:`.xlsx` - a report's tables as one workbook;
* :mod:`.outputs` - a report's files for people and programs: tables (CSV,
  XLSX) and figures, made safe;
* :mod:`.numbers` - numbers as the reader of each report language writes them;
* :mod:`.sections` - one module per report section, behind :mod:`.views`;
* :mod:`.export` - HTML without code, the per-report manifest (provenance) and
  the index page of a wave.

The results store itself is :mod:`berakhlak_research.store` and the report
text is :mod:`berakhlak_research.i18n` (top level, because upstream code and the
plots use them too).
"""

__all__ = ["views", "runner", "xlsx", "outputs", "numbers", "sections", "export"]
