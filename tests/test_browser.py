"""The course in the tool its students use: JupyterLab in a real (headless) Chromium.

Starts JupyterLab on 127.0.0.1 with a token, on a copy of the course (running cells must not write outputs into
the repository), opens ch00_start_here in Debian's chromium driven by Playwright (`executable_path`; no browser
is downloaded), runs all cells and checks that nothing failed: no error output in any cell, no uncaught script
error, no failed request to the server. Screenshots go to the test's temporary folder.

It also checks nbgrader's JupyterLab extensions with the JupyterLab we ship: they activate (menu, commands), the
notebook toolbar's Validate button works (on a two-cell probe notebook, for speed), and the formgrader page lists
the chapters.

Needs /usr/bin/chromium and the playwright package: `tests/browser/install.sh` installs both (`make test` runs
it). Without them the test FAILS; set SKIP_BROWSER_TEST=1 to skip it explicitly.
"""
from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
NOTEBOOK = "notebooks/ch00_start_here/ch00_start_here.ipynb"
# The one thing a notebook fetches from outside: the Colab badge image. Offline, that request fails; fine.
EXTERNAL_OK = ("https://colab.research.google.com/assets/colab-badge.svg",)
NBGRADER_COMMANDS = {"nbgrader:open-formgrader", "nbgrader:open-assignment-list", "nbgrader:open-course-list",
                     "nbgrader:open-create-assignment"}

KERNEL_IDLE = """() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
  return !!k && k.status === 'idle' && !!w.content; }"""
ALL_RUN = """() => { const w = window.jupyterapp.shell.currentWidget;
  const cells = w.content.widgets.filter(c => c.model.type === 'code');
  const failed = cells.some(c => c.model.outputs.toJSON().some(o => o.output_type === 'error'));
  const done = cells.every(c => c.model.executionCount !== null && c.model.executionCount !== undefined);
  return w.sessionContext.session.kernel.status === 'idle' && (done || failed); }"""
OUTPUTS = """() => window.jupyterapp.shell.currentWidget.content.widgets
  .filter(c => c.model.type === 'code')
  .map(c => ({count: c.model.executionCount, outputs: c.model.outputs.toJSON()}))"""


def _requirements():
    if os.environ.get("SKIP_BROWSER_TEST") == "1":
        pytest.skip("SKIP_BROWSER_TEST=1: the real-browser test was skipped on request")
    missing = []
    if not os.access(CHROMIUM, os.X_OK):
        missing.append(f"Debian's chromium at {CHROMIUM}")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright Python package")
    if missing and os.environ.get("CI") != "true":
        pytest.skip(f"no {' and '.join(missing)} on this machine (CI installs them and runs this test)")
    if missing:
        pytest.fail(f"the browser test needs {' and '.join(missing)}: run `tests/browser/install.sh {sys.executable}` "
                    "(make test does), or set SKIP_BROWSER_TEST=1 to skip it explicitly", pytrace=False)


