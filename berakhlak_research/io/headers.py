"""Header aliases: map the column headers of an export to canonical column names.

Headers are compared after normalisation (lower case, accents removed, every
run of punctuation or spaces turned into one space), so "Kabupaten/Kota",
"kabupaten kota" and "KABUPATEN - KOTA" are the same header. Each canonical
column accepts its Indonesian header from :mod:`berakhlak_research.tables`,
its canonical name, and the aliases below. Likert items also accept the
behaviour's text (Indonesian or English), with or without the code in front
("BP1. Memahami dan ..."); SKM elements are keyed by the element's NAME
("Sarana dan Prasarana" is U9 wherever it stands), also behind a numbering
prefix ("8. Sarana dan Prasarana" is still U9).
"""

from __future__ import annotations

import re
from functools import cache

from berakhlak_research.exceptions import FileProblem
from berakhlak_research.framework import BEHAVIOURS, IKM_ELEMENTS_2017
from berakhlak_research.io.text import norm_header
from berakhlak_research.tables import TABLE_NAMES, TABLES

__all__ = ["norm_header", "aliases", "map_headers", "infer_table", "HeaderMatch", "code_only"]

# Aliases shared by every table that has the column.
_COMMON: dict[str, tuple[str, ...]] = {
    "gov_code": (
        "kode wilayah", "kode instansi", "kode pemda", "kode daerah", "kode kabupaten kota",
        "kode kab kota", "instansi", "nama instansi", "pemda", "nama pemda",
        "pemerintah daerah", "kabupaten kota", "kab kota", "kota kabupaten", "wilayah",
        "daerah", "government", "government code", "gov code", "region", "region code",
    ),
    "unit_code": (
        "kode unit", "kode unit kerja", "unit kerja", "kode opd", "opd", "perangkat daerah",
        "kode perangkat daerah", "satuan kerja", "kode satker", "satker", "unit", "unit code",
        "work unit", "work unit code",
    ),
    "respondent_id": (
        "id responden", "kode responden", "no responden", "nomor responden", "responden",
        "respondent", "respondent id", "id pegawai",
    ),
    "wave": ("tahun survei", "tahun survey", "tahun", "gelombang", "wave", "survey year", "year"),
    "period": ("periode", "periode survei", "tahun", "tahun survei", "period", "year"),
    "response_date": (
        "tanggal pengisian", "tanggal survei", "tanggal survey", "tanggal", "waktu pengisian",
        "cap waktu", "timestamp", "response date", "date",
    ),
    "sex": ("jenis kelamin", "kelamin", "sex", "gender"),
    "age_group": ("kelompok usia", "usia", "umur", "kelompok umur", "age group", "age"),
    "employment_type": (
        "status kepegawaian", "status pegawai", "status asn", "jenis pegawai",
        "employment type", "employment status",
    ),
    "weight": ("bobot", "weight", "survey weight"),
    "unit_name": (
        "nama unit kerja", "nama unit", "nama opd", "nama perangkat daerah", "nama satker",
        "unit name",
    ),
    "unit_type": ("jenis unit", "tipe unit", "jenis opd", "jenis perangkat daerah", "unit type"),
    "headcount": (
        "jumlah pegawai", "jumlah asn", "jumlah pns", "pegawai", "headcount", "staff", "employees",
    ),
    "public_facing": (
        "layanan publik", "unit layanan publik", "melayani publik", "public facing",
        "public service",
    ),
    "overall": (
        "indeks berakhlak", "indeks", "nilai indeks", "indeks budaya kerja", "overall",
        "overall index", "index",
    ),
    "respondents": ("jumlah responden", "responden total", "respondents", "n responden"),
    "source": ("sumber", "sumber data", "source"),
    "index_kind": (
        "jenis indeks", "tipe indeks", "macam indeks", "indeks yang dilaporkan", "index kind",
        "index type", "kind of index",
    ),
    "event_id": ("id kegiatan", "kode kegiatan", "no kegiatan", "event id", "event"),
    "date": ("tanggal", "tanggal kegiatan", "tanggal pelaksanaan", "date", "event date"),
    "kind": ("jenis kegiatan", "kegiatan", "jenis", "kind", "event type", "type"),
    "stage": ("tahap", "tahapan", "stage"),
    "hours": ("jam pelajaran", "jp", "jumlah jam", "durasi jam", "hours", "training hours"),
    "participants": ("jumlah peserta", "peserta", "participants"),
    "response_id": (
        "no responden", "nomor responden", "id responden", "no", "nomor", "no urut",
        "response id", "respondent",
    ),
    "service": ("jenis layanan", "layanan", "jenis pelayanan", "pelayanan", "service"),
    "education": ("pendidikan", "pendidikan terakhir", "education"),
    "occupation": ("pekerjaan", "occupation", "job"),
    "ikm": ("nilai ikm", "ikm", "indeks kepuasan masyarakat", "nilai ikm konversi", "ikm unit"),
    "method_version": ("metode", "versi metode", "dasar hukum", "method", "method version"),
}  # fmt: skip

