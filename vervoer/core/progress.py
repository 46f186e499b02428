"""Progress of long steps: a bar with elapsed time and an estimate on a terminal, lines elsewhere.

:class:`Progress` counts finished items of a step (trips planned, route sheets written,
coalitions evaluated). On a terminal it draws one line that it redraws in place, refreshed
every second so the elapsed time runs::

    Planning trips  [##########..........]   5/11  elapsed 1:23  about 1:40 left

A message given with a finished item (a trip's totals) and lines printed with
:meth:`Progress.echo` go to standard output, above the bar. When the output is not a
terminal (a log file, CI, a pipe) it writes plain lines instead: each message with the
count appended, and without messages a line at every tenth of the work (or every 15
seconds)::

    mon-terug  vehicles  3 ...  [5/11 done, elapsed 1:23, about 1:40 left]
    Writing route sheets: 26/255 done, elapsed 0:21, about 3:05 left

The estimate is the mean time per finished item times the items left; before the first
item has finished there is none. Nothing beyond the standard library.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import IO

BAR_WIDTH = 24


def format_duration(seconds: float) -> str:
    """A duration as ``m:ss`` or ``h:mm:ss``.

    Parameters
    ----------
    seconds
        The duration (negative counts as 0).

    Returns
    -------
    str
        ``0:07``, ``12:30``, ``1:02:03``.
    """
    s = max(0, round(seconds))
    h, rest = divmod(s, 3600)
    m, sec = divmod(rest, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


class Progress:
    """The progress of one step of ``total`` items (a context manager).

    Parameters
    ----------
    label
        What is being done, in words: ``Planning trips``, ``Writing route sheets``.
    total
        How many items the step has.
    file
        Where the bar or the plain progress lines go (default: standard error).
    out
        Where messages go (default: standard output).
    interactive
        Draw a bar (True) or write lines (False); default: whether ``file`` is a terminal.
    clock
        Seconds, monotonic (tests pass a fake).
    refresh_s
        How often the bar is redrawn on a terminal while nothing finishes (0: only when
        something finishes).
    """

    def __init__(
        self,
        label: str,
        total: int,
        *,
        file: IO[str] | None = None,
        out: IO[str] | None = None,
        interactive: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
        refresh_s: float = 1.0,
    ) -> None:
        self.label = label
        self.total = max(0, total)
        self.done = 0
        self.file = file if file is not None else sys.stderr
        self.out = out if out is not None else sys.stdout
        self._last_line: tuple[int, float] = (0, 0.0)
        if interactive is None:
            isatty = getattr(self.file, "isatty", None)
            interactive = bool(isatty and isatty())
        self.interactive = interactive
        self.clock = clock
        self.start = clock()
        self.refresh_s = refresh_s
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        self._drawn = False

    # ------------------------------------------------------------------ context manager

    def __enter__(self) -> Progress:
        self.start = self.clock()
        if self.interactive:
            self._draw()
            if self.refresh_s > 0:
                self._ticker = threading.Thread(target=self._tick, daemon=True)
                self._ticker.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop refreshing; on a terminal leave the final bar on its own line."""
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join(timeout=2)
            self._ticker = None
        if self.interactive and self._drawn:
            with self._lock:
                self._write("\r\x1b[K" + self._line() + "\n")
                self._drawn = False

    # ------------------------------------------------------------------ numbers

    @property
    def elapsed(self) -> float:
        """Seconds since the step started."""
        return self.clock() - self.start

    def remaining(self) -> float | None:
        """Estimated seconds left (None before the first item has finished)."""
        if self.done <= 0:
            return None
        return self.elapsed / self.done * max(0, self.total - self.done)

    def summary(self) -> str:
        """``5/11 done, elapsed 1:23, about 1:40 left`` (the words of the plain lines)."""
        text = f"{self.done}/{self.total} done, elapsed {format_duration(self.elapsed)}"
        left = self.remaining()
        if left is not None and self.done < self.total:
            text += f", about {format_duration(left)} left"
        return text

    # ------------------------------------------------------------------ updates

    def advance(self, n: int = 1, message: str = "") -> None:
        """Count ``n`` more finished items; ``message`` says which (shown with the count).

        Parameters
        ----------
        n
            Items finished since the last call.
        message
            A line about what finished (a trip's totals); above the bar on a terminal, at
            the end of the plain line elsewhere.
        """
        self.update(self.done + n, message)

    def update(self, done: int, message: str = "") -> None:
        """Set the number of finished items (see :meth:`advance`)."""
        with self._lock:
            self.done = min(max(done, 0), self.total) if self.total else max(done, 0)
            if self.interactive:
                if message:
                    self._message(message)
                self._draw_locked()
            elif message:
                self._write_to(self.out, f"{message}  [{self.summary()}]\n")
            elif self._due():
                self._write(f"{self.label}: {self.summary()}\n")
                self._last_line = (self.done, self.elapsed)

    def _due(self) -> bool:
        """Whether a plain line without a message is due (a tenth more, or 15 s later)."""
        done, at = self._last_line
        step = max(1, self.total // 10)
        return self.done >= self.total or self.done - done >= step or self.elapsed - at >= 15

    def echo(self, message: str) -> None:
        """Print a line without counting an item (above the bar on a terminal)."""
        with self._lock:
            if self.interactive:
                self._message(message)
                self._draw_locked()
            else:
                self._write_to(self.out, message + "\n")

    def _message(self, message: str) -> None:
        self._clear()
        self._write_to(self.out, message + "\n")

    # ------------------------------------------------------------------ drawing

    def _line(self) -> str:
        total = self.total or 1
        filled = round(BAR_WIDTH * min(self.done, total) / total)
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        width = len(str(self.total))
        text = f"{self.label}  [{bar}]  {self.done:>{width}}/{self.total}"
        text += f"  elapsed {format_duration(self.elapsed)}"
        left = self.remaining()
        if self.done < self.total:
            text += f"  about {format_duration(left)} left" if left is not None else ""
        return text

    def _draw(self) -> None:
        with self._lock:
            self._draw_locked()

    def _draw_locked(self) -> None:
        self._write("\r\x1b[K" + self._line())
        self._drawn = True

    def _clear(self) -> None:
        if self._drawn:
            self._write("\r\x1b[K")
            self._drawn = False

    def _write(self, text: str) -> None:
        self._write_to(self.file, text)

    def _write_to(self, stream: IO[str], text: str) -> None:
        if stream is not self.file:
            self.file.flush()
        stream.write(text)
        stream.flush()

    def _tick(self) -> None:
        while not self._stop.wait(self.refresh_s):
            if self.done < self.total:  # the time stands still once all is done
                self._draw()


__all__ = ["Progress", "format_duration"]
