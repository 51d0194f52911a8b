"""The domain constants of berakhlak-research, encoded once.

Everything the toolkit knows about the BerAKHLAK core values, the IKM of
PermenPANRB 14/2017 (and the older KEP/25/M.PAN/2/2004 method), their band
tables and the culture-strengthening stages lives here. Other modules import
these names; none of them re-types a label, a code or a threshold.

Sources (``docs/domain.md`` gives each fact with its source):

* Surat Edaran MenPANRB No. 20 Tahun 2021: seven values, 21 behaviours;
  UU No. 20 Tahun 2023 tentang ASN made them the statutory basic values.
* PermenPANRB No. 14 Tahun 2017: nine SKM elements, weight 1/9, bands.
* KEP/25/M.PAN/2/2004: fourteen elements, weight 1/14, bands.
* BerAKHLAK index categories, from an agency report of the 2022 survey. The
  D band below 25 is *unconfirmed* by any primary source; it is kept
  configurable (:data:`CULTURE_CATEGORIES`) and flagged in outputs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from berakhlak_research.exceptions import FrameworkError

__all__ = [
    "Value",
    "Behaviour",
    "IkmElement",
    "Band",
    "Stage",
    "VALUES",
    "VALUE_CODES",
    "BEHAVIOURS",
    "BEHAVIOUR_CODES",
    "behaviours_of",
    "LIKERT_LABELS",
    "LIKERT_POINTS",
    "favourable_threshold",
    "IKM_ELEMENTS_2017",
    "IKM_ELEMENTS_2004",
    "IKM_ELEMENT_CODES",
    "ikm_elements",
    "IKM_METHODS",
    "IKM_BANDS",
    "BAND_TOLERANCE",
    "CULTURE_CATEGORIES",
    "STAGES",
    "INTERVENTION_KINDS",
    "GOVERNMENT_KINDS",
    "LANGUAGES",
    "SUPPRESSION_MIN_GROUP",
    "SUPPRESSION_FLOOR",
    "culture_category",
    "ikm_band",
    "ikm_interval_band",
    "label",
]

LANGUAGES = ("id", "en")
"""Report languages: Bahasa Indonesia (default) and English."""

SUPPRESSION_MIN_GROUP = 10
"""Default smallest group shown in a report (FEVS / UK People Survey convention)."""

SUPPRESSION_FLOOR = 5
"""The suppression threshold may be configured, but never below this."""


# --------------------------------------------------------------------------
# BerAKHLAK: seven values, 21 behaviours (SE MenPANRB 20/2021)
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Value:
    """One BerAKHLAK core value.

    Attributes
    ----------
    code : str
        Two-letter code (``"BP"`` .. ``"KB"``), used as a column prefix.
    name_id, name_en : str
        Indonesian name (official) and English gloss.
    """

    code: str
    name_id: str
    name_en: str


@dataclass(frozen=True)
class Behaviour:
    """One of the 21 core behaviours; ``code`` is also the Likert item column."""

    code: str
    value: str
    text_id: str
    text_en: str


VALUES: tuple[Value, ...] = (
    Value("BP", "Berorientasi Pelayanan", "Service orientation"),
    Value("AK", "Akuntabel", "Accountable"),
    Value("KP", "Kompeten", "Competent"),
    Value("HM", "Harmonis", "Harmonious"),
    Value("LY", "Loyal", "Loyal"),
    Value("AD", "Adaptif", "Adaptive"),
    Value("KB", "Kolaboratif", "Collaborative"),
)
"""The seven values in their fixed B-A-K-H-L-A-K order."""

VALUE_CODES: tuple[str, ...] = tuple(v.code for v in VALUES)

BEHAVIOURS: tuple[Behaviour, ...] = (
    Behaviour("BP1", "BP", "Memahami dan memenuhi kebutuhan masyarakat",
              "Understand and meet the public's needs"),
    Behaviour("BP2", "BP", "Ramah, cekatan, solutif, dan dapat diandalkan",
              "Friendly, nimble, solution-oriented and reliable"),
    Behaviour("BP3", "BP", "Melakukan perbaikan tiada henti", "Improve continuously"),
    Behaviour("AK1", "AK",
              "Melaksanakan tugas dengan jujur, bertanggung jawab, cermat, disiplin, "
              "dan berintegritas tinggi",
              "Carry out duties honestly, responsibly, carefully, with discipline and integrity"),
    Behaviour("AK2", "AK",
              "Menggunakan kekayaan dan barang milik negara secara bertanggung jawab, "
              "efektif, dan efisien",
              "Use state assets responsibly, effectively and efficiently"),
    Behaviour("AK3", "AK", "Tidak menyalahgunakan kewenangan jabatan",
              "Do not abuse the authority of office"),
    Behaviour("KP1", "KP",
              "Meningkatkan kompetensi diri untuk menjawab tantangan yang selalu berubah",
              "Keep upgrading one's competence to meet ever-changing challenges"),
    Behaviour("KP2", "KP", "Membantu orang lain belajar", "Help others learn"),
    Behaviour("KP3", "KP", "Melaksanakan tugas dengan kualitas terbaik",
              "Carry out duties to the best quality"),
    Behaviour("HM1", "HM", "Menghargai setiap orang apapun latar belakangnya",
              "Respect everyone whatever their background"),
    Behaviour("HM2", "HM", "Suka menolong orang lain", "Like to help others"),
    Behaviour("HM3", "HM", "Membangun lingkungan kerja yang kondusif",
              "Build a conducive working environment"),
    Behaviour("LY1", "LY",
              "Memegang teguh ideologi Pancasila, Undang-Undang Dasar Negara Republik "
              "Indonesia Tahun 1945, setia kepada NKRI serta pemerintahan yang sah",
              "Uphold Pancasila and the 1945 Constitution; be loyal to the unitary state "
              "and the lawful government"),
    Behaviour("LY2", "LY", "Menjaga nama baik sesama ASN, pimpinan, instansi, dan negara",
              "Protect the good name of fellow civil servants, leaders, the agency and the state"),
    Behaviour("LY3", "LY", "Menjaga rahasia jabatan dan negara", "Keep official and state secrets"),
    Behaviour("AD1", "AD", "Cepat menyesuaikan diri menghadapi perubahan",
              "Adapt quickly to change"),
    Behaviour("AD2", "AD", "Terus berinovasi dan mengembangkan kreativitas",
              "Keep innovating and developing creativity"),
    Behaviour("AD3", "AD", "Bertindak proaktif", "Act proactively"),
    Behaviour("KB1", "KB", "Memberi kesempatan kepada berbagai pihak untuk berkontribusi",
              "Give others the opportunity to contribute"),
    Behaviour("KB2", "KB", "Terbuka dalam bekerja sama untuk menghasilkan nilai tambah",
              "Be open to cooperation that adds value"),
    Behaviour("KB3", "KB",
              "Menggerakkan pemanfaatan berbagai sumber daya untuk tujuan bersama",
              "Mobilise the use of resources for shared goals"),
)  # fmt: skip
"""The 21 behaviours, three per value, in value order (BP1 .. KB3)."""

BEHAVIOUR_CODES: tuple[str, ...] = tuple(b.code for b in BEHAVIOURS)


def behaviours_of(value_code: str) -> tuple[str, ...]:
    """Return the three behaviour (item) codes of one value, e.g. ``("AD1", "AD2", "AD3")``."""
    if value_code not in VALUE_CODES:
        raise FrameworkError(
            f"Unknown BerAKHLAK value code {value_code!r}; expected one of {', '.join(VALUE_CODES)}."
        )
    return tuple(b.code for b in BEHAVIOURS if b.value == value_code)


LIKERT_LABELS: dict[int, dict[str, tuple[str, ...]]] = {
    4: {
        "id": ("Sangat Tidak Setuju", "Tidak Setuju", "Setuju", "Sangat Setuju"),
        "en": ("Strongly disagree", "Disagree", "Agree", "Strongly agree"),
    },
    5: {
        "id": ("Sangat Tidak Setuju", "Tidak Setuju", "Netral", "Setuju", "Sangat Setuju"),
        "en": ("Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"),
    },
    6: {
        "id": (
            "Sangat Tidak Setuju",
            "Tidak Setuju",
            "Agak Tidak Setuju",
            "Agak Setuju",
            "Setuju",
            "Sangat Setuju",
        ),
        "en": (
            "Strongly disagree",
            "Disagree",
            "Slightly disagree",
            "Slightly agree",
            "Agree",
            "Strongly agree",
        ),
    },
}
"""Answer labels of the toolkit's own culture instrument, by scale length (1 = first label)."""

