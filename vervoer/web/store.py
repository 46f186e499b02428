"""The web app's database: users, sessions, the audit log and the job queue (SQLite).

One file (by default ``SCENARIO/.vervoer-web/web.sqlite3``), opened per operation with
``sqlite3`` from the standard library: the app keeps no state in memory that a restart
would lose. Passwords are stored as argon2id hashes (``argon2-cffi``); session tokens only
as their SHA-256 (a stolen database gives no usable session).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from vervoer.core.errors import InputError

SESSION_HOURS = 12

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    token_sha256 TEXT PRIMARY KEY,
    user TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
    csrf TEXT NOT NULL,
    created TEXT NOT NULL,
    expires TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    user TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    args TEXT NOT NULL,
    user TEXT NOT NULL,
    status TEXT NOT NULL,
    progress REAL NOT NULL DEFAULT 0,
    message TEXT NOT NULL DEFAULT '',
    log TEXT NOT NULL DEFAULT '',
    out_dir TEXT NOT NULL DEFAULT '',
    created TEXT NOT NULL,
    started TEXT,
    finished TEXT
);
"""

_hasher = PasswordHasher()


def now() -> str:
    """The current UTC time, ISO 8601 to the second."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def _sha(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class User:
    """A signed-in user: name and role (``planner``, ``organisation:ID``, ``driver:ID``)."""

    name: str
    role: str


@dataclass(frozen=True, slots=True)
class Session:
    """A live session: its user and its CSRF token."""

    user: User
    csrf: str


@dataclass(frozen=True, slots=True)
class Job:
    """A queued, running or finished background job."""

    id: int
    kind: str
    args: dict[str, Any]
    user: str
    status: str  # queued | running | done | failed | cancelled
    progress: float
    message: str
    log: str
    out_dir: str
    created: str
    started: str | None
    finished: str | None

    @property
    def active(self) -> bool:
        """Queued or running."""
        return self.status in ("queued", "running")


class Store:
    """The database of one served scenario.

    Parameters
    ----------
    path
        The SQLite file (created with its tables when missing).
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._db() as db:
            db.executescript(_SCHEMA)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=30)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA foreign_keys = ON")
        try:
            with db:
                yield db
        finally:
            db.close()

    # ------------------------------------------------------------------ users

    def add_user(self, name: str, password: str, role: str) -> None:
        """Add a user, or set the password and role of an existing one.

        Raises
        ------
        InputError
            For an empty name, a password shorter than 10 characters or an unknown role.
        """
        from vervoer.web.auth import parse_role

        if not name.strip():
            raise InputError("the user name is empty", field="name")
        if len(password) < 10:
            raise InputError("the password must have at least 10 characters", field="password")
        parse_role(role)
        with self._db() as db:
            db.execute(
                "INSERT INTO users (name, password_hash, role, created) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(name) DO UPDATE SET password_hash = excluded.password_hash, "
                "role = excluded.role",
                (name.strip(), _hasher.hash(password), role, now()),
            )
            db.execute("DELETE FROM sessions WHERE user = ?", (name.strip(),))

    def remove_user(self, name: str) -> bool:
        """Remove a user and their sessions; False when there was none."""
        with self._db() as db:
            return db.execute("DELETE FROM users WHERE name = ?", (name,)).rowcount > 0

    def users(self) -> list[User]:
        """Every user, by name."""
        with self._db() as db:
            rows = db.execute("SELECT name, role FROM users ORDER BY name").fetchall()
        return [User(r["name"], r["role"]) for r in rows]

    def verify(self, name: str, password: str) -> User | None:
        """The user when ``password`` is theirs, else None (the same work either way)."""
        with self._db() as db:
            row = db.execute(
                "SELECT name, role, password_hash FROM users WHERE name = ?", (name,)
            ).fetchone()
        stored = row["password_hash"] if row else _DUMMY_HASH
        try:
            _hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return None
        if row is None:
            return None
        if _hasher.check_needs_rehash(stored):
            with self._db() as db:
                db.execute(
                    "UPDATE users SET password_hash = ? WHERE name = ?",
                    (_hasher.hash(password), name),
                )
        return User(row["name"], row["role"])

    # --------------------------------------------------------------- sessions

    def new_session(self, user: User) -> str:
        """Start a session; returns the token for the cookie (stored only as its hash)."""
        token = secrets.token_urlsafe(32)
        created = dt.datetime.now(dt.UTC).replace(microsecond=0)
        expires = created + dt.timedelta(hours=SESSION_HOURS)
        with self._db() as db:
            db.execute("DELETE FROM sessions WHERE expires < ?", (created.isoformat(),))
            db.execute(
                "INSERT INTO sessions VALUES (?, ?, ?, ?, ?)",
                (
                    _sha(token),
                    user.name,
                    secrets.token_urlsafe(32),
                    created.isoformat(),
                    expires.isoformat(),
                ),
            )
        return token

    def session(self, token: str | None) -> Session | None:
        """The live session of a cookie token, or None."""
        if not token:
            return None
        with self._db() as db:
            row = db.execute(
                "SELECT u.name, u.role, s.csrf FROM sessions s JOIN users u ON u.name = s.user "
                "WHERE s.token_sha256 = ? AND s.expires > ?",
                (_sha(token), now()),
            ).fetchone()
        return Session(User(row["name"], row["role"]), row["csrf"]) if row else None

    def end_session(self, token: str | None) -> None:
        """Sign out: forget the session."""
        if token:
            with self._db() as db:
                db.execute("DELETE FROM sessions WHERE token_sha256 = ?", (_sha(token),))

    # ------------------------------------------------------------------ audit

    def audit(self, user: str, action: str, detail: str = "") -> None:
        """Record who did what (the time is added)."""
        with self._db() as db:
            db.execute(
                "INSERT INTO audit (at, user, action, detail) VALUES (?, ?, ?, ?)",
                (now(), user, action, detail),
            )

    def audit_log(self, limit: int = 200) -> list[dict[str, Any]]:
        """The latest audit entries, newest first."""
        with self._db() as db:
            rows = db.execute(
                "SELECT at, user, action, detail FROM audit ORDER BY id DESC LIMIT ?", (limit,)
            ).fetchall()
        return [dict(r) for r in rows]

    # ------------------------------------------------------------------- jobs

    def add_job(self, kind: str, args: dict[str, Any], user: str) -> tuple[Job, bool]:
        """Queue a job, unless the same job is queued or running already.

        Returns
        -------
        tuple of (Job, bool)
            The job, and whether it is new (False: the same request was still waiting or
            running, and that one is returned instead of starting it twice).
        """
        text = json.dumps(args, sort_keys=True)
        with self._db() as db:
            same = db.execute(
                "SELECT id FROM jobs WHERE kind = ? AND args = ? AND status IN "
                "('queued', 'running') ORDER BY id LIMIT 1",
                (kind, text),
            ).fetchone()
            if same is None:
                cur = db.execute(
                    "INSERT INTO jobs (kind, args, user, status, created) "
                    "VALUES (?, ?, ?, 'queued', ?)",
                    (kind, text, user, now()),
                )
                job_id, new = int(cur.lastrowid or 0), True
            else:
                job_id, new = int(same["id"]), False
        job = self.job(job_id)
        assert job is not None
        return job, new

    def job(self, job_id: int) -> Job | None:
        """One job, or None."""
        with self._db() as db:
            row = db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return _job(row) if row else None

    def jobs(self, kind: str | None = None, limit: int = 50) -> list[Job]:
        """The latest jobs (of one kind), newest first."""
        with self._db() as db:
            if kind is None:
                rows = db.execute("SELECT * FROM jobs ORDER BY id DESC LIMIT ?", (limit,))
            else:
                rows = db.execute(
                    "SELECT * FROM jobs WHERE kind = ? ORDER BY id DESC LIMIT ?", (kind, limit)
                )
            return [_job(r) for r in rows.fetchall()]

    def latest_done(self, kind: str) -> Job | None:
        """The newest finished job of a kind."""
        with self._db() as db:
            row = db.execute(
                "SELECT * FROM jobs WHERE kind = ? AND status = 'done' ORDER BY id DESC LIMIT 1",
                (kind,),
            ).fetchone()
        return _job(row) if row else None

    def next_queued(self) -> Job | None:
        """Claim the oldest queued job (it becomes running), or None."""
        with self._db() as db:
            row = db.execute(
                "SELECT id FROM jobs WHERE status = 'queued' ORDER BY id LIMIT 1"
            ).fetchone()
            if row is None:
                return None
            db.execute(
                "UPDATE jobs SET status = 'running', started = ? WHERE id = ? AND "
                "status = 'queued'",
                (now(), row["id"]),
            )
        return self.job(int(row["id"]))

    def update_job(self, job_id: int, **fields: Any) -> None:
        """Set some fields of a job (``status``, ``progress``, ``message``, ``log``, ...)."""
        allowed = {"status", "progress", "message", "log", "out_dir", "finished"}
        unknown = set(fields) - allowed
        if unknown:
            raise ValueError(f"unknown job fields: {sorted(unknown)}")
        if not fields:
            return
        sets = ", ".join(f"{k} = ?" for k in fields)
        with self._db() as db:
            db.execute(f"UPDATE jobs SET {sets} WHERE id = ?", (*fields.values(), job_id))

    def abandon_running(self) -> None:
        """Mark jobs left running by a stopped server as failed (at start-up)."""
        with self._db() as db:
            db.execute(
                "UPDATE jobs SET status = 'failed', message = 'the server stopped during the "
                "job', finished = ? WHERE status = 'running'",
                (now(),),
            )


_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def _job(row: sqlite3.Row) -> Job:
    return Job(
        id=int(row["id"]),
        kind=row["kind"],
        args=json.loads(row["args"]),
        user=row["user"],
        status=row["status"],
        progress=float(row["progress"]),
        message=row["message"],
        log=row["log"],
        out_dir=row["out_dir"],
        created=row["created"],
        started=row["started"],
        finished=row["finished"],
    )


__all__ = ["Job", "Session", "Store", "User"]
