"""A served copy of the hostile small scenario, with one user per role, for the web tests.

The scenario is ``outputs_data.hostile_scenario`` (names with script payloads, a formula
id, a vehicle id with ``../``) on the real Liechtenstein extract. Jobs run the real
``vervoer`` commands in a child process, with ``VERVOER_CACHE`` pointing at the session's
network cache.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

from vervoer.web.store import Store

from . import outputs_data as od

PASSWORDS = {
    "plan": ("planner", "plan-password-1"),
    "rijn": ("organisation:rijn", "rijn-password-1"),
    "brug": ("organisation:brug", "brug-password-1"),
    "bus": ("driver:B1", "bus-password-1"),
}
#: participant names of organisation ``brug`` (D3, D4, D6-like formula id row)
BRUG_NAMES = ("Cor Bakker", "Dina Smit", "Frits Formule")
RIJN_NAMES = (od.XSS_NAME, "Hanna Zoekgeraakt")


@dataclass
class Served:
    scenario: Path
    work: Path

    @property
    def store(self) -> Store:
        return Store(self.work / "web.sqlite3")


def served_scenario(root: Path) -> Served:
    """The hostile scenario in ``root/scenario`` with the users of :data:`PASSWORDS`."""
    folder = od.hostile_scenario(root / "scenario")
    work = root / "web"
    store = Store(work / "web.sqlite3")
    for name, (role, password) in PASSWORDS.items():
        store.add_user(name, password, role)
    return Served(folder, work)


def sign_in(client, name: str) -> str:  # type: ignore[no-untyped-def]
    """Sign a TestClient in as ``name``; returns the session's CSRF token."""
    page = client.get("/login")
    token = re.search(r'name="login_csrf" value="([^"]+)"', page.text).group(1)
    r = client.post(
        "/login",
        data={"name": name, "password": PASSWORDS[name][1], "login_csrf": token},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    home = client.get("/sheets" if name == "bus" else "/")
    return re.search(r'name="csrf" value="([^"]+)"', home.text).group(1)


def wait_job(client, job_id: int, timeout: float = 240.0) -> dict:  # type: ignore[no-untyped-def]
    """Poll a job until it has finished; returns its API record."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        info = client.get(f"/api/jobs/{job_id}").json()
        if info["status"] not in ("queued", "running"):
            return info
        time.sleep(0.5)
    raise AssertionError(f"job {job_id} did not finish in {timeout} s")
