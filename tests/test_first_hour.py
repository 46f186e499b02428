"""The first hour of a coordinator: Dutch reasons and footers, the scenario's name, labels."""

from __future__ import annotations

import pytest

from vervoer.core.i18n import REASONS_NL, reason_text
from vervoer.core.model import Reason
from vervoer.core.settings import Settings
from vervoer.outputs.maps import save_map, week_map
from vervoer.outputs.sheets import route_sheet_html

from . import outputs_data as od


@pytest.fixture(scope="module")
def made(osm_path, tmp_path_factory):
    return od.made(osm_path, tmp_path_factory.mktemp("outputs"))


def test_every_reason_has_dutch_words():
    assert set(REASONS_NL) == {r.value for r in Reason}
    assert reason_text("no_room", "no room found", "en") == "no room found"
    assert reason_text("no_room", "no room found", "nl") == "geen plek gevonden binnen de rekentijd"


def test_unassigned_reasons_on_the_dutch_map_are_dutch(made, tmp_path):
    path = tmp_path / "map.html"
    save_map(week_map(made.plan, made.scenario, made.geometry), path)
    text = path.read_text(encoding="utf-8")
    assert "het adres is niet gevonden in de adresgegevens" in text
    assert "was not found in the address data" not in text
    assert "))" not in text.split("vv-unassigned", 1)[-1].split("</details>", 1)[0]


def test_sheet_footer_is_dutch_in_nl_and_english_in_en(made):
    key, route = next((r.key, r.routes[0]) for r in made.plan.rides if r.routes)
    nl = route_sheet_html(made.plan, made.scenario, key, route)
    en = route_sheet_html(made.plan, made.scenario, key, route, language="en")
    assert "Kaartgegevens © OpenStreetMap-bijdragers" in nl and "contributors" not in nl
    assert "Map data © OpenStreetMap contributors" in en


def test_the_scenario_name_setting_names_the_scenario(tmp_path):
    import shutil

    from vervoer.io.scenario import read_scenario

    assert Settings.from_dict({"name": "Deelregio Zeist"}).name == "Deelregio Zeist"
    target = tmp_path / "scenario"
    shutil.copytree(od.SMALL, target)
    toml = target / "settings.toml"
    toml.write_text(
        'name = "Deelregio Zeist"\n' + toml.read_text(encoding="utf-8"), encoding="utf-8"
    )
    assert read_scenario(target).name == "Deelregio Zeist"
