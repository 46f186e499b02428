"""Writing files: one atomic write, one rule for spreadsheet cells, one CSV writer.

Every file the program writes goes through :func:`atomic_open` (a temporary file in the
target folder, then a rename), so a reader never sees half a file and an interrupted write
leaves the previous file intact. Files get the permissions a normal ``open`` would give
(``0666`` minus the umask, so ``0644`` with the usual umask); see ``SECURITY.md``.

Every text cell of a CSV goes through :func:`safe_cell`, the only formula rule.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

#: Text starting with one of these would run as a formula in a spreadsheet.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: A plain number (``-114.48``, ``-.5``, ``1e-05``): a spreadsheet reads it as a number,
#: never a formula.
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


@contextmanager
def atomic_open(path: Path | str, mode: str = "w", **kwargs: Any) -> Iterator[IO[Any]]:
    """Open a temporary file next to ``path``; on success it replaces ``path``.

    An interrupted write (exception, Ctrl-C) removes the temporary file and leaves any
    previous ``path`` intact. The folder is created when needed.

    Parameters
    ----------
    path
        The target file.
    mode, **kwargs
        As for :func:`open` (``"w"``, ``"wb"``, ``encoding=...``, ``newline=...``).

    Yields
    ------
    IO
        The open temporary file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    # mkstemp makes 0600; give the file the permissions a normal write would have
    umask = os.umask(0)
    os.umask(umask)
    Path(tmp).chmod(0o666 & ~umask)
    try:
        with os.fdopen(fd, mode, **kwargs) as fh:
            yield fh
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text(path: Path | str, text: str) -> None:
    """Write ``text`` (UTF-8, line endings as given) to ``path`` atomically."""
    with atomic_open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)


def safe_cell(value: object) -> str:
    """Text for a spreadsheet cell, neutralised against formula injection.

    Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (also after
    leading quotes) gets one leading ``'``; :func:`unquote_cell` strips it again. Numbers
    stay numbers: an ``int`` or ``float`` (``-114.48``, ``-1e-05``) and a text that is a
    plain number (``"-114.48"``, ``"+3"``, ``"-.5"``) are written as they are.

    Parameters
    ----------
    value
        The cell value; ``None`` is the empty cell.

    Returns
    -------
    str
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)  # a number is never a formula, whatever its sign
    text = "" if value is None else str(value)
    if _NUMBER.fullmatch(text):
        return text
    return "'" + text if text.lstrip("'").startswith(FORMULA_START) else text


def unquote_cell(text: str) -> str:
    """Strip the ``'`` that :func:`safe_cell` put before a formula-like cell."""
    if text.startswith("'") and text.lstrip("'").startswith(FORMULA_START):
        return text[1:]
    return text


def csv_text(header: Iterable[object], rows: Iterable[Iterable[object]]) -> str:
    """A CSV document (comma, CRLF) with every cell through :func:`safe_cell`."""
    buffer = io.StringIO()
    w = csv.writer(buffer, lineterminator="\r\n")
    w.writerow(list(header))
    for row in rows:
        w.writerow([safe_cell(c) for c in row])
    return buffer.getvalue()


def write_csv(path: Path | str, header: Iterable[object], rows: Iterable[Iterable[object]]) -> None:
    """Write a CSV file atomically (UTF-8, comma, CRLF), neutralising formula-like cells.

    Parameters
    ----------
    path
        The target file; its folder is created if needed.
    header
        The column names.
    rows
        The data rows; every cell goes through :func:`safe_cell`.
    """
    write_text(path, csv_text(header, rows))
