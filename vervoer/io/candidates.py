"""Read the candidates file of a location study (``vervoer study --candidates FILE``).

A CSV file (UTF-8 or cp1252; ``,``, ``;`` or tab), one candidate a row::

    close,into,note
    L3,L4,merge L3 into L4 (pin the destination)
    L5,,close L5: its participants go to the nearest location of the kind with room

``close`` (also ``sluit``, ``locatie``) is the location that closes; ``into`` (also
``naar``, ``bestemming``) pins where all its participants go (a merge), empty lets the
rule of :mod:`vervoer.sharing.study` choose for each (a closure); ``note`` is free text.
Unknown locations, a location merged into itself and a row given twice are input errors
naming file, row and field; a destination of another kind or without room is not: the
study lists that candidate as infeasible, with why.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from vervoer.core.errors import InputError, Problem
from vervoer.io.scenario import Scenario
from vervoer.io.scenario.read import _read_csv
from vervoer.io.scenario.rows import table_rows

__all__ = ["CandidateRow", "read_candidates"]


@dataclass(frozen=True, slots=True, kw_only=True)
class CandidateRow:
    """One row of a candidates file: ``close`` closes, its participants go to ``into``
    (empty: by the study's rule); ``row`` is the row number as a spreadsheet shows it."""

    close: str
    into: str = ""
    note: str = ""
    row: int


def read_candidates(path: Path | str, scenario: Scenario) -> list[CandidateRow]:
    """The candidates of a file, checked against the scenario's locations.

    Parameters
    ----------
    path
        The candidates CSV file.
    scenario
        The scenario whose locations the rows name.

    Returns
    -------
    list of CandidateRow
        In the order of the file
        (:func:`vervoer.sharing.study.candidates_from_rows` numbers them).

    Raises
    ------
    InputError
        With every problem of the file (missing file, missing ``close`` column, unknown
        or repeated locations), each naming file, row and field.
    """
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise InputError("file not found; expected a CSV file with a column `close`", file=name)
    problems: list[Problem] = []
    raw = _read_csv(path, problems)
    if raw is None:
        raise InputError(problems)
    table = table_rows(name, "candidates", raw, problems)
    ids = {loc.id for loc in scenario.locations}
    known = ", ".join(sorted(ids))
    out: list[CandidateRow] = []
    seen: dict[tuple[str, str], int] = {}
    for r in table.rows:
        close = r.required("close")
        into = r.get("into")
        bad = False
        for column, value in (("close", close), ("into", into)):
            if value and value not in ids:
                r.bad(column, f"unknown location {value!r}; expected one of {known}")
                bad = True
        if close and into == close:
            r.bad("into", f"{into!r} is the location that closes; give another or leave it empty")
            bad = True
        if not close or bad:
            continue
        if (close, into) in seen:
            r.bad(None, f"the same candidate as row {seen[(close, into)]}; give it once")
            continue
        seen[(close, into)] = r.row
        out.append(CandidateRow(close=close, into=into, note=r.get("note"), row=r.row))
    if problems:
        raise InputError(problems)
    if not out:
        raise InputError("has no candidates; expected a row per location to close", file=name)
    return out
