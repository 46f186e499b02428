"""The web app's routes: every one checks the session and the role on the server.

Planner: everything. Organisation: tables (others' participants by id only), its own
rides in a plan, the comparison. Driver: its vehicle's route sheets. Each POST checks the
form's CSRF token (:meth:`Pages.form`).
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from vervoer.core.errors import InputError
from vervoer.core.i18n import web_texts
from vervoer.core.model import Plan
from vervoer.web import tables as tb
from vervoer.web.app import (
    COOKIE,
    LOGIN_COOKIE,
    Context,
    Forbidden,
    Pages,
    file_response,
    problem_rows,
    read_csv_file,
    weekday_values,
)
from vervoer.web.auth import Role
from vervoer.web.store import Job, Session

#: the change kinds the day form offers (value, the field it needs)
CHANGE_KINDS = ("absent", "out_of_service", "closed", "time", "address")


def register(app: FastAPI, ctx: Context, pages: Pages) -> None:
    """Add every route to ``app``."""
    _auth_routes(app, ctx, pages)
    _table_routes(app, ctx, pages)
    _job_routes(app, ctx, pages)
    _plan_routes(app, ctx, pages)
    _day_routes(app, ctx, pages)
    _compare_routes(app, ctx, pages)


# ----------------------------------------------------------------------------- sign-in


def _auth_routes(app: FastAPI, ctx: Context, pages: Pages) -> None:
    @app.get("/login", response_class=HTMLResponse)
    async def login_page(request: Request) -> Response:
        response = HTMLResponse("")
        token = pages.login_cookie(response)
        body = pages.render(request, "login.html", None, login_csrf=token, error="")
        return _with_body(response, body)

    @app.post("/login", response_class=HTMLResponse)
    async def login(request: Request) -> Response:
        form = await request.form()
        cookie = request.cookies.get(LOGIN_COOKIE, "")
        token = form.get("login_csrf")
        t = web_texts(ctx.language)
        if not cookie or not isinstance(token, str) or not secrets.compare_digest(token, cookie):
            raise HTTPException(403, "CSRF token missing or wrong")
        name, password = str(form.get("name", "")), str(form.get("password", ""))
        user = ctx.store.verify(name, password)
        if user is None:
            ctx.store.audit(name or "?", "sign-in failed")
            failed = HTMLResponse("", status_code=401)
            new = pages.login_cookie(failed)
            body = pages.render(request, "login.html", None, login_csrf=new, error=t["bad_login"])
            return _with_body(failed, body)
        ctx.store.audit(user.name, "signed in")
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(
            COOKIE,
            ctx.store.new_session(user),
            httponly=True,
            samesite="strict",
            secure=ctx.secure_cookies,
            max_age=12 * 3600,
        )
        response.delete_cookie(LOGIN_COOKIE)
        return response

    @app.post("/logout")
    async def logout(request: Request) -> Response:
        s = pages.session(request)
        await pages.form(request, s)
        ctx.store.end_session(request.cookies.get(COOKIE))
        ctx.store.audit(s.user.name, "signed out")
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE)
        return response

    @app.get("/", response_class=HTMLResponse)
    async def home(request: Request) -> Response:
        s = pages.session(request)
        role = pages.role(s)
        if role.kind == "driver":
            return RedirectResponse("/sheets", status_code=303)
        views = tb.table_views(ctx.scenario)
        counts = {t: len(v.rows) for t, v in views.items()}
        problems = sum(len(ms) for v in views.values() for ms in v.problems.values())
        latest = ctx.store.latest_done("plan")
        return pages.page(
            request,
            "home.html",
            s,
            counts=counts,
            problems=problems if role.planner else None,
            latest=latest,
            jobs=ctx.store.jobs(limit=8) if role.planner else [],
        )

    @app.get("/api/scenario")
    async def api_scenario(request: Request) -> Response:
        _s, role = pages.reader(request)
        views = tb.table_views(ctx.scenario)
        return JSONResponse(
            {
                "scenario": ctx.scenario.name,
                "tables": {t: len(v.rows) for t, v in views.items()},
                "problems": (
                    sum(len(ms) for v in views.values() for ms in v.problems.values())
                    if role.planner
                    else None
                ),
            }
        )

    @app.get("/audit", response_class=HTMLResponse)
    async def audit(request: Request) -> Response:
        s, _role = pages.planner(request)
        return pages.page(request, "audit.html", s, entries=ctx.store.audit_log())


def _with_body(response: HTMLResponse, body: str) -> HTMLResponse:
    """A response whose cookies are set, with its body filled in afterwards."""
    out = HTMLResponse(body, status_code=response.status_code)
    for key, value in response.raw_headers:
        if key.lower() == b"set-cookie":
            out.raw_headers.append((key, value))
    return out


# ----------------------------------------------------------------------------- tables


def _visible_views(ctx: Context, role: Role) -> dict[str, tb.TableView]:
    views = tb.table_views(ctx.scenario)
    if role.planner:
        return views
    owners = tb.participant_organisations(views)
    return {t: tb.redact(v, {role.id}, owners) for t, v in views.items()}


def _table_routes(app: FastAPI, ctx: Context, pages: Pages) -> None:
    @app.get("/tables/{table}", response_class=HTMLResponse)
    async def table_page(request: Request, table: str) -> Response:
        s, role = pages.reader(request)
        if table not in tb.ALL_TABLES:
            raise HTTPException(404, "no such table")
        views = _visible_views(ctx, role)
        return pages.page(
            request, "table.html", s, table=table, view=views[table], tables=tb.ALL_TABLES
        )

    @app.get("/api/tables/{table}")
    async def api_table(request: Request, table: str) -> Response:
        _s, role = pages.reader(request)
        if table not in tb.ALL_TABLES:
            raise HTTPException(404, "no such table")
        view = _visible_views(ctx, role)[table]
        return JSONResponse(
            {
                "table": table,
                "file": view.file,
                "header": view.header,
                "rows": view.rows,
                "problems": [
                    {"row": r, "field": f, "messages": ms} for (r, f), ms in view.problems.items()
                ],
            }
        )

    @app.post("/tables/{table}/upload", response_class=HTMLResponse)
    async def upload(request: Request, table: str) -> Response:
        s, _role = pages.planner(request)
        form = await pages.form(request, s)
        upload = form.get("file")
        if table not in (*tb.ALL_TABLES, "workbook") or not isinstance(upload, UploadFile):
            raise HTTPException(400, "choose a file to upload")
        data = await upload.read(tb.MAX_UPLOAD_BYTES + 1)
        try:
            tables = tb.parse_upload(
                upload.filename or "upload", data, None if table == "workbook" else table
            )
        except InputError as exc:
            return pages.page(
                request,
                "preview.html",
                s,
                status=400,
                staged=None,
                upload_problems=problem_rows(exc.problems),
                table=table,
            )
        staged = tb.stage(ctx.scenario, ctx.work, tables)
        ctx.store.audit(
            s.user.name, "upload staged", f"{upload.filename}: {', '.join(staged.tables)}"
        )
        return pages.page(
            request,
            "preview.html",
            s,
            staged=staged,
            upload_problems=[],
            problems=problem_rows(staged.problems),
            views=[
                v
                for t, v in tb.table_views(staged.folder, staged.problems).items()
                if t in staged.tables
            ],
            table=table,
        )

    @app.post("/staged/{token}/save")
    async def save(request: Request, token: str) -> Response:
        s, _role = pages.planner(request)
        form = await pages.form(request, s)
        folder = tb.staged_folder(ctx.work, token)
        if folder is None:
            raise HTTPException(404, "this upload was saved or discarded already")
        chosen = [t for t in str(form.get("tables", "")).split(",") if t in tb.ALL_TABLES]
        written = tb.apply_staged(ctx.scenario, ctx.work, folder, chosen)
        ctx.store.audit(s.user.name, "tables saved", ", ".join(p.name for p in written))
        return RedirectResponse(f"/tables/{chosen[0] if chosen else 'participants'}", 303)

    @app.post("/staged/{token}/discard")
    async def discard(request: Request, token: str) -> Response:
        import shutil

        s, _role = pages.planner(request)
        await pages.form(request, s)
        folder = tb.staged_folder(ctx.work, token)
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        ctx.store.audit(s.user.name, "upload discarded", token[:6])
        return RedirectResponse("/", 303)


# ----------------------------------------------------------------------------- jobs


def _job_routes(app: FastAPI, ctx: Context, pages: Pages) -> None:
    @app.get("/jobs/{job_id}", response_class=HTMLResponse)
    async def job_page(request: Request, job_id: int) -> Response:
        s, _role = pages.planner(request)
        job = pages.job(job_id)
        return pages.page(request, "job.html", s, job=job, info=pages.job_dict(job))

    @app.get("/api/jobs/{job_id}")
    async def api_job(request: Request, job_id: int) -> Response:
        _s, _role = pages.planner(request)
        return JSONResponse(pages.job_dict(pages.job(job_id)))

    @app.get("/api/jobs")
    async def api_jobs(request: Request) -> Response:
        _s, _role = pages.planner(request)
        return JSONResponse([pages.job_dict(j) for j in ctx.store.jobs()])

    @app.post("/jobs/{job_id}/cancel")
    async def cancel(request: Request, job_id: int) -> Response:
        s, _role = pages.planner(request)
        await pages.form(request, s)
        pages.job(job_id)
        ctx.worker.cancel(job_id, s.user.name)
        return RedirectResponse(f"/jobs/{job_id}", 303)


# ----------------------------------------------------------------------------- plans


def _days(form: dict[str, Any]) -> list[str]:
    days = [d for d in str(form.get("days", "")).split(",") if d in weekday_values()]
    return sorted(set(days), key=weekday_values().index)


def _plan_job(pages: Pages, job_id: int) -> tuple[Job, Plan]:
    job = pages.job(job_id, "plan")
    plan = pages.plan_of(job)
    if plan is None:
        raise HTTPException(404, "this plan is not finished")
    return job, plan


def _own_rides(plan: Plan, org: str, names: dict[str, str]) -> list[dict[str, Any]]:
    """The rides of one organisation's participants: trip, vehicle, times."""
    out = []
    for ride in plan.rides:
        for route in ride.routes:
            board = {p: s for s in route.stops for p in s.boarding}
            alight = {p: s for s in route.stops for p in s.alighting}
            for pid, stop in board.items():
                if names.get(pid) is None:
                    continue
                end = alight.get(pid)
                out.append(
                    {
                        "trip": str(ride.key),
                        "participant": pid,
                        "name": names[pid],
                        "vehicle": route.vehicle,
                        "pickup": stop.departure,
                        "dropoff": end.arrival if end is not None else None,
                    }
                )
        for u in ride.unassigned:
            if u.organisation == org:
                out.append(
                    {
                        "trip": str(ride.key),
                        "participant": u.participant,
                        "name": names.get(u.participant, u.participant),
                        "vehicle": None,
                        "pickup": None,
                        "dropoff": None,
                        "unassigned": u,
                    }
                )
    return out


