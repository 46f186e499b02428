"""Offline geocoding: parsing of Dutch/Liechtenstein address forms, and lookups on real data.

The real data is read in place: the Flevoland BAG export (222,318 addresses; the index is
built once per module) and the Liechtenstein OSM extract. Test addresses are taken from the
files themselves (read here with csv + zstandard, independently of the code under test).
"""

from __future__ import annotations

import csv
import io
import pickle
import re
import time
from collections import Counter, defaultdict
from pathlib import Path

import pytest
import zstandard

import vervoer.geo.geocode.resolve as gc
from vervoer.core.errors import InputError
from vervoer.core.model import Point
from vervoer.geo.geocode import (
    REPORT_COLUMNS,
    AddressIndex,
    AddressRecord,
    GeocodeResult,
    ReportRow,
    geocode,
    geocode_many,
    parse_address,
    write_geocode_report,
)

LOAD_SECONDS: dict[str, float] = {}

# ----------------------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("text", "street", "number", "letter", "addition", "postcode", "city"),
    [
        ("Slotlaan 12, 3701 GK Zeist", "slotlaan", 12, "", "", "3701GK", "zeist"),
        ("3701GK 12", "", 12, "", "", "3701GK", ""),
        ("3701 gk 12-2", "", 12, "", "2", "3701GK", ""),
        ("3701 GK 12 a", "", 12, "a", "", "3701GK", ""),
        ("Slotlaan 12a Zeist", "slotlaan", 12, "a", "", "", "zeist"),
        ("Slotlaan 12 A", "slotlaan", 12, "a", "", "", ""),
        ("Slotlaan 12A, Zeist", "slotlaan", 12, "a", "", "", "zeist"),
        ("Slotlaan 12-2", "slotlaan", 12, "", "2", "", ""),
        ("Slotlaan 12 - 2", "slotlaan", 12, "", "2", "", ""),
        ("Slotlaan 12/2", "slotlaan", 12, "", "2", "", ""),
        ("Slotlaan 12 2", "slotlaan", 12, "", "2", "", ""),
        ("Slotlaan 12a-2", "slotlaan", 12, "a", "2", "", ""),
        ("Slotlaan 12 a 2, Zeist", "slotlaan", 12, "a", "2", "", "zeist"),
        ("Slotlaan 12 bis", "slotlaan", 12, "", "bis", "", ""),
        ("Slotlaan 12bis", "slotlaan", 12, "", "bis", "", ""),
        ("Slotlaan 12 hs, Zeist", "slotlaan", 12, "", "hs", "", "zeist"),
        ("Slotlaan 12 II", "slotlaan", 12, "", "ii", "", ""),
        ("Slotlaan 12-I", "slotlaan", 12, "", "i", "", ""),
        ("Slotlaan 12 rd", "slotlaan", 12, "", "rd", "", ""),
        ("Slotlaan 12 bg", "slotlaan", 12, "", "bg", "", ""),
        ("Slotlaan nr. 12", "slotlaan", 12, "", "", "", ""),
        ("Kerkstr. 5, Utrecht", "kerkstraat", 5, "", "", "", "utrecht"),
        ("Kerkstr 5, Utrecht", "kerkstraat", 5, "", "", "", "utrecht"),
        ("Slotln. 4", "slotlaan", 4, "", "", "", ""),
        ("Dorpswg. 3", "dorpsweg", 3, "", "", "", ""),
        ("Stationspl. 1", "stationsplein", 1, "", "", "", ""),
        (
            "Burg. de Beaufortweg 8, Leusden",
            "burgemeester de beaufortweg",
            8,
            "",
            "",
            "",
            "leusden",
        ),
        ("St. Jansstraat 4", "sint jansstraat", 4, "", "", "", ""),
        ("Stationsweg 4", "stationsweg", 4, "", "", "", ""),  # "St" inside a word stays
        (
            "  SLOTLAAN   12 ,, 3701gk ,  ZEIST , Nederland ",
            "slotlaan",
            12,
            "",
            "",
            "3701GK",
            "zeist",
        ),
        ("Poëziestraat 7, Almere", "poeziestraat", 7, "", "", "", "almere"),
        ("Nieuw-Caledoniëstraat 5", "nieuw caledoniestraat", 5, "", "", "", ""),
        ("Jeanne d'Arclaan 3", "jeanne darclaan", 3, "", "", "", ""),
        ("Dagcentrum De Brug, Slotlaan 12, Zeist", "slotlaan", 12, "", "", "", "zeist"),
        ("3701 GK Zeist, Slotlaan 12", "slotlaan", 12, "", "", "3701GK", "zeist"),
        ("Wijk 7 12, Urk", "wijk", 7, "", "12", "", "urk"),  # geocode also tries "Wijk 7" 12
        ("Markerkant 10 12-2", "markerkant 10", 12, "", "2", "", ""),
        ("Städtle 1, 9490 Vaduz", "stadtle", 1, "", "", "9490", "vaduz"),
        ("Städtle 1 9490 Vaduz", "stadtle", 1, "", "", "9490", "vaduz"),
        ("FL-9490 Vaduz, Städtle 1", "stadtle", 1, "", "", "9490", "vaduz"),
        ("Städtle 1, Vaduz, Liechtenstein", "stadtle", 1, "", "", "", "vaduz"),
        (
            "Liechtensteiner Straße 3, 6800 Feldkirch",
            "liechtensteiner strasse",
            3,
            "",
            "",
            "6800",
            "feldkirch",
        ),
        ("Slotlaan 12, 3701 Zeist", "slotlaan", 12, "", "", "3701", "zeist"),
        ("Slotlaan, Zeist", "slotlaan", None, "", "", "", "zeist"),
        ("", "", None, "", "", "", ""),
    ],
)
def test_parse_forms(text, street, number, letter, addition, postcode, city):
    p = parse_address(text)
    assert (p.street, p.number, p.letter, p.addition, p.postcode, p.city) == (
        street,
        number,
        letter,
        addition,
        postcode,
        city,
    )


