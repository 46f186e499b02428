"""Exceptions and warnings of vervoer, with the exit codes the CLI uses.

Exit codes follow VROOM's convention: 1 for anything unexpected, 2 for bad input
(scenario files, options), 3 for problems with the road data.
"""

from __future__ import annotations

from dataclasses import dataclass


class VervoerError(Exception):
    """Base class of every error vervoer raises on purpose."""

    exit_code = 1


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem found in an input file.

    Parameters
    ----------
    file
        The file name (e.g. ``participants.csv``), or the sheet of a workbook.
    row
        The 1-based data row as a spreadsheet shows it (the header is row 1), or None
        when the problem concerns the whole file.
    field
        The column, or None.
    message
        What is wrong and what is expected.
    """

    file: str
    row: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.field is not None:
            where += f", field '{self.field}'"
        return f"{where}: {self.message}"


class InputError(VervoerError, ValueError):
    """Bad input: one or more problems in the scenario files or options.

    Holds every problem found (not only the first); ``str()`` lists them all, one per line.
    """

    exit_code = 2

    def __init__(
        self,
        problems: list[Problem] | str,
        *,
        file: str | None = None,
        row: int | None = None,
        field: str | None = None,
    ) -> None:
        if isinstance(problems, str):
            problems = [Problem(file or "input", row, field, problems)]
        self.problems: list[Problem] = list(problems)
        first = self.problems[0] if self.problems else None
        self.file = first.file if first else file
        self.row = first.row if first else row
        self.field = first.field if first else field
        super().__init__(self._text())

    def _text(self) -> str:
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in the input:"
        return "\n".join([head, *(f"  - {p}" for p in self.problems)])


class NetworkError(VervoerError):
    """The road data is missing, corrupt, or has no drivable roads where they are needed."""

    exit_code = 3
