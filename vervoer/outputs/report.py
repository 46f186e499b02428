"""Cost-comparison reports a manager can read: HTML (with a chart) and CSV tables.

No participant names appear in these reports: they are shared between organisations.
User-facing text is Dutch by default, English with ``language="en"``.
"""

from __future__ import annotations

import html
import io
from pathlib import Path

from vervoer.core.files import atomic_open, write_csv
from vervoer.io.scenario import Scenario
from vervoer.sharing.compare import Comparison, OrgMetrics

TEXT = {
    "nl": {
        "title": "Vergelijking eigen en gedeeld vervoer",
        "org": "Organisatie",
        "own": "Eigen",
        "shared": "Gedeeld",
        "diff": "Verschil",
        "cost": "Kosten (EUR)",
        "km": "Kilometers",
        "hours": "Voertuiguren",
        "veh": "Voertuigen per dag (gem.)",
        "vmax": "Voertuigen per dag (max.)",
        "rides": "Geplande ritten",
        "unassigned": "Niet ingepland",
        "mean_ride": "Gem. reistijd (min)",
        "max_ride": "Max. reistijd (min)",
        "co2": "CO2 (kg)",
        "alloc": "Verdeling van de gedeelde kosten",
        "alloc_note": "Elke kolom verdeelt de kosten van het gedeelde plan v(N) = EUR {vn}. "
        "Shapley: het gemiddelde van wat een organisatie toevoegt aan elke groep. "
        "In de kern: geen groep organisaties betaalt meer dan zonder de anderen.",
        "saving": "Besparing t.o.v. eigen vervoer",
        "in_core": "In de kern",
        "yes": "ja",
        "no": "nee",
        "core_empty": "Let op: de kern is leeg — er is geen verdeling "
        "waarbij elke groep organisaties minstens zo goed af is als alleen.",
        "game": "Kosten per combinatie van organisaties v(S)",
        "coalition": "Combinatie",
        "ridetime": "Reistijden van deelnemers (minuten)",
        "assumption": "Aannames: tarieven uit het scenario; een niet-ingeplande rit telt "
        "voor EUR {u} (aparte taxi); CO2 {co2} g per voertuigkilometer.",
        "map": "Kaarten",
        "total": "Totaal",
    },
    "en": {
        "title": "Own versus shared transport",
        "org": "Organisation",
        "own": "Own",
        "shared": "Shared",
        "diff": "Difference",
        "cost": "Cost (EUR)",
        "km": "Kilometres",
        "hours": "Vehicle hours",
        "veh": "Vehicles per day (mean)",
        "vmax": "Vehicles per day (max)",
        "rides": "Rides planned",
        "unassigned": "Unassigned",
        "mean_ride": "Mean ride time (min)",
        "max_ride": "Max ride time (min)",
        "co2": "CO2 (kg)",
        "alloc": "Division of the shared cost",
        "alloc_note": "Each column divides the cost of the shared plan v(N) = EUR {vn}. "
        "Shapley: the average of what an organisation adds to every group. "
        "In the core: no group of organisations pays more than without the others.",
        "saving": "Saving against own transport",
        "in_core": "In the core",
        "yes": "yes",
        "no": "no",
        "core_empty": "Note: the core is empty — no division "
        "leaves every group of organisations at least as well off as on its own.",
        "game": "Cost of each combination of organisations v(S)",
        "coalition": "Combination",
        "ridetime": "Ride times of participants (minutes)",
        "assumption": "Assumptions: tariffs from the scenario; a ride left out counts as "
        "EUR {u} (a separate taxi); CO2 {co2} g per vehicle-km.",
        "map": "Maps",
        "total": "Total",
    },
}
METRICS = (
    ("cost", "cost", "{:,.2f}"),
    ("km", "km", "{:,.1f}"),
    ("hours", "hours", "{:,.1f}"),
    ("veh", "vehicles_per_day", "{:,.1f}"),
    ("vmax", "max_vehicles", "{:d}"),
    ("rides", "rides", "{:d}"),
    ("unassigned", "unassigned", "{:d}"),
    ("mean_ride", "mean_ride_min", "{:,.1f}"),
    ("max_ride", "max_ride_min", "{:,.0f}"),
    ("co2", "co2_kg", "{:,.1f}"),
)


