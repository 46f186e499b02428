"""Address records: one known address (:class:`AddressRecord`), and many held column-wise.

:class:`AddressColumns` collects the rows a source yields (see
:mod:`vervoer.geo.geocode.sources`); :class:`~vervoer.geo.geocode.index.AddressIndex` is
built from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vervoer.core.model import Point
from vervoer.geo.geocode.text import norm_postcode, number_text

__all__ = ["AddressColumns", "AddressRecord", "InternTable"]


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
        return number_text(self.housenumber, self.letter, self.addition)

    @property
    def text(self) -> str:
        """The address as it is written: ``Oostvaardersdiep 1, 1309AA Almere``."""
        tail = " ".join(x for x in (self.postcode, self.city) if x)
        head = f"{self.street} {self.number_text}".strip()
        return head + (f", {tail}" if tail else "")

    def __str__(self) -> str:
        return self.text


class InternTable:
    """Values interned to small integer ids (id 0 is ``empty``)."""

    __slots__ = ("ids", "values")

    def __init__(self, empty: Any) -> None:
        self.ids: dict[Any, int] = {empty: 0}
        self.values: list[Any] = [empty]

    def add(self, value: Any) -> int:
        """The id of ``value``, a new one if it is not in the table yet.

        Parameters
        ----------
        value
            A hashable value.

        Returns
        -------
        int
            Its id: the position in :attr:`values`.
        """
        i = self.ids.get(value)
        if i is None:
            i = self.ids[value] = len(self.values)
            self.values.append(value)
        return i


class AddressColumns:
    """Address rows collected column-wise: per column a list of ids into a table of values.

    Attributes
    ----------
    streets, suffixes, postcodes, places, sources
        The interned values: street names, ``(letter, addition)``, postcodes,
        ``(city, other area names)`` and source names.
    street, number, suffix, postcode, place, source, lat, lon
        One entry per row (a house number of -1 is none).
    skipped
        Rows of the source that could not be read.
    """

    def __init__(self) -> None:
        self.streets = InternTable("")
        self.suffixes = InternTable(("", ""))
        self.postcodes = InternTable("")
        self.places = InternTable(("", ()))
        self.sources = InternTable("")
        self.street: list[int] = []
        self.number: list[int] = []
        self.suffix: list[int] = []
        self.postcode: list[int] = []
        self.place: list[int] = []
        self.source: list[int] = []
        self.lat: list[float] = []
        self.lon: list[float] = []
        self.skipped = 0

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
        """Append one row (the values as they are: normalised by the caller).

        Parameters
        ----------
        street
            The street name as the source writes it.
        number
            The house number, or None.
        letter, addition
            The house letter and the addition in lower case, ``""`` for none.
        postcode
            A normalised postcode (:func:`~vervoer.geo.geocode.text.norm_postcode`), or ``""``.
        city
            The place, or ``""``.
        areas
            Other names of areas holding the address (municipality, boundaries).
        lat, lon
            The position.
        source
            ``"bag"`` or ``"osm"``.
        """
        self.street.append(self.streets.add(street))
        self.number.append(-1 if number is None else number)
        self.suffix.append(self.suffixes.add((letter, addition)))
        self.postcode.append(self.postcodes.add(postcode))
        self.place.append(self.places.add((city, areas)))
        self.source.append(self.sources.add(source))
        self.lat.append(lat)
        self.lon.append(lon)

    def add_record(self, record: AddressRecord) -> None:
        """Append one record (letter and addition lower case, the postcode normalised)."""
        self.add(
            street=record.street,
            number=record.housenumber,
            letter=record.letter.lower(),
            addition=record.addition.lower(),
            postcode=norm_postcode(record.postcode),
            city=record.city,
            areas=(),
            lat=record.point.lat,
            lon=record.point.lon,
            source=record.source,
        )