# Likert items and SKM elements: names and texts.
_ITEMS: dict[str, tuple[str, ...]] = {b.code: (b.text_id, b.text_en) for b in BEHAVIOURS}
_ELEMENTS: dict[str, tuple[str, ...]] = {e.code: (e.name_id, e.name_en) for e in IKM_ELEMENTS_2017}
# Common local wordings of element names.
_ELEMENT_EXTRA: dict[str, tuple[str, ...]] = {
    "U1": ("persyaratan pelayanan",),
    "U2": ("prosedur", "sistem mekanisme prosedur", "prosedur pelayanan"),
    "U3": ("waktu pelayanan", "kecepatan pelayanan", "jangka waktu penyelesaian"),
    "U4": ("biaya", "tarif", "biaya tarif pelayanan"),
    "U5": ("produk spesifikasi", "produk layanan", "spesifikasi jenis pelayanan"),
    "U6": ("kompetensi petugas",),
    "U7": ("perilaku petugas",),
    "U8": ("penanganan pengaduan", "penanganan pengaduan saran dan masukan", "pengaduan"),
    "U9": ("sarana prasarana", "sarpras"),
}

# Elements headed by their number only ("Unsur 8", "U8"): read in the order of
# PermenPANRB 14/2017, and the ingest log says that this order was assumed.
_CODE_ONLY: dict[str, str] = {
    n: f"U{i}"
    for i in range(1, 10)
    for n in (f"u{i}", f"u {i}", f"unsur {i}", f"unsur{i}", f"unsur u{i}")
}

_PREFIX = re.compile(r"^(?:no |nomor )?([a-z]{1,2}\d{1,2}|\d{1,2})(?: |$)(.*)$")


@cache
def aliases(table_name: str) -> dict[str, str]:
    """Normalised header -> canonical column for one table.

    Returns
    -------
    dict
        Every accepted header (normalised with :func:`norm_header`) mapped to
        the canonical column name of ``table_name``.
    """
    tbl = TABLES[table_name]
    out: dict[str, str] = {}
    for col in tbl.columns:
        names = [col.name, col.header_id, *_COMMON.get(col.name, ())]
        names += list(_ITEMS.get(col.name, ()))
        names += list(_ELEMENTS.get(col.name, ())) + list(_ELEMENT_EXTRA.get(col.name, ()))
        for n in names:
            out.setdefault(norm_header(n), col.name)
    if table_name == "skm_responses":
        for n, code in _CODE_ONLY.items():
            out.setdefault(n, code)
    return out


def code_only(header: str) -> bool:
    """Whether a header names an SKM element by its number only ("U8", "Unsur 8")."""
    return norm_header(header) in _CODE_ONLY


class HeaderMatch(dict):
    """Original header -> canonical column.

    ``ignored`` lists headers that matched nothing (or that a mapping set
    aside); ``by_code`` lists the SKM element headers matched by number only,
    whose order (PermenPANRB 14/2017) was therefore assumed.
    """

    ignored: list[str]
    by_code: list[str]


def _match_one(header: str, amap: dict[str, str], codes: set[str], by_code: bool) -> str | None:
    n = norm_header(header)
    if not n:
        return None
    if n in amap:
        return amap[n]
    m = _PREFIX.match(n)
    if m:
        prefix, rest = m.group(1), m.group(2).strip()
        if rest and rest in amap:
            return amap[rest]
        # "BP1 <any text>" is item BP1; SKM elements are never keyed by a code
        # prefix, because local questionnaires renumber them.
        if by_code and prefix.upper() in codes:
            return prefix.upper()
    return None


def _method_aliases(table_name: str, elements) -> dict[str, str]:
    amap = aliases(table_name)
    if table_name != "skm_responses" or elements is None:
        return amap
    nine = {e.code for e in IKM_ELEMENTS_2017}
    out = {k: v for k, v in amap.items() if v not in nine}
    for e in elements:
        out.setdefault(norm_header(e.name_id), e.code)
        out.setdefault(norm_header(e.name_en), e.code)
    return out


