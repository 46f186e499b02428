"""Reading and writing ``rules.csv`` and the vehicle columns ``features`` and ``layouts``."""

from __future__ import annotations

import csv
import dataclasses
import io
import shutil
from pathlib import Path

import openpyxl
import pytest

from vervoer.core.errors import InputError, Problem
from vervoer.core.model import Rule, RuleKind
from vervoer.io.scenario import TABLES, read_scenario, write_scenario

DATA = Path(__file__).parent / "data"
SMALL = DATA / "scenario_small"

RULES_HEADER = "rule,participant,other,vehicle,value"
#: vehicles of scenario_small: R1, R2 (rijn), B1, B2 (brug), T1 (berg);
#: participants: D1, D2 (rijn), D3, D4 (brug), D5 (berg)
FEATURES = {"R1": "Lift; laag", "B1": "lift", "T1": "koelbox"}
LAYOUTS = {"R1": "8+0;6+1;4+2", "T1": "6 + 1"}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "sc"
    shutil.copytree(SMALL, target)
    return target


def _rules(folder: Path, *lines: str, header: str = RULES_HEADER) -> None:
    (folder / "rules.csv").write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")


def _vehicle_columns(
    folder: Path,
    features: dict[str, str] | None = None,
    layouts: dict[str, str] | None = None,
    *,
    header: tuple[str, str] = ("features", "layouts"),
) -> None:
    """Add a features and a layouts column to vehicles.csv (vehicle id -> cell)."""
    features = FEATURES if features is None else features
    layouts = LAYOUTS if layouts is None else layouts
    path = folder / "vehicles.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    rows[0] += list(header)
    for row in rows[1:]:
        row += [features.get(row[0], ""), layouts.get(row[0], "")]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def _problems(path: Path) -> list[Problem]:
    with pytest.raises(InputError) as err:
        read_scenario(path)
    return err.value.problems


def _where(problems: list[Problem]) -> list[tuple[str, int | None, str | None]]:
    return [(p.file, p.row, p.field) for p in problems]


# ----------------------------------------------------------------------------- good input


def test_scenario_without_rules_csv_reads_as_before():
    sc = read_scenario(SMALL)
    assert sc.rules == ()
    assert all(v.features == frozenset() and v.layouts == () for v in sc.vehicles)


def test_rules_of_every_kind_in_english(folder):
    _vehicle_columns(folder)
    _rules(
        folder,
        "not_together,D1,D2,,",
        "together,D3,D4,,",
        "alone,D5,,,",
        "alone,D1,,,2",
        "vehicle,D3,,B1,",
        "vehicle,D3,,B2,",
        "needs,D2,,,Lift",
        "own_only,D4,,,",
    )
    assert read_scenario(folder).rules == (
        Rule(kind=RuleKind.NOT_TOGETHER, participant="D1", other="D2"),
        Rule(kind=RuleKind.TOGETHER, participant="D3", other="D4"),
        Rule(kind=RuleKind.ALONE, participant="D5", max_others=0),
        Rule(kind=RuleKind.ALONE, participant="D1", max_others=2),
        Rule(kind=RuleKind.VEHICLE, participant="D3", vehicle="B1"),
        Rule(kind=RuleKind.VEHICLE, participant="D3", vehicle="B2"),
        Rule(kind=RuleKind.NEEDS, participant="D2", feature="lift"),
        Rule(kind=RuleKind.OWN_ONLY, participant="D4"),
    )


