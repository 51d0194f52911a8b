"""Write the simulated data as raw exports, the way a user receives them.

Headers are the Indonesian ``header_id`` of :mod:`berakhlak_research.tables`;
SKM element columns are headed by the element's name. At the demo and
province scales the files mix comma CSV (ISO dates), semicolon CSV (decimal
comma, dd/mm/yyyy dates) and XLSX with title rows above the header; some
files hold answer labels instead of numbers, some government columns a name
or a compact code instead of "35.75". At the national scale the microdata are
streamed chunk by chunk to one Parquet (or CSV) file per table.

Everything written is byte-identical for the same seed: CSV and Parquet are
deterministic, and XLSX files are rewritten with fixed zip timestamps and
fixed document properties.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from berakhlak_research import regions
from berakhlak_research.exceptions import FileProblem, ParameterError
from berakhlak_research.framework import (
    BEHAVIOUR_CODES,
    GENERIC_SKM_LABELS,
    IKM_ELEMENTS_2017,
    LIKERT_LABELS,
)
from berakhlak_research.simulate._raw import RawFile, header_of
from berakhlak_research.tables import TABLES

__all__ = ["RawWriter", "RawFile", "header_of", "write_xlsx"]

FIXED_ZIP_TIME = (2020, 1, 1, 0, 0, 0)
FIXED_PROP_TIME = "2020-01-01T00:00:00Z"


_XLSX_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
        "</Relationships>"
    ),
    "docProps/core.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        "<dc:creator>berakhlak-research simulator</dc:creator>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{FIXED_PROP_TIME}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{FIXED_PROP_TIME}</dcterms:modified>'
        "</cp:coreProperties>"
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        "</Relationships>"
    ),
}  # fmt: skip


def _cells(col: pd.Series):
    """One column as SpreadsheetML cells (numbers as numbers, text inline, blanks empty)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    isna = col.isna().to_numpy()
    na = pa.array(isna)
    numeric = pd.api.types.is_numeric_dtype(col.dtype) and not pd.api.types.is_bool_dtype(col.dtype)
    text = pa.array(np.asarray(col.astype(object).where(~isna, ""), dtype=str))
    if numeric:
        cell = pc.binary_join_element_wise("<c><v>", text, "</v></c>", "")
    else:
        for a, b in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
            text = pc.replace_substring(text, a, b)
        cell = pc.binary_join_element_wise('<c t="inlineStr"><is><t>', text, "</t></is></c>", "")
    return pc.if_else(na, "<c/>", cell)


def write_xlsx(data: pd.DataFrame, path: Path, title: list[str] = ()) -> None:
    """A minimal, deterministic XLSX (one sheet "Data"; title rows, header, data rows).

    Built with vectorised (Arrow) string operations rather than a
    cell-by-cell writer, with fixed zip timestamps and document dates, so the
    same data give the same bytes.
    """
    import pyarrow.compute as pc

    top = [pd.Series([t], dtype=object) for t in title] + [
        pd.Series(list(data.columns), dtype=object)
    ]
    rows = ["<row>" + "".join(_cells(s).to_pylist()) + "</row>" for s in top[:-1]]
    rows.append("<row>" + "".join(_cells(top[-1]).to_pylist()) + "</row>")
    cells = [_cells(data[c]) for c in data.columns]  # columns, not rows
    body = pc.binary_join_element_wise("<row>", *cells, "</row>", "") if len(data) else []
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        "<sheetData>" + "".join(rows) + "".join(body.to_pylist() if len(data) else [])
        + "</sheetData></worksheet>"
    )  # fmt: skip
    parts = dict(_XLSX_PARTS)
    parts["xl/worksheets/sheet1.xml"] = sheet
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            zi = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            z.writestr(zi, text.encode("utf-8"))


def _write(f: RawFile, folder: Path) -> Path:
    path = folder / f.name
    if f.kind == "xlsx":
        write_xlsx(f.data, path, f.title)
    else:
        sep, dec = (";", ",") if f.kind == "csv;" else (",", ".")
        enc = "utf-8-sig" if f.bom else "utf-8"
        f.data.to_csv(path, sep=sep, decimal=dec, index=False, encoding=enc, lineterminator="\n")
    return path


def _gov_text(codes: pd.Series, style: str) -> pd.Series:
    if style == "code":
        return codes.astype(object)
    if style == "compact":
        return codes.str.replace(".", "", regex=False).astype(object)
    names = regions.governments().set_index("code")["name"]
    return codes.map(names).astype(object)


def _date_text(d: pd.Series, style: str) -> pd.Series:
    fmt = "%Y-%m-%d" if style == "iso" else "%d/%m/%Y"
    return d.dt.strftime(fmt).astype(object)


def _labels(x: pd.Series, labels: tuple[str, ...]) -> pd.Series:
    arr = np.array([None, *labels], dtype=object)
    return pd.Series(arr[x.fillna(0).astype(int).to_numpy()], index=x.index)


