"""The comparison report a manager reads in a minute: HTML, an A4 PDF, JSON and CSV tables.

The first screen says, per organisation, what its transport costs on its own, its fair
share of the shared plan and the saving (EUR and %), and which days and rides the figures
cover; then the settlement between the organisations (who pays whom); then the costs per
payer and per deelregio; then the details (km, hours, vehicles, ride times, CO2, the other
divisions and the coalition table).

No participant names appear in these reports: they are shared between organisations.
User-facing text is Dutch by default (labels and numbers: ``1.917,64``), English with
``language="en"`` (:data:`vervoer.core.i18n.REPORT_TEXT`); every text from the scenario is
escaped. ``report.json`` holds every figure for other tools (keys in English, amounts in
euros as numbers); the CSV tables have English headers, the same words as the JSON, and
plain numbers (``-114.48``), so a spreadsheet adds them up.
"""

from __future__ import annotations

import base64
import html
import io
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from vervoer.core.files import atomic_open, write_csv, write_text
from vervoer.core.i18n import (
    day_name,
    format_number,
    language_code,
    list_text,
    report_texts,
    texts,
)
from vervoer.io.scenario import Scenario
from vervoer.sharing.compare import Comparison, OrgMetrics
from vervoer.sharing.game import coalition_order
from vervoer.sharing.settlement import GROUPINGS, cost_totals, ride_counts, to_cents

#: (phrase key, OrgMetrics attribute, digits) of the details table
METRICS: tuple[tuple[str, str, int], ...] = (
    ("cost", "cost", 2),
    ("km", "km", 1),
    ("hours", "hours", 1),
    ("veh", "vehicles_per_day", 1),
    ("vmax", "max_vehicles", 0),
    ("planned", "rides", 0),
    ("unassigned", "unassigned", 0),
    ("mean_ride", "mean_ride_min", 1),
    ("max_ride", "max_ride_min", 1),
    ("co2", "co2_kg", 1),
)
#: the files of :func:`write_tables`, by key
TABLE_FILES = {
    "comparison": "comparison.csv",
    "allocation": "allocation.csv",
    "coalitions": "coalitions.csv",
    "ride_times": "ride_times.csv",
    "settlement": "settlement.csv",
    "transfers": "transfers.csv",
    "cost_groups": "cost_groups.csv",
}
#: the report.json schema version
JSON_SCHEMA = 1

_CSS = """
@page { size: A4; margin: 15mm 14mm; }
body { font-family: sans-serif; margin: 2em; max-width: 1100px; color: #222; }
@media print { body { margin: 0; font-size: 9.5pt; } .chart svg { width: 100%; height: auto; } }
h1 { font-size: 1.5em; margin-bottom: .2em; } h2 { margin-top: 1.4em; }
table { border-collapse: collapse; margin: .8em 0; page-break-inside: avoid; }
td, th { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
th.l, td.l { text-align: left; }
th { background: #f3f3f3; }
tr.total td { font-weight: bold; border-top: 2px solid #888; }
.lead { font-size: 1.05em; } .good { color: #060; } .bad { color: #a00; }
.warn { background: #fee; padding: .5em; } .note { color: #555; font-size: .9em; }
.details { page-break-before: always; }
"""


def _euros(x: float, lang: str) -> str:
    return format_number(x, 2, lang)


def _signed(x: float, digits: int, lang: str) -> str:
    """A difference with its sign (``+3,5`` / ``−1,25``); zero without one."""
    if round(x, digits) == 0:
        return format_number(0, digits, lang)
    text = format_number(abs(x), digits, lang)
    return f"+{text}" if x > 0 else f"\u2212{text}"


def rule_name(rule: str, language: str) -> str:
    """The name of an allocation rule in the report's language.

    Parameters
    ----------
    rule
        ``shapley``, ``nucleolus``, ``standalone``, ``rides`` or ``km`` (another name is
        returned as it is).
    language
        ``nl`` or ``en``.

    Returns
    -------
    str
        ``Shapley-waarde`` / ``Shapley value``, not escaped.
    """
    return report_texts(language).get(f"rule_{rule}", rule)


