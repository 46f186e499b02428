"""Shared fixtures: the real Liechtenstein OSM extract and the Flevoland BAG export.

Both live in ``../shared`` next to the repository and are read in place (never copied).
``VERVOER_OSM`` / ``VERVOER_BAG`` override the paths. Under ``CI=true`` a missing file is a
failure, elsewhere a skip.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


def _shared_file(env: str, default: Path) -> Path:
    path = Path(os.environ.get(env, default))
    if not path.exists():
        msg = f"{path} not found (set {env})"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(msg)
        pytest.skip(msg)
    return path


@pytest.fixture(scope="session")
def osm_path() -> Path:
    """The real OSM extract of Liechtenstein (2015), 1.3 MB PBF."""
    return _shared_file("VERVOER_OSM", SHARED / "data" / "osm" / "liechtenstein-2015.osm.pbf")


@pytest.fixture(scope="session")
def bag_path() -> Path:
    """The real BAG addresses of the province of Flevoland (zstd-compressed CSV)."""
    return _shared_file("VERVOER_BAG", SHARED / "data" / "bag" / "flevoland-bag-2026-06.csv.zst")


@pytest.fixture(scope="session")
def benchmarks_dir() -> Path:
    """The routing benchmark instances with best-known values."""
    return _shared_file("VERVOER_BENCHMARKS", SHARED / "benchmarks")
