"""Offline geocoding from the address tags of an OSM extract and from a BAG export.

No address ever leaves the machine: every lookup runs against an :class:`AddressIndex` built
from local files (an ``.osm.pbf`` extract with ``addr:*`` tags, and/or a BAG export of the
Dutch national address register). There is no online geocoder here.

Dutch forms are understood ("Slotlaan 12, 3701 GK Zeist", "3701GK 12", "3701 gk 12-2",
"Slotlaan 12a Zeist", "Slotlaan 12 A", "Slotlaan 12 bis", "Kerkstr. 5, Utrecht"), as are
Liechtenstein/German ones ("Städtle 1, 9490 Vaduz"); case, diacritics, extra spaces and
commas do not matter, and common abbreviations are written out (str. = straat, ln. = laan,
wg. = weg, pl. = plein, Burg. = Burgemeester, St. = Sint).

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

import csv
import io
import json
import math
import re
import unicodedata
import warnings
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal, overload

import numpy as np

from vervoer.core.errors import InputError
from vervoer.core.files import write_csv
from vervoer.core.model import Point

__all__ = [
    "REPORT_COLUMNS",
    "AddressIndex",
    "AddressRecord",
    "GeocodeResult",
    "ParsedAddress",
    "ReportRow",
    "Status",
    "geocode",
    "geocode_many",
    "load_index",
    "parse_address",
    "write_geocode_report",
]

Status = Literal["exact", "fuzzy", "street", "failed"]

#: Minimum rapidfuzz ``WRatio`` for a street spelled differently to count as the same street.
FUZZY_MIN = 88.0
#: Minimum similarity for a *different* street that has the wanted number, when the street as
#: written exists but lacks that number (e.g. a duplicate spelling in OSM data).
SIBLING_MIN = 95.0
#: Minimum plain ratio as a guard against WRatio's substring matches ("Kerk" ~ "Kerkstraat").
_RATIO_GUARD = 70.0
#: The score of a name of 6+ letters with one typo (a letter wrong, missing, extra or two
#: neighbours swapped: "Bolsaan" for "Boslaan"), which WRatio alone rates below 88.
ONE_TYPO_SCORE = 92.0
#: Minimum plain ratio for reading a misspelled city as a known one.
CITY_FUZZY_MIN = 80.0

REPORT_COLUMNS = (
    "table",
    "id",
    "address",
    "status",
    "lat",
    "lon",
    "matched",
    "score",
    "candidates",
    "note",
)

# ------------------------------------------------------------------------------ text


_TRANSLIT = str.maketrans(
    {
        "ß": "ss",
        "ẞ": "ss",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "ø": "o",
        "Ø": "o",
        "ł": "l",
        "Ł": "l",
        "đ": "d",
        "Đ": "d",
        "ĳ": "ij",
        "Ĳ": "ij",
        "’": "'",
        "‘": "'",
        "`": "'",
        "´": "'",
        "–": "-",
        "—": "-",
        "‐": "-",
    }
)
_UMLAUT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "ae", "Ö": "oe", "Ü": "ue"})


def _fold(text: str) -> str:
    """Lower case ASCII without diacritics; punctuation kept."""
    text = unicodedata.normalize("NFKD", text.translate(_TRANSLIT))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.encode("ascii", "ignore").decode("ascii").lower()


_ABBREVIATIONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), r)
    for p, r in (
        (r"(?<=[a-z])str(?:\.|\b)", "straat"),  # Kerkstr. / Kerkstr
        (r"\bstr\b\.?", "straat"),  # Kerk str.
        (r"(?<=[a-z])ln\.", "laan"),
        (r"\bln\b\.?", "laan"),
        (r"(?<=[a-z])wg\.", "weg"),
        (r"\bwg\b\.?", "weg"),
        (r"(?<=[a-z])pl\.", "plein"),
        (r"\bpl\b\.?", "plein"),
        (r"\bburg\.\s*", "burgemeester "),
        (r"\bburg\s+(?=[a-z])", "burgemeester "),
        (r"^st(?:\.\s*|\s+)(?=[a-z])", "sint "),
        (r"\bst\.\s*(?=[a-z])", "sint "),
        (r"\bprof\b\.?\s*(?=[a-z])", "professor "),
        (r"\bdr\b\.?\s*(?=[a-z])", "dokter "),
        (r"\bmr\b\.?\s*(?=[a-z])", "meester "),
    )
)
_APOSTROPHE = re.compile(r"(?<=[a-z])'(?=[a-z])|^'|(?<=\s)'")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_SPACES = re.compile(r"\s+")
_PARENS = re.compile(r"\([^)]*\)")


def _norm_street(text: str) -> str:
    """A street name folded, abbreviations written out, single spaces (``kerkstraat``)."""
    text = _fold(text).strip()
    text = _APOSTROPHE.sub("", text)
    for pattern, repl in _ABBREVIATIONS:
        text = pattern.sub(repl, text)
    return _SPACES.sub(" ", _NON_ALNUM.sub(" ", text)).strip()


def _norm_city(text: str) -> str:
    """A place name folded, without a parenthesised suffix (``Balzers (FL)``)."""
    text = _APOSTROPHE.sub("", _PARENS.sub(" ", _fold(text)))
    return _SPACES.sub(" ", _NON_ALNUM.sub(" ", text)).strip()


def _compact(normalised: str) -> str:
    """The comparison key of a normalised street: no spaces, German ``strasse`` = ``straat``."""
    key = normalised.replace(" ", "")
    return key.replace("strasse", "straat").replace("sankt", "sint")


def _street_key(text: str) -> str:
    return _compact(_norm_street(text))


def _city_key(text: str) -> str:
    return _norm_city(text).replace(" ", "")


def _street_keys(display: str) -> tuple[str, ...]:
    """The primary key of a street name and its alias with umlauts written as ae/oe/ue."""
    key = _street_key(display)
    alias = _street_key(display.translate(_UMLAUT))
    return (key,) if alias == key else (key, alias)


def _digits(key: str) -> list[str]:
    return re.findall(r"\d+", key)


def _norm_postcode(text: str) -> str:
    """``1234 ab`` -> ``1234AB``; numeric postcodes stay as they are; anything else -> ''."""
    pc = re.sub(r"\s+", "", str(text or "")).upper()
    if re.fullmatch(r"[1-9]\d{3}[A-Z]{2}|\d{4,5}", pc):
        return pc
    return ""


def _is_dutch_postcode(pc: str) -> bool:
    return len(pc) == 6 and pc[:4].isdigit() and pc[4:].isalpha()


def _number_text(number: int | None, letter: str, addition: str) -> str:
    text = "" if number is None else str(number)
    text += letter
    if addition:
        text += f"-{addition}"
    return text


# ------------------------------------------------------------------------------ records


@dataclass(frozen=True, slots=True, kw_only=True)
class AddressRecord:
    """One known address with its position.

    Attributes
    ----------
    street
        The street name as the source writes it (``Oostvaardersdiep``).
    housenumber
        The house number, or None when the source has none.
    letter
        The house letter in lower case (``"a"`` of 12a), or ``""``.
    addition
        The house-number addition in lower case (``"2"`` of 12-2, ``"bis"``), or ``""``.
    postcode
        ``1234AB`` for a Dutch postcode, a numeric postcode (``9490``) otherwise, or ``""``.
    city
        The place ("woonplaats"), or ``""``.
    point
        The position (for a building: its centroid).
    source
        ``"bag"`` or ``"osm"``.
    """

    street: str
    housenumber: int | None
    letter: str = ""
    addition: str = ""
    postcode: str = ""
    city: str = ""
    point: Point
    source: str = "osm"

    @property
    def number_text(self) -> str:
        """The house number as written: ``12``, ``12a``, ``12-2``, ``12a-2``."""
        return _number_text(self.housenumber, self.letter, self.addition)

    @property
    def text(self) -> str:
        """The address as it is written: ``Oostvaardersdiep 1, 1309AA Almere``."""
        tail = " ".join(x for x in (self.postcode, self.city) if x)
        head = f"{self.street} {self.number_text}".strip()
        return head + (f", {tail}" if tail else "")

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class ParsedAddress:
    """An address split into its parts, normalised for comparison.

    Attributes
    ----------
    street
        Lower case, no diacritics, abbreviations written out (``kerkstraat``); ``""`` if none.
    number
        The house number, or None.
    letter
        A single house letter in lower case, or ``""``.
    addition
        The addition in lower case (``2``, ``bis``, ``hs``, ``ii``), or ``""``.
    postcode
        ``1234AB`` for a Dutch postcode; a bare 4-5 digit postcode (``9490``, or a Dutch
        ``3701`` without letters) is kept as it is; ``""`` if none.
    city
        The place, normalised (``vaduz``); ``""`` if none.
    other
        Other comma-separated parts that were neither street nor city (a building name).
    """

    street: str
    number: int | None
    letter: str
    addition: str
    postcode: str
    city: str
    other: tuple[str, ...] = ()

    @property
    def number_text(self) -> str:
        """The house number as written (``12a-2``), or ``""``."""
        return _number_text(self.number, self.letter, self.addition)


_NL_POSTCODE = re.compile(r"(?<![\w-])([1-9]\d{3}) ?([a-z]{2})(?![a-z0-9])")
_COUNTRY_PREFIX = re.compile(r"\b(?:nl|fl|li|ch|d|de|a|at)-(?=\d{4})")
_NUMBER_TOKEN = re.compile(r"(\d{1,5})(?:([a-z])(?![a-z]))?(?:[-/]?([a-z0-9]{1,6}))?")
_ADDITION_WORDS = frozenset(
    {
        "bis",
        "hs",
        "h",
        "huis",
        "bg",
        "bgg",
        "bv",
        "boven",
        "bov",
        "beneden",
        "ben",
        "ii",
        "iii",
        "iv",
        "vi",
        "rd",
        "zw",
        "sous",
    }
)
_ADDITION_FORM = re.compile(r"\d{1,3}[a-z]?|\d{1,2}(?:e|de|ste|hg|hoog)|[a-z]{1,2}\d{1,3}")
_NUMBER_WORDS = frozenset({"nr", "no", "nummer", "huisnummer", "hnr"})
_COUNTRIES = frozenset(
    {
        "nederland",
        "netherlands",
        "the netherlands",
        "holland",
        "nl",
        "liechtenstein",
        "fl",
        "li",
        "furstentum liechtenstein",
        "schweiz",
        "switzerland",
        "ch",
        "deutschland",
        "germany",
        "osterreich",
        "austria",
    }
)
_TRAILING_COUNTRY = re.compile(r"\s+(?:nederland|netherlands|liechtenstein)$")


@dataclass(frozen=True, slots=True)
class _Reading:
    """The parse, and an alternative reading of ``Wijk 7 12`` (street ``Wijk 7``, number 12)."""

    parsed: ParsedAddress
    alternatives: tuple[ParsedAddress, ...] = ()


def parse_address(text: str) -> ParsedAddress:
    """Split a free-text Dutch (or Liechtenstein/German) address into its parts.

    Parameters
    ----------
    text
        An address as a person writes it, e.g. ``"Slotlaan 12, 3701 GK Zeist"``,
        ``"3701GK 12"``, ``"3701 gk 12-2"``, ``"Slotlaan 12a Zeist"``, ``"Slotlaan 12 bis"``,
        ``"Kerkstr. 5, Utrecht"`` or ``"Städtle 1, 9490 Vaduz"``.

    Returns
    -------
    ParsedAddress
        The parts, normalised (lower case, no diacritics, abbreviations written out).
        ``Slotlaan 12 2`` reads as number 12 with addition 2 (:func:`geocode` also tries a
        street named ``Slotlaan 12``, as Urk's ``Wijk 7 12``).

    Examples
    --------
    >>> parse_address("Kerkstr. 5, Utrecht")
    ParsedAddress(street='kerkstraat', number=5, letter='', addition='', postcode='', \
city='utrecht', other=())
    """
    return _read(text).parsed


def _read(text: str) -> _Reading:
    s = _fold(text).replace(";", ",").replace("\n", ",").replace("|", ",")
    s = _SPACES.sub(" ", s).strip()
    s = _COUNTRY_PREFIX.sub("", s)
    # "12 - 2", "12 /2" -> "12-2"; only right after a house number
    s = re.sub(r"(?<=\d)\s*([-/])\s*(?=[a-z0-9]{1,4}\b)", r"\1", s)
    s = re.sub(r"(?<=\d[a-z])\s*([-/])\s*(?=[a-z0-9]{1,4}\b)", r"\1", s)
    postcode = ""
    found = list(_NL_POSTCODE.finditer(s))
    if found:
        m = found[-1]
        postcode = (m.group(1) + m.group(2)).upper()
        s = s[: m.start()] + " , " + s[m.end() :]
    segments = [seg.strip(" .-") for seg in s.split(",")]
    segments = [seg for seg in segments if seg and seg not in _COUNTRIES]
    if segments:
        segments[-1] = _TRAILING_COUNTRY.sub("", segments[-1])
    tokens = [seg.split() for seg in segments]

    city_from_postcode = ""
    if not postcode:  # a 4-5 digit postcode followed by the place: "9490 Vaduz"
        for i, toks in enumerate(tokens):
            for j, tok in enumerate(toks):
                if (
                    re.fullmatch(r"\d{4,5}", tok)
                    and j + 1 < len(toks)
                    and all(re.fullmatch(r"[a-z][a-z'.()-]*", t) for t in toks[j + 1 :])
                    and (j == 0 or toks[j - 1][0].isdigit())
                ):
                    postcode = tok
                    city_from_postcode = " ".join(toks[j + 1 :])
                    tokens[i] = toks[:j]
                    break
            if postcode:
                break
        segment_texts = [toks for toks in tokens if toks]
    else:
        segment_texts = [toks for toks in tokens if toks]

    def is_number(tok: str) -> bool:
        return bool(tok[0].isdigit() and _NUMBER_TOKEN.fullmatch(tok))

    # the segment with the house number: street then number; else one starting with a number
    where: tuple[int, int] | None = None
    for i, toks in enumerate(segment_texts):
        nums = [j for j, t in enumerate(toks) if j > 0 and is_number(t)]
        if nums and any(re.search("[a-z]", t) for t in toks[: nums[-1]]):
            where = (i, nums[-1])
            break
    if where is None:
        for i, toks in enumerate(segment_texts):
            if toks and is_number(toks[0]):
                where = (i, 0)
                break

    street_toks: list[str] = []
    rest: list[str] = []
    number: int | None = None
    letter = addition = ""
    alt_street: list[str] | None = None
    alt_number = ""
    seg_index = -1
    if where is not None:
        seg_index, k = where
        toks = segment_texts[seg_index]
        tok = toks[k]
        consumed = 1  # tokens of the house number
        letter_tok = ""
        if (
            k >= 2
            and re.fullmatch(r"\d{1,3}[a-z]?", tok)
            and re.fullmatch(r"\d{1,5}[a-z]?", toks[k - 1])
            and re.search("[a-z]", toks[k - 2])
        ):  # "Slotlaan 12 2": the last number is an addition of the number before it
            alt_street, alt_number = toks[:k], tok
            addition = tok
            k, consumed = k - 1, 2
        elif (
            k >= 3
            and re.fullmatch(r"\d{1,3}", tok)
            and re.fullmatch(r"[a-z]", toks[k - 1])
            and re.fullmatch(r"\d{1,5}", toks[k - 2])
            and re.search("[a-z]", toks[k - 3])
        ):  # "26 a 1": number, letter, addition
            addition, letter_tok = tok, toks[k - 1]
            k, consumed = k - 2, 3
        tok = toks[k]
        m = _NUMBER_TOKEN.fullmatch(tok)
        assert m is not None
        number = int(m.group(1))
        letter = m.group(2) or letter_tok
        addition = m.group(3) or addition
        street_toks = [t for t in toks[:k] if t.rstrip(".") not in _NUMBER_WORDS]
        rest = toks[k + consumed :]
        if rest and not letter and not m.group(3) and re.fullmatch(r"[a-z]", rest[0]):
            letter, rest = rest[0], rest[1:]
        if (
            rest
            and not addition
            and (rest[0] in _ADDITION_WORDS or _ADDITION_FORM.fullmatch(rest[0]))
        ):
            addition, rest = rest[0], rest[1:]
        if alt_street is not None:
            alt_street = [t for t in alt_street if t.rstrip(".") not in _NUMBER_WORDS]

    # the place: after the number, else the next part, else the part before
    city = city_from_postcode
    others: list[str] = []
    after = [" ".join(t) for t in segment_texts[seg_index + 1 :]] if where else []
    before = [" ".join(t) for t in segment_texts[:seg_index]] if where else []
    if where is None:
        # no house number: the first part is the street, the next one the place
        parts = [" ".join(t) for t in segment_texts]
        if parts:
            street_toks = parts[0].split()
            after = parts[1:]
    if not city and rest:
        city = " ".join(rest)
    elif rest:
        others.append(" ".join(rest))
    for part in after:
        if not city:
            city = part
        else:
            others.append(part)
    if where is not None and not street_toks and before:
        # "Slotlaan, 12" or "Zeist, Slotlaan 12" (the street has no number in its part)
        street_toks = before.pop().split()
    for part in before:
        if not city:
            city = part
        else:
            others.append(part)

    parsed = ParsedAddress(
        street=_norm_street(" ".join(street_toks)),
        number=number,
        letter=letter,
        addition=addition,
        postcode=postcode,
        city=_norm_city(city),
        other=tuple(_norm_city(o) for o in others if _norm_city(o)),
    )
    alternatives: list[ParsedAddress] = []
    alt = _NUMBER_TOKEN.fullmatch(alt_number)
    if alt_street is not None and alt is not None:
        alternatives.append(
            replace(parsed, street=_norm_street(" ".join(alt_street)), number=int(alt.group(1)),
                    letter=alt.group(2) or "", addition=alt.group(3) or "")
        )  # fmt: skip
    if not parsed.street and parsed.city and not parsed.postcode:
        alternatives.append(replace(parsed, street=parsed.city, city=""))  # "12 Slotlaan"
    return _Reading(parsed, tuple(alternatives))


# ------------------------------------------------------------------------------ the index


class _Table:
    """Values interned to small integer ids (id 0 is ``empty``)."""

    __slots__ = ("ids", "values")

    def __init__(self, empty: Any) -> None:
        self.ids: dict[Any, int] = {empty: 0}
        self.values: list[Any] = [empty]

    def add(self, value: Any) -> int:
        i = self.ids.get(value)
        if i is None:
            i = self.ids[value] = len(self.values)
            self.values.append(value)
        return i


class _Builder:
    """Collects address rows column-wise; :meth:`build` makes the index."""

    def __init__(self) -> None:
        self.streets = _Table("")
        self.suffixes = _Table(("", ""))
        self.postcodes = _Table("")
        self.places = _Table(("", ()))
        self.sources = _Table("")
        self.street: list[int] = []
        self.number: list[int] = []
        self.suffix: list[int] = []
        self.postcode: list[int] = []
        self.place: list[int] = []
        self.source: list[int] = []
        self.lat: list[float] = []
        self.lon: list[float] = []

    def add(
        self,
        *,
        street: str,
        number: int | None,
        letter: str,
        addition: str,
        postcode: str,
        city: str,
        areas: tuple[str, ...],
        lat: float,
        lon: float,
        source: str,
    ) -> None:
        self.street.append(self.streets.add(street))
        self.number.append(-1 if number is None else number)
        self.suffix.append(self.suffixes.add((letter, addition)))
        self.postcode.append(self.postcodes.add(postcode))
        self.place.append(self.places.add((city, areas)))
        self.source.append(self.sources.add(source))
        self.lat.append(lat)
        self.lon.append(lon)

    def add_index(self, index: AddressIndex) -> None:
        """Append all rows of ``index`` (tables remapped, columns concatenated)."""

        def remap(table: _Table, values: list[Any], column: np.ndarray) -> list[int]:
            lut = np.array([table.add(v) for v in values], dtype=np.int64)
            return lut[column].tolist() if len(column) else []

        self.street += remap(self.streets, index._streets, index._street)
        self.number += index._number.tolist()
        self.suffix += remap(self.suffixes, index._suffixes, index._suffix)
        self.postcode += remap(self.postcodes, index._postcodes, index._postcode)
        self.place += remap(self.places, index._places, index._place)
        self.source += remap(self.sources, index._sources, index._source)
        self.lat += index._lat.tolist()
        self.lon += index._lon.tolist()

    def build(self, skipped: int = 0) -> AddressIndex:
        index = AddressIndex.__new__(AddressIndex)
        index._streets = self.streets.values
        index._suffixes = self.suffixes.values
        index._postcodes = self.postcodes.values
        index._places = self.places.values
        index._sources = self.sources.values
        index._street = np.asarray(self.street, dtype=np.int32)
        index._number = np.asarray(self.number, dtype=np.int32)
        index._suffix = np.asarray(self.suffix, dtype=np.int32)
        index._postcode = np.asarray(self.postcode, dtype=np.int32)
        index._place = np.asarray(self.place, dtype=np.int32)
        index._source = np.asarray(self.source, dtype=np.int32)
        index._lat = np.asarray(self.lat, dtype=np.float64)
        index._lon = np.asarray(self.lon, dtype=np.float64)
        index.skipped = skipped
        index._derive()
        return index


@dataclass(frozen=True, slots=True)
class _Area:
    """Where to look: the places and postcodes a query allows."""

    given: bool  # a city or postcode was given
    found: bool  # ... and it is known in the index
    places: np.ndarray  # place ids allowed
    postcodes: np.ndarray  # postcode ids allowed
    city_keys: frozenset[str]  # the wanted city keys (to prefer a woonplaats over a gemeente)
    label: str  # for notes: "Almere" / "9490"
    note: str = ""  # "city 'Almree' read as Almere" / "city 'X' not found"


_NO_AREA = _Area(False, False, np.zeros(0, np.int32), np.zeros(0, np.int32), frozenset(), "")


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
        builder = _Builder()
        for r in records:
            builder.add(
                street=r.street,
                number=r.housenumber,
                letter=r.letter.lower(),
                addition=r.addition.lower(),
                postcode=_norm_postcode(r.postcode),
                city=r.city,
                areas=(),
                lat=r.point.lat,
                lon=r.point.lon,
                source=r.source,
            )
        self.__dict__.update(builder.build().__dict__)

    # ---------------------------------------------------------------- derived structures

    def _derive(self) -> None:
        """Build the lookup structures from the columns (fast: numpy + small tables)."""
        # street keys: one per distinct normalised name; aliases for umlaut spellings
        skeys: dict[str, int] = {}
        alias: dict[str, int] = {}
        street_skey = np.zeros(len(self._streets), dtype=np.int32)
        names: dict[int, Counter[str]] = {}
        for sid, name in enumerate(self._streets):
            keys = _street_keys(name) if name else ("",)
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
        self._skey_raw = [_norm_street(name).replace(" ", "") for name in self._skey_name]
        rec_skey = street_skey[self._street] if len(self._street) else np.zeros(0, np.int32)
        self._rec_skey = rec_skey
        # records grouped by street key, by number inside a street
        order = np.lexsort((self._number, rec_skey)).astype(np.int32)
        self._st_order = order
        self._st_start = np.searchsorted(rec_skey[order], np.arange(len(skeys) + 1)).astype(
            np.int64
        )
        # postcode + number: one sorted int64 key per record
        pc_key = (self._postcode.astype(np.int64) << 21) | (
            self._number.astype(np.int64) & 0x1FFFFF
        )
        pc_order = np.argsort(pc_key, kind="stable").astype(np.int32)
        self._pc_order = pc_order
        self._pc_keys = pc_key[pc_order]
        self._pc_ids = {pc: i for i, pc in enumerate(self._postcodes) if pc}
        # places: a city key per place; every area key (city, municipality, boundary)
        self._place_city = [_city_key(city) for city, _ in self._places]
        area_places: dict[str, set[int]] = {}
        for pid, (city, areas) in enumerate(self._places):
            for name in (city, *areas):
                if name:
                    area_places.setdefault(_city_key(name), set()).add(pid)
        self._area_places = {k: np.array(sorted(v), np.int32) for k, v in area_places.items()}
        self._area_names: dict[str, str] = {}
        for city, areas in self._places:
            for name in (city, *areas):
                have = self._area_names.get(_city_key(name), name)
                if name and (len(name), name) <= (len(have), have):  # "Balzers" < "Balzers (FL)"
                    self._area_names[_city_key(name)] = name
        # the street keys in each place (for fuzzy matching within a city)
        pairs = np.unique(self._place.astype(np.int64) * (len(skeys) + 1) + rec_skey)
        place_of, skey_of = np.divmod(pairs, len(skeys) + 1)
        bounds = np.searchsorted(place_of, np.arange(len(self._places) + 1))
        self._place_skeys = [
            skey_of[bounds[p] : bounds[p + 1]].astype(np.int32) for p in range(len(self._places))
        ]
        self._cache: dict[Any, Any] = {}

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
        builder = _Builder()
        for ix in indexes:
            builder.add_index(ix)
        return builder.build(skipped=sum(ix.skipped for ix in indexes))

    @classmethod
    def from_bag(cls, path: Path | str) -> AddressIndex:
        """Read a BAG address export: CSV, plain or zstandard-compressed (``.zst``).

        Parameters
        ----------
        path
            A ``;``-separated file with the header
            ``straat;huisnummer;huisletter;huisnummertoevoeging;postcode;woonplaats;gemeente;
            provincie;lat;lon`` (``huisletter``, ``huisnummertoevoeging``, ``gemeente`` and
            ``provincie`` may be missing; the column order does not matter). Compression is
            recognised by its magic bytes.

        Returns
        -------
        AddressIndex
            Every readable row; rows without a house number or with bad coordinates are
            counted in ``skipped``. The municipality ("gemeente") also counts as a place name,
            so ``Kerkstraat 1, Noordoostpolder`` finds Kerkstraat in Emmeloord.

        Raises
        ------
        InputError
            When the file cannot be read or lacks a needed column.
        """
        path = Path(path)
        try:
            with path.open("rb") as raw:
                magic = raw.read(4)
                raw.seek(0)
                if magic == b"\x28\xb5\x2f\xfd":
                    import zstandard

                    stream: Any = zstandard.ZstdDecompressor().stream_reader(raw)
                else:
                    stream = raw
                text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
                return cls._read_bag(csv.reader(text, delimiter=";"), path.name)
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            msg = f"could not read the BAG export ({exc})"
            raise InputError(msg, file=path.name) from None
        except Exception as exc:  # zstandard.ZstdError for a damaged file
            if type(exc).__module__.startswith("zstandard"):
                msg = f"could not read the BAG export ({exc})"
                raise InputError(msg, file=path.name) from None
            raise

    @classmethod
    def _read_bag(cls, reader: Iterator[list[str]], name: str) -> AddressIndex:
        header = [h.strip().lower() for h in next(reader, [])]
        need = ("straat", "huisnummer", "postcode", "woonplaats", "lat", "lon")
        missing = [n for n in need if n not in header]
        if missing:
            msg = (
                f"not a BAG export: missing column(s) {', '.join(missing)}; expected "
                "straat;huisnummer;huisletter;huisnummertoevoeging;postcode;woonplaats;"
                "gemeente;provincie;lat;lon"
            )
            raise InputError(msg, file=name, row=1)
        col = {h: i for i, h in enumerate(header)}
        i_st, i_nr, i_pc, i_wp = (
            col["straat"],
            col["huisnummer"],
            col["postcode"],
            col["woonplaats"],
        )
        i_lat, i_lon = col["lat"], col["lon"]
        i_let, i_add, i_gm = (
            col.get("huisletter"),
            col.get("huisnummertoevoeging"),
            col.get("gemeente"),
        )
        width = max(col.values()) + 1
        b = _Builder()
        streets, suffixes, postcodes, places = b.streets, b.suffixes, b.postcodes, b.places
        st_add, sf_add, pc_add, pl_add = streets.add, suffixes.add, postcodes.add, places.add
        src = b.sources.add("bag")
        c_street, c_number, c_suffix, c_pc, c_place, c_lat, c_lon = (
            b.street, b.number, b.suffix, b.postcode, b.place, b.lat, b.lon,
        )  # fmt: skip
        place_cache: dict[tuple[str, str], int] = {}
        pc_cache: dict[str, int] = {}
        skipped = 0
        for row in reader:
            if len(row) < width:
                if row:
                    skipped += 1
                continue
            try:
                number = int(row[i_nr])
                lat = float(row[i_lat])
                lon = float(row[i_lon])
            except ValueError:
                skipped += 1
                continue
            if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0) or number < 0:
                skipped += 1
                continue
            letter = row[i_let].strip().lower() if i_let is not None else ""
            addition = row[i_add].strip().lower() if i_add is not None else ""
            pc_raw = row[i_pc]
            pid = pc_cache.get(pc_raw)
            if pid is None:
                pid = pc_cache[pc_raw] = pc_add(_norm_postcode(pc_raw))
            wp = row[i_wp]
            gm = row[i_gm] if i_gm is not None else ""
            plid = place_cache.get((wp, gm))
            if plid is None:
                areas = (gm,) if gm and gm != wp else ()
                plid = place_cache[(wp, gm)] = pl_add((wp, areas))
            c_street.append(st_add(row[i_st]))
            c_number.append(number)
            c_suffix.append(sf_add((letter, addition)))
            c_pc.append(pid)
            c_place.append(plid)
            c_lat.append(lat)
            c_lon.append(lon)
        b.source = [src] * len(b.street)
        return b.build(skipped=skipped)

    @classmethod
    def from_osm(cls, path: Path | str) -> AddressIndex:
        """Read the addresses of an OSM extract (``.osm.pbf``) with pyrosm.

        Nodes and ways (buildings: their centroid) with ``addr:housenumber`` and
        ``addr:street`` (or ``addr:place``) are read. A list of numbers (``76, 76a``) gives one
        record per number; a range ``3-7`` gives both ends. Where ``addr:city`` is missing, the
        smallest administrative boundary (admin_level 8-10, a municipality or "woonplaats")
        that holds the address names its place, so a city in a query can be checked.

        Parameters
        ----------
        path
            The ``.osm.pbf`` file.

        Returns
        -------
        AddressIndex
            The addresses of the extract; objects without a street are counted in
            ``skipped``.

        Raises
        ------
        InputError
            When the file cannot be read.
        """
        path = Path(path)
        if not path.exists():
            raise InputError(f"{path} not found", file=path.name)
        try:
            import pyrosm

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                osm = pyrosm.OSM(str(path))
                gdf = osm.get_data_by_custom_criteria(
                    custom_filter={"addr:housenumber": True},
                    filter_type="keep",
                    keep_nodes=True,
                    keep_ways=True,
                    keep_relations=False,
                )
        except Exception as exc:  # pyrosm raises many kinds for a bad file
            msg = f"could not read addresses from the OSM extract ({type(exc).__name__}: {exc})"
            raise InputError(msg, file=path.name) from None
        b = _Builder()
        if gdf is None or len(gdf) == 0:
            return b.build()
        import shapely

        centroids = shapely.centroid(np.asarray(gdf.geometry.values))
        xs, ys = shapely.get_x(centroids), shapely.get_y(centroids)
        columns = {c: gdf[c].tolist() for c in gdf.columns if str(c).startswith("addr:")}
        tag_list = gdf["tags"].tolist() if "tags" in gdf.columns else [None] * len(gdf)
        rows: list[tuple[str, str, str, str, float, float]] = []
        skipped = 0
        for i, tags in enumerate(tag_list):
            if isinstance(tags, str):
                try:
                    tags = json.loads(tags)
                except ValueError:
                    tags = {}
            if not isinstance(tags, dict):
                tags = {}

            def tag(name: str, i: int = i, tags: dict[str, Any] = tags) -> str:
                value = columns[name][i] if name in columns else None
                if value is None or (isinstance(value, float) and math.isnan(value)):
                    value = tags.get(name)
                return str(value or "").strip()

            street = tag("addr:street") or tag("addr:place")
            number = tag("addr:housenumber")
            x, y = float(xs[i]), float(ys[i])
            if not street or not number or not (math.isfinite(x) and math.isfinite(y)):
                skipped += 1
                continue
            rows.append((street, number, tag("addr:postcode"), tag("addr:city"), y, x))
        boundaries = _osm_places(osm, rows)
        src = "osm"
        for (street, number, postcode, city, lat, lon), places in zip(
            rows, boundaries, strict=True
        ):
            place = city or (places[0] if places else "")
            areas = tuple(p for p in places if p != place)
            for num, letter, addition in _osm_numbers(number):
                b.add(
                    street=street,
                    number=num,
                    letter=letter,
                    addition=addition,
                    postcode=_norm_postcode(postcode),
                    city=place,
                    areas=areas,
                    lat=lat,
                    lon=lon,
                    source=src,
                )
        return b.build(skipped=skipped)

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
        ids = self._pc_ids_for(_norm_postcode(postcode), number)
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
        ids = self._street_ids(_street_key(street))
        if city:
            area = self._area(_norm_city(city), "")
            ids = self._in_area(ids, area) if area.found else ids[:0]
        if number is not None:
            ids = ids[self._number[ids] == number]
        return [self.record(int(i)) for i in self._filter_suffix(ids, letter, addition)]

    def fuzzy_streets(
        self, street: str, city: str | None = None, limit: int = 3
    ) -> list[tuple[str, float]]:
        """The street names most like ``street`` (rapidfuzz WRatio), within a city if given.

        Returns
        -------
        list of (str, float)
            Street names (as the source writes them) with their similarity 0-100, best first.
        """
        area = self._area(_norm_city(city), "") if city else _NO_AREA
        return [
            (self._skey_name[k], s)
            for k, s in self._fuzzy(_norm_street(street), area if area.found else _NO_AREA, limit)
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

    def _area(self, city: str, postcode: str) -> _Area:
        """The places/postcodes a query's city and postcode allow (cached)."""
        cache_key = ("area", city, postcode)
        if cache_key in self._cache:
            return self._cache[cache_key]
        ckey = city.replace(" ", "")
        places: set[int] = set()
        city_keys: set[str] = set()
        notes: list[str] = []
        label = ""
        found = False
        if ckey:
            hit = self._area_places.get(ckey)
            if hit is None and len(ckey) >= 3:
                from rapidfuzz import fuzz, process

                best = process.extractOne(
                    ckey, list(self._area_places), scorer=fuzz.ratio, score_cutoff=CITY_FUZZY_MIN
                )
                if best is not None:
                    hit = self._area_places[best[0]]
                    notes.append(f"city '{city}' read as {self._area_names[best[0]]}")
                    ckey = best[0]
            if hit is not None:
                places.update(hit.tolist())
                city_keys.add(ckey)
                label = self._area_names.get(ckey, city)
                found = True
        pcs: set[int] = set()
        if postcode:
            prefix = postcode[:4] if _is_dutch_postcode(postcode) else postcode
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
        area = _Area(
            given=bool(ckey or postcode),
            found=found,
            places=np.array(sorted(places), np.int32),
            postcodes=np.array(sorted(pcs), np.int32),
            city_keys=frozenset(city_keys),
            label=label,
            note="; ".join(notes),
        )
        self._cache[cache_key] = area
        return area

    def _in_area(self, ids: np.ndarray, area: _Area) -> np.ndarray:
        if not area.found or not len(ids):
            return ids
        place = self._place[ids]
        pcs = self._postcode[ids]
        mask = np.isin(place, area.places) | np.isin(pcs, area.postcodes)
        mask |= (place == 0) & (pcs == 0)  # no place known: cannot contradict
        return ids[mask]

    def _choices(self, area: _Area) -> tuple[list[str], list[str], np.ndarray]:
        """The street keys to compare with in an area (all when none is found).

        Returns the keys, the same names without the straat/strasse unification, their ids.
        """
        cache_key = ("choices", area.label, area.places.tobytes(), area.postcodes.tobytes())
        hit = self._cache.get(cache_key)
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

    def _fuzzy(self, street: str, area: _Area, limit: int) -> list[tuple[int, float]]:
        """Streets like ``street`` (normalised) in the area: (key id, score), best first.

        The score is rapidfuzz's WRatio, of the unified keys ("...straat" = "...strasse") or of
        the names as written, whichever is higher; a name that differs by one typo scores at
        least :data:`ONE_TYPO_SCORE`; a mere substring ("Kerk" in "Kerkstraat") scores its
        plain ratio, and names with other digits ("Karveel 38" for "Karveel 39") never match.
        """
        from rapidfuzz import fuzz, process
        from rapidfuzz.distance import OSA

        key, raw = _compact(street), street.replace(" ", "")
        if not key:
            return []
        keys, raws, ks = self._choices(area)
        digits = _digits(key)
        best: dict[int, float] = {}
        n = max(limit * 4, 12)
        for query, names in ((key, keys), (raw, raws)):
            for name, score, pos in process.extract(query, names, scorer=fuzz.WRatio, limit=n):
                if _digits(name) != digits:
                    continue
                ratio = fuzz.ratio(query, name)
                if ratio < _RATIO_GUARD:
                    score = min(score, ratio)
                elif min(len(query), len(name)) >= 6 and OSA.distance(query, name) == 1:
                    score = max(score, ONE_TYPO_SCORE)
                k = int(ks[pos])
                best[k] = max(best.get(k, 0.0), float(score))
        return sorted(best.items(), key=lambda t: -t[1])[:limit]


def _osm_numbers(text: str) -> list[tuple[int | None, str, str]]:
    """``12`` / ``12a`` / ``12-2`` / ``76, 76a`` / ``3-7`` as (number, letter, addition)."""
    out: list[tuple[int | None, str, str]] = []
    for part in re.split(r"[,;]", _fold(text)):
        part = re.sub(r"[^a-z0-9/ -]", "", part).strip()
        rng = re.fullmatch(r"(\d{1,5})\s*-\s*(\d{1,5})", part)
        if rng and int(rng.group(2)) > int(rng.group(1)):  # a range of numbers: both ends
            out += [(int(rng.group(1)), "", ""), (int(rng.group(2)), "", "")]
            continue
        p = parse_address(part)
        if p.number is not None:
            out.append((p.number, p.letter, p.addition))
    return out


def _osm_places(
    osm: Any, rows: Sequence[tuple[str, str, str, str, float, float]]
) -> list[list[str]]:
    """For each row, the names of the admin boundaries (level 8-10) holding it, smallest first."""
    out: list[list[str]] = [[] for _ in rows]
    if not rows:
        return out
    try:
        import shapely

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            bounds = osm.get_boundaries(boundary_type="administrative")
        if bounds is None or len(bounds) == 0:
            return out
        lats = np.array([r[4] for r in rows])
        lons = np.array([r[5] for r in rows])
        found: list[list[tuple[int, str]]] = [[] for _ in rows]
        for name, level, geom in zip(
            bounds["name"].tolist(),
            bounds["admin_level"].tolist(),
            bounds.geometry.values,
            strict=True,
        ):
            try:
                lvl = int(str(level))
            except ValueError:
                continue
            if not name or geom is None or not 8 <= lvl <= 10:
                continue
            shapely.prepare(geom)
            inside = np.flatnonzero(shapely.contains_xy(geom, lons, lats))
            for i in inside.tolist():
                found[i].append((lvl, str(name)))
        for i, f in enumerate(found):
            out[i] = [n for _, n in sorted(f, key=lambda t: -t[0])]
    except Exception:  # boundaries are a help, never a reason to fail
        return [[] for _ in rows]
    return out


def load_index(path: Path | str, *, kind: Literal["osm", "bag"]) -> AddressIndex:
    """An address index from an OSM extract (``kind="osm"``) or a BAG export (``"bag"``)."""
    return AddressIndex.from_osm(path) if kind == "osm" else AddressIndex.from_bag(path)


# ------------------------------------------------------------------------------ geocoding


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
    reading = _read(text)
    readings = [reading.parsed, *reading.alternatives]
    p = reading.parsed
    if not p.city and not p.postcode and p.street and " " in p.street:
        # "Slotlaan Zeist" / "Städtle Vaduz": a known place at the end of the street part
        words = p.street.split()
        for n in (1, 2):
            if len(words) > n and _city_key(" ".join(words[-n:])) in index._area_places:
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
    if _is_dutch_postcode(p.postcode) and p.number is not None:
        hit = _by_postcode(query, p, index)
        if hit is not None:
            return hit
    area = index._area(p.city, p.postcode)
    if p.street:
        result = _by_street(query, p, index, area)
        if _is_dutch_postcode(p.postcode) and result.status == "exact":
            pc_known = p.postcode in index._pc_ids
            why = (
                f"postcode {p.postcode} has no number {p.number_text}"
                if pc_known
                else f"postcode {p.postcode} not found"
            )
            return replace(result, status="fuzzy", score=90.0, note=f"{why}; matched by street")
        return result
    # a postcode without a street
    if _is_dutch_postcode(p.postcode) and p.postcode in index._pc_ids:
        ids = index._pc_records([index._pc_ids[p.postcode]])
        streets = sorted({index._skey_name[k] for k in index._rec_skey[ids].tolist()})
        name = f"{' / '.join(streets[:2])} (postcode {p.postcode})"
        return _street_level(query, p, index, ids, 100.0, name)
    cands: list[str] = []
    if _is_dutch_postcode(p.postcode) and p.number is not None:
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
    got = _number_text(p.number, *suffixes[chosen])
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
        want = _street_key(p.street)
        if want != have and index._skey_ids.get(want) != index._rec_skey[rid]:
            similarity = fuzz.WRatio(want, have)
            if similarity < FUZZY_MIN or fuzz.ratio(want, have) < _RATIO_GUARD:
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


def _one_place(index: AddressIndex, ids: np.ndarray, area: _Area) -> np.ndarray | None:
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


def _by_street(query: str, p: ParsedAddress, index: AddressIndex, area: _Area) -> GeocodeResult:
    skey = _street_key(p.street)
    prefix = [area.note] if area.note else []
    all_ids = index._street_ids(skey)
    ids = index._in_area(all_ids, area)
    if len(ids):
        name = index._skey_name[int(index._rec_skey[ids[0]])]
        if p.number is not None:
            hits = ids[index._number[ids] == p.number]
            if len(hits):
                narrowed = _one_place(index, hits, area)
                if narrowed is None:
                    return _ambiguous(query, index, hits, f"{name} {p.number_text}")
                rid, exact, note, others = _choose(index, narrowed, p)
                rec = index.record(rid)
                notes = [*prefix, note] if note else list(prefix)
                if area.city_keys and rec.city and _city_key(rec.city) not in area.city_keys:
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
            # a near-identical spelling of the street that has the number (duplicate spellings)
            sibling = _fuzzy_with_number(query, p, index, area, SIBLING_MIN, exclude=skey)
            if sibling is not None:
                return sibling
        narrowed = _one_place(index, ids, area)
        if narrowed is None:
            return _ambiguous(query, index, ids, name)
        return _street_level(query, p, index, narrowed, 100.0, name, prefix)
    elsewhere: list[str] = []
    if len(all_ids) and area.found:
        name = index._skey_name[int(index._rec_skey[all_ids[0]])]
        cities = _cities_of(index, all_ids)
        prefix.append(f"{name} is in {', '.join(cities[:5])}, not in {area.label}")
        hits = all_ids[index._number[all_ids] == p.number] if p.number is not None else all_ids
        elsewhere = list(dict.fromkeys(index.record(int(i)).text for i in hits[:3]))
        elsewhere = elsewhere or [f"{name}, {city}" for city in cities[:3]]
    best = index._fuzzy(p.street, area, 3)
    if not elsewhere:  # a street that exists in another place is not read as a different one
        hit = _fuzzy_with_number(query, p, index, area, FUZZY_MIN, exclude=skey, prefix=prefix)
        if hit is not None:
            return hit
    if not elsewhere and best and best[0][1] >= ONE_TYPO_SCORE:
        # the street alone (no such number): only for one typo, not for a partial name
        k, score = best[0]
        ids = index._in_area(index._st_order[index._st_start[k] : index._st_start[k + 1]], area)
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
    area: _Area,
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
        ids = index._in_area(index._st_order[index._st_start[k] : index._st_start[k + 1]], area)
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
    index: AddressIndex, best: list[tuple[int, float]], area: _Area, p: ParsedAddress
) -> tuple[str, ...]:
    out: list[str] = []
    for k, _ in best:
        ids = index._in_area(index._st_order[index._st_start[k] : index._st_start[k + 1]], area)
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