def period_text(cmp: Comparison, language: str) -> str:
    """Which days, trips and rides the figures cover, in words.

    Parameters
    ----------
    cmp
        The comparison (its ``days``, ``all_days``, ``trips`` and ``rides``).
    language
        ``nl`` or ``en``.

    Returns
    -------
    str
        ``Periode: alleen maandag: 1 dag, 2 ritten, 14 deelnemersritten. Dit is geen
        weekbedrag.`` after ``--day ma``; ``Periode: de hele week van de aanwezigheid
        (...)`` without ``--day``. Not escaped.
    """
    t = report_texts(language)
    days = list_text([day_name(d, language) for d in cmp.days], language)

    def count(n: int, one: str, many: str) -> str:
        return t[one] if n == 1 else t[many].format(n=n)

    key = "period_all" if cmp.all_days else "period_only"
    return t[key].format(
        days=days,
        n_days=count(len(cmp.days), "day_one", "days_many"),
        trips=count(cmp.trips, "trip_one", "trips_many"),
        rides=count(cmp.rides, "ride_one", "rides_many"),
    )


def pools_text(cmp: Comparison, scenario: Scenario, language: str) -> str:
    """How the pools and the cost game relate, in words.

    Parameters
    ----------
    cmp
        The comparison (its ``pools``).
    scenario
        Its scenario.
    language
        ``nl`` or ``en``.

    Returns
    -------
    str
        One pool: everyone shares; several: each pool's cost is divided within the pool.
        Not escaped.
    """
    t = report_texts(language)
    if len(cmp.pools) <= 1:
        return t["pools_one"]
    pools = "; ".join(f"{p.name} ({', '.join(p.organisations)})" for p in cmp.pools)
    return t["pools_many"].format(pools=pools)


# ----------------------------------------------------------------------------- figures


def _own(cmp: Comparison, org: str) -> float:
    """What an organisation's transport costs on its own, v({i})."""
    return cmp.costs.get(frozenset({org}), cmp.own_metrics[org].cost)


@dataclass(frozen=True, slots=True, kw_only=True)
class HeadlineRow:
    """One line of the first screen: an organisation (or ``"total"``) in euros."""

    organisation: str
    name: str
    pool: str
    own: float
    fair_share: float
    saving: float
    saving_pct: float
    rides: int


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupRow:
    """Own and shared route cost of one payer, organisation, region or vehicle owner."""

    grouping: str
    name: str
    rides: int
    own: float
    shared: float
    saving: float


def _pct(saving: float, own: float) -> float:
    return round(100 * saving / own, 1) if own else 0.0


def headline_rows(cmp: Comparison, scenario: Scenario) -> list[HeadlineRow]:
    """Per organisation: own cost, fair share, saving (EUR and %), rides; then the total.

    Parameters
    ----------
    cmp, scenario
        The comparison and its scenario.

    Returns
    -------
    list of HeadlineRow
        One per organisation in the scenario's order, then the total (``organisation`` is
        ``"total"``). Own cost is ``v({i})`` (a taxi counted for each ride left out), the
        fair share that of the settlement; euros in whole cents.
    """
    shares = cmp.fair_shares()
    rows: list[HeadlineRow] = []
    for o in scenario.organisations:
        own, fair = to_cents(_own(cmp, o.id)), to_cents(shares.get(o.id, 0.0))
        m = cmp.shared_metrics[o.id]
        rows.append(
            HeadlineRow(
                organisation=o.id,
                name=o.name,
                pool=cmp.pool_of(o.id),
                own=own / 100,
                fair_share=fair / 100,
                saving=(own - fair) / 100,
                saving_pct=_pct(own - fair, own),
                rides=m.rides + m.unassigned,
            )
        )
    own_t = sum(to_cents(r.own) for r in rows)
    fair_t = sum(to_cents(r.fair_share) for r in rows)
    rows.append(
        HeadlineRow(
            organisation="total",
            name="",
            pool="",
            own=own_t / 100,
            fair_share=fair_t / 100,
            saving=(own_t - fair_t) / 100,
            saving_pct=_pct(own_t - fair_t, own_t),
            rides=cmp.rides,
        )
    )
    return rows


