"""Browser-test harness: a real JupyterLab server and a real (Debian) Chromium.

Fixtures:
    lab_server: JupyterLab on 127.0.0.1, a free port and a random token, serving a temporary
        copy of ``notebooks/`` (so autosave never writes outputs into the repository), with its
        own config/settings/workspace directories, news/update checks switched off and the
        preferred kernel started without a "Select Kernel" dialog. Shut
        down through its own ``Popen`` handle (terminate, then kill) when the session ends.
    browser_context: a Playwright persistent context on ``/usr/bin/chromium`` with a fresh
        user-data-dir and the flags from DESIGN.md.
    page: a new tab; when the test fails, a full-page screenshot and the browser console log
        are saved (the path is printed in the failure report).

Helpers: ``open_notebook(page, lab, name)`` (open, accept a kernel dialog if any, wait for an
idle kernel) and ``run_all_cells(page)`` (Run → Run All Cells via the menu bar); ``RUN_ALL_MS``
is a generous wait for a notebook's outputs.

Everything heavy is imported inside the fixtures, so the unit-test run (``-m "not browser"``)
loads this file without needing Playwright. Tests skip, with the reason, when Chromium or
Playwright is missing; ``.ci/run`` installs Chromium so CI always runs them.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",  # small /dev/shm in containers crashes tabs otherwise
]
SERVER_START_TIMEOUT_S = 120
KERNEL_START_MS = 120_000
RUN_ALL_MS = 240_000  # kernel start + torch import on a slow, busy 2-core CI machine
# The browser frontend plugin that asks "get notified about Jupyter news?" and fetches it.
DISABLED_LAB_PLUGINS = ["@jupyterlab/apputils-extension:announcements"]


def find_chromium() -> str | None:
    """Path of a Chromium binary: Debian's /usr/bin/chromium first, then PATH."""
    if os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    return shutil.which("chromium") or shutil.which("chromium-browser")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class LabServer:
    """A running JupyterLab: where it is, how to get in, and what it serves."""

    base_url: str
    token: str
    root_dir: Path
    log_path: Path

    def url(self, path: str) -> str:
        """``base_url/path`` with the token as a query parameter."""
        sep = "&" if "?" in path else "?"
        return f"{self.base_url}/{path.lstrip('/')}{sep}token={self.token}"

    def log_tail(self, lines: int = 60) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def _wait_until_up(proc: subprocess.Popen[bytes], server: LabServer) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    last_error = "no answer yet"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"JupyterLab exited with code {proc.returncode} before answering; "
                f"log tail:\n{server.log_tail()}"
            )
        try:
            with urllib.request.urlopen(server.url("api/status"), timeout=5) as response:
                if response.status == 200:
                    json.loads(response.read())
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError, ValueError) as err:
            last_error = repr(err)
        time.sleep(0.5)
    raise RuntimeError(
        f"JupyterLab did not answer /api/status within {SERVER_START_TIMEOUT_S} s "
        f"(last error: {last_error}); log tail:\n{server.log_tail()}"
    )


