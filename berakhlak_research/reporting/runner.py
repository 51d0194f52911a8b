"""Batch execution of report notebooks: a local process pool by default, Dask on request.

Why it is fast: every worker process keeps **one Jupyter kernel alive** and
runs report after report in it (namespace reset between reports, so no state
leaks, while pandas, matplotlib and the package stay imported); parameters are
injected the papermill way (an ``injected-parameters`` cell after the cell
tagged ``parameters``); the HTML page is assembled from the outputs in the
same process (:func:`export.notebook_html`, milliseconds). A plain papermill
loop pays a kernel start and every import per report. Inside the kernel the
results tables stay cached per worker (:mod:`reporting.views`) and the figures
are SVG with text kept as text (``figure_format``), which costs a third of
rasterising the same figure.

Each report is isolated: an error is caught and recorded with its message,
the report is retried once (on a fresh kernel), and the batch goes on. The
outcome of every report goes into its ``manifest.json``; ``resume=True``
skips reports whose manifest says they succeeded with the same input hash.

``scheduler="tcp://host:8786"`` submits the same jobs to a Dask distributed
cluster; each Dask worker thread keeps its own kernel.
"""

from __future__ import annotations

import copy
import os
import shutil
import tempfile
import threading
import time
import traceback
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from berakhlak_research import regions
from berakhlak_research.exceptions import ParameterError
from berakhlak_research.paths import NOTEBOOKS_DIR
from berakhlak_research.reporting import export
from berakhlak_research.reporting.export import REPORT_HTML, REPORT_PDF
from berakhlak_research.reporting.views import latest_wave, validate_parameters

__all__ = [
    "ReportJob",
    "ReportOutcome",
    "BatchResult",
    "KernelWorker",
    "kernel_worker",
    "plan_jobs",
    "render_job",
    "run_batch",
    "default_jobs",
    "languages",
    "report_path",
    "outcome_dicts",
    "GOVERNMENT_TEMPLATE",
]

GOVERNMENT_TEMPLATE = NOTEBOOKS_DIR / "government_report.ipynb"
CELL_TIMEOUT = 600
# Between reports: drop every name the previous report defined. Cheaper than
# %reset -f, which also runs a full garbage collection (~0.2 s per report).
_RESET = (
    "_ns, _hidden = get_ipython().user_ns, get_ipython().user_ns_hidden\n"
    "[_ns.pop(k) for k in list(_ns) if k not in _hidden and not k.startswith('_')]\n"
    "_ns['Out'].clear()\n"
    "del _ns, _hidden"
)


@dataclass(frozen=True)
class ReportJob:
    """One report to render: validated parameters and where it goes."""

    gov_code: str
    wave: int
    lang: str
    min_group: int
    results_dir: str
    out_dir: str
    template: str
    input_hash: str
    git_commit: str = "unknown"
    figure_format: str = "svg"
    pdf: bool = False
    links: tuple = ()
    """(text, relative href) shown above the report: the other languages, the PDF, the index."""

    @property
    def parameters(self) -> dict:
        return {
            "gov_code": self.gov_code,
            "wave": self.wave,
            "results_dir": self.results_dir,
            "lang": self.lang,
            "min_group": self.min_group,
            "output_dir": self.out_dir,
            "figure_format": self.figure_format,
        }


@dataclass
class ReportOutcome:
    """What happened to one report: status "ok", "skipped" or "failed"."""

    gov_code: str
    status: str
    out_dir: str
    seconds: float = 0.0
    attempts: int = 0
    error: str = ""
    timings: dict = field(default_factory=dict)


@dataclass
class BatchResult:
    """A batch's outcomes (one per job) and its wall time."""

    outcomes: list
    seconds: float
    index: Path | None = None

    @property
    def failed(self) -> list:
        return [o for o in self.outcomes if o.status == "failed"]

    def counts(self) -> dict:
        out: dict[str, int] = {}
        for o in self.outcomes:
            out[o.status] = out.get(o.status, 0) + 1
        return out

    def summary(self) -> str:
        """A short text: counts, wall time and one line per failure with its error."""
        c = self.counts()
        lines = [
            f"{len(self.outcomes)} reports: {c.get('ok', 0)} rendered, {c.get('skipped', 0)} "
            f"unchanged (skipped), {c.get('failed', 0)} failed, in {self.seconds:.1f} s."
        ]
        for o in self.failed:
            first = o.error.strip().splitlines()[-1] if o.error.strip() else "unknown error"
            lines.append(f"  FAILED {o.gov_code} after {o.attempts} attempts: {first}")
        return "\n".join(lines)


