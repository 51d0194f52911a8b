"""The canonical tables: column names, types and the Indonesian headers of raw exports.

This is the contract between the simulator (which writes raw exports with the
Indonesian headers given here), the data layer (which maps any known alias to
the canonical name and validates), and everything downstream (which only ever
sees canonical names). ``data/README.md`` is the human-readable version.

Types are pandas dtype names: ``"string"``, ``"Int8"`` (nullable small
integers for answers: a missing answer stays missing), ``"Int64"``,
``"float64"``, ``"boolean"``, ``"datetime64[ns]"``.
"""

from __future__ import annotations

from dataclasses import dataclass

from berakhlak_research.framework import BEHAVIOUR_CODES, IKM_ELEMENTS_2017

__all__ = ["Column", "Table", "TABLES", "table", "TABLE_NAMES"]


@dataclass(frozen=True)
class Column:
    """One canonical column.

    Attributes
    ----------
    name : str
        Canonical (English, snake_case) name used inside the toolkit.
    dtype : str
        pandas dtype of the processed table.
    header_id : str
        The header an Indonesian export usually carries; the simulator writes it.
    required : bool
        Whether a raw file must have the column.
    description : str
        What it holds.
    """

    name: str
    dtype: str
    header_id: str
    required: bool = True
    description: str = ""


@dataclass(frozen=True)
class Table:
    """A canonical table: its name, grain, key and columns."""

    name: str
    grain: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


_GOV = Column("gov_code", "string", "Kode Wilayah", True, "Kemendagri code, e.g. '35.75'")
# Derived from the raw "Periode" cell (never read from a column of its own):
# see berakhlak_research.periods.
_PERIOD_CODE = Column(
    "period_code",
    "string",
    "Kode Periode",
    False,
    "canonical period: 2025, 2025-S1, 2025-Q2, 2025-06, 2026-01..05",
)
_UNIT = Column("unit_code", "string", "Kode Unit", True, "work unit (OPD) code, unique within gov")

UNITS = Table(
    "units",
    "one row per work unit (OPD)",
    ("gov_code", "unit_code"),
    (
        _GOV,
        _UNIT,
        Column("unit_name", "string", "Nama Unit Kerja", True, "name of the unit"),
        Column("unit_type", "string", "Jenis Unit", True,
               "sekretariat, dinas, badan, kecamatan, kelurahan, rsud, puskesmas, inspektorat"),
        Column("headcount", "Int64", "Jumlah Pegawai", True, "number of ASN employed (>= 0)"),
        Column("public_facing", "boolean", "Layanan Publik", True,
               "True when the unit serves the public and runs an SKM"),
    ),
)  # fmt: skip

CULTURE_RESPONSES = Table(
    "culture_responses",
    "one row per respondent and wave",
    ("respondent_id", "wave"),
    (
        Column("respondent_id", "string", "ID Responden", True,
               "pseudonymous id; never shown in a report"),
        Column("wave", "Int64", "Tahun Survei", True, "survey year, 2021 or later"),
        _GOV,
        _UNIT,
        Column("response_date", "datetime64[ns]", "Tanggal Pengisian", False,
               "date answered; not in the future, not before 2021"),
        *(Column(code, "Int8", code, True, f"Likert answer to behaviour {code} (1..k)")
          for code in BEHAVIOUR_CODES),
        Column("sex", "string", "Jenis Kelamin", False, "L (laki-laki) or P (perempuan)"),
        Column("age_group", "string", "Kelompok Usia", False, "<30, 30-39, 40-49, 50+"),
        Column("employment_type", "string", "Status Kepegawaian", False, "PNS or PPPK"),
        Column("weight", "float64", "Bobot", False, "optional survey weight (> 0)"),
    ),
)  # fmt: skip

