"""A map and a route sheet loaded in real headless Chromium (Playwright, Debian's chromium).

The pages are opened from files with every request outside ``file://`` aborted (this
machine is offline anyway), which also proves that nothing but the background tiles is
fetched from the internet. The hostile scenario (``outputs_data``) is rendered with names
on, so any script injection would raise a dialog or a page error. Screenshots go to
``test-artifacts/`` (git-ignored).

Chromium comes from ``make browser`` (Debian's ``chromium``). Without it the tests skip,
except under ``CI=true``, where a missing browser is a failure.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from vervoer.outputs.maps import save_map, week_map
from vervoer.outputs.write import write_sheets

from . import outputs_data as od
from .chromium import ARTIFACTS

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def made(osm_path, tmp_path_factory):
    return od.made(osm_path, tmp_path_factory.mktemp("outputs"))


class Watched:
    """A page with its script errors, console errors, dialogs and outside requests."""

    def __init__(self, browser) -> None:
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.page.set_default_timeout(20_000)
        self.errors: list[str] = []
        self.console: list[str] = []
        self.dialogs: list[str] = []
        self.outside: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("console", lambda msg: msg.type == "error" and self.console.append(msg.text))
        self.page.on("dialog", self._dialog)
        self.page.route("**/*", self._route)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def open(self, path: Path) -> None:
        self.page.goto(path.resolve().as_uri(), wait_until="load")

    def assert_clean(self) -> None:
        assert self.errors == [], self.errors
        assert self.dialogs == [], self.dialogs
        real = [c for c in self.console if "Failed to load resource" not in c]
        assert real == [], real


def _count(page, selector: str) -> int:
    return page.locator(selector).count()


def test_map_in_chromium(browser, made, tmp_path):
    rides = [r for r in made.plan.rides if r.key.weekday.value == "mon"]
    routes = [r for ride in rides for r in ride.routes]
    n_stops = sum(len(r.stops) for r in routes)
    path = tmp_path / "map-mon.html"
    save_map(week_map(made.plan, made.scenario, made.geometry, day="ma", names=True), path)
    w = Watched(browser)
    w.open(path)
    page = w.page
    page.wait_for_selector(".vv-stop")
    page.wait_for_timeout(300)

    # route layers, markers, legend, layer control
    assert _count(page, ".leaflet-overlay-pane path") == len(routes)
    assert _count(page, ".vv-stop") == n_stops
    assert _count(page, ".vv-place-location") == len(made.scenario.locations)
    assert _count(page, ".vv-place-unassigned") == 2  # D8 twice; D9 has no address
    assert _count(page, "#vv-legend .vv-vehicle") == len({r.vehicle for r in routes})
    labels = [
        t.strip() for t in page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    ]
    for want in (
        "maandag heen",
        "maandag terug",
        "Organisatie: De Brug",
        "Locaties",
        "Depots",
        "Niet ingepland (3)",
    ):
        assert want in labels, labels

    # switching layers: a ride, then an organisation (De Brug's routes go, the others stay)
    brug = [r for r in routes if r.organisation == "brug"]
    assert brug and len(brug) < len(routes)
    heen = page.locator(".leaflet-control-layers-overlays label", has_text="maandag heen")
    heen.locator("input").click()
    n_heen = len(rides[0].routes)
    assert _count(page, ".leaflet-overlay-pane path") == len(routes) - n_heen
    heen.locator("input").click()
    org = page.locator(".leaflet-control-layers-overlays label", has_text="Organisatie: De Brug")
    org.locator("input").click()
    others = n_stops - sum(len(r.stops) for r in brug)
    assert _count(page, ".leaflet-overlay-pane path") == len(routes) - len(brug)
    assert _count(page, ".vv-stop") == others
    heen.locator("input").click()  # ride off and on again while the organisation is off
    heen.locator("input").click()
    assert _count(page, ".vv-stop") == others
    org.locator("input").click()
    assert _count(page, ".leaflet-overlay-pane path") == len(routes)
    assert _count(page, ".vv-stop") == n_stops

    # a hostile name in a popup is shown as text
    page.locator('.vv-stop[data-ride="mon-heen"][data-place="D1"]').dispatch_event("click")
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert od.XSS_NAME in popup.inner_text()
    page.wait_for_timeout(400)  # the popup fades in
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "map-mon.png"))

    w.assert_clean()
    assert w.outside, "the tiles were requested"
    assert all(u.startswith("https://tile.openstreetmap.org/") for u in w.outside), w.outside
    page.close()


def test_sheet_in_chromium(browser, made, tmp_path):
    written = write_sheets(made.plan, made.scenario, tmp_path, pdf=False, geometry=made.geometry)
    route = next(
        r
        for ride in made.plan.rides
        for r in ride.routes
        if str(ride.key) == "mon-heen" and r.vehicle == od.TRAVERSAL_VEHICLE
    )
    w = Watched(browser)
    w.open(written["mon-heen-etc-x.html"])
    page = w.page
    assert _count(page, "table.stops tbody tr") == len(route.stops)
    text = page.inner_text("body")
    assert od.XSS_NAME in text and od.QUOTE_NAME in text
    assert "Ritstaat" in text and "Vertrek depot" in text
    assert _count(page, "svg.route-map polyline") == 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "sheet-mon-heen-etc-x.png"), full_page=True)
    w.assert_clean()
    assert w.outside == []
    page.close()


def _shrunk(box, by: float = 3.0):
    """A marker's box without its white rim (touching rims are fine)."""
    return {
        "x": box["x"] + by,
        "y": box["y"] + by,
        "width": box["width"] - 2 * by,
        "height": box["height"] - 2 * by,
    }


