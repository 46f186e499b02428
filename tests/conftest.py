"""Shared fixtures and the session-wide "nothing lost" invariant.

Fixtures: the real Liechtenstein OSM extract and the Flevoland BAG export. Both live in
``../shared`` next to the repository and are read in place (never copied).
``VERVOER_OSM`` / ``VERVOER_BAG`` override the paths. Under ``CI=true`` a missing file is a
failure, elsewhere a skip.

Invariant: every plan made by any test goes through the independent checker and a count of
requests (see the end of this file); the totals are printed at the end of the run.
"""

from __future__ import annotations

import functools
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


def _shared_file(env: str, default: Path) -> Path:
    path = Path(os.environ.get(env, default))
    if not path.exists():
        msg = f"{path} not found (set {env})"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(msg)
        pytest.skip(msg)
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium, one per test module (see ``tests/chromium.py``)."""
    from .chromium import launch

    yield from launch()


@pytest.fixture(scope="session")
def osm_path() -> Path:
    """The real OSM extract of Liechtenstein (2015), 1.3 MB PBF."""
    return _shared_file("VERVOER_OSM", SHARED / "data" / "osm" / "liechtenstein-2015.osm.pbf")


@pytest.fixture(scope="session")
def osm_cache(osm_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A network cache folder (``VERVOER_CACHE``) holding the extract's roads, built once."""
    from vervoer.geo.network import load_network

    folder = tmp_path_factory.mktemp("osm-cache")
    load_network(osm_path, cache_dir=folder)
    return folder


@pytest.fixture(scope="session")
def bag_path() -> Path:
    """The real BAG addresses of the province of Flevoland (zstd-compressed CSV)."""
    return _shared_file("VERVOER_BAG", SHARED / "data" / "bag" / "flevoland-bag-2026-06.csv.zst")


@pytest.fixture(scope="session")
def benchmarks_dir() -> Path:
    """The routing benchmark instances with best-known values."""
    return _shared_file("VERVOER_BENCHMARKS", SHARED / "benchmarks")


# ----------------------------------------------------------------------------- nothing lost
# Every plan any test makes in this process (through vervoer.routing.planner.plan_week, which
# pipeline.plan, compare, whatif, the CLI and the fuzzers all call) goes through the
# independent checker plus a count of its own: each requested ride (a RideKey request of
# planner.requests_for) is in exactly one route or in the unassigned list with a reason, and
# nothing else is. A violation fails the test that made the plan. Plans made in other
# processes (subprocess CLI runs, forkserver/Dask coalition workers) are not seen here.


@dataclass
class _Tally:
    plans: int = 0
    requests: int = 0
    violations: list[str] = field(default_factory=list)


_TALLY = _Tally()
_ORIGINAL: dict[str, Any] = {}
_CURRENT_TEST_VIOLATIONS: list[str] = []


def _lost_or_doubled(plan: Any, scenario: Any, rides: Any, days: Any = None) -> list[str]:
    """Every requested ride exactly once: in a route (boards and alights once) or unassigned."""
    from vervoer.core.model import Reason
    from vervoer.routing.requests import all_trips, requests_for

    bad = []
    wanted_keys = Counter(tuple(rides) if rides is not None else all_trips(scenario, days))
    got_keys = Counter(ride.key for ride in plan.rides)
    if got_keys != wanted_keys:
        bad.append(f"rides planned {dict(got_keys)} != rides asked {dict(wanted_keys)}")
    for ride in plan.rides:
        wanted = Counter(r.participant.id for r in requests_for(scenario, ride.key))
        boarded: Counter[str] = Counter()
        alighted: Counter[str] = Counter()
        for route in ride.routes:
            for stop in route.stops:
                boarded.update(stop.boarding)
                alighted.update(stop.alighting)
        left = Counter(u.participant for u in ride.unassigned)
        if boarded != alighted:
            bad.append(f"{ride.key}: boarded {dict(boarded)} but alighted {dict(alighted)}")
        if boarded + left != wanted:
            bad.append(
                f"{ride.key}: requested {dict(wanted)}, in routes {dict(boarded)}, "
                f"unassigned {dict(left)}"
            )
        for u in ride.unassigned:
            if not isinstance(u.reason, Reason) or not u.message.strip():
                bad.append(f"{ride.key}: {u.participant} unassigned without a reason")
    return bad


def _checked(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def plan_week(scenario: Any, matrix: Any, places: Any, **kwargs: Any) -> Any:
        from vervoer.routing.check import check_plan
        from vervoer.routing.requests import requests_for

        if kwargs.get("rides") is not None:
            kwargs["rides"] = tuple(kwargs["rides"])
        plan = original(scenario, matrix, places, **kwargs)
        bad = [f"checker: {v}" for v in check_plan(plan, scenario, matrix, places).violations]
        bad += _lost_or_doubled(plan, scenario, kwargs.get("rides"), kwargs.get("days"))
        _TALLY.plans += 1
        _TALLY.requests += sum(len(requests_for(scenario, r.key)) for r in plan.rides)
        if bad:
            _TALLY.violations += bad
            _CURRENT_TEST_VIOLATIONS.extend(bad)
            msg = "invariant violated (nothing lost, nothing doubled):\n  " + "\n  ".join(bad)
            raise AssertionError(msg)
        return plan

    plan_week.__wrapped_by_invariant__ = True  # type: ignore[attr-defined]
    return plan_week


def pytest_configure(config: pytest.Config) -> None:
    """Wrap plan_week, also where a module already imported it by name."""
    import vervoer.routing.planner as planner

    original = planner.plan_week
    if getattr(original, "__wrapped_by_invariant__", False):
        return
    wrapped = _checked(original)
    _ORIGINAL["plan_week"] = original
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] in ("vervoer", "tests") and getattr(module, "plan_week", None) is (
            original
        ):
            module.plan_week = wrapped  # type: ignore[attr-defined]


def pytest_unconfigure(config: pytest.Config) -> None:
    original = _ORIGINAL.pop("plan_week", None)
    if original is None:
        return
    for name, module in list(sys.modules.items()):
        if (
            name.split(".")[0] in ("vervoer", "tests")
            and getattr(getattr(module, "plan_week", None), "__wrapped__", None) is original
        ):
            module.plan_week = original  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _nothing_lost() -> Iterator[None]:
    """Fail a test that made a plan violating the invariant, even if it caught the error."""
    _CURRENT_TEST_VIOLATIONS.clear()
    yield
    if _CURRENT_TEST_VIOLATIONS:
        bad = list(_CURRENT_TEST_VIOLATIONS)
        _CURRENT_TEST_VIOLATIONS.clear()
        pytest.fail("invariant violated by a plan of this test:\n  " + "\n  ".join(bad))


@pytest.fixture
def invariant_violation_expected() -> Iterator[list[str]]:
    """For the invariant's own tests: this test's violations are expected and not counted."""
    plans, requests, violations = _TALLY.plans, _TALLY.requests, len(_TALLY.violations)
    yield _CURRENT_TEST_VIOLATIONS
    assert _CURRENT_TEST_VIOLATIONS, "the invariant caught nothing"
    _TALLY.plans, _TALLY.requests = plans, requests
    del _TALLY.violations[violations:]
    _CURRENT_TEST_VIOLATIONS.clear()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    t = _TALLY
    terminalreporter.write_line(
        f"invariant: {t.plans:,} plans, {t.requests:,} requests checked, "
        f"{len(t.violations):,} violations"
    )
    for v in t.violations[:20]:
        terminalreporter.write_line(f"  invariant violation: {v}")