def test_rules_in_dutch_words_and_headers(folder):
    _vehicle_columns(folder, header=("kenmerken", "indelingen"))
    (folder / "rules.csv").unlink(missing_ok=True)
    (folder / "regels.csv").write_text(
        "Regel;Deelnemer;Met;Voertuig;Waarde\n"
        "Niet samen;D1;D2;;\n"
        "niet_samen;D1;D3;;\n"
        "SAMEN;D3;D4;;\n"
        "alleen;D5;;;1\n"
        "voertuig;D3;;B1;\n"
        "nodig;D2;;; laag \n"
        "eigen;D4;;;\n"
        "alleen eigen;D1;;;\n"
        "Own-Only;D2;;;\n",
        encoding="utf-8",
    )
    assert read_scenario(folder).rules == (
        Rule(kind=RuleKind.NOT_TOGETHER, participant="D1", other="D2"),
        Rule(kind=RuleKind.NOT_TOGETHER, participant="D1", other="D3"),
        Rule(kind=RuleKind.TOGETHER, participant="D3", other="D4"),
        Rule(kind=RuleKind.ALONE, participant="D5", max_others=1),
        Rule(kind=RuleKind.VEHICLE, participant="D3", vehicle="B1"),
        Rule(kind=RuleKind.NEEDS, participant="D2", feature="laag"),
        Rule(kind=RuleKind.OWN_ONLY, participant="D4"),
        Rule(kind=RuleKind.OWN_ONLY, participant="D1"),
        Rule(kind=RuleKind.OWN_ONLY, participant="D2"),
    )


def test_other_aliases_of_the_rules_columns(folder):
    _rules(folder, "samen,D1,D2", header="type,deelnemer,other_participant")
    assert read_scenario(folder).rules == (
        Rule(kind=RuleKind.TOGETHER, participant="D1", other="D2"),
    )
    _rules(folder, "niet samen,D1,D2", header="Rule,Participant,Ander")
    assert read_scenario(folder).rules[0].kind is RuleKind.NOT_TOGETHER


def test_empty_or_header_only_rules_file_means_no_rules(folder):
    (folder / "rules.csv").write_text("", encoding="utf-8")
    assert read_scenario(folder).rules == ()
    _rules(folder)
    assert read_scenario(folder).rules == ()


def test_mirrored_pair_of_the_same_rule_is_accepted(folder):
    _rules(folder, "together,D1,D2,,", "together,D2,D1,,")
    assert len(read_scenario(folder).rules) == 2


def test_features_and_layouts_are_read(folder):
    _vehicle_columns(folder)
    cars = {v.id: v for v in read_scenario(folder).vehicles}
    assert cars["R1"].features == frozenset({"lift", "laag"})
    assert cars["B1"].features == frozenset({"lift"})
    assert cars["R2"].features == frozenset()
    assert cars["R1"].layouts == ((8, 0), (6, 1), (4, 2))
    assert cars["T1"].layouts == ((6, 1),)
    assert cars["R1"].seats == 8 and cars["R1"].wheelchair_places == 1  # plain values kept
    assert cars["B1"].layouts == () and cars["B1"].seat_layouts == ((8, 1),)


def test_feature_words_separated_by_commas_and_other_aliases(folder):
    _vehicle_columns(
        folder, {"R1": "Lift, Laag"}, {"R1": "8+0, 6+1"}, header=("voorzieningen", "layout")
    )
    r1 = read_scenario(folder).vehicles[0]
    assert r1.features == frozenset({"lift", "laag"}) and r1.layouts == ((8, 0), (6, 1))


def test_a_wheelchair_place_in_a_layout_counts_for_the_wheelchair_check(folder):
    """With layouts, wheelchair_places is not what the check looks at."""
    text = (folder / "vehicles.csv").read_text(encoding="utf-8")
    (folder / "vehicles.csv").write_text(text.replace(",1,", ",0,"), encoding="utf-8")
    _vehicle_columns(folder, {}, {"R1": "8+0;6+1", "T1": "4+1"})
    assert read_scenario(folder).vehicles[0].wheelchair_places == 0


# ----------------------------------------------------------------------------- bad input


def test_bad_layouts_name_file_row_and_field(folder):
    _vehicle_columns(folder, {}, {"R1": "8+0;6-1", "B1": "0+0", "R2": "4+0;4+0", "B2": "vier"})
    problems = _problems(folder)
    assert _where(problems) == [
        ("vehicles.csv", 2, "layouts"),
        ("vehicles.csv", 3, "layouts"),
        ("vehicles.csv", 4, "layouts"),
        ("vehicles.csv", 5, "layouts"),
    ]
    assert str(problems[0]) == (
        "vehicles.csv, row 2, field 'layouts': '6-1' is not a layout; expected seats+"
        "wheelchair places such as 8+0;6+1"
    )
    assert "'0+0' holds nobody" in problems[1].message
    assert "'4+0' is given twice" in problems[2].message
    assert "'vier' is not a layout" in problems[3].message


