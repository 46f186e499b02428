"""Cost games and cost functions shared by the tests of :mod:`vervoer.sharing`.

The cost functions are at module level, so that they pickle for the process pool and
Dask workers.
"""

from __future__ import annotations

import math
import os
import time
from pathlib import Path

from vervoer.sharing.game import CostGame, all_coalitions

PLAYERS = ("A", "B", "C")
# three organisations: own transport 100, 80, 60; the pairs and all three save something
COSTS = {"A": 100, "B": 80, "C": 60, "AB": 150, "AC": 140, "BC": 120, "ABC": 190}
# every pair is as cheap as one alone, all three together cost 20 (see test_empty_core)
EMPTY_CORE = {"A": 10, "B": 10, "C": 10, "AB": 10, "AC": 10, "BC": 10, "ABC": 20}


def key(s) -> str:
    return "".join(sorted(s))


def game(costs=COSTS, players=PLAYERS) -> CostGame:
    return CostGame(players=players, costs={frozenset(k): v for k, v in costs.items()})


def full_game(players, fn) -> CostGame:
    return CostGame(players, {s: fn(s) for s in all_coalitions(players)})


# picklable cost functions (module level) for the process pool and Dask


def table_cost(table, s) -> float:
    return float(table[key(s)])


def scale_cost(s) -> float:
    """Economies of scale: a shared fixed part growing like |S|^0.7 plus own km costs."""
    km = {"A": 12.0, "B": 30.0, "C": 7.5, "D": 21.0, "E": 16.0}
    return 40 * len(s) ** 0.7 + sum(km[p] for p in s)


def failing_cost(s) -> float:
    msg = f"solver crashed on {key(s)}"
    raise RuntimeError(msg)


def nan_cost(s) -> float:
    return math.nan if s == frozenset("AB") else 1.0


def dies_once(marker: str, s) -> float:
    """Kill the worker process the first time coalition {A, B} is evaluated."""
    if s == frozenset("AB") and not Path(marker).exists():
        Path(marker).write_text("died once", encoding="utf-8")
        os._exit(1)
    return float(len(s))


def always_dies(s) -> float:
    if s == frozenset("AB"):
        os._exit(3)
    return float(len(s))


def fails_fast_or_sleeps(s) -> float:
    if s == frozenset("A"):
        msg = "bad coalition"
        raise RuntimeError(msg)
    time.sleep(60)
    return 1.0


class Counting:
    """Counts its calls (used in this process only, with the serial executor)."""

    def __init__(self, fn, fail_times: int = 0) -> None:
        self.fn = fn
        self.calls: list[frozenset[str]] = []
        self.fail_times = fail_times

    def __call__(self, s) -> float:
        self.calls.append(s)
        if len(self.calls) <= self.fail_times:
            msg = "transient failure"
            raise OSError(msg)
        return self.fn(s)