def test_parse_keeps_other_parts_and_writes_number_back():
    p = parse_address("Dagcentrum De Brug, Slotlaan 12a-2, Zeist")
    assert p.other == ("dagcentrum de brug",)
    assert p.number_text == "12a-2"


def test_record_text():
    rec = AddressRecord(
        street="Slotlaan",
        housenumber=12,
        letter="a",
        addition="2",
        postcode="3701GK",
        city="Zeist",
        point=Point(52.08, 5.23),
        source="bag",
    )
    assert rec.text == "Slotlaan 12a-2, 3701GK Zeist"
    assert str(rec) == rec.text


# ----------------------------------------------------------------------------- a small index


def _rec(street, number, letter="", addition="", postcode="", city="", lat=52.0, lon=5.0):
    return AddressRecord(
        street=street,
        housenumber=number,
        letter=letter,
        addition=addition,
        postcode=postcode,
        city=city,
        point=Point(lat, lon),
        source="bag",
    )


@pytest.fixture(scope="module")
def small() -> AddressIndex:
    return AddressIndex(
        [
            _rec("Slotlaan", 10, postcode="3701GK", city="Zeist", lat=52.0810),
            _rec("Slotlaan", 12, postcode="3701GK", city="Zeist", lat=52.0812),
            _rec("Slotlaan", 12, "a", postcode="3701GK", city="Zeist", lat=52.0813),
            _rec("Slotlaan", 12, "", "2", postcode="3701GK", city="Zeist", lat=52.0814),
            _rec("Slotlaan", 16, postcode="3701GK", city="Zeist", lat=52.0816),
            _rec("Slotlaan", 3, postcode="3701GL", city="Zeist", lat=52.0803),
            _rec("Kerkstraat", 5, postcode="3511AA", city="Utrecht", lat=52.09),
            _rec("Kerkstraat", 5, postcode="1354AA", city="Almere", lat=52.37),
            _rec("Städtle", 44, city="Vaduz", lat=47.139, lon=9.522),
        ]
    )