def group_rows(cmp: Comparison) -> list[GroupRow]:
    """Own and shared route cost per payer, organisation, region and vehicle owner.

    Parameters
    ----------
    cmp
        The comparison (its ``own_costs`` and ``shared_costs``: the passenger split of both
        plans, :func:`~vervoer.sharing.settlement.passenger_costs`).

    Returns
    -------
    list of GroupRow
        By grouping (as :data:`~vervoer.sharing.settlement.GROUPINGS`), then name; an empty
        name is no region given. ``rides`` counts the shared plan's passenger rides.
    """
    rows: list[GroupRow] = []
    for by in GROUPINGS:
        own, shared = cost_totals(cmp.own_costs, by), cost_totals(cmp.shared_costs, by)
        rides = ride_counts(cmp.shared_costs, by)
        for name in sorted(set(own) | set(shared)):
            a, b = own.get(name, 0.0), shared.get(name, 0.0)
            rows.append(
                GroupRow(
                    grouping=by,
                    name=name,
                    rides=rides.get(name, 0),
                    own=a,
                    shared=b,
                    saving=(to_cents(a) - to_cents(b)) / 100,
                )
            )
    return rows


def comparison_rows(cmp: Comparison, scenario: Scenario) -> list[list[object]]:
    """One row per organisation (and total) and metric: own, shared, difference."""
    rows: list[list[object]] = []
    for org in [*(o.id for o in scenario.organisations), "total"]:
        own: OrgMetrics = cmp.own_metrics[org]
        shared: OrgMetrics = cmp.shared_metrics[org]
        for _key, attr, _digits in METRICS:
            a, b = getattr(own, attr), getattr(shared, attr)
            rows.append([org, attr, round(a, 2), round(b, 2), round(b - a, 2)])
    return rows


def allocation_rows(cmp: Comparison, scenario: Scenario) -> list[list[object]]:
    """One row per organisation: stand-alone cost and each allocation with its saving."""
    rows: list[list[object]] = []
    for org in (o.id for o in scenario.organisations):
        alone = cmp.costs.get(frozenset({org}))
        row: list[object] = [org, alone]
        for alloc in cmp.allocations.values():
            share = alloc.get(org, 0.0)
            row += [round(share, 2), None if alone is None else round(alone - share, 2)]
        rows.append(row)
    return rows


def _metrics_json(m: OrgMetrics) -> dict[str, float]:
    return {attr: round(float(getattr(m, attr)), 2) for _, attr, _ in METRICS}