LIKERT_POINTS = 5
"""Default scale length of the culture instrument."""


def favourable_threshold(points: int = LIKERT_POINTS) -> int:
    """Lowest answer counted as favourable: the top two boxes (4 on a 5-point scale).

    FEVS and the UK People Survey report "percent positive" this way.
    """
    if points < 3:
        raise FrameworkError(f"A Likert scale needs at least 3 points, got {points}.")
    return points - 1


# --------------------------------------------------------------------------
# IKM elements (PermenPANRB 14/2017; KEP/25/M.PAN/2/2004)
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class IkmElement:
    """One SKM element (unsur): code, names, and answer labels for scores 1..4.

    ``labels_id`` follow the sample questionnaire of the regulation; many
    offices word them differently, so readers also accept the generic
    "Tidak sesuai .. Sangat sesuai" set (:data:`GENERIC_SKM_LABELS`).
    """

    code: str
    name_id: str
    name_en: str
    labels_id: tuple[str, str, str, str] = ()
    labels_en: tuple[str, str, str, str] = ()


_SESUAI = ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai")
_SESUAI_EN = ("Not appropriate", "Less appropriate", "Appropriate", "Very appropriate")
GENERIC_SKM_LABELS = _SESUAI

IKM_ELEMENTS_2017: tuple[IkmElement, ...] = (
    IkmElement("U1", "Persyaratan", "Requirements", _SESUAI, _SESUAI_EN),
    IkmElement("U2", "Sistem, Mekanisme, dan Prosedur", "Systems, mechanisms and procedures",
               ("Tidak mudah", "Kurang mudah", "Mudah", "Sangat mudah"),
               ("Not easy", "Less easy", "Easy", "Very easy")),
    IkmElement("U3", "Waktu Penyelesaian", "Completion time",
               ("Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat"),
               ("Not fast", "Less fast", "Fast", "Very fast")),
    IkmElement("U4", "Biaya/Tarif", "Cost / tariff",
               ("Sangat mahal", "Cukup mahal", "Murah", "Gratis"),
               ("Very expensive", "Fairly expensive", "Cheap", "Free")),
    IkmElement("U5", "Produk Spesifikasi Jenis Pelayanan", "Product specification of the service",
               _SESUAI, _SESUAI_EN),
    IkmElement("U6", "Kompetensi Pelaksana", "Staff competence",
               ("Tidak kompeten", "Kurang kompeten", "Kompeten", "Sangat kompeten"),
               ("Not competent", "Less competent", "Competent", "Very competent")),
    IkmElement("U7", "Perilaku Pelaksana", "Staff behaviour",
               ("Tidak sopan dan ramah", "Kurang sopan dan ramah", "Sopan dan ramah",
                "Sangat sopan dan ramah"),
               ("Not polite and friendly", "Less polite and friendly", "Polite and friendly",
                "Very polite and friendly")),
    IkmElement("U8", "Penanganan Pengaduan, Saran dan Masukan",
               "Handling of complaints, suggestions and feedback",
               ("Tidak ada", "Ada tetapi tidak berfungsi", "Berfungsi kurang maksimal",
                "Dikelola dengan baik"),
               ("None", "Exists but does not work", "Works less than fully", "Well managed")),
    IkmElement("U9", "Sarana dan Prasarana", "Facilities and infrastructure",
               ("Buruk", "Cukup", "Baik", "Sangat Baik"),
               ("Poor", "Fair", "Good", "Very good")),
)  # fmt: skip
"""The nine elements of PermenPANRB 14/2017. Key them by name on input, never by position."""

