"""Progress of long steps: a bar with elapsed time and an estimate, plain lines elsewhere."""

from __future__ import annotations

import io
from pathlib import Path

from click.testing import CliRunner

from vervoer.cli import main
from vervoer.core.progress import Progress, format_duration

SMALL = Path(__file__).parent / "data" / "scenario_small"


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_format_duration():
    assert format_duration(7) == "0:07"
    assert format_duration(750) == "12:30"
    assert format_duration(3723) == "1:02:03"
    assert format_duration(-3) == "0:00"


def test_bar_on_a_terminal_with_elapsed_time_and_estimate():
    clock, err, out = Clock(), io.StringIO(), io.StringIO()
    with Progress(
        "Planning trips", 4, file=err, out=out, interactive=True, clock=clock, refresh_s=0
    ) as bar:
        assert "[........................]  0/4  elapsed 0:00" in err.getvalue()
        assert "left" not in err.getvalue()  # no estimate before the first trip
        clock.now += 30
        bar.advance(message="mon-heen  vehicles 3")
        clock.now += 30
        bar.advance(message="mon-terug  vehicles 3")
    screen = err.getvalue()
    assert "\r\x1b[K" in screen  # redrawn in place
    assert "2/4  elapsed 1:00  about 1:00 left" in screen  # 30 s per trip, two to go
    assert "[############............]" in screen
    assert out.getvalue() == "mon-heen  vehicles 3\nmon-terug  vehicles 3\n"
    # the last bar stays, drawn over the live one, on its own line
    assert screen.endswith(
        "\r\x1b[KPlanning trips  [############............]  2/4  elapsed 1:00  about 1:00 left\n"
    )


def test_plain_lines_when_not_a_terminal():
    clock, err, out = Clock(), io.StringIO(), io.StringIO()
    with Progress("Writing route sheets", 20, file=err, out=out, clock=clock) as bar:
        assert not bar.interactive  # a StringIO is not a terminal
        for _ in range(20):
            clock.now += 2
            bar.advance()
        bar.echo("done")
    lines = err.getvalue().splitlines()
    # a line per tenth of the work, not one per sheet, and never a bare label
    assert lines[0] == "Writing route sheets: 2/20 done, elapsed 0:04, about 0:36 left"
    assert lines[-1] == "Writing route sheets: 20/20 done, elapsed 0:40"
    assert len(lines) == 10
    assert "\r" not in err.getvalue() and "\x1b" not in err.getvalue()
    assert out.getvalue() == "done\n"
    with Progress("Planning trips", 2, file=err, out=out, clock=clock) as bar:
        bar.advance(message="mon-heen  vehicles 3")
    assert out.getvalue().endswith(
        "mon-heen  vehicles 3  [1/2 done, elapsed 0:00, about 0:00 left]\n"
    )


def test_plan_and_sheets_report_progress(osm_path, tmp_path, monkeypatch):
    monkeypatch.setenv("VERVOER_CACHE", str(tmp_path / "cache"))
    runner = CliRunner()
    common = ["--osm", str(osm_path), "--iterations", "20", "--out", str(tmp_path)]
    result = runner.invoke(main, ["plan", str(SMALL), "--day", "ma", *common])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "[1/2 done, elapsed" in out and "[2/2 done, elapsed" in out
    assert "Writing route sheets (HTML and PDF): " in out
    n = len(list((tmp_path / "sheets").glob("mon-*-*.html")))
    assert f"Writing route sheets (HTML and PDF): {n}/{n} done" in out
