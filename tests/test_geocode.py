from __future__ import annotations

import pytest

from vervoer.geocode import AddressIndex, geocode, parse_address, write_geocode_report


@pytest.mark.parametrize(
    ("text", "street", "number", "letter", "addition", "postcode", "city"),
    [
        ("Slotlaan 12, 3701 GK Zeist", "slotlaan", 12, "", "", "3701GK", "zeist"),
        ("3701GK 12", "", 12, "", "", "3701GK", ""),
        ("3701 gk 12-2", "", 12, "", "2", "3701GK", ""),
        ("Slotlaan 12a Zeist", "slotlaan", 12, "a", "", "", "zeist"),
        ("Slotlaan 12 A", "slotlaan", 12, "a", "", "", ""),
        ("Slotlaan 12 bis", "slotlaan", 12, "", "bis", "", ""),
        ("Kerkstr. 5, Utrecht", "kerkstraat", 5, "", "", "", "utrecht"),
        ("Städtle 1, 9490 Vaduz", "stadtle", 1, "", "", "9490", "vaduz"),
    ],
)
def test_parse_dutch_forms(text, street, number, letter, addition, postcode, city):
    p = parse_address(text)
    assert (p.street, p.number, p.letter, p.addition, p.postcode, p.city) == (
        street,
        number,
        letter,
        addition,
        postcode,
        city,
    )


@pytest.fixture(scope="module")
def bag(bag_path):
    return AddressIndex.from_bag(bag_path)


@pytest.fixture(scope="module")
def lie(osm_path):
    return AddressIndex.from_osm(osm_path)


def test_bag_loads_every_address(bag):
    assert len(bag.records) == 222_318


@pytest.mark.parametrize(
    "text",
    [
        "Oostvaardersdiep 1, 1309 AA Almere",
        "1309AA 1",
        "1309 aa 1",
        "oostvaardersdiep 1 almere",
        "OOSTVAARDERSDIEP 1, ALMERE",
    ],
)
def test_bag_exact_in_the_ways_coordinators_write(bag, text):
    r = geocode(text, bag)
    assert r.status == "exact"
    assert r.matched == "Oostvaardersdiep 1, 1309AA Almere"
    assert r.point.lat == pytest.approx(52.41681018)


def test_bag_letters_and_additions(bag):
    with_letter = next(r for r in bag.records if r.letter == "b" and not r.addition)
    with_add = next(
        r
        for r in bag.records
        if r.addition and not r.letter and not any(c.isdigit() for c in r.street)
    )
    for text, rec in (
        (
            f"{with_letter.street} {with_letter.housenumber}{with_letter.letter.upper()}, "
            f"{with_letter.city}",
            with_letter,
        ),
        (f"{with_letter.postcode} {with_letter.housenumber} {with_letter.letter}", with_letter),
        (
            f"{with_add.street} {with_add.housenumber}-{with_add.addition}, {with_add.city}",
            with_add,
        ),
    ):
        r = geocode(text, bag)
        assert r.status == "exact", (text, r)
        assert r.point == rec.point


def test_bag_abbreviation(bag):
    rec = next(
        r
        for r in bag.records
        if r.street.endswith("straat") and " " not in r.street and not r.letter and not r.addition
    )
    text = f"{rec.street[:-6]}str. {rec.housenumber}, {rec.city}"
    r = geocode(text, bag)
    assert r.status == "exact", (text, r)
    assert r.point == rec.point


def test_bag_typo_is_fuzzy(bag):
    r = geocode("Oostvaardersdeip 1, Almere", bag)
    assert r.status == "fuzzy"
    assert r.matched.startswith("Oostvaardersdiep 1")


def test_bag_unknown_number_is_street_level(bag):
    r = geocode("Oostvaardersdiep 999, Almere", bag)
    assert r.status == "street"
    assert "999" in r.note
    assert r.point is not None


def test_bag_unknown_street_fails_with_candidates(bag):
    r = geocode("Nergensstraat 5, Almere", bag)
    assert r.status == "failed"
    assert r.point is None
    assert len(r.candidates) == 3


def test_liechtenstein_hit_fuzzy_miss(lie):
    rec = next(r for r in lie.records if "ä" in r.street.lower() and r.city)
    plain = rec.street.replace("ä", "ae").replace("Ä", "Ae")
    hit = geocode(f"{rec.street} {rec.housenumber}, {rec.city}", lie)
    assert hit.status == "exact" and hit.point == rec.point
    umlaut = geocode(f"{plain} {rec.housenumber}, {rec.city}", lie)
    assert umlaut.status in ("exact", "fuzzy") and umlaut.point == rec.point
    long = next(r for r in lie.records if len(r.street) >= 10 and r.city and " " not in r.street)
    swapped = long.street[:4] + long.street[5] + long.street[4] + long.street[6:]
    typo = geocode(f"{swapped} {long.housenumber}, {long.city}", lie)
    assert typo.status == "fuzzy" and typo.point == long.point
    miss = geocode("Hauptplatz 7, 9999 Nirgendwo", lie)
    assert miss.status == "failed"


def test_report_is_neutralised(tmp_path):
    from vervoer.pipeline import GeocodeRow

    rows = [GeocodeRow("participants", "D1", "=cmd|' /C calc'!A0", "failed", None)]
    write_geocode_report(rows, tmp_path / "g.csv")
    text = (tmp_path / "g.csv").read_text(encoding="utf-8")
    assert text.splitlines()[0].startswith("table,id,address,status")
    assert "'=cmd" in text