def test_small_index_rules(small):
    r = geocode("Slotlaan 12b, Zeist", small)
    assert r.status == "fuzzy" and r.point.lat == 52.0812
    assert r.note == "letter 'b' not found; matched 12"
    assert geocode("3701 GK 12 A", small).point.lat == 52.0813
    assert geocode("3701GK 12-2", small).status == "exact"
    r = geocode("Slotlaan 14, Zeist", small)  # within the street's numbers: the nearest one
    assert r.status == "street" and "used the nearest number" in r.note
    assert r.point.lat in (52.0812, 52.0816)
    # the same street and number in two places: never guess without the place
    r = geocode("Kerkstraat 5", small)
    assert r.status == "failed" and "Almere" in r.note and "Utrecht" in r.note
    assert geocode("Kerkstraat 5, Utrecht", small).point.lat == 52.09
    assert geocode("Kerkstr. 5, Almere", small).point.lat == 52.37
    # a postcode that contradicts the street: the postcode wins, flagged for review
    r = geocode("Kerkstraat 12, 3701 GK Zeist", small)
    assert r.status == "fuzzy" and "used the postcode" in r.note
    assert geocode("Staedtle 44", small).status == "exact"


def test_lookups(small):
    assert [r.text for r in small.lookup_postcode("3701 gk", 12, letter="a")] == [
        "Slotlaan 12a, 3701GK Zeist"
    ]
    assert len(small.lookup_postcode("3701GK", 12)) == 3
    assert len(small.lookup_postcode("3701GK", 12, letter="", addition="")) == 1
    assert len(small.lookup_street("SLOTLAAN", 12, city="zeist")) == 3
    assert small.lookup_street("Kerkstraat", 5, city="Lelystad") == []
    assert small.fuzzy_streets("Slotlan", city="Zeist")[0][0] == "Slotlaan"
    assert len(small) == 9 and len(small.records) == 9
    assert small.records[-1].street == "Städtle"


def test_empty_or_nonsense_fails(small):
    for text in ("", "   ", ",,,", "12"):
        r = geocode(text, small)
        assert r.status == "failed" and r.point is None


def test_geocode_many_looks_up_each_address_once(small, monkeypatch):
    calls = Counter()
    real = gc.geocode

    def counting(text, index):
        calls[text] += 1
        return real(text, index)

    monkeypatch.setattr(gc, "geocode", counting)
    queries = ["Slotlaan 12, Zeist", "3701GK 16", "Slotlaan 12, Zeist", "slotlaan 12,  zeist"]
    results = geocode_many(queries, small)
    assert [r.query for r in results] == queries
    assert sum(calls.values()) == 2
    assert results[0].point == results[2].point == results[3].point


# ----------------------------------------------------------------------------- BAG (Flevoland)


def _read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open("rb") as fh:
        text = io.TextIOWrapper(
            zstandard.ZstdDecompressor().stream_reader(fh), encoding="utf-8", newline=""
        )
        rows = list(csv.reader(text, delimiter=";"))
    return rows[0], rows[1:]


@pytest.fixture(scope="module")
def bag(bag_path) -> AddressIndex:
    t0 = time.perf_counter()
    index = AddressIndex.from_bag(bag_path)
    LOAD_SECONDS["bag"] = time.perf_counter() - t0
    return index


@pytest.fixture(scope="module")
def bag_rows(bag_path) -> list[dict[str, str]]:
    header, rows = _read_rows(bag_path)
    return [dict(zip(header, row, strict=True)) for row in rows]


@pytest.fixture(scope="module")
def unique_rows(bag_rows) -> list[dict[str, str]]:
    """Rows whose postcode + number + letter + addition occurs once (no duplicate points)."""

    def key(r):
        return (
            r["postcode"],
            r["huisnummer"],
            r["huisletter"].lower(),
            r["huisnummertoevoeging"].lower(),
        )

    counts = Counter(key(r) for r in bag_rows)
    return [r for r in bag_rows if counts[key(r)] == 1]


def _point(row: dict[str, str]) -> Point:
    return Point(float(row["lat"]), float(row["lon"]))


