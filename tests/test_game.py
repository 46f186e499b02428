"""The cost game: coalitions, validation, and repairing costs by splits."""

from __future__ import annotations

import math

import pytest

from vervoer.sharing import game as gm

from .cost_games import COSTS, PLAYERS, game, key


def test_game_validation_names_the_problem():
    with pytest.raises(ValueError, match=r"grand coalition.*A \+ B \+ C.*missing"):
        game({k: v for k, v in COSTS.items() if k != "ABC"})
    with pytest.raises(ValueError, match="unknown player"):
        gm.CostGame(("A", "B"), {frozenset("AB"): 1.0, frozenset("AX"): 2.0})
    with pytest.raises(ValueError, match="frozenset"):
        gm.CostGame(("A", "B"), {"AB": 1.0})
    with pytest.raises(ValueError, match="duplicate"):
        gm.CostGame(("A", "A"), {frozenset("A"): 1.0})
    with pytest.raises(ValueError, match="not a finite number"):
        gm.CostGame(("A", "B"), {frozenset("AB"): math.nan})
    with pytest.raises(ValueError, match="empty coalition"):
        gm.CostGame(("A",), {frozenset("A"): 1.0, frozenset(): 0.0})
    g = game()
    assert g.complete and g.missing() == [] and g.grand_cost == 190
    assert list(g.costs) == gm.all_coalitions(PLAYERS)  # sorted by size, then names
    with pytest.raises(TypeError):
        g.costs[frozenset("A")] = 1.0  # read-only


def test_all_coalitions_order():
    assert [key(s) for s in gm.all_coalitions(("C", "A", "B"))] == [
        "A", "B", "C", "AB", "AC", "BC", "ABC",
    ]  # fmt: skip


def test_split_closure_repairs_heuristic_noise():
    costs = {frozenset(k): v for k, v in {"A": 10, "B": 10, "AB": 25}.items()}
    fixed, changed = gm.split_closure(costs)
    assert fixed[frozenset("AB")] == 20
    assert changed == [frozenset("AB")]
