"""Questionnaire mappings: how one office's export maps onto the canonical SKM table.

Offices number the nine elements differently (many put "Sarana dan Prasarana"
8th and "Penanganan Pengaduan" 9th, as the regulation's sample questionnaire
does), store the letters a-d for the scores 1-4, head the columns "Unsur 1" ..
"Unsur 9", or export a Google Form whose headers are the full question texts
with "Cap waktu" as the timestamp. A mapping file (TOML or YAML) says what each
column is, once, and ``berakhlak ingest --mapping FILE`` applies it::

    table = "skm_responses"        # default
    method = "2017"                # 2017 (default), 2014 or 2004

    [columns]                      # header as written -> canonical column
    "Cap waktu" = "response_date"
    "Unsur 8" = "U9"               # this office asks about Sarana 8th
    "Unsur 9" = "U8"

    [answers]                      # answer label -> score, per element or "*" for all
    "*" = { a = 1, b = 2, c = 3, d = 4 }

    [constants]                    # one value for every row (a single-office export)
    gov_code = "35.75"
    unit_code = "DPMPTSP"

    [period]                       # the period of a response from its survey date
    from = "Cap waktu"
    rule = "semester"              # year, semester, quarter or month

    [flags]                        # rows whose name says they are tests
    test_column = "Nama"
    test_values = ["test", "tes", "coba", "asdasd"]
    respondent_column = "Alamat email"   # same person twice -> flag_duplicate

:func:`draft_mapping` writes such a file from an export's headers.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from berakhlak_research.exceptions import FileProblem
from berakhlak_research.framework import IKM_ELEMENT_CODES, IKM_ELEMENTS_2017
from berakhlak_research.io.headers import aliases, norm_header
from berakhlak_research.io.read import RawFrame, read_raw
from berakhlak_research.periods import DATE_RULES
from berakhlak_research.tables import TABLE_NAMES, TABLES

__all__ = [
    "Mapping",
    "MAPPING_METHODS",
    "DEFAULT_TEST_VALUES",
    "load_mapping",
    "apply_mapping",
    "draft_mapping",
    "guess_element",
]

MAPPING_METHODS = ("2017", "2014", "2004")
"""Questionnaire methods a mapping may declare (PermenPANRB 14/2017, PermenPANRB
16/2014, KEP/25/M.PAN/2/2004)."""

DEFAULT_TEST_VALUES = ("test", "tes", "testing", "coba", "cobacoba", "asdasd", "asdf", "qwerty")
"""Names that mark a test submission, when a mapping names the column to look in."""

_TOP_KEYS = (
    "table", "method", "response_id", "columns", "answers", "constants", "period", "flags",
)  # fmt: skip
_CONSTANT_COLUMNS = ("gov_code", "unit_code", "period", "service")


@dataclass(frozen=True)
class Mapping:
    """A parsed, checked mapping file.

    Attributes
    ----------
    path : Path
        The mapping file (named in every message).
    table : str
        Canonical table the mapped files belong to.
    method : str
        Questionnaire method: ``"2017"``, ``"2014"`` or ``"2004"``.
    response_id : str or None
        ``"row"``: number the responses by their row in the file (a Google
        Form has no response number).
    columns : dict
        Header as written -> canonical column.
    answers : dict
        Element code (or ``"*"``) -> normalised answer label -> score.
    constants : dict
        Canonical column -> the value every row gets.
    period_from : str or None
        Header of a date column whose date gives the period.
    period_rule : str or None
        How a survey date becomes a period (:data:`periods.DATE_RULES`).
    test_column : str or None
        Header of the column whose values mark test rows.
    test_values : tuple of str
        Normalised values that mark a test row.
    respondent_column : str or None
        Header of a column that identifies the respondent (an e-mail, a phone
        number) for the duplicate-submission flag; it is never written out.
    """

    path: Path
    table: str = "skm_responses"
    method: str = "2017"
    response_id: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    answers: dict[str, dict[str, int]] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    period_from: str | None = None
    period_rule: str | None = None
    test_column: str | None = None
    test_values: tuple[str, ...] = DEFAULT_TEST_VALUES
    respondent_column: str | None = None

    def labels_for(self, code: str) -> dict[str, int]:
        """Extra answer labels (normalised) for element ``code``: "*" first, its own over them."""
        return {**self.answers.get("*", {}), **self.answers.get(code, {})}

    def as_log(self) -> dict:
        """What the ingest log records about the mapping."""
        return {
            "file": str(self.path),
            "table": self.table,
            "method": self.method,
            "response_id": self.response_id,
            "columns": dict(self.columns),
            "answers": {k: dict(v) for k, v in self.answers.items()},
            "constants": dict(self.constants),
            "period_from": self.period_from,
            "period_rule": self.period_rule,
            "test_column": self.test_column,
            "respondent_column": self.respondent_column,
        }


def _bad(path: Path, key: str, value: object, rule: str, what: str) -> FileProblem:
    return FileProblem(
        f"mapping {path}: {key} = {value!r}: {what} (rule {rule}).",
        str(path),
    )


def _parse(path: Path) -> dict:
    text = path.read_bytes()
    suffix = path.suffix.lower()
    try:
        if suffix == ".toml":
            return tomllib.loads(text.decode("utf-8-sig"))
        if suffix in (".yaml", ".yml"):
            import yaml

            data = yaml.safe_load(text.decode("utf-8-sig"))
            return {} if data is None else data
    except tomllib.TOMLDecodeError as err:
        raise FileProblem(
            f"mapping {path}: not valid TOML ({err}) (rule mapping_syntax). Fix the line named; "
            'quote headers with spaces: "Unsur 1" = "U1".',
            str(path),
        ) from err
    except UnicodeDecodeError as err:
        raise FileProblem(
            f"mapping {path}: not UTF-8 text (rule mapping_syntax). Save it as UTF-8.", str(path)
        ) from err
    except Exception as err:  # yaml.YAMLError and its subclasses
        raise FileProblem(
            f"mapping {path}: not valid YAML ({err}) (rule mapping_syntax). Fix the line named.",
            str(path),
        ) from err
    raise FileProblem(
        f"mapping {path}: unknown mapping format {suffix!r} (rule mapping_syntax); "
        "write it as .toml or .yaml.",
        str(path),
    )


def _table_section(path: Path, data: dict, name: str) -> dict:
    sec = data.get(name, {})
    if not isinstance(sec, dict):
        raise _bad(path, f"[{name}]", sec, "mapping_not_a_table",
                   f"[{name}] must be a table of key = value lines")  # fmt: skip
    return sec


def load_mapping(path: str | Path) -> Mapping:
    """Read and check a mapping file (TOML or YAML).

    Parameters
    ----------
    path : path-like
        ``.toml``, ``.yaml`` or ``.yml`` file (see the module docstring).

    Returns
    -------
    Mapping

    Raises
    ------
    FileProblem
        The file is missing, not valid TOML/YAML, or a key or value is wrong;
        the message names the file, the key, the value, the rule and what to do.
    """
    from berakhlak_research.io.labels import to_government

    path = Path(path)
    if not path.is_file():
        raise FileProblem(f"mapping {path}: no such file. Check the path.", str(path))
    data = _parse(path)
    if not isinstance(data, dict):
        raise _bad(path, "(file)", type(data).__name__, "mapping_syntax",
                   "a mapping is a set of keys and sections; see data/README.md")  # fmt: skip
    unknown = [k for k in data if k not in _TOP_KEYS]
    if unknown:
        raise _bad(path, unknown[0], data[unknown[0]], "mapping_unknown_key",
                   "not a mapping key; use " + ", ".join(_TOP_KEYS))  # fmt: skip
    table = str(data.get("table", "skm_responses"))
    if table not in TABLES:
        raise _bad(path, "table", table, "mapping_unknown_table",
                   "use one of " + ", ".join(TABLE_NAMES))  # fmt: skip
    method = str(data.get("method", "2017"))
    if method not in MAPPING_METHODS:
        raise _bad(path, "method", data.get("method"), "mapping_unknown_method",
                   "use 2017 (PermenPANRB 14/2017), 2014 (PermenPANRB 16/2014) or 2004 "
                   "(KEP/25/M.PAN/2/2004)")  # fmt: skip
    from berakhlak_research.io.instruments import element_codes

    response_id = data.get("response_id")
    if response_id is not None and response_id != "row":
        raise _bad(path, "response_id", response_id, "mapping_bad_value",
                   'the only value is "row" (number responses by their row in the file)')  # fmt: skip

    targets = set(TABLES[table].column_names) | set(element_codes(method)) | {"(ignore)"}
    columns: dict[str, str] = {}
    seen: dict[str, str] = {}
    for header, canon in _table_section(path, data, "columns").items():
        canon = str(canon)
        if canon not in targets:
            raise _bad(path, f'[columns] "{header}"', canon, "mapping_unknown_column",
                       f"not a column of {table}; use one of "
                       + ", ".join(sorted(targets - {"(ignore)"})) + ', or "(ignore)"')  # fmt: skip
        if canon in seen and canon != "(ignore)":
            raise _bad(path, f'[columns] "{header}"', canon, "mapping_duplicate_target",
                       f'"{seen[canon]}" already maps to {canon}; map each column once')  # fmt: skip
        seen[canon] = str(header)
        columns[str(header)] = canon
    answers: dict[str, dict[str, int]] = {}
    codes = set(element_codes(method)) | {"*"}
    for code, labels in _table_section(path, data, "answers").items():
        if code not in codes:
            raise _bad(path, f"[answers] {code}", labels, "mapping_unknown_element",
                       "answers are given per element (" + ", ".join(element_codes(method))
                       + ') or "*" for every element')  # fmt: skip
        if not isinstance(labels, dict):
            raise _bad(path, f"[answers] {code}", labels, "mapping_not_a_table",
                       'write the labels as { "Sangat Baik" = 4, ... }')  # fmt: skip
        out: dict[str, int] = {}
        for label, score in labels.items():
            if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 4:
                raise _bad(path, f'[answers] {code} "{label}"', score, "mapping_bad_score",
                           "a score is a whole number 1..4")  # fmt: skip
            key = norm_header(label)
            if not key or re.fullmatch(r"\d+", key):
                raise _bad(path, f'[answers] {code} "{label}"', score, "mapping_bad_label",
                           "an answer label is text; numbers are read as scores already")  # fmt: skip
            out[key] = int(score)
        answers[str(code)] = out
    constants: dict[str, str] = {}
    for col, value in _table_section(path, data, "constants").items():
        if col not in _CONSTANT_COLUMNS or col not in TABLES[table].column_names:
            raise _bad(path, f"[constants] {col}", value, "mapping_unknown_constant",
                       "constants can be " + ", ".join(_CONSTANT_COLUMNS))  # fmt: skip
        text = str(value).strip()
        if not text:
            raise _bad(path, f"[constants] {col}", value, "mapping_empty_constant",
                       "write the value every row gets (e.g. gov_code = \"35.75\")")  # fmt: skip
        if col == "gov_code":
            code, rule, reason = to_government(pd.Series([text], dtype=object))
            if rule is not None and rule[0] is not None:
                raise _bad(path, "[constants] gov_code", value, str(rule[0]),
                           f"{reason[0]}; write the Kemendagri code (e.g. 35.75)")  # fmt: skip
            text = str(code.iloc[0])
        constants[col] = text
    per = _table_section(path, data, "period")
    for k in per:
        if k not in ("from", "rule"):
            raise _bad(path, f"[period] {k}", per[k], "mapping_unknown_key",
                       "[period] takes 'from' (a date column) and 'rule'")  # fmt: skip
    rule = per.get("rule")
    if rule is not None and rule not in DATE_RULES:
        raise _bad(path, "[period] rule", rule, "mapping_bad_rule",
                   "use one of " + ", ".join(DATE_RULES))  # fmt: skip
    period_from = per.get("from")
    if period_from is not None and "period" in constants:
        raise _bad(path, "[period] from", period_from, "mapping_conflict",
                   "the period is already a constant; keep one of the two")  # fmt: skip
    flags = _table_section(path, data, "flags")
    for k in flags:
        if k not in ("test_column", "test_values", "respondent_column"):
            raise _bad(path, f"[flags] {k}", flags[k], "mapping_unknown_key",
                       "[flags] takes 'test_column', 'test_values' and 'respondent_column'")  # fmt: skip
    values = flags.get("test_values", DEFAULT_TEST_VALUES)
    if not isinstance(values, list | tuple) or not all(isinstance(v, str) for v in values):
        raise _bad(path, "[flags] test_values", values, "mapping_bad_list",
                   'write a list of names: ["test", "asdasd"]')  # fmt: skip
    return Mapping(
        path=path, table=table, method=method, response_id=response_id, columns=columns,
        answers=answers,
        constants=constants, period_from=None if period_from is None else str(period_from),
        period_rule=rule, test_column=flags.get("test_column"),
        # Compared as the ingest compares cell values: no case, spaces or trailing digits.
        test_values=tuple(norm_header(v).replace(" ", "").rstrip("0123456789") for v in values),
        respondent_column=flags.get("respondent_column"),
    )  # fmt: skip


def applies_to(mapping: Mapping, headers: list[str]) -> bool:
    """Whether a file is one the mapping describes: it has a mapped header, or (a
    mapping without [columns]) its headers plus the constants make the mapping's table."""
    from berakhlak_research.io.headers import infer_table

    if mapping.columns:
        have = {norm_header(h) for h in headers}
        return any(norm_header(h) in have for h in mapping.columns)
    if mapping.method != "2017":
        from berakhlak_research.io.instruments import detect_method

        if detect_method(headers)[0] == mapping.method:
            return True
    extra = list(mapping.constants) + (["period"] if mapping.period_from else [])
    extra += ["response_id"] if mapping.response_id else []
    try:
        return infer_table([*headers, *extra]) == mapping.table
    except FileProblem:
        return False