def default_jobs() -> int:
    """Workers sized to the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def languages(lang) -> tuple[str, ...]:
    """The report languages asked for: "id", "en", "id,en" or a sequence; the first is primary.

    Raises
    ------
    ParameterError
        An unknown language (or none).
    """
    from berakhlak_research.i18n import check_lang

    items = lang.split(",") if isinstance(lang, str) else list(lang)
    out = tuple(dict.fromkeys(check_lang(x.strip()) for x in items if x.strip()))
    if not out:
        raise ParameterError(f"No report language in {lang!r}; use 'id', 'en' or 'id,en'.")
    return out


def report_path(lang: str, langs: tuple[str, ...]) -> str:
    """Where a language's report sits inside a government's folder (relative)."""
    return REPORT_HTML if lang == langs[0] else f"{lang}/{REPORT_HTML}"


def _links(lang: str, langs: tuple[str, ...], pdf: bool) -> tuple:
    from berakhlak_research.i18n import t

    up = "" if lang == langs[0] else "../"  # a secondary language sits one folder deeper
    links = [
        (t("lang_link", other), up + report_path(other, langs)) for other in langs if other != lang
    ]
    if pdf:
        links.append((t("pdf_link", lang), REPORT_PDF))
    links.append((t("index_link", lang), f"{up}../index_{lang}.html"))
    return tuple(links)


def plan_jobs(
    results_dir: str | os.PathLike,
    gov_codes: list[str] | None,
    out_root: str | os.PathLike,
    wave: int = 0,
    lang: str = "id",
    min_group: int = 10,
    template: str | os.PathLike = GOVERNMENT_TEMPLATE,
    figure_format: str = "svg",
    pdf: bool = False,
) -> list[ReportJob]:
    """Validate every report's parameters and plan the batch (nothing runs yet).

    Parameters
    ----------
    results_dir : path
        The results folder (``berakhlak measure`` / ``model`` output).
    gov_codes : list of str or None
        Codes or names; None means every government with results in the wave.
    out_root : path
        Reports go to ``<out_root>/<wave>/<code>-<slug>/``.
    wave : int
        0 = the latest wave.
    lang : str or sequence of str
        Report language(s): "id", "en" or "id,en". The first language's
        report is ``<code>-<slug>/report.html``, another's
        ``<code>-<slug>/<lang>/report.html``; each links to the others.
    min_group, template
        Smallest group shown, notebook template.
    figure_format : {"svg", "png"}
        How the figures are embedded and saved (``figures/<name>.svg`` or
        ``.png``); see :data:`views.FIGURE_FORMATS`. SVG is sharp at any zoom
        and about three times cheaper to draw.
    pdf : bool
        Also print each report to ``report.pdf`` (A4, headless Chromium,
        about a second per report: opt-in).

    Returns
    -------
    list of ReportJob

    Raises
    ------
    ParameterError
        An unknown code, a bad language, a government without results or a
        missing template; raised before anything is executed.
    """
    from berakhlak_research.reporting.views import check_figure_format, governments_with_results

    check_figure_format(figure_format)
    langs = languages(lang)
    if pdf and export.find_chromium() is None:
        raise ParameterError("--pdf needs Chromium (Debian: apt-get install chromium); none found.")
    root = Path(results_dir).resolve()
    template = Path(template).resolve()
    if not template.exists():
        raise ParameterError(f"Report template {template} does not exist.")
    if not (root / "catalog.json").exists():
        raise ParameterError(
            f"{root} is not a results folder (no catalog.json). Run `berakhlak measure` first."
        )
    wave = int(wave) or latest_wave(root)
    codes = governments_with_results(root, wave) if gov_codes is None else list(gov_codes)
    if not codes:
        raise ParameterError(f"No government has results for wave {wave} in {root}.")
    commit = export.git_commit()
    jobs, seen = [], set()
    # what else changes a report's page (kept out of the hash when at its default)
    extra = {**({"pdf": True} if pdf else {}), **({"languages": langs} if len(langs) > 1 else {})}
    for c in codes:
        p = validate_parameters(c, wave, langs[0], min_group, root, results_root=root)
        if p["gov_code"] in seen:
            continue
        seen.add(p["gov_code"])
        folder = Path(out_root).resolve() / str(wave) / regions.slug(p["gov_code"])
        for lg in langs:
            out_dir = folder if lg == langs[0] else folder / lg
            params = {**p, "lang": lg, "output_dir": str(out_dir), "figure_format": figure_format}
            jobs.append(
                ReportJob(
                    gov_code=p["gov_code"],
                    wave=p["wave"],
                    lang=lg,
                    min_group=p["min_group"],
                    results_dir=p["results_dir"],
                    out_dir=str(out_dir),
                    template=str(template),
                    input_hash=export.input_hash(root, template, {**params, **extra}),
                    git_commit=commit,
                    figure_format=figure_format,
                    pdf=pdf,
                    links=_links(lg, langs, pdf),
                )
            )
    return jobs


class KernelWorker:
    """A long-lived kernel that executes report notebooks one after another.

    The kernel starts on first use and is reused: before each report every
    name the previous report defined is deleted, so reports cannot see each
    other's variables, while imported modules stay loaded. A report that kills the
    kernel or times out gets a fresh kernel on the next use.
    """

    def __init__(self, kernel_name: str = "python3", timeout: int = CELL_TIMEOUT):
        self.kernel_name = kernel_name
        self.timeout = timeout
        self.km = None
        self.kc = None
        self._templates: dict = {}

    def _ensure_kernel(self) -> None:
        if self.km is not None and self.km.is_alive():
            return
        self.close()
        from jupyter_client.manager import KernelManager

        # IPC sockets (files in a private temp folder): local only, no TCP ports
        self._sockdir = tempfile.mkdtemp(prefix="berakhlak-kernel-")
        sock = Path(self._sockdir) / "kernel"
        self.km = KernelManager(kernel_name=self.kernel_name, transport="ipc", ip=str(sock))
        self.km.start_kernel(extra_arguments=["--HistoryManager.enabled=False"])
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=120)
        # warm the imports every report needs, once per kernel
        self.kc.execute_interactive(
            "import IPython.display, berakhlak_research.reporting.views, "
            "berakhlak_research.plots.culture, berakhlak_research.plots.did, "
            "berakhlak_research.plots.value_chain, matplotlib.backends.backend_svg",
            timeout=120,
            output_hook=lambda msg: None,
        )

    def close(self) -> None:
        """Shut the kernel down (safe to call twice)."""
        if self.kc is not None:
            try:
                self.kc.stop_channels()
            except Exception:  # noqa: BLE001 - best effort during teardown
                pass
        if self.km is not None:
            try:
                self.km.shutdown_kernel(now=True)
            except Exception:  # noqa: BLE001
                pass
        self.km = self.kc = None
        if getattr(self, "_sockdir", None):
            shutil.rmtree(self._sockdir, ignore_errors=True)
            self._sockdir = None

    def _template(self, path: str):
        import nbformat

        mtime = os.stat(path).st_mtime_ns
        hit = self._templates.get(path)
        if hit is None or hit[0] != mtime:
            nb = nbformat.read(path, as_version=4)
            # what papermill's parameterize step expects to find
            nb.metadata.setdefault("papermill", {})
            for cell in nb.cells:
                cell.metadata.setdefault("tags", [])
            hit = (mtime, nb)
            self._templates[path] = hit
        return copy.deepcopy(hit[1])

    def execute(self, template: str, parameters: dict, cwd: str | None = None):
        """Execute a template with parameters; return the executed notebook (reset cell removed)."""
        import nbformat
        from nbclient import NotebookClient
        from papermill.parameterize import parameterize_notebook

        self._ensure_kernel()
        nb = parameterize_notebook(self._template(template), parameters)
        nb.cells.insert(
            0, nbformat.v4.new_code_cell(_RESET, metadata={"tags": ["berakhlak-reset"]})
        )
        client = NotebookClient(
            nb,
            km=self.km,
            timeout=self.timeout,
            kernel_name=self.kernel_name,
            allow_errors=False,
            resources={"metadata": {"path": cwd or os.getcwd()}},
        )
        # reuse the live kernel client instead of starting a kernel per notebook
        client.kc = self.kc
        try:
            client.execute()
        finally:
            nb.cells.pop(0)
        return nb


_LOCAL = threading.local()


def kernel_worker() -> KernelWorker:
    """This thread's long-lived kernel worker, started on first use and shut down at exit.

    Returns
    -------
    KernelWorker
    """
    w = getattr(_LOCAL, "worker", None)
    if w is None:
        w = _LOCAL.worker = KernelWorker()
        try:  # shut the kernel down when a pool worker process exits
            from multiprocessing import util

            util.Finalize(w, w.close, exitpriority=10)
        except Exception:  # noqa: BLE001 - not in a multiprocessing child
            pass
        import atexit

        atexit.register(w.close)
    return w


def render_job(job: ReportJob, attempt: int = 1) -> ReportOutcome:
    """Render one report in this process's kernel; never raises (errors go in the outcome).

    Writes ``report.ipynb`` (executed, for researchers), ``report.html`` (no
    code), ``tables/`` and ``figures/`` (written by the notebook) and
    ``manifest.json``.

    Returns
    -------
    ReportOutcome
    """
    import nbformat

    from berakhlak_research.reporting.export import REPORT_IPYNB, notebook_html

    started = datetime.now(UTC)
    t0 = time.perf_counter()
    out = Path(job.out_dir)
    timings: dict[str, float] = {}
    worker = kernel_worker()
    if attempt > 1:  # a retry starts from a fresh kernel
        worker.close()
    status, error, nb = "ok", "", None
    try:
        out.mkdir(parents=True, exist_ok=True)
        t1 = time.perf_counter()
        nb = worker.execute(job.template, job.parameters, cwd=str(out))
        timings["execute_s"] = round(time.perf_counter() - t1, 4)
        t1 = time.perf_counter()
        title = f"{regions.name_of(job.gov_code)} - BerAKHLAK {job.wave}"
        page = notebook_html(nb, title, job.lang, links=job.links)
        (out / REPORT_HTML).write_text(page, encoding="utf-8")
        timings["export_s"] = round(time.perf_counter() - t1, 4)
        if job.pdf:
            t1 = time.perf_counter()
            export.write_pdf(out / REPORT_HTML, out / REPORT_PDF)
            timings["pdf_s"] = round(time.perf_counter() - t1, 4)
    except Exception as err:  # noqa: BLE001 - isolate every report's failure
        status = "failed"
        error = f"{type(err).__name__}: {err}\n{traceback.format_exc(limit=3)}"
        nb = getattr(err, "nb", nb)
        if worker.km is not None and not worker.km.is_alive():
            worker.close()
        (out / REPORT_HTML).unlink(missing_ok=True)
        (out / REPORT_PDF).unlink(missing_ok=True)
    if nb is not None:
        try:
            nbformat.write(nb, out / REPORT_IPYNB)
        except Exception:  # noqa: BLE001 - the error is already recorded
            pass
    seconds = time.perf_counter() - t0
    timings["total_s"] = round(seconds, 4)
    export.write_manifest(
        out,
        {
            "status": status,
            "error": error,
            "attempt": attempt,
            "parameters": job.parameters,
            "template": job.template,
            "input_hash": job.input_hash,
            "inputs": _inputs(job),
            "git_commit": job.git_commit,
            "started": started.isoformat(timespec="seconds"),
            "timings": timings,
            "worker": {"pid": os.getpid(), "host": os.uname().nodename},
        },
    )
    return ReportOutcome(job.gov_code, status, job.out_dir, seconds, attempt, error, timings)


def _inputs(job: ReportJob) -> dict:
    from berakhlak_research import store

    tables = {k: v["sha256"] for k, v in sorted(store.catalog(job.results_dir).items())}
    return {"template_sha256": store.file_sha256(job.template), "tables_sha256": tables}


def _unchanged(job: ReportJob) -> bool:
    man = export.read_manifest(job.out_dir)
    return bool(
        man
        and man.get("status") == "ok"
        and man.get("input_hash") == job.input_hash
        and (Path(job.out_dir) / export.REPORT_HTML).exists()
        and (not job.pdf or (Path(job.out_dir) / REPORT_PDF).exists())
    )


def _render_retry(job: ReportJob, attempt: int) -> ReportOutcome:
    return render_job(job, attempt)


def _progress(total: int, show: bool):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="report", unit="report", disable=not show, leave=True)


def _run_inline(todo, bar, retries):
    # one worker: render in this process (its kernel is reused by later batches too)
    done: list[ReportOutcome] = []
    for job in todo:
        res = render_job(job, 1)
        while res.status == "failed" and res.attempts <= retries:
            res = render_job(job, res.attempts + 1)
        done.append(res)
        bar.update(1)
    return done


def _run_local(todo, n_jobs, bar, retries):
    import multiprocessing as mp

    done: list[ReportOutcome] = []
    # spawn: workers start clean (no inherited pyarrow threads or zmq sockets)
    with ProcessPoolExecutor(max_workers=n_jobs, mp_context=mp.get_context("spawn")) as pool:
        pending = {pool.submit(_render_retry, j, 1): j for j in todo}
        while pending:
            ready, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in ready:
                job = pending.pop(fut)
                try:
                    res = fut.result()
                except Exception as err:  # noqa: BLE001 - a worker process died: no retry
                    res = ReportOutcome(
                        job.gov_code, "failed", job.out_dir, 0.0, retries + 1, repr(err)
                    )
                if res.status == "failed" and res.attempts <= retries:
                    pending[pool.submit(_render_retry, job, res.attempts + 1)] = job
                    continue
                done.append(res)
                bar.update(1)
    return done


def _run_dask(todo, scheduler, bar, retries):
    from distributed import Client, as_completed

    done: list[ReportOutcome] = []
    with Client(scheduler) as client:
        futs = client.map(_render_retry, todo, [1] * len(todo), pure=False)
        jobs = dict(zip((f.key for f in futs), todo, strict=True))
        ac = as_completed(futs)
        for fut in ac:
            job = jobs[fut.key]
            try:
                res = fut.result()
            except Exception as err:  # noqa: BLE001 - a worker died
                res = ReportOutcome(job.gov_code, "failed", job.out_dir, 0.0, 1, repr(err))
            if res.status == "failed" and res.attempts <= retries:
                nf = client.submit(_render_retry, job, res.attempts + 1, pure=False)
                jobs[nf.key] = job
                ac.add(nf)
                continue
            done.append(res)
            bar.update(1)
    return done


def run_batch(
    jobs: list[ReportJob],
    n_jobs: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    retries: int = 1,
    progress: bool = True,
    index: bool = True,
) -> BatchResult:
    """Render a batch of reports, isolate and retry failures, write the index page.

    Parameters
    ----------
    jobs : list of ReportJob
        From :func:`plan_jobs`.
    n_jobs : int, optional
        Local worker processes (default: the cores available); with 1 the
        reports run one after another from this process (no pool).
    scheduler : str, optional
        Address of a Dask distributed scheduler (``tcp://host:8786``); when
        given the batch runs there instead of locally.
    resume : bool
        Skip reports whose manifest shows success with the same input hash.
    retries : int
        Retries per failed report (1: each report gets two attempts).
    progress : bool
        Show a progress bar.
    index : bool
        Write ``<out>/<wave>/index.html`` afterwards.

    Returns
    -------
    BatchResult
        ``outcomes`` (one per job, in job order), ``seconds``, ``index``.
    """
    t0 = time.perf_counter()
    skipped = [j for j in jobs if resume and _unchanged(j)]
    skip = {j.out_dir for j in skipped}
    todo = [j for j in jobs if j.out_dir not in skip]
    bar = _progress(len(jobs), progress)
    bar.update(len(skipped))
    try:
        if not todo:
            done = []
        elif scheduler:
            done = _run_dask(todo, scheduler, bar, retries)
        else:
            n = max(1, min(n_jobs or default_jobs(), len(todo)))
            if n == 1:
                done = _run_inline(todo, bar, retries)
            else:
                done = _run_local(todo, n, bar, retries)
    finally:
        bar.close()
    by = {o.out_dir: o for o in done}
    by.update({j.out_dir: ReportOutcome(j.gov_code, "skipped", j.out_dir) for j in skipped})
    outcomes = [by[j.out_dir] for j in jobs]
    page = None
    if index and jobs:
        j = jobs[0]
        langs = tuple(dict.fromkeys(x.lang for x in jobs))
        wave_dir = Path(j.out_dir).parent if j.lang == langs[0] else Path(j.out_dir).parents[1]
        for lg in langs:
            written = export.build_index(
                wave_dir, j.results_dir, j.wave, lang=lg, min_group=j.min_group,
                languages=langs, marked=tuple(dict.fromkeys(x.gov_code for x in jobs)),
            )  # fmt: skip
            page = page or written
    return BatchResult(outcomes, time.perf_counter() - t0, page)


def outcome_dicts(result: BatchResult) -> list[dict]:
    """The outcomes as plain dicts (for JSON)."""
    return [asdict(o) for o in result.outcomes]
