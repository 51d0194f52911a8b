"""Build the documentation site (``make docs``): demo data, executed tutorials, then Sphinx.

1. The tutorials run on the demo outputs (``demo/data``, ``demo/results``); if
   they are missing, the demo's stages up to ``model`` are run first (the
   reports are not needed).
2. Every ``notebooks/tutorials/*.ipynb`` is executed by papermill with a real
   kernel, from its own folder as JupyterLab would, into
   ``docs/_generated/tutorials/`` (a notebook is re-run only when it or the
   demo results changed; ``--force`` re-runs all). A failing tutorial fails
   the build.
3. ``sphinx-build -W --keep-going -n`` writes ``docs/_build/html``: any warning
   (a broken reference, a malformed docstring) fails the build.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
TUTORIALS = ROOT / "notebooks" / "tutorials"
EXECUTED = DOCS / "_generated" / "tutorials"


def ensure_demo() -> Path:
    """The demo results folder, made by the demo's stages if it is not there yet."""
    from berakhlak_research import paths
    from berakhlak_research.cli import main
    from berakhlak_research.commands.demo import demo_plan

    out = paths.DEMO_DIR
    catalog = paths.DEMO_RESULTS / "catalog.json"
    if (out / "data" / "processed").is_dir() and catalog.exists():
        return catalog
    for command, argv, _ in demo_plan(out, 20230515, None):
        if command == "report":
            continue
        print(f"docs: berakhlak {command} {' '.join(argv)}", flush=True)
        if main([command, *argv]) == 2:
            raise SystemExit(f"docs: demo stage {command} failed")
    return catalog


def execute_tutorials(force: bool) -> list[Path]:
    """Execute each tutorial into docs/_generated/tutorials/; return the executed files."""
    import papermill

    EXECUTED.mkdir(parents=True, exist_ok=True)
    catalog = ensure_demo() if any(TUTORIALS.glob("*.ipynb")) else None
    done = []
    wanted = {nb.name for nb in TUTORIALS.glob("*.ipynb")}
    for stale in EXECUTED.glob("*.ipynb"):  # a tutorial removed from the source
        if stale.name not in wanted:
            stale.unlink()
    for nb in sorted(TUTORIALS.glob("*.ipynb")):
        target = EXECUTED / nb.name
        newest_input = max(nb.stat().st_mtime, catalog.stat().st_mtime if catalog else 0)
        if not force and target.exists() and target.stat().st_mtime > newest_input:
            done.append(target)
            continue
        t0 = time.perf_counter()
        papermill.execute_notebook(
            str(nb), str(target), cwd=str(TUTORIALS), kernel_name="python3",
            progress_bar=False, request_save_on_cell_execute=False,
        )  # fmt: skip
        print(f"docs: executed {nb.name} [{time.perf_counter() - t0:.1f} s]", flush=True)
        done.append(target)
    return done


def sphinx(out: Path, builder: str = "html") -> int:
    cmd = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-n", "-q", "-b", builder,
           str(DOCS), str(out)]  # fmt: skip
    return subprocess.run(cmd, check=False).returncode


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--force", action="store_true", help="re-execute every tutorial")
    p.add_argument(
        "--no-tutorials", action="store_true", help="build with the tutorials as they are"
    )
    p.add_argument("--out", default=str(DOCS / "_build" / "html"))
    args = p.parse_args(argv)
    if not args.no_tutorials:
        execute_tutorials(args.force)
    t0 = time.perf_counter()
    code = sphinx(Path(args.out))
    print(f"docs: sphinx-build exit {code} [{time.perf_counter() - t0:.1f} s] -> {args.out}")
    return code


if __name__ == "__main__":
    sys.exit(main())
