"""A real JupyterLab on a free loopback port, driven by Debian's Chromium through Playwright.

Used by the browser tests and by ``benchmarks/widget_latency.py``. Nothing here is
downloaded: the server comes from the venv and the browser from ``/usr/bin/chromium``.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import nbformat

BIN = Path(sys.executable).parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LEARNER_CONFIG = Path(__file__).resolve().parents[1] / "scripts" / "learner-jupyter"
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


@dataclass
class Lab:
    """A running JupyterLab; ``root`` is the caller's folder, ``tree`` its path in the server."""

    url: str
    token: str
    root: Path
    process: subprocess.Popen
    tree: str = ""
    room: Path | None = None

    def notebook_url(self, name: str, *, app: str = "lab") -> str:
        """The notebook's page in JupyterLab (``app="lab"``) or Notebook 7 (``"notebook"``)."""
        if app == "notebook":
            return f"{self.url}/notebooks/{self.tree}{name}?token={self.token}"
        return f"{self.url}/lab/tree/{self.tree}{name}?token={self.token}&reset"

    def in_folder(self, prefix: str) -> Lab:
        """The same server seen from a new folder of its root, for one caller's notebooks."""
        folder = Path(tempfile.mkdtemp(prefix=f"{prefix}-", dir=self.root))
        return replace(self, root=folder, tree=f"{self.tree}{folder.name}/")

    def start_kernel(self, name: str) -> None:
        """Start the kernel of notebook ``name`` now, as opening it would.

        JupyterLab and Notebook 7 join a notebook's running session when they open it,
        so the kernel starts while Chromium launches and loads the page, not after.
        """
        body = json.dumps(
            {
                "path": f"{self.tree}{name}",
                "name": name,
                "type": "notebook",
                "kernel": {"name": KERNELSPEC["name"]},
            }
        ).encode()
        request = urllib.request.Request(
            f"{self.url}/api/sessions",
            data=body,
            method="POST",
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            json.load(response)


def free_port() -> int:
    """A loopback port free now, for servers that cannot bind port 0 and report it.

    JupyterHub, its proxy and Voila take their ports from the command line and do not
    say which port the OS gave them; Jupyter servers do (see :func:`server_url`).
    """
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_notebook(path: Path, *sources: str) -> Path:
    """Write a notebook of code cells, stored without outputs."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = KERNELSPEC
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    nbformat.write(nb, path)
    return path


def server_url(runtime: Path, process: subprocess.Popen, deadline: float, log: Path) -> str:
    """The URL a Jupyter server started with ``--ServerApp.port=0`` reports it serves.

    The server writes ``jpserver-<pid>.json`` into its runtime folder once it listens;
    the folder is the caller's own, so the only file there is this server's.
    """
    while True:
        for info in sorted(runtime.glob("jpserver-*.json")):
            try:
                return json.loads(info.read_text())["url"].rstrip("/")
            except (ValueError, KeyError):
                pass  # being written; read it again
        if process.poll() is not None:
            raise RuntimeError(f"the Jupyter server exited:\n{log.read_text()}")
        if time.monotonic() > deadline:
            raise RuntimeError("the Jupyter server did not report its port in time")
        time.sleep(0.2)


@contextmanager
def jupyterlab(root: Path, state: Path, *, timeout: float = 90, env: dict[str, str] | None = None):
    """Run ``jupyter lab`` serving ``root``, its settings and runtime files kept in ``state``.

    The server has the learner's configuration, as ``scripts/course`` gives it: nbgrader's
    assignment list and Validate button, not its instructor tools. ``env`` adds to the
    server's environment, which its kernels inherit.
    """
    token = secrets.token_hex(16)
    extra, env = env or {}, dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["JUPYTER_CONFIG_PATH"] = str(LEARNER_CONFIG)
    for name in ("CONFIG", "RUNTIME"):
        env[f"JUPYTER_{name}_DIR"] = str(state / name.lower())
    env["JUPYTERLAB_SETTINGS_DIR"] = str(state / "settings")
    env["JUPYTERLAB_WORKSPACES_DIR"] = str(state / "workspaces")
    env.pop("PRODUCT_ROLES_UI", None)
    env.update(extra)
    # No news toast: it would cover part of the page in screenshots.
    news = (
        state
        / "settings"
        / "@jupyterlab"
        / "apputils-extension"
        / "notification.jupyterlab-settings"
    )
    news.parent.mkdir(parents=True, exist_ok=True)
    news.write_text(json.dumps({"fetchNews": "false"}))
    command = [
        str(BIN / "jupyter"),
        "lab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        "--ServerApp.port=0",  # the OS picks; the server reports it in its runtime file
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--LabApp.expose_app_in_browser=True",
        "--JupyterNotebookApp.expose_app_in_browser=True",
        "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if os.geteuid() == 0:
        command.append("--allow-root")
    log = (state / "jupyterlab.log").open("wb")  # closed when the server stops
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout
        url = server_url(state / "runtime", process, deadline, state / "jupyterlab.log")
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"jupyter lab exited:\n{(state / 'jupyterlab.log').read_text()}")
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2) as r:
                    json.load(r)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("jupyter lab did not answer in time") from None
                time.sleep(0.3)
        yield Lab(url, token, root, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


_SHARED: dict[str, Lab] = {}


def shared_lab(request, tmp_path_factory, prefix: str) -> Lab:
    """This test process's JupyterLab, seen from a fresh folder of its own for the caller.

    The server starts on first use and stops when the test session ends: one per
    pytest-xdist worker, instead of one per test module. Each caller's notebooks and
    answers files stay in its own folder, and each notebook runs in its own kernel.
    Its kernels see ``PRODUCT_ROLES_ROOM`` set to ``lab.room``, an empty folder that
    only the dashboard's tests fill.
    """
    lab = _SHARED.get("lab")
    if lab is None or lab.process.poll() is not None:
        stack = contextlib.ExitStack()
        request.config.add_cleanup(stack.close)
        room = tmp_path_factory.mktemp("lab-room")
        lab = stack.enter_context(
            jupyterlab(
                tmp_path_factory.mktemp("lab-root"),
                tmp_path_factory.mktemp("lab-state"),
                env={"PRODUCT_ROLES_ROOM": str(room)},
            )
        )
        lab = _SHARED["lab"] = replace(lab, room=room)
    return lab.in_folder(prefix)


@contextmanager
def chromium_browser():
    """Debian's Chromium, launched through Playwright, for several contexts in turn."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def chromium(browser=None, **context_options):
    """A Playwright browser context in ``browser``, or in a Chromium of its own."""
    if browser is None:
        with chromium_browser() as own, chromium(own, **context_options) as context:
            yield context
        return
    context = browser.new_context(**context_options)
    try:
        yield context
    finally:
        context.close()


def open_notebook(page, lab: Lab, name: str, *, app: str = "lab", timeout: float = 90_000) -> None:
    """Open ``name`` in JupyterLab or Notebook 7 and wait until its kernel is idle."""
    page.goto(lab.notebook_url(name, app=app))
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell", timeout=timeout)
    page.wait_for_function(
        """() => {
            const w = window.jupyterapp.shell.currentWidget;
            const kernel = w && w.sessionContext && w.sessionContext.session
                && w.sessionContext.session.kernel;
            return kernel && kernel.status === 'idle';
        }""",
        timeout=timeout,
    )


def visible_screenshot(page, locator) -> bytes:
    """A PNG of the part of ``locator`` inside the viewport (an element screenshot of a
    tall output would include page background from beyond the window)."""
    box = locator.bounding_box()
    view = page.viewport_size
    left, top = max(box["x"], 0), max(box["y"], 0)
    right = min(box["x"] + box["width"], view["width"])
    bottom = min(box["y"] + box["height"], view["height"])
    clip = {"x": left, "y": top, "width": right - left, "height": bottom - top}
    return page.screenshot(clip=clip)


def run_all_cells(page) -> None:
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")


def set_theme(page, theme: str) -> None:
    """Switch JupyterLab's theme ("JupyterLab Light" or "JupyterLab Dark") and wait for it."""
    light = "true" if theme == "JupyterLab Light" else "false"
    page.evaluate(
        "(theme) => window.jupyterapp.commands.execute('apputils:change-theme', {theme})", theme
    )
    page.wait_for_function(f"() => document.body.dataset.jpThemeLight === '{light}'")
    # The theme's stylesheet swaps a moment after the flag: wait for the colour itself.
    page.wait_for_function(
        """(light) => {
            const bg = getComputedStyle(document.body).getPropertyValue('--jp-layout-color1');
            const probe = document.createElement('div');
            probe.style.color = bg; document.body.append(probe);
            const [r, g, b] = getComputedStyle(probe).color.match(/\\d+/g).map(Number);
            probe.remove();
            return (r + g + b) / 3 > 128 === light;
        }""",
        arg=light == "true",
    )


AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"


def mean_brightness(png: bytes) -> float:
    from PIL import Image, ImageStat

    image = Image.open(io.BytesIO(png)).convert("L")
    return ImageStat.Stat(image).mean[0]


def audit(page, root=None) -> list[dict]:
    """axe-core's accessibility violations inside ``root`` (the whole page by default)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return (root or page.locator("body")).evaluate(
        """async (root) => {
            const result = await axe.run(root);
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.html).slice(0, 3),
            }));
        }"""
    )