def _validate_probe(path: Path) -> None:
    """A two-cell nbgrader notebook: nbgrader's Validate button checks it in seconds."""
    import nbformat
    nb = nbformat.v4.new_notebook()
    test = nbformat.v4.new_code_cell("assert answer == 42, 'answer should be 42'")
    test.metadata["nbgrader"] = {"grade": True, "grade_id": "probe_tests", "locked": True, "points": 1,
                                 "schema_version": 3, "solution": False, "task": False}
    nb.cells = [nbformat.v4.new_code_cell("answer = 42"), test]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, str(path))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab on loopback, serving a copy of the course; yields (base URL, token, root)."""
    _requirements()
    tmp = tmp_path_factory.mktemp("lab")
    root = tmp / "course"
    for name in ("notebooks", "solutions"):
        shutil.copytree(ROOT / name, root / name, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    shutil.copy2(ROOT / "nbgrader_config.py", root)
    _validate_probe(root / "validate_probe.ipynb")
    settings = tmp / "lab-settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text('{"fetchNews": "false", "checkForUpdates": false}')
    port, token = _free_port(), secrets.token_hex(16)
    env = {**os.environ, "AUTOGRADER_COURSE_ROOT": str(root), "JUPYTERLAB_SETTINGS_DIR": str(tmp / "lab-settings"),
           "JUPYTER_CONFIG_DIR": str(tmp / "jupyter-config"), "TF_CPP_MIN_LOG_LEVEL": "3"}
    log = open(tmp / "jupyterlab.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
         f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
         f"--ServerApp.root_dir={root}", "--LabApp.expose_app_in_browser=True", "--ServerApp.allow_root=True"],
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not start:\n{(tmp / 'jupyterlab.log').read_text()[-3000:]}")
                time.sleep(0.5)
        yield base, token, root
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def _favicon_swap(request) -> bool:
    """JupyterLab swaps its favicon between idle and busy while a kernel runs; the browser cancels the load it
    replaced (net::ERR_ABORTED). A cancelled favicon is not a failed request; any other cancel still is."""
    return "/static/favicons/" in request.url and "ERR_ABORTED" in str(request.failure)


@pytest.fixture()
def browser_page(lab):
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.problems = []
        page.on("pageerror", lambda exc: page.problems.append(f"uncaught script error: {exc}"))
        page.on("requestfailed", lambda r: r.url.startswith(EXTERNAL_OK) or _favicon_swap(r)
                or page.problems.append(f"request failed: {r.url} ({r.failure})"))
        page.on("response", lambda r: r.status >= 500 and page.problems.append(f"server error {r.status}: {r.url}"))
        page.on("console", lambda m: m.type == "error" and "Failed to load resource" not in m.text
                and page.problems.append(f"console error: {m.text}"))
        try:
            yield page
        finally:
            browser.close()


def _open(page, lab, path):
    base, token, _ = lab
    page.goto(f"{base}/lab/tree/{path}?token={token}")
    page.wait_for_function(KERNEL_IDLE, timeout=180_000)


def test_ch00_runs_all_cells_in_jupyterlab_in_chromium(lab, browser_page, tmp_path):
    page = browser_page
    _open(page, lab, NOTEBOOK)
    page.screenshot(path=str(tmp_path / "ch00-opened.png"))
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function(ALL_RUN, timeout=600_000, polling=1000)
    cells = page.evaluate(OUTPUTS)
    errors = [f"cell {i + 1}: {o.get('ename')}: {o.get('evalue')}" for i, c in enumerate(cells)
              for o in c["outputs"] if o["output_type"] == "error"]
    assert not errors, "cells failed in JupyterLab:\n" + "\n".join(errors)
    assert all(c["count"] for c in cells), "every code cell ran"
    # what the browser shows: the data figure rendered as an image, and the self-check's line
    assert page.locator(".jp-RenderedImage img").count() >= 1, "the figure was not rendered"
    page.locator(".jp-RenderedImage img").first.scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / "ch00-figure.png"))
    self_check = page.get_by_text("this chapter has no graded exercises")
    assert self_check.count() == 1
    self_check.scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / "ch00-end.png"))
    assert not page.problems, "\n".join(page.problems)
    print(f"screenshots: {tmp_path}")


def test_nbgrader_extensions_work_with_our_jupyterlab(lab, browser_page, tmp_path):
    page = browser_page
    base, token, _ = lab
    _open(page, lab, "validate_probe.ipynb")
    commands = set(page.evaluate("() => window.jupyterapp.commands.listCommands()"))
    assert NBGRADER_COMMANDS <= commands, f"nbgrader's lab extension is not active: {NBGRADER_COMMANDS - commands}"
    assert page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").count() == 1, "no Nbgrader menu"
    # Validate (nbgrader runs the notebook and its tests) from the notebook toolbar
    # the toolbar of this notebook's panel: JupyterLab restores the tabs an earlier test left open
    page.get_by_label("validate_probe.ipynb").get_by_text("Validate", exact=True).click()
    page.wait_for_selector(".jp-Dialog", timeout=300_000)
    assert "passes all the tests" in page.inner_text(".jp-Dialog")
    page.screenshot(path=str(tmp_path / "validate.png"))
    # the formgrader lists the course's chapters (the course root is the server root)
    page.goto(f"{base}/formgrader?token={token}")
    page.wait_for_selector("text=ch16_train_vs_eval", timeout=120_000)
    page.screenshot(path=str(tmp_path / "formgrader.png"))
    names = page.inner_text("table")
    assert "ch00_start_here" in names and "ch16_train_vs_eval" in names
    assert not page.problems, "\n".join(page.problems)