def apply_mapping(raw: RawFrame, mapping: Mapping) -> tuple[RawFrame, dict[str, str], list[str]]:
    """The raw frame with the mapping's constant and period columns added.

    The raw file is never touched; added columns are named ``"<column> [mapping]"``
    so a rejected row shows where its value came from.

    Returns
    -------
    raw : RawFrame
        A copy whose frame has the added columns.
    fixed : dict
        Header (as in the frame) -> canonical column, for every mapped header
        found in the file and every added column.
    notes : list of str
        What the mapping did, for the ingest log.
    """
    frame = raw.frame
    by_norm = {norm_header(h): str(h) for h in frame.columns}
    fixed: dict[str, str] = {}
    notes: list[str] = []
    missing = []
    for header, canon in mapping.columns.items():
        real = by_norm.get(norm_header(header))
        if real is None:
            missing.append(header)
        else:
            fixed[real] = canon
    if missing:
        notes.append("mapped headers not in this file: " + ", ".join(map(repr, missing)))
    add: dict[str, object] = {}
    for col, value in mapping.constants.items():
        name = f"{col} [mapping]"
        add[name] = value
        fixed[name] = col
        # A constant replaces the file's own column, if it has one.
        for h, c in list(fixed.items()):
            if c == col and h != name:
                fixed[h] = "(ignore)"
    if mapping.response_id == "row":
        name = "response_id [mapping: row number]"
        add[name] = raw.rows.astype(str)
        for h, c in list(fixed.items()):
            if c == "response_id":
                fixed[h] = "(ignore)"
        fixed[name] = "response_id"
    if mapping.period_from is not None:
        real = by_norm.get(norm_header(mapping.period_from))
        if real is None:
            raise FileProblem(
                f"{raw.where}: mapping {mapping.path}: [period] from = "
                f"{mapping.period_from!r}: the file has no such column (rule "
                "mapping_header_missing). Name the survey-date column as it is written.",
                str(raw.path),
            )
        name = f"period [mapping: from {real}]"
        add[name] = frame[real]
        for h, c in list(fixed.items()):
            if c == "period":
                fixed[h] = "(ignore)"
        fixed[name] = "period"
        rule = mapping.period_rule or "of --period-rule (default: year)"
        notes.append(f"period taken from the dates in {real!r} by rule {rule}")
    if add:
        frame = frame.assign(**add)
    return dataclasses.replace(raw, frame=frame), fixed, notes