def _plan_routes(app: FastAPI, ctx: Context, pages: Pages) -> None:
    @app.get("/plans", response_class=HTMLResponse)
    async def plans(request: Request) -> Response:
        s, role = pages.reader(request)
        jobs = [j for j in ctx.store.jobs("plan") if role.planner or j.status == "done"]
        return pages.page(request, "plans.html", s, jobs=jobs, days=weekday_values())

    @app.post("/plans")
    async def start_plan(request: Request) -> Response:
        s, _role = pages.planner(request)
        form = await pages.form(request, s)
        return pages.queue("plan", {"days": _days(form)}, s)

    @app.get("/plans/{job_id}", response_class=HTMLResponse)
    async def plan_page(request: Request, job_id: int) -> Response:
        from vervoer.io.plan_json import plan_totals

        s, role = pages.reader(request)
        job, plan = _plan_job(pages, job_id)
        totals = plan_totals(plan)
        days = list(dict.fromkeys(r.key.weekday.value for r in plan.rides))
        views = tb.table_views(ctx.scenario)
        names = tb.participant_names(views, None if role.planner else role.id)
        if role.planner:
            day = request.query_params.get("day")
            return pages.page(
                request,
                "plan.html",
                s,
                job=job,
                plan=plan,
                totals=totals,
                days=days,
                map_day=day if day in days else (days[0] if days else None),
                names=names,
            )
        own = totals["per_organisation"].get(role.id)
        return pages.page(
            request,
            "plan_org.html",
            s,
            job=job,
            totals=totals,
            own=own,
            rides=_own_rides(plan, role.id, names),
            days=days,
        )

    @app.get("/plans/{job_id}/files/{path:path}")
    async def plan_file(request: Request, job_id: int, path: str) -> Response:
        s = pages.session(request)
        role = pages.role(s)
        job, plan = _plan_job(pages, job_id)
        target = _inside(Path(job.out_dir), path)
        if not role.planner and not _driver_may(role, plan, path):
            raise Forbidden
        return file_response(target, document=target.suffix == ".html")

    @app.get("/sheets", response_class=HTMLResponse)
    async def sheets(request: Request) -> Response:
        s = pages.session(request)
        role = pages.role(s)
        if role.kind not in ("planner", "driver"):
            raise Forbidden
        job = ctx.store.latest_done("plan")
        plan = pages.plan_of(job) if job else None
        entries = []
        if job is not None and plan is not None:
            from vervoer.outputs.sheets import sheet_stems

            for (trip, vehicle), stem in sheet_stems(plan).items():
                if role.sees_vehicle_sheets(vehicle):
                    folder = Path(job.out_dir) / "sheets"
                    day = f"day-{trip.split('-', 1)[0]}-{stem[len(trip) + 1 :]}"
                    entries.append(
                        {
                            "trip": trip,
                            "vehicle": vehicle,
                            "stem": stem,
                            "pdf": (folder / f"{stem}.pdf").is_file(),
                            "day_pdf": day if (folder / f"{day}.pdf").is_file() else None,
                        }
                    )
        return pages.page(request, "sheets.html", s, job=job, entries=entries)


