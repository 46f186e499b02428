"""One atomic write, one formula rule, one CSV writer (vervoer.core.files)."""

import csv
import os
import stat

import pytest

from vervoer.core.files import atomic_open, safe_cell, unquote_cell, write_csv, write_text


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("-5+1", "'-5+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("'=x", "''=x"),
        ("'s-Hertogenbosch", "'s-Hertogenbosch"),
        ("gewoon", "gewoon"),
        ("-114.48", "-114.48"),  # numbers stay numbers
        (-114.48, "-114.48"),
        ("+3", "+3"),
        (-7, "-7"),
        (-1e-05, "-1e-05"),
        ("-1e-05", "-1e-05"),
        ("-.5", "-.5"),
        (-0.0, "-0.0"),
        ("-1.5.2", "'-1.5.2"),  # not a number: text, neutralised
        ("-12,50", "'-12,50"),
        ("", ""),
        (None, ""),
    ],
)
def test_safe_cell(text, cell):
    assert safe_cell(text) == cell


@pytest.mark.parametrize("text", ["=1+1", "'=x", "-5+1", "'s-Hertogenbosch", "plain", "-3"])
def test_unquote_reverses_safe_cell(text):
    assert unquote_cell(safe_cell(text)) == text


def test_write_csv_is_readable_and_neutralised(tmp_path):
    path = tmp_path / "sub" / "t.csv"
    write_csv(path, ["a", "b"], [["=HYPERLINK()", -2.5], ["x", None]])
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows == [["a", "b"], ["'=HYPERLINK()", "-2.5"], ["x", ""]]
    assert path.read_bytes().endswith(b"\r\n")


def test_atomic_write_has_normal_permissions(tmp_path):
    umask = os.umask(0o022)
    try:
        write_text(tmp_path / "a.txt", "hallo")
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "a.txt").stat().st_mode) == 0o644


def test_interrupted_write_keeps_the_old_file(tmp_path):
    path = tmp_path / "a.txt"
    write_text(path, "oud")

    def interrupted() -> None:
        with atomic_open(path) as fh:
            fh.write("nieuw")
            raise RuntimeError("stop")

    with pytest.raises(RuntimeError):
        interrupted()
    assert path.read_text() == "oud"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]  # no temporary file left
