"""The routing engine: a pickup-and-delivery model with time windows on OR-Tools.

It knows nothing of participants or files: :class:`Instance` is a generic integer model
(nodes with time windows, service times and multi-dimensional demands; vehicles with their
own start/end nodes, shifts, capacities and costs; pickup-delivery pairs with a maximum
ride time; optional visits with a penalty). The planner (:mod:`vervoer.routing.planner`)
and the benchmark readers (:mod:`vervoer.routing.solver.instances`) both build an
:class:`Instance` and call :func:`solve_instance`.

Modules, each importing only those above it:

- :mod:`~vervoer.routing.solver.instance`: :class:`Instance` (checked on construction,
  :meth:`Instance.subset`), :class:`Solution`, ``HORIZON_S`` and :func:`tighten_windows`;
- :mod:`~vervoer.routing.solver.ortools_model`: the OR-Tools model of an instance (the only
  module that imports ``ortools``);
- :mod:`~vervoer.routing.solver.local_search`: the whole-instance search (first solutions,
  greedy descent, guided local search);
- :mod:`~vervoer.routing.solver.lns`: the large-neighbourhood searches
  :func:`ruin_and_descend`, :func:`improve_by_parts`, :func:`ruin_and_recreate`;
- :mod:`~vervoer.routing.solver.decompose`: large instances in parts (requests grouped
  by place and time, a share of the fleet each, joined by a whole-instance descent);
- :mod:`~vervoer.routing.solver.search`: :func:`solve_instance`, which runs the phases,
  and :func:`improve_solution`, its LNS rounds on their own;
- :mod:`~vervoer.routing.solver.instances`: published benchmarks read into instances.

Search (see :func:`solve_instance`): time windows are narrowed with the classic DARP
preprocessing (:func:`tighten_windows`), the maximum ride time is also given to the
time dimension as a pickup-to-delivery limit so that the local-search filters see it,
several first-solution heuristics each followed by greedy descent compete (just one
when a work budget is set: parallel cheapest insertion for pickup and delivery, local
cheapest insertion otherwise), and guided local search
improves the best of them; without a work budget, where vehicles have a fixed cost,
route elimination follows (:func:`~vervoer.routing.solver.lns.remove_routes`: a whole
route emptied, its vehicle closed, its requests placed elsewhere), then a
large-neighbourhood search around OR-Tools (:func:`improve_by_parts`,
:func:`ruin_and_descend`; for the planner a fixed number of ruin-and-descend rounds).
With a work budget, an instance of more than ``decompose.DECOMPOSE_ABOVE`` requests is
solved in parts of about ``decompose.PART_REQUESTS`` and its rounds run on the parts.
Mandatory requests stay disjunctions with a huge penalty so that a solution always
exists; a pair's penalty is counted once (on its pickup).

Determinism: OR-Tools' routing search is single-threaded and deterministic for the same
model and parameters; the large-neighbourhood searches draw their random choices from
``random.Random(params.seed)`` only. With a work budget every phase stops at
``SolveParams.max_iterations`` solutions (``solution_limit``; a ruin-and-descend round
at that plus two per removed request) and after ``SolveParams.lns_rounds`` rounds
(fewer above 100 requests, ``lns.budget_rounds``), a
budget independent of the machine's speed; ``time_limit_s`` is a hard cap on the whole
call that only cuts the search short on a slow or overloaded machine (then the result
may differ). Without a budget (the benchmarks) the phases share the time limit.
"""

from __future__ import annotations

from vervoer.routing.solver.instance import HORIZON_S, Instance, Solution, tighten_windows
from vervoer.routing.solver.lns import improve_by_parts, ruin_and_descend, ruin_and_recreate
from vervoer.routing.solver.search import (
    LNS,
    LNS_KINDS,
    decomposes,
    improve_solution,
    solve_instance,
)

__all__ = [
    "HORIZON_S",
    "LNS",
    "LNS_KINDS",
    "Instance",
    "Solution",
    "decomposes",
    "improve_by_parts",
    "improve_solution",
    "ruin_and_descend",
    "ruin_and_recreate",
    "solve_instance",
    "tighten_windows",
]
