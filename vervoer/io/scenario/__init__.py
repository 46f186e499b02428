"""Read a coordinator's scenario (CSV folder or XLSX workbook) into validated model objects.

Every problem of every file is collected (file, row, field, what is wrong, what is
expected) and raised once as :class:`~vervoer.core.errors.InputError`; nothing is planned on
half-valid data and no row is dropped silently. Rows are numbered as a spreadsheet shows
them: the header is row 1, the first data row is row 2.

The writer (:func:`write_scenario`) produces the same layout, so that a written scenario
reads back equal. Cells that a spreadsheet would run as a formula (text starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return) are written with a leading ``'``,
which the reader strips again.

Modules, in the order data flows through them:

- :mod:`~vervoer.io.scenario.schema`: :class:`Scenario`, table names, headers, aliases;
- :mod:`~vervoer.io.scenario.cells`: cell text to numbers, times, yes/no, and back;
- :mod:`~vervoer.io.scenario.rows`: header mapping and rows that report bad cells;
- :mod:`~vervoer.io.scenario.build`: one builder a table, plus the cross-table checks;
- :mod:`~vervoer.io.scenario.read`: :func:`read_scenario` (CSV files, xlsx, settings);
- :mod:`~vervoer.io.scenario.write`: :func:`write_scenario`.
"""

from __future__ import annotations

from .read import read_scenario, read_tables
from .schema import COLUMNS, HEADERS, TABLE_NAMES, TABLES, Scenario
from .write import settings_toml, write_scenario

__all__ = [
    "COLUMNS",
    "HEADERS",
    "TABLES",
    "TABLE_NAMES",
    "Scenario",
    "read_scenario",
    "read_tables",
    "settings_toml",
    "write_scenario",
]
