"""vervoer: plan shared group transport for day activities with OSM and OR-Tools."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("vervoer")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"