IKM_ELEMENTS_2004: tuple[IkmElement, ...] = tuple(
    IkmElement(f"E{i}", nid, nen)
    for i, (nid, nen) in enumerate(
        [
            ("Prosedur pelayanan", "Service procedure"),
            ("Persyaratan pelayanan", "Service requirements"),
            ("Kejelasan petugas pelayanan", "Clarity of service staff"),
            ("Kedisiplinan petugas pelayanan", "Discipline of service staff"),
            ("Tanggung jawab petugas pelayanan", "Responsibility of service staff"),
            ("Kemampuan petugas pelayanan", "Ability of service staff"),
            ("Kecepatan pelayanan", "Speed of service"),
            ("Keadilan mendapatkan pelayanan", "Fairness in obtaining service"),
            ("Kesopanan dan keramahan petugas", "Courtesy and friendliness of staff"),
            ("Kewajaran biaya pelayanan", "Reasonableness of the cost"),
            ("Kepastian biaya pelayanan", "Certainty of the cost"),
            ("Kepastian jadwal pelayanan", "Certainty of the schedule"),
            ("Kenyamanan lingkungan", "Comfort of the environment"),
            ("Keamanan pelayanan", "Security of the service"),
        ],
        start=1,
    )
)
"""The fourteen elements of KEP/25/M.PAN/2/2004 (codes E1..E14, weight 1/14)."""