def _inside(folder: Path, path: str) -> Path:
    """``folder / path`` when it is a file inside ``folder``, else 404."""
    target = (folder / path).resolve()
    if not target.is_relative_to(folder.resolve()) or not target.is_file():
        raise HTTPException(404, "no such file")
    return target


def _driver_may(role: Role, plan: Plan, path: str) -> bool:
    """Whether a driver may open a file of a plan: its own vehicle's sheets and GPX."""
    from vervoer.outputs.sheets import sheet_stems

    if role.kind != "driver":
        return False
    parts = Path(path).parts
    if len(parts) != 2 or parts[0] not in ("sheets", "gpx"):
        return False
    stem, suffix = Path(parts[1]).stem, Path(parts[1]).suffix
    allowed = {".html", ".pdf"} if parts[0] == "sheets" else {".gpx"}
    own = {(trip, st) for (trip, v), st in sheet_stems(plan).items() if v == role.id}
    stems = {st for _trip, st in own}
    # the vehicle day's PDF: day-<weekday>-<vehicle slug>.pdf
    stems |= {f"day-{trip.split('-', 1)[0]}-{st[len(trip) + 1 :]}" for trip, st in own}
    return suffix in allowed and stem in stems


# ----------------------------------------------------------------------------- the day


def _day_routes(app: FastAPI, ctx: Context, pages: Pages) -> None:
    @app.get("/day", response_class=HTMLResponse)
    async def day_page(request: Request) -> Response:
        s, _role = pages.planner(request)
        views = tb.table_views(ctx.scenario)
        return pages.page(
            request,
            "day.html",
            s,
            changes=views["changes"],
            kinds=CHANGE_KINDS,
            date=request.query_params.get("date") or _next_workday(),
            staged=None,
            problems=[],
            replans=ctx.store.jobs("replan"),
            bases=ctx.store.jobs("plan"),
        )

    @app.post("/day/changes", response_class=HTMLResponse)
    async def add_change(request: Request) -> Response:
        s, _role = pages.planner(request)
        form = await pages.form(request, s)
        kind = str(form.get("change", ""))
        cells = {
            "date": str(form.get("date", "")).strip(),
            "change": kind,
            "participant": str(form.get("participant", "")).strip(),
            "vehicle": str(form.get("vehicle", "")).strip(),
            "location": str(form.get("location", "")).strip(),
            "rides": str(form.get("rides", "")).strip(),
            "value": str(form.get("value", "")).strip(),
            "note": str(form.get("note", "")).strip(),
        }
        staged = tb.append_row(ctx.scenario, ctx.work, "changes", cells)
        if staged.problems:
            import shutil

            shutil.rmtree(staged.folder, ignore_errors=True)
            views = tb.table_views(ctx.scenario)
            return pages.page(
                request,
                "day.html",
                s,
                status=400,
                changes=views["changes"],
                kinds=CHANGE_KINDS,
                date=cells["date"],
                staged=None,
                problems=problem_rows(staged.problems),
                replans=ctx.store.jobs("replan"),
                bases=ctx.store.jobs("plan"),
            )
        tb.apply_staged(ctx.scenario, ctx.work, staged.folder, ["changes"])
        ctx.store.audit(s.user.name, "change added", json.dumps(cells, ensure_ascii=False))
        return RedirectResponse(f"/day?date={cells['date']}", 303)

    @app.post("/day/replan")
    async def replan(request: Request) -> Response:
        s, _role = pages.planner(request)
        form = await pages.form(request, s)
        date = str(form.get("date", "")).strip()
        try:
            dt.date.fromisoformat(date)
        except ValueError:
            raise HTTPException(400, "the date must be YYYY-MM-DD") from None
        args: dict[str, Any] = {"date": date}
        base_id = str(form.get("base", "")).strip()
        if base_id.isdigit():
            base = ctx.store.job(int(base_id))
            if base is not None and base.kind == "plan" and base.status == "done":
                args["base"] = str(Path(base.out_dir) / "plan.json")
        return pages.queue("replan", args, s)

    @app.get("/replans/{job_id}", response_class=HTMLResponse)
    async def replan_page(request: Request, job_id: int) -> Response:
        s, _role = pages.planner(request)
        job = pages.job(job_id, "replan")
        out = Path(job.out_dir)
        name = "wijzigingen.csv" if (out / "wijzigingen.csv").is_file() else "changes_list.csv"
        header, rows = read_csv_file(out / name)
        plan = pages.plan_of(job)
        return pages.page(
            request,
            "replan.html",
            s,
            job=job,
            header=header,
            rows=rows,
            plan=plan,
            file=name,
        )

    @app.get("/replans/{job_id}/files/{path:path}")
    async def replan_file(request: Request, job_id: int, path: str) -> Response:
        _s, _role = pages.planner(request)
        job = pages.job(job_id, "replan")
        return file_response(_inside(Path(job.out_dir), path), document=False)