# Formats of the per-government files, by the government's position in the list.
_CULTURE_STYLE = (
    # (kind, government column, dates, labels)
    ("csv", "code", "iso", False),
    ("csv;", "compact", "dmy", False),
    ("xlsx", "name", "iso", True),
    ("csv", "name", "dmy", True),
)
_SKM_STYLE = (
    ("csv;", "code", "dmy", "element", False),
    ("xlsx", "name", "iso", None, True),
    ("csv", "compact", "iso", "generic", False),
    ("csv", "code", "iso", None, False),
)


def culture_raw(df: pd.DataFrame, gov_style: str, date_style: str, labels: bool) -> pd.DataFrame:
    h = header_of("culture_responses")
    out = pd.DataFrame(index=df.index)
    for c in TABLES["culture_responses"].column_names:
        s = df[c]
        if c == "gov_code":
            s = _gov_text(s, gov_style)
        elif c == "response_date":
            s = _date_text(s, date_style)
        elif c in BEHAVIOUR_CODES and labels:
            s = _labels(s, LIKERT_LABELS[5]["id"])
        elif c == "weight":
            s = s.round(4)
        out[h[c]] = s
    return out.reset_index(drop=True)


def skm_raw(df: pd.DataFrame, gov_style, date_style, labels, swap) -> pd.DataFrame:
    h = header_of("skm_responses")
    out = pd.DataFrame(index=df.index)
    order = list(TABLES["skm_responses"].column_names)
    if swap:
        i, j = order.index("U8"), order.index("U9")
        order[i], order[j] = order[j], order[i]
    elements = {e.code: e for e in IKM_ELEMENTS_2017}
    for c in order:
        if c == "period_code":  # derived on ingest from "Periode"; exports have no such column
            continue
        s = df[c]
        if c == "gov_code":
            s = _gov_text(s, gov_style)
        elif c == "response_date":
            s = _date_text(s, date_style)
        elif c in elements and labels == "element":
            s = _labels(s, elements[c].labels_id)
        elif c in elements and labels == "generic":
            s = _labels(s, GENERIC_SKM_LABELS)
        out[h[c]] = s
    return out.reset_index(drop=True)


def _small_tables(tables: dict[str, pd.DataFrame], mixed: bool) -> list[RawFile]:
    files = []
    u = tables["units"].copy()
    u["public_facing"] = np.where(u["public_facing"].to_numpy(dtype=bool), "Ya", "Tidak")
    u = u.rename(columns=header_of("units"))
    if mixed:
        title = ["DAFTAR UNIT KERJA (OPD) DAN JUMLAH PEGAWAI", "Sumber: data kepegawaian 2022"]
        files.append(RawFile("unit_kerja.xlsx", "units", u, "xlsx", title))
    else:
        files.append(RawFile("unit_kerja.csv", "units", u, "csv"))
    ev = tables["interventions"].copy()
    ev["date"] = _date_text(ev["date"], "iso")
    files.append(RawFile("kegiatan_budaya_kerja.csv", "interventions",
                         ev.rename(columns=header_of("interventions")), "csv"))  # fmt: skip
    pc = tables["published_culture"].rename(columns=header_of("published_culture"))
    pi = (
        tables["published_ikm"]
        .drop(columns="period_code", errors="ignore")
        .rename(columns=header_of("published_ikm"))
    )
    kind = "csv;" if mixed else "csv"
    files.append(RawFile("indeks_berakhlak_terbit.csv", "published_culture", pc, kind))
    files.append(RawFile("ikm_terbit.csv", "published_ikm", pi, kind, bom=mixed))
    return files