def _fmt_diff(d: float, fmt: str) -> str:
    return fmt.format(d) if isinstance(d, int) else f"{d:,.2f}"


def comparison_rows(cmp: Comparison, scenario: Scenario) -> list[list[object]]:
    """One row per organisation (and total) and metric: own, shared, difference."""
    rows: list[list[object]] = []
    for org in [*(o.id for o in scenario.organisations), "total"]:
        own: OrgMetrics = cmp.own_metrics[org]
        shared: OrgMetrics = cmp.shared_metrics[org]
        for key, attr, _ in METRICS:
            a, b = getattr(own, attr), getattr(shared, attr)
            rows.append([org, key, round(a, 2), round(b, 2), round(b - a, 2)])
    return rows


def allocation_rows(cmp: Comparison, scenario: Scenario) -> list[list[object]]:
    """One row per organisation: stand-alone cost and each allocation with its saving."""
    rows: list[list[object]] = []
    for org in (o.id for o in scenario.organisations):
        alone = cmp.costs.get(frozenset({org}))
        row: list[object] = [org, alone]
        for _, alloc in cmp.allocations.items():
            share = alloc[org]
            row += [round(share, 2), None if alone is None else round(alone - share, 2)]
        rows.append(row)
    return rows


def write_tables(cmp: Comparison, scenario: Scenario, folder: Path) -> dict[str, Path]:
    """CSV tables: comparison, allocation, coalition costs, ride times."""
    folder.mkdir(parents=True, exist_ok=True)
    out = {
        "comparison": folder / "comparison.csv",
        "allocation": folder / "allocation.csv",
        "coalitions": folder / "coalitions.csv",
        "ride_times": folder / "ride_times.csv",
    }
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
        ["coalition", "size", "cost"],
        (
            [" + ".join(sorted(s)), len(s), c]
            for s, c in sorted(cmp.costs.items(), key=lambda kv: (len(kv[0]), sorted(kv[0])))
        ),
    )
    rows = []
    for mode, metrics in (("own", cmp.own_metrics), ("shared", cmp.shared_metrics)):
        for org, m in metrics.items():
            if org != "total":
                rows += [[mode, org, round(x, 1)] for x in m.ride_minutes]
    write_csv(out["ride_times"], ["mode", "organisation", "minutes"], rows)
    return out


def _chart_svg(cmp: Comparison, scenario: Scenario, t: dict[str, str]) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    orgs = [o.id for o in scenario.organisations]
    alone = [cmp.costs.get(frozenset({o}), cmp.own_metrics[o].cost) for o in orgs]
    share = [
        cmp.allocations.get("shapley", next(iter(cmp.allocations.values()), {})).get(o, 0)
        for o in orgs
    ]
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(10, 3.6))
    x = range(len(orgs))
    ax.bar([i - 0.2 for i in x], alone, width=0.4, label=t["own"], color="#999999")
    ax.bar(
        [i + 0.2 for i in x], share, width=0.4, label=f"{t['shared']} (Shapley)", color="#1f77b4"
    )
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
    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    plt.close(fig)
    svg = buf.getvalue()
    return svg[svg.index("<svg") :]


