"""Evaluating coalitions serially, in a process pool and on Dask: the same results,
retries, and no partial result after a failure."""

from __future__ import annotations

import functools
import time
from concurrent.futures.process import BrokenProcessPool

import pytest

from vervoer.sharing import evaluate as ev
from vervoer.sharing import game as gm
from vervoer.sharing import solutions as sol

from .cost_games import (
    COSTS,
    PLAYERS,
    Counting,
    always_dies,
    dies_once,
    failing_cost,
    fails_fast_or_sleeps,
    game,
    nan_cost,
    scale_cost,
    table_cost,
)


def test_serial_and_process_pool_agree():
    fn = functools.partial(table_cost, COSTS)
    seen: list[tuple[int, int]] = []
    serial = ev.evaluate_coalitions(PLAYERS, fn, executor="serial")
    pooled = ev.evaluate_coalitions(
        PLAYERS, fn, executor="process", max_workers=2, progress=lambda d, t: seen.append((d, t))
    )
    assert serial == pooled == {frozenset(k): float(v) for k, v in COSTS.items()}
    assert list(serial) == list(pooled) == gm.all_coalitions(PLAYERS)
    assert seen == [(i, 7) for i in range(1, 8)]
    assert sol.shapley(gm.CostGame(PLAYERS, pooled)) == sol.shapley(game())


def test_evaluate_only_the_given_coalitions():
    fn = functools.partial(table_cost, COSTS)
    out = ev.evaluate_coalitions(
        PLAYERS, fn, coalitions=[frozenset("BC"), frozenset("A"), frozenset("CB")],
        executor="serial",
    )  # fmt: skip
    assert list(out) == [frozenset("A"), frozenset("BC")]
    with pytest.raises(ValueError, match="unknown player"):
        ev.evaluate_coalitions(PLAYERS, fn, coalitions=[frozenset("AX")], executor="serial")
    with pytest.raises(ValueError, match="unknown executor"):
        ev.evaluate_coalitions(PLAYERS, fn, executor="threads")  # type: ignore[arg-type]


def test_a_transient_failure_is_retried():
    fn = Counting(functools.partial(table_cost, COSTS), fail_times=1)
    out = ev.evaluate_coalitions(PLAYERS, fn, executor="serial", retries=1)
    assert out == {frozenset(k): float(v) for k, v in COSTS.items()}
    assert len(fn.calls) == 8 and fn.calls[0] == fn.calls[1] == frozenset("A")


@pytest.mark.parametrize("executor", ["serial", "process"])
def test_failing_cost_fn_raises_after_the_retries(executor):
    with pytest.raises(ev.CoalitionFailedError, match="solver crashed") as info:
        ev.evaluate_coalitions(PLAYERS, failing_cost, executor=executor, retries=2, max_workers=2)
    err = info.value
    assert err.attempts == 3
    assert isinstance(err.cause, RuntimeError)
    assert err.coalition in gm.all_coalitions(PLAYERS)
    assert "3 attempts" in str(err)


def test_a_result_that_is_not_a_number_is_a_failure():
    with pytest.raises(ev.CoalitionFailedError, match=r"A \+ B.*not a finite number"):
        ev.evaluate_coalitions(("A", "B"), nan_cost, executor="serial", retries=0)


def test_killed_worker_is_retried(tmp_path):
    marker = tmp_path / "marker"
    fn = functools.partial(dies_once, str(marker))
    out = ev.evaluate_coalitions(PLAYERS, fn, executor="process", max_workers=2, retries=1)
    assert marker.exists()  # the worker really died once
    assert out == {s: float(len(s)) for s in gm.all_coalitions(PLAYERS)}


def test_a_worker_that_keeps_dying_names_its_coalition():
    # two lanes run in parallel: only the coalition whose worker died is blamed
    with pytest.raises(ev.CoalitionFailedError, match=r"coalition A \+ B") as info:
        ev.evaluate_coalitions(PLAYERS, always_dies, executor="process", max_workers=2, retries=1)
    assert info.value.coalition == frozenset("AB")
    assert info.value.attempts == 2
    assert isinstance(info.value.cause, BrokenProcessPool)


def test_a_failure_stops_the_other_evaluations():
    start = time.monotonic()
    with pytest.raises(ev.CoalitionFailedError, match="bad coalition"):
        ev.evaluate_coalitions(
            PLAYERS, fails_fast_or_sleeps, executor="process", max_workers=2, retries=0
        )
    assert time.monotonic() - start < 20  # did not wait for the 60 s evaluation


def test_process_pool_needs_a_picklable_cost_fn():
    with pytest.raises(TypeError, match="picklable"):
        ev.evaluate_coalitions(PLAYERS, lambda s: 1.0, executor="process")


# ----------------------------------------------------------------------------- Dask


@pytest.fixture(scope="module")
def dask_cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address="127.0.0.1:0"
    ) as cluster:
        yield cluster


def test_dask_local_cluster_gives_the_same_result():
    pytest.importorskip("distributed")
    fn = functools.partial(table_cost, COSTS)
    local = ev.evaluate_coalitions(PLAYERS, fn, executor="process", max_workers=2)
    seen: list[int] = []
    on_dask = ev.evaluate_coalitions(
        PLAYERS, fn, executor="dask", max_workers=2, progress=lambda d, t: seen.append(d)
    )
    assert on_dask == local and list(on_dask) == list(local)
    assert seen == list(range(1, 8))


def test_dask_scheduler_address(dask_cluster, tmp_path):
    players = ("A", "B", "C", "D", "E")
    on_dask = ev.evaluate_coalitions(
        players, scale_cost, executor="dask", scheduler_address=dask_cluster.scheduler_address
    )
    assert on_dask == ev.evaluate_coalitions(players, scale_cost, executor="serial")
    # a worker killed on the first try: the scheduler re-runs the task elsewhere
    marker = tmp_path / "marker"
    fn = functools.partial(dies_once, str(marker))
    out = ev.evaluate_coalitions(
        PLAYERS, fn, executor="dask", scheduler_address=dask_cluster.scheduler_address
    )
    assert marker.exists()
    assert out == {s: float(len(s)) for s in gm.all_coalitions(PLAYERS)}


def test_dask_failure_raises_after_the_retries(dask_cluster):
    with pytest.raises(ev.CoalitionFailedError, match="solver crashed") as info:
        ev.evaluate_coalitions(
            PLAYERS,
            failing_cost,
            executor="dask",
            scheduler_address=dask_cluster.scheduler_address,
            retries=1,
        )
    assert info.value.attempts == 2