def _write_tsv(df: pd.DataFrame, path: Path) -> None:
    """Tab-separated truth table via Arrow's CSV writer (fast; missing = empty)."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    tab = pa.Table.from_pandas(df, preserve_index=False).replace_schema_metadata(None)
    buf = pa.BufferOutputStream()
    opts = pcsv.WriteOptions(delimiter="\t", quoting_style="none", include_header=False)
    pcsv.write_csv(tab, buf, opts)
    path.write_bytes(("\t".join(df.columns) + "\n").encode() + buf.getvalue().to_pybytes())


class RawWriter:
    """Collects (or streams) the simulated tables and writes the raw exports."""

    def __init__(self, out: Path, st, fmt: str, messy: bool, seed: int):
        self.out = Path(out)
        try:
            self.out.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise FileProblem(f"Cannot create the output folder {out}: {err}", str(out)) from err
        if messy and fmt != "mixed":
            raise ParameterError("--messy needs the mixed file formats of the demo/province scale.")
        self.st, self.fmt, self.messy, self.seed = st, fmt, messy, seed
        self._cult: list[pd.DataFrame] = []
        self._skm: list[pd.DataFrame] = []
        self._streams: dict[str, object] = {}
        self._paths: list[Path] = []

    # -- microdata ---------------------------------------------------------
    def add_microdata(self, cf: pd.DataFrame, sf: pd.DataFrame) -> None:
        if self.fmt == "mixed":
            self._cult.append(cf)
            self._skm.append(sf)
            return
        self._stream("culture_responses", "survei_budaya", cf)
        self._stream("skm_responses", "skm", sf)

    def _stream(self, table: str, stem: str, df: pd.DataFrame) -> None:
        import pyarrow as pa

        raw = df.rename(columns=header_of(table))
        if self.fmt == "csv":
            raw = raw.assign(**{h: _date_text(raw[h], "iso") for h in raw.columns
                                if h.startswith("Tanggal")})  # fmt: skip
        tab = pa.Table.from_pandas(raw, preserve_index=False).replace_schema_metadata(None)
        w = self._streams.get(table)
        if w is None:
            path = self.out / f"{stem}.{'parquet' if self.fmt == 'parquet' else 'csv'}"
            if self.fmt == "parquet":
                import pyarrow.parquet as pq

                # snappy, and no dictionary for the unique ids: fastest to write
                ids = {header_of(table)[k] for k in ("respondent_id", "response_id")
                       if k in header_of(table)}  # fmt: skip
                dict_cols = [n for n in tab.schema.names if n not in ids]
                w = pq.ParquetWriter(
                    path, tab.schema, compression="snappy", use_dictionary=dict_cols
                )
            else:
                import pyarrow.csv as pcsv

                w = pcsv.CSVWriter(path, tab.schema)
            self._streams[table] = w
            self._paths.append(path)
        w.write_table(tab)

    # -- finish --------------------------------------------------------------
    def finish(self, sim) -> tuple[list[Path], list[dict]]:
        for w in self._streams.values():
            w.close()
        mixed = self.fmt == "mixed"
        files = _small_tables(sim.tables, mixed)
        if mixed:
            files += self._per_government()
        defects: list[dict] = []
        if self.messy:
            from berakhlak_research.simulate._messy import inject

            defects = inject(files, self.seed)
        for f in files:
            self._paths.append(_write(f, self.out))
        self._paths += self._truth_files(sim, defects)
        return sorted(self._paths), defects

    def _per_government(self) -> list[RawFile]:
        cult = pd.concat(self._cult, ignore_index=True)
        skm = pd.concat(self._skm, ignore_index=True)
        files = []
        codes = self.st.govs["code"].tolist()
        cg = cult.groupby("gov_code", sort=False).indices
        sg = skm.groupby("gov_code", sort=False).indices
        for i, code in enumerate(codes):  # one file per government (a handful to 39)
            slug = regions.slug(code)
            kind, gov, dates, labels = _CULTURE_STYLE[i % len(_CULTURE_STYLE)]
            if code in cg:
                raw = culture_raw(cult.iloc[cg[code]], gov, dates, labels)
                title = (
                    ["SURVEI BUDAYA KERJA ASN BERAKHLAK", regions.name_of(code)]
                    if kind == "xlsx"
                    else []
                )
                ext = "xlsx" if kind == "xlsx" else "csv"
                files.append(
                    RawFile(
                        f"survei_budaya_{slug}.{ext}",
                        "culture_responses",
                        raw,
                        kind,
                        title,
                        bom=(i % 2 == 1),
                    )  # fmt: skip
                )
            kind, gov, dates, labels, swap = _SKM_STYLE[i % len(_SKM_STYLE)]
            if code in sg:
                raw = skm_raw(skm.iloc[sg[code]], gov, dates, labels, swap)
                ext = "xlsx" if kind == "xlsx" else "csv"
                files.append(RawFile(f"skm_{slug}.{ext}", "skm_responses", raw, kind))
        return files

    def _truth_files(self, sim, defects: list[dict]) -> list[Path]:
        paths = []
        p = self.out / "truth.json"
        p.write_text(json.dumps(sim.truth, indent=2, sort_keys=False, allow_nan=True) + "\n")
        paths.append(p)
        st = self.st
        units = sim.tables["units"][["gov_code", "unit_code"]].copy()
        units["first_treated"] = st.first_treated
        units["unit_cohort"] = st.unit_cohort
        units["gov_cohort"] = st.govs["gov_cohort"].to_numpy()[st.unit_gov]
        from berakhlak_research.framework import VALUE_CODES

        for j, v in enumerate(VALUE_CODES):
            units[f"gov_effect_{v}"] = st.gov_effect[st.unit_gov, j].round(6)
            units[f"unit_effect_{v}"] = st.unit_effect[:, j].round(6)
        units["skm_unit_effect"] = st.skm_unit.round(6)
        p = self.out / "truth_units.tsv"
        _write_tsv(units, p)
        paths.append(p)
        p = self.out / "truth_unit_waves.tsv"
        uw = sim.unit_waves
        floats = uw.select_dtypes("float").columns
        _write_tsv(uw.assign(**{c: uw[c].round(6) for c in floats}), p)
        paths.append(p)
        if self.messy:
            p = self.out / "defects.json"
            p.write_text(json.dumps(defects, indent=2) + "\n")
            paths.append(p)
        return paths