def _boxes_overlap(a, b) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def test_week_map_in_chromium(browser, made, tmp_path):
    """The overview opens with one day's morning trips; vehicles switch; numbers stay apart."""
    from vervoer.outputs.maps import first_shown

    shown = first_shown(made.plan)
    assert [str(k) for k in shown] == ["mon-heen"]
    morning = next(r for r in made.plan.rides if r.key == shown[0])
    path = tmp_path / "map.html"
    save_map(week_map(made.plan, made.scenario, made.geometry, tiles=None), path)
    w = Watched(browser)
    w.open(path)
    page = w.page
    page.wait_for_selector(".vv-stop")
    page.wait_for_timeout(300)
    n_stops = sum(len(r.stops) for r in morning.routes)
    assert _count(page, ".leaflet-overlay-pane path") == len(morning.routes)
    assert _count(page, ".vv-stop") == n_stops
    overlays = page.locator(".leaflet-control-layers-overlays label")
    checked = {
        overlays.nth(i).inner_text().strip(): overlays.nth(i).locator("input").is_checked()
        for i in range(overlays.count())
    }
    assert checked["maandag heen"] is True
    assert checked["maandag terug"] is False and checked["dinsdag heen"] is False

    # numbered stops never cover each other, also where several vehicles stop at one place
    boxes = [b for b in (el.bounding_box() for el in page.locator(".vv-stop").all()) if b]
    assert len(boxes) == n_stops
    page.wait_for_timeout(300)  # the numbers move aside (a short transition)
    boxes = [b for b in (el.bounding_box() for el in page.locator(".vv-stop").all()) if b]
    covered = [
        (i, j)
        for i in range(len(boxes))
        for j in range(i + 1, len(boxes))
        if _boxes_overlap(_shrunk(boxes[i]), _shrunk(boxes[j]))
    ]
    assert covered == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "map-week.png"))

    # a vehicle's checkbox hides its routes in every trip shown, and brings them back
    vehicle = morning.routes[0].vehicle
    box = page.locator(f'#vv-legend input[data-vehicle="{vehicle}"]')
    box.uncheck()
    assert _count(page, ".leaflet-overlay-pane path") == len(morning.routes) - 1
    assert _count(page, f'.vv-stop[data-vehicle="{vehicle}"]') == 0
    page.locator(".leaflet-control-layers-overlays label", has_text="maandag terug").locator(
        "input"
    ).check()
    terug = next(r for r in made.plan.rides if str(r.key) == "mon-terug")
    others = [r for r in terug.routes if r.vehicle != vehicle]
    assert _count(page, ".leaflet-overlay-pane path") == len(morning.routes) - 1 + len(others)
    box.check()
    assert _count(page, ".leaflet-overlay-pane path") == len(morning.routes) + len(terug.routes)
    w.assert_clean()
    assert w.outside == []
    page.close()
