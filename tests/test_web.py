"""The web app over HTTP (Starlette's TestClient): sign-in, roles, CSRF, uploads, jobs.

One module-wide server plans Monday and compares Monday of the hostile small scenario
with the real ``vervoer`` commands; the security tests then walk every route of the app.
"""

from __future__ import annotations

import io
import os
import re
import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from vervoer.cli import main
from vervoer.web.app import create_app
from vervoer.web.routes import route_table

from . import outputs_data as od
from .web_data import BRUG_NAMES, PASSWORDS, served_scenario, sign_in, wait_job

# the texts of other organisations' participants that an organisation user must not see
NOT_FOR_RIJN = (
    *BRUG_NAMES,
    "Eef Visser",
    "Gijs Geenbus",
    "Bahnhofstrasse",
    "Landstrasse",
    "Begeleider",
    "Rolstoel met",
)


@pytest.fixture(scope="module")
def served(tmp_path_factory, osm_path, osm_cache):
    old = os.environ.get("VERVOER_CACHE")
    os.environ["VERVOER_CACHE"] = str(osm_cache)
    s = served_scenario(tmp_path_factory.mktemp("web"))
    app = create_app(s.scenario, work=s.work, osm=osm_path, secure_cookies=False)
    with TestClient(app) as client:
        csrf = sign_in(client, "plan")
        r = client.post("/plans", data={"csrf": csrf, "days": "mon"}, follow_redirects=False)
        plan_id = int(r.headers["location"].rsplit("/", 1)[1])
        r = client.post("/compare", data={"csrf": csrf, "days": "mon"}, follow_redirects=False)
        compare_id = int(r.headers["location"].rsplit("/", 1)[1])
        plan_info = wait_job(client, plan_id)
        compare_info = wait_job(client, compare_id, timeout=600)
        client.cookies.clear()
        yield {
            "app": app,
            "served": s,
            "plan": plan_id,
            "compare": compare_id,
            "plan_info": plan_info,
            "compare_info": compare_info,
        }
    if old is None:
        os.environ.pop("VERVOER_CACHE", None)
    else:
        os.environ["VERVOER_CACHE"] = old


@pytest.fixture
def client(served):
    with TestClient(served["app"], raise_server_exceptions=False) as c:
        yield c


def _fill(path: str, served) -> str:
    """A route path with real values for its parameters."""
    values = {
        "table": "participants",
        "job_id": str(served["plan"]),
        "token": "x" * 22,
        "path": "map-mon.html",
    }
    if path.startswith("/compare/"):
        values["job_id"] = str(served["compare"])
        values["path"] = "report.html"
    if path.startswith("/replans/"):
        values["path"] = "wijzigingen.csv"
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: values[m.group(1)], path)


def test_jobs_ran_the_real_commands(served):
    assert served["plan_info"]["status"] == "done", served["plan_info"]
    assert served["compare_info"]["status"] == "done", served["compare_info"]
    assert served["plan_info"]["progress"] == 1.0


def test_every_route_needs_a_session(client, served):
    routes = route_table(served["app"])
    assert len(routes) >= 25
    for method, path in routes:
        if path in ("/login",) or path.startswith("/static"):
            continue
        url = _fill(path, served)
        r = client.request(method, url, follow_redirects=False)
        if path.startswith("/api/"):
            assert r.status_code == 401, (method, url, r.status_code)
        else:
            assert r.status_code == 303, (method, url, r.status_code)
            assert r.headers["location"] == "/login"


def test_organisation_user_never_sees_other_participants(client, served):
    sign_in(client, "rijn")
    seen = 0
    for method, path in route_table(served["app"]):
        if method != "GET" or path.startswith("/static") or path == "/login":
            continue
        url = _fill(path, served)
        r = client.get(url, follow_redirects=False)
        assert r.status_code in (200, 303, 403, 404), (url, r.status_code)
        for text in NOT_FOR_RIJN:
            assert text not in r.text, (url, text)
        seen += r.status_code == 200
    # its own participants by name, others by id
    page = client.get("/tables/participants").text
    assert "Hanna Zoekgeraakt" in page and "D3" in page
    assert seen >= 6
    # planning, uploads and the day's changes are for planners
    assert client.get("/day").status_code == 403
    assert client.get(f"/plans/{served['plan']}/files/map-mon.html").status_code == 403
    assert client.get("/audit").status_code == 403


def test_organisation_user_sees_its_own_rides(client, served):
    sign_in(client, "brug")
    page = client.get(f"/plans/{served['plan']}").text
    assert "Cor Bakker" in page and "Dina Smit" in page
    assert "Hanna" not in page


