"""The report of a location study: HTML and PDF, CSV and JSON of all figures, a map each.

:func:`study_json` and :func:`study_rows` give the figures (language-neutral: codes and
English reasons), :func:`study_html` the page (Dutch by default, English with
``language="en"``, numbers in the language's format), :func:`write_study` writes them all
into one folder::

    study.html  study.pdf  study.csv  study.json  study_moves.csv  maps/candidate-NN.html

No participant names appear: participants are shown by id (the report is shared between
organisations). Every text from the scenario is HTML-escaped.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from vervoer.core.files import write_csv, write_text
from vervoer.core.i18n import day_name, format_number, study_texts
from vervoer.io.scenario import Scenario
from vervoer.outputs.maps import OSM_TILES
from vervoer.outputs.style import e
from vervoer.sharing.study import CandidateResult, Figures, Study, Why

__all__ = ["CSV_COLUMNS", "study_html", "study_json", "study_rows", "write_study"]

#: the figures of a plan, in the order of the tables: (attribute, phrase key, digits)
FIGURES = (
    ("priced", "cost", 2),
    ("km", "km", 1),
    ("hours", "hours", 2),
    ("vehicles_max", "buses", 0),
    ("vehicles_mean", "buses_mean", 2),
    ("unassigned", "unassigned", 0),
    ("mean_ride_min", "mean_ride", 1),
    ("max_ride_min", "max_ride", 1),
)
#: the columns of study.csv
CSV_COLUMNS = [
    "number",
    "rank",
    "close",
    "into",
    "kind",
    "status",
    "reason_code",
    "reason",
    "moved",
    "saving",
    "cost",
    "route_cost",
    "km",
    "hours",
    "vehicles_max",
    "vehicles_mean",
    "unassigned",
    "mean_ride_min",
    "max_ride_min",
    "d_cost",
    "d_km",
    "d_hours",
    "d_vehicles_max",
    "over_max",
    "over_norm",
    "over_max_ids",
    "over_norm_ids",
    "room_left",
    "same_as",
    "note",
]


def _figures_dict(f: Figures) -> dict[str, Any]:
    return {
        "cost": f.priced,
        "route_cost": f.cost,
        "km": f.km,
        "hours": f.hours,
        "vehicles_max": f.vehicles_max,
        "vehicles_mean": f.vehicles_mean,
        "rides": f.rides,
        "unassigned": f.unassigned,
        "mean_ride_min": f.mean_ride_min,
        "max_ride_min": f.max_ride_min,
    }


def _why_dict(why: Why | None) -> dict[str, Any] | None:
    if why is None:
        return None
    out: dict[str, Any] = {"code": why.code, "text": why.text()}
    for key in ("location", "other", "kind", "other_kind", "error"):
        if getattr(why, key):
            out[key] = getattr(why, key)
    if why.weekday is not None:
        out["weekday"] = why.weekday.value
    if why.part is not None:
        out["part"] = why.part.value
    if why.code in ("capacity", "no_room"):
        out["count"] = why.count
    if why.code == "capacity":
        out["capacity"] = why.capacity
    if why.participants:
        out["participants"] = list(why.participants)
    return out


def _ranks(study: Study) -> dict[int, int]:
    return {r.candidate.number: i for i, r in enumerate(study.ranked, 1)}


def study_json(study: Study, scenario: Scenario) -> dict[str, Any]:
    """Every figure of the study as a JSON-ready dict.

    Parameters
    ----------
    study
        From :func:`vervoer.sharing.study.run_study`.
    scenario
        The scenario it studied.

    Returns
    -------
    dict
        ``scenario``, ``mode``, ``days`` (None: every day), ``norm_min``,
        ``unassigned_ride_cost``, ``max_km``, ``current`` (figures: ``cost`` includes the
        price of unassigned rides, ``route_cost`` does not) and ``candidates``: ranked
        first, then infeasible, then failed, each with ``number``, ``rank`` (None when not
        ranked), ``close``, ``into``, ``kind``, ``status``, ``why``, ``moves``,
        ``figures``, ``saving``, ``difference`` (candidate minus current),
        ``over_max``, ``over_norm``, ``room_left`` and ``same_as`` (the number of an
        earlier candidate with the same moves, planned once).
    """
    ranks = _ranks(study)
    current = _figures_dict(study.current)
    out = []
    for r in study.results:
        c = r.candidate
        figs = _figures_dict(r.figures) if r.figures is not None else None
        out.append(
            {
                "number": c.number,
                "rank": ranks.get(c.number),
                "close": c.close,
                "into": c.into or None,
                "kind": c.kind.value,
                "row": c.row,
                "note": c.note,
                "status": r.status.value,
                "why": _why_dict(r.why),
                "moves": [
                    {
                        "participant": m.participant,
                        "organisation": m.organisation,
                        "from": m.source,
                        "to": m.target,
                        "rule": m.rule,
                    }
                    for m in r.moves
                ],
                "figures": figs,
                "saving": r.saving if r.figures is not None else None,
                "difference": (
                    {k: round(v - current[k], 2) for k, v in figs.items()} if figs else None
                ),
                "over_max": list(r.over_max),
                "over_norm": list(r.over_norm),
                "room_left": dict(r.room_left),
                "same_as": r.same_as,
            }
        )
    return {
        "scenario": scenario.name,
        "mode": study.mode.value,
        "days": [d.value for d in study.days] if study.days is not None else None,
        "norm_min": study.norm_min,
        "unassigned_ride_cost": study.unassigned_ride_cost,
        "max_km": study.max_km,
        "over_capacity_now": [_why_dict(w) for w in study.over_capacity_now],
        "current": current,
        "candidates": out,
    }


def study_rows(study: Study) -> list[list[object]]:
    """The rows of ``study.csv`` (columns :data:`CSV_COLUMNS`), one per candidate."""
    ranks = _ranks(study)
    cur = study.current
    rows: list[list[object]] = []
    for r in study.results:
        c, f = r.candidate, r.figures
        planned: list[object] = (
            [
                r.saving,
                f.priced,
                f.cost,
                f.km,
                f.hours,
                f.vehicles_max,
                f.vehicles_mean,
                f.unassigned,
                f.mean_ride_min,
                f.max_ride_min,
                round(f.priced - cur.priced, 2),
                round(f.km - cur.km, 1),
                round(f.hours - cur.hours, 2),
                f.vehicles_max - cur.vehicles_max,
                len(r.over_max),
                len(r.over_norm),
                " ".join(r.over_max),
                " ".join(r.over_norm),
            ]
            if f is not None
            else [""] * 18
        )
        rows.append(
            [
                c.number,
                ranks.get(c.number, ""),
                c.close,
                c.into,
                c.kind.value,
                r.status.value,
                r.why.code if r.why else "",
                r.why.text() if r.why else "",
                len(r.moves),
                *planned,
                " ".join(f"{k}:{v}" for k, v in r.room_left.items()),
                r.same_as or "",
                c.note,
            ]
        )
    return rows


# ----------------------------------------------------------------------------- HTML

_CSS = """
@page { size: A4 landscape; margin: 14mm; }
body { font-family: sans-serif; font-size: 10pt; color: #222; margin: 1.5em; }
h1 { font-size: 17pt; } h2 { font-size: 13pt; margin-top: 1.6em; } h3 { font-size: 11pt; }
table { border-collapse: collapse; margin: .5em 0 1em; }
th, td { border: 1px solid #ccd; padding: 3px 6px; vertical-align: top; }
th { background: #eef1f5; text-align: left; }
td.n { text-align: right; white-space: nowrap; }
td.good { color: #1e7b34; } td.bad { color: #b03020; }
.candidate { page-break-inside: avoid; margin-top: 1.2em; }
.candidate .side { display: inline-block; vertical-align: top; margin-right: 1.2em; }
.note { color: #555; max-width: 60em; }
"""


def _num(x: float, digits: int, language: str, *, signed: bool = False) -> str:
    text = format_number(x, digits, language)
    if signed and x > 0:
        text = "+" + text
    return text


def _why_text(why: Why | None, language: str, *, key: str = "") -> str:
    """The reason in the report's language (phrase ``key``, default by code), not escaped."""
    if why is None:
        return ""
    t = study_texts(language)
    if language == "en" and why.code != "failed" and not key:
        return why.text()
    no_kind = t["no_kind"]
    fields = {
        "location": why.location,
        "other": why.other,
        "kind": why.kind or no_kind,
        "other_kind": why.other_kind or no_kind,
        "day": day_name(why.weekday, language) if why.weekday else "",
        "part": t[why.part.value] if why.part is not None and why.part.value in t else "",
        "count": why.count,
        "capacity": why.capacity,
        "participants": ", ".join(why.participants)
        + (" …" if why.count > len(why.participants) else ""),
        "error": why.error,
    }
    return t.get(key or f"why_{why.code}", "{error}").format(**fields)


def _label(result: CandidateResult, names: Mapping[str, str], language: str) -> str:
    """The candidate's label with location names, escaped."""
    t = study_texts(language)
    c = result.candidate
    what = t["kind_merge"] if c.into else t["kind_close"]
    text = f"{e(c.close)} {e(names.get(c.close, ''))}"
    if c.into:
        text += f" → {e(c.into)} {e(names.get(c.into, ''))}"
    else:
        text += " ✕"
    return f"{text} <small>({e(what)})</small>"


def _delta_cell(x: float, digits: int, language: str, *, lower_is_better: bool = True) -> str:
    cls = "" if x == 0 else ("good" if (x < 0) == lower_is_better else "bad")
    return f'<td class="n {cls}">{_num(x, digits, language, signed=True)}</td>'


def study_html(
    study: Study,
    scenario: Scenario,
    *,
    language: str = "nl",
    maps: Mapping[int, str] | None = None,
    files: Mapping[str, str] | None = None,
    pdf: bool = False,
) -> str:
    """The report page of a study.

    Parameters
    ----------
    study
        From :func:`vervoer.sharing.study.run_study`.
    scenario
        The scenario it studied.
    language
        ``nl`` (default) or ``en``.
    maps
        Candidate number -> relative link of its interactive map (none: no links).
    files
        ``csv``, ``json``, ``moves`` -> relative links of the figure files.
    pdf
        For the PDF: a note where the interactive maps are instead of links that a PDF
        reader cannot open.

    Returns
    -------
    str
        The HTML page.
    """
    from vervoer.outputs.study_maps import candidate_svg

    t = study_texts(language)
    lang = "en" if language == "en" else "nl"
    maps = maps or {}
    names = {loc.id: loc.name for loc in scenario.locations}
    ranks = _ranks(study)
    mode = t.get(study.mode.value, study.mode.value)
    days = (
        ", ".join(day_name(d, language) for d in study.days)
        if study.days is not None
        else t["all_days"]
    )
    norm = _num(study.norm_min, 0, language)
    out = [
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">',
        f"<title>{e(t['title'])} — {e(scenario.name)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{e(t['title'])} — {e(scenario.name)}</h1>",
        f'<p class="note">{e(t["intro"].format(mode=mode, days=days))}</p>',
        f"<h2>{e(t['current'])}</h2><table><tr>",
        "".join(f"<th>{e(t[key])}</th>" for _, key, _ in FIGURES),
        "</tr><tr>",
        "".join(
            f'<td class="n">{_num(getattr(study.current, a), d, language)}</td>'
            for a, _, d in FIGURES
        ),
        "</tr></table>",
        *(
            f'<p class="note">{e(_why_text(w, language, key="now_capacity"))}</p>'
            for w in study.over_capacity_now
        ),
        f"<h2>{e(t['ranked'])}</h2>",
    ]
    if study.ranked:
        head = [
            "rank",
            "candidate",
            "moved",
            "saving",
            "km",
            "hours",
            "buses",
            "mean_ride",
            "max_ride",
            "over_max",
            "over_norm",
            "room_left",
        ]
        deltas = {"km", "hours", "buses"}
        out.append(
            "<table><tr>"
            + "".join(
                f"<th>{'Δ ' if h in deltas else ''}{e(t[h].format(norm=norm))}</th>" for h in head
            )
            + "</tr>"
        )
        labels = {x.candidate.number: x.candidate.label for x in study.results}
        cur = study.current
        for r in study.ranked:
            f = r.figures
            assert f is not None
            n = r.candidate.number
            link = f' <a href="{e(maps[n])}">{e(t["map"])}</a>' if n in maps and not pdf else ""
            room = ", ".join(f"{e(k)}: {v}" for k, v in r.room_left.items()) or "–"
            if r.same_as is not None:
                link += f" <small>(= {e(labels[r.same_as])})</small>"
            out.append(
                f'<tr><td class="n">{ranks[n]}</td><td>{_label(r, names, language)}{link}</td>'
                f'<td class="n">{len(r.moves)}</td>'
                + _delta_cell(r.saving, 2, language, lower_is_better=False)
                + _delta_cell(f.km - cur.km, 1, language)
                + _delta_cell(f.hours - cur.hours, 2, language)
                + _delta_cell(f.vehicles_max - cur.vehicles_max, 0, language)
                + f'<td class="n">{_num(f.mean_ride_min, 1, language)}</td>'
                + f'<td class="n">{_num(f.max_ride_min, 1, language)}</td>'
                + f'<td class="n">{len(r.over_max)}</td>'
                + f'<td class="n">{len(r.over_norm)}</td>'
                + f"<td>{room}</td></tr>"
            )
        out.append("</table>")
    else:
        out.append(f"<p>{e(t['none'])}</p>")
    for title, items in ((t["infeasible"], study.infeasible), (t["failed"], study.failed)):
        if not items:
            continue
        out.append(
            f"<h2>{e(title)}</h2><table><tr><th>{e(t['candidate'])}</th><th>{e(t['why'])}</th></tr>"
        )
        for r in items:
            out.append(
                f"<tr><td>{_label(r, names, language)}</td>"
                f"<td>{e(_why_text(r.why, language))}</td></tr>"
            )
        out.append("</table>")
    out.append(f"<h2>{e(t['moves'])}</h2>")
    if pdf and maps:
        out.append(f'<p class="note">{e(t["pdf_maps"])}</p>')
    for r in (*study.ranked, *study.infeasible):
        if r.moves:
            out.append(
                _candidate_section(
                    r, scenario, names, ranks, maps, language, pdf, candidate_svg, study.norm_min
                )
            )
    out.append(f"<h2>{e(t['how_title'])}</h2>")
    out.append(
        '<p class="note">'
        + e(
            t["how"].format(
                price=_num(study.unassigned_ride_cost, 2, language),
                norm=norm,
                km=_num(study.max_km, 1, language),
            )
        )
        + "</p>"
    )
    if files:
        links = {k: f'<a href="{e(v)}">{e(Path(v).name)}</a>' for k, v in files.items()}
        out.append(f'<p class="note">{t["files"].format(**links)}</p>')
    out.append("</body></html>")
    return "\n".join(out)


def _candidate_section(
    r: CandidateResult,
    scenario: Scenario,
    names: Mapping[str, str],
    ranks: Mapping[int, int],
    maps: Mapping[int, str],
    language: str,
    pdf: bool,
    svg: Any,
    norm_min: float,
) -> str:
    t = study_texts(language)
    n = r.candidate.number
    rank = f"{ranks[n]}. " if n in ranks else ""
    link = f' <a href="{e(maps[n])}">{e(t["map"])}</a>' if n in maps and not pdf else ""
    rows = "".join(
        f"<tr><td>{e(m.participant)}</td><td>{e(m.organisation)}</td><td>{e(m.source)}</td>"
        f"<td>{e(m.target)} {e(names.get(m.target, ''))}</td>"
        f"<td>{e(t.get('rule_' + m.rule, m.rule))}</td></tr>"
        for m in r.moves
    )
    table = (
        f"<table><tr><th>{e(t['participant'])}</th><th>{e(t['organisation'])}</th>"
        f"<th>{e(t['from'])}</th><th>{e(t['to'])}</th><th>{e(t['rule'])}</th></tr>{rows}</table>"
    )
    norm = format_number(norm_min, 0, language)
    notes = "".join(
        f"<p>{e(t[key].format(norm=norm))}: {e(', '.join(ids))}</p>"
        for key, ids in (("over_max", r.over_max), ("over_norm", r.over_norm))
        if ids
    )
    why = f"<p><b>{e(t['why'])}</b>: {e(_why_text(r.why, language))}</p>" if r.why else ""
    return (
        f'<div class="candidate"><h3>{rank}{_label(r, names, language)}{link}</h3>{why}'
        f'<div class="side">{svg(r, scenario)}</div><div class="side">{table}{notes}</div></div>'
    )


def write_study(
    study: Study,
    scenario: Scenario,
    out: Path,
    *,
    language: str = "nl",
    pdf: bool = True,
    tiles: str | None = OSM_TILES,
) -> dict[str, Path]:
    """Write the report, the figures and a map per candidate into ``out``.

    Parameters
    ----------
    study
        From :func:`vervoer.sharing.study.run_study`.
    scenario
        The scenario it studied.
    out
        The folder (created when needed).
    language
        ``nl`` (default) or ``en``.
    pdf
        Also write ``study.pdf`` (WeasyPrint).
    tiles
        Background tiles of the interactive maps (None: none, offline).

    Returns
    -------
    dict
        ``report``, ``csv``, ``json``, ``moves``, ``maps`` (the folder) and, with ``pdf``,
        ``pdf`` -> path.
    """
    from vervoer.outputs.study_maps import candidate_map, save_candidate_map

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    files = {
        "csv": out / "study.csv",
        "json": out / "study.json",
        "moves": out / "study_moves.csv",
        "maps": out / "maps",
        "report": out / "study.html",
    }
    write_csv(files["csv"], CSV_COLUMNS, study_rows(study))
    write_text(
        files["json"], json.dumps(study_json(study, scenario), indent=2, ensure_ascii=False) + "\n"
    )
    write_csv(
        files["moves"],
        ["number", "close", "into", "status", "participant", "organisation", "from", "to", "rule"],
        (
            [r.candidate.number, r.candidate.close, r.candidate.into, r.status.value,
             m.participant, m.organisation, m.source, m.target, m.rule]
            for r in study.results
            for m in r.moves
        ),
    )  # fmt: skip
    maps: dict[int, str] = {}
    for r in (*study.ranked, *study.infeasible):
        if not r.moves:
            continue
        name = f"candidate-{r.candidate.number:02d}.html"
        save_candidate_map(
            candidate_map(r, scenario, language=language, tiles=tiles), files["maps"] / name
        )
        maps[r.candidate.number] = f"maps/{name}"
    links = {k: files[k].name for k in ("csv", "json", "moves")}
    write_text(
        files["report"], study_html(study, scenario, language=language, maps=maps, files=links)
    )
    if pdf:
        from vervoer.outputs.pdf import write_pdf

        files["pdf"] = out / "study.pdf"
        write_pdf(
            study_html(study, scenario, language=language, maps=maps, files=links, pdf=True),
            files["pdf"],
            base_url=out,
        )
    return files