def test_bag_loads_every_address_in_seconds(bag):
    assert len(bag) == 222_318
    assert bag.skipped == 0
    assert LOAD_SECONDS["bag"] < 15.0  # about 1 s on a laptop
    assert {"Almere", "Lelystad", "Urk", "Noordoostpolder"} <= set(bag.cities)


def test_bag_first_row_is_the_documented_one(bag_rows):
    first = bag_rows[0]
    assert (first["straat"], first["huisnummer"], first["postcode"], first["woonplaats"]) == (
        "Oostvaardersdiep",
        "1",
        "1309AA",
        "Almere",
    )


@pytest.mark.parametrize(
    "text",
    [
        "Oostvaardersdiep 1, 1309 AA Almere",
        "1309AA 1",
        "1309 aa 1",
        "oostvaardersdiep 1 almere",
        "OOSTVAARDERSDIEP 1, ALMERE",
        "  Oostvaardersdiep   1 ,, Almere , Nederland",
        "Oostvaardersdiep 1, 1309AA",
        "Oostvaardersdiep 1",
        "1309 AA Almere, Oostvaardersdiep 1",
        "Oostvaardersdiep nr. 1, Almere",
    ],
)
def test_bag_exact_in_the_ways_coordinators_write(bag, bag_rows, text):
    r = geocode(text, bag)
    assert r.status == "exact", r
    assert r.score == 100
    assert r.matched == "Oostvaardersdiep 1, 1309AA Almere"
    assert r.point == _point(bag_rows[0])


def test_bag_house_letters(bag, unique_rows):
    row = next(
        r
        for r in unique_rows
        if r["huisletter"] and not r["huisnummertoevoeging"] and r["straat"].isalpha()
    )
    street, n, letter, pc, city = (
        row["straat"], row["huisnummer"], row["huisletter"], row["postcode"], row["woonplaats"],
    )  # fmt: skip
    for text in (
        f"{street} {n}{letter.lower()}, {city}",
        f"{street} {n}{letter.upper()} {city}",
        f"{street} {n} {letter.upper()}, {city}",
        f"{pc} {n}{letter.lower()}",
        f"{pc[:4]} {pc[4:].lower()} {n} {letter.lower()}",
        f"{street} {n}{letter}, {pc[:4]} {pc[4:]} {city}",
    ):
        r = geocode(text, bag)
        assert r.status == "exact", (text, r)
        assert r.point == _point(row), text
    # a letter that does not exist at this number: the plain number (or another letter)
    taken = {x.letter for x in bag.lookup_postcode(pc, int(n))}
    missing = next(c for c in "zyxwvq" if c not in taken)
    r = geocode(f"{pc} {n}{missing}", bag)
    assert r.status == "fuzzy"
    assert r.note.startswith(f"letter '{missing}' not found; matched {n}")
    assert r.point in {x.point for x in bag.lookup_postcode(pc, int(n))}


def test_bag_additions(bag, unique_rows):
    numeric = next(
        r
        for r in unique_rows
        if r["huisnummertoevoeging"].isdigit() and not r["huisletter"] and r["straat"].isalpha()
    )
    wordy = next(
        r
        for r in unique_rows
        if r["huisnummertoevoeging"].isalnum()
        and not r["huisnummertoevoeging"].isdigit()
        and not r["huisletter"]
        and r["straat"].isalpha()
    )
    both = next(
        r
        for r in unique_rows
        if r["huisletter"] and r["huisnummertoevoeging"] and r["straat"].replace(" ", "").isalpha()
    )
    cases = []
    for row in (numeric, wordy):
        s, n, t, pc, city = (
            row["straat"], row["huisnummer"], row["huisnummertoevoeging"], row["postcode"],
            row["woonplaats"],
        )  # fmt: skip
        cases += [
            (f"{s} {n}-{t}, {city}", row),
            (f"{s} {n} - {t.lower()} {city}", row),
            (f"{pc} {n}-{t}", row),
            (f"{pc[:4]} {pc[4:].lower()} {n}-{t.lower()}", row),
        ]
    s, n, letter, t, city = (
        both["straat"], both["huisnummer"], both["huisletter"], both["huisnummertoevoeging"],
        both["woonplaats"],
    )  # fmt: skip
    cases += [(f"{s} {n}{letter}-{t}, {city}", both), (f"{s} {n} {letter} {t}, {city}", both)]
    for text, row in cases:
        r = geocode(text, bag)
        assert r.status == "exact", (text, r)
        assert r.point == _point(row), text
    # an addition that does not exist: fuzzy, with the reason
    r = geocode(f"{numeric['straat']} {numeric['huisnummer']}-987, {numeric['woonplaats']}", bag)
    assert r.status == "fuzzy"
    assert "addition '987' not found" in r.note