def _stop(proc: subprocess.Popen[bytes], server: LabServer) -> None:
    """Ask politely (POST /api/shutdown stops kernels too), then terminate, then kill."""
    if proc.poll() is None:
        try:
            request = urllib.request.Request(server.url("api/shutdown"), method="POST")
            urllib.request.urlopen(request, timeout=5).close()
            proc.wait(timeout=15)
        except (urllib.error.URLError, ConnectionError, TimeoutError, subprocess.TimeoutExpired):
            pass  # fall through to terminate/kill
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = find_chromium()
    if path is None:
        pytest.skip(
            "browser tests need Chromium: none at /usr/bin/chromium or on PATH "
            "(install it with `apt-get install chromium`; .ci/run does this in CI)"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("browser tests need Playwright: pip install -e '.[dev]'")
    return path


@pytest.fixture(scope="session")
def lab_server(chromium_path: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    base = tmp_path_factory.mktemp("jupyterlab")
    root_dir = base / "notebooks"
    shutil.copytree(NOTEBOOKS, root_dir, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    config_dir = base / "config"
    (config_dir / "labconfig").mkdir(parents=True)
    (config_dir / "labconfig" / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {name: True for name in DISABLED_LAB_PLUGINS}})
    )
    # Start the notebook's own kernel without the "Select Kernel" dialog (a user setting).
    tracker = base / "settings" / "@jupyterlab" / "notebook-extension"
    tracker.mkdir(parents=True)
    (tracker / "tracker.jupyterlab-settings").write_text(
        json.dumps({"autoStartDefaultKernel": True})
    )
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(config_dir),
        "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(base / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(base / "workspaces"),
        "IPYTHONDIR": str(base / "ipython"),
        "VIZKIT_QUICK": "1",
    }
    port = free_port()
    token = secrets.token_hex(16)
    jupyter = Path(sys.executable).with_name("jupyter")
    command = [
        str(jupyter) if jupyter.exists() else "jupyter",
        "lab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root_dir}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.handlers.announcements.NeverCheckForUpdate",
    ]
    if os.getuid() == 0:
        command.append("--allow-root")
    server = LabServer(f"http://127.0.0.1:{port}", token, root_dir, base / "lab.log")
    with server.log_path.open("wb") as log:
        proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=base)
        try:
            _wait_until_up(proc, server)
            yield server
        finally:
            _stop(proc, server)


@pytest.fixture(scope="session")
def browser_context(chromium_path: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    user_data_dir = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(user_data_dir),
            executable_path=chromium_path,
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1400, "height": 1000},
        )
        context.set_default_timeout(30_000)
        try:
            yield context
        finally:
            context.close()


# --- helpers for tests: drive JupyterLab as a user would -------------------------------------


def open_notebook(page: Any, lab: LabServer, name: str) -> None:
    """Open a notebook in JupyterLab and wait until its kernel is idle.

    ``?reset`` starts from an empty workspace, so documents opened by earlier tests in this
    session are not restored next to this one.
    """
    page.goto(lab.url(f"lab/tree/{name}?reset"), wait_until="domcontentloaded")
    page.locator(".jp-NotebookPanel").first.wait_for(state="visible", timeout=KERNEL_START_MS)
    # The harness's settings skip the "Select Kernel" dialog; accept it should one appear anyway.
    dialog = page.locator(".jp-Dialog", has_text="Select Kernel")
    try:
        dialog.wait_for(state="visible", timeout=3_000)
    except Exception:  # playwright's TimeoutError: no dialog, the usual case
        pass
    else:
        dialog.locator(".jp-Dialog-button.jp-mod-accept").click()
    page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").first.wait_for(
        state="attached", timeout=KERNEL_START_MS
    )


def run_all_cells(page: Any) -> None:
    """Run → Run All Cells, through the menu bar as a user would."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()


# --- fixtures ---------------------------------------------------------------------------------


ARTEFACTS = pytest.StashKey[tuple[Any, list[str], Path]]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    # On a failed test body, save what the browser showed and said, and name the folder in
    # the failure report (a fixture teardown would be too late to add to that report).
    report = yield
    if report.when == "call" and report.failed and ARTEFACTS in item.stash:
        tab, console, out = item.stash[ARTEFACTS]
        out.mkdir(parents=True, exist_ok=True)
        try:
            tab.screenshot(path=str(out / "screenshot.png"), full_page=True)
        except Exception as err:  # the page may have crashed; keep the console log anyway
            console.append(f"[harness] screenshot failed: {err!r}")
        (out / "console.log").write_text("\n".join(console))
        report.sections.append(("browser artefacts", f"screenshot and console log in {out}"))
    return report


@pytest.fixture
def page(
    browser_context: Any, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Any]:
    tab = browser_context.new_page()
    console: list[str] = []
    tab.on("console", lambda msg: console.append(f"[{msg.type}] {msg.text}"))
    tab.on("pageerror", lambda err: console.append(f"[pageerror] {err}"))
    out = tmp_path_factory.getbasetemp() / "browser-failures" / request.node.name
    request.node.stash[ARTEFACTS] = (tab, console, out)
    try:
        yield tab
    finally:
        tab.close()
