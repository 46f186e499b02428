"""Resolution: one address text to a position (:func:`geocode`), against an address index.

The order of the lookups, strongest first:

1. Dutch postcode + house number (+ letter/addition): ``exact``; the same postcode and number
   with another letter/addition: ``fuzzy`` with a note.
2. Street + house number (+ letter/addition) in the given city (or postcode area): ``exact``.
3. A street name spelled slightly differently (rapidfuzz ``WRatio`` >= 88) in that city, with
   the exact house number: ``fuzzy``.
4. The street is known but the number is not: ``street``, at the nearest house number on the
   street (when the number lies within the street's range) or at its middle.
5. Otherwise ``failed``, with the best candidates for a person to pick from.

A city that is given and known is never left: an address is not matched in another city.
Without a city, a street that exists in several cities is reported as ambiguous (``failed``).

Scores (0-100) say how sure the match is: 100 for ``exact``; the street-name similarity for
``fuzzy`` (at most 90 when only the letter/addition differs); at most 60 for ``street``;
0 for ``failed``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from vervoer.core.model import Point
from vervoer.geo.geocode.index import ONE_TYPO_SCORE, RATIO_GUARD, AddressIndex, SearchArea
from vervoer.geo.geocode.text import (
    ParsedAddress,
    city_key,
    is_dutch_postcode,
    number_text,
    read_address,
    street_key,
)

__all__ = ["FUZZY_MIN", "SIBLING_MIN", "GeocodeResult", "Status", "geocode", "geocode_many"]

Status = Literal["exact", "fuzzy", "street", "failed"]

#: Minimum rapidfuzz ``WRatio`` for a street spelled differently to count as the same street.
FUZZY_MIN = 88.0
#: Minimum similarity for a *different* street that has the wanted number, when the street as
#: written exists but lacks that number (e.g. a duplicate spelling in OSM data).
SIBLING_MIN = 95.0


@dataclass(frozen=True, slots=True)
class GeocodeResult:
    """The outcome of geocoding one address.

    Attributes
    ----------
    query
        The address as given.
    status
        ``exact``, ``fuzzy`` (a spelling, letter/addition or place differs), ``street``
        (the street is known, the number is not) or ``failed``.
    point
        The position, or None when ``failed``.
    matched
        The address used, as text (``Oostvaardersdiep 1, 1309AA Almere``).
    score
        0-100: how sure (see the module docstring).
    candidates
        Up to 3 other addresses a person may have meant (for failures and fuzzy hits).
    note
        What differs, in words.
    """

    query: str
    status: Status
    point: Point | None
    matched: str = ""
    score: float = 0.0
    candidates: tuple[str, ...] = ()
    note: str = ""

    @property
    def ok(self) -> bool:
        """Whether there is a position (every status but ``failed``)."""
        return self.point is not None


_RANK = {"exact": 3, "fuzzy": 2, "street": 1, "failed": 0}


def geocode(text: str, index: AddressIndex) -> GeocodeResult:
    """Find the position of one address, offline.

    Parameters
    ----------
    text
        The address as a person writes it (see :func:`parse_address`).
    index
        The known addresses.

    Returns
    -------
    GeocodeResult
        See the module docstring for the order of the lookups and the meaning of the statuses.
    """
    reading = read_address(text)
    readings = [reading.parsed, *reading.alternatives]
    p = reading.parsed
    if not p.city and not p.postcode and p.street and " " in p.street:
        # "Slotlaan Zeist" / "Städtle Vaduz": a known place at the end of the street part
        words = p.street.split()
        for n in (1, 2):
            if len(words) > n and city_key(" ".join(words[-n:])) in index._area_places:
                readings.append(replace(p, street=" ".join(words[:-n]), city=" ".join(words[-n:])))
    best: GeocodeResult | None = None
    for parsed in readings:
        result = _resolve(text, parsed, index)
        if best is None or (_RANK[result.status], result.score) > (_RANK[best.status], best.score):
            best = result
        if best.status == "exact":
            break
    assert best is not None
    return best


def _resolve(query: str, p: ParsedAddress, index: AddressIndex) -> GeocodeResult:
    if not (p.street or p.postcode):
        return GeocodeResult(query, "failed", None, note="no street or postcode in the address")
    if is_dutch_postcode(p.postcode) and p.number is not None:
        hit = _by_postcode(query, p, index)
        if hit is not None:
            return hit
    area = index._area(p.city, p.postcode)
    if p.street:
        result = _by_street(query, p, index, area)
        if is_dutch_postcode(p.postcode) and result.status == "exact":
            pc_known = p.postcode in index._pc_ids
            why = (
                f"postcode {p.postcode} has no number {p.number_text}"
                if pc_known
                else f"postcode {p.postcode} not found"
            )
            return replace(result, status="fuzzy", score=90.0, note=f"{why}; matched by street")
        return result
    # a postcode without a street
    if is_dutch_postcode(p.postcode) and p.postcode in index._pc_ids:
        ids = index._pc_records([index._pc_ids[p.postcode]])
        streets = sorted({index._skey_name[k] for k in index._rec_skey[ids].tolist()})
        name = f"{' / '.join(streets[:2])} (postcode {p.postcode})"
        return _street_level(query, p, index, ids, 100.0, name)
    cands: list[str] = []
    if is_dutch_postcode(p.postcode) and p.number is not None:
        from rapidfuzz import fuzz

        near = [pc for pc in index._pc_ids if pc[:4] == p.postcode[:4]]
        near.sort(key=lambda pc: -fuzz.ratio(pc, p.postcode))
        for pc in near:
            ids = index._pc_ids_for(pc, p.number)
            if len(ids):
                cands.append(index.record(int(ids[0])).text)
            if len(cands) == 3:
                break
    what = " ".join(x for x in (p.postcode, p.number_text) if x)
    return GeocodeResult(
        query, "failed", None, candidates=tuple(cands), note=f"postcode {what} not found"
    )


def _choose(
    index: AddressIndex, ids: np.ndarray, p: ParsedAddress
) -> tuple[int, bool, str, list[int]]:
    """Pick the address with the wanted letter/addition among ``ids`` (all one number).

    Returns (record id, exact?, note, the other ids).
    """
    want = (p.letter, p.addition)
    want_compact = p.letter + p.addition
    suffixes = [index._suffixes[index._suffix[i]] for i in ids.tolist()]
    order = sorted(range(len(ids)), key=lambda j: (suffixes[j] != ("", ""), suffixes[j]))
    exact = [j for j in order if suffixes[j] == want]
    if not exact:
        exact = [j for j in order if "".join(suffixes[j]) == want_compact]
    if exact:
        chosen = exact[0]
        others = [int(ids[j]) for j in order if "".join(suffixes[j]) != want_compact]
        return int(ids[chosen]), True, "", others
    plain = [j for j in order if suffixes[j] == ("", "")]
    same_letter = [j for j in order if p.letter and suffixes[j][0] == p.letter]
    chosen = (same_letter or plain or order)[0]
    got = number_text(p.number, *suffixes[chosen])
    if p.letter and suffixes[chosen][0] != p.letter:
        note = f"letter '{p.letter}' not found; matched {got}"
    elif p.addition:
        note = f"addition '{p.addition}' not found; matched {got}"
    elif not p.letter:
        note = f"{p.number} has only addresses with a letter or addition; matched {got}"
    else:
        note = f"{p.number_text} not found; matched {got}"
    others = [int(ids[j]) for j in order if j != chosen]
    return int(ids[chosen]), False, note, others


def _by_postcode(query: str, p: ParsedAddress, index: AddressIndex) -> GeocodeResult | None:
    ids = index._pc_ids_for(p.postcode, p.number if p.number is not None else -1)
    if not len(ids):
        return None
    rid, exact, note, others = _choose(index, ids, p)
    rec = index.record(rid)
    notes = [note] if note else []
    score = 100.0 if exact else 90.0
    cands = [index.record(i).text for i in others[:3]]
    # the street and place written must agree with the postcode's
    if p.street:
        from rapidfuzz import fuzz

        have = index._skeys[index._rec_skey[rid]]
        want = street_key(p.street)
        if want != have and index._skey_ids.get(want) != index._rec_skey[rid]:
            similarity = fuzz.WRatio(want, have)
            if similarity < FUZZY_MIN or fuzz.ratio(want, have) < RATIO_GUARD:
                other = _by_street(query, p, index, index._area(p.city, ""))
                if other.point is not None and other.matched:
                    cands.insert(0, other.matched)
                notes.append(
                    f"street '{p.street}' differs from {rec.street} of postcode {p.postcode}; "
                    "used the postcode"
                )
                score = min(score, 80.0)
    if p.city:
        area = index._area(p.city, "")
        if area.found and not len(index._in_area(np.array([rid], np.int32), area)):
            notes.append(f"place '{p.city}' differs from {rec.city} of postcode {p.postcode}")
            score = min(score, 80.0)
    status: Status = "exact" if score == 100.0 else "fuzzy"
    return GeocodeResult(
        query,
        status,
        rec.point,
        rec.text,
        score,
        tuple(dict.fromkeys(cands))[:3] if status != "exact" else (),
        "; ".join(notes),
    )


def _cities_of(index: AddressIndex, ids: np.ndarray) -> list[str]:
    return sorted({index._places[p][0] for p in np.unique(index._place[ids]).tolist()} - {""})


def _one_place(index: AddressIndex, ids: np.ndarray, area: SearchArea) -> np.ndarray | None:
    """``ids`` narrowed to one place, or None if they lie in several (ambiguous)."""
    if not len(ids):
        return ids
    places = index._place[ids]
    cities = {index._place_city[p] for p in np.unique(places).tolist()} - {""}
    if len(cities) <= 1:
        return ids
    if area.city_keys:  # "Dronten" is a woonplaats and a municipality: prefer the woonplaats
        want = np.array(
            [p for p in np.unique(places).tolist() if index._place_city[p] in area.city_keys]
        )
        if len(want):
            return ids[np.isin(places, want)]
    return None


def _ambiguous(query: str, index: AddressIndex, ids: np.ndarray, what: str) -> GeocodeResult:
    cities = _cities_of(index, ids)
    picks: list[str] = []
    seen: set[str] = set()
    for i in ids.tolist():
        rec = index.record(i)
        if rec.city not in seen:
            seen.add(rec.city)
            picks.append(rec.text)
    return GeocodeResult(
        query,
        "failed",
        None,
        candidates=tuple(picks[:3]),
        note=f"{what} exists in {', '.join(cities)}; add the place or postcode",
    )


def _by_street(
    query: str, p: ParsedAddress, index: AddressIndex, area: SearchArea
) -> GeocodeResult:
    """Street + number in the area; else a near spelling with the number; else the street."""
    skey = street_key(p.street)
    prefix = [area.note] if area.note else []
    all_ids = index._street_ids(skey)
    ids = index._in_area(all_ids, area)
    if len(ids):
        return _on_street(query, p, index, area, ids, skey, prefix)
    return _street_not_in_area(query, p, index, area, all_ids, skey, prefix)


def _on_street(
    query: str,
    p: ParsedAddress,
    index: AddressIndex,
    area: SearchArea,
    ids: np.ndarray,
    skey: str,
    prefix: list[str],
) -> GeocodeResult:
    """The street as written is in the area (its records ``ids``): at the number if it has
    it, else at a duplicate spelling that has it, else on the street."""
    name = index._skey_name[int(index._rec_skey[ids[0]])]
    if p.number is not None:
        hits = ids[index._number[ids] == p.number]
        if len(hits):
            return _at_number(query, p, index, area, hits, name, prefix)
        # a near-identical spelling of the street that has the number (duplicate spellings)
        sibling = _fuzzy_with_number(query, p, index, area, SIBLING_MIN, exclude=skey)
        if sibling is not None:
            return sibling
    narrowed = _one_place(index, ids, area)
    if narrowed is None:
        return _ambiguous(query, index, ids, name)
    return _street_level(query, p, index, narrowed, 100.0, name, prefix)


def _at_number(
    query: str,
    p: ParsedAddress,
    index: AddressIndex,
    area: SearchArea,
    hits: np.ndarray,
    name: str,
    prefix: list[str],
) -> GeocodeResult:
    """The address among ``hits`` (the street's records with the number): ``exact``, or
    ``fuzzy`` when the letter/addition or the place differs."""
    narrowed = _one_place(index, hits, area)
    if narrowed is None:
        return _ambiguous(query, index, hits, f"{name} {p.number_text}")
    rid, exact, note, others = _choose(index, narrowed, p)
    rec = index.record(rid)
    notes = [*prefix, note] if note else list(prefix)
    if area.city_keys and rec.city and city_key(rec.city) not in area.city_keys:
        notes.append(f"found in {rec.city} ({area.label})")  # a municipality's village
    fuzzy = not exact or (area.given and not area.found) or bool(area.note)
    return GeocodeResult(
        query,
        "fuzzy" if fuzzy else "exact",
        rec.point,
        rec.text,
        (90.0 if not exact else 95.0) if fuzzy else 100.0,
        tuple(index.record(i).text for i in others[:3]) if fuzzy else (),
        "; ".join(n for n in notes if n),
    )


def _street_not_in_area(
    query: str,
    p: ParsedAddress,
    index: AddressIndex,
    area: SearchArea,
    all_ids: np.ndarray,
    skey: str,
    prefix: list[str],
) -> GeocodeResult:
    """The street as written is not in the area (``all_ids``: its records elsewhere).

    A street that exists in another place is reported there (``failed``), not read as a
    different street; otherwise a similar street with the number (``fuzzy``), or one typo
    away without it (``street``), else ``failed`` with candidates.
    """
    elsewhere: list[str] = []
    if len(all_ids) and area.found:
        name = index._skey_name[int(index._rec_skey[all_ids[0]])]
        cities = _cities_of(index, all_ids)
        prefix.append(f"{name} is in {', '.join(cities[:5])}, not in {area.label}")
        hits = all_ids[index._number[all_ids] == p.number] if p.number is not None else all_ids
        elsewhere = list(dict.fromkeys(index.record(int(i)).text for i in hits[:3]))
        elsewhere = elsewhere or [f"{name}, {city}" for city in cities[:3]]
    best = index._fuzzy(p.street, area, 3)
    if not elsewhere:
        hit = _fuzzy_with_number(query, p, index, area, FUZZY_MIN, exclude=skey, prefix=prefix)
        if hit is not None:
            return hit
    if not elsewhere and best and best[0][1] >= ONE_TYPO_SCORE:
        # the street alone (no such number): only for one typo, not for a partial name
        k, score = best[0]
        ids = index._in_area(index._key_ids(k), area)
        narrowed = _one_place(index, ids, area)
        name = index._skey_name[k]
        if narrowed is None:
            return _ambiguous(query, index, ids, name)
        return _street_level(
            query, p, index, narrowed, score, name,
            [*prefix, f"street '{p.street}' read as {name}"],
        )  # fmt: skip
    if not elsewhere:
        prefix.append(
            f"street '{p.street}' not found" + (f" in {area.label}" if area.found else "")
        )
    return GeocodeResult(
        query,
        "failed",
        None,
        candidates=(*elsewhere, *_street_candidates(index, best, area, p))[:3],
        note="; ".join(prefix),
    )


def _fuzzy_with_number(
    query: str,
    p: ParsedAddress,
    index: AddressIndex,
    area: SearchArea,
    minimum: float,
    *,
    exclude: str,
    prefix: Sequence[str] = (),
) -> GeocodeResult | None:
    """A similarly spelled street in the area that has the wanted house number."""
    if p.number is None:
        return None
    for k, score in index._fuzzy(p.street, area, 6):
        if score < minimum or index._skeys[k] == exclude:
            continue
        ids = index._in_area(index._key_ids(k), area)
        hits = ids[index._number[ids] == p.number]
        if not len(hits):
            continue
        narrowed = _one_place(index, hits, area)
        if narrowed is None:
            return _ambiguous(query, index, hits, f"{index._skey_name[k]} {p.number_text}")
        rid, exact, note, others = _choose(index, narrowed, p)
        rec = index.record(rid)
        notes = [*prefix, f"street '{p.street}' read as {rec.street}"]
        if note:
            notes.append(note)
        score = round(score if exact else min(score, 90.0) - 5.0, 1)
        cands = [index.record(i).text for i in others[:2]]
        similar = [(k2, s2) for k2, s2 in index._fuzzy(p.street, area, 4) if k2 != k]
        cands += _street_candidates(index, [(k2, s2) for k2, s2 in similar if s2 >= 75], area, p)
        return GeocodeResult(
            query, "fuzzy", rec.point, rec.text, score, tuple(cands[:3]), "; ".join(notes)
        )
    return None


def _street_candidates(
    index: AddressIndex, best: list[tuple[int, float]], area: SearchArea, p: ParsedAddress
) -> tuple[str, ...]:
    out: list[str] = []
    for k, _ in best:
        ids = index._in_area(index._key_ids(k), area)
        if not len(ids):
            continue
        hits = ids[index._number[ids] == p.number] if p.number is not None else ids[:0]
        if len(hits):
            out.append(index.record(int(hits[0])).text)
        else:
            cities = _cities_of(index, ids)
            out.append(index._skey_name[k] + (f", {cities[0]}" if len(cities) == 1 else ""))
    return tuple(out[:3])


def _street_level(
    query: str,
    p: ParsedAddress,
    index: AddressIndex,
    ids: np.ndarray,
    similarity: float,
    name: str,
    prefix: Sequence[str] = (),
) -> GeocodeResult:
    """A point on the street: the nearest house number within its range, else its middle."""
    numbers = index._number[ids]
    known = ids[numbers >= 0]
    city = next(iter(_cities_of(index, ids)), "")
    where = name + (f" in {city}" if city and city not in name else "")
    notes = [n for n in prefix if n]
    chosen: int
    if (
        p.number is not None
        and len(known)
        and (index._number[known].min() <= p.number <= index._number[known].max())
    ):
        nums = index._number[known].astype(np.int64)
        # nearest number, same side of the street (parity) first
        cost = np.abs(nums - p.number) * 2 + (nums % 2 != p.number % 2) * 1000
        cost = cost * 4 + (index._suffix[known] != 0)
        chosen = int(known[int(np.argmin(cost))])
        rec = index.record(chosen)
        notes.append(
            f"house number {p.number_text} not found on {where}; used the nearest number "
            f"{rec.number_text}"
        )
        matched = rec.text
    else:
        lat = float(np.median(index._lat[ids]))
        lon = float(np.median(index._lon[ids]))
        d = (index._lat[ids] - lat) ** 2 + (
            (index._lon[ids] - lon) * math.cos(math.radians(lat))
        ) ** 2
        chosen = int(ids[int(np.argmin(d))])
        rec = index.record(chosen)
        if p.number is None:
            notes.append(f"no house number given; used the middle of {where}")
        else:
            notes.append(
                f"house number {p.number_text} not found on {where}; used the middle of the street"
            )
        matched = f"{rec.street}, {rec.city}" if rec.city else rec.street
    order = np.argsort(np.abs(index._number[ids].astype(np.int64) - (p.number or 0)), kind="stable")
    cands = tuple(
        dict.fromkeys(index.record(int(ids[j])).text for j in order[:4] if ids[j] != chosen)
    )
    return GeocodeResult(
        query,
        "street",
        rec.point,
        matched,
        round(min(60.0, 0.6 * similarity), 1),
        cands[:3],
        "; ".join(notes),
    )


def geocode_many(queries: Sequence[str], index: AddressIndex) -> list[GeocodeResult]:
    """Geocode several addresses; the same address (up to case and spacing) is looked up once.

    Parameters
    ----------
    queries
        The addresses.
    index
        The known addresses.

    Returns
    -------
    list of GeocodeResult
        One per query, in order; each result's ``query`` is the text as given.
    """
    cache: dict[str, GeocodeResult] = {}
    out: list[GeocodeResult] = []
    for q in queries:
        key = " ".join(q.split()).casefold()
        hit = cache.get(key)
        if hit is None:
            hit = cache[key] = geocode(q, index)
        out.append(hit if hit.query == q else replace(hit, query=q))
    return out


# ------------------------------------------------------------------------------ report