@pytest.mark.parametrize(
    ("ending", "short"),
    [("straat", "str."), ("straat", "str"), ("laan", "ln."), ("weg", "wg."), ("plein", "pl.")],
)
def test_bag_abbreviations(bag, unique_rows, ending, short):
    row = next(
        r
        for r in unique_rows
        if r["straat"].endswith(ending)
        and r["straat"].isalpha()
        and len(r["straat"]) > len(ending) + 3
        and not r["huisletter"]
        and not r["huisnummertoevoeging"]
    )
    text = f"{row['straat'][: -len(ending)]}{short} {row['huisnummer']}, {row['woonplaats']}"
    r = geocode(text, bag)
    assert r.status == "exact", (text, r)
    assert r.point == _point(row)


def test_bag_burgemeester_and_sint_abbreviations(bag, unique_rows):
    for prefix, short in (("Burgemeester ", "Burg. "), ("Sint ", "St. ")):
        row = next(
            (
                r
                for r in unique_rows
                if r["straat"].startswith(prefix)
                and not r["huisletter"]
                and not r["huisnummertoevoeging"]
            ),
            None,
        )
        if row is None:
            continue
        text = f"{short}{row['straat'][len(prefix) :]} {row['huisnummer']}, {row['woonplaats']}"
        r = geocode(text, bag)
        assert r.status == "exact", (text, r)
        assert r.point == _point(row)


def test_bag_diacritics(bag, unique_rows):
    row = next(
        r
        for r in unique_rows
        if "ë" in r["straat"] and not r["huisletter"] and not r["huisnummertoevoeging"]
    )
    text = f"{row['straat'].replace('ë', 'e').upper()} {row['huisnummer']}, {row['woonplaats']}"
    r = geocode(text, bag)
    assert r.status == "exact", (text, r)
    assert r.point == _point(row)


def test_bag_typo_is_fuzzy_with_the_right_point(bag, unique_rows):
    found = 0
    for row in unique_rows[::997]:
        s = row["straat"]
        if not s.isalpha() or len(s) < 10 or row["huisletter"] or row["huisnummertoevoeging"]:
            continue
        i = len(s) // 2
        typo = s[:i] + s[i + 1] + s[i] + s[i + 2 :]  # two neighbouring letters swapped
        if typo.lower() == s.lower() or bag.lookup_street(typo):
            continue
        r = geocode(f"{typo} {row['huisnummer']}, {row['woonplaats']}", bag)
        assert r.status == "fuzzy", (typo, r)
        assert r.point == _point(row), (typo, r)
        assert f"read as {s}" in r.note
        assert 88 <= r.score < 100
        found += 1
    assert found >= 20
    # the classic: a misspelled first-row street
    r = geocode("Oostvaardersdeip 1, Almere", bag)
    assert r.status == "fuzzy"
    assert r.matched == "Oostvaardersdiep 1, 1309AA Almere"


def test_bag_misspelled_city_is_read_but_flagged(bag, bag_rows):
    r = geocode("Oostvaardersdiep 1, Almree", bag)
    assert r.status == "fuzzy"
    assert r.point == _point(bag_rows[0])
    assert "read as Almere" in r.note


