"""The scenario's tables in the web app: shown as they are, replaced with a preview first.

The files stay the source of truth. An upload (a CSV for one table, or a workbook with a
sheet per table) is *staged*: copied beside the scenario's other files into a staging
folder and validated there with :func:`vervoer.pipeline.read`, so the preview shows the
same problems as ``vervoer validate`` and what changes, row by row. Saving writes each new
file atomically and keeps the previous one in ``.vervoer-web/previous/<time>/``.
"""

from __future__ import annotations

import datetime as dt
import secrets
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from vervoer.core.errors import InputError, Problem
from vervoer.core.files import csv_text, write_text
from vervoer.io.scenario import TABLE_NAMES, read_tables
from vervoer.io.scenario.rows import normalise_header
from vervoer.io.scenario.schema import ALIASES, OPTIONAL_TABLES, TABLES

ALL_TABLES = (*TABLES, *OPTIONAL_TABLES)
#: the most an upload may hold
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
#: the columns of another organisation's participant an organisation user sees
PUBLIC_COLUMNS = ("id", "participant", "organisation", "other")


@dataclass(frozen=True, slots=True)
class TableView:
    """One table as its file holds it, with the problems found at its rows and fields."""

    table: str
    file: str
    header: list[str]
    rows: list[list[str]]
    #: (row as a spreadsheet numbers it, canonical column or None) -> messages
    problems: dict[tuple[int | None, str | None], list[str]] = field(default_factory=dict)
    missing: bool = False

    @property
    def columns(self) -> list[str | None]:
        """The canonical column of each header cell (None: not a column vervoer knows)."""
        aliases = ALIASES[self.table]
        return [aliases.get(normalise_header(h)) for h in self.header]

    def row_problems(self, row: int) -> list[str]:
        """Every message of a data row (spreadsheet numbering: the first data row is 2)."""
        return [m for (r, _f), ms in self.problems.items() if r == row for m in ms]

    def cell_problem(self, row: int, column: str | None) -> bool:
        """Whether a cell has a problem."""
        return column is not None and (row, column) in self.problems

    def file_problems(self) -> list[str]:
        """The messages about the whole file."""
        return [m for (r, _f), ms in self.problems.items() if r is None for m in ms]


def validation_problems(folder: Path) -> list[Problem]:
    """Every problem of a scenario folder, as ``vervoer validate`` reports them."""
    from vervoer.pipeline import read

    try:
        read(folder)
    except InputError as exc:
        return list(exc.problems)
    return []


def table_views(folder: Path, problems: list[Problem] | None = None) -> dict[str, TableView]:
    """Every table of the folder with its problems (``problems``: already computed)."""
    raw = read_tables(folder)
    problems = validation_problems(folder) if problems is None else problems
    out: dict[str, TableView] = {}
    for table in ALL_TABLES:
        name, rows = raw[table]
        view = TableView(
            table=table,
            file=name,
            header=list(rows[0]) if rows else [],
            rows=[list(r) for r in rows[1:]] if rows else [],
            missing=rows is None,
        )
        for p in problems:
            if p.file == name:
                view.problems.setdefault((p.row, _canonical(table, p.field)), []).append(p.message)
        out[table] = view
    return out


def _canonical(table: str, column: str | None) -> str | None:
    if column is None:
        return None
    return ALIASES[table].get(normalise_header(column), column)


def participant_organisations(views: dict[str, TableView]) -> dict[str, str]:
    """participant id -> organisation id, from the participants file as it is."""
    view = views["participants"]
    cols = view.columns
    if "id" not in cols or "organisation" not in cols:
        return {}
    i, j = cols.index("id"), cols.index("organisation")
    return {r[i].strip(): r[j].strip() for r in view.rows if len(r) > max(i, j)}


