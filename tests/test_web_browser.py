"""A coordinator's four tasks in the web app, in real headless Chromium (Playwright).

The app runs under uvicorn on loopback in a thread, serving the hostile small scenario on
the real Liechtenstein extract; jobs run the real ``vervoer`` commands. The page may load
nothing from outside loopback (the map tiles aside, which fail offline), and no script
error or dialog may happen. Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import io
import os
import socket
import threading
import time

import pytest

from vervoer.web.app import create_app

from . import outputs_data as od
from .chromium import ARTIFACTS
from .web_data import PASSWORDS, served_scenario

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory, osm_path, osm_cache):
    import uvicorn

    old = os.environ.get("VERVOER_CACHE")
    os.environ["VERVOER_CACHE"] = str(osm_cache)
    served = served_scenario(tmp_path_factory.mktemp("webapp"))
    app = create_app(served.scenario, work=served.work, osm=osm_path)
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    end = time.monotonic() + 30
    while not srv.started and time.monotonic() < end:
        time.sleep(0.05)
    assert srv.started, "uvicorn did not start"
    yield {"url": f"http://127.0.0.1:{port}", "served": served}
    srv.should_exit = True
    thread.join(30)
    if old is None:
        os.environ.pop("VERVOER_CACHE", None)
    else:
        os.environ["VERVOER_CACHE"] = old


class Session:
    """A signed-in browser page that records script errors, dialogs and outside requests."""

    def __init__(self, browser, url: str, user: str) -> None:
        self.url = url
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.page.set_default_timeout(30_000)
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.outside: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("dialog", self._dialog)
        self.context.route("**/*", self._route)
        self.page.goto(f"{url}/")
        assert self.page.url.endswith("/login")
        self.page.fill("input[name=name]", user)
        self.page.fill("input[name=password]", PASSWORDS[user][1])
        self.page.click("button[type=submit]")
        self.page.wait_for_load_state()

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith(self.url) or url.startswith(("data:", "about:")):
            route.continue_()
        else:
            if "tile.openstreetmap.org" not in url:
                self.outside.append(url)
            route.abort()

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"web-{name}.png"), full_page=True)

    def clean(self) -> None:
        assert not self.errors, self.errors
        assert not self.dialogs, self.dialogs
        assert not self.outside, self.outside


def _workbook(vehicles_csv: str, seats: str) -> bytes:
    """A workbook with a vehicles sheet: the file's rows, the first one's seats replaced."""
    import csv

    import openpyxl

    rows = list(csv.reader(io.StringIO(vehicles_csv)))
    rows[1][rows[0].index("seats")] = seats
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "vehicles"
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_a_coordinators_day_in_the_browser(browser, server, tmp_path):
    from pypdf import PdfReader

    url, served = server["url"], server["served"]
    s = Session(browser, url, "plan")
    page = s.page
    assert "Overzicht" in page.content()
    # 1. the tables, a broken workbook with its problems at their rows, fixed and saved
    original = (served.scenario / "vehicles.csv").read_text(encoding="utf-8")
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(_workbook(original, "veel"))
    page.goto(f"{url}/tables/vehicles")
    page.set_input_files("input[type=file]", str(broken))
    page.click("form.upload button")
    page.wait_for_selector("#problems")
    bad_row = page.locator("#vehicles-row-2")
    assert "has-problem" in (bad_row.get_attribute("class") or "")
    assert "seats" in page.locator("#problems").inner_text()
    assert page.locator("#save").count() == 0
    s.shot("upload-problems")
    fixed = tmp_path / "fixed.xlsx"
    fixed.write_bytes(_workbook(original, "6"))
    page.goto(f"{url}/tables/vehicles")
    page.set_input_files("input[type=file]", str(fixed))
    page.click("form.upload button")
    page.wait_for_selector("#save")
    page.click("#save")
    page.wait_for_selector("#table-vehicles")
    assert page.locator("#vehicles-row-2").count() == 1
    assert "6" in page.locator("#vehicles-row-2").inner_text()
    # 2. plan Monday: progress, then the map, the unassigned list and the sheets
    page.goto(f"{url}/plans")
    page.check("input[value=mon]")
    page.click("#start-plan")
    page.wait_for_selector("#job-progress")
    s.shot("plan-progress")
    page.wait_for_selector("#job-result:not([hidden])", timeout=180_000)
    assert page.locator("#job-status").inner_text() == "klaar"
    assert "verstreken" in page.locator("#job-time").inner_text()
    page.click("#job-result")
    page.wait_for_selector("#totals")
    frame = page.frame_locator("#map")
    frame.locator(".leaflet-container").wait_for()
    assert frame.locator(".leaflet-interactive").count() > 0  # routes drawn
    assert "D8" in page.locator("#unassigned").inner_text()
    s.shot("plan")
    plan_url = page.url
    # 3. print a sheet: its PDF is one real A4 document; the HTML prints in Chromium too
    page.goto(f"{url}/sheets")
    link = page.locator("a", has_text="PDF").first
    href = link.get_attribute("href")
    response = page.request.get(f"{url}{href}")
    assert response.ok and response.body().startswith(b"%PDF")
    pdf_path = tmp_path / "sheet.pdf"
    pdf_path.write_bytes(response.body())
    assert len(PdfReader(pdf_path).pages) >= 1
    page.goto(f"{url}{href.replace('.pdf', '.html')}")
    printed = page.pdf(format="A4")
    assert printed.startswith(b"%PDF")
    # 4. the day: an absence on Monday 7 December, the date re-planned, the change list
    page.goto(f"{url}/day")
    page.fill("#change-form input[name=date]", "2026-12-07")
    page.select_option("#change-form select[name=change]", "absent")
    page.fill("#change-form input[name=participant]", "D3")
    page.fill("#change-form input[name=note]", "ziek")
    page.click("#add-change")
    page.wait_for_selector("#changes")
    assert "D3" in page.locator("#changes").inner_text()
    page.fill("#replan-form input[name=date]", "2026-12-07")
    page.click("#start-replan")
    page.wait_for_selector("#job-result:not([hidden])", timeout=180_000)
    page.click("#job-result")
    page.wait_for_selector("#change-list")
    assert "D3" in page.locator("#change-list").inner_text()
    s.shot("change-list")
    page.goto(plan_url)
    s.clean()
    s.context.close()
    (served.scenario / "vehicles.csv").write_text(original, encoding="utf-8")


def test_hostile_names_stay_text_in_the_browser(browser, server):
    s = Session(browser, server["url"], "plan")
    s.page.goto(f"{server['url']}/tables/participants")
    cell = s.page.locator("#participants-row-2")
    assert od.XSS_NAME in cell.inner_text()  # shown as text, not run
    s.clean()
    s.context.close()


def test_an_organisation_user_in_the_browser(browser, server):
    s = Session(browser, server["url"], "rijn")
    s.page.goto(f"{server['url']}/tables/participants")
    text = s.page.locator("#table-participants").inner_text()
    assert "Hanna Zoekgeraakt" in text
    assert "Cor Bakker" not in text and "Eef Visser" not in text
    s.page.goto(f"{server['url']}/day")
    assert "Geen toegang" in s.page.content()
    s.clean()
    s.context.close()
