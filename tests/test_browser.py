"""Real-browser test: JupyterLab in headless Chromium runs every notebook and the epsilon widget redraws.

Uses Playwright's Python package with Debian's chromium (`make test` installs it with apt when it
can). The notebooks are copied to a temporary folder first, so autosave never touches the repo.
Screenshots go to ``screenshots/`` (git-ignored).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SCREENSHOTS = ROOT / "screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
TOKEN = "ppml-lab-browser-test"
RUN_TIMEOUT_S = 600


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def lab_server(tmp_path_factory):
    """JupyterLab on a free loopback port, serving a copy of notebooks/, stopped afterwards."""
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (`apt-get install chromium`, which `make test` does as root)")
    pytest.importorskip("playwright.sync_api", reason="playwright is in the [test] extra")
    home = tmp_path_factory.mktemp("lab")
    served = home / "notebooks"
    shutil.copytree(ROOT / "notebooks", served, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    # The student edition of the first lesson (nbgrader removes solutions and outputs), as a class would get it.
    from ppml_lab import classroom

    (student,) = classroom.generate_student_edition([NOTEBOOKS[0]], home / "course")
    (served / "student").mkdir()
    shutil.copy(student, served / "student" / student.name)
    settings = home / "settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    # Render every cell (no virtual scrolling) so the test can see all outputs.
    (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    news = home / "settings" / "@jupyterlab" / "apputils-extension"
    news.mkdir(parents=True)
    (news / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false"}))
    env = {**os.environ, "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"), "JUPYTER_CONFIG_DIR": str(home / "config"),
           "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "PPML_LAB_PROGRESS": "bar"}  # live bars, as in a classroom
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--ServerApp.root_dir={served}", f"--IdentityProvider.token={TOKEN}",
         "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
         "--LabApp.extension_manager=readonly", *(["--allow-root"] if os.geteuid() == 0 else [])],
        env=env, stdout=subprocess.DEVNULL, stderr=open(home / "server.log", "w"))
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline and server.poll() is None:
        try:
            urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    else:
        server.terminate()
        pytest.fail(f"JupyterLab did not start: {(home / 'server.log').read_text()[-2000:]}")
    yield url
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield chromium
        chromium.close()


KERNEL_IDLE = "() => /\\|\\s*Idle/.test(document.querySelector('#jp-main-statusbar')?.textContent || '')"
RUN_STARTED = """() => [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')]
    .some(p => /\\[(\\*|\\d+)\\]/.test(p.textContent))"""


def open_notebook(browser, url: str, name: str):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    # A workspace of its own, reset: otherwise JupyterLab reopens the notebooks of earlier pages too.
    page.goto(f"{url}/lab/workspaces/{Path(name).stem}-{len(name)}/tree/{name}?token={TOKEN}&reset")
    page.wait_for_selector(".jp-NotebookPanel:visible .jp-Notebook .jp-Cell", timeout=60_000)
    # The kernel must be connected and idle: before that, Run All Cells is greyed out and a click does nothing.
    page.wait_for_function(KERNEL_IDLE, timeout=120_000, polling=500)
    return page


def run_all_cells(page) -> None:
    """Clear the committed outputs, then Run > Run All Cells and wait until every code cell has an
    execution count again (without the clearing, the saved counts would satisfy the wait at once)."""
    page.locator(".jp-NotebookPanel:visible .jp-Notebook").first.click()
    page.get_by_role("menuitem", name="Edit", exact=True).click()
    page.get_by_role("menuitem", name="Clear Outputs of All Cells", exact=True).click()
    page.wait_for_function(f"() => !({RUN_STARTED})()", timeout=30_000, polling=250)
    for attempt in range(3):
        page.locator(".jp-NotebookPanel:visible .jp-Notebook").first.click()
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        try:
            page.wait_for_function(RUN_STARTED, timeout=30_000, polling=250)
            break
        except Exception:  # playwright's TimeoutError: the click did not start a run; try again
            page.keyboard.press("Escape")
            if attempt == 2:
                raise
    # Done when every code cell has an execution count, or early when a cell shows a traceback
    # (Run All stops there, so the remaining prompts would never fill in).
    page.wait_for_function("""() => {
        const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')];
        const failed = [...document.querySelectorAll('.jp-OutputArea-output')]
            .some(o => o.textContent.includes('Traceback (most recent call last)'));
        return failed || (prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent)));
    }""", timeout=RUN_TIMEOUT_S * 1000, polling=500)
    page.wait_for_function(KERNEL_IDLE, timeout=RUN_TIMEOUT_S * 1000, polling=500)


def error_outputs(page) -> list[str]:
    """Texts of outputs that show an exception's traceback (printed error messages and warnings are not)."""
    texts = page.locator(".jp-OutputArea-output").all_inner_texts()
    pattern = re.compile(r"Traceback \(most recent call last\)|Cell In\[\d+\], line \d+")
    return [t[:500] for t in texts if pattern.search(t)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_in_jupyterlab(lab_server, browser, path):
    page = open_notebook(browser, lab_server, path.name)
    try:
        run_all_cells(page)
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{path.stem}.png"), full_page=False)
        assert error_outputs(page) == []
        if path.name.startswith("01_"):
            check_epsilon_slider_redraws(page)
    finally:
        page.close()


def widget_image(page) -> str:
    return page.locator(".widget-output img").first.get_attribute("src")


def move_slider(page, key: str) -> float:
    """Press ``key`` on the epsilon slider's handle; return seconds until the figure changed."""
    before = widget_image(page)
    handle = page.locator(".widget-slider .noUi-handle").first
    start = time.perf_counter()
    handle.press(key)
    page.wait_for_function(
        "before => { const img = document.querySelector('.widget-output img'); return img && img.src !== before; }",
        arg=before, timeout=30_000, polling="raf")
    return time.perf_counter() - start


def check_epsilon_slider_redraws(page) -> None:
    page.locator(".widget-slider .noUi-handle").first.scroll_into_view_if_needed()
    readout = page.locator(".widget-readout").first
    start_value = readout.inner_text()
    new_values = [move_slider(page, "ArrowRight") for _ in range(5)]  # each a value never computed before
    assert readout.inner_text() != start_value
    cached = [move_slider(page, "ArrowLeft") for _ in range(5)]  # back over values already in the cache
    assert readout.inner_text() == start_value
    page.locator(".widget-output").first.screenshot(path=str(SCREENSHOTS / "01_epsilon_widget.png"))
    report = {"median_new_value_s": statistics.median(new_values), "median_cached_value_s": statistics.median(cached)}
    (SCREENSHOTS / "slider_latency.json").write_text(json.dumps(report, indent=2))
    print(f"\nslider-to-redraw latency (median of 5 moves): new value {report['median_new_value_s']:.3f} s, "
          f"cached value {report['median_cached_value_s']:.3f} s")
    assert report["median_cached_value_s"] < 1.0


def test_student_edition_runs_in_jupyterlab(lab_server, browser):
    """The student edition opens and runs unchanged: no error, and each exercise answers "Not yet"."""
    page = open_notebook(browser, lab_server, f"student/{NOTEBOOKS[0].name}")
    try:
        run_all_cells(page)
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"student_{NOTEBOOKS[0].stem}.png"), full_page=False)
        assert error_outputs(page) == []
        texts = page.locator(".jp-OutputArea-output").all_inner_texts()
        assert sum("Not yet" in t for t in texts) >= 2
        assert not any("Correct" in t for t in texts)
    finally:
        page.close()