def _next_workday() -> str:
    day = dt.date.today() + dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day.isoformat()


# ----------------------------------------------------------------------------- compare


def _compare_routes(app: FastAPI, ctx: Context, pages: Pages) -> None:
    @app.get("/compare", response_class=HTMLResponse)
    async def compare_page(request: Request) -> Response:
        s, role = pages.reader(request)
        jobs = [j for j in ctx.store.jobs("compare") if role.planner or j.status == "done"]
        return pages.page(request, "compare.html", s, jobs=jobs, days=weekday_values())

    @app.post("/compare")
    async def start_compare(request: Request) -> Response:
        s, _role = pages.planner(request)
        form = await pages.form(request, s)
        return pages.queue("compare", {"days": _days(form)}, s)

    @app.get("/compare/{job_id}", response_class=HTMLResponse)
    async def compare_result(request: Request, job_id: int) -> Response:
        s, _role = pages.reader(request)
        job = pages.job(job_id, "compare")
        if job.status != "done":
            raise HTTPException(404, "this comparison is not finished")
        out = Path(job.out_dir)
        files = sorted(p.name for p in out.iterdir() if p.suffix in (".csv", ".pdf", ".json"))
        return pages.page(request, "compare_result.html", s, job=job, files=files)

    @app.get("/compare/{job_id}/files/{path:path}")
    async def compare_file(request: Request, job_id: int, path: str) -> Response:
        _s, _role = pages.reader(request)
        job = pages.job(job_id, "compare")
        if job.status != "done":
            raise HTTPException(404, "this comparison is not finished")
        target = _inside(Path(job.out_dir), path)
        return file_response(target, document=target.suffix == ".html")


def route_table(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path) of every route of the app: what the security tests enumerate."""
    out = []
    for r in app.routes:
        methods = getattr(r, "methods", None) or set()
        for m in sorted(methods):
            if m != "HEAD":
                out.append((m, r.path))  # type: ignore[attr-defined]
    return out


__all__ = ["CHANGE_KINDS", "Forbidden", "Session", "register", "route_table"]