def map_headers(
    headers: list[str], table_name: str, *, where: str = "",
    fixed: dict[str, str] | None = None, elements=None,
) -> HeaderMatch:  # fmt: skip
    """Map a file's headers to the canonical columns of ``table_name``.

    Parameters
    ----------
    headers : list of str
        Headers as they stand in the file.
    table_name : str
        Canonical table name.
    where : str
        File (and sheet) named in error messages.
    fixed : dict, optional
        Header -> canonical column declared by a mapping; they win over every
        alias, and ``"(ignore)"`` leaves a header out.
    elements : tuple of IkmElement, optional
        The elements of an SKM questionnaire other than PermenPANRB 14/2017
        (:func:`berakhlak_research.io.instruments.elements`): they replace
        U1..U9 as the required columns and are matched by their names.

    Returns
    -------
    HeaderMatch
        Original header -> canonical name for matched headers; ``ignored``
        holds the headers that match no column of the table.

    Raises
    ------
    FileProblem
        Two headers map to the same column, or a required column is missing.
    """
    amap = _method_aliases(table_name, elements)
    tbl = TABLES[table_name]
    codes = {c.name for c in tbl.columns if re.fullmatch(r"[A-Z]{2}\d", c.name)}
    primary = {norm_header(c.header_id): c.name for c in tbl.columns} | {
        norm_header(c.name): c.name for c in tbl.columns
    }
    fixed = dict(fixed or {})
    declared = set(fixed.values())
    out = HeaderMatch()
    out.ignored = []
    out.by_code = []
    seen: dict[str, str] = {}
    for h in headers:
        if str(h) in fixed:
            canon = fixed[str(h)]
            if canon == "(ignore)":
                out.ignored.append(str(h))
            else:
                seen[canon] = str(h)
                out[str(h)] = canon
            continue
        canon = _match_one(h, amap, codes, by_code=True)
        if canon is None or canon in declared:
            # A mapping that put another column in this place wins.
            out.ignored.append(str(h))
            continue
        if table_name == "skm_responses" and elements is None and code_only(h):
            out.by_code.append(str(h))
        if canon in seen:
            # The standard header wins over an alias ("Kode Wilayah" beside
            # "Kabupaten/Kota"): the alias column is left out and listed.
            old = seen[canon]
            old_std = primary.get(norm_header(old)) == canon
            new_std = primary.get(norm_header(h)) == canon
            if old_std != new_std:
                keep, drop = (old, str(h)) if old_std else (str(h), old)
                out.pop(drop, None)
                out[keep] = canon
                seen[canon] = keep
                out.ignored.append(drop)
                continue
            raise FileProblem(
                f"{where}: the columns {old!r} and {h!r} both mean {canon!r} of table "
                f"{table_name!r}. Remove or rename one of them and try again.",
                where,
            )
        seen[canon] = str(h)
        out[str(h)] = canon
    required = [(c.header_id, c.name) for c in tbl.columns if c.required]
    if table_name == "skm_responses" and elements is not None:
        nine = {e.code for e in IKM_ELEMENTS_2017}
        required = [r for r in required if r[1] not in nine]
        required += [(e.name_id, e.code) for e in elements]
    missing = [r for r in required if r[1] not in seen]
    if missing:
        hint = (
            ' If the headers are question texts or numbers (a Google Form, "Unsur 1"), '
            "write a mapping: `berakhlak mapping draft FILE` drafts one from the headers, "
            "then ingest with --mapping."
            if table_name == "skm_responses"
            else ""
        )
        raise FileProblem(
            f"{where}: table {table_name!r} needs the column(s) "
            + ", ".join(f"{h!r} ({n})" for h, n in missing)
            + " and the file has none of them (or any alias; see data/README.md). "
            "Add the column(s) or rename the header(s) and try again." + hint,
            where,
        )
    return out


def _found(headers: list[str], table_name: str) -> set[str]:
    amap = aliases(table_name)
    codes = {c.name for c in TABLES[table_name].columns if re.fullmatch(r"[A-Z]{2}\d", c.name)}
    return {_match_one(h, amap, codes, by_code=True) for h in headers} - {None}


def _score(headers: list[str], table_name: str) -> tuple[int, int, int]:
    tbl = TABLES[table_name]
    found = _found(headers, table_name)
    required = {c.name for c in tbl.columns if c.required}
    return len(found & required), len(required), len(found)


def infer_table(headers: list[str], *, where: str = "") -> str:
    """Guess the table from a file's headers.

    The table whose required columns are all present wins; among several, the
    one that matches the most headers. Ties and misses raise.

    Returns
    -------
    str
        The canonical table name.

    Raises
    ------
    FileProblem
        No table fits (the message names the closest one and what is missing),
        or two fit equally well.
    """
    scores = {name: _score(headers, name) for name in TABLE_NAMES}
    complete = [n for n, (hit, need, _) in scores.items() if hit == need]
    if complete:
        best = max(scores[n][2] for n in complete)
        top = [n for n in complete if scores[n][2] == best]
        if len(top) == 1:
            return top[0]
        raise FileProblem(
            f"{where}: the headers fit several tables ({', '.join(top)}). "
            "Name the table with --table (or table=...).",
            where,
        )
    closest = max(scores, key=lambda n: (scores[n][0] / scores[n][1], scores[n][2]))
    hit, need, _ = scores[closest]
    shown = ", ".join(repr(str(h)) for h in headers[:12]) + (" ..." if len(headers) > 12 else "")
    if hit / need >= 0.5:
        tbl = TABLES[closest]
        found = _found(headers, closest)
        missing = [c for c in tbl.columns if c.required and c.name not in found]
        raise FileProblem(
            f"{where}: looks like table {closest!r} but the required column(s) "
            + ", ".join(f"{c.header_id!r} ({c.name})" for c in missing)
            + " are missing. Add them, or name the table with --table if it is another one.",
            where,
        )
    raise FileProblem(
        f"{where}: the headers ({shown}) do not match any table ({', '.join(TABLE_NAMES)}). "
        "Check that the header row is there, or name the table with --table. "
        "data/README.md lists the headers each table accepts.",
        where,
    )
