"""The address index: known addresses held column-wise in numpy arrays, with fast lookups.

:class:`AddressIndex` is built from records, a BAG export or an OSM extract (read by
:mod:`vervoer.geo.geocode.sources`) and answers the lookups that
:func:`~vervoer.geo.geocode.resolve.geocode` combines: postcode + number, street + number,
the places and postcodes a query allows (:class:`SearchArea`), and similar street names.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, overload

import numpy as np

from vervoer.core.model import Point
from vervoer.geo.geocode.records import AddressColumns, AddressRecord, InternTable
from vervoer.geo.geocode.sources import read_bag, read_osm
from vervoer.geo.geocode.text import (
    city_key,
    compact,
    digits,
    is_dutch_postcode,
    norm_city,
    norm_postcode,
    norm_street,
    street_key,
    street_keys,
)

__all__ = [
    "CITY_FUZZY_MIN",
    "ONE_TYPO_SCORE",
    "RATIO_GUARD",
    "AddressIndex",
    "SearchArea",
    "load_index",
]

#: Minimum plain ratio as a guard against WRatio's substring matches ("Kerk" ~ "Kerkstraat").
RATIO_GUARD = 70.0
#: The score of a name of 6+ letters with one typo (a letter wrong, missing, extra or two
#: neighbours swapped: "Bolsaan" for "Boslaan"), which WRatio alone rates below 88.
ONE_TYPO_SCORE = 92.0
#: Minimum plain ratio for reading a misspelled city as a known one.
CITY_FUZZY_MIN = 80.0


@dataclass(frozen=True, slots=True)
class SearchArea:
    """Where to look: the places and postcodes a query allows."""

    given: bool  # a city or postcode was given
    found: bool  # ... and it is known in the index
    places: np.ndarray  # place ids allowed
    postcodes: np.ndarray  # postcode ids allowed
    city_keys: frozenset[str]  # the wanted city keys (to prefer a woonplaats over a gemeente)
    label: str  # for notes: "Almere" / "9490"
    note: str = ""  # "city 'Almree' read as Almere" / "city 'X' not found"


_NO_AREA = SearchArea(False, False, np.zeros(0, np.int32), np.zeros(0, np.int32), frozenset(), "")


class _RecordView(Sequence[AddressRecord]):
    """The records of an index, made on demand."""

    __slots__ = ("_index",)

    def __init__(self, index: AddressIndex) -> None:
        self._index = index

    def __len__(self) -> int:
        return len(self._index)

    @overload
    def __getitem__(self, i: int) -> AddressRecord: ...
    @overload
    def __getitem__(self, i: slice) -> list[AddressRecord]: ...
    def __getitem__(self, i: int | slice) -> AddressRecord | list[AddressRecord]:
        if isinstance(i, slice):
            return [self._index.record(j) for j in range(*i.indices(len(self)))]
        n = len(self)
        if not -n <= i < n:
            raise IndexError(i)
        return self._index.record(i % n)

    def __iter__(self) -> Iterator[AddressRecord]:
        return (self._index.record(i) for i in range(len(self)))


class AddressIndex:
    """Known addresses with fast lookups, for offline geocoding.

    Build it from records (``AddressIndex(records)``), from an OSM extract
    (:meth:`from_osm`), from a BAG export (:meth:`from_bag`), or from several
    (:meth:`merge`). The data is held column-wise in numpy arrays, so an index of a province
    loads in about a second and pickles small and fast (for caching).

    Lookups: :meth:`lookup_postcode` (postcode + number [+ letter/addition], the strongest
    key), :meth:`lookup_street` (normalised street + number [+ letter/addition] [+ city]) and
    :meth:`fuzzy_streets` (similar street names within a city); :func:`geocode` combines them.

    Attributes
    ----------
    skipped
        Rows of the source that could not be read (no house number, bad coordinates).
    """

    skipped: int
    _streets: list[str]
    _suffixes: list[tuple[str, str]]
    _postcodes: list[str]
    _places: list[tuple[str, tuple[str, ...]]]
    _sources: list[str]
    _street: np.ndarray
    _number: np.ndarray
    _suffix: np.ndarray
    _postcode: np.ndarray
    _place: np.ndarray
    _source: np.ndarray
    _lat: np.ndarray
    _lon: np.ndarray

    def __init__(self, records: Iterable[AddressRecord] = ()) -> None:
        columns = AddressColumns()
        for r in records:
            columns.add_record(r)
        self._load(columns)

    # ---------------------------------------------------------------- derived structures

    def _load(self, c: AddressColumns) -> None:
        """Take the columns (as numpy arrays) and build the lookup structures."""
        self._streets = c.streets.values
        self._suffixes = c.suffixes.values
        self._postcodes = c.postcodes.values
        self._places = c.places.values
        self._sources = c.sources.values
        self._street = np.asarray(c.street, dtype=np.int32)
        self._number = np.asarray(c.number, dtype=np.int32)
        self._suffix = np.asarray(c.suffix, dtype=np.int32)
        self._postcode = np.asarray(c.postcode, dtype=np.int32)
        self._place = np.asarray(c.place, dtype=np.int32)
        self._source = np.asarray(c.source, dtype=np.int32)
        self._lat = np.asarray(c.lat, dtype=np.float64)
        self._lon = np.asarray(c.lon, dtype=np.float64)
        self.skipped = c.skipped
        self._derive()

    @classmethod
    def _from_columns(cls, columns: AddressColumns) -> AddressIndex:
        index = cls.__new__(cls)
        index._load(columns)
        return index

    def _derive(self) -> None:
        """Build the lookup structures from the columns (fast: numpy + small tables)."""
        self._derive_streets()
        self._derive_postcodes()
        self._derive_places()
        self._cache: dict[Any, Any] = {}

    def _derive_streets(self) -> None:
        """Street keys (one per distinct normalised name, aliases for umlaut spellings), the
        name most used for each, and the records grouped by key, by number inside a key."""
        skeys: dict[str, int] = {}
        alias: dict[str, int] = {}
        street_skey = np.zeros(len(self._streets), dtype=np.int32)
        names: dict[int, Counter[str]] = {}
        for sid, name in enumerate(self._streets):
            keys = street_keys(name) if name else ("",)
            k = skeys.setdefault(keys[0], len(skeys))
            street_skey[sid] = k
            for extra in keys[1:]:
                alias.setdefault(extra, k)
        counts = np.bincount(self._street, minlength=len(self._streets))
        for sid, name in enumerate(self._streets):
            names.setdefault(int(street_skey[sid]), Counter())[name] += int(counts[sid])
        self._skeys = list(skeys)
        self._skey_ids = {**{a: k for a, k in alias.items() if a not in skeys}, **skeys}
        self._skey_name = [
            names[k].most_common(1)[0][0] if k in names else "" for k in range(len(skeys))
        ]
        self._skey_raw = [norm_street(name).replace(" ", "") for name in self._skey_name]
        rec_skey = street_skey[self._street] if len(self._street) else np.zeros(0, np.int32)
        self._rec_skey = rec_skey
        order = np.lexsort((self._number, rec_skey)).astype(np.int32)
        self._st_order = order
        self._st_start = np.searchsorted(rec_skey[order], np.arange(len(skeys) + 1)).astype(
            np.int64
        )

    def _derive_postcodes(self) -> None:
        """Postcode + number: one sorted int64 key per record."""
        pc_key = (self._postcode.astype(np.int64) << 21) | (
            self._number.astype(np.int64) & 0x1FFFFF
        )
        pc_order = np.argsort(pc_key, kind="stable").astype(np.int32)
        self._pc_order = pc_order
        self._pc_keys = pc_key[pc_order]
        self._pc_ids = {pc: i for i, pc in enumerate(self._postcodes) if pc}

    def _derive_places(self) -> None:
        """A city key per place, the places of every area key (city, municipality,
        boundary), the shortest name of each area, and the street keys in each place."""
        self._place_city = [city_key(city) for city, _ in self._places]
        area_places: dict[str, set[int]] = {}
        for pid, (city, areas) in enumerate(self._places):
            for name in (city, *areas):
                if name:
                    area_places.setdefault(city_key(name), set()).add(pid)
        self._area_places = {k: np.array(sorted(v), np.int32) for k, v in area_places.items()}
        self._area_names: dict[str, str] = {}
        for city, areas in self._places:
            for name in (city, *areas):
                have = self._area_names.get(city_key(name), name)
                if name and (len(name), name) <= (len(have), have):  # "Balzers" < "Balzers (FL)"
                    self._area_names[city_key(name)] = name
        n_keys = len(self._skeys)
        pairs = np.unique(self._place.astype(np.int64) * (n_keys + 1) + self._rec_skey)
        place_of, skey_of = np.divmod(pairs, n_keys + 1)
        bounds = np.searchsorted(place_of, np.arange(len(self._places) + 1))
        self._place_skeys = [
            skey_of[bounds[p] : bounds[p + 1]].astype(np.int32) for p in range(len(self._places))
        ]

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_cache"] = {}
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    # ---------------------------------------------------------------- construction

    @classmethod
    def from_records(cls, records: Iterable[AddressRecord]) -> AddressIndex:
        """An index over ``records`` (same as ``AddressIndex(records)``)."""
        return cls(records)

    @classmethod
    def merge(cls, *indexes: AddressIndex) -> AddressIndex:
        """One index over the addresses of several (e.g. a BAG export and an OSM extract).

        Parameters
        ----------
        *indexes
            The indexes to combine; where several hold the same address, the first one's
            record wins an exact lookup.

        Returns
        -------
        AddressIndex
            A new index; the inputs are not changed.
        """
        columns = AddressColumns()
        for ix in indexes:
            ix._append_to(columns)
        columns.skipped = sum(ix.skipped for ix in indexes)
        return cls._from_columns(columns)

    def _append_to(self, columns: AddressColumns) -> None:
        """Append all rows to ``columns`` (tables remapped, columns concatenated)."""

        def remap(table: InternTable, values: list[Any], column: np.ndarray) -> list[int]:
            lut = np.array([table.add(v) for v in values], dtype=np.int64)
            return lut[column].tolist() if len(column) else []

        columns.street += remap(columns.streets, self._streets, self._street)
        columns.number += self._number.tolist()
        columns.suffix += remap(columns.suffixes, self._suffixes, self._suffix)
        columns.postcode += remap(columns.postcodes, self._postcodes, self._postcode)
        columns.place += remap(columns.places, self._places, self._place)
        columns.source += remap(columns.sources, self._sources, self._source)
        columns.lat += self._lat.tolist()
        columns.lon += self._lon.tolist()

    @classmethod
    def from_bag(cls, path: Path | str) -> AddressIndex:
        """An index over a BAG address export (CSV, plain or zstandard-compressed).

        Parameters
        ----------
        path
            The export; :func:`~vervoer.geo.geocode.sources.read_bag` describes its columns.

        Returns
        -------
        AddressIndex
            Unreadable rows are counted in ``skipped``. The municipality ("gemeente") also
            counts as a place name, so ``Kerkstraat 1, Noordoostpolder`` finds Kerkstraat in
            Emmeloord.

        Raises
        ------
        InputError
            When the file cannot be read or lacks a needed column.
        """
        return cls._from_columns(read_bag(path))

    @classmethod
    def from_osm(cls, path: Path | str) -> AddressIndex:
        """An index over the addresses of an OSM extract (``.osm.pbf``), read with pyrosm.

        Nodes and ways (buildings: their centroid) with ``addr:housenumber`` and
        ``addr:street`` (or ``addr:place``) are read. A list of numbers (``76, 76a``) gives one
        record per number; a range ``3-7`` gives both ends. Where ``addr:city`` is missing, the
        smallest administrative boundary (admin_level 8-10, a municipality or "woonplaats")
        that holds the address names its place, so a city in a query can be checked (see
        :func:`~vervoer.geo.geocode.sources.read_osm`).

        Parameters
        ----------
        path
            The extract.

        Returns
        -------
        AddressIndex
            Objects without a street are counted in ``skipped``.

        Raises
        ------
        InputError
            When the file cannot be read.
        """
        return cls._from_columns(read_osm(path))

    # ---------------------------------------------------------------- records

    def __len__(self) -> int:
        return len(self._number)

    def __iter__(self) -> Iterator[AddressRecord]:
        return iter(self.records)

    def __repr__(self) -> str:
        sources = ", ".join(sorted(set(self._sources) - {""}))
        return f"AddressIndex({len(self)} addresses, {len(self._skeys)} streets, {sources})"

    @property
    def records(self) -> Sequence[AddressRecord]:
        """All records, made on demand (``index.records[0]``, ``len``, iteration)."""
        return _RecordView(self)

    def record(self, i: int) -> AddressRecord:
        """The record with position ``i``."""
        letter, addition = self._suffixes[self._suffix[i]]
        number = int(self._number[i])
        return AddressRecord(
            street=self._streets[self._street[i]],
            housenumber=None if number < 0 else number,
            letter=letter,
            addition=addition,
            postcode=self._postcodes[self._postcode[i]],
            city=self._places[self._place[i]][0],
            point=Point(float(self._lat[i]), float(self._lon[i])),
            source=self._sources[self._source[i]],
        )

    @property
    def cities(self) -> list[str]:
        """The known places (woonplaatsen, municipalities, boundaries), sorted."""
        return sorted(set(self._area_names.values()))

    # ---------------------------------------------------------------- lookups

    def lookup_postcode(
        self, postcode: str, number: int, letter: str | None = None, addition: str | None = None
    ) -> list[AddressRecord]:
        """Addresses with this postcode and house number (and letter/addition, when given).

        Parameters
        ----------
        postcode
            ``1234AB`` / ``1234 ab`` (or a numeric postcode, though that is rarely unique).
        number
            The house number.
        letter, addition
            None: any; ``""``: none.

        Returns
        -------
        list of AddressRecord
            Possibly empty.
        """
        ids = self._pc_ids_for(norm_postcode(postcode), number)
        return [self.record(int(i)) for i in self._filter_suffix(ids, letter, addition)]

    def lookup_street(
        self,
        street: str,
        number: int | None = None,
        letter: str | None = None,
        addition: str | None = None,
        city: str | None = None,
    ) -> list[AddressRecord]:
        """Addresses on a street (normalised exact name), optionally by number and city.

        Parameters
        ----------
        street
            The street name in any case, with or without diacritics or abbreviations.
        number
            The house number, or None for every address on the street.
        letter, addition
            None: any; ``""``: none.
        city
            A place (woonplaats or municipality), or None for every place.

        Returns
        -------
        list of AddressRecord
            In house-number order; possibly empty.
        """
        ids = self._street_ids(street_key(street))
        if city:
            area = self._area(norm_city(city), "")
            ids = self._in_area(ids, area) if area.found else ids[:0]
        if number is not None:
            ids = ids[self._number[ids] == number]
        return [self.record(int(i)) for i in self._filter_suffix(ids, letter, addition)]

    def fuzzy_streets(
        self, street: str, city: str | None = None, limit: int = 3
    ) -> list[tuple[str, float]]:
        """The street names most like ``street`` (rapidfuzz WRatio), within a city if given.

        Parameters
        ----------
        street
            A street name as written.
        city
            A place to look in, or None for all (also when the place is not known).
        limit
            How many names at most.

        Returns
        -------
        list of (str, float)
            Street names (as the source writes them) with their similarity 0-100, best first.
        """
        area = self._area(norm_city(city), "") if city else _NO_AREA
        return [
            (self._skey_name[k], s)
            for k, s in self._fuzzy(norm_street(street), area if area.found else _NO_AREA, limit)
        ]

    # ---------------------------------------------------------------- internals

    def _pc_ids_for(self, postcode: str, number: int) -> np.ndarray:
        pid = self._pc_ids.get(postcode)
        if pid is None or number < 0:
            return np.zeros(0, np.int32)
        key = (pid << 21) | (number & 0x1FFFFF)
        lo, hi = np.searchsorted(self._pc_keys, [key, key + 1])
        return self._pc_order[lo:hi]

    def _pc_records(self, pids: Iterable[int]) -> np.ndarray:
        parts = []
        for pid in pids:
            lo, hi = np.searchsorted(self._pc_keys, [pid << 21, (pid + 1) << 21])
            parts.append(self._pc_order[lo:hi])
        return np.concatenate(parts) if parts else np.zeros(0, np.int32)

    def _street_ids(self, skey: str) -> np.ndarray:
        k = self._skey_ids.get(skey)
        if k is None or not skey:
            return np.zeros(0, np.int32)
        return self._key_ids(k)

    def _key_ids(self, k: int) -> np.ndarray:
        """The records of street key ``k``, by house number."""
        return self._st_order[self._st_start[k] : self._st_start[k + 1]]

    def _filter_suffix(
        self, ids: np.ndarray, letter: str | None, addition: str | None
    ) -> np.ndarray:
        if letter is None and addition is None:
            return ids
        keep = []
        for i in ids:
            have_l, have_a = self._suffixes[self._suffix[i]]
            if (letter is None or have_l == letter.lower()) and (
                addition is None or have_a == addition.lower()
            ):
                keep.append(i)
        return np.asarray(keep, dtype=np.int32)

    def _area(self, city: str, postcode: str) -> SearchArea:
        """The places/postcodes a query's city and postcode allow (cached)."""
        cache_key = ("area", city, postcode)
        cached: SearchArea | None = self._cache.get(cache_key)
        if cached is not None:
            return cached
        ckey, hit, notes = self._city_places(city)
        places: set[int] = set() if hit is None else set(hit.tolist())
        found = hit is not None
        label = self._area_names.get(ckey, city) if found else ""
        city_keys = frozenset({ckey}) if found else frozenset()
        pcs: set[int] = set()
        if postcode:
            prefix = postcode[:4] if is_dutch_postcode(postcode) else postcode
            pcs = {pid for pc, pid in self._pc_ids.items() if pc.startswith(prefix)}
            if pcs:
                found = True
                label = label or postcode
                if not ckey:  # the places of the postcode (records in them may lack one)
                    rids = self._pc_records(pcs)
                    places.update(int(p) for p in np.unique(self._place[rids]) if p)
        if (ckey or postcode) and not found:
            what = " ".join(x for x in (postcode, city) if x)
            notes.append(f"place '{what}' not found")
        area = SearchArea(
            given=bool(ckey or postcode),
            found=found,
            places=np.array(sorted(places), np.int32),
            postcodes=np.array(sorted(pcs), np.int32),
            city_keys=city_keys,
            label=label,
            note="; ".join(notes),
        )
        self._cache[cache_key] = area
        return area

    def _city_places(self, city: str) -> tuple[str, np.ndarray | None, list[str]]:
        """The area key of a city (a misspelled one read as the nearest known), its places
        (None when not known), and a note when it was read as another."""
        ckey = city.replace(" ", "")
        if not ckey:
            return ckey, None, []
        hit = self._area_places.get(ckey)
        notes: list[str] = []
        if hit is None and len(ckey) >= 3:
            from rapidfuzz import fuzz, process

            best = process.extractOne(
                ckey, list(self._area_places), scorer=fuzz.ratio, score_cutoff=CITY_FUZZY_MIN
            )
            if best is not None:
                hit = self._area_places[best[0]]
                notes.append(f"city '{city}' read as {self._area_names[best[0]]}")
                ckey = best[0]
        return ckey, hit, notes

    def _in_area(self, ids: np.ndarray, area: SearchArea) -> np.ndarray:
        if not area.found or not len(ids):
            return ids
        place = self._place[ids]
        pcs = self._postcode[ids]
        mask = np.isin(place, area.places) | np.isin(pcs, area.postcodes)
        mask |= (place == 0) & (pcs == 0)  # no place known: cannot contradict
        return ids[mask]

    def _choices(self, area: SearchArea) -> tuple[list[str], list[str], np.ndarray]:
        """The street keys to compare with in an area (all when none is found).

        Returns the keys, the same names without the straat/strasse unification, their ids.
        """
        cache_key = ("choices", area.label, area.places.tobytes(), area.postcodes.tobytes())
        hit: tuple[list[str], list[str], np.ndarray] | None = self._cache.get(cache_key)
        if hit is not None:
            return hit
        if not area.found:
            ks = np.arange(len(self._skeys), dtype=np.int32)
        else:
            parts = [self._place_skeys[p] for p in area.places.tolist()]
            parts.append(self._place_skeys[0])
            if len(area.postcodes):
                parts.append(self._rec_skey[self._pc_records(area.postcodes.tolist())])
            ks = np.unique(np.concatenate(parts)) if parts else np.zeros(0, np.int32)
        ids = ks.tolist()
        result = ([self._skeys[k] for k in ids], [self._skey_raw[k] for k in ids], ks)
        self._cache[cache_key] = result
        return result

    def _fuzzy(self, street: str, area: SearchArea, limit: int) -> list[tuple[int, float]]:
        """Streets like ``street`` (normalised) in the area: (key id, score), best first.

        The score is rapidfuzz's WRatio, of the unified keys ("...straat" = "...strasse") or of
        the names as written, whichever is higher; a name that differs by one typo scores at
        least :data:`ONE_TYPO_SCORE`; a mere substring ("Kerk" in "Kerkstraat") scores its
        plain ratio, and names with other digits ("Karveel 38" for "Karveel 39") never match.
        """
        from rapidfuzz import fuzz, process
        from rapidfuzz.distance import OSA

        key, raw = compact(street), street.replace(" ", "")
        if not key:
            return []
        keys, raws, ks = self._choices(area)
        want_digits = digits(key)
        best: dict[int, float] = {}
        n = max(limit * 4, 12)
        for query, names in ((key, keys), (raw, raws)):
            for name, score, pos in process.extract(query, names, scorer=fuzz.WRatio, limit=n):
                if digits(name) != want_digits:
                    continue
                ratio = fuzz.ratio(query, name)
                if ratio < RATIO_GUARD:
                    score = min(score, ratio)
                elif min(len(query), len(name)) >= 6 and OSA.distance(query, name) == 1:
                    score = max(score, ONE_TYPO_SCORE)
                k = int(ks[pos])
                best[k] = max(best.get(k, 0.0), float(score))
        return sorted(best.items(), key=lambda t: -t[1])[:limit]


def load_index(path: Path | str, *, kind: Literal["osm", "bag"]) -> AddressIndex:
    """An address index from an OSM extract (``kind="osm"``) or a BAG export (``"bag"``).

    Parameters
    ----------
    path
        The file.
    kind
        ``"osm"`` for an ``.osm.pbf`` extract, ``"bag"`` for a BAG export.

    Returns
    -------
    AddressIndex
        See :meth:`AddressIndex.from_osm` and :meth:`AddressIndex.from_bag`.
    """
    return AddressIndex.from_osm(path) if kind == "osm" else AddressIndex.from_bag(path)
