"""JupyterLab, started from the project environment, opens exploration.ipynb and runs it top to bottom.

A real server (``python -m jupyterlab``, the command behind ``.venv/bin/jupyter
lab``; plain ``jupyter_server`` if JupyterLab is missing) is started with the
project root as its root folder. The test then does what the browser does: it
reads the notebook through the contents API, opens a session for it (so the
kernel starts in ``notebooks/``, the notebook's folder), and sends each code
cell over the kernel's websocket, in order, checking that none fails. Skipped
only if the server cannot start.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import nbformat
import pytest

from berakhlak_research.paths import DEMO_DIR, NOTEBOOKS_DIR, PROJECT_DIR, project_path

NOTEBOOK = "notebooks/exploration.ipynb"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Server:
    def __init__(self, tmp: Path):
        app = "jupyterlab" if importlib.util.find_spec("jupyterlab") else "jupyter_server"
        if importlib.util.find_spec(app) is None:
            pytest.skip("neither jupyterlab nor jupyter_server is installed")
        self.token = secrets.token_hex(16)
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        # a private config, runtime and IPython folder: the user's settings cannot interfere
        env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp / "config"),
               "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"), "IPYTHONDIR": str(tmp / "ipython"),
               "JUPYTER_PLATFORM_DIRS": "1"}  # fmt: skip
        # no extension manager: the server must not look anything up on PyPI
        extra = ["--LabApp.extension_manager=readonly"] if app == "jupyterlab" else []
        self.log = open(tmp / "server.log", "w")  # noqa: SIM115 (closed in stop)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", app, "--no-browser", f"--port={self.port}",
             "--ServerApp.ip=127.0.0.1", f"--ServerApp.token={self.token}",
             f"--ServerApp.root_dir={PROJECT_DIR}", "--ServerApp.port_retries=0",
             "--allow-root", *extra],
            env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.app = app

    def request(self, method: str, path: str, body: dict | None = None) -> dict:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("Authorization", f"token {self.token}")
        req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=30) as resp:
            raw = resp.read()
        return json.loads(raw) if raw else {}

    def wait_ready(self, timeout: float = 90.0) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                return False
            try:
                self.request("GET", "/api/status")
                return True
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.5)
        return False

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


@pytest.fixture
def server(tmp_path):
    srv = _Server(tmp_path)
    try:
        if not srv.wait_ready():
            log = (tmp_path / "server.log").read_text()[-2000:]
            pytest.skip(f"the Jupyter server ({srv.app}) did not start:\n{log}")
        yield srv
    finally:
        srv.stop()


def _execute_request(code: str, session: str) -> dict:
    return {
        "header": {"msg_id": uuid.uuid4().hex, "msg_type": "execute_request", "username": "test",
                   "session": session, "date": "", "version": "5.3"},
        "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
        "content": {"code": code, "silent": False, "store_history": True,
                    "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
    }  # fmt: skip


async def _run_cells(url: str, cells: list[str], timeout: float) -> list[dict]:
    """Execute each cell in order; return, per cell, its status, error and stdout."""
    from tornado.websocket import websocket_connect

    ws = await websocket_connect(url)
    session = uuid.uuid4().hex
    results = []
    try:
        for code in cells:
            msg = _execute_request(code, session)
            await ws.write_message(json.dumps(msg))
            out = {"status": None, "errors": [], "stdout": ""}
            idle = False
            while out["status"] is None or not idle:
                raw = await asyncio.wait_for(ws.read_message(), timeout)
                assert raw is not None, "the kernel websocket closed"
                reply = json.loads(raw)
                if reply.get("parent_header", {}).get("msg_id") != msg["header"]["msg_id"]:
                    continue
                kind = reply["msg_type"]
                if kind == "execute_reply":
                    out["status"] = reply["content"]["status"]
                elif kind == "error":
                    out["errors"].append(
                        f"{reply['content']['ename']}: {reply['content']['evalue']}"
                    )
                elif kind == "stream" and reply["content"]["name"] == "stdout":
                    out["stdout"] += reply["content"]["text"]
                elif kind == "status" and reply["content"]["execution_state"] == "idle":
                    idle = True
            results.append(out)
    finally:
        ws.close()
    return results


def test_exploration_defaults_to_the_demo_folders():
    cell = nbformat.read(NOTEBOOKS_DIR / "exploration.ipynb", as_version=4).cells[0]
    scope: dict = {}
    exec(cell.source, {}, scope)  # literals only
    assert project_path(scope["data_dir"]) == DEMO_DIR / "data"
    assert project_path(scope["results_dir"]) == DEMO_DIR / "results"


def test_jupyterlab_runs_exploration_top_to_bottom(server, demo_study):
    # what the browser does: read the notebook, open a session for it, run every cell
    model = server.request("GET", f"/api/contents/{NOTEBOOK}?content=1")
    nb = nbformat.from_dict(model["content"])
    sess = server.request("POST", "/api/sessions", {
        "path": NOTEBOOK, "type": "notebook", "name": "exploration.ipynb",
        "kernel": {"name": "python3"},
    })  # fmt: skip
    kernel = sess["kernel"]["id"]
    try:
        code = [c.source for c in nb.cells if c.cell_type == "code"]
        assert "parameters" in nb.cells[0].metadata.get("tags", [])
        # The demo study stands in for `make demo`'s demo/ folder: the researcher edits the
        # parameters cell; here a cell after it sets them (as papermill injects), relative to
        # the project root as the defaults are.
        work = demo_study / "work"
        params = (f"results_dir = {os.path.relpath(work / 'results', PROJECT_DIR)!r}\n"
                  f"data_dir = {os.path.relpath(work / 'data', PROJECT_DIR)!r}")  # fmt: skip
        cells = ["import os\nprint(os.getcwd())", code[0], params, *code[1:]]
        url = (f"ws://127.0.0.1:{server.port}/api/kernels/{kernel}/channels"
               f"?session_id={uuid.uuid4().hex}&token={server.token}")  # fmt: skip
        results = asyncio.run(_run_cells(url, cells, timeout=180))
    finally:
        server.request("DELETE", f"/api/sessions/{sess['id']}")
    assert Path(results[0]["stdout"].strip()) == NOTEBOOKS_DIR  # the kernel runs in notebooks/
    failed = [(cells[i][:60], r["errors"]) for i, r in enumerate(results) if r["status"] != "ok"]
    assert not failed
    assert len(results) == len(code) + 2
