"""All user-facing text: the phrases of maps and route sheets, day names, number format.

Every table has a Dutch (``nl``, the default) and an English (``en``) version; an unknown
language falls back to Dutch (:func:`language_code`). Nothing here knows about files,
folium or HTML: the callers escape what they put into a page.

:data:`DAY_NAMES` is keyed by the weekday's value (``mon`` ... ``sun``); a
:class:`~vervoer.core.model.Weekday` is a string enum, so ``DAY_NAMES["nl"][Weekday.MON]``
works as well. This module imports nothing of vervoer at run time, so that
:mod:`vervoer.core.model` can re-export :data:`DAY_NAMES` from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vervoer.core.model import RideKey, Vehicle

DEFAULT_LANGUAGE = "nl"

TEXT: dict[str, dict[str, str]] = {
    "nl": {
        "plan": "Vervoersplan",
        "week": "week",
        "heen": "heen",
        "terug": "terug",
        "heen_long": "heen (naar de locaties)",
        "terug_long": "terug (naar huis)",
        "middag": "middagrit",
        "middag_long": "middagrit (naar huis en naar de locaties)",
        "heen-middag": "heen (middag)",
        "heen-middag_long": "heen in de middag (naar de locaties)",
        "terug-middag": "terug (middag)",
        "terug-middag_long": "terug in de middag (naar huis)",
        "trip_number": "rit",
        "layout": "indeling",
        "transfer": "overstap",
        "own": "eigen vervoer",
        "shared": "gedeeld vervoer",
        "locations": "Locaties",
        "depots": "Depots",
        "unassigned": "Niet ingepland",
        "vehicles": "Voertuigen",
        "organisation": "Organisatie",
        "vehicle": "Voertuig",
        "stop": "Stop",
        "time": "Tijd",
        "arrival": "aankomst",
        "departure": "vertrek",
        "boarding": "Instappen",
        "alighting": "Uitstappen",
        "load": "Bezetting",
        "load_after": "Bezetting na de stop",
        "max_load": "Max. bezetting",
        "seats": "stoelen",
        "wheel": "rolstoelplaatsen",
        "participants": "deelnemers",
        "stops": "stops",
        "cost": "Kosten",
        "arrive_by": "aankomen uiterlijk",
        "depart_at": "ophalen vanaf",
        "arrive": "komen aan",
        "leave": "vertrekken",
        "reason": "Reden",
        "per_day": "Per dag",
        "overview": "Weekoverzicht",
        "address": "Adres",
        "map_data": "Kaartgegevens © OpenStreetMap-bijdragers (ODbL)",
        "legend_stops": "Cijfers: stops in rijvolgorde (0 = vertrek depot); rond = thuisadres, "
        "afgerond vierkant = locatie, vierkant = depot; pijlen: rijrichting. "
        "Spelden: ★ locatie, P depot, ! niet ingepland.",
        "legend_layers": "Een route is zichtbaar als de rit, de organisatie en het voertuig "
        "aan staan.",
        "depot": "Depot",
        "location": "Locatie",
        "home": "Thuisadres",
        "sheet": "Ritstaat",
        "none": "geen",
        # route sheets
        "sheet_title": "Ritstaat",
        "day": "Dag",
        "depot_start": "Vertrek depot",
        "depot_end": "Terug op depot",
        "address_col": "Adres",
        "nav": "Navigatie",
        "wheelchair": "Rolstoelplaats",
        "escort": "Begeleider",
        "walker": "Rollator",
        "notes": "Opmerkingen",
        "totals": "Totaal",
        "km": "km",
        "duration": "tijd",
        "to_stop": "uit bij stop",
        "capacity": "Capaciteit",
        "confidential": "Vertrouwelijk: bevat persoonsgegevens. Alleen voor de chauffeur; "
        "na de rit vernietigen.",
        "nav_note": "een adres aantikken opent de navigatie-app van de telefoon (geo:); OSM "
        "toont de route vanaf de vorige stop op openstreetmap.org.",
        "gpx": "Hele route voor een navigatiesysteem (GPX)",
        "index_title": "Ritstaten",
        "ride": "Rit",
        "page": "Pagina",
        "day_schedule": "Dagplanning",
        "trip_of": "rit {n} van {total}",
        "this_trip": "deze rit",
        "unknown": "onbekend",
        # compact route sheets, their index, the map's vehicle switches
        "osm_contributors": "OpenStreetMap-bijdragers",
        "tag_wheelchair": "rolstoel",
        "tag_escort": "begeleider",
        "tag_walker": "rollator",
        "in_out": "In / uit",
        "in": "in",
        "out": "uit",
        "load_short": "Bez.",
        "print": "Afdrukken",
        "all_sheets": "alle ritstaten in één PDF",
        "per_vehicle_day": "Per voertuig per dag (één PDF per chauffeursdag)",
        "trips": "ritten",
        "vehicle_switch": "Vink een voertuig uit om zijn routes te verbergen.",
        "shown_first": "Bij openen zichtbaar: {rides}; de andere ritten staan uit en zijn "
        "aan te zetten in het lagenmenu.",
    },
    "en": {
        "plan": "Transport plan",
        "week": "week",
        "heen": "to location",
        "terug": "home",
        "heen_long": "to the locations (heen)",
        "terug_long": "home (terug)",
        "middag": "midday trip",
        "middag_long": "midday trip (home and to the locations)",
        "heen-middag": "to location (midday)",
        "heen-middag_long": "to the locations at midday (heen)",
        "terug-middag": "home (midday)",
        "terug-middag_long": "home at midday (terug)",
        "trip_number": "trip",
        "layout": "seat layout",
        "transfer": "transfer",
        "own": "own transport",
        "shared": "shared transport",
        "locations": "Locations",
        "depots": "Depots",
        "unassigned": "Unassigned",
        "vehicles": "Vehicles",
        "organisation": "Organisation",
        "vehicle": "Vehicle",
        "stop": "Stop",
        "time": "Time",
        "arrival": "arrival",
        "departure": "departure",
        "boarding": "Boarding",
        "alighting": "Alighting",
        "load": "Load",
        "load_after": "Load after the stop",
        "max_load": "Max. load",
        "seats": "seats",
        "wheel": "wheelchair places",
        "participants": "participants",
        "stops": "stops",
        "cost": "Cost",
        "arrive_by": "arrive by",
        "depart_at": "pick up from",
        "arrive": "arrive",
        "leave": "leave",
        "reason": "Reason",
        "per_day": "Per day",
        "overview": "Week overview",
        "address": "Address",
        "map_data": "Map data © OpenStreetMap contributors (ODbL)",
        "legend_stops": "Numbers: stops in driving order (0 = leaving the depot); round = home, "
        "rounded square = location, square = depot; arrows: driving direction. "
        "Pins: ★ location, P depot, ! unassigned.",
        "legend_layers": "A route shows when its ride, its organisation and its vehicle are on.",
        "depot": "Depot",
        "location": "Location",
        "home": "Home",
        "sheet": "Route sheet",
        "none": "none",
        "sheet_title": "Route sheet",
        "day": "Day",
        "depot_start": "Leave depot",
        "depot_end": "Back at depot",
        "address_col": "Address",
        "nav": "Navigation",
        "wheelchair": "Wheelchair place",
        "escort": "Escort",
        "walker": "Walker",
        "notes": "Notes",
        "totals": "Totals",
        "km": "km",
        "duration": "time",
        "to_stop": "gets out at stop",
        "capacity": "Capacity",
        "confidential": "Confidential: contains personal data. For the driver only; "
        "destroy after the ride.",
        "nav_note": "tapping an address opens the phone's navigation app (geo:); OSM shows "
        "the route from the previous stop on openstreetmap.org.",
        "gpx": "Whole route for a navigation device (GPX)",
        "index_title": "Route sheets",
        "ride": "Ride",
        "page": "Page",
        "day_schedule": "Day schedule",
        "trip_of": "trip {n} of {total}",
        "this_trip": "this trip",
        "unknown": "unknown",
        "osm_contributors": "OpenStreetMap contributors",
        "tag_wheelchair": "wheelchair",
        "tag_escort": "escort",
        "tag_walker": "walker",
        "in_out": "In / out",
        "in": "in",
        "out": "out",
        "load_short": "Load",
        "print": "Print",
        "all_sheets": "all route sheets in one PDF",
        "per_vehicle_day": "Per vehicle per day (one PDF per driver's day)",
        "trips": "trips",
        "vehicle_switch": "Untick a vehicle to hide its routes.",
        "shown_first": "Shown on opening: {rides}; the other rides are off and can be "
        "switched on in the layer menu.",
    },
}

# Day names for user-facing text, per language, keyed by the weekday's value
DAY_NAMES: dict[str, dict[str, str]] = {
    "nl": {
        "mon": "maandag",
        "tue": "dinsdag",
        "wed": "woensdag",
        "thu": "donderdag",
        "fri": "vrijdag",
        "sat": "zaterdag",
        "sun": "zondag",
    },
    "en": {
        "mon": "Monday",
        "tue": "Tuesday",
        "wed": "Wednesday",
        "thu": "Thursday",
        "fri": "Friday",
        "sat": "Saturday",
        "sun": "Sunday",
    },
}


def language_code(language: str) -> str:
    """The language the tables have: ``language`` itself, or ``nl`` when it is unknown.

    Parameters
    ----------
    language
        A language code such as ``nl`` or ``en``.

    Returns
    -------
    str
        A key of :data:`TEXT` and :data:`DAY_NAMES`.
    """
    return language if language in TEXT else DEFAULT_LANGUAGE


def texts(language: str) -> dict[str, str]:
    """The phrase table of a language (Dutch when the language is unknown).

    Parameters
    ----------
    language
        ``nl``, ``en``, or anything else for Dutch.

    Returns
    -------
    dict
        Phrase key (``vehicle``, ``sheet_title`` ...) -> text.
    """
    return TEXT[language_code(language)]


def day_name(weekday: str, language: str) -> str:
    """The full name of a weekday: ``maandag`` / ``Monday``.

    Parameters
    ----------
    weekday
        A :class:`~vervoer.core.model.Weekday` (or its value, ``mon`` ... ``sun``).
    language
        ``nl`` or ``en`` (unknown: Dutch).

    Returns
    -------
    str
        The day's name, lower case in Dutch and capitalised in English.
    """
    return DAY_NAMES[language_code(language)][weekday]


def format_number(x: float, digits: int, language: str) -> str:
    """A number with thousands separators in the language's style.

    Parameters
    ----------
    x
        The number.
    digits
        Digits after the decimal separator.
    language
        ``nl`` (unknown languages too): ``1.234,5``; ``en``: ``1,234.5``.

    Returns
    -------
    str
        The formatted number.
    """
    text = f"{x:,.{digits}f}"
    if language_code(language) == "nl":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


#: why a ride is unassigned, in Dutch (the English message of the plan has the details)
REASONS_NL = {
    "address_not_found": "het adres is niet gevonden in de adresgegevens",
    "unreachable_by_road": "het adres is niet over de weg bereikbaar",
    "no_vehicle_on_day": "er rijdt die dag geen voertuig van de pool",
    "no_wheelchair_place": "er is geen voertuig met een rolstoelplaats",
    "not_enough_seats": "er is geen voertuig met genoeg zitplaatsen",
    "ride_too_long": "de rechtstreekse rit duurt al langer dan de maximale reistijd",
    "window_unreachable": "de tijd is met geen voertuig te halen, ook niet rechtstreeks",
    "no_room": "geen plek gevonden binnen de rekentijd",
    "rule": "een regel of vastzetting laat geen voertuig toe dat die dag rijdt",
}


def reason_text(reason: str, message: str, language: str = DEFAULT_LANGUAGE) -> str:
    """Why a ride is unassigned, for a coordinator: Dutch words in ``nl``, the message in ``en``.

    Parameters
    ----------
    reason
        The reason code (:class:`vervoer.core.model.Reason` value).
    message
        The plan's message (English, with the details).
    language
        ``nl`` (default) or ``en``.

    Returns
    -------
    str
        Not escaped.
    """
    if language_code(language) == "nl":
        return REASONS_NL.get(reason, message)
    return message


def ride_label(key: RideKey, language: str = DEFAULT_LANGUAGE, *, long: bool = False) -> str:
    """The name of a trip: ``maandag heen`` / ``Monday to location`` / ``woensdag
    middagrit`` (a second trip of its kind gets ``rit 2``).

    Parameters
    ----------
    key
        The trip (weekday and trip name).
    language
        ``nl`` (default) or ``en``.
    long
        Say where the ride goes: ``maandag heen (naar de locaties)``.

    Returns
    -------
    str
        The label, not escaped.
    """
    t = texts(language)
    words = t[f"{key.kind}_long" if long else key.kind]
    if key.number > 1:
        words += f", {t['trip_number']} {key.number}"
    return f"{day_name(key.weekday, language)} {words}"


def load_text(
    seats: int,
    wheelchairs: int,
    vehicle: Vehicle | None,
    t: Mapping[str, str],
    *,
    capacity: tuple[int, int] | None = None,
) -> str:
    """Occupied seats and wheelchair places, out of the vehicle's when it is known.

    Parameters
    ----------
    seats, wheelchairs
        The load.
    vehicle
        The vehicle (None: no capacities shown).
    t
        The phrase table (:func:`texts`).
    capacity
        Seats and wheelchair places to show instead of the vehicle's (its seat layout).

    Returns
    -------
    str
        ``3/8 stoelen, 1/1 rolstoelplaatsen``, not escaped.
    """
    if vehicle and capacity is None:
        capacity = (vehicle.seats, vehicle.wheelchair_places)
    cap_s = f"/{capacity[0]}" if vehicle and capacity else ""
    cap_w = f"/{capacity[1]}" if vehicle and capacity else ""
    return f"{seats}{cap_s} {t['seats']}, {wheelchairs}{cap_w} {t['wheel']}"


#: the web app's words (``vervoer serve``), per language
WEB_TEXT: dict[str, dict[str, str]] = {
    "nl": {
        "app": "vervoer",
        "sign_in": "Inloggen",
        "sign_out": "Uitloggen",
        "user": "Gebruiker",
        "password": "Wachtwoord",
        "bad_login": "Onbekende gebruiker of verkeerd wachtwoord.",
        "forbidden": "Geen toegang",
        "forbidden_text": "Uw rol geeft geen toegang tot deze pagina.",
        "overview": "Overzicht",
        "tables": "Tabellen",
        "plans": "Planningen",
        "day": "Dag",
        "compare": "Vergelijken",
        "sheets": "Ritbladen",
        "audit": "Logboek",
        "organisations": "Organisaties",
        "locations": "Locaties",
        "participants": "Deelnemers",
        "attendance": "Aanwezigheid",
        "vehicles": "Voertuigen",
        "rules": "Regels",
        "changes": "Wijzigingen",
        "locks": "Vastzettingen",
        "rows": "rijen",
        "problems": "problemen",
        "no_problems": "Geen problemen gevonden.",
        "problems_found": "Problemen gevonden (dezelfde als `vervoer validate`)",
        "file": "bestand",
        "row": "rij",
        "field": "veld",
        "message": "melding",
        "missing_file": "Dit bestand ontbreekt.",
        "upload": "Vervangen door een bestand",
        "upload_help": "Een CSV-bestand voor deze tabel of een werkmap (.xlsx) met een blad per "
        "tabel. U ziet eerst wat er verandert; pas na opslaan wordt het bestand vervangen "
        "(de vorige versie wordt bewaard).",
        "upload_button": "Bekijken",
        "workbook": "Werkmap met alle tabellen",
        "preview": "Voorbeeld van de wijziging",
        "added": "toegevoegd",
        "removed": "verwijderd",
        "changed": "gewijzigd",
        "unchanged": "ongewijzigd",
        "before": "voor",
        "after": "na",
        "save": "Opslaan",
        "discard": "Weggooien",
        "save_blocked": "Opslaan kan pas als de problemen zijn opgelost: pas het bestand aan en "
        "upload het opnieuw.",
        "plan_week": "Plannen",
        "plan_days": "Dagen (leeg: de hele week)",
        "plan_start": "Planning starten",
        "job": "Taak",
        "status": "status",
        "queued": "in de wachtrij",
        "running": "bezig",
        "done": "klaar",
        "failed": "mislukt",
        "cancelled": "gestopt",
        "cancel": "Stoppen",
        "elapsed": "verstreken",
        "remaining": "nog ongeveer",
        "result": "Resultaat bekijken",
        "created": "aangemaakt",
        "started": "gestart",
        "finished": "klaar om",
        "log": "Uitvoer",
        "map": "Kaart",
        "unassigned": "Niet ingepland",
        "reason": "reden",
        "nobody_unassigned": "Iedereen is ingepland.",
        "costs": "Kosten",
        "cost_eur": "kosten (EUR)",
        "km": "km",
        "hours": "voertuiguren",
        "vehicle_days": "voertuigdagen",
        "vehicles_n": "voertuigen",
        "served": "ritten gepland",
        "trip": "rit",
        "trips": "ritten",
        "vehicle": "voertuig",
        "participant": "deelnemer",
        "name": "naam",
        "pickup": "ophalen",
        "dropoff": "afzetten",
        "organisation": "organisatie",
        "location": "locatie",
        "all_sheets": "Alle ritbladen (PDF)",
        "day_pdf": "de hele dag (PDF)",
        "kind_plan": "planning",
        "kind_replan": "datum opnieuw plannen",
        "kind_compare": "vergelijking",
        "sheets_index": "Ritbladen (overzicht)",
        "no_plan": "Er is nog geen planning.",
        "own_rides": "Ritten van uw deelnemers",
        "changes_of_day": "Wijzigingen van een datum",
        "date": "datum",
        "change": "wijziging",
        "rides": "ritten",
        "value": "waarde",
        "note": "opmerking",
        "add_change": "Wijziging toevoegen",
        "replan": "Datum opnieuw plannen",
        "base_plan": "Basisplanning van de week",
        "no_base": "geen (vanaf nul)",
        "change_list": "Wijzigingenlijst (om door te bellen)",
        "no_moves": "Niemand hoeft gebeld te worden.",
        "compare_start": "Eigen en gedeeld vervoer vergelijken",
        "report": "Rapport",
        "download": "Downloaden",
        "absent": "afwezig",
        "out_of_service": "voertuig defect",
        "closed": "locatie gesloten",
        "time": "andere tijd",
        "address": "ander adres",
        "both": "beide",
        "heen": "heen",
        "terug": "terug",
        "when": "wanneer",
        "who": "wie",
        "action": "actie",
        "detail": "details",
        "id_only": "· = gegevens van een deelnemer van een andere organisatie",
        "week": "week",
        "planned_on": "gepland op",
    },
    "en": {
        "app": "vervoer",
        "sign_in": "Sign in",
        "sign_out": "Sign out",
        "user": "User",
        "password": "Password",
        "bad_login": "Unknown user or wrong password.",
        "forbidden": "No access",
        "forbidden_text": "Your role gives no access to this page.",
        "overview": "Overview",
        "tables": "Tables",
        "plans": "Plans",
        "day": "Day",
        "compare": "Compare",
        "sheets": "Route sheets",
        "audit": "Audit log",
        "organisations": "Organisations",
        "locations": "Locations",
        "participants": "Participants",
        "attendance": "Attendance",
        "vehicles": "Vehicles",
        "rules": "Rules",
        "changes": "Changes",
        "locks": "Locks",
        "rows": "rows",
        "problems": "problems",
        "no_problems": "No problems found.",
        "problems_found": "Problems found (the same as `vervoer validate`)",
        "file": "file",
        "row": "row",
        "field": "field",
        "message": "message",
        "missing_file": "This file is missing.",
        "upload": "Replace with a file",
        "upload_help": "A CSV file for this table, or a workbook (.xlsx) with a sheet per "
        "table. You see what changes first; the file is replaced only when you save (the "
        "previous version is kept).",
        "upload_button": "Preview",
        "workbook": "Workbook with every table",
        "preview": "Preview of the change",
        "added": "added",
        "removed": "removed",
        "changed": "changed",
        "unchanged": "unchanged",
        "before": "before",
        "after": "after",
        "save": "Save",
        "discard": "Discard",
        "save_blocked": "Saving is possible once the problems are solved: fix the file and "
        "upload it again.",
        "plan_week": "Plan",
        "plan_days": "Days (empty: the whole week)",
        "plan_start": "Start planning",
        "job": "Job",
        "status": "status",
        "queued": "queued",
        "running": "running",
        "done": "done",
        "failed": "failed",
        "cancelled": "stopped",
        "cancel": "Stop",
        "elapsed": "elapsed",
        "remaining": "about",
        "result": "See the result",
        "created": "created",
        "started": "started",
        "finished": "finished",
        "log": "Output",
        "map": "Map",
        "unassigned": "Not planned",
        "reason": "reason",
        "nobody_unassigned": "Everybody is planned.",
        "costs": "Costs",
        "cost_eur": "cost (EUR)",
        "km": "km",
        "hours": "vehicle hours",
        "vehicle_days": "vehicle days",
        "vehicles_n": "vehicles",
        "served": "rides planned",
        "trip": "trip",
        "trips": "trips",
        "vehicle": "vehicle",
        "participant": "participant",
        "name": "name",
        "pickup": "pick-up",
        "dropoff": "drop-off",
        "organisation": "organisation",
        "location": "location",
        "all_sheets": "All route sheets (PDF)",
        "day_pdf": "the whole day (PDF)",
        "kind_plan": "plan",
        "kind_replan": "re-plan a date",
        "kind_compare": "comparison",
        "sheets_index": "Route sheets (index)",
        "no_plan": "There is no plan yet.",
        "own_rides": "Rides of your participants",
        "changes_of_day": "Changes of a date",
        "date": "date",
        "change": "change",
        "rides": "rides",
        "value": "value",
        "note": "note",
        "add_change": "Add the change",
        "replan": "Re-plan the date",
        "base_plan": "Base plan of the week",
        "no_base": "none (from scratch)",
        "change_list": "Change list (to phone through)",
        "no_moves": "Nobody needs a call.",
        "compare_start": "Compare own and shared transport",
        "report": "Report",
        "download": "Download",
        "absent": "absent",
        "out_of_service": "vehicle out of service",
        "closed": "location closed",
        "time": "other time",
        "address": "other address",
        "both": "both",
        "heen": "to the location",
        "terug": "home",
        "when": "when",
        "who": "who",
        "action": "action",
        "detail": "details",
        "id_only": "· = data of another organisation's participant",
        "week": "week",
        "planned_on": "planned on",
    },
}


def web_texts(language: str) -> dict[str, str]:
    """The web app's phrase table of a language (Dutch when unknown)."""
    return WEB_TEXT.get(language, WEB_TEXT[DEFAULT_LANGUAGE])