def report_data(cmp: Comparison, scenario: Scenario, *, language: str = "nl") -> dict[str, object]:
    """Every figure of the report, for ``report.json`` (keys in English, euros as numbers).

    Parameters
    ----------
    cmp
        The comparison.
    scenario
        Its scenario (organisation names).
    language
        The language of the report it goes with (recorded only).

    Returns
    -------
    dict
        ``organisations`` (per id: ``own``, ``fair_share``, ``saving``, ``saving_pct``,
        ``buses``, ``taxis``, ``net``, ``pool``, ``rides``), ``total``, ``payers`` and
        ``regions`` (per name: ``own``, ``shared``, ``saving``, ``rides``), ``covers``
        (``days``, ``all_days``, ``trips``, ``rides``), ``settlement`` (a list of
        ``{"from", "to", "amount"}``), ``pools``, ``allocation_rule``, ``allocations``,
        ``core``, ``coalitions``, ``metrics``, ``notes`` and ``assumptions``.
    """
    settled = {r.organisation: r for r in (cmp.settlement.organisations if cmp.settlement else ())}
    heads = headline_rows(cmp, scenario)
    orgs: dict[str, object] = {}
    for row in heads[:-1]:
        s = settled.get(row.organisation)
        orgs[row.organisation] = {
            **{k: v for k, v in asdict(row).items() if k != "organisation"},
            "buses": s.buses if s else cmp.shared_metrics[row.organisation].cost,
            "taxis": s.taxis if s else 0.0,
            "net": s.net if s else 0.0,
        }
    groups = group_rows(cmp)

    def per(by: str) -> dict[str, object]:
        return {
            g.name: {"own": g.own, "shared": g.shared, "saving": g.saving, "rides": g.rides}
            for g in groups
            if g.grouping == by
        }

    total = {
        k: v for k, v in asdict(heads[-1]).items() if k not in ("organisation", "name", "pool")
    }
    return {
        "schema": JSON_SCHEMA,
        "scenario": scenario.name,
        "language": language_code(language),
        "currency": "EUR",
        "covers": {
            "days": [d.value for d in cmp.days],
            "all_days": cmp.all_days,
            "trips": cmp.trips,
            "rides": cmp.rides,
            "rides_planned": cmp.shared_metrics["total"].rides,
            "unassigned": cmp.shared_metrics["total"].unassigned,
        },
        "game": "per_pool",
        "pools": [{"name": p.name, "organisations": list(p.organisations)} for p in cmp.pools],
        "allocation_rule": cmp.rule,
        "organisations": orgs,
        "total": total,
        "payers": per("payer"),
        "regions": per("region"),
        "vehicle_owners": per("vehicle_owner"),
        "settlement": [
            {"from": t.payer, "to": t.payee, "amount": t.amount}
            for t in (cmp.settlement.transfers if cmp.settlement else ())
        ],
        "scaled_pools": list(cmp.settlement.scaled) if cmp.settlement else [],
        "allocations": {
            name: {o: round(x, 2) for o, x in alloc.items()}
            for name, alloc in cmp.allocations.items()
        },
        "core": {name: bool(c.in_core) for name, c in cmp.core.items()},
        "core_empty": cmp.core_empty,
        "coalitions": [
            {"organisations": sorted(s), "cost": c}
            for s, c in sorted(cmp.costs.items(), key=lambda kv: coalition_order(kv[0]))
        ],
        "metrics": {
            org: {"own": _metrics_json(cmp.own_metrics[org]), "shared": _metrics_json(m)}
            for org, m in cmp.shared_metrics.items()
        },
        "notes": list(cmp.notes),
        "assumptions": {
            "unassigned_ride_cost": cmp.unassigned_ride_cost,
            "co2_g_per_km": scenario.settings.co2_g_per_km,
        },
    }


# ----------------------------------------------------------------------------- files


