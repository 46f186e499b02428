"""Re-planning a date close to the base week against planning it from scratch; the stable week.

Usage::

    .venv/bin/python benchmarks/bench_replan.py [--date 2026-12-07] [--osm FILE]

Builds the demo scenario (real Liechtenstein addresses, 120 participants, 14 vehicles),
plans its base week in shared mode with the demo's budget (30 solutions, 25 LNS rounds) on
one core, then applies five changes to one Monday (two absences, one bus out of service,
one new participant, one address change) and plans that date both ways:

- ``replan``: :func:`vervoer.pipeline.replan` with the base plan (close to the base), with
  ``vervoer replan``'s default of 0 LNS rounds (``--replan-lns-rounds``);
- ``scratch``: the same date without the base (the plain alternative).

It prints, for each, the participants whose vehicle or pickup time (more than 10 min)
changed against the base day, the day's cost and the seconds. Then it plans the base week
again with ``stable_week = false`` and prints both weeks' cost and stability (the share of
participants with one vehicle per trip kind all week, the spread of their pickup times).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import tempfile
import time
from pathlib import Path

from vervoer import pipeline
from vervoer.core.model import Change, ChangeKind, Mode, Participant, Weekday
from vervoer.core.settings import SolveParams
from vervoer.demo import address_points, make_scenario
from vervoer.geo.matrix import snap
from vervoer.io.plan_json import plan_totals
from vervoer.io.scenario import write_scenario
from vervoer.routing.replan import change_list

ROOT = Path(__file__).resolve().parent.parent
OSM = Path(
    os.environ.get(
        "VERVOER_OSM", ROOT.parent / "shared" / "data" / "osm" / "liechtenstein-2015.osm.pbf"
    )
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--osm", type=Path, default=OSM)
    parser.add_argument("--date", default="2026-12-07")
    parser.add_argument("--iterations", type=int, default=30)
    parser.add_argument("--lns-rounds", type=int, default=25)
    parser.add_argument("--replan-lns-rounds", type=int, default=0)
    args = parser.parse_args()
    network = pipeline.load_road_network(args.osm, say=lambda m: None)
    addresses = address_points(args.osm)
    _, dist = snap(network, [a.point for a in addresses])
    addresses = [a for a, d in zip(addresses, dist, strict=True) if d < 150]
    base_sc = make_scenario(addresses, participants=min(120, len(addresses) - 20))
    params = SolveParams(
        time_limit_s=120, max_iterations=args.iterations, lns_rounds=args.lns_rounds
    )
    tmp = Path(tempfile.mkdtemp())
    write_scenario(base_sc, tmp / "base")
    prepared = pipeline.prepare(tmp / "base", osm=args.osm, network=network)
    t0 = time.perf_counter()
    base = pipeline.plan(prepared, mode=Mode.SHARED, params=params, workers=1)
    t_week = time.perf_counter() - t0

    # five changes on the date
    monday = [a for a in base_sc.attendance if a.weekday is Weekday.MON and a.rides.value == "both"]
    used = {p.address for p in base_sc.participants}
    spare = [a for a in addresses if a.text not in used]
    org = next(p.organisation for p in base_sc.participants if p.id == monday[0].participant)
    new = Participant(id="D999", name="Nieuwe Deelnemer", organisation=org, address=spare[0].text)
    leg = dataclasses.replace(monday[0], participant="D999")
    sc = dataclasses.replace(
        base_sc,
        participants=(*base_sc.participants, new),
        attendance=(*base_sc.attendance, leg),
        changes=(
            Change(
                first=args.date,
                last=args.date,
                kind=ChangeKind.ABSENT,
                participant=monday[1].participant,
            ),
            Change(
                first=args.date,
                last=args.date,
                kind=ChangeKind.ABSENT,
                participant=monday[2].participant,
            ),
            Change(
                first=args.date,
                last=args.date,
                kind=ChangeKind.OUT_OF_SERVICE,
                vehicle=base_sc.vehicles[0].id,
            ),
            Change(
                first=args.date,
                last=args.date,
                kind=ChangeKind.ADDRESS,
                participant=monday[3].participant,
                value=spare[1].text,
            ),
        ),
    )
    write_scenario(sc, tmp / "changed")
    quick = dataclasses.replace(params, lns_rounds=args.replan_lns_rounds)
    rows = []
    for name, with_base in (("replan", base), ("scratch", None)):
        t0 = time.perf_counter()
        day, result = pipeline.replan(
            tmp / "changed", args.date, base=with_base, osm=args.osm, network=network, params=quick
        )
        seconds = time.perf_counter() - t0
        check = pipeline.check(day, result.plan)
        base_rides = {r.key.trip: r for r in base.rides if r.key.weekday is Weekday.MON}
        moves = change_list(base_rides, result.plan.rides, 600, {})
        moved = {m.participant for m in moves if m.what in ("vehicle", "time")}
        cost = sum(r.cost for ride in result.plan.rides for r in ride.routes)
        rows.append((name, len(moved), len(moves), cost, seconds, check.ok, result.anchored))
    print(f"base week: EUR {plan_totals(base)['week']['cost']:.2f} in {t_week:.1f} s")
    print(f"{'date plan':<10} {'moved':>6} {'listed':>7} {'cost EUR':>10} {'seconds':>8} check")
    for name, moved, listed, cost, seconds, ok, anchored in rows:
        kept = " (kept close)" if anchored and name == "replan" else ""
        print(
            f"{name:<10} {moved:>6} {listed:>7} {cost:>10.2f} {seconds:>8.1f} "
            f"{'OK' if ok else 'FAILED'}{kept}"
        )
    r, s = rows
    print(
        f"{'ratio':<10} {r[1] / max(s[1], 1):>6.2f} {'':>7} {r[3] / s[3]:>10.3f} "
        f"{r[4] / s[4]:>8.2f}"
    )

    loose = dataclasses.replace(
        base_sc, settings=dataclasses.replace(base_sc.settings, stable_week=False)
    )
    write_scenario(loose, tmp / "loose")
    prepared = pipeline.prepare(tmp / "loose", osm=args.osm, network=network)
    t0 = time.perf_counter()
    free = pipeline.plan(prepared, mode=Mode.SHARED, params=params, workers=1)
    t_free = time.perf_counter() - t0
    print(
        f"{'week':<14} {'cost EUR':>10} {'one vehicle':>11} {'spread med':>10} "
        f"{'spread max':>10} {'seconds':>8}"
    )
    for name, plan, secs in (("stable", base, t_week), ("each day", free, t_free)):
        t = plan_totals(plan)
        st = t["stability"]
        print(
            f"{name:<14} {t['week']['cost']:>10.2f} {st['one_vehicle_share']:>11.0%} "
            f"{st['pickup_spread_median_min']:>10.1f} {st['pickup_spread_max_min']:>10.1f} "
            f"{secs:>8.1f}"
        )
    ratio = plan_totals(base)["week"]["cost"] / plan_totals(free)["week"]["cost"]
    print(f"{'ratio':<14} {ratio:>10.3f}")


if __name__ == "__main__":
    main()
