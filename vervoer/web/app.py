"""The coordinators' web app (FastAPI + Jinja templates), thin over the library and the CLI.

:func:`create_app` serves one scenario folder. Every route declares who may use it (a
:class:`~vervoer.web.auth.Role` check on the server, not hidden links); every form posts a
CSRF token; every page is sent with security headers (a CSP without inline script) and
``Cache-Control: no-store``. Long work runs in :class:`~vervoer.web.jobs.Worker`.
"""

from __future__ import annotations

import contextlib
import csv
import io
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from vervoer.core.errors import InputError, Problem
from vervoer.core.i18n import day_name, format_number, reason_text, web_texts
from vervoer.core.model import Plan, Weekday
from vervoer.web.auth import Role, parse_role
from vervoer.web.jobs import Worker, trips_of
from vervoer.web.store import Job, Session, Store

HERE = Path(__file__).resolve().parent
COOKIE = "vervoer_session"
LOGIN_COOKIE = "vervoer_login"
#: the page CSP: nothing inline, nothing from elsewhere
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'none'; "
    "object-src 'none'"
)
#: the CSP of a generated map or route sheet (inline Leaflet and styles; tiles from OSM)
DOCUMENT_CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src 'self' data: https://tile.openstreetmap.org; frame-ancestors 'self'; "
    "base-uri 'none'; form-action 'none'"
)


class NotSignedIn(Exception):
    """No (live) session: 401 for the API, a redirect to the sign-in page otherwise."""


class Forbidden(Exception):
    """Signed in, but the role may not see or do this."""


@dataclass
class Context:
    """What the routes share: the scenario, the web folder, the store and the worker."""

    scenario: Path
    work: Path
    store: Store
    worker: Worker
    language: str
    secure_cookies: bool


def create_app(
    scenario: Path | str,
    *,
    work: Path | str | None = None,
    osm: Path | str | None = None,
    language: str | None = None,
    secure_cookies: bool = True,
    run_jobs: bool = True,
) -> FastAPI:
    """The web app of one scenario folder.

    Parameters
    ----------
    scenario
        A scenario folder of CSV files (the files stay the source of truth).
    work
        The app's own folder (database, jobs, staged uploads, previous versions); default
        ``SCENARIO/.vervoer-web``.
    osm
        The OSM extract for planning (default: the scenario's ``osm`` setting).
    language
        ``nl`` or ``en`` for the pages (default: the scenario's setting, else Dutch).
    secure_cookies
        Mark cookies ``Secure`` (browsers keep them on https and on loopback).
    run_jobs
        Start the job worker (tests of pages alone may leave it off).

    Returns
    -------
    FastAPI
        The ASGI app (``uvicorn.run(app)``).
    """
    folder = Path(scenario).resolve()
    if not folder.is_dir():
        raise InputError(
            "the web app serves a scenario folder of CSV files; save a workbook's sheets as "
            "CSV files in a folder",
            file=str(scenario),
        )
    work_dir = Path(work) if work else folder / ".vervoer-web"
    store = Store(work_dir / "web.sqlite3")
    worker = Worker(store, folder, work_dir, Path(osm) if osm else None)
    if language is None:
        try:
            from vervoer.pipeline import read

            language = read(folder).settings.language
        except InputError:
            language = "nl"
    ctx = Context(folder, work_dir, store, worker, language, secure_cookies)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if run_jobs:
            worker.start()
        try:
            yield
        finally:
            if run_jobs:
                worker.stop()

    app = FastAPI(
        title="vervoer", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None
    )
    app.state.ctx = ctx
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    _install_handlers(app, ctx)
    from vervoer.web import routes

    routes.register(app, ctx, Pages(ctx))
    return app


def _install_handlers(app: FastAPI, ctx: Context) -> None:
    @app.middleware("http")
    async def headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        response.headers["Permissions-Policy"] = "geolocation=(), camera=(), microphone=()"
        if not request.url.path.startswith("/static/"):
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, _exc: NotSignedIn) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": "not signed in"}, status_code=401)
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, _exc: Forbidden) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": "forbidden"}, status_code=403)
        t = web_texts(ctx.language)
        return HTMLResponse(
            Pages(ctx).render(
                request, "message.html", None, title=t["forbidden"], text=t["forbidden_text"]
            ),
            status_code=403,
        )


