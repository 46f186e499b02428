"""The cooperative cost game of the member organisations: coalitions and their costs.

Pure and solver-independent. A :class:`CostGame` holds the cost ``v(S)`` of coalitions S
of players (organisations): what S would pay doing its transport together without the
others; ``v({i})`` is organisation i's own transport and ``v(N)`` the shared transport of
everyone. This module holds the game itself and the checks every other part of
:mod:`vervoer.sharing` relies on:

* :func:`all_coalitions`, :func:`coalition_label`, :func:`coalition_order`: the
  coalitions of a set of players, their readable names and their canonical order;
* :func:`check_players`, :func:`as_coalition`, :func:`as_cost`: validation with clear
  messages, shared by the game, its solutions (:mod:`vervoer.sharing.solutions`) and the
  evaluation of coalitions (:mod:`vervoer.sharing.evaluate`);
* :func:`split_closure`: repairs coalition costs that a heuristic search left above
  the cost of running the coalition as two separate parts.

Conventions: a coalition is a ``frozenset`` of player names; ``v(empty set) = 0``; the
*excess* of coalition S under allocation x is ``x(S) - v(S)``, how much more S pays than
on its own (positive: S would be better off leaving).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from vervoer.core.errors import VervoerError

__all__ = [
    "Coalition",
    "CostFn",
    "CostGame",
    "MissingCoalitionError",
    "all_coalitions",
    "as_coalition",
    "as_cost",
    "check_players",
    "coalition_label",
    "coalition_order",
    "split_closure",
]

Coalition = frozenset[str]
"""A coalition: the names of the players in it."""

CostFn = Callable[[Coalition], float]
"""A cost function ``v(S)``; picklable for the process and Dask executors."""


class MissingCoalitionError(VervoerError, KeyError):
    """The cost of a coalition that a computation needs was not evaluated."""

    def __init__(self, coalition: Coalition, message: str) -> None:
        super().__init__(message)
        self.coalition = coalition
        self.message = message

    def __str__(self) -> str:  # KeyError would quote the message
        return self.message

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.coalition, self.message))


# ----------------------------------------------------------------------------- coalitions


def coalition_label(coalition: Iterable[str]) -> str:
    """A readable name for a coalition: ``"A + B + C"`` (names sorted), ``"{}"`` if empty."""
    names = sorted(coalition)
    return " + ".join(names) if names else "{}"


def coalition_order(coalition: Coalition) -> tuple[int, list[str]]:
    """Sort key of coalitions: by size, then by their sorted names.

    Parameters
    ----------
    coalition
        A coalition.

    Returns
    -------
    tuple
        ``(len(coalition), sorted(coalition))``; singletons sort first, the grand
        coalition last.
    """
    return (len(coalition), sorted(coalition))


def all_coalitions(players: Sequence[str]) -> list[Coalition]:
    """Every non-empty coalition of ``players``, by size and then names.

    Parameters
    ----------
    players
        The player names.

    Returns
    -------
    list of frozenset
        The ``2**n - 1`` coalitions, the singletons first and the grand coalition last.
    """
    names = sorted(players)
    return [
        frozenset(c)
        for size in range(1, len(names) + 1)
        for c in itertools.combinations(names, size)
    ]


# ----------------------------------------------------------------------------- validation


def check_players(players: Iterable[str]) -> tuple[str, ...]:
    """The player names as a tuple, checked.

    Parameters
    ----------
    players
        The player (organisation) names.

    Returns
    -------
    tuple of str
        The names, in the given order.

    Raises
    ------
    ValueError
        For no players, a name that is not a non-empty string, or a duplicate name.
    """
    out = tuple(players)
    if not out:
        msg = "a game needs at least one player"
        raise ValueError(msg)
    for p in out:
        if not isinstance(p, str) or not p:
            msg = f"player names must be non-empty strings, got {p!r}"
            raise ValueError(msg)
    dupes = sorted({p for p in out if out.count(p) > 1})
    if dupes:
        msg = f"duplicate player(s): {', '.join(dupes)}"
        raise ValueError(msg)
    return out


def as_coalition(s: object, known: frozenset[str] | None = None) -> Coalition:
    """A coalition from a set-like of names, with a clear error for anything else.

    Parameters
    ----------
    s
        A set-like of player names (not a string).
    known
        The players of the game; ``None`` accepts any names.

    Returns
    -------
    frozenset
        The coalition.

    Raises
    ------
    ValueError
        For a string or a non-iterable, the empty coalition, or unknown players.
    """
    if isinstance(s, str | bytes) or not isinstance(s, Iterable):
        msg = (
            f"a coalition must be a frozenset of player names, got {s!r} "
            "(write frozenset({'A', 'B'}), not 'AB')"
        )
        raise ValueError(msg)
    out = frozenset(s)
    if not out:
        msg = "the empty coalition has no cost to evaluate (v(empty set) = 0 by definition)"
        raise ValueError(msg)
    if known is not None and not out <= known:
        unknown = ", ".join(sorted(map(str, out - known)))
        msg = (
            f"coalition {coalition_label(map(str, out))} has unknown player(s) {unknown}; "
            f"the players are {', '.join(sorted(known))}"
        )
        raise ValueError(msg)
    return out


def as_cost(value: object, coalition: Coalition) -> float:
    """A coalition's cost as a finite float, or a clear error.

    Parameters
    ----------
    value
        The cost, as returned by a cost function or given to :class:`CostGame`.
    coalition
        Its coalition (for the message).

    Returns
    -------
    float
        The cost.

    Raises
    ------
    TypeError
        If ``value`` is not a number (``bool``, ``str`` and ``None`` are not).
    ValueError
        If it is not finite.
    """
    if isinstance(value, bool | str | bytes) or value is None:
        msg = f"v({coalition_label(coalition)}) is {value!r}, not a number"
        raise TypeError(msg)
    try:
        out = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        msg = f"v({coalition_label(coalition)}) is {value!r}, not a number"
        raise TypeError(msg) from exc
    if not math.isfinite(out):
        msg = f"v({coalition_label(coalition)}) is {out}, not a finite number"
        raise ValueError(msg)
    return out


# ----------------------------------------------------------------------------- the game


@dataclass(frozen=True)
class CostGame:
    """A cooperative cost game: the cost ``v(S)`` of the coalitions that were evaluated.

    Parameters
    ----------
    players
        The player (organisation) names, unique.
    costs
        ``v(S)`` per non-empty coalition ``S`` (a ``frozenset`` of player names). The grand
        coalition must be present; other coalitions may be missing (a *partial* game, e.g.
        from sampling), but :func:`~vervoer.sharing.solutions.shapley`,
        :func:`~vervoer.sharing.solutions.core_is_empty` and
        :func:`~vervoer.sharing.solutions.nucleolus` need all of them. Stored as a
        read-only mapping, sorted by size and names.

    Raises
    ------
    ValueError
        For no or duplicate players, a coalition with unknown players, the empty
        coalition, a cost that is not a finite number, or a missing grand coalition.
    """

    players: tuple[str, ...]
    costs: Mapping[Coalition, float]

    def __post_init__(self) -> None:
        players = check_players(self.players)
        known = frozenset(players)
        costs: dict[Coalition, float] = {}
        for s, c in self.costs.items():
            coalition = as_coalition(s, known)
            try:
                costs[coalition] = as_cost(c, coalition)
            except TypeError as exc:
                raise ValueError(str(exc)) from exc
        if known not in costs:
            msg = (
                f"the cost of the grand coalition v(N) = v({coalition_label(known)}) is "
                "missing; it is the cost that is divided"
            )
            raise ValueError(msg)
        ordered = {s: costs[s] for s in sorted(costs, key=coalition_order)}
        object.__setattr__(self, "players", players)
        object.__setattr__(self, "costs", MappingProxyType(ordered))

    @property
    def n(self) -> int:
        """The number of players."""
        return len(self.players)

    @property
    def grand(self) -> Coalition:
        """The grand coalition N (all players)."""
        return frozenset(self.players)

    @property
    def grand_cost(self) -> float:
        """``v(N)``, the cost to divide."""
        return self.costs[self.grand]

    def v(self, coalition: Iterable[str]) -> float:
        """The cost of a coalition (0 for the empty one).

        Raises
        ------
        MissingCoalitionError
            If the coalition was not evaluated.
        """
        s = frozenset(coalition)
        if not s:
            return 0.0
        try:
            return self.costs[s]
        except KeyError:
            msg = f"the cost of coalition {coalition_label(s)} was not evaluated"
            raise MissingCoalitionError(s, msg) from None

    def missing(self) -> list[Coalition]:
        """The coalitions whose cost is missing, by size and names (empty if complete)."""
        return [s for s in all_coalitions(self.players) if s not in self.costs]

    @property
    def complete(self) -> bool:
        """Whether all ``2**n - 1`` coalitions were evaluated."""
        total: int = 2**self.n - 1
        return len(self.costs) == total

    def require_complete(self, purpose: str) -> None:
        """Raise :class:`MissingCoalitionError` naming the first missing coalition."""
        if self.complete:
            return
        missing = self.missing()
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        msg = (
            f"{purpose} needs the cost of every coalition, but v({coalition_label(missing[0])})"
            f"{more} was not evaluated"
        )
        raise MissingCoalitionError(missing[0], msg)


# ----------------------------------------------------------------------------- repairs


def split_closure(
    costs: Mapping[Coalition, float],
) -> tuple[dict[Coalition, float], list[Coalition]]:
    """v(S) = the cheaper of S's joint plan and any split of S into two disjoint parts.

    A coalition can always run its members as separate pools, so a joint plan that a
    heuristic search left more expensive than a split is replaced by the split (smallest
    coalitions first, so splits combine).

    Parameters
    ----------
    costs
        ``v(S)`` per coalition, as evaluated.

    Returns
    -------
    costs : dict
        The repaired ``v(S)`` (a split's cost rounded to cents).
    changed : list of frozenset
        The coalitions whose cost was lowered, by size and names.
    """
    out = dict(costs)
    changed = []
    for s in sorted(out, key=coalition_order):
        members = sorted(s)
        best = out[s]
        for r in range(1, len(members)):
            for part in itertools.combinations(members, r):
                a = frozenset(part)
                b = s - a
                if a in out and b in out and out[a] + out[b] < best - 1e-9:
                    best = round(out[a] + out[b], 2)
        if best < out[s]:
            out[s] = best
            changed.append(s)
    return out, changed