# --------------------------------------------------------------------------
# Drafting a mapping from headers
# --------------------------------------------------------------------------

# Words that identify an element in a question text ("Bagaimana pendapat
# Saudara tentang kesesuaian persyaratan pelayanan ...?"), Indonesian and English.
_ELEMENT_WORDS: dict[str, tuple[str, ...]] = {
    "U1": (r"persyaratan", r"syarat", r"requirements?"),
    "U2": (r"prosedur", r"mekanisme", r"alur", r"procedures?"),
    "U3": (r"waktu", r"kecepatan", r"lama", r"completion time", r"speed", r"timeliness"),
    "U4": (r"biaya", r"tarif", r"costs?", r"fees?", r"tariffs?"),
    "U5": (r"produk", r"spesifikasi", r"hasil pelayanan", r"products?"),
    "U6": (r"kompetensi", r"kemampuan", r"competence"),
    "U7": (r"perilaku", r"kesopanan", r"keramahan", r"sopan", r"behaviou?r", r"courtesy"),
    "U8": (r"pengaduan", r"keluhan", r"complaints?"),
    "U9": (r"sarana", r"prasarana", r"fasilitas", r"facilities", r"infrastructure"),
}
_MAKLUMAT = re.compile(r"\bmaklumat\b")
_CODE_ONLY = re.compile(r"^(?:unsur|u|pertanyaan|soal|q|p)\s?(\d{1,2})$")