def write_tables(cmp: Comparison, scenario: Scenario, folder: Path) -> dict[str, Path]:
    """Write the CSV tables (English headers, plain numbers) into ``folder``.

    Parameters
    ----------
    cmp, scenario
        The comparison and its scenario.
    folder
        Created when needed.

    Returns
    -------
    dict of str to Path
        The keys of :data:`TABLE_FILES` -> the file written.
    """
    folder.mkdir(parents=True, exist_ok=True)
    out = {key: folder / name for key, name in TABLE_FILES.items()}
    write_csv(
        out["comparison"],
        ["organisation", "metric", "own", "shared", "difference"],
        comparison_rows(cmp, scenario),
    )
    header = ["organisation", "standalone"]
    for name in cmp.allocations:
        header += [name, f"{name}_saving"]
    write_csv(out["allocation"], header, allocation_rows(cmp, scenario))
    write_csv(
        out["coalitions"],
        ["coalition", "pool", "size", "cost"],
        (
            [" + ".join(sorted(s)), cmp.pool_of(min(s)), len(s), c]
            for s, c in sorted(cmp.costs.items(), key=lambda kv: coalition_order(kv[0]))
        ),
    )
    rows = []
    for mode, metrics in (("own", cmp.own_metrics), ("shared", cmp.shared_metrics)):
        for org, m in metrics.items():
            if org != "total":
                rows += [[mode, org, round(x, 1)] for x in m.ride_minutes]
    write_csv(out["ride_times"], ["mode", "organisation", "minutes"], rows)
    heads = {r.organisation: r for r in headline_rows(cmp, scenario)}
    settled = cmp.settlement.organisations if cmp.settlement else ()
    write_csv(
        out["settlement"],
        [
            "organisation",
            "pool",
            "own",
            "buses",
            "taxis",
            "fair_share",
            "net",
            "saving",
            "saving_pct",
            "rides",
        ],
        (
            [
                r.organisation,
                r.pool,
                r.own,
                r.buses,
                r.taxis,
                r.fair_share,
                r.net,
                r.saving,
                round(r.saving_pct, 1),
                heads[r.organisation].rides,
            ]
            for r in settled
        ),
    )
    write_csv(
        out["transfers"],
        ["from", "to", "amount"],
        (
            [t.payer, t.payee, t.amount]
            for t in (cmp.settlement.transfers if cmp.settlement else ())
        ),
    )
    write_csv(
        out["cost_groups"],
        ["grouping", "name", "rides", "own", "shared", "saving"],
        ([g.grouping, g.name, g.rides, g.own, g.shared, g.saving] for g in group_rows(cmp)),
    )
    return out


