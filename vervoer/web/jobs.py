"""Long work of the web app: one job at a time, in a worker process, queued in the database.

A job runs the same ``vervoer`` command a coordinator would type (``plan``, ``replan``,
``compare``) as a child process, so a job gives the very plan the CLI gives, with the CLI's
stop and clean-up guarantees: a stopped job (SIGTERM) leaves no half-written file, and a
crash in the solver cannot take the server down. Progress comes from the command's
one-line-per-trip output. Requests are queued in the database (:class:`~.store.Store`); a
second identical request while one waits or runs returns the first.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from vervoer.web.store import Job, Store, now

KINDS = ("plan", "replan", "compare")
#: a trip line of ``vervoer plan`` / ``replan``: ``mon-heen   vehicles  3 ...``
_TRIP_LINE = re.compile(r"^(mon|tue|wed|thu|fri|sat|sun)-\S+\s+vehicles\b")
_LOG_LIMIT = 200_000


def command(job: Job, scenario: Path, out_dir: Path, osm: Path | None) -> list[str]:
    """The ``vervoer`` command line of a job.

    Raises
    ------
    ValueError
        For a job kind that is not one of :data:`KINDS`.
    """
    args = job.args
    base = [sys.executable, "-m", "vervoer"]
    extra = ["--osm", str(osm)] if osm else []
    days = [a for d in args.get("days", []) for a in ("--day", str(d))]
    if job.kind == "plan":
        return [*base, "plan", str(scenario), "--out", str(out_dir), *days, *extra]
    if job.kind == "replan":
        cmd = [*base, "replan", str(scenario), "--date", str(args["date"]), "--out", str(out_dir)]
        if args.get("base"):
            cmd += ["--base", str(args["base"])]
        return [*cmd, *extra]
    if job.kind == "compare":
        return [*base, "compare", str(scenario), "--out", str(out_dir), *days, *extra]
    raise ValueError(f"unknown job kind {job.kind!r}")


class Worker:
    """Runs the queued jobs of a store one after the other, in a background thread.

    Parameters
    ----------
    store
        The database with the queue.
    scenario
        The scenario folder the jobs work on.
    work
        The web app's folder; job ``N`` writes into ``work/jobs/N``.
    osm
        The OSM extract to pass on (None: the scenario's setting).
    """

    def __init__(self, store: Store, scenario: Path, work: Path, osm: Path | None) -> None:
        self.store = store
        self.scenario = scenario
        self.work = work
        self.osm = osm
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._proc: subprocess.Popen[str] | None = None
        self._cancel: set[int] = set()
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start the thread (jobs a previous server left running are marked failed)."""
        self.store.abandon_running()
        self._thread = threading.Thread(target=self._loop, name="vervoer-jobs", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the running job (SIGTERM: it cleans up) and the thread."""
        self._stop.set()
        self._wake.set()
        with self._lock:
            proc = self._proc
        if proc is not None and proc.poll() is None:
            _terminate(proc)
        if self._thread is not None:
            self._thread.join(timeout)

    def submit(self, kind: str, args: dict[str, Any], user: str) -> tuple[Job, bool]:
        """Queue a job (see :meth:`Store.add_job`) and wake the thread."""
        job, new = self.store.add_job(kind, args, user)
        if new:
            self.store.audit(user, f"{kind} queued", f"job {job.id} {args}")
        self._wake.set()
        return job, new

    def cancel(self, job_id: int, user: str) -> bool:
        """Cancel a queued job, or stop a running one; False when it had finished."""
        job = self.store.job(job_id)
        if job is None or not job.active:
            return False
        self.store.audit(user, "job cancelled", f"job {job_id}")
        if job.status == "queued":
            self.store.update_job(job_id, status="cancelled", finished=now())
            return True
        with self._lock:
            self._cancel.add(job_id)
            proc = self._proc
        if proc is not None and proc.poll() is None:
            _terminate(proc)
        return True

    # ------------------------------------------------------------------ the thread

    def _loop(self) -> None:
        while not self._stop.is_set():
            job = self.store.next_queued()
            if job is None:
                self._wake.wait(1.0)
                self._wake.clear()
                continue
            try:
                self._run(job)
            except Exception as exc:  # keep serving; the job says what went wrong
                self.store.update_job(
                    job.id, status="failed", message=f"internal error: {exc}", finished=now()
                )

    def _run(self, job: Job) -> None:
        out_dir = self.work / "jobs" / str(job.id)
        out_dir.mkdir(parents=True, exist_ok=True)
        cmd = command(job, self.scenario, out_dir, self.osm)
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "120"}
        self.store.update_job(job.id, out_dir=str(out_dir), message="gestart", progress=0.02)
        proc = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            encoding="utf-8",
            errors="replace",
            env=env,
            start_new_session=True,
        )
        with self._lock:
            self._proc = proc
        log: list[str] = []
        total = max(1, int(job.args.get("trips", 0) or 0))
        done = 0
        last = time.monotonic()
        assert proc.stdout is not None
        for raw in proc.stdout:
            line = raw.rstrip()
            if not line:
                continue
            log.append(line)
            progress = None
            if _TRIP_LINE.match(line):
                done += 1
                progress = 0.05 + 0.8 * min(1.0, done / total)
            elif line.startswith("writing maps"):
                progress = 0.88
            if progress is not None or time.monotonic() - last > 0.5:
                fields: dict[str, Any] = {"message": line[:300]}
                if progress is not None:
                    fields["progress"] = progress
                self.store.update_job(job.id, **fields)
                last = time.monotonic()
        code = proc.wait()
        with self._lock:
            self._proc = None
            cancelled = job.id in self._cancel
            self._cancel.discard(job.id)
        text = "\n".join(log)[-_LOG_LIMIT:]
        if cancelled or self._stop.is_set():
            status, message = "cancelled", "gestopt"
        elif code == 0:
            status, message = "done", "klaar"
        else:
            status = "failed"
            message = next(
                (m for m in reversed(log) if m.startswith(("Error", "check:", "  violation"))),
                log[-1] if log else f"exit code {code}",
            )[:500]
        self.store.update_job(
            job.id,
            status=status,
            progress=1.0 if status == "done" else job.progress,
            message=message,
            log=text,
            finished=now(),
        )


def _terminate(proc: subprocess.Popen[str], grace: float = 20.0) -> None:
    """SIGTERM the job's process group (the CLI then cleans up), SIGKILL after ``grace``."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        return
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def trips_of(scenario_dir: Path, days: Sequence[str]) -> int:
    """How many trips a plan of ``days`` (all when empty) has: the progress bar's length."""
    from vervoer import pipeline
    from vervoer.core.model import Weekday
    from vervoer.routing.requests import all_trips

    sc = pipeline.read(scenario_dir)
    weekdays = tuple(Weekday.parse(d) for d in days) or None
    return len(all_trips(sc, weekdays))


__all__ = ["KINDS", "Worker", "command", "trips_of"]