PUBLISHED_CULTURE = Table(
    "published_culture",
    "one row per government, wave and index",
    ("gov_code", "wave", "index_kind"),
    (
        _GOV,
        Column("wave", "Int64", "Tahun", True, "survey year"),
        Column("overall", "float64", "Indeks BerAKHLAK", True, "overall index, percent"),
        Column("BP", "float64", "Berorientasi Pelayanan", True, "value index, percent"),
        Column("AK", "float64", "Akuntabel", True, "value index, percent"),
        Column("KP", "float64", "Kompeten", True, "value index, percent"),
        Column("HM", "float64", "Harmonis", True, "value index, percent"),
        Column("LY", "float64", "Loyal", True, "value index, percent"),
        Column("AD", "float64", "Adaptif", True, "value index, percent"),
        Column("KB", "float64", "Kolaboratif", True, "value index, percent"),
        Column("respondents", "Int64", "Jumlah Responden", False, "number of respondents"),
        Column("source", "string", "Sumber", False, "where the figures were published"),
        # Two published indices carry the same value columns; a row says which it is.
        Column("index_kind", "string", "Jenis Indeks", False,
               "culture_health (Indeks BerAKHLAK of the culture survey; the default) or "
               "implementation (implementation-evaluation index)"),
    ),
)  # fmt: skip

INTERVENTIONS = Table(
    "interventions",
    "one row per programme event",
    ("event_id",),
    (
        Column("event_id", "string", "ID Kegiatan", True, "unique event id"),
        _GOV,
        Column("unit_code", "string", "Kode Unit", False, "empty = the whole government"),
        Column("date", "datetime64[ns]", "Tanggal", True, "date held"),
        Column("kind", "string", "Jenis Kegiatan", True,
               "internalisasi, aktivasi, komitmen, agen_perubahan, pelatihan, penghargaan"),
        Column("stage", "Int64", "Tahap", False, "culture-strengthening stage 1..7"),
        Column("hours", "float64", "Jam Pelajaran", False, "training hours (>= 0)"),
        Column("participants", "Int64", "Jumlah Peserta", False, "participants (>= 0)"),
    ),
)  # fmt: skip

SKM_RESPONSES = Table(
    "skm_responses",
    "one row per citizen response",
    # Offices number respondents 1..n per unit and period (a semester, a
    # quarter...), so the id is unique only within them.
    # period is implied by period_code; kept so frames without period_code keep the old key.
    ("gov_code", "unit_code", "period", "period_code", "response_id"),
    (
        Column("response_id", "string", "No Responden", True, "pseudonymous response id"),
        _GOV,
        _UNIT,
        Column("period", "Int64", "Periode", True,
               "survey year of the period (read from the raw 'Periode': 2025, Semester I 2025, "
               "Triwulan II 2025, a date, ...)"),
        _PERIOD_CODE,
        Column("response_date", "datetime64[ns]", "Tanggal Survei", False, "date answered"),
        Column("service", "string", "Jenis Layanan", False, "service received"),
        # Keyed by the element's name on input: header_id is the name.
        *(Column(e.code, "Int8", e.name_id, True, f"{e.name_id}: answer 1..4")
          for e in IKM_ELEMENTS_2017),
        Column("sex", "string", "Jenis Kelamin", False, "L or P"),
        Column("age_group", "string", "Usia", False, "age group"),
        Column("education", "string", "Pendidikan", False, "SD, SMP, SMA, D1-D3, D4/S1, S2+"),
        Column("occupation", "string", "Pekerjaan", False, "respondent's occupation"),
    ),
)  # fmt: skip

PUBLISHED_IKM = Table(
    "published_ikm",
    "one row per unit (or government) and period",
    ("gov_code", "unit_code", "period", "period_code"),
    (
        _GOV,
        Column("unit_code", "string", "Kode Unit", False, "empty = the whole government"),
        Column("period", "Int64", "Periode", True, "survey year of the period"),
        _PERIOD_CODE,
        Column("ikm", "float64", "Nilai IKM", True, "converted IKM 25..100"),
        Column("method_version", "string", "Metode", True, "'2017' or '2004'"),
        Column("respondents", "Int64", "Jumlah Responden", False, "number of respondents"),
    ),
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (UNITS, CULTURE_RESPONSES, PUBLISHED_CULTURE, INTERVENTIONS, SKM_RESPONSES,
              PUBLISHED_IKM)
}  # fmt: skip
TABLE_NAMES: tuple[str, ...] = tuple(TABLES)


def table(name: str) -> Table:
    """Return a canonical table definition by name."""
    from berakhlak_research.exceptions import InputError

    try:
        return TABLES[name]
    except KeyError as err:
        raise InputError(
            f"Unknown table {name!r}; known tables: {', '.join(TABLE_NAMES)}."
        ) from err