def report_html(
    cmp: Comparison, scenario: Scenario, *, language: str = "nl", map_link: str | None = None
) -> str:
    """The comparison report as one self-contained HTML page (no participant names)."""
    t = TEXT.get(language, TEXT["nl"])
    e = html.escape
    names = {o.id: o.name for o in scenario.organisations}
    parts = [
        "<!doctype html><html lang='",
        e(language),
        "'><head><meta charset='utf-8'>",
        f"<title>{e(t['title'])}</title><style>",
        "body{font-family:sans-serif;margin:2em;max-width:1100px}"
        "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;"
        "padding:4px 8px;text-align:right}th:first-child,td:first-child{text-align:left}"
        ".neg{color:#060}.pos{color:#a00}.warn{background:#fee;padding:.5em}</style></head><body>",
        f"<h1>{e(t['title'])}: {e(scenario.name)}</h1>",
    ]
    for org in [*(o.id for o in scenario.organisations), "total"]:
        label = t["total"] if org == "total" else f"{names.get(org, org)} ({org})"
        parts.append(
            f"<h3>{e(label)}</h3><table><tr><th></th><th>{e(t['own'])}</th>"
            f"<th>{e(t['shared'])}</th><th>{e(t['diff'])}</th></tr>"
        )
        own, shared = cmp.own_metrics[org], cmp.shared_metrics[org]
        for key, attr, fmt in METRICS:
            a, b = getattr(own, attr), getattr(shared, attr)
            d = b - a
            cls = "neg" if d < 0 else "pos" if d > 0 else ""
            parts.append(
                f"<tr><td>{e(t[key])}</td><td>{fmt.format(a)}</td><td>{fmt.format(b)}</td>"
                f"<td class='{cls}'>{_fmt_diff(d, fmt)}</td></tr>"
            )
        parts.append("</table>")
    if cmp.allocations:
        vn = cmp.costs.get(frozenset(o.id for o in scenario.organisations))
        parts.append(f"<h2>{e(t['alloc'])}</h2>")
        parts.append(f"<p>{e(t['alloc_note'].format(vn=f'{vn:,.2f}' if vn else '?'))}</p>")
        parts.append(f"<table><tr><th>{e(t['org'])}</th><th>{e(t['own'])} v(i)</th>")
        for name in cmp.allocations:
            parts.append(f"<th>{e(name)}</th><th>{e(t['saving'])}</th>")
        parts.append("</tr>")
        for row in allocation_rows(cmp, scenario):
            parts.append(f"<tr><td>{e(str(row[0]))}</td>")
            parts += [f"<td>{'' if v is None else f'{v:,.2f}'}</td>" for v in row[1:]]
            parts.append("</tr>")
        parts.append(f"<tr><td>{e(t['in_core'])}</td><td></td>")
        for name in cmp.allocations:
            check = cmp.core.get(name)
            ok = bool(getattr(check, "in_core", False))
            parts.append(f"<td colspan='2'>{e(t['yes'] if ok else t['no'])}</td>")
        parts.append("</tr></table>")
        if cmp.core_empty:
            parts.append(f"<p class='warn'>{e(t['core_empty'])}</p>")
        parts.append(
            f"<h3>{e(t['game'])}</h3><table><tr><th>{e(t['coalition'])}</th><th>v(S)</th></tr>"
        )
        for s, c in sorted(cmp.costs.items(), key=lambda kv: (len(kv[0]), sorted(kv[0]))):
            parts.append(f"<tr><td>{e(' + '.join(sorted(s)))}</td><td>{c:,.2f}</td></tr>")
        parts.append("</table>")
    for note in cmp.notes:
        parts.append(f"<p>{e(note)}</p>")
    parts.append(_chart_svg(cmp, scenario, t))
    assumption = t["assumption"].format(
        u=cmp.unassigned_ride_cost, co2=scenario.settings.co2_g_per_km
    )
    parts.append(f"<p><small>{e(assumption)}</small></p>")
    if map_link:
        parts.append(f"<p><a href='{e(map_link, quote=True)}'>{e(t['map'])}</a></p>")
    parts.append("<p><small>© OpenStreetMap contributors</small></p></body></html>")
    return "".join(parts)


def write_report(
    cmp: Comparison,
    scenario: Scenario,
    folder: Path,
    *,
    language: str = "nl",
    map_link: str | None = None,
) -> dict[str, Path]:
    """Write report.html and the CSV tables into ``folder``."""
    out = write_tables(cmp, scenario, folder)
    out["report"] = folder / "report.html"
    with atomic_open(out["report"], "w", encoding="utf-8") as fh:
        fh.write(report_html(cmp, scenario, language=language, map_link=map_link))
    return out
