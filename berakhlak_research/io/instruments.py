"""SKM questionnaires older than PermenPANRB 14/2017: recognise them, never force them.

Three instruments are in use in archived SKM data (sources in data/README.md):

* ``2017``: PermenPANRB 14/2017, nine elements U1..U9
  (:data:`framework.IKM_ELEMENTS_2017`);
* ``2014``: PermenPANRB 16/2014, nine elements of which seven are the 2017
  ones under older names (Prosedur, Waktu Pelayanan), plus "Maklumat
  Pelayanan" (code ``MP``) and "Penanganan Pengaduan, Saran dan Masukan"
  (``U8``); it has no "Sarana dan Prasarana";
* ``2004``: KEP/25/M.PAN/2/2004, fourteen elements E1..E14
  (:data:`framework.IKM_ELEMENTS_2004`), weight 1/14, IKM = mean x 25.

Elements that mean the same keep the same code, so a unit's "Persyaratan" can
be followed from 2014 to 2017. A file of another instrument is refused unless
its method is declared (a mapping with ``method = "2014"``), and then it is
written to its own table (``skm_responses_2014``), labelled with its method,
so it is never averaged as if it were the 2017 nine.
"""

from __future__ import annotations

import re

from berakhlak_research.exceptions import FileProblem
from berakhlak_research.framework import IKM_ELEMENTS_2004, IkmElement
from berakhlak_research.io.text import norm_header

__all__ = [
    "IKM_ELEMENTS_2014",
    "elements",
    "element_codes",
    "element_names",
    "detect_method",
    "refuse_other_instrument",
]

IKM_ELEMENTS_2014: tuple[IkmElement, ...] = (
    IkmElement("U1", "Persyaratan", "Requirements"),
    IkmElement("U2", "Prosedur", "Procedure"),
    IkmElement("U3", "Waktu Pelayanan", "Service time"),
    IkmElement("U4", "Biaya/Tarif", "Cost / tariff"),
    IkmElement("U5", "Produk Spesifikasi Jenis Pelayanan", "Product specification of the service"),
    IkmElement("U6", "Kompetensi Pelaksana", "Staff competence"),
    IkmElement("U7", "Perilaku Pelaksana", "Staff behaviour"),
    IkmElement("MP", "Maklumat Pelayanan", "Service pledge"),
    IkmElement("U8", "Penanganan Pengaduan, Saran dan Masukan",
               "Handling of complaints, suggestions and feedback"),
)  # fmt: skip
"""The nine elements of PermenPANRB 16/2014 in the regulation's order."""


def elements(method: str) -> tuple[IkmElement, ...]:
    """The elements of a questionnaire method (``"2017"``, ``"2014"``, ``"2004"``)."""
    from berakhlak_research.framework import IKM_ELEMENTS_2017

    return {"2017": IKM_ELEMENTS_2017, "2014": IKM_ELEMENTS_2014, "2004": IKM_ELEMENTS_2004}[method]


def element_codes(method: str) -> tuple[str, ...]:
    """Element codes of a questionnaire method (``"2017"``, ``"2014"``, ``"2004"``)."""
    return tuple(e.code for e in elements(method))


def element_names(method: str) -> dict[str, str]:
    """Normalised element name (Indonesian and English) -> code, for a method."""
    out: dict[str, str] = {}
    for e in elements(method):
        out.setdefault(norm_header(e.name_id), e.code)
        out.setdefault(norm_header(e.name_en), e.code)
    return out


# Wordings that occur only in the 2004 instrument (a 2017 question text may
# well speak of "kemampuan petugas" or "kewajaran biaya", so those do not count).
_ONLY_2004 = (
    "kejelasan petugas", "kedisiplinan petugas", "tanggung jawab petugas",
    "keadilan mendapatkan", "kepastian biaya", "kepastian jadwal", "kenyamanan lingkungan",
    "keamanan pelayanan",
)  # fmt: skip
_MAKLUMAT = re.compile(r"\bmaklumat\b")
_NUMBERED = re.compile(r"^(?:unsur|u|pertanyaan|soal|q|p)\s?(\d{1,2})$")


def detect_method(headers: list[str]) -> tuple[str, str]:
    """The instrument a file's headers belong to, and why (empty for the 2017 default).

    Returns
    -------
    method : str
        ``"2014"`` when an element is "Maklumat Pelayanan"; ``"2004"`` when at
        least three headers name elements only the 2004 instrument has
        (Kedisiplinan petugas, Kepastian jadwal, ...); else ``"2017"``.
    reason : str
        The headers that decided it.
    """
    normed = [norm_header(h) for h in headers]
    mk = [h for h, n in zip(headers, normed, strict=True) if _MAKLUMAT.search(n)]
    if mk:
        return "2014", f"column {mk[0]!r} is an element of PermenPANRB 16/2014"
    old = [h for h, n in zip(headers, normed, strict=True) if any(w in n for w in _ONLY_2004)]
    if len(old) >= 3:
        return "2004", (
            f"{len(old)} columns ({', '.join(map(repr, old[:3]))}, ...) are elements of "
            "KEP/25/M.PAN/2/2004"
        )
    return "2017", ""


def refuse_other_instrument(headers: list[str], where: str, declared: str | None) -> None:
    """Refuse a file of another instrument read as the 2017 nine (a clear message, exit 2).

    Raises
    ------
    FileProblem
        The headers belong to the 2014 or 2004 instrument, or number more
        than nine elements ("Unsur 10"), and no mapping declared the method.
    """
    if declared is not None and declared != "2017":
        return
    method, why = detect_method(headers)
    numbered = sorted(
        {int(m.group(1)) for m in map(_NUMBERED.match, map(norm_header, headers)) if m}
    )
    if method == "2017" and numbered and max(numbered) > 9:
        method = "?"
        why = (
            f"the file numbers {len(numbered)} elements (up to {max(numbered)}); the 2017 "
            "method has nine"
        )
    if method == "2017":
        return
    if declared == "2017":
        what = (
            "the mapping declares method 2017 but " + why + ". Declare the file's own method "
            '(method = "2014" or "2004") or map its nine 2017 elements and mark the rest '
            '"(ignore)"'
        )
    else:
        declare = (
            f'Declare the method in a mapping (method = "{method}")'
            if method != "?"
            else 'Declare the method in a mapping (method = "2014" or "2004"), or map the nine '
            '2017 elements and mark the other columns "(ignore)",'
        )
        what = (
            f"{why}; it is not read as the nine elements of PermenPANRB 14/2017. {declare} "
            "and ingest with --mapping FILE (`berakhlak mapping draft FILE` drafts one)"
        )
    raise FileProblem(f"{where}: {what} (rule other_instrument).", where)