@dataclass(frozen=True, slots=True)
class ReportRow:
    """One line of a geocoding report: which address of which table, and how it resolved."""

    table: str
    id: str
    address: str
    result: GeocodeResult | None



def _report_fields(row: Any) -> tuple[object, ...]:
    if isinstance(row, ReportRow):
        row = (row.table, row.id, row.address, row.result)
    if (
        isinstance(row, tuple)
        and len(row) == 4
        and (row[3] is None or isinstance(row[3], GeocodeResult))
    ):
        table, ident, address, res = row
        if res is None:
            return (table, ident, address, "failed", None, "", 0.0, (), "not geocoded")
        return (table, ident, address, res.status, res.point, res.matched, res.score,
                res.candidates, res.note)  # fmt: skip
    # a GeocodeRow-like object (vervoer.pipeline.GeocodeRow): attributes of the same names
    return tuple(
        getattr(row, name, default)
        for name, default in (
            ("table", ""), ("id", ""), ("address", ""), ("status", ""), ("point", None),
            ("matched", ""), ("score", 0.0), ("candidates", ()), ("note", ""),
        )
    )  # fmt: skip


def write_geocode_report(rows: Iterable[Any], path: Path | str) -> None:
    """Write a reviewable CSV of how addresses were resolved.

    Parameters
    ----------
    rows
        Each row is one of: a tuple ``(table, id, address, GeocodeResult | None)``; a
        :class:`ReportRow`; or an object with the attributes ``table, id, address, status,
        point, matched, score, candidates, note`` (such as ``vervoer.pipeline.GeocodeRow``,
        whose status may also be ``given``).
    path
        The CSV file; its folder is created if needed.

    Notes
    -----
    UTF-8, comma-separated, columns :data:`REPORT_COLUMNS`: ``table, id, address, status,
    lat, lon, matched, score, candidates, note``. ``lat``/``lon`` have 7 decimals (empty when
    there is no point), ``score`` is a whole number, ``candidates`` are joined with `` | ``.
    Text cells starting with ``= + - @`` (or a tab/CR) get a ``'`` in front so a spreadsheet
    does not run them as formulas. The file is written to a temporary file next to it and
    then moved into place (``os.replace``), so a reader never sees half a report.
    """
    rows_out = []
    for row in rows:
        table, ident, address, status, point, matched, score, cands, note = _report_fields(row)
        lat = lon = ""
        if isinstance(point, Point):
            lat, lon = f"{point.lat:.7f}", f"{point.lon:.7f}"
        rows_out.append(
            [table, ident, address, status, lat, lon, matched, f"{float(score or 0):.0f}",
             " | ".join(str(c) for c in (cands or ())), note]
        )  # fmt: skip
    write_csv(path, REPORT_COLUMNS, rows_out)