def test_bag_unknown_number_is_street_level(bag, bag_rows):
    on_street = {_point(r) for r in bag_rows if r["straat"] == "Oostvaardersdiep"}
    r = geocode("Oostvaardersdiep 999, Almere", bag)
    assert r.status == "street"
    assert r.note == (
        "house number 999 not found on Oostvaardersdiep in Almere; used the middle of the street"
    )
    assert r.point in on_street
    assert 0 < r.score <= 60
    r = geocode("Oostvaardersdiep, Almere", bag)  # no number at all
    assert r.status == "street" and r.point in on_street


def test_bag_missing_number_inside_the_range_uses_the_nearest(bag, unique_rows):
    numbers: dict[tuple[str, str], set[int]] = defaultdict(set)
    for r in unique_rows:
        if not r["huisletter"] and not r["huisnummertoevoeging"]:
            numbers[(r["straat"], r["woonplaats"])].add(int(r["huisnummer"]))
    street, city, gap = next(
        (s, c, n)
        for (s, c), ns in numbers.items()
        if s.isalpha()
        for n in range(3, 200)
        if n not in ns and n - 2 in ns and n + 2 in ns
    )
    assert not bag.lookup_street(street, gap, city=city)
    r = geocode(f"{street} {gap}, {city}", bag)
    assert r.status == "street"
    assert "used the nearest number" in r.note
    assert re.search(rf"{street} {gap - 2}|{street} {gap + 2}", r.matched)


def test_bag_unknown_street_fails_with_candidates(bag, bag_rows):
    assert not any(r["straat"] == "Nergensstraat" for r in bag_rows)
    r = geocode("Nergensstraat 5, Almere", bag)
    assert r.status == "failed"
    assert r.point is None
    assert r.score == 0
    assert len(r.candidates) == 3
    assert all("Almere" in c for c in r.candidates)
    assert "not found" in r.note


def test_bag_never_crosses_to_another_city(bag):
    r = geocode("Oostvaardersdiep 1, Lelystad", bag)
    assert r.status == "failed"
    assert r.point is None
    assert r.candidates[0] == "Oostvaardersdiep 1, 1309AA Almere"
    assert "not in Lelystad" in r.note


def test_bag_same_street_in_two_places_needs_the_place(bag, unique_rows):
    places: dict[tuple[str, str], set[str]] = defaultdict(set)
    for r in unique_rows:
        if not r["huisletter"] and not r["huisnummertoevoeging"]:
            places[(r["straat"], r["huisnummer"])].add(r["woonplaats"])
    (street, number), cities = next((k, v) for k, v in places.items() if len(v) >= 2)
    r = geocode(f"{street} {number}", bag)
    assert r.status == "failed"
    assert "add the place or postcode" in r.note
    for city in cities:
        r = geocode(f"{street} {number}, {city}", bag)
        assert r.status == "exact" and r.matched.endswith(city), (city, r)


def test_bag_street_names_with_numbers(bag, unique_rows):
    # Urk's "Wijk 7" and Lelystad's "Karveel 39" are street names with a number in them
    row = next(
        r
        for r in unique_rows
        if re.fullmatch(r"[A-Z][a-z]+ \d+", r["straat"])
        and not r["huisletter"]
        and not r["huisnummertoevoeging"]
    )
    r = geocode(f"{row['straat']} {row['huisnummer']}, {row['woonplaats']}", bag)
    assert r.status == "exact", r
    assert r.point == _point(row)


def test_bag_municipality_counts_as_place(bag, unique_rows):
    row = next(
        r
        for r in unique_rows
        if r["gemeente"] != r["woonplaats"]
        and not r["huisletter"]
        and not r["huisnummertoevoeging"]
    )
    r = geocode(f"{row['straat']} {row['huisnummer']}, {row['gemeente']}", bag)
    assert r.status == "exact", r
    assert r.point == _point(row)


def test_bag_wrong_postcode_is_flagged(bag, bag_rows):
    r = geocode("Oostvaardersdiep 1, 1309 AB Almere", bag)  # 1309AB has no number 1 here
    assert r.point == _point(bag_rows[0])
    assert r.status == "fuzzy"
    assert "1309AB" in r.note