IKM_ELEMENT_CODES: tuple[str, ...] = tuple(e.code for e in IKM_ELEMENTS_2017)

IKM_METHODS: tuple[str, ...] = ("2017", "2004")
"""Method versions; every stored IKM value carries one."""


def ikm_elements(method: str = "2017") -> tuple[IkmElement, ...]:
    """Return the elements of an IKM method version ("2017" or "2004")."""
    _check_method(method)
    return IKM_ELEMENTS_2017 if method == "2017" else IKM_ELEMENTS_2004


# --------------------------------------------------------------------------
# Band tables
# --------------------------------------------------------------------------


BAND_TOLERANCE = 1e-9
"""Scores this close to a band limit (in points) are on it: floating-point noise in a
sum must not move an index that is exactly on a limit into the band below."""


@dataclass(frozen=True)
class Band:
    """One band of a category table.

    A score belongs to the first band (from the top) whose ``lower`` it
    reaches: ``score >= lower``, or ``score > lower`` when ``lower_inclusive``
    is False. Scores are compared unrounded, except that a score within
    :data:`BAND_TOLERANCE` of a limit counts as on it: 15 favourable answers
    of 20 are 75 %, whether the sums happen to give 75.0 or 74.99999999999999.
    """

    code: str
    lower: float
    label_id: str
    label_en: str
    lower_inclusive: bool = True
    confirmed: bool = True

    def admits(self, score: float) -> bool:
        on_limit = abs(score - self.lower) <= BAND_TOLERANCE
        if self.lower_inclusive:
            return score >= self.lower or on_limit
        return score > self.lower and not on_limit


IKM_BANDS: dict[str, tuple[Band, ...]] = {
    # PermenPANRB 14/2017, on the converted value (IKM x 25). The interval
    # table (1.00-2.5996 D, 2.60-3.064 C, 3.0644-3.532 B, 3.5324-4.00 A) is
    # the same cut-offs divided by 25.
    "2017": (
        Band("A", 88.31, "Sangat Baik", "Very good"),
        Band("B", 76.61, "Baik", "Good"),
        Band("C", 65.00, "Kurang Baik", "Poor"),
        Band("D", 25.00, "Tidak Baik", "Very poor"),
    ),
    # KEP/25/M.PAN/2/2004 prints D 25-43.75, C 43.76-62.50, B 62.51-81.25,
    # A 81.26-100; unrounded values between two printed edges go up only when
    # they exceed the lower band's upper edge.
    "2004": (
        Band("A", 81.25, "Sangat Baik", "Very good", lower_inclusive=False),
        Band("B", 62.50, "Baik", "Good", lower_inclusive=False),
        Band("C", 43.75, "Kurang Baik", "Poor", lower_inclusive=False),
        Band("D", 25.00, "Tidak Baik", "Very poor"),
    ),
}
"""IKM bands per method, best first, on the 25-100 converted scale."""

CULTURE_CATEGORIES: tuple[Band, ...] = (
    Band("A", 75.0, "Sehat", "Healthy"),
    Band("B", 50.0, "Cukup Sehat", "Fairly healthy"),
    Band("C", 25.0, "Tidak Sehat", "Unhealthy"),
    # No primary source shows a band below 25; kept, and flagged, so a score
    # there is never silently put in C.
    Band(
        "D",
        0.0,
        "Di bawah C (belum terkonfirmasi)",
        "Below C (unconfirmed)",
        confirmed=False,
    ),
)
"""BerAKHLAK index categories on the 0-100 scale, best first."""


def _check_score(score: float, low: float, high: float, what: str) -> float:
    try:
        s = float(score)
    except (TypeError, ValueError) as err:
        raise FrameworkError(f"{what} must be a number, got {score!r}.") from err
    if math.isnan(s) or s < low - 1e-9 or s > high + 1e-9:
        raise FrameworkError(f"{what} {score!r} is outside {low:g}-{high:g}.")
    return s