def test_unknown_rule_word(folder):
    _rules(folder, "samen,D1,D2,,", "nooit,D1,,,", ",D2,,,")
    problems = _problems(folder)
    assert _where(problems) == [("rules.csv", 3, "rule"), ("rules.csv", 4, "rule")]
    assert problems[0].message.startswith("'nooit' is not a rule; expected not_together")
    assert "niet_samen" in problems[0].message
    assert "is empty" in problems[1].message


def test_missing_rule_column(folder):
    _rules(folder, "D1,D2", header="participant,other")
    (p,) = _problems(folder)
    assert (p.file, p.row, p.field) == ("rules.csv", 1, "rule")
    assert "column missing" in p.message


def test_unknown_participant_other_and_vehicle(folder):
    _rules(folder, "together,D9,D1,,", "not_together,D1,D8,,", "vehicle,D1,,X1,", "own_only,,,,")
    problems = _problems(folder)
    assert _where(problems) == [
        ("rules.csv", 2, "participant"),
        ("rules.csv", 3, "other"),
        ("rules.csv", 4, "vehicle"),
        ("rules.csv", 5, "participant"),
    ]
    assert "unknown participant 'D9'" in problems[0].message
    assert "unknown participant 'D8'" in problems[1].message
    assert "unknown vehicle 'X1'; expected one of B1, B2, R1, R2, T1" in problems[2].message
    assert "is empty" in problems[3].message


def test_pair_rule_needs_another_participant(folder):
    _rules(folder, "together,D1,,,", "not_together,D2,D2,,")
    problems = _problems(folder)
    assert _where(problems) == [("rules.csv", 2, "other"), ("rules.csv", 3, "other")]
    assert "is empty" in problems[0].message
    assert "'D2' is the participant of the rule itself; expected another participant" in (
        problems[1].message
    )


def test_pair_both_together_and_not_together_is_reported_on_the_later_row(folder):
    _rules(folder, "together,D1,D2,,", "alone,D3,,,", "niet samen,D2,D1,,")
    (p,) = _problems(folder)
    assert (p.file, p.row, p.field) == ("rules.csv", 4, "rule")
    assert "D2 and D1 are 'together' in row 2" in p.message
    assert "either together or not_together" in p.message


def test_exact_duplicate_row_is_reported(folder):
    _rules(folder, "alone,D1,,,1", "alleen,D1,,,1")
    (p,) = _problems(folder)
    assert (p.file, p.row, p.field) == ("rules.csv", 3, "rule")
    assert "the same rule as row 2" in p.message


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-1", "'-1' is too small; expected a whole number of 0 or more"),
        ("1,5", "'1,5' is not a whole number"),
        ("twee", "'twee' is not a number"),
    ],
)
def test_bad_alone_number(folder, value, message):
    _rules(folder, f'alone,D1,,,"{value}"')
    (p,) = _problems(folder)
    assert (p.file, p.row, p.field) == ("rules.csv", 2, "value")
    assert message in p.message


def test_needs_without_feature_or_with_a_feature_no_vehicle_has(folder):
    _vehicle_columns(folder)
    _rules(folder, "needs,D1,,,", "nodig,D2,,,Hoog")
    problems = _problems(folder)
    assert _where(problems) == [("rules.csv", 2, "value"), ("rules.csv", 3, "value")]
    assert "is empty; expected the feature" in problems[0].message
    assert problems[1].message.startswith(
        "no vehicle lists feature 'hoog' in its `features`; expected one of the features in "
        "vehicles.csv (koelbox, laag, lift)"
    )


def test_needs_when_no_vehicle_has_features(folder):
    _rules(folder, "needs,D1,,,lift")
    (p,) = _problems(folder)
    assert (p.file, p.row, p.field) == ("rules.csv", 2, "value")
    assert "no vehicle lists feature 'lift' in its `features`" in p.message


