"""Roles and what each may see and do; checked on the server for every request.

``planner``
    Everything of the scenario: tables, uploads, planning, the day's changes, maps, route
    sheets, the comparison and the audit log.
``organisation:<id>``
    Read-only: its own participants by name and address, every other participant by id
    only; the plan's rides of its own participants; costs; the shared comparison report.
    No maps or route sheets (they show every home of every organisation).
``driver:<vehicle>``
    The route sheets of that vehicle only.
"""

from __future__ import annotations

from dataclasses import dataclass

from vervoer.core.errors import InputError

ROLE_KINDS = ("planner", "organisation", "driver")


@dataclass(frozen=True, slots=True)
class Role:
    """A parsed role: its kind and, for organisation and driver, the id it is bound to."""

    kind: str
    id: str = ""

    @property
    def planner(self) -> bool:
        """May do everything."""
        return self.kind == "planner"

    def sees_person(self, organisation: str) -> bool:
        """Whether names, addresses and needs of a participant of ``organisation`` show."""
        return self.planner or (self.kind == "organisation" and self.id == organisation)

    def sees_tables(self) -> bool:
        """The scenario's tables (filtered for organisations)."""
        return self.kind in ("planner", "organisation")

    def sees_vehicle_sheets(self, vehicle: str) -> bool:
        """A vehicle's route sheets."""
        return self.planner or (self.kind == "driver" and self.id == vehicle)

    def __str__(self) -> str:
        return f"{self.kind}:{self.id}" if self.id else self.kind


def parse_role(text: str) -> Role:
    """A role from its text (``planner``, ``organisation:ID``, ``driver:VEHICLE``).

    Raises
    ------
    InputError
        For any other text.
    """
    kind, _, ident = text.strip().partition(":")
    if kind == "planner" and not ident:
        return Role("planner")
    if kind in ("organisation", "driver") and ident.strip():
        return Role(kind, ident.strip())
    raise InputError(
        f"unknown role {text!r}; expected planner, organisation:<id> or driver:<vehicle>",
        field="role",
    )


__all__ = ["ROLE_KINDS", "Role", "parse_role"]
