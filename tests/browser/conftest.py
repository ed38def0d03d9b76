"""Browser-test harness: the JupyterLab of ``make lab`` and a real (Debian) Chromium.

Fixtures:
    lab_server: one JupyterLab for the whole session, started by ``scripts/lab.sh`` — the
        script ``make lab`` runs, so the flags and the settings (``jupyter/overrides.json``:
        no news prompt, the notebook's kernel starts without a "Select Kernel" dialog) are
        the ones a user gets. What the harness sets is only what ``lab.sh`` takes from the
        environment: a free port, a random token, ``NOTEBOOK_DIR`` (a temporary copy of
        ``notebooks/``, so autosave never writes outputs into the repository),
        ``VIZKIT_QUICK=1``, and empty per-user config/settings/workspace directories (a
        developer's own ~/.jupyter must not change what is tested). Shut down through its
        own ``Popen`` handle (the script ``exec``\\ s jupyter) when the session ends.
    browser_context: one Playwright persistent context for the session on
        ``/usr/bin/chromium`` with a fresh user-data-dir and the flags from DESIGN.md.
    page: a new tab per test, closed afterwards; its console messages and page errors are
        collected (``console_messages``). When the test fails, a full-page screenshot and
        the console log are saved to ``tests/browser/artifacts/<test>/`` (git-ignored;
        ``VIZKIT_BROWSER_ARTIFACTS`` moves it) and the folder is named in the report.

The helpers that drive JupyterLab (open a notebook, Run All, move a widget) live in
``drive.py``. Everything heavy is imported inside the fixtures, so the unit-test run
(``-m "not browser"``) loads this file without Playwright. Tests skip, with the reason, when
Chromium or Playwright is missing; ``.ci/run`` installs Chromium so CI always runs them.
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
import threading
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
LAB_SCRIPT = ROOT / "scripts" / "lab.sh"
ARTIFACTS_DIR = Path(
    os.environ.get("VIZKIT_BROWSER_ARTIFACTS", Path(__file__).parent / "artifacts")
)

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

    def request(self, path: str, method: str = "GET") -> Any:
        """Call the server (``path`` under ``base_url``); the decoded JSON (None when empty)."""
        request = urllib.request.Request(self.url(path), method=method)
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def api(self, path: str, method: str = "GET") -> Any:
        """Call the Jupyter Server REST API (``/api/<path>``)."""
        return self.request(f"api/{path}", method)

    def shutdown_kernels(self, *, wait: bool = True) -> None:
        """Close every session and kernel there is now (keeps memory flat across tests).

        With ``wait=False`` the list is taken now and the kernels are shut down in a
        background thread (each takes ~3 s), so the next test can start meanwhile; kernels
        started after this call are not touched.
        """
        sessions = [s["id"] for s in self.api("sessions")]
        kernels = [k["id"] for k in self.api("kernels")]

        def shut() -> None:
            for path in [f"sessions/{s}" for s in sessions] + [f"kernels/{k}" for k in kernels]:
                try:
                    self.api(path, method="DELETE")
                except urllib.error.HTTPError as err:
                    if err.code != 404:  # 404: a kernel that went with its session
                        raise
                except (urllib.error.URLError, ConnectionError, TimeoutError):
                    if wait:  # in the background: the server may be shutting down at the end
                        raise

        if wait:
            shut()
        else:
            threading.Thread(target=shut, daemon=True).start()

    def log_tail(self, lines: int = 60) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def _wait_until_up(proc: subprocess.Popen[bytes], server: LabServer) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    last_error = "no answer yet"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"scripts/lab.sh exited with code {proc.returncode} before JupyterLab "
                f"answered; log tail:\n{server.log_tail()}"
            )
        try:
            server.api("status")
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
            server.api("shutdown", method="POST")
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
    port = free_port()
    token = secrets.token_hex(16)
    env = {
        **os.environ,
        # what scripts/lab.sh reads (make lab passes PORT and VIZKIT_VENV the same way)
        "PORT": str(port),
        "TOKEN": token,
        "NOTEBOOK_DIR": str(root_dir),
        "VIZKIT_VENV": sys.prefix,
        "VIZKIT_QUICK": "1",
        # empty per-user state: a developer's ~/.jupyter must not change what is tested
        "JUPYTER_CONFIG_DIR": str(base / "config"),
        "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(base / "user-settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(base / "workspaces"),
        "IPYTHONDIR": str(base / "ipython"),
    }
    server = LabServer(f"http://127.0.0.1:{port}", token, root_dir, base / "lab.log")
    with server.log_path.open("wb") as log:
        proc = subprocess.Popen(
            [str(LAB_SCRIPT)], stdout=log, stderr=subprocess.STDOUT, env=env, cwd=base
        )
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
def page(browser_context: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    tab = browser_context.new_page()
    console: list[str] = []
    tab.on("console", lambda msg: console.append(f"[{msg.type}] {msg.text}"))
    tab.on("pageerror", lambda err: console.append(f"[pageerror] {err.stack or err}"))
    out = ARTIFACTS_DIR / re.sub(r"[^\w.-]+", "_", request.node.name)
    shutil.rmtree(out, ignore_errors=True)  # artefacts of an earlier failure of this test
    request.node.stash[ARTEFACTS] = (tab, console, out)
    try:
        yield tab
    finally:
        tab.close()


@pytest.fixture
def console_messages(page: Any, request: pytest.FixtureRequest) -> list[str]:
    """What the test's tab wrote to the browser console so far (``[type] text`` lines)."""
    return request.node.stash[ARTEFACTS][1]
