"""vervoer: plan shared group transport for day activities with OSM and OR-Tools.

The public API, for a notebook, the CLI and the web app alike::

    import vervoer
    prepared = vervoer.prepare("my-scenario", osm="utrecht-latest.osm.pbf")
    plan = vervoer.plan(prepared, mode="shared")
    assert vervoer.check(prepared, plan).ok

Names are loaded on first use, so ``import vervoer`` stays fast.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("vervoer")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

#: public name -> the module that owns it
_EXPORTS = {
    "prepare": "vervoer.pipeline",
    "plan": "vervoer.pipeline",
    "check": "vervoer.pipeline",
    "search_params": "vervoer.pipeline",
    "Prepared": "vervoer.pipeline",
    "read_scenario": "vervoer.io.scenario",
    "write_scenario": "vervoer.io.scenario",
    "Scenario": "vervoer.io.scenario",
    "read_plan": "vervoer.io.plan_json",
    "write_plan": "vervoer.io.plan_json",
    "plan_totals": "vervoer.io.plan_json",
    "CheckResult": "vervoer.routing.check",
    "Settings": "vervoer.core.settings",
    "SolveParams": "vervoer.core.settings",
    "Plan": "vervoer.core.model",
    "RidePlan": "vervoer.core.model",
    "Route": "vervoer.core.model",
    "Stop": "vervoer.core.model",
    "Unassigned": "vervoer.core.model",
    "RideKey": "vervoer.core.model",
    "Mode": "vervoer.core.model",
    "VervoerError": "vervoer.core.errors",
    "InputError": "vervoer.core.errors",
    "NetworkError": "vervoer.core.errors",
}

__all__ = [
    "CheckResult",
    "InputError",
    "Mode",
    "NetworkError",
    "Plan",
    "Prepared",
    "RideKey",
    "RidePlan",
    "Route",
    "Scenario",
    "Settings",
    "SolveParams",
    "Stop",
    "Unassigned",
    "VervoerError",
    "__version__",
    "check",
    "plan",
    "plan_totals",
    "prepare",
    "read_plan",
    "read_scenario",
    "search_params",
    "write_plan",
    "write_scenario",
]

if TYPE_CHECKING:  # pragma: no cover
    from vervoer.core.errors import InputError, NetworkError, VervoerError
    from vervoer.core.model import Mode, Plan, RideKey, RidePlan, Route, Stop, Unassigned
    from vervoer.core.settings import Settings, SolveParams
    from vervoer.io.plan_json import plan_totals, read_plan, write_plan
    from vervoer.io.scenario import Scenario, read_scenario, write_scenario
    from vervoer.pipeline import Prepared, check, plan, prepare, search_params
    from vervoer.routing.check import CheckResult


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        msg = f"module 'vervoer' has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