def test_bag_index_pickles(bag):
    t0 = time.perf_counter()
    again = pickle.loads(pickle.dumps(bag, protocol=pickle.HIGHEST_PROTOCOL))
    assert time.perf_counter() - t0 < 10
    assert len(again) == len(bag)
    for text in ("1309AA 1", "Oostvaardersdeip 1, Almere", "Nergensstraat 5, Almere"):
        assert geocode(text, again) == geocode(text, bag)


def test_bag_plain_csv_and_bad_files(tmp_path, bag_path):
    header, rows = _read_rows(bag_path)
    plain = tmp_path / "bag.csv"
    with plain.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(header)
        w.writerows(rows[:50])
        w.writerow(
            ["Kapotstraat", "x", "", "", "1309AA", "Almere", "Almere", "Flevoland", "52", "5"]
        )
    index = AddressIndex.from_bag(plain)
    assert len(index) == 50 and index.skipped == 1
    assert geocode("1309AA 1", index).status == "exact"
    bad = tmp_path / "bad.csv"
    bad.write_text("street;number\nA;1\n", encoding="utf-8")
    with pytest.raises(InputError, match="not a BAG export") as err:
        AddressIndex.from_bag(bad)
    assert err.value.file == "bad.csv"
    with pytest.raises(InputError):
        AddressIndex.from_bag(tmp_path / "missing.csv.zst")
    broken = tmp_path / "broken.csv.zst"
    broken.write_bytes(b"\x28\xb5\x2f\xfd" + b"\x00" * 20)
    with pytest.raises(InputError):
        AddressIndex.from_bag(broken)


# ----------------------------------------------------------------------------- OSM (Liechtenstein)


@pytest.fixture(scope="module")
def lie(osm_path) -> AddressIndex:
    t0 = time.perf_counter()
    index = AddressIndex.from_osm(osm_path)
    LOAD_SECONDS["osm"] = time.perf_counter() - t0
    return index


def _only(index: AddressIndex, street: str, number: int, city: str) -> AddressRecord:
    found = index.lookup_street(street, number, letter="", addition="", city=city)
    assert len(found) == 1, found
    return found[0]


def test_osm_reads_the_address_tags(lie):
    assert 990 <= len(lie) <= 1100  # 1,006 objects with addr:housenumber, most with a street
    assert LOAD_SECONDS["osm"] < 15.0
    texts = {r.text for r in lie.records}
    # a few real addresses of the extract
    assert {"Städtle 44, Vaduz", "Im Rösle 12a, Schaan", "Lavadinastrasse 7, Triesenberg"} <= texts
    # where addr:city is missing, the municipality boundary names the place
    assert {"Vaduz", "Schaan", "Triesenberg", "Balzers"} <= set(lie.cities)


@pytest.mark.parametrize(
    "text",
    [
        "Städtle 44, Vaduz",
        "Städtle 44, 9490 Vaduz",
        "städtle 44 vaduz",
        "Stadtle 44",
        "Staedtle 44, Vaduz",
        "STAEDTLE 44",
    ],
)
def test_osm_hit_with_and_without_umlaut(lie, text):
    rec = _only(lie, "Städtle", 44, "Vaduz")
    r = geocode(text, lie)
    assert r.status == "exact", r
    assert r.point == rec.point


def test_osm_letters_and_german_abbreviation(lie):
    rec = _only(lie, "Im Rösle", 12, "Schaan")
    lettered = lie.lookup_street("Im Rösle", 12, letter="b", city="Schaan")[0]
    assert geocode("Im Rosle 12, Schaan", lie).point == rec.point
    assert geocode("Im Rösle 12 B, Schaan", lie).point == lettered.point
    r = geocode("Lavadinastr. 7, Triesenberg", lie)
    assert r.status == "exact"
    assert r.point == _only(lie, "Lavadinastrasse", 7, "Triesenberg").point


