"""Benchmark: ingest one million culture or SKM responses (Parquet and CSV).

    .venv/bin/python benchmarks/bench_ingest.py [--rows 1000000] [--work DIR] [--table skm]

``--table skm`` writes SKM responses whose "Periode" mixes sub-annual periods
as offices write them ("Semester I 2025", "Triwulan II 2024", "2025-Q3",
"Januari - Juni 2024", survey dates "15/06/2025") instead of culture responses.

Writes a raw folder per format (a units table of ~40,000 units across the 514
regencies and cities, and the culture responses with Indonesian headers, in
one file), then times ``berakhlak_research.io.ingest`` on each in a fresh
process (so peak memory is that of the ingest alone) and prints a Markdown
table. Targets (issue 3): Parquet <= 10 s, CSV <= 30 s on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ITEMS = [f"{v}{i}" for v in ("BP", "AK", "KP", "HM", "LY", "AD", "KB") for i in (1, 2, 3)]


def make_raw(root: Path, rows: int, seed: int = 1) -> None:
    """Write raw/parquet and raw/csv folders with the same data."""
    from berakhlak_research.regions import governments

    rng = np.random.default_rng(seed)
    govs = governments()
    govs = govs.loc[govs["kind"] != "provinsi", "code"].to_numpy()
    n_units = 40_000
    unit_gov = govs[rng.integers(0, len(govs), n_units)]
    unit_code = np.array([f"U{i:05d}" for i in range(n_units)], dtype=object)
    units = pd.DataFrame(
        {
            "Kode Wilayah": unit_gov,
            "Kode Unit": unit_code,
            "Nama Unit Kerja": [f"Unit {i}" for i in range(n_units)],
            "Jenis Unit": rng.choice(["dinas", "badan", "kecamatan", "kelurahan"], n_units),
            "Jumlah Pegawai": rng.integers(5, 400, n_units),
            "Layanan Publik": rng.choice(["Ya", "Tidak"], n_units),
        }
    )
    u = rng.integers(0, n_units, rows)
    wave = rng.choice([2023, 2024, 2025], rows)
    day = rng.integers(0, 150, rows)
    culture = pd.DataFrame(
        {
            "ID Responden": np.char.add("R", np.arange(rows).astype(str)).astype(object),
            "Tahun Survei": wave,
            "Kode Wilayah": unit_gov[u],
            "Kode Unit": unit_code[u],
            "Tanggal Pengisian": pd.to_datetime(wave.astype(str) + "-03-01")
            + pd.to_timedelta(day, unit="D"),
        }
    )
    answers = np.clip(np.round(rng.normal(3.8, 0.9, (rows, 21))), 1, 5).astype(np.int8)
    for j, c in enumerate(ITEMS):
        culture[c] = answers[:, j]
    culture.loc[rng.random(rows) < 0.01, "AD3"] = pd.NA  # some items left unanswered
    culture["Jenis Kelamin"] = rng.choice(["L", "P"], rows)
    culture["Kelompok Usia"] = rng.choice(["<30", "30-39", "40-49", "50+"], rows)
    culture["Status Kepegawaian"] = rng.choice(["PNS", "PPPK"], rows)
    culture["Bobot"] = np.round(rng.uniform(0.5, 2.0, rows), 4)
    for fmt in ("parquet", "csv"):
        d = root / fmt
        d.mkdir(parents=True, exist_ok=True)
        if fmt == "parquet":
            units.to_parquet(d / "unit_kerja.parquet", index=False)
            culture.to_parquet(d / "survei_budaya.parquet", index=False)
        else:
            units.to_csv(d / "unit_kerja.csv", index=False)
            out = culture.copy()
            out["Tanggal Pengisian"] = out["Tanggal Pengisian"].dt.strftime("%Y-%m-%d")
            out.to_csv(d / "survei_budaya.csv", index=False)


SKM_ELEMENTS = (
    "Persyaratan", "Sistem, Mekanisme, dan Prosedur", "Waktu Penyelesaian", "Biaya/Tarif",
    "Produk Spesifikasi Jenis Pelayanan", "Kompetensi Pelaksana", "Perilaku Pelaksana",
    "Sarana dan Prasarana", "Penanganan Pengaduan, Saran dan Masukan",
)  # fmt: skip
PERIODS = (
    "Semester I 2024", "Semester II 2024", "Triwulan I 2025", "Triwulan II 2025", "2025-Q3",
    "TW IV 2025", "Januari - Juni 2024", "Tahun 2023 Semester 2",
)  # fmt: skip


def make_raw_skm(root: Path, rows: int, seed: int = 1) -> None:
    """Write raw/parquet and raw/csv folders of units and SKM responses (sub-annual periods)."""
    from berakhlak_research.regions import governments

    rng = np.random.default_rng(seed)
    govs = governments()
    govs = govs.loc[govs["kind"] != "provinsi", "code"].to_numpy()
    n_units = 40_000
    unit_gov = govs[rng.integers(0, len(govs), n_units)]
    unit_code = np.array([f"U{i:05d}" for i in range(n_units)], dtype=object)
    units = pd.DataFrame(
        {
            "Kode Wilayah": unit_gov,
            "Kode Unit": unit_code,
            "Nama Unit Kerja": [f"Unit {i}" for i in range(n_units)],
            "Jenis Unit": rng.choice(["dinas", "badan", "kecamatan", "kelurahan"], n_units),
            "Jumlah Pegawai": rng.integers(5, 400, n_units),
            "Layanan Publik": "Ya",
        }
    )
    u = rng.integers(0, n_units, rows)
    period = np.array(PERIODS, dtype=object)[rng.integers(0, len(PERIODS), rows)]
    # 2 % of rows carry a survey date instead of a period (1,000 distinct days).
    dated = rng.random(rows) < 0.02
    days = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 1000, rows), unit="D")
    period[dated] = days[dated].strftime("%d/%m/%Y").to_numpy(dtype=object)
    skm = pd.DataFrame(
        {"No Responden": np.char.add("S", np.arange(rows).astype(str)).astype(object),
         "Kode Wilayah": unit_gov[u], "Kode Unit": unit_code[u], "Periode": period}
    )  # fmt: skip
    answers = np.clip(np.round(rng.normal(3.1, 0.7, (rows, 9))), 1, 4).astype(np.int8)
    for j, c in enumerate(SKM_ELEMENTS):
        skm[c] = answers[:, j]
    skm["Jenis Kelamin"] = rng.choice(["L", "P"], rows)
    skm["Pendidikan"] = rng.choice(
        ["SD Kebawah", "SMP", "SMA", "D1-D3", "D4/S1", "S2 Keatas"], rows
    )
    skm["Pekerjaan"] = rng.choice(["PNS", "Swasta", "Wiraswasta", "Pelajar", "Lainnya"], rows)
    for fmt in ("parquet", "csv"):
        d = root / fmt
        d.mkdir(parents=True, exist_ok=True)
        if fmt == "parquet":
            units.to_parquet(d / "unit_kerja.parquet", index=False)
            skm.to_parquet(d / "skm.parquet", index=False)
        else:
            units.to_csv(d / "unit_kerja.csv", index=False)
            skm.to_csv(d / "skm.csv", index=False)


def run_one(raw: Path, out: Path) -> dict:
    """Ingest one folder in this process; report time and peak memory."""
    from berakhlak_research.io import ingest

    def cpu() -> float:
        u = resource.getrusage(resource.RUSAGE_SELF)
        return u.ru_utime + u.ru_stime

    cpu0 = cpu()
    t0 = time.perf_counter()
    res = ingest(raw, out, progress=False)
    secs = time.perf_counter() - t0
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak = usage.ru_maxrss / 1024  # MiB on Linux
    t = res.log["totals"]
    return {"seconds": round(secs, 2), "cpu_seconds": round(cpu() - cpu0, 2),
            "peak_mib": round(peak), **t}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--work", default=None, help="scratch folder (default: a temporary one)")
    ap.add_argument("--table", choices=("culture", "skm"), default="culture")
    ap.add_argument("--one", nargs=2, metavar=("RAW", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(run_one(Path(args.one[0]), Path(args.one[1]))))
        return
    work = Path(args.work or tempfile.mkdtemp(prefix="bench_ingest_"))
    marker = "skm.csv" if args.table == "skm" else "survei_budaya.csv"
    if not (work / "raw" / "csv" / marker).is_file():
        t0 = time.perf_counter()
        (make_raw_skm if args.table == "skm" else make_raw)(work / "raw", args.rows)
        print(f"generated {args.rows:,} responses in {time.perf_counter() - t0:.1f} s in {work}")
    sizes = {
        f: sum(p.stat().st_size for p in (work / "raw" / f).iterdir()) for f in ("parquet", "csv")
    }
    results = {}
    for fmt in ("parquet", "csv"):
        cmd = [sys.executable, __file__, "--one", str(work / "raw" / fmt), str(work / f"out_{fmt}")]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
        results[fmt] = json.loads(proc.stdout.strip().splitlines()[-1])
    print(
        f"\nmachine: {platform.platform()}, {os.cpu_count()} cores, python {platform.python_version()}"
    )
    print(f"date (UTC): {time.strftime('%Y-%m-%d %H:%M', time.gmtime())}\n")
    print(f"load average (1 min) after the runs: {os.getloadavg()[0]:.1f}")
    print(
        "| format | raw size (MB) | rows read | accepted | rejected | wall s | CPU s "
        "| peak memory (MiB) | target |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for fmt, target in (("parquet", 10), ("csv", 30)):
        r = results[fmt]
        print(
            f"| {fmt} | {sizes[fmt] / 1e6:.0f} | {r['rows_read']:,} | {r['rows_accepted']:,} | "
            f"{r['rows_rejected']:,} | {r['seconds']} | {r['cpu_seconds']} | {r['peak_mib']} "
            f"| <= {target} s |"
        )


if __name__ == "__main__":
    main()
