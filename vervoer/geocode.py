"""Offline geocoding from the address tags of an OSM extract and from a BAG export.

No address leaves the machine. Dutch forms are understood: "Slotlaan 12, 3701 GK Zeist",
"3701GK 12", house-number letters and additions ("12a", "12-2", "12 bis"), case and
diacritics, common abbreviations ("str." = straat). The strongest key is postcode + house
number (+ letter/addition); then street + number (+ city); then a fuzzy street name; then
the street alone (status ``street``: the middle of that street's known addresses).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from vervoer.errors import InputError
from vervoer.model import Point

ABBREVIATIONS = (
    (r"\bstr\b\.?", "straat"),
    (r"str\.(?=\s|$)", "straat"),
    (r"\bln\b\.?", "laan"),
    (r"\bwg\b\.?", "weg"),
    (r"\bpl\b\.?", "plein"),
    (r"\bburg\b\.?", "burgemeester"),
    (r"^st\b\.?", "sint"),
    (r"\bprof\b\.?", "professor"),
    (r"\bdr\b\.?", "dokter"),
)
_NL_POSTCODE = re.compile(r"\b([1-9]\d{3})\s?([a-zA-Z]{2})\b")
_NUMBER = re.compile(
    r"(?P<num>\d{1,5})(?:\s*(?P<letter>[a-zA-Z])(?![a-zA-Z]))?"
    r"(?:\s*[-/]\s*(?P<add1>[0-9a-zA-Z]{1,4})|\s+(?P<add2>bis|hs|bg|ii|iii|iv|i|rd|zw|[0-9]{1,3})\b)?",
    re.IGNORECASE,
)

Status = Literal["exact", "fuzzy", "street", "failed"]


def norm(text: str) -> str:
    """Lower case, no diacritics, abbreviations written out, single spaces."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    for pattern, repl in ABBREVIATIONS:
        text = re.sub(pattern, repl, text)
    text = re.sub(r"[^a-z0-9 ]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _street_key(text: str) -> str:
    """Street name for comparison: umlauts as vowels (Städtle = Stadtle = Staedtle)."""
    key = re.sub(r"([aou])e", r"\1", norm(text))
    return key.replace(" ", "")


@dataclass(frozen=True, slots=True, kw_only=True)
class AddressRecord:
    """One known address with its position."""

    street: str
    housenumber: int | None
    letter: str = ""
    addition: str = ""
    postcode: str = ""
    city: str = ""
    point: Point
    source: str = "osm"

    @property
    def text(self) -> str:
        """The address as it is written."""
        number = f"{self.housenumber or ''}{self.letter}"
        if self.addition:
            number += f"-{self.addition}"
        tail = " ".join(x for x in (self.postcode, self.city) if x)
        return f"{self.street} {number}".strip() + (f", {tail}" if tail else "")


@dataclass(frozen=True, slots=True)
class ParsedAddress:
    """An address split into its parts (normalised)."""

    street: str
    number: int | None
    letter: str
    addition: str
    postcode: str
    city: str


def parse_address(text: str) -> ParsedAddress:
    """Split a free-text Dutch (or Swiss/Liechtenstein) address into its parts."""
    raw = " ".join(text.replace(",", " , ").split())
    postcode = ""
    m = _NL_POSTCODE.search(raw)
    if m:
        postcode = (m.group(1) + m.group(2)).upper()
        before, after = raw[: m.start()], raw[m.end() :]
    else:
        m4 = re.search(r"(?:^|,)\s*(\d{4})\s+([^\d,]+)$", raw)
        if m4:
            postcode = m4.group(1)
            before, after = raw[: m4.start()], " " + m4.group(2)
        else:
            before, after = raw, ""
    number = None
    letter = addition = ""
    street = before
    nm = None
    for cand in _NUMBER.finditer(before):
        nm = cand  # the last number in the street part is the house number
    if nm is None and after:
        nm = _NUMBER.search(after)
        if nm:
            after = after[: nm.start()] + after[nm.end() :]
            street = before
    elif nm is not None:
        street = before[: nm.start()]
        after = before[nm.end() :] + " " + after
    if nm is not None:
        number = int(nm.group("num"))
        letter = (nm.group("letter") or "").lower()
        addition = (nm.group("add1") or nm.group("add2") or "").lower()
    city = norm(after.replace(",", " "))
    street = norm(street.replace(",", " "))
    if not street and city and number is None:
        street, city = city, ""
    return ParsedAddress(street, number, letter, addition, postcode, city)


@dataclass(frozen=True, slots=True)
class GeocodeResult:
    """The outcome of geocoding one address."""

    query: str
    status: Status
    point: Point | None
    matched: str = ""
    score: float = 0.0
    candidates: tuple[str, ...] = ()
    note: str = ""


@dataclass(slots=True)
class AddressIndex:
    """Lookups over known addresses: postcode+number, street+number, fuzzy street."""

    records: list[AddressRecord] = field(default_factory=list)
    by_postcode: dict[tuple[str, int], list[int]] = field(default_factory=dict)
    by_street: dict[str, list[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.by_postcode and not self.by_street:
            self._build()

    def _build(self) -> None:
        pc: dict[tuple[str, int], list[int]] = defaultdict(list)
        st: dict[str, list[int]] = defaultdict(list)
        for i, r in enumerate(self.records):
            if r.postcode and r.housenumber is not None:
                pc[(r.postcode, r.housenumber)].append(i)
            st[_street_key(r.street)].append(i)
        self.by_postcode, self.by_street = dict(pc), dict(st)

    @classmethod
    def merge(cls, *indexes: AddressIndex) -> AddressIndex:
        """One index over the records of several."""
        return cls(records=[r for ix in indexes for r in ix.records])

    @classmethod
    def from_osm(cls, path: Path) -> AddressIndex:
        """Addresses (nodes and building centroids) of an .osm.pbf extract."""
        from vervoer.demo import address_points

        try:
            points = address_points(Path(path))
        except Exception as exc:  # pyrosm raises many kinds for a bad file
            raise InputError(f"could not read addresses ({exc})", file=Path(path).name) from None
        records = []
        for a in points:
            p = parse_address(f"{a.street} {a.number}")
            records.append(
                AddressRecord(
                    street=a.street,
                    housenumber=p.number,
                    letter=p.letter,
                    addition=p.addition,
                    postcode=a.postcode.replace(" ", "").upper(),
                    city=a.city,
                    point=a.point,
                    source="osm",
                )
            )
        return cls(records=records)

    @classmethod
    def from_bag(cls, path: Path) -> AddressIndex:
        """A BAG export (``straat;huisnummer;huisletter;huisnummertoevoeging;postcode;
        woonplaats;...;lat;lon``), plain or zstd-compressed (.zst)."""
        path = Path(path)
        raw = path.read_bytes()
        if path.suffix == ".zst":
            import zstandard

            raw = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(raw)).read()
        text = raw.decode("utf-8-sig")
        reader = csv.reader(io.StringIO(text), delimiter=";")
        header = [h.strip().lower() for h in next(reader)]
        need = ("straat", "huisnummer", "postcode", "woonplaats", "lat", "lon")
        if any(n not in header for n in need):
            raise InputError(
                f"not a BAG export; expected columns {', '.join(need)}", file=path.name, row=1
            )
        col = {h: i for i, h in enumerate(header)}
        records = []
        for row in reader:
            try:
                records.append(
                    AddressRecord(
                        street=row[col["straat"]],
                        housenumber=int(row[col["huisnummer"]]),
                        letter=row[col["huisletter"]].lower() if "huisletter" in col else "",
                        addition=row[col["huisnummertoevoeging"]].lower()
                        if "huisnummertoevoeging" in col
                        else "",
                        postcode=row[col["postcode"]].replace(" ", "").upper(),
                        city=row[col["woonplaats"]],
                        point=Point(float(row[col["lat"]]), float(row[col["lon"]])),
                        source="bag",
                    )
                )
            except (ValueError, IndexError):
                continue
        return cls(records=records)


def load_index(path: Path, *, kind: Literal["osm", "bag"]) -> AddressIndex:
    """Build an address index from an OSM extract or a BAG export."""
    return AddressIndex.from_osm(path) if kind == "osm" else AddressIndex.from_bag(path)


def _pick(
    index: AddressIndex, ids: Iterable[int], want: ParsedAddress
) -> tuple[AddressRecord | None, str]:
    rows = [index.records[i] for i in ids]
    if want.number is not None:
        rows = [r for r in rows if r.housenumber == want.number]
    if not rows:
        return None, ""
    exact = [r for r in rows if r.letter == want.letter and r.addition == want.addition]
    if exact:
        return exact[0], ""
    plain = [r for r in rows if not r.letter and not r.addition]
    best = (plain or rows)[0]
    asked = f"{want.number}{want.letter}" + (f"-{want.addition}" if want.addition else "")
    note = f"{asked} not found exactly; matched {best.text}"
    return best, note


def geocode(text: str, index: AddressIndex) -> GeocodeResult:
    """Resolve one address against the index (see the module docstring for the order)."""
    want = parse_address(text)
    if want.postcode and want.number is not None and len(want.postcode) == 6:
        rec, note = _pick(index, index.by_postcode.get((want.postcode, want.number), []), want)
        if rec is not None:
            return GeocodeResult(
                text,
                "fuzzy" if note else "exact",
                rec.point,
                rec.text,
                90.0 if note else 100.0,
                note=note,
            )
    city = _street_key(want.city) if want.city else ""
    key = _street_key(want.street)

    def in_city(ids: list[int]) -> list[int]:
        if not city:
            return ids
        return [
            i
            for i in ids
            if _street_key(index.records[i].city) == city
            or index.records[i].postcode == want.postcode
        ]

    ids = in_city(index.by_street.get(key, []))
    if ids:
        rec, note = _pick(index, ids, want)
        if rec is not None:
            return GeocodeResult(
                text,
                "fuzzy" if note else "exact",
                rec.point,
                rec.text,
                90.0 if note else 100.0,
                note=note,
            )
        return _street_level(text, index, ids, want, 80.0)
    from rapidfuzz import fuzz, process

    streets = list(index.by_street)
    if city:
        streets = [s for s in streets if in_city(index.by_street[s])] or streets
    found = process.extract(key, streets, scorer=fuzz.WRatio, limit=3)
    cands = tuple(index.records[index.by_street[s][0]].street for s, _, _ in found)
    if found and found[0][1] >= 88:
        s, score, _ = found[0]
        ids = in_city(index.by_street[s]) or index.by_street[s]
        rec, note = _pick(index, ids, want)
        if rec is not None:
            return GeocodeResult(
                text,
                "fuzzy",
                rec.point,
                rec.text,
                float(score),
                cands,
                f"street spelled differently; matched {rec.street}",
            )
        return _street_level(text, index, ids, want, float(score) - 10)
    return GeocodeResult(
        text,
        "failed",
        None,
        "",
        float(found[0][1]) if found else 0.0,
        cands,
        "no matching street found",
    )


def _street_level(
    text: str, index: AddressIndex, ids: list[int], want: ParsedAddress, score: float
) -> GeocodeResult:
    recs = sorted((index.records[i] for i in ids), key=lambda r: r.housenumber or 0)
    mid = recs[len(recs) // 2]
    return GeocodeResult(
        text,
        "street",
        mid.point,
        mid.street,
        score,
        tuple(r.text for r in recs[:3]),
        f"house number {want.number} not found on {mid.street}; used the middle of the street",
    )


def geocode_many(queries: Sequence[str], index: AddressIndex) -> list[GeocodeResult]:
    """Geocode several addresses; identical queries are looked up once."""
    cache: dict[str, GeocodeResult] = {}
    return [cache.setdefault(q, geocode(q, index)) if q not in cache else cache[q] for q in queries]


def write_geocode_report(rows: Iterable[object], path: Path) -> None:
    """Write a reviewable CSV: table, id, address, status, lat, lon, matched, score, ...

    ``rows`` are :class:`vervoer.pipeline.GeocodeRow`-like objects.
    """
    from vervoer.scenario import write_csv

    write_csv(
        Path(path),
        [
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
        ],
        (
            (
                r.table,
                r.id,
                r.address,
                r.status,  # type: ignore[attr-defined]
                "" if r.point is None else f"{r.point.lat:.7f}",  # type: ignore[attr-defined]
                "" if r.point is None else f"{r.point.lon:.7f}",  # type: ignore[attr-defined]
                r.matched,
                f"{r.score:.0f}",
                " | ".join(r.candidates),
                r.note,
            )  # type: ignore[attr-defined]
            for r in rows
        ),
    )