def participant_names(views: dict[str, TableView], organisation: str | None) -> dict[str, str]:
    """participant id -> name, of one organisation (None: of every organisation)."""
    view = views["participants"]
    cols = view.columns
    if "id" not in cols or "name" not in cols:
        return {}
    i, n = cols.index("id"), cols.index("name")
    owners = participant_organisations(views)
    return {
        r[i].strip(): r[n].strip()
        for r in view.rows
        if len(r) > max(i, n) and organisation in (None, owners.get(r[i].strip()))
    }


def redact(view: TableView, visible: set[str], owner_of: dict[str, str]) -> TableView:
    """The table with other organisations' participants shown by id only.

    Parameters
    ----------
    view
        The table.
    visible
        The organisations whose participants show in full.
    owner_of
        participant id -> organisation (:func:`participant_organisations`).

    Returns
    -------
    TableView
        Rows of other organisations' participants keep only :data:`PUBLIC_COLUMNS`; no
        problems (their messages may quote names or addresses).
    """
    cols = view.columns
    key = "id" if view.table == "participants" else "participant"
    if key not in cols:
        return TableView(view.table, view.file, view.header, view.rows, {}, view.missing)
    k = cols.index(key)
    rows = []
    for r in view.rows:
        pid = r[k].strip() if k < len(r) else ""
        if not pid or owner_of.get(pid) in visible:
            rows.append(r)
        else:
            rows.append(
                [c if (col in PUBLIC_COLUMNS) else "·" for c, col in zip(r, cols, strict=False)]
            )
    return TableView(view.table, view.file, view.header, rows, {}, view.missing)


# ----------------------------------------------------------------------------- staging


@dataclass(frozen=True, slots=True)
class RowDiff:
    """What replacing one table changes, by the first column (the id)."""

    table: str
    added: list[list[str]]
    removed: list[list[str]]
    changed: list[tuple[list[str], list[str]]]
    unchanged: int


@dataclass(frozen=True, slots=True)
class Staged:
    """An upload waiting to be saved: its folder, what it changes and its problems."""

    token: str
    folder: Path
    tables: dict[str, list[list[str]]]
    diffs: list[RowDiff]
    problems: list[Problem]


def parse_upload(filename: str, data: bytes, table: str | None) -> dict[str, list[list[str]]]:
    """The tables of an uploaded file: a CSV for ``table``, or a workbook's sheets.

    Raises
    ------
    InputError
        For an empty or too large file, another kind of file, a CSV without a table to
        replace, or a workbook without any sheet of a scenario table.
    """
    suffix = Path(filename).suffix.lower()
    if not data:
        raise InputError("the file is empty", file=filename)
    if len(data) > MAX_UPLOAD_BYTES:
        raise InputError(
            f"the file is larger than {MAX_UPLOAD_BYTES // 1024 // 1024} MB", file=filename
        )
    with tempfile.TemporaryDirectory() as tmp:
        if suffix == ".csv":
            if table not in ALL_TABLES:
                raise InputError("choose the table this CSV file replaces", file=filename)
            folder = Path(tmp)
            (folder / f"{table}.csv").write_bytes(data)
            _name, rows = read_tables(folder)[table]
            if rows is None:
                raise InputError("is not a readable CSV file", file=filename)
            return {table: rows}
        if suffix == ".xlsx":
            path = Path(tmp) / "upload.xlsx"
            path.write_bytes(data)
            found = {t: rows for t, (_n, rows) in read_tables(path).items() if rows is not None}
            if table is not None and table in found:
                found = {table: found[table]}
            if not found:
                raise InputError(
                    "has no sheet of a scenario table; expected sheets named "
                    + ", ".join(ALL_TABLES),
                    file=filename,
                )
            return found
    raise InputError(
        f"expected a .csv file or an .xlsx workbook, not {suffix or 'this file'}", file=filename
    )


def file_of(folder: Path, table: str) -> Path:
    """The file of a table in the folder: the existing one (any accepted name), else the
    canonical name."""
    for name in TABLE_NAMES[table]:
        if (folder / f"{name}.csv").is_file():
            return folder / f"{name}.csv"
    return folder / f"{table}.csv"