def test_cells_a_rule_does_not_use_are_reported(folder):
    _rules(folder, "own_only,D1,D2,,", "vehicle,D1,,,R1", "alone,D2,,R1,")
    problems = _problems(folder)
    assert _where(problems) == [
        ("rules.csv", 2, "other"),
        ("rules.csv", 3, "value"),
        ("rules.csv", 3, "vehicle"),
        ("rules.csv", 4, "vehicle"),
    ]
    assert "'D2' is not used by rule 'own_only', which uses participant" in problems[0].message
    assert "'R1' is not used by rule 'vehicle', which uses participant and vehicle" in (
        problems[1].message
    )


def test_vehicle_of_another_organisation_with_own_only(folder):
    _rules(folder, "vehicle,D1,,R2,", "vehicle,D1,,B1,", "eigen,D1,,,", "vehicle,D3,,R1,")
    (p,) = _problems(folder)  # D3 has no own_only rule: another organisation's car is fine
    assert (p.file, p.row, p.field) == ("rules.csv", 3, "vehicle")
    assert p.message == (
        "vehicle 'B1' is of organisation 'brug', but D1 (of 'rijn') may ride only in own "
        "vehicles (own_only in row 4); expected a vehicle of 'rijn'"
    )


def test_rules_sheet_of_a_workbook(tmp_path):
    book = tmp_path / "sc.xlsx"
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for table in TABLES:
        ws = wb.create_sheet(table)
        text = (SMALL / f"{table}.csv").read_text(encoding="utf-8")
        delim = ";" if table == "locations" else ","
        for row in csv.reader(text.splitlines(), delimiter=delim):
            ws.append(row)
    ws = wb.create_sheet("Regels")
    ws.append(["regel", "deelnemer", "met"])
    ws.append(["samen", "D1", "D2"])
    ws.append(["foo", "D1", ""])
    wb.save(book)
    shutil.copy(SMALL / "settings.toml", tmp_path / "settings.toml")
    (p,) = _problems(book)
    assert (p.file, p.row, p.field) == ("sc.xlsx [regels]", 3, "rule")
    ws.delete_rows(3)
    wb.save(book)
    assert read_scenario(book).rules == (
        Rule(kind=RuleKind.TOGETHER, participant="D1", other="D2"),
    )
    del wb["Regels"]
    wb.save(book)
    assert read_scenario(book).rules == ()  # no rules sheet: no rules


# ----------------------------------------------------------------------------- writing


def test_write_read_roundtrip_with_rules_features_and_layouts(folder, tmp_path):
    _vehicle_columns(folder)
    _rules(
        folder,
        "niet samen,D1,D2,,",
        "samen,D3,D4,,",
        "alleen,D5,,,",
        "alleen,D2,,,3",
        "voertuig,D1,,R2,",
        "nodig,D5,,,KOELBOX",
        "eigen,D1,,,",
    )
    sc = read_scenario(folder)
    out = tmp_path / "out"
    write_scenario(sc, out)
    assert read_scenario(out) == dataclasses.replace(sc, name="out", source=out)
    lines = (out / "rules.csv").read_text(encoding="utf-8").splitlines()
    assert lines == [
        RULES_HEADER,
        "not_together,D1,D2,,",
        "together,D3,D4,,",
        "alone,D5,,,0",
        "alone,D2,,,3",
        "vehicle,D1,,R2,",
        "needs,D5,,,koelbox",
        "own_only,D1,,,",
    ]
    vehicles = list(csv.DictReader(io.StringIO((out / "vehicles.csv").read_text("utf-8"))))
    assert vehicles[0]["features"] == "laag;lift" and vehicles[0]["layouts"] == "8+0;6+1;4+2"
    assert vehicles[2]["id"] == "R2"
    assert vehicles[2]["features"] == "" and vehicles[2]["layouts"] == ""


def test_writing_without_rules_writes_no_rules_csv_and_removes_an_old_one(folder, tmp_path):
    _rules(folder, "samen,D1,D2,,")
    sc = read_scenario(folder)
    out = tmp_path / "out"
    write_scenario(sc, out)
    assert (out / "rules.csv").is_file()
    write_scenario(dataclasses.replace(sc, rules=()), out)
    assert not (out / "rules.csv").exists()
    assert read_scenario(out).rules == ()
