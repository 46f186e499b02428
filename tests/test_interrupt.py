"""Stopping a running `vervoer plan`: Ctrl-C, SIGTERM and kill -9 (a real subprocess each).

The interrupted run plans the whole week with ``--iterations 0 --time-limit 60``: every
solve runs its full minute, so a run that waits for its workers (or leaves them running)
is told apart from one that stops at once without measuring any speed. The waits below
are guards against a hang, not timings.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from vervoer.cli import main

SMALL = Path(__file__).parent / "data" / "scenario_small"
SOLVE_S = 60  # per ride and pool: longer than any guard below
GUARD_S = 40  # a stopped run must be gone well before one solve could have finished

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads the process table from /proc"
)


def _start(
    out: Path, osm: Path, cache: Path, logs: Path, groups: list[int]
) -> subprocess.Popen[bytes]:
    """`vervoer plan` of the whole week in a new session (its own process group)."""
    env = dict(os.environ, VERVOER_CACHE=str(cache), PYTHONUNBUFFERED="1")
    args = [sys.executable, "-m", "vervoer", "plan", str(SMALL), "--osm", str(osm)]
    args += ["--out", str(out), "--time-limit", str(SOLVE_S), "--iterations", "0"]
    logs.mkdir(parents=True, exist_ok=True)
    with (logs / "stdout").open("wb") as stdout, (logs / "stderr").open("wb") as stderr:
        proc = subprocess.Popen(
            args,
            stdout=stdout,
            stderr=stderr,
            env=env,
            start_new_session=True,
            # as from a terminal: Ctrl-C not ignored, even when the tests themselves run as a
            # background job (which a shell starts with SIGINT ignored, inherited by children)
            preexec_fn=_default_interrupt,
        )
    groups.append(proc.pid)
    return proc


def _default_interrupt() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _stat(pid: str) -> list[str]:
    """Fields of /proc/PID/stat after the command name: state, ppid, pgrp, ..."""
    text = Path(f"/proc/{pid}/stat").read_text()
    return text.rsplit(")", 1)[1].split()


def _processes(*, parent: int | None = None, group: int | None = None) -> list[int]:
    """Live (not zombie) processes with this parent or in this process group."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            state, ppid, pgrp = _stat(entry.name)[:3]
        except (OSError, IndexError):
            continue
        if state in ("Z", "X"):
            continue
        if (parent is not None and int(ppid) == parent) or (
            group is not None and int(pgrp) == group
        ):
            found.append(int(entry.name))
    return found


def _wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + GUARD_S
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"hang guard: {what} after {GUARD_S} s")
        time.sleep(0.05)


@pytest.fixture
def groups() -> Iterator[list[int]]:
    """Process groups of the runs a test starts; whatever is left of them is killed after."""
    started: list[int] = []
    yield started
    for group in started:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)


def _wait_until_planning(proc: subprocess.Popen[bytes], logs: Path) -> None:
    """Until the run printed that it plans and its worker processes are solving."""

    def planning() -> bool:
        assert proc.poll() is None, (logs / "stderr").read_text(errors="replace")
        return "Planning" in (logs / "stdout").read_text(errors="replace")

    _wait_for(planning, "no 'Planning' line")
    _wait_for(lambda: bool(_processes(parent=proc.pid)), "no planning workers")


def _stop(proc: subprocess.Popen[bytes], sig: int, *, group: bool) -> int:
    (os.killpg if group else os.kill)(proc.pid, sig)
    try:
        return proc.wait(timeout=GUARD_S)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        pytest.fail(f"still running {GUARD_S} s after signal {sig} (it waits for the solves)")


def _no_processes_left(group: int) -> None:
    """Every worker of the stopped run is gone (none solves on as an orphan)."""
    _wait_for(lambda: not _processes(group=group), f"processes left in group {group}")


def _snapshot(folder: Path) -> dict[str, bytes]:
    if not folder.exists():
        return {}
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def _output_of(logs: Path) -> str:
    return (logs / "stdout").read_text(errors="replace") + (logs / "stderr").read_text(
        errors="replace"
    )


def _plan(out: Path, osm: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A complete (short) run of `vervoer plan` into ``out``, with maps, sheets and exports."""
    monkeypatch.setenv("VERVOER_CACHE", str(cache))
    args = ["plan", str(SMALL), "--osm", str(osm), "--out", str(out), "--day", "ma"]
    result = CliRunner().invoke(main, [*args, "--iterations", "20", "--no-pdf"])
    assert result.exit_code == 0, result.output


def _plan_and_check(out: Path, osm: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A complete run into ``out`` and an independent `vervoer check` of its plan.json."""
    _plan(out, osm, cache, monkeypatch)
    args = ["check", str(SMALL), str(out / "plan.json"), "--osm", str(osm)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "check: OK" in result.output


def test_ctrl_c_stops_planning_at_once_and_writes_nothing(
    osm_path, osm_cache, tmp_path, monkeypatch, groups
):
    cache = osm_cache  # the road network built once, so that a run starts planning quickly
    out, logs = tmp_path / "out", tmp_path / "logs"
    proc = _start(out, osm_path, cache, logs, groups)
    _wait_until_planning(proc, logs)
    code = _stop(proc, signal.SIGINT, group=True)  # Ctrl-C reaches the whole group
    text = _output_of(logs)
    assert code == 130, text
    assert "Interrupted" in text
    assert "Traceback" not in text and "KeyboardInterrupt" not in text
    _no_processes_left(proc.pid)
    assert _snapshot(out) == {}  # no plan.json, no temporary file
    _plan_and_check(out, osm_path, cache, monkeypatch)
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == []


def test_sigterm_and_kill_keep_the_previous_outputs(
    osm_path, osm_cache, tmp_path, monkeypatch, groups
):
    cache = osm_cache
    out = tmp_path / "out"
    _plan(out, osm_path, cache, monkeypatch)  # the outputs of an earlier run
    before = _snapshot(out)
    assert {"plan.json", "map.html", "stops.csv", "sheets/index.html"} <= set(before)
    for sig, code, words in ((signal.SIGTERM, 143, "Stopped"), (signal.SIGKILL, -9, "")):
        logs = tmp_path / f"logs-{sig}"
        proc = _start(out, osm_path, cache, logs, groups)
        _wait_until_planning(proc, logs)
        assert _stop(proc, sig, group=False) == code  # `kill PID`: the main process only
        text = _output_of(logs)
        assert words in text
        assert "Traceback" not in text
        _no_processes_left(proc.pid)  # also after kill -9: the workers die with the main
        assert _snapshot(out) == before  # byte for byte, and no temporary files
    _plan_and_check(out, osm_path, cache, monkeypatch)  # the next run works
