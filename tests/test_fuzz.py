"""Property-based tests: damaged scenario files give a clear InputError or a valid scenario.

Bounded for CI (``max_examples`` below); a larger run:
``VERVOER_FUZZ_EXAMPLES=5000 .venv/bin/python -m pytest tests/test_fuzz.py``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vervoer.errors import InputError
from vervoer.scenario import TABLES, read_scenario

SMALL = Path(__file__).parent / "data" / "scenario_small"
EXAMPLES = int(os.environ.get("VERVOER_FUZZ_EXAMPLES", "150"))

NASTY = st.sampled_from(
    [
        "",
        " ",
        "25:61",
        "08:30:00",
        "2024-01-01 08:30:00",
        "-1",
        "1e309",
        "NaN",
        "9" * 40,
        '=HYPERLINK("x")',
        "@SUM(1)",
        "<script>alert(1)</script>",
        "ja",
        "nee",
        "misschien",
        "ma",
        "zo",
        "mon-fri",
        "ma t/m vr",
        "0,35",
        "€ 1.234,50",
        "\x00",
        "L1",
        "D1",
        "rijn",
        "../../etc/passwd",
        "'",
        '"',
        ";",
        ",",
        "\n",
        "\r\n",
        "\ufeff",
        "🚌",
    ]
)


@st.composite
def damage(draw):
    table = draw(st.sampled_from(TABLES))
    kind = draw(
        st.sampled_from(
            [
                "cell",
                "drop_column",
                "extra_column",
                "empty",
                "bom_crlf",
                "cp1252",
                "truncate",
                "duplicate_row",
                "delete_file",
                "many_rows",
                "swap_separator",
            ]
        )
    )
    return table, kind, draw(NASTY), draw(st.integers(0, 30)), draw(st.integers(0, 30))


def _apply(folder: Path, table: str, kind: str, value: str, i: int, j: int) -> None:
    path = folder / f"{table}.csv"
    text = path.read_text(encoding="utf-8", errors="replace")
    if not text.strip():
        return
    sep = ";" if text.splitlines()[0].count(";") > text.splitlines()[0].count(",") else ","
    lines = text.splitlines()
    if kind == "cell":
        r = 1 + i % max(1, len(lines) - 1)
        cells = lines[r].split(sep)
        cells[j % len(cells)] = value.replace(sep, "")
        lines[r] = sep.join(cells)
    elif kind == "drop_column":
        idx = i % len(lines[0].split(sep))
        lines = [sep.join(c for k, c in enumerate(ln.split(sep)) if k != idx) for ln in lines]
    elif kind == "extra_column":
        lines = [
            ln + sep + (value.replace(sep, "") if n else "extra") for n, ln in enumerate(lines)
        ]
    elif kind == "empty":
        lines = []
    elif kind == "truncate":
        path.write_bytes(text.encode()[: i * 7])
        return
    elif kind == "duplicate_row" and len(lines) > 1:
        lines.append(lines[1 + i % (len(lines) - 1)])
    elif kind == "delete_file":
        path.unlink()
        return
    elif kind == "many_rows" and len(lines) > 1:
        lines += [lines[1]] * 2000
    elif kind == "swap_separator":
        other = "," if sep == ";" else ";"
        lines = [ln.replace(sep, other) for ln in lines]
    body = "\n".join(lines) + ("\n" if lines else "")
    if kind == "bom_crlf":
        path.write_bytes(b"\xef\xbb\xbf" + body.replace("\n", "\r\n").encode())
    elif kind == "cp1252":
        path.write_bytes(body.encode("cp1252", errors="replace"))
    else:
        path.write_text(body, encoding="utf-8")


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(damages=st.lists(damage(), min_size=1, max_size=3))
def test_damaged_scenarios_give_clear_errors_or_valid_scenarios(tmp_path_factory, damages):
    folder = tmp_path_factory.mktemp("fuzz") / "sc"
    shutil.copytree(SMALL, folder)
    for d in damages:
        if (folder / f"{d[0]}.csv").exists():
            _apply(folder, *d)
    try:
        sc = read_scenario(folder)
    except InputError as exc:
        assert exc.problems  # noqa: PT017 - either outcome is valid here
        for p in exc.problems:
            assert p.file
            assert p.message
        assert "Traceback" not in str(exc)  # noqa: PT017
        return
    # a valid scenario: every attendance refers to known people and locations
    people = {p.id for p in sc.participants}
    locations = {loc.id for loc in sc.locations}
    assert all(a.participant in people and a.location in locations for a in sc.attendance)