class Pages:
    """Rendering, sessions and checks the routes use."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.templates = Jinja2Templates(directory=HERE / "templates")
        env = self.templates.env
        env.autoescape = True
        lang = ctx.language
        env.globals["t"] = web_texts(lang)
        env.globals["lang"] = lang
        env.filters["num"] = lambda x, d=2: format_number(float(x), d, lang)
        env.filters["day"] = lambda d: day_name(d, lang)
        env.filters["reason"] = lambda u: reason_text(u.reason.value, u.message, lang)
        env.filters["clock"] = lambda s: (
            "" if s is None else f"{s // 3600:02d}:{s % 3600 // 60:02d}"
        )

    # ------------------------------------------------------------------ sessions

    def session(self, request: Request) -> Session:
        """The request's session.

        Raises
        ------
        NotSignedIn
        """
        s = self.ctx.store.session(request.cookies.get(COOKIE))
        if s is None:
            raise NotSignedIn
        return s

    def role(self, session: Session) -> Role:
        """The session's role (an unreadable role may do nothing)."""
        try:
            return parse_role(session.user.role)
        except InputError:
            raise Forbidden from None

    def planner(self, request: Request) -> tuple[Session, Role]:
        """The session of a planner.

        Raises
        ------
        NotSignedIn, Forbidden
        """
        s = self.session(request)
        role = self.role(s)
        if not role.planner:
            raise Forbidden
        return s, role

    def reader(self, request: Request) -> tuple[Session, Role]:
        """The session of a planner or an organisation user (who may read tables)."""
        s = self.session(request)
        role = self.role(s)
        if not role.sees_tables():
            raise Forbidden
        return s, role

    async def form(self, request: Request, session: Session) -> dict[str, Any]:
        """The posted form, after checking its CSRF token.

        Raises
        ------
        HTTPException
            403 when the token is missing or wrong.
        """
        form = await request.form()
        token = form.get("csrf")
        if not isinstance(token, str) or not secrets.compare_digest(token, session.csrf):
            raise HTTPException(403, "CSRF token missing or wrong")
        return dict(form)

    # ------------------------------------------------------------------ rendering

    def render(
        self, request: Request, template: str, session: Session | None, **values: Any
    ) -> str:
        """A page, with the user, role and CSRF token for its forms."""
        role = None
        if session is not None:
            with contextlib.suppress(Forbidden):
                role = self.role(session)
        return self.templates.get_template(template).render(
            request=request,
            user=session.user if session else None,
            role=role,
            csrf=session.csrf if session else "",
            scenario_name=self.ctx.scenario.name,
            **values,
        )

    def page(
        self,
        request: Request,
        template: str,
        session: Session | None,
        status: int = 200,
        **values: Any,
    ) -> HTMLResponse:
        """An HTML response of a template."""
        return HTMLResponse(self.render(request, template, session, **values), status)

    def login_cookie(self, response: Response) -> str:
        """Set the sign-in form's CSRF cookie; returns its value for the form."""
        token = secrets.token_urlsafe(24)
        response.set_cookie(
            LOGIN_COOKIE,
            token,
            httponly=True,
            samesite="strict",
            secure=self.ctx.secure_cookies,
            max_age=3600,
        )
        return token

    # ------------------------------------------------------------------ plans

    def plan_of(self, job: Job) -> Plan | None:
        """The plan a finished job wrote, or None."""
        from vervoer.io.plan_json import read_plan

        path = Path(job.out_dir) / "plan.json"
        if job.status != "done" or not path.is_file():
            return None
        try:
            return read_plan(path)
        except InputError:
            return None

    def job(self, job_id: int, kind: str | None = None) -> Job:
        """A job (of a kind), or 404."""
        job = self.ctx.store.job(job_id)
        if job is None or (kind is not None and job.kind != kind):
            raise HTTPException(404, "no such job")
        return job

    def job_dict(self, job: Job) -> dict[str, Any]:
        """What the progress page polls (no log: it may name participants)."""
        return {
            "id": job.id,
            "kind": job.kind,
            "status": job.status,
            "progress": round(job.progress, 3),
            "message": job.message,
            "created": job.created,
            "started": job.started,
            "finished": job.finished,
            "result": self.result_url(job),
        }

    @staticmethod
    def result_url(job: Job) -> str | None:
        """Where a finished job's result shows."""
        if job.status != "done":
            return None
        return {
            "plan": f"/plans/{job.id}",
            "replan": f"/replans/{job.id}",
            "compare": f"/compare/{job.id}",
        }.get(job.kind)

    def queue(self, kind: str, args: dict[str, Any], session: Session) -> RedirectResponse:
        """Queue a job (``trips`` added for the progress bar) and go to its page."""
        with contextlib.suppress(InputError):  # else the job itself reports the problems
            args = {**args, "trips": trips_of(self.ctx.scenario, args.get("days", []))}
        job, _new = self.ctx.worker.submit(kind, args, session.user.name)
        return RedirectResponse(f"/jobs/{job.id}", status_code=303)


def _clock(seconds: int | None) -> str:
    """``HH:MM`` of seconds after midnight ("" for None)."""
    if seconds is None:
        return ""
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def read_csv_file(path: Path) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a CSV the app wrote (change lists, report tables)."""
    if not path.is_file():
        return [], []
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    rows = [[c[1:] if c.startswith("'") else c for c in r] for r in rows]
    return (rows[0], rows[1:]) if rows else ([], [])


def problem_rows(problems: list[Problem]) -> list[dict[str, Any]]:
    """Problems as template rows."""
    return [
        {"file": p.file, "row": p.row, "field": p.field, "message": p.message} for p in problems
    ]


def weekday_values() -> list[str]:
    """The weekdays' values, Monday first."""
    return [d.value for d in Weekday]


def file_response(path: Path, *, document: bool) -> FileResponse:
    """A file of a job; HTML documents get the map/sheet CSP."""
    response = FileResponse(path)
    if document or path.suffix == ".html":
        response.headers["Content-Security-Policy"] = DOCUMENT_CSP
    return response


__all__ = ["Context", "Forbidden", "NotSignedIn", "Pages", "create_app"]