def guess_element(header: str) -> str | None:
    """The SKM element a header (a name or a whole question) asks about, or None.

    Exactly one element's words must occur: "kecepatan waktu" is U3,
    "sarana dan prasarana" U9, while a header naming two elements is left to
    the user. Codes alone ("Unsur 8") are never guessed: offices renumber them.
    """
    n = norm_header(header)
    exact = aliases("skm_responses").get(n)
    if exact in IKM_ELEMENT_CODES and not _CODE_ONLY.match(n):
        return exact
    hits = [
        code for code, words in _ELEMENT_WORDS.items()
        if any(re.search(rf"\b{w}\b", n) for w in words)
    ]  # fmt: skip
    return hits[0] if len(hits) == 1 else None


def _toml_key(text: str) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def draft_mapping(path: str | Path, sheet: str | None = None) -> str:
    """A draft TOML mapping for an SKM export, from its headers and answers.

    Headers that are a known column (any alias), an element's name or a
    question text naming one element are mapped; code-only headers ("Unsur 8")
    and everything else are listed as comments to fill in. Answer letters a-d
    get ``"*" = {a = 1, ...}``; other unknown answer labels are listed.

    Returns
    -------
    str
        The TOML text (also valid as a starting point for YAML users).
    """
    from berakhlak_research.io.instruments import detect_method
    from berakhlak_research.io.labels import skm_labels

    raw = read_raw(path, sheet)
    headers = [str(c) for c in raw.frame.columns]
    amap = aliases("skm_responses")
    method, why = detect_method(headers)
    mapped: dict[str, str] = {}
    unsure: list[str] = []
    unmatched: list[str] = []
    taken: set[str] = set()
    for h in headers:
        n = norm_header(h)
        canon = amap.get(n)
        if canon in IKM_ELEMENT_CODES and _CODE_ONLY.match(n):
            unsure.append(h)
            continue
        if canon is None or canon in IKM_ELEMENT_CODES:
            canon = guess_element(h) or canon
        if canon is None and n in ("cap waktu", "timestamp", "waktu", "tanggal"):
            canon = "response_date"
        if canon is None or canon in taken:
            unmatched.append(h)
            continue
        taken.add(canon)
        mapped[h] = canon
    lines = [
        f"# Draft mapping for {Path(path).name}, written by `berakhlak mapping draft`.",
        "# Check every line, fill in what is missing, then run:",
        f"#   berakhlak ingest RAW_DIR --out DATA --mapping {Path(path).stem}.toml",
        'table = "skm_responses"',
        f'method = "{method}"' + (f"  # {why}" if why else ""),
    ]
    if not any(amap.get(norm_header(h)) == "response_id" for h in headers):
        lines.append('response_id = "row"  # the file has no response number: use the row')
    lines += ["", "[columns]"]
    lines += [f"{_toml_key(h)} = {_toml_key(c)}" for h, c in mapped.items()]
    names = {e.code: e.name_id for e in IKM_ELEMENTS_2017}
    missing = [c for c in IKM_ELEMENT_CODES if c not in taken]
    if unsure:
        lines.append("# Elements headed by a number only: which element is each?")
        lines.append("# (PermenPANRB 14/2017 numbers U8 Penanganan Pengaduan, U9 Sarana dan "
                     "Prasarana; the sample questionnaire asks Sarana 8th)")  # fmt: skip
        lines += [f'# {_toml_key(h)} = "U?"' for h in unsure]
    if missing and method == "2017":
        lines.append("# Elements not found: " + ", ".join(f"{c} {names[c]}" for c in missing))
    if unmatched:
        lines.append("# Columns not matched (left out unless you map them):")
        lines += [f'# {_toml_key(h)} = ""' for h in unmatched]
    # Answer labels that no element knows, per element.
    unknown: dict[str, list[str]] = {}
    letters = False
    for h, c in mapped.items():
        if c not in IKM_ELEMENT_CODES:
            continue
        vals = raw.frame[h].dropna().astype(str).str.strip()
        vals = vals[vals != ""].unique()[:50]
        for v in vals:
            k = norm_header(v)
            if re.fullmatch(r"[a-d]", k):
                letters = True
            elif not re.fullmatch(r"\d+", k) and k not in skm_labels(c):
                unknown.setdefault(c, []).append(str(v))
    lines += ["", "[answers]"]
    if letters:
        lines.append('"*" = { a = 1, b = 2, c = 3, d = 4 }')
    if unknown:
        lines.append("# Answer labels not recognised: give each its score 1..4 and uncomment")
        lines += [
            f"# {c} = {{ " + ", ".join(f"{_toml_key(v)} = ?" for v in sorted(vals)) + " }"
            for c, vals in sorted(unknown.items())
        ]
    lines += ["", "[constants]"]
    has = set(mapped.values())
    for col, example in (("gov_code", "35.75"), ("unit_code", "D01")):
        if col not in has:
            lines.append(f"# {col} = \"{example}\"  # the file has no {col} column: "
                         "give the single office's value")  # fmt: skip
    lines += ["", "[period]"]
    if "period" not in has:
        if "response_date" in has:
            date_h = next(h for h, c in mapped.items() if c == "response_date")
            lines.append(f"from = {_toml_key(date_h)}")
            lines.append('rule = "year"  # or semester, quarter, month')
        else:
            lines.append('# no period column: add [constants] period = "2025" or name a date')
    lines += ["", "[flags]", '# test_column = "Nama"  # a column whose values "test", "asdasd" '
              "mark test rows"]  # fmt: skip
    return "\n".join(lines) + "\n"