def _check_method(method: str) -> None:
    if method not in IKM_METHODS:
        raise FrameworkError(
            f"Unknown IKM method {method!r}; use '2017' (PermenPANRB 14/2017) "
            "or '2004' (KEP/25/M.PAN/2/2004)."
        )


def _pick(bands: tuple[Band, ...], score: float) -> Band:
    for band in bands:
        if band.admits(score):
            return band
    return bands[-1]


def culture_category(score: float) -> Band:
    """Category of a BerAKHLAK index (0-100): A Sehat >= 75, B Cukup Sehat >= 50, C Tidak Sehat >= 25.

    Parameters
    ----------
    score : float
        Index on the 0-100 scale, unrounded.

    Returns
    -------
    Band
        ``code``, ``label_id``, ``label_en`` and ``confirmed`` (False for the
        unconfirmed D band below 25).

    Examples
    --------
    >>> culture_category(39.8).code, culture_category(61.8).label_id
    ('C', 'Cukup Sehat')
    """
    return _pick(CULTURE_CATEGORIES, _check_score(score, 0, 100, "A culture index"))


def ikm_band(score: float, method: str = "2017") -> Band:
    """Band of a converted IKM value (25-100) under a method version.

    Parameters
    ----------
    score : float
        IKM x 25 (nilai interval konversi), unrounded.
    method : {"2017", "2004"}
        PermenPANRB 14/2017 (default) or KEP/25/M.PAN/2/2004.

    Returns
    -------
    Band
        ``code`` (A-D), ``label_id`` ("Sangat Baik" ..), ``label_en``.

    Examples
    --------
    >>> ikm_band(91.48).code, ikm_band(76.60).label_id
    ('A', 'Kurang Baik')
    """
    _check_method(method)
    return _pick(IKM_BANDS[method], _check_score(score, 25, 100, "A converted IKM value"))


def ikm_interval_band(value: float, method: str = "2017") -> Band:
    """Band of an IKM on the 1-4 interval scale (nilai interval); same cut-offs / 25."""
    return ikm_band(_check_score(value, 1, 4, "An IKM interval value") * 25.0, method)


def label(band: Band, lang: str = "id") -> str:
    """The band's label in ``lang`` ("id" or "en")."""
    if lang not in LANGUAGES:
        raise FrameworkError(f"Unknown language {lang!r}; use 'id' or 'en'.")
    return band.label_id if lang == "id" else band.label_en


# --------------------------------------------------------------------------
# Culture-strengthening stages and programme kinds
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Stage:
    """One of the seven stages of culture strengthening listed by Kota Pasuruan (2023)."""

    number: int
    name_id: str
    name_en: str


STAGES: tuple[Stage, ...] = (
    Stage(1, "Internalisasi", "Internalisation"),
    Stage(2, "Penyelarasan sistem", "System alignment"),
    Stage(3, "Pengukuran baseline", "Baseline measurement"),
    Stage(4, "Penyusunan dan implementasi agenda perubahan",
          "Drafting and implementing the change agenda"),
    Stage(5, "Pemantauan dan evaluasi", "Monitoring and evaluation"),
    Stage(6, "Penghargaan dan apresiasi", "Rewards and recognition"),
    Stage(7, "Penguatan berkelanjutan", "Continuous strengthening"),
)  # fmt: skip

INTERVENTION_KINDS: dict[str, tuple[str, str]] = {
    "internalisasi": ("Internalisasi nilai", "Internalisation of the values"),
    "aktivasi": ("Lokakarya aktivasi budaya kerja", "Culture activation workshop"),
    "komitmen": ("Penandatanganan komitmen", "Commitment signing"),
    "agen_perubahan": ("Agen perubahan", "Change agents"),
    "pelatihan": ("Pelatihan", "Training"),
    "penghargaan": ("Penghargaan dan apresiasi", "Rewards and recognition"),
}
"""Programme kinds (code -> (Indonesian, English)); the ``kind`` column of interventions."""

GOVERNMENT_KINDS: dict[str, tuple[str, str]] = {
    "provinsi": ("Provinsi", "Province"),
    "kabupaten": ("Kabupaten", "Regency"),
    "kota": ("Kota", "City"),
}