@pytest.mark.parametrize(
    "typo", ["Lavadinastrase 7, Triesenberg", "Lavadinastrsse 7", "Lavaidnastrasse 7"]
)
def test_osm_typo_is_fuzzy(lie, typo):
    rec = _only(lie, "Lavadinastrasse", 7, "Triesenberg")
    r = geocode(typo, lie)
    assert r.status == "fuzzy", r
    assert r.point == rec.point
    assert "read as Lavadinastrasse" in r.note


def test_osm_misses(lie):
    r = geocode("Hauptplatz 7, 9999 Nirgendwo", lie)
    assert r.status == "failed" and r.point is None
    assert r.candidates
    # Städtle is in Vaduz: asked in Schaan, it is not found there (no guessing across places)
    r = geocode("Städtle 44, Schaan", lie)
    assert r.status == "failed" and r.point is None
    assert r.candidates[0] == "Städtle 44, Vaduz"
    # a number the extract does not have: the street
    r = geocode("Städtle 1, 9490 Vaduz", lie)
    assert r.status == "street"
    assert r.point in {x.point for x in lie.lookup_street("Städtle")}


def test_merged_index_finds_both(bag, lie, bag_rows):
    both = AddressIndex.merge(bag, lie)
    assert len(both) == len(bag) + len(lie)
    assert geocode("1309AA 1", both).point == _point(bag_rows[0])
    assert geocode("Städtle 44, Vaduz", both).point == _only(lie, "Städtle", 44, "Vaduz").point


# ----------------------------------------------------------------------------- report


def test_report_columns_neutralised_and_atomic(tmp_path, small):
    from vervoer.pipeline import GeocodeRow

    ok = geocode("Slotlaan 12, Zeist", small)
    bad = geocode("=cmd|' /C calc'!A0", small)
    rows = [
        ("participants", "D1", "Slotlaan 12, Zeist", ok),
        ReportRow("participants", "D2", "=cmd|' /C calc'!A0", bad),
        ("vehicles", "+V1", "@SUM(A1)", None),
        GeocodeRow("locations", "L1", "-Somewhere", "given", Point(47.1, 9.5)),
    ]
    out = tmp_path / "sub" / "geocoded.csv"
    out.parent.mkdir()
    out.write_text("old content", encoding="utf-8")
    write_geocode_report(rows, out)
    assert [p.name for p in out.parent.iterdir()] == ["geocoded.csv"]  # no temp file left
    with out.open(encoding="utf-8", newline="") as fh:
        table = list(csv.reader(fh))
    assert tuple(table[0]) == REPORT_COLUMNS == (
        "table", "id", "address", "status", "lat", "lon", "matched", "score", "candidates", "note",
    )  # fmt: skip
    first = dict(zip(table[0], table[1], strict=True))
    assert first["status"] == "exact"
    assert first["lat"] == "52.0812000" and first["lon"] == "5.0000000"
    assert first["matched"] == "Slotlaan 12, 3701GK Zeist" and first["score"] == "100"
    second = dict(zip(table[0], table[2], strict=True))
    assert second["address"] == "'=cmd|' /C calc'!A0"
    assert second["status"] == "failed" and second["lat"] == ""
    third = dict(zip(table[0], table[3], strict=True))
    assert third["id"] == "'+V1" and third["address"] == "'@SUM(A1)"
    fourth = dict(zip(table[0], table[4], strict=True))
    assert fourth["status"] == "given" and fourth["address"] == "'-Somewhere"
    assert fourth["lat"] == "47.1000000"


def test_report_lists_candidates(tmp_path, small):
    r = geocode("Kerkstraat 5", small)
    write_geocode_report([("participants", "P1", "Kerkstraat 5", r)], tmp_path / "g.csv")
    text = (tmp_path / "g.csv").read_text(encoding="utf-8")
    assert "Kerkstraat 5, 1354AA Almere | Kerkstraat 5, 3511AA Utrecht" in text or (
        "Kerkstraat 5, 3511AA Utrecht | Kerkstraat 5, 1354AA Almere" in text
    )


def test_result_is_a_value():
    r = GeocodeResult("x", "failed", None)
    assert not r.ok and r.candidates == () and r.score == 0
