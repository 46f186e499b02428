"""Large-neighbourhood searches around OR-Tools, after the whole-instance search.

- :func:`ruin_and_descend`: many short rounds on one model, each removing related requests
  and letting greedy descent reinsert them (the planner's rounds with a work budget; the
  default for pickup and delivery);
- :func:`improve_by_parts`: groups of neighbouring routes re-solved as small
  sub-instances (:meth:`Instance.subset`), strong on VRPTW with tight windows;
- :func:`ruin_and_recreate`: fewer, longer rounds of the whole-instance search from
  ruined routes;
- :func:`remove_routes`: route elimination, one whole route emptied at a time, for
  instances with a cost per vehicle used.

Their random choices come from ``random.Random(params.seed)`` only.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from vervoer.core.settings import SolveParams
from vervoer.routing.solver.instance import Instance, Solution
from vervoer.routing.solver.local_search import solve_whole
from vervoer.routing.solver.ortools_model import (
    META,
    build_model,
    drop_penalties,
    search_params,
)

# improve_by_parts re-solves parts of about PART_TASKS stops in at most PART_SECONDS each
# and keeps FINAL_SECONDS for a last pass on the whole.
PART_TASKS = 40
PART_SECONDS = 2.0
FINAL_SECONDS = 1.0
# ruin_and_recreate removes RUIN_SHARE of the requests per round of RUIN_SECONDS.
RUIN_SHARE = 0.2
RUIN_SECONDS = 3.0
# ruin_and_descend removes between half of and DESCENT_SHARE of the requests per round of
# at most DESCENT_SECONDS; record-to-record acceptance margin DESCENT_THRESHOLD.
DESCENT_SHARE = 0.15
DESCENT_SECONDS = 2.0
DESCENT_THRESHOLD = 0.01
# With a number of rounds (the planner's work budget) a round removes between half of and
# BUDGET_RUIN_SHARE of the requests (at least BUDGET_RUIN_MIN): its reinsertion and descent
# stop after a number of solutions, and with more removed the descent ran out of them
# before the routes were good again, so no round was accepted on 186 requests (see
# BENCHMARKS.md, "Speed and scale").
BUDGET_RUIN_SHARE = 0.06
BUDGET_RUIN_MIN = 4
# ... and at most BUDGET_RUIN_MAX: on a large trip the few rounds it gets (budget_rounds)
# gain most from the descent's improving moves after a small reinsertion (186 requests,
# 3 rounds: EUR 1,809.46 with 6-11 removed, 1,657.60 with 3-7; BENCHMARKS.md)
BUDGET_RUIN_MAX = 7
# remove_routes: a try to empty a route gets greedy descent, then ruin-and-descend rounds
# for at most ELIMINATE_SECONDS
ELIMINATE_SECONDS = 3.0
# Above ROUNDS_FULL_UP_TO requests the rounds are cut by the square of the size ratio (a
# round's descent costs about that much more), to no fewer than ROUNDS_MIN.
ROUNDS_FULL_UP_TO = 100
ROUNDS_MIN = 3


def improve_by_parts(
    inst: Instance, solution: Solution, params: SolveParams, deadline: float
) -> Solution:
    """Large-neighbourhood search: re-solve groups of neighbouring routes as sub-instances.

    A seed route and the routes nearest to it in space and time (:func:`_nearby_routes`),
    up to about ``PART_TASKS`` stops, plus one unused vehicle when there is one and the
    stops of any request still left out, form a small instance (their stops, vehicles
    and depots; pairs stay whole because whole routes are taken). OR-Tools solves it from the
    current routes and from its own first solutions within ``PART_SECONDS``; a cheaper
    result replaces those routes. Seeds are taken in a random order from
    ``random.Random(params.seed)``; after a full round without improvement the parts
    grow. Small instances are where the OR-Tools search is strong, so this carries its
    quality to large ones. Ends with greedy descent on the whole instance.
    """
    rng = random.Random(params.seed)
    routes = [tuple(r) for r in solution.routes]
    times = [tuple(t) for t in solution.times]
    pairs = np.asarray(inst.pairs, dtype=np.int64).reshape(-1, 2)
    visits = np.asarray(inst.visits, dtype=np.int64)
    # stops of requests left out so far: offered to every part
    left_out = [int(n) for r in solution.dropped_pairs for n in pairs[r]]
    left_out += [int(visits[r]) for r in solution.dropped_visits]
    durations = np.asarray(inst.durations, dtype=np.float64)
    sub_params = SolveParams(time_limit_s=PART_SECONDS, seed=params.seed, max_iterations=0)
    size = PART_TASKS
    order: list[int] = []
    failed = 0
    while time.monotonic() + 0.2 < deadline - FINAL_SECONDS:
        used = [v for v, r in enumerate(routes) if len(r) > 2]
        if not used:
            break
        if not order:
            order = used[:]
            rng.shuffle(order)
        seed = order.pop()
        if len(routes[seed]) <= 2:
            continue
        group = _nearby_routes(durations, routes, times, seed, used, size)
        spare = [v for v in range(len(routes)) if len(routes[v]) <= 2]
        if spare:
            group.append(rng.choice(spare))
        sub, nodes = sub_instance(inst, group, routes, left_out)
        local = {int(n): i for i, n in enumerate(nodes)}
        sub_routes = tuple(tuple(local[n] for n in routes[v]) for v in group)
        cap = max(0.05, min(PART_SECONDS, deadline - FINAL_SECONDS - time.monotonic()))
        found = solve_whole(sub, sub_params, time.monotonic() + cap, initial=sub_routes)
        if (
            found is not None
            and found.initial_objective is not None
            and found.objective < found.initial_objective
        ):
            for v, r, t in zip(group, found.routes, found.times, strict=True):
                routes[v], times[v] = tuple(int(nodes[n]) for n in r), t
            served = {n for r in found.routes for n in r}
            left_out = [n for n in left_out if local.get(n) is None or local[n] not in served]
            failed = 0
            size = PART_TASKS
        else:
            failed += 1
            if failed >= len(used):
                failed = 0
                size = min(size + PART_TASKS // 2, inst.n_tasks)
    final = solve_whole(
        inst,
        replace(params, max_iterations=0),
        max(deadline, time.monotonic() + 0.5),
        initial=tuple(routes),
        strategies=(),
    )
    if final is None or final.objective > solution.objective:
        return solution
    return replace(final, initial_objective=None)


def _tasks(inst: Instance) -> np.ndarray:
    """Every request as its (pickup, delivery) nodes, pairs first; a visit is (node, node)."""
    pairs = np.asarray(inst.pairs, dtype=np.int64).reshape(-1, 2)
    visits = np.asarray(inst.visits, dtype=np.int64)
    return np.concatenate([pairs, np.stack([visits, visits], axis=1)]).reshape(-1, 2)


def _ruined(
    durations: np.ndarray,
    solution: Solution,
    tasks: np.ndarray,
    candidates: np.ndarray,
    seed: int,
    count: int,
) -> tuple[tuple[int, ...], ...]:
    """The routes without the ``count`` candidate requests most related to request ``seed``.

    Relatedness is in space and time: the shortest travel time between a stop of the seed
    and a stop of the candidate plus the difference of their planned times
    (``durations``: the instance's travel times as floats).
    """
    when = np.zeros(len(durations))
    for route, at in zip(solution.routes, solution.times, strict=True):
        when[list(route)] = at
    stops = tasks[candidates]  # (m, 2)
    ends = tasks[seed]  # (2,)
    apart = durations[ends][:, stops] + np.abs(when[ends][:, None, None] - when[stops][None])
    related = candidates[np.argsort(apart.min(axis=(0, 2)), kind="stable")[:count]]
    gone = set(tasks[related].ravel().tolist())
    return tuple(tuple(n for n in r if n not in gone) for r in solution.routes)


def ruin_and_recreate(
    inst: Instance, solution: Solution, params: SolveParams, deadline: float
) -> Solution:
    """Large-neighbourhood search: remove related requests, let OR-Tools re-solve.

    A request is a pickup-delivery pair or a single visit. Each round takes a random
    served request (``random.Random(params.seed)``) and the ``RUIN_SHARE`` of the
    requests most related to it in space and time (travel time between their stops plus
    the difference of their planned times), removes them from the best routes and lets
    OR-Tools put them back and improve the whole from there (greedy descent, then guided
    local search, ``RUIN_SECONDS`` per round). A cheaper result becomes the new best.
    This moves guided local search out of the local optima it settles in on larger
    instances.
    """
    rng = random.Random(params.seed)
    durations = np.asarray(inst.durations, dtype=np.float64)
    tasks = _tasks(inst)
    n_pairs = len(inst.pairs)
    k = max(2, round(RUIN_SHARE * len(tasks)))
    best = solution
    while time.monotonic() + 0.5 < deadline:
        dropped = set(best.dropped_pairs) | {n_pairs + r for r in best.dropped_visits}
        served = np.asarray([r for r in range(len(tasks)) if r not in dropped], dtype=np.int64)
        if len(served) < 2:
            break
        seed = int(served[rng.randrange(len(served))])
        partial = _ruined(durations, best, tasks, served, seed, k)
        step = min(deadline, time.monotonic() + RUIN_SECONDS)
        found = solve_whole(inst, params, step, initial=partial, strategies=())
        if found is not None and found.objective < best.objective:
            best = replace(found, initial_objective=None)
    return best


def ruin_and_descend(
    inst: Instance,
    solution: Solution,
    params: SolveParams,
    deadline: float,
    rounds: int | None = None,
    closed: Sequence[int] = (),
) -> Solution:
    """Fast large-neighbourhood search on one OR-Tools model: ruin, reinsert, descend.

    The model is built once. Each round removes a random number (between half of and
    ``DESCENT_SHARE`` of all requests) of requests related to a random seed request
    (space and time, as in :func:`ruin_and_recreate`) from the current routes; OR-Tools'
    local search reinserts them and takes the result to a local optimum (greedy descent,
    at most ``DESCENT_SECONDS``). A result is accepted as the current solution by record
    to record travel: when it costs less than the current one plus a margin that shrinks
    linearly from ``DESCENT_THRESHOLD`` to zero over the time, a share of the best
    solution's travel cost (:func:`travel_cost`; with ``rounds``, of its objective
    without drop penalties); the best one is kept.
    Rounds are short (a fifth of a second on a 100-customer VRPTW), so there are hundreds
    of them in a minute instead of the dozen of :func:`ruin_and_recreate`. Randomness
    comes from ``random.Random(params.seed)`` only.

    With ``rounds`` (the planner's work budget) it stops after that many rounds, the
    margin shrinks by round instead of by time, a round removes fewer requests
    (``BUDGET_RUIN_SHARE``, between ``BUDGET_RUIN_MIN`` and ``BUDGET_RUIN_MAX``) and each
    descent stops after ``params.max_iterations``
    solutions plus two per removed request (their reinsertion), so the result does not
    depend on the machine's speed as long as ``deadline`` is not reached (see
    :func:`budget_rounds` for the number of rounds the planner asks for).

    With ``closed`` (route elimination, :func:`remove_routes`) those vehicles stay
    empty, each round's seed is a request still left out, and the search ends once
    every request is placed.
    """
    rng = random.Random(params.seed)
    model = build_model(inst)
    for v in closed:
        model.close_vehicle(v)
    routing = model.routing
    durations = np.asarray(inst.durations, dtype=np.float64)
    tasks = _tasks(inst)
    if len(tasks) < 2:
        return solution
    everyone = np.arange(len(tasks), dtype=np.int64)
    if rounds is None:
        most = max(2, round(DESCENT_SHARE * len(tasks)))
    else:
        most = round(BUDGET_RUIN_SHARE * len(tasks))
        most = min(len(tasks), max(BUDGET_RUIN_MIN, min(BUDGET_RUIN_MAX, most)))
    best = current = solution
    begin = time.monotonic()
    span = max(deadline - begin, 1e-9)
    done = 0
    # the margin of record-to-record travel: a share of the cost without drop penalties
    # with a work budget (the planner's rounds; a participant left out "costs EUR
    # 10,000", which made the margin EUR 100 on a trip of 22 requests), else of the travel
    # cost only, so that the cost per vehicle of a vehicles-first objective (Li & Lim)
    # does not let the distance drift at random either
    if rounds is not None:
        margin_base = abs(best.objective - drop_penalties(inst, best))
    else:
        margin_base = travel_cost(inst, best)
    while time.monotonic() + 0.05 < deadline and (rounds is None or done < rounds):
        done += 1
        if closed:  # route elimination: ruin around a request still left out
            if not _left_out(current):
                break
            visits = [len(inst.pairs) + r for r in current.dropped_visits]
            seed = rng.choice([*current.dropped_pairs, *visits])
        else:
            seed = rng.randrange(len(tasks))
        count = rng.randint(max(1, most // 2), most)
        partial = _ruined(durations, current, tasks, everyone, seed, count)
        start = routing.ReadAssignmentFromRoutes(model.index_routes(partial), True)
        if start is None:
            continue
        if rounds is None:
            search = search_params(min(DESCENT_SECONDS, deadline - time.monotonic()), 0)
        else:  # a budget of solutions: the reinsertions plus max_iterations improvements
            budget = params.max_iterations + 2 * count
            search = search_params(deadline - time.monotonic(), budget)
        search.local_search_metaheuristic = META.GREEDY_DESCENT
        assignment = routing.SolveFromAssignmentWithParameters(start, search)
        if assignment is None:
            continue
        found = model.solution(assignment, current.status)
        if rounds is not None:
            left = 1.0 - done / rounds
        else:
            left = 1.0 - (time.monotonic() - begin) / span
        if found.objective < current.objective + DESCENT_THRESHOLD * left * margin_base:
            current = found
            if found.objective < best.objective:
                best = replace(found, initial_objective=None)
    return best


def remove_routes(
    inst: Instance, solution: Solution, params: SolveParams, deadline: float
) -> Solution:
    """Route elimination: empty one route at a time, let OR-Tools place its requests elsewhere.

    For an objective with a cost per vehicle used, e.g. vehicles first and then distance
    (Li & Lim): a route can rarely be emptied one request at a time, since each step but
    the last costs more. So the used route with the fewest stops is emptied and its
    vehicle closed, with every unused one
    (:meth:`~vervoer.routing.solver.ortools_model.Model.close_vehicle`); greedy descent
    reinserts its requests into the other routes, and where it leaves some out,
    :func:`ruin_and_descend` on the closed model goes on for at most
    ``ELIMINATE_SECONDS``, each round ruining the routes around a request still left out
    (their drop penalty makes placing them come first). A cheaper result, every request
    placed that was before, is kept and the next route tried; a route that could not be
    emptied is not tried again until another one was. Until ``deadline``, or until no
    route is left to try.

    Parameters
    ----------
    inst
        The instance.
    solution
        Its current solution.
    params
        The seed of the rounds' random choices.
    deadline
        ``time.monotonic()`` value by which the search ends.

    Returns
    -------
    Solution
        The best solution found, ``solution`` itself when no route could be emptied.
    """
    best = solution
    failed: set[int] = set()
    while time.monotonic() + 0.2 < deadline:
        used = [v for v, route in enumerate(best.routes) if len(route) > 2]
        tries = [v for v in used if v not in failed]
        if len(used) < 2 or not tries:
            break
        v = min(tries, key=lambda u: (len(best.routes[u]), u))
        # the vehicle and every unused one (or an empty vehicle would take the route)
        closed = tuple(u for u, route in enumerate(best.routes) if u == v or len(route) <= 2)
        model = build_model(inst)
        for u in closed:
            model.close_vehicle(u)
        partial = tuple((r[0], r[-1]) if u == v else r for u, r in enumerate(best.routes))
        start = model.routing.ReadAssignmentFromRoutes(model.index_routes(partial), True)
        found = None
        if start is not None:
            search = search_params(max(0.01, deadline - time.monotonic()), 0)
            search.local_search_metaheuristic = META.GREEDY_DESCENT
            assignment = model.routing.SolveFromAssignmentWithParameters(start, search)
            if assignment is not None:
                found = model.solution(assignment, best.status)
        if found is not None and _left_out(found) > _left_out(best):
            end = min(deadline, time.monotonic() + ELIMINATE_SECONDS)
            found = ruin_and_descend(inst, found, params, end, closed=closed)
        if found is None or _left_out(found) > _left_out(best) or found.objective >= best.objective:
            failed.add(v)
            continue
        best = replace(found, initial_objective=None)
        failed.clear()
    return best


def _left_out(solution: Solution) -> int:
    """The number of requests a solution leaves out."""
    return len(solution.dropped_pairs) + len(solution.dropped_visits)


def travel_cost(inst: Instance, solution: Solution) -> int:
    """The cost of driving the routes: distance and duration at each vehicle's rates.

    The objective without the cost per vehicle used and without drop penalties.

    Parameters
    ----------
    inst
        The instance.
    solution
        One of its solutions.

    Returns
    -------
    int
        Per used route, its distance times ``cost_per_distance`` plus its duration (end
        minus start) times ``cost_per_time``, summed.
    """
    total = 0
    dist = np.asarray(inst.distances, dtype=np.int64)
    for v, (route, at) in enumerate(zip(solution.routes, solution.times, strict=True)):
        if len(route) <= 2:
            continue
        nodes = np.asarray(route, dtype=np.int64)
        total += int(dist[nodes[:-1], nodes[1:]].sum()) * int(inst.cost_per_distance[v])
        total += (int(at[-1]) - int(at[0])) * int(inst.cost_per_time[v])
    return total


def budget_rounds(rounds: int, requests: int) -> int:
    """The rounds of :func:`ruin_and_descend` for a work budget of ``rounds`` on a trip.

    Up to ``ROUNDS_FULL_UP_TO`` requests all of them; above, ``rounds`` times the square
    of ``ROUNDS_FULL_UP_TO / requests``, at least ``ROUNDS_MIN`` (or ``rounds`` if fewer).
    On 186 requests a round takes about 13 s on one core, against under 2 s on 91, so
    the full 25 rounds would pass the planner's 300 s cap and the clock, not the budget,
    would end the search.

    Parameters
    ----------
    rounds
        The budget (``SolveParams.lns_rounds``).
    requests
        Requests (pickup-delivery pairs and single visits) of the instance.

    Returns
    -------
    int
        The rounds to run.
    """
    if requests <= ROUNDS_FULL_UP_TO:
        return rounds
    scaled = round(rounds * (ROUNDS_FULL_UP_TO / requests) ** 2)
    return max(min(rounds, ROUNDS_MIN), scaled)


def _nearby_routes(
    durations: np.ndarray,
    routes: list[tuple[int, ...]],
    times: list[tuple[int, ...]],
    seed: int,
    used: list[int],
    size: int,
) -> list[int]:
    """The seed route and the routes nearest to it, up to about ``size`` stops in total.

    Nearness is in space and time: from each stop of the seed, the travel time to the
    closest stop of the other route plus the difference of their planned times; the mean
    over the seed's stops. Routes that pass the same places at the same time are the
    ones that can trade requests.
    """
    stops = np.asarray(routes[seed][1:-1], dtype=np.int64)
    at = np.asarray(times[seed][1:-1], dtype=np.float64)
    closeness = []
    for v in used:
        if v != seed:
            other = np.asarray(routes[v][1:-1], dtype=np.int64)
            when = np.asarray(times[v][1:-1], dtype=np.float64)
            gap = durations[np.ix_(stops, other)] + np.abs(at[:, None] - when[None, :])
            closeness.append((float(gap.min(axis=1).mean()), v))
    closeness.sort()
    group, count = [seed], len(stops)
    for _, v in closeness:
        if count >= size and len(group) >= 2:
            break
        group.append(v)
        count += len(routes[v]) - 2
    return group


def sub_instance(
    inst: Instance,
    vehicles: list[int],
    routes: list[tuple[int, ...]],
    extra: Sequence[int] = (),
) -> tuple[Instance, np.ndarray]:
    """The instance restricted to some vehicles, their routes' stops and ``extra`` stops.

    ``extra`` holds stops of unserved requests (both stops of a pair). Returns the
    sub-instance (the vehicles' depots first, then the stops) and, per sub-instance node,
    its node in ``inst``.
    """
    depots = sorted({int(inst.starts[v]) for v in vehicles} | {int(inst.ends[v]) for v in vehicles})
    stops = [n for v in vehicles for n in routes[v][1:-1]] + list(extra)
    nodes = np.asarray(depots + stops, dtype=np.int64)
    return inst.subset(nodes, vehicles), nodes