def _chart(cmp: Comparison, scenario: Scenario, language: str, *, png: bool = False) -> str:
    """The chart (own cost and fair share per organisation; ride times) as HTML.

    Inline SVG for the page; a PNG image for the PDF (WeasyPrint ignores the style
    attributes of matplotlib's SVG).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = report_texts(language)
    orgs = [o.id for o in scenario.organisations]
    shares = cmp.fair_shares()
    alone = [_own(cmp, o) for o in orgs]
    share = [shares.get(o, 0.0) for o in orgs]
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(10, 3.6))
    x = range(len(orgs))
    ax.bar([i - 0.2 for i in x], alone, width=0.4, label=t["own_cost"], color="#999999")
    ax.bar([i + 0.2 for i in x], share, width=0.4, label=t["fair_share"], color="#1f77b4")
    ax.set_xticks(list(x), orgs, rotation=20)
    ax.set_ylabel("EUR")
    ax.legend()
    ax.set_title(t["cost"])
    own_t = list(cmp.own_metrics["total"].ride_minutes)
    sh_t = list(cmp.shared_metrics["total"].ride_minutes)
    bins = range(0, int(max([*own_t, *sh_t, 10])) + 5, 5)
    bx.hist(own_t, bins=bins, alpha=0.6, label=t["own"], color="#999999")
    bx.hist(sh_t, bins=bins, alpha=0.6, label=t["shared"], color="#1f77b4")
    bx.set_xlabel("min")
    bx.legend()
    bx.set_title(t["ridetime"])
    fig.tight_layout()
    if png:
        raw = io.BytesIO()
        fig.savefig(raw, format="png", dpi=150)
        plt.close(fig)
        data = base64.b64encode(raw.getvalue()).decode("ascii")
        return (
            f"<div class='chart'><img style='width:100%' src='data:image/png;base64,{data}'></div>"
        )
    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    plt.close(fig)
    svg = buf.getvalue()
    return f"<div class='chart'>{svg[svg.index('<svg') :]}</div>"


def _table(head: list[str], rows: list[list[str]], *, total: bool = False, left: int = 1) -> str:
    """An HTML table of already escaped cells.

    ``total``: the last row is a total; ``left``: how many leading columns hold text
    (aligned left; the others hold numbers, aligned right).
    """

    def cell(tag: str, i: int, text: str) -> str:
        return f"<{tag} class='l'>{text}</{tag}>" if i < left else f"<{tag}>{text}</{tag}>"

    parts = ["<table><tr>", *(cell("th", i, h) for i, h in enumerate(head)), "</tr>"]
    for n, row in enumerate(rows):
        cls = " class='total'" if total and n == len(rows) - 1 else ""
        parts += [f"<tr{cls}>", *(cell("td", i, c) for i, c in enumerate(row)), "</tr>"]
    parts.append("</table>")
    return "".join(parts)


def _cls(x: float, good_when_positive: bool = True) -> Callable[[str], str]:
    good = x > 0 if good_when_positive else x < 0
    bad = x < 0 if good_when_positive else x > 0
    cls = "good" if good else "bad" if bad else ""
    return lambda text: f"<span class='{cls}'>{text}</span>" if cls else text


def _first_screen(cmp: Comparison, scenario: Scenario, lang: str, e: Callable[[str], str]) -> str:
    t = report_texts(lang)
    names = {o.id: o.name for o in scenario.organisations}
    rows = []
    for r in headline_rows(cmp, scenario):
        org = r.organisation
        label = t["total"] if org == "total" else f"{names.get(org, org)} ({org})"
        mark = _cls(r.saving)
        rows.append(
            [
                e(label),
                e(r.pool),
                _euros(r.own, lang),
                _euros(r.fair_share, lang),
                mark(_euros(r.saving, lang)),
                mark(format_number(r.saving_pct, 1, lang) + "%"),
                str(r.rides),
            ]
        )
    head = [t["org"], t["pool"], t["own_cost"], t["fair_share"], t["saving_eur"], t["saving_pct"]]
    head.append(t["rides"])
    left = 2
    if len(cmp.pools) <= 1:  # no pool column with one pool
        head.pop(1)
        rows = [[c for i, c in enumerate(row) if i != 1] for row in rows]
        left = 1
    parts = [
        f"<p class='lead'><b>{e(period_text(cmp, lang))}</b></p>",
        f"<p>{e(pools_text(cmp, scenario, lang))}</p>",
        f"<h2>{e(t['headline'])}</h2>",
        _table([e(h) for h in head], rows, total=True, left=left),
    ]
    if cmp.rule in cmp.allocations:
        line = t["rule_line"].format(
            rule=rule_name(cmp.rule, lang), explain=t.get(f"explain_{cmp.rule}", "")
        )
        parts.append(f"<p class='note'>{e(line)}</p>")
    else:
        parts.append(f"<p class='warn'>{e(t['no_rule'])}</p>")
    if cmp.own_metrics["total"].unassigned or cmp.shared_metrics["total"].unassigned:
        taxi = t["taxi_note"].format(u=_euros(cmp.unassigned_ride_cost, lang))
        parts.append(f"<p class='note'>{e(taxi)}</p>")
    return "".join(parts)


def _settlement(cmp: Comparison, scenario: Scenario, lang: str, e: Callable[[str], str]) -> str:
    t = report_texts(lang)
    if cmp.settlement is None:
        return ""
    names = {o.id: o.name for o in scenario.organisations}
    taxis = any(r.taxis for r in cmp.settlement.organisations)
    head = [t["org"], t["buses"], *([t["taxis"]] if taxis else []), t["fair_share"], t["net"]]
    rows = []
    for r in cmp.settlement.organisations:
        rows.append(
            [
                e(f"{names.get(r.organisation, r.organisation)} ({r.organisation})"),
                _euros(r.buses, lang),
                *([_euros(r.taxis, lang)] if taxis else []),
                _euros(r.fair_share, lang),
                _signed(r.net, 2, lang),
            ]
        )
    parts = [
        f"<h2>{e(t['settlement'])}</h2><p>{e(t['settle_note'])}</p>",
        _table([e(h) for h in head], rows),
        f"<h3>{e(t['transfers'])}</h3>",
    ]
    if cmp.settlement.transfers:
        parts.append(
            _table(
                [e(t["from"]), e(t["to"]), e(t["amount"])],
                [
                    [
                        e(f"{names.get(x.payer, x.payer)} ({x.payer})"),
                        e(f"{names.get(x.payee, x.payee)} ({x.payee})"),
                        _euros(x.amount, lang),
                    ]
                    for x in cmp.settlement.transfers
                ],
                left=2,
            )
        )
        parts.append(f"<p class='note'>{e(t['transfers_note'])}</p>")
    else:
        parts.append(f"<p>{e(t['no_transfers'])}</p>")
    if cmp.settlement.scaled:
        parts.append(
            f"<p class='note'>{e(t['scaled'].format(pools=', '.join(cmp.settlement.scaled)))}</p>"
        )
    return "".join(parts)


def _groups(cmp: Comparison, lang: str, e: Callable[[str], str]) -> str:
    t = report_texts(lang)
    parts = []
    for by, title, col in (("payer", "by_payer", "payer"), ("region", "by_region", "region")):
        rows = [g for g in group_rows(cmp) if g.grouping == by]
        if by == "region" and all(not g.name for g in rows):
            continue  # no regions given
        body = [
            [
                e(g.name or t["none"]),
                str(g.rides),
                _euros(g.own, lang),
                _euros(g.shared, lang),
                _cls(g.saving)(_euros(g.saving, lang)),
            ]
            for g in rows
        ]
        head = [t[col], t["rides"], t["own_eur"], t["shared_eur"], t["saving_eur"]]
        parts += [f"<h2>{e(t[title])}</h2>", _table([e(h) for h in head], body)]
    if parts:
        parts.append(f"<p class='note'>{e(t['groups_note'])}</p>")
    return "".join(parts)


def _details(
    cmp: Comparison, scenario: Scenario, lang: str, e: Callable[[str], str], *, png: bool
) -> str:
    t = report_texts(lang)
    names = {o.id: o.name for o in scenario.organisations}
    parts = [f"<div class='details'><h2>{e(t['details'])}</h2><h3>{e(t['per_org'])}</h3>"]
    head = [e(t["org"]), "", e(t["own"]), e(t["shared"]), e(t["diff"])]
    rows = []
    for org in [*(o.id for o in scenario.organisations), "total"]:
        label = t["total"] if org == "total" else f"{names.get(org, org)} ({org})"
        own, shared = cmp.own_metrics[org], cmp.shared_metrics[org]
        for i, (key, attr, digits) in enumerate(METRICS):
            a, b = float(getattr(own, attr)), float(getattr(shared, attr))
            rows.append(
                [
                    e(label) if i == 0 else "",
                    e(t[key]),
                    format_number(a, digits, lang),
                    format_number(b, digits, lang),
                    _signed(b - a, digits, lang),
                ]
            )
    parts.append(_table(head, rows, left=2))
    if cmp.allocations:
        parts.append(f"<h3>{e(t['alloc'])}</h3><p class='note'>{e(t['alloc_note'])}</p>")
        head = [e(t["org"]), e(t["own_alone"]), *(e(rule_name(n, lang)) for n in cmp.allocations)]
        body = [
            [
                e(o.id),
                _euros(_own(cmp, o.id), lang),
                *(_euros(alloc.get(o.id, 0.0), lang) for alloc in cmp.allocations.values()),
            ]
            for o in scenario.organisations
        ]
        core_row = [e(t["in_core"]), ""]
        for name in cmp.allocations:
            check = cmp.core.get(name)
            core_row.append(e(t["yes"] if getattr(check, "in_core", False) else t["no"]))
        parts.append(_table(head, [*body, core_row]))
        if cmp.core_empty:
            parts.append(f"<p class='warn'>{e(t['core_empty'])}</p>")
        parts.append(f"<h3>{e(t['game'])}</h3>")
        game = [
            [e(" + ".join(sorted(s))), e(cmp.pool_of(min(s))), _euros(c, lang)]
            for s, c in sorted(cmp.costs.items(), key=lambda kv: coalition_order(kv[0]))
        ]
        parts.append(_table([e(t["coalition"]), e(t["pool"]), "v(S)"], game, left=2))
    if cmp.split:
        listed = "; ".join(" + ".join(sorted(s)) for s in cmp.split)
        parts.append(f"<p class='note'>{e(t['split'].format(n=len(cmp.split), list=listed))}</p>")
    if cmp.sampled:
        for p in cmp.pools:
            if len(p.organisations) > 8:
                text = t["sampled"].format(pool=p.name, n=len(p.organisations))
                parts.append(f"<p class='note'>{e(text)}</p>")
    parts.append(_chart(cmp, scenario, lang, png=png))
    assumption = t["assumption"].format(
        u=_euros(cmp.unassigned_ride_cost, lang),
        co2=format_number(scenario.settings.co2_g_per_km, 0, lang),
    )
    parts.append(f"<p class='note'>{e(assumption)}</p></div>")
    return "".join(parts)


def report_html(
    cmp: Comparison,
    scenario: Scenario,
    *,
    language: str = "nl",
    map_link: str | None = None,
    printable: bool = False,
) -> str:
    """The comparison report as one self-contained HTML page (no participant names).

    Parameters
    ----------
    cmp, scenario
        The comparison and its scenario.
    language
        ``nl`` (default; Dutch labels and numbers ``1.917,64``) or ``en``.
    map_link
        An optional link to the maps.
    printable
        The version for the PDF: the chart as a PNG image instead of inline SVG.

    Returns
    -------
    str
        The page; every text of the scenario escaped. It prints on A4 (``@page``).
    """
    lang = language_code(language)
    t = report_texts(lang)

    def e(text: str) -> str:
        return html.escape(text, quote=True)

    parts = [
        f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'>",
        f"<title>{e(t['title'])}: {e(scenario.name)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{e(t['title'])}</h1><p>{e(scenario.name)}</p>",
        _first_screen(cmp, scenario, lang, e),
        _settlement(cmp, scenario, lang, e),
        _groups(cmp, lang, e),
        _details(cmp, scenario, lang, e, png=printable),
    ]
    if map_link:
        parts.append(f"<p><a href='{e(map_link)}'>{e(t['map'])}</a></p>")
    parts.append(f"<p class='note'>© {e(texts(lang)['osm_contributors'])}</p></body></html>")
    return "".join(parts)


def write_report(
    cmp: Comparison,
    scenario: Scenario,
    folder: Path,
    *,
    language: str = "nl",
    map_link: str | None = None,
    pdf: bool = True,
) -> dict[str, Path]:
    """Write report.html, report.pdf (A4), report.json and the CSV tables into ``folder``.

    Parameters
    ----------
    cmp, scenario
        The comparison and its scenario.
    folder
        The output folder (created when needed).
    language
        ``nl`` (default) or ``en``.
    map_link
        An optional link to the maps in the HTML.
    pdf
        Also write the printable PDF (WeasyPrint).

    Returns
    -------
    dict of str to Path
        ``report``, ``json``, ``pdf`` (when written) and the tables of :func:`write_tables`.
    """
    out = write_tables(cmp, scenario, folder)
    page = report_html(cmp, scenario, language=language, map_link=map_link)
    out["report"] = folder / "report.html"
    with atomic_open(out["report"], "w", encoding="utf-8") as fh:
        fh.write(page)
    out["json"] = folder / "report.json"
    data = report_data(cmp, scenario, language=language)
    write_text(out["json"], json.dumps(data, ensure_ascii=False, indent=1) + "\n")
    if pdf:
        from vervoer.outputs.pdf import write_pdf

        out["pdf"] = folder / "report.pdf"
        printable = report_html(cmp, scenario, language=language, printable=True)
        write_pdf(printable, out["pdf"], base_url=folder)
    return out
