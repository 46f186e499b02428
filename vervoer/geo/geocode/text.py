"""Address text: folding, normalisation and parsing of Dutch (and Liechtenstein) addresses.

Everything here works on strings only; the other modules of :mod:`vervoer.geo.geocode`
compare addresses through the keys made here (:func:`street_key`, :func:`city_key`,
:func:`norm_postcode`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace

__all__ = [
    "ParsedAddress",
    "Reading",
    "city_key",
    "compact",
    "digits",
    "fold",
    "is_dutch_postcode",
    "norm_city",
    "norm_postcode",
    "norm_street",
    "number_text",
    "parse_address",
    "read_address",
    "street_key",
    "street_keys",
]

# ------------------------------------------------------------------------------ normalisation

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


def fold(text: str) -> str:
    """Lower case ASCII without diacritics; punctuation kept.

    Parameters
    ----------
    text
        Any text (``"Städtle"``).

    Returns
    -------
    str
        ``"stadtle"``: ``ß`` is ``ss``, ligatures are written out, typographic quotes and
        dashes become ``'`` and ``-``.
    """
    text = unicodedata.normalize("NFKD", text.translate(_TRANSLIT))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.encode("ascii", "ignore").decode("ascii").lower()


def norm_street(text: str) -> str:
    """A street name folded, abbreviations written out, single spaces (``kerkstraat``).

    Parameters
    ----------
    text
        A street name as written (``"Kerkstr."``, ``"Burg. de Beaufortweg"``).

    Returns
    -------
    str
        The normalised name (``"kerkstraat"``, ``"burgemeester de beaufortweg"``).
    """
    text = fold(text).strip()
    text = _APOSTROPHE.sub("", text)
    for pattern, repl in _ABBREVIATIONS:
        text = pattern.sub(repl, text)
    return _SPACES.sub(" ", _NON_ALNUM.sub(" ", text)).strip()


def norm_city(text: str) -> str:
    """A place name folded, without a parenthesised suffix (``Balzers (FL)``).

    Parameters
    ----------
    text
        A place name as written.

    Returns
    -------
    str
        Lower case, no diacritics or punctuation, single spaces (``"balzers"``).
    """
    text = _APOSTROPHE.sub("", _PARENS.sub(" ", fold(text)))
    return _SPACES.sub(" ", _NON_ALNUM.sub(" ", text)).strip()


def compact(normalised: str) -> str:
    """The comparison key of a normalised street: no spaces, German ``strasse`` = ``straat``.

    Parameters
    ----------
    normalised
        A street name as :func:`norm_street` makes it.

    Returns
    -------
    str
        The key (``"sint jansstrasse"`` -> ``"sintjansstraat"``).
    """
    key = normalised.replace(" ", "")
    return key.replace("strasse", "straat").replace("sankt", "sint")


def street_key(text: str) -> str:
    """The comparison key of a street name as written (:func:`norm_street`, :func:`compact`)."""
    return compact(norm_street(text))


def city_key(text: str) -> str:
    """The comparison key of a place name as written (:func:`norm_city` without spaces)."""
    return norm_city(text).replace(" ", "")


def street_keys(display: str) -> tuple[str, ...]:
    """The primary key of a street name and its alias with umlauts written as ae/oe/ue.

    Parameters
    ----------
    display
        A street name as the source writes it (``"Im Rösle"``).

    Returns
    -------
    tuple of str
        ``(key,)``, or ``(key, alias)`` when the umlaut spelling gives another key.
    """
    key = street_key(display)
    alias = street_key(display.translate(_UMLAUT))
    return (key,) if alias == key else (key, alias)


def digits(key: str) -> list[str]:
    """The runs of digits in a key (``"wijk7"`` -> ``["7"]``)."""
    return re.findall(r"\d+", key)


def norm_postcode(text: str) -> str:
    """``1234 ab`` -> ``1234AB``; numeric postcodes stay as they are; anything else -> ''.

    Parameters
    ----------
    text
        A postcode as written (or None/empty).

    Returns
    -------
    str
        ``1234AB``, a 4-5 digit postcode, or ``""``.
    """
    pc = re.sub(r"\s+", "", str(text or "")).upper()
    if re.fullmatch(r"[1-9]\d{3}[A-Z]{2}|\d{4,5}", pc):
        return pc
    return ""


def is_dutch_postcode(pc: str) -> bool:
    """Whether a normalised postcode has the Dutch form ``1234AB``."""
    return len(pc) == 6 and pc[:4].isdigit() and pc[4:].isalpha()


def number_text(number: int | None, letter: str, addition: str) -> str:
    """A house number as written: ``12``, ``12a``, ``12-2``, ``12a-2`` (``""`` for none).

    Parameters
    ----------
    number
        The house number, or None.
    letter, addition
        The house letter and the addition, ``""`` for none.

    Returns
    -------
    str
        The number with its letter and ``-addition``.
    """
    text = "" if number is None else str(number)
    text += letter
    if addition:
        text += f"-{addition}"
    return text


# ------------------------------------------------------------------------------ parsing


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
        return number_text(self.number, self.letter, self.addition)


@dataclass(frozen=True, slots=True)
class Reading:
    """The parse, and an alternative reading of ``Wijk 7 12`` (street ``Wijk 7``, number 12)."""

    parsed: ParsedAddress
    alternatives: tuple[ParsedAddress, ...] = ()


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
    return read_address(text).parsed


def read_address(text: str) -> Reading:
    """Parse an address, with the other readings :func:`geocode` should try too.

    Parameters
    ----------
    text
        An address as a person writes it (see :func:`parse_address`).

    Returns
    -------
    Reading
        The parse, and alternatives: ``Wijk 7 12`` as street ``Wijk 7`` number 12, and
        ``12 Slotlaan`` (no street found, only a place) as street ``Slotlaan``.
    """
    s = _clean(text)
    postcode, s = _take_dutch_postcode(s)
    segments = _segments(s)
    city = ""
    if not postcode:  # a 4-5 digit postcode followed by the place: "9490 Vaduz"
        postcode, city = _take_numeric_postcode(segments)
    segments = [toks for toks in segments if toks]
    where = _find_number(segments)
    if where is None:  # no house number: the first part is the street, the next one the place
        house = _HouseNumber(street=list(segments[0]) if segments else [])
        after = [" ".join(t) for t in segments[1:]]
        before: list[str] = []
    else:
        i, k = where
        house = _split_number(segments[i], k)
        after = [" ".join(t) for t in segments[i + 1 :]]
        before = [" ".join(t) for t in segments[:i]]
    street, city, others = _assign_place(house, after, before, city, has_number=where is not None)

    parsed = ParsedAddress(
        street=norm_street(" ".join(street)),
        number=house.number,
        letter=house.letter,
        addition=house.addition,
        postcode=postcode,
        city=norm_city(city),
        other=tuple(norm_city(o) for o in others if norm_city(o)),
    )
    alternatives: list[ParsedAddress] = []
    alt = _NUMBER_TOKEN.fullmatch(house.alt_number)
    if house.alt_street is not None and alt is not None:
        alternatives.append(
            replace(parsed, street=norm_street(" ".join(house.alt_street)),
                    number=int(alt.group(1)), letter=alt.group(2) or "",
                    addition=alt.group(3) or "")
        )  # fmt: skip
    if not parsed.street and parsed.city and not parsed.postcode:
        alternatives.append(replace(parsed, street=parsed.city, city=""))  # "12 Slotlaan"
    return Reading(parsed, tuple(alternatives))


def _clean(text: str) -> str:
    """Folded, one kind of separator (``,``), single spaces, ``12 - 2`` joined to ``12-2``."""
    s = fold(text).replace(";", ",").replace("\n", ",").replace("|", ",")
    s = _SPACES.sub(" ", s).strip()
    s = _COUNTRY_PREFIX.sub("", s)
    # "12 - 2", "12 /2" -> "12-2"; only right after a house number
    s = re.sub(r"(?<=\d)\s*([-/])\s*(?=[a-z0-9]{1,4}\b)", r"\1", s)
    return re.sub(r"(?<=\d[a-z])\s*([-/])\s*(?=[a-z0-9]{1,4}\b)", r"\1", s)


def _take_dutch_postcode(s: str) -> tuple[str, str]:
    """The last Dutch postcode in ``s`` (``1234AB``, or ``""``) and ``s`` without it."""
    found = list(_NL_POSTCODE.finditer(s))
    if not found:
        return "", s
    m = found[-1]
    return (m.group(1) + m.group(2)).upper(), s[: m.start()] + " , " + s[m.end() :]


def _segments(s: str) -> list[list[str]]:
    """The comma-separated parts as token lists, without country names."""
    segments = [seg.strip(" .-") for seg in s.split(",")]
    segments = [seg for seg in segments if seg and seg not in _COUNTRIES]
    if segments:
        segments[-1] = _TRAILING_COUNTRY.sub("", segments[-1])
    return [seg.split() for seg in segments]


def _take_numeric_postcode(segments: list[list[str]]) -> tuple[str, str]:
    """Find ``9490 Vaduz``: the postcode and the place after it, both cut from ``segments``.

    Returns ``("", "")`` when there is none; ``segments`` is then unchanged.
    """
    for i, toks in enumerate(segments):
        for j, tok in enumerate(toks):
            if (
                re.fullmatch(r"\d{4,5}", tok)
                and j + 1 < len(toks)
                and all(re.fullmatch(r"[a-z][a-z'.()-]*", t) for t in toks[j + 1 :])
                and (j == 0 or toks[j - 1][0].isdigit())
            ):
                segments[i] = toks[:j]
                return tok, " ".join(toks[j + 1 :])
    return "", ""


def _is_number(tok: str) -> bool:
    return bool(tok[0].isdigit() and _NUMBER_TOKEN.fullmatch(tok))


def _find_number(segments: list[list[str]]) -> tuple[int, int] | None:
    """Where the house number is: (part, token) of the first part with a street then a
    number (its last number), else of the first part starting with a number; else None."""
    for i, toks in enumerate(segments):
        nums = [j for j, t in enumerate(toks) if j > 0 and _is_number(t)]
        if nums and any(re.search("[a-z]", t) for t in toks[: nums[-1]]):
            return i, nums[-1]
    for i, toks in enumerate(segments):
        if toks and _is_number(toks[0]):
            return i, 0
    return None


@dataclass(slots=True)
class _HouseNumber:
    """The part of an address with the house number, taken apart."""

    number: int | None = None
    letter: str = ""
    addition: str = ""
    street: list[str] = field(default_factory=list)  # the tokens before the number
    rest: list[str] = field(default_factory=list)  # the tokens after it and its suffixes
    alt_street: list[str] | None = None  # "Wijk 7 12": the street "Wijk 7" ...
    alt_number: str = ""  # ... with number "12"


def _split_number(toks: list[str], k: int) -> _HouseNumber:
    """Take the part ``toks`` apart around its house number at token ``k``."""
    tok = toks[k]
    consumed = 1  # tokens of the house number
    letter_tok = addition = ""
    alt_street: list[str] | None = None
    alt_number = ""
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
    m = _NUMBER_TOKEN.fullmatch(toks[k])
    assert m is not None
    letter = m.group(2) or letter_tok
    addition = m.group(3) or addition
    rest = toks[k + consumed :]
    if rest and not letter and not m.group(3) and re.fullmatch(r"[a-z]", rest[0]):
        letter, rest = rest[0], rest[1:]
    if rest and not addition and (rest[0] in _ADDITION_WORDS or _ADDITION_FORM.fullmatch(rest[0])):
        addition, rest = rest[0], rest[1:]
    return _HouseNumber(
        number=int(m.group(1)),
        letter=letter,
        addition=addition,
        street=_without_number_words(toks[:k]),
        rest=rest,
        alt_street=None if alt_street is None else _without_number_words(alt_street),
        alt_number=alt_number,
    )


def _without_number_words(toks: list[str]) -> list[str]:
    """``Slotlaan nr. 12``: the street without ``nr``/``no``/``nummer``."""
    return [t for t in toks if t.rstrip(".") not in _NUMBER_WORDS]


def _assign_place(
    house: _HouseNumber, after: list[str], before: list[str], city: str, *, has_number: bool
) -> tuple[list[str], str, list[str]]:
    """The street tokens, the place and the other parts.

    The place is what follows the number, else the next part, else a part before (unless a
    place came with the postcode); a number without a street before it ("Slotlaan, 12",
    "Zeist, Slotlaan 12") takes the street from the part before it.
    """
    street = house.street
    others: list[str] = []
    for part in ([" ".join(house.rest)] if house.rest else []) + after:
        if not city:
            city = part
        else:
            others.append(part)
    if has_number and not street and before:
        street = before.pop().split()
    for part in before:
        if not city:
            city = part
        else:
            others.append(part)
    return street, city, others
