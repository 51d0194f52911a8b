"""One module per report section; :mod:`berakhlak_research.reporting.views` is the public facade."""