def test_driver_sees_only_its_vehicle(client, served):
    sign_in(client, "bus")
    page = client.get("/sheets").text
    assert "mon-heen-B1.html" in page
    assert "etc-x" not in page
    plan = served["plan"]
    assert client.get(f"/plans/{plan}/files/sheets/mon-heen-B1.html").status_code == 200
    pdf = client.get(f"/plans/{plan}/files/sheets/mon-heen-B1.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    for other in (
        "sheets/mon-heen-etc-x.html",
        "sheets/all-sheets.pdf",
        "map-mon.html",
        "plan.json",
        "stops.csv",
    ):
        assert client.get(f"/plans/{plan}/files/{other}").status_code == 403, other
    for page in ("/", "/tables/participants", f"/plans/{plan}", "/compare", "/day"):
        r = client.get(page, follow_redirects=False)
        assert r.status_code in (303, 403), page
        if r.status_code == 303:
            assert r.headers["location"] == "/sheets"


def test_forms_need_the_csrf_token(client, served):
    csrf = sign_in(client, "plan")
    for url in ("/plans", "/compare", "/day/changes", "/day/replan", "/logout"):
        assert client.post(url, data={"days": "mon"}).status_code == 403, url
        assert client.post(url, data={"csrf": "wrong", "days": "mon"}).status_code == 403, url
    r = client.post(
        "/tables/participants/upload",
        files={"file": ("p.csv", b"id,name\n", "text/csv")},
        data={"csrf": "wrong"},
    )
    assert r.status_code == 403
    # the sign-in form has its own token
    r = client.post("/login", data={"name": "plan", "password": PASSWORDS["plan"][1]})
    assert r.status_code == 403
    assert csrf


def test_hostile_text_renders_as_text(client, served):
    sign_in(client, "plan")
    page = client.get("/tables/participants").text
    assert od.XSS_NAME not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    plan_page = client.get(f"/plans/{served['plan']}")
    assert "<img src=x" not in plan_page.text
    csp = plan_page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert plan_page.headers["x-content-type-options"] == "nosniff"
    assert plan_page.headers["cache-control"] == "no-store"


def test_session_cookie_and_password_storage(served):
    app = served["app"]
    with TestClient(app) as c:
        page = c.get("/login")
        token = re.search(r'name="login_csrf" value="([^"]+)"', page.text).group(1)
        r = c.post(
            "/login",
            data={"name": "plan", "password": PASSWORDS["plan"][1], "login_csrf": token},
            follow_redirects=False,
        )
        cookie = r.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
        value = c.cookies.get("vervoer_session")
    db = sqlite3.connect(served["served"].work / "web.sqlite3")
    hashes = [h for (h,) in db.execute("SELECT password_hash FROM users")]
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)
    stored = [t for (t,) in db.execute("SELECT token_sha256 FROM sessions")]
    assert value not in stored and len(stored[0]) == 64
    wrong = TestClient(app).post("/login", data={"name": "plan", "password": "x"})
    assert wrong.status_code == 403  # no token: refused before the password is looked at


def test_wrong_password_is_refused(client):
    page = client.get("/login")
    token = re.search(r'name="login_csrf" value="([^"]+)"', page.text).group(1)
    r = client.post("/login", data={"name": "plan", "password": "wrong-one!", "login_csrf": token})
    assert r.status_code == 401
    assert client.get("/", follow_redirects=False).status_code == 303


def test_upload_preview_problems_then_save(client, served):
    csrf = sign_in(client, "plan")
    folder = served["served"].scenario
    before = (folder / "vehicles.csv").read_text(encoding="utf-8")
    lines = before.splitlines()
    header = lines[0].split(",")
    seats = header.index("seats")
    bad_row = lines[1].split(",")
    bad_row[seats] = "many"
    broken = "\n".join([lines[0], ",".join(bad_row), *lines[2:]]) + "\n"
    r = client.post(
        "/tables/vehicles/upload",
        files={"file": ("vehicles.csv", broken.encode(), "text/csv")},
        data={"csrf": csrf},
    )
    assert r.status_code == 200
    assert "vehicles.csv" in r.text and "seats" in r.text
    assert 'id="save"' not in r.text  # cannot be saved with problems
    assert (folder / "vehicles.csv").read_text(encoding="utf-8") == before
    # a fixed file: a preview of the change, then saved with the previous file kept
    fixed_row = lines[1].split(",")
    fixed_row[seats] = "7"
    fixed = "\n".join([lines[0], ",".join(fixed_row), *lines[2:]]) + "\n"
    r = client.post(
        "/tables/vehicles/upload",
        files={"file": ("vehicles.csv", fixed.encode(), "text/csv")},
        data={"csrf": csrf},
    )
    assert 'id="save"' in r.text and "1 " in r.text
    token = re.search(r'action="/staged/([^/]+)/save"', r.text).group(1)
    r = client.post(f"/staged/{token}/save", data={"csrf": csrf, "tables": "vehicles"})
    assert r.status_code == 200
    after = (folder / "vehicles.csv").read_text(encoding="utf-8")
    assert ",7," in after.splitlines()[1] + ","
    kept = list((served["served"].work / "previous").rglob("vehicles.csv"))
    assert kept and kept[-1].read_text(encoding="utf-8") == before
    # put the original back for the other tests
    (folder / "vehicles.csv").write_text(before, encoding="utf-8")
    log = client.get("/audit").text
    assert "tables saved" in log