__all__ = [
    "DAY_NAMES",
    "DEFAULT_LANGUAGE",
    "REPORT_TEXT",
    "STUDY_TEXT",
    "TEXT",
    "day_name",
    "format_number",
    "language_code",
    "list_text",
    "load_text",
    "reason_text",
    "report_texts",
    "ride_label",
    "study_texts",
    "texts",
    "web_texts",
]


#: the phrases of the comparison report (``vervoer compare``: report.html and report.pdf)
REPORT_TEXT: dict[str, dict[str, str]] = {
    "nl": {
        "title": "Gedeeld vervoer: wat het kost en wie wat betaalt",
        "period_all": "Periode: de hele week van de aanwezigheid ({days}): {n_days}, "
        "{trips}, {rides}.",
        "period_only": "Periode: alleen {days}: {n_days}, {trips}, {rides}. Dit is geen "
        "weekbedrag.",
        "day_one": "1 dag",
        "days_many": "{n} dagen",
        "trip_one": "1 rit",
        "trips_many": "{n} ritten",
        "ride_one": "1 deelnemersrit",
        "rides_many": "{n} deelnemersritten",
        "and": "en",
        "pools_one": "Eén pool: alle organisaties delen hun voertuigen; de kosten worden over "
        "alle organisaties verdeeld.",
        "pools_many": "Pools: {pools}. Het gedeelde plan is het plan per pool uit de "
        "instellingen, en de kosten van elke pool worden alleen over de organisaties van "
        "die pool verdeeld (organisaties in verschillende pools delen geen voertuig).",
        "headline": "Per organisatie: eigen vervoer, eerlijk deel, besparing",
        "org": "Organisatie",
        "pool": "Pool",
        "own_cost": "Eigen vervoer (EUR)",
        "fair_share": "Eerlijk deel (EUR)",
        "saving_eur": "Besparing (EUR)",
        "saving_pct": "Besparing (%)",
        "rides": "Ritten",
        "total": "Totaal",
        "rule_line": "Eerlijk deel: {rule}, de verdeling die de partners kozen (instelling "
        "allocation). {explain}",
        "no_rule": "Geen verdeling beschikbaar.",
        "taxi_note": "Eigen vervoer en eerlijk deel tellen EUR {u} (een aparte taxi) voor "
        "elke rit die een plan niet inplant.",
        "settlement": "Verrekening tussen de organisaties",
        "settle_note": "Elke organisatie betaalt de rekeningen van haar eigen bussen (en een "
        "taxi voor elke rit van haar deelnemers die het gedeelde plan niet inplant). Het "
        "verschil met haar eerlijke deel wordt verrekend: positief betaalt, negatief "
        "ontvangt.",
        "buses": "Eigen bussen (EUR)",
        "taxis": "Taxi's (EUR)",
        "net": "Betaalt (+) / ontvangt (−) (EUR)",
        "transfers": "Overboekingen",
        "from": "Van",
        "to": "Aan",
        "amount": "Bedrag (EUR)",
        "no_transfers": "Er hoeft niets verrekend te worden.",
        "transfers_note": "De overboekingen tellen op tot nul: na de overboekingen heeft "
        "elke organisatie precies haar eerlijke deel betaald.",
        "scaled": "In pool {pools} telde de verdeling niet precies op tot wat de bussen en "
        "taxi's in het gedeelde plan kosten (de kosten per combinatie komen uit aparte "
        "zoekruns); de eerlijke delen zijn naar die kosten geschaald.",
        "by_payer": "Kosten per financier",
        "by_region": "Kosten per deelregio",
        "payer": "Financier",
        "region": "Deelregio",
        "own": "Eigen",
        "shared": "Gedeeld",
        "diff": "Verschil",
        "own_eur": "Eigen (EUR)",
        "shared_eur": "Gedeeld (EUR)",
        "groups_note": "Routekosten verdeeld over de passagiers naar hun rechtstreekse rit "
        "(kosten per financier en deelregio tellen op tot de routekosten van het plan); "
        "taxi's voor niet-ingeplande ritten tellen hier niet mee.",
        "none": "(geen)",
        "details": "Details",
        "per_org": "Eigen en gedeeld per organisatie",
        "cost": "Kosten (EUR)",
        "km": "Kilometers",
        "hours": "Voertuiguren",
        "veh": "Voertuigen per dag (gem.)",
        "vmax": "Voertuigen per dag (max.)",
        "planned": "Geplande ritten",
        "unassigned": "Niet ingepland",
        "mean_ride": "Gem. reistijd (min)",
        "max_ride": "Max. reistijd (min)",
        "co2": "CO2 (kg)",
        "alloc": "Andere verdelingen van de gedeelde kosten",
        "alloc_note": "Elke kolom verdeelt de kosten van elke pool v(P) over haar "
        "organisaties. In de kern: geen groep organisaties betaalt meer dan zonder de "
        "anderen.",
        "own_alone": "Eigen vervoer v(i)",
        "saving": "besparing",
        "in_core": "In de kern",
        "yes": "ja",
        "no": "nee",
        "core_empty": "Let op: de kern is leeg: er is geen verdeling waarbij elke groep "
        "organisaties minstens zo goed af is als alleen.",
        "game": "Kosten per combinatie van organisaties v(S), per pool",
        "coalition": "Combinatie",
        "ridetime": "Reistijden van deelnemers (minuten)",
        "split": "{n} combinatie(s) waren goedkoper als aparte kleinere pools dan in het "
        "gezamenlijke plan van de zoekmethode (een heuristiek); v(S) neemt de goedkoopste: "
        "{list}.",
        "sampled": "Pool {pool}: {n} organisaties; de Shapley-waarde is geschat uit 20 "
        "steekproeven van volgordes.",
        "assumption": "Aannames: tarieven uit het scenario; een niet-ingeplande rit telt "
        "voor EUR {u} (een aparte taxi); CO2 {co2} g per voertuigkilometer.",
        "map": "Kaarten",
        "rule_shapley": "Shapley-waarde",
        "rule_nucleolus": "Minste ontevredenheid",
        "rule_standalone": "Naar eigen kosten",
        "rule_rides": "Naar ritten",
        "rule_km": "Naar kilometers",
        "explain_shapley": "Elke organisatie betaalt het gemiddelde van wat zij toevoegt "
        "aan de kosten van elke groep, over alle volgordes waarin de groep kan ontstaan.",
        "explain_nucleolus": "De verdeling waarbij de groep organisaties die er het "
        "slechtst van afkomt, zo goed mogelijk af is.",
        "explain_standalone": "De gedeelde kosten naar verhouding van wat elke organisatie "
        "alleen zou kosten.",
        "explain_rides": "De gedeelde kosten naar verhouding van het aantal ritten.",
        "explain_km": "De gedeelde kosten naar verhouding van de kilometers van eigen vervoer.",
    },
    "en": {
        "title": "Shared transport: what it costs and who pays what",
        "period_all": "Period: the whole week of the attendance ({days}): {n_days}, "
        "{trips}, {rides}.",
        "period_only": "Period: {days} only: {n_days}, {trips}, {rides}. This is not a "
        "weekly amount.",
        "day_one": "1 day",
        "days_many": "{n} days",
        "trip_one": "1 trip",
        "trips_many": "{n} trips",
        "ride_one": "1 participant ride",
        "rides_many": "{n} participant rides",
        "and": "and",
        "pools_one": "One pool: every organisation shares its vehicles; the cost is divided "
        "over all organisations.",
        "pools_many": "Pools: {pools}. The shared plan is the plan per pool of the settings, "
        "and each pool's cost is divided over that pool's organisations only (organisations "
        "in different pools share no vehicle).",
        "headline": "Per organisation: own transport, fair share, saving",
        "org": "Organisation",
        "pool": "Pool",
        "own_cost": "Own transport (EUR)",
        "fair_share": "Fair share (EUR)",
        "saving_eur": "Saving (EUR)",
        "saving_pct": "Saving (%)",
        "rides": "Rides",
        "total": "Total",
        "rule_line": "Fair share: {rule}, the division the partners chose (setting "
        "allocation). {explain}",
        "no_rule": "No division available.",
        "taxi_note": "Own transport and fair share count EUR {u} (a separate taxi) for each "
        "ride a plan leaves out.",
        "settlement": "Settlement between the organisations",
        "settle_note": "Each organisation pays the bills of its own buses (and a taxi for "
        "each ride of its participants that the shared plan leaves out). The difference "
        "with its fair share is settled: positive pays, negative receives.",
        "buses": "Own buses (EUR)",
        "taxis": "Taxis (EUR)",
        "net": "Pays (+) / receives (−) (EUR)",
        "transfers": "Transfers",
        "from": "From",
        "to": "To",
        "amount": "Amount (EUR)",
        "no_transfers": "Nothing needs to be settled.",
        "transfers_note": "The transfers add up to zero: after them every organisation has "
        "paid exactly its fair share.",
        "scaled": "In pool {pools} the division did not add up exactly to what the buses and "
        "taxis of the shared plan cost (the cost of each combination comes from separate "
        "searches); the fair shares were scaled to that cost.",
        "by_payer": "Cost per payer",
        "by_region": "Cost per deelregio",
        "payer": "Payer",
        "region": "Deelregio",
        "own": "Own",
        "shared": "Shared",
        "diff": "Difference",
        "own_eur": "Own (EUR)",
        "shared_eur": "Shared (EUR)",
        "groups_note": "Route costs split over the passengers by their direct ride (the "
        "costs per payer and per deelregio add up to the plan's route cost); taxis for rides "
        "left out are not included here.",
        "none": "(none)",
        "details": "Details",
        "per_org": "Own and shared per organisation",
        "cost": "Cost (EUR)",
        "km": "Kilometres",
        "hours": "Vehicle hours",
        "veh": "Vehicles per day (mean)",
        "vmax": "Vehicles per day (max)",
        "planned": "Rides planned",
        "unassigned": "Unassigned",
        "mean_ride": "Mean ride time (min)",
        "max_ride": "Max ride time (min)",
        "co2": "CO2 (kg)",
        "alloc": "Other divisions of the shared cost",
        "alloc_note": "Each column divides the cost of each pool v(P) over its organisations. "
        "In the core: no group of organisations pays more than without the others.",
        "own_alone": "Own transport v(i)",
        "saving": "saving",
        "in_core": "In the core",
        "yes": "yes",
        "no": "no",
        "core_empty": "Note: the core is empty: no division leaves every group of "
        "organisations at least as well off as on its own.",
        "game": "Cost of each combination of organisations v(S), per pool",
        "coalition": "Combination",
        "ridetime": "Ride times of participants (minutes)",
        "split": "{n} combination(s) cost less as separate smaller pools than in the search's "
        "joint plan (a heuristic); v(S) takes the cheaper: {list}.",
        "sampled": "Pool {pool}: {n} organisations; the Shapley value is estimated from 20 "
        "sampled orders.",
        "assumption": "Assumptions: tariffs from the scenario; a ride left out counts as "
        "EUR {u} (a separate taxi); CO2 {co2} g per vehicle-km.",
        "map": "Maps",
        "rule_shapley": "Shapley value",
        "rule_nucleolus": "Nucleolus",
        "rule_standalone": "By own cost",
        "rule_rides": "By rides",
        "rule_km": "By km",
        "explain_shapley": "Each organisation pays the average of what it adds to the cost "
        "of every group, over every order in which the group can form.",
        "explain_nucleolus": "The division that leaves the worst-off group of organisations "
        "as well off as possible.",
        "explain_standalone": "The shared cost in proportion to what each organisation "
        "would cost on its own.",
        "explain_rides": "The shared cost in proportion to the number of rides.",
        "explain_km": "The shared cost in proportion to the km of own transport.",
    },
}


