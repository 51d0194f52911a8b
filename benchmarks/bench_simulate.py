"""Benchmark of the simulator: wall time and peak memory per scale.

Run: ``.venv/bin/python benchmarks/bench_simulate.py [demo|province|national ...] [--fmt parquet|csv]``

Each scale runs in a fresh child process so that peak memory (``ru_maxrss``)
belongs to that run alone. Prints one Markdown table row per run; the
recorded figures live in ``benchmarks/results/simulate.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
t0 = time.perf_counter()
from berakhlak_research.simulate import simulate
t_import = time.perf_counter() - t0
scale, out, fmt = sys.argv[1], sys.argv[2], sys.argv[3]
t1 = time.perf_counter()
sim = simulate(scale, seed=1, fmt=None if fmt == "default" else fmt)
t_mem = time.perf_counter() - t1 if scale != "national" else float("nan")
t2 = time.perf_counter()
sim = simulate(scale, seed=1, out=out, fmt=None if fmt == "default" else fmt)
t_write = time.perf_counter() - t2
size = sum(p.stat().st_size for p in Path(out).iterdir())
print(json.dumps({
    "scale": scale, "fmt": fmt, "import_s": t_import, "in_memory_s": t_mem, "write_s": t_write,
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "cpu_s": resource.getrusage(resource.RUSAGE_SELF).ru_utime
    + resource.getrusage(resource.RUSAGE_SELF).ru_stime,
    "culture_responses": sim.truth["sizes"]["culture_responses"],
    "skm_responses": sim.truth["sizes"]["skm_responses"], "units": sim.truth["sizes"]["units"],
    "governments": sim.truth["sizes"]["governments"], "files": len(sim.files),
    "bytes": size,
}))
"""

CHILD_NATIONAL = CHILD.replace(
    'sim = simulate(scale, seed=1, fmt=None if fmt == "default" else fmt)\n', ""
)


def run(scale: str, fmt: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        code = CHILD_NATIONAL if scale == "national" else CHILD
        res = subprocess.run(
            [sys.executable, "-c", code, scale, str(Path(tmp) / "raw"), fmt],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "OMP_NUM_THREADS": "2"},
        )
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("scales", nargs="*", default=["demo", "province", "national"])
    ap.add_argument("--fmt", default="default")
    args = ap.parse_args()
    print("| scale | format | culture rows | SKM rows | units | in-memory s | write s "
          "| process CPU s | peak MB |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|")
    for scale in args.scales:
        r = run(scale, args.fmt)
        print(
            f"| {r['scale']} | {r['fmt']} | {r['culture_responses']:,} | {r['skm_responses']:,} "
            f"| {r['units']:,} | {r['in_memory_s']:.2f} | {r['write_s']:.2f} "
            f"| {r['cpu_s']:.1f} | {r['peak_rss_mb']:.0f} |",
            flush=True,
        )
        print(json.dumps(r), file=sys.stderr)


if __name__ == "__main__":
    main()
