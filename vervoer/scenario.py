"""Read a coordinator's scenario (CSV folder or XLSX workbook) into validated model objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from vervoer.model import Attendance, Location, Organisation, Participant, Vehicle
from vervoer.settings import Settings


@dataclass(frozen=True, slots=True, kw_only=True)
class Scenario:
    """A validated scenario: every reference between the tables is known to be good."""

    name: str
    organisations: tuple[Organisation, ...]
    locations: tuple[Location, ...]
    participants: tuple[Participant, ...]
    attendance: tuple[Attendance, ...]
    vehicles: tuple[Vehicle, ...]
    settings: Settings = field(default_factory=Settings)
    source: Path | None = None