def stage(folder: Path, work: Path, tables: dict[str, list[list[str]]]) -> Staged:
    """Copy the scenario with ``tables`` replaced into a staging folder and validate it.

    Parameters
    ----------
    folder
        The scenario folder.
    work
        The web app's folder (staging goes to ``work/staged/<token>``).
    tables
        table -> rows including the header (from :func:`parse_upload`).
    """
    token = secrets.token_urlsafe(16)
    target = work / "staged" / token
    target.mkdir(parents=True)
    for item in folder.iterdir():
        if item.is_file() and (item.suffix.lower() in (".csv", ".toml")):
            shutil.copy2(item, target / item.name)
    before = read_tables(folder)
    diffs = []
    for table, rows in tables.items():
        path = file_of(target, table)
        write_text(path, csv_text(rows[0] if rows else [], rows[1:]))
        old = before[table][1] or []
        diffs.append(_diff(table, old, rows))
    return Staged(token, target, tables, diffs, validation_problems(target))


def _diff(table: str, old: list[list[str]], new: list[list[str]]) -> RowDiff:
    def keyed(rows: list[list[str]]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for i, r in enumerate(rows[1:]):
            key = (
                "|".join(r[:1]).strip()
                if table in ("organisations", "locations", "participants", "vehicles")
                else ""
            )
            out[key or f"#{i}:{'|'.join(r)}"] = r
        return out

    a, b = keyed(old), keyed(new)
    changed = [
        (a[k], b[k])
        for k in a.keys() & b.keys()
        if [c.strip() for c in a[k]] != [c.strip() for c in b[k]]
    ]
    return RowDiff(
        table,
        added=[b[k] for k in b.keys() - a.keys()],
        removed=[a[k] for k in a.keys() - b.keys()],
        changed=sorted(changed),
        unchanged=len(a.keys() & b.keys()) - len(changed),
    )


def staged_folder(work: Path, token: str) -> Path | None:
    """The staging folder of a token, when it exists (tokens are URL-safe names)."""
    if not token or not all(c.isalnum() or c in "-_" for c in token):
        return None
    path = work / "staged" / token
    return path if path.is_dir() else None


def apply_staged(folder: Path, work: Path, staged: Path, tables: list[str]) -> list[Path]:
    """Save the staged tables into the scenario, atomically, keeping the previous files.

    Returns
    -------
    list of Path
        The files written.
    """
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    keep = work / "previous" / stamp
    written = []
    for table in tables:
        source = file_of(staged, table)
        target = file_of(folder, table)
        if target.is_file():
            keep.mkdir(parents=True, exist_ok=True)
            shutil.copy2(target, keep / target.name)
        write_text(target, source.read_text(encoding="utf-8"))
        written.append(target)
    shutil.rmtree(staged, ignore_errors=True)
    return written


def append_row(folder: Path, work: Path, table: str, cells: dict[str, str]) -> Staged:
    """Stage the table with one row added (the form of the day's changes).

    ``cells`` maps canonical columns to texts; the row follows the file's own header (the
    canonical one when the file does not exist yet).
    """
    from vervoer.io.scenario import HEADERS

    _name, rows = read_tables(folder)[table]
    header = list(rows[0]) if rows else list(HEADERS[table])
    body = [list(r) for r in rows[1:]] if rows else []
    aliases = ALIASES[table]
    known = {aliases.get(normalise_header(h)) for h in header}
    for column, text in cells.items():  # a column the file lacks but the row needs
        if text and column not in known:
            header.append(column)
            body = [[*r, *[""] * (len(header) - 1 - len(r))] for r in body]
    row = [cells.get(aliases.get(normalise_header(h), ""), "") for h in header]
    return stage(folder, work, {table: [header, *body, row]})


__all__ = [
    "ALL_TABLES",
    "RowDiff",
    "Staged",
    "TableView",
    "append_row",
    "apply_staged",
    "file_of",
    "parse_upload",
    "redact",
    "stage",
    "staged_folder",
    "table_views",
    "validation_problems",
]