def test_upload_of_a_workbook_and_of_other_files(client, served):
    import openpyxl

    csrf = sign_in(client, "plan")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "organisations"
    ws.append(["id", "name"])
    ws.append(["rijn", ""])
    buf = io.BytesIO()
    wb.save(buf)
    r = client.post(
        "/tables/workbook/upload",
        files={"file": ("week.xlsx", buf.getvalue(), "application/octet-stream")},
        data={"csrf": csrf},
    )
    assert r.status_code == 200
    assert "organisations.csv" in r.text and "name" in r.text
    r = client.post(
        "/tables/participants/upload",
        files={"file": ("notes.txt", b"hello", "text/plain")},
        data={"csrf": csrf},
    )
    assert r.status_code == 400 and "expected a .csv file" in r.text


def test_a_second_identical_request_is_not_started_twice(served):
    store = served["served"].store
    first, new = store.add_job("compare", {"days": ["tue"], "probe": 1}, "plan")
    second, again = store.add_job("compare", {"days": ["tue"], "probe": 1}, "plan")
    assert new and not again and first.id == second.id
    store.update_job(first.id, status="cancelled")


def test_day_change_form_validates_and_writes(client, served):
    csrf = sign_in(client, "plan")
    folder = served["served"].scenario
    r = client.post(
        "/day/changes",
        data={"csrf": csrf, "date": "2026-12-07", "change": "absent", "participant": "NOPE"},
    )
    assert r.status_code == 400 and "changes.csv" in r.text and "NOPE" in r.text
    assert not (folder / "changes.csv").exists()
    r = client.post(
        "/day/changes",
        data={
            "csrf": csrf,
            "date": "2026-12-07",
            "change": "absent",
            "participant": "D3",
            "note": "ziek",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    text = (folder / "changes.csv").read_text(encoding="utf-8")
    assert "2026-12-07" in text and "D3" in text
    (folder / "changes.csv").unlink()


def test_users_command(served, tmp_path):
    from click.testing import CliRunner

    folder = served["served"].scenario
    work = tmp_path / "w"
    runner = CliRunner()
    r = runner.invoke(
        main,
        [
            "users",
            "add",
            str(folder),
            "x",
            "--role",
            "organisation:nope",
            "--password",
            "long-enough-1",
            "--work",
            str(work),
        ],
    )
    assert r.exit_code == 2 and "organisation 'nope' is not in the scenario" in r.output
    r = runner.invoke(
        main,
        [
            "users",
            "add",
            str(folder),
            "x",
            "--role",
            "driver:B1",
            "--password",
            "short",
            "--work",
            str(work),
        ],
    )
    assert r.exit_code == 2 and "at least 10 characters" in r.output
    r = runner.invoke(
        main,
        [
            "users",
            "add",
            str(folder),
            "x",
            "--role",
            "driver:B1",
            "--password",
            "long-enough-1",
            "--work",
            str(work),
        ],
    )
    assert r.exit_code == 0, r.output
    r = runner.invoke(main, ["users", "list", str(folder), "--work", str(work)])
    assert "driver:B1" in r.output
    assert "Traceback" not in r.output


def test_serve_refuses_a_workbook(tmp_path):
    from click.testing import CliRunner

    book = tmp_path / "week.xlsx"
    book.write_bytes(b"not really")
    r = CliRunner().invoke(main, ["serve", str(book)])
    assert r.exit_code == 2
    assert "Traceback" not in r.output


def test_jobs_of_a_scenario_outside_the_web_folder(served):
    # the job folders live in the web folder, never beside the coordinator's files
    jobs = Path(served["plan_info"]["result"] or "")
    assert jobs
    assert not (served["served"].scenario / "jobs").exists()


def test_serve_starts_prints_its_url_and_creates_a_first_user(tmp_path, osm_path):
    import socket
    import subprocess
    import sys
    import urllib.request

    folder = od.hostile_scenario(tmp_path / "scenario")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "vervoer",
            "serve",
            str(folder),
            "--port",
            str(port),
            "--osm",
            str(osm_path),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        lines = [proc.stdout.readline(), proc.stdout.readline()]
        assert "created user 'planner' with password" in lines[0]
        assert f"http://127.0.0.1:{port}/" in lines[1]
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login") as r:
                    assert r.status == 200 and "Inloggen" in r.read().decode()
                break
            except OSError:
                import time

                time.sleep(0.1)
        else:
            raise AssertionError("the server did not answer")
    finally:
        proc.terminate()
        proc.wait(20)
    assert (folder / ".vervoer-web" / "web.sqlite3").is_file()