def report_texts(language: str) -> dict[str, str]:
    """The phrase table of the comparison report (Dutch when the language is unknown).

    Parameters
    ----------
    language
        ``nl``, ``en``, or anything else for Dutch.

    Returns
    -------
    dict
        Phrase key -> text, not escaped.
    """
    return REPORT_TEXT[language_code(language)]


def list_text(items: list[str], language: str) -> str:
    """``a, b en c`` / ``a, b and c``.

    Parameters
    ----------
    items
        The words.
    language
        ``nl`` or ``en``.

    Returns
    -------
    str
        The words joined, the last two with the language's "and".
    """
    if len(items) <= 1:
        return "".join(items)
    word = REPORT_TEXT[language_code(language)]["and"]
    return f"{', '.join(items[:-1])} {word} {items[-1]}"


#: the texts of the location study report (``vervoer study``); ``{...}`` are filled in
STUDY_TEXT: dict[str, dict[str, str]] = {
    "nl": {
        "title": "Locatiestudie",
        "intro": "Welke locaties samenvoegen of sluiten, gerangschikt naar wat het vervoer "
        "daarna kost. Elke kandidaat sluit één locatie; de deelnemers gaan naar een locatie "
        "van dezelfde soort met plaats. Vergeleken met de huidige situatie, {mode}, {days}.",
        "all_days": "alle dagen",
        "current": "Huidige situatie",
        "ranked": "Kandidaten, gerangschikt naar besparing",
        "infeasible": "Niet haalbaar",
        "failed": "Mislukt",
        "none": "geen",
        "rank": "#",
        "candidate": "Kandidaat",
        "kind_merge": "samenvoegen",
        "kind_close": "sluiten",
        "what": "Soort",
        "moved": "Deelnemers verplaatst",
        "saving": "Besparing (EUR)",
        "cost": "Kosten (EUR)",
        "km": "Kilometers",
        "hours": "Voertuiguren",
        "buses": "Bussen (max. per dag)",
        "buses_mean": "Bussen (gem. per dag)",
        "unassigned": "Niet ingepland",
        "mean_ride": "Gem. reistijd (min)",
        "max_ride": "Max. reistijd (min)",
        "over_max": "Langer dan hun maximum",
        "over_norm": "Nieuw boven de norm van {norm} min",
        "room_left": "Plaats over",
        "why": "Waarom",
        "map": "kaart",
        "moves": "Wie gaat waarheen",
        "participant": "Deelnemer",
        "organisation": "Organisatie",
        "from": "Van",
        "to": "Naar",
        "rule": "Regel",
        "rule_into": "vastgelegde bestemming",
        "rule_organisation": "dichtstbijzijnde van de eigen organisatie",
        "rule_partner": "dichtstbijzijnde van een partner",
        "closed": "gesloten",
        "receiving": "ontvangt deelnemers",
        "other": "andere locatie",
        "home": "thuisadres",
        "value": "Waarde",
        "how_title": "Zo leest u dit rapport",
        "how": "Besparing: de vervoerskosten nu min die met de wijziging (routekosten plus "
        "EUR {price} per rit die een plan niet kan inplannen); positief is goedkoper. "
        "Bussen: het grootste aantal voertuigen op één dag. Langer dan hun maximum: "
        "deelnemers wier rit langer wordt dan hun maximale reistijd nu (eigen maximum, "
        "anders de formule op de huidige rechtstreekse rit). Norm: deelnemers die nu binnen "
        "{norm} minuten reizen en daarna niet meer. Plaats over: het kleinste aantal vrije "
        "plaatsen in een dagdeel op de ontvangende locaties. Waar deelnemers heen gaan bij "
        "sluiten: de dichtstbijzijnde locatie (reistijd vanaf huis) van dezelfde soort met "
        "plaats, eerst van de eigen organisatie, dan van een partner (een organisatie in "
        "dezelfde pool). Samenvoegen A → B: iedereen van A naar B, dat open blijft. "
        "Samenvoegkandidaten: locaties van dezelfde soort binnen {km} km over de weg.",
        "why_kind": "{other} is een locatie van soort '{other_kind}', {location} van soort "
        "'{kind}'",
        "why_capacity": "{location} krijgt {count} deelnemers op {day} ({part}); de "
        "capaciteit is {capacity}",
        "why_no_room": "geen locatie van soort '{kind}' met plaats voor {count} deelnemer(s): "
        "{participants}",
        "why_no_alternative": "geen andere locatie van soort '{kind}' van de organisatie of "
        "een partner",
        "why_failed": "het plannen is mislukt: {error}",
        "now_capacity": "Let op: {location} heeft nu al {count} deelnemers op {day} ({part}), "
        "meer dan de capaciteit van {capacity}.",
        "no_kind": "(geen soort)",
        "files": "Alle cijfers: {csv} en {json}; wie waarheen gaat: {moves}.",
        "pdf_maps": "De interactieve kaarten staan in de map maps/ naast dit rapport.",
        "shared": "gedeeld vervoer",
        "own": "eigen vervoer",
        "morning": "ochtend",
        "afternoon": "middag",
    },
    "en": {
        "title": "Location study",
        "intro": "Which locations to merge or close, ranked by what transport then costs. "
        "Each candidate closes one location; its participants go to a location of the same "
        "kind with room. Against the current situation, {mode}, {days}.",
        "all_days": "every day",
        "current": "Current situation",
        "ranked": "Candidates, ranked by saving",
        "infeasible": "Infeasible",
        "failed": "Failed",
        "none": "none",
        "rank": "#",
        "candidate": "Candidate",
        "kind_merge": "merge",
        "kind_close": "close",
        "what": "Kind",
        "moved": "Participants moved",
        "saving": "Saving (EUR)",
        "cost": "Cost (EUR)",
        "km": "Kilometres",
        "hours": "Vehicle hours",
        "buses": "Buses (max per day)",
        "buses_mean": "Buses (mean per day)",
        "unassigned": "Unassigned",
        "mean_ride": "Mean ride (min)",
        "max_ride": "Max ride (min)",
        "over_max": "Longer than their maximum",
        "over_norm": "Newly above the {norm} min norm",
        "room_left": "Room left",
        "why": "Why",
        "map": "map",
        "moves": "Who goes where",
        "participant": "Participant",
        "organisation": "Organisation",
        "from": "From",
        "to": "To",
        "rule": "Rule",
        "rule_into": "pinned destination",
        "rule_organisation": "nearest of the same organisation",
        "rule_partner": "nearest of a partner",
        "closed": "closed",
        "receiving": "receives participants",
        "other": "other location",
        "home": "home",
        "value": "Value",
        "how_title": "How to read this report",
        "how": "Saving: the transport cost now minus that with the change (route costs plus "
        "EUR {price} per ride a plan cannot serve); positive is cheaper. Buses: the most "
        "vehicles on one day. Longer than their maximum: participants whose ride becomes "
        "longer than their maximum ride now (their own maximum, else the formula on the "
        "current direct ride). Norm: participants who now ride within {norm} minutes and "
        "afterwards do not. Room left: the fewest free places in a dagdeel at the receiving "
        "locations. Where participants go on a closure: the nearest location (travel time "
        "from home) of the same kind with room, of the same organisation first, then of a "
        "partner (an organisation in the same pool). Merge A → B: everyone of A to B, "
        "which stays open. Merge candidates: locations of the same kind within {km} km by "
        "road.",
        "why_kind": "{other} is a '{other_kind}' location, {location} a '{kind}' one",
        "why_capacity": "{location} would hold {count} participants on {day} ({part}); its "
        "capacity is {capacity}",
        "why_no_room": "no location of kind '{kind}' with room for {count} participant(s): "
        "{participants}",
        "why_no_alternative": "no other location of kind '{kind}' of the organisation or a partner",
        "why_failed": "planning failed: {error}",
        "now_capacity": "Note: {location} already has {count} participants on {day} ({part}), "
        "above its capacity of {capacity}.",
        "no_kind": "(no kind)",
        "files": "All figures: {csv} and {json}; who goes where: {moves}.",
        "pdf_maps": "The interactive maps are in the folder maps/ next to this report.",
        "shared": "shared transport",
        "own": "own transport",
        "morning": "morning",
        "afternoon": "afternoon",
    },
}


def study_texts(language: str) -> dict[str, str]:
    """The phrases of the location study report (Dutch when the language is unknown).

    Parameters
    ----------
    language
        ``nl``, ``en``, or anything else for Dutch.

    Returns
    -------
    dict
        Phrase key -> text (not escaped; some hold ``{...}`` fields).
    """
    return STUDY_TEXT[language_code(language)]
