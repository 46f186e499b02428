"""The coordinators' web app (``vervoer serve``), on top of the same library as the CLI.

- :mod:`~vervoer.web.store`: the SQLite database (users, sessions, audit log, job queue);
- :mod:`~vervoer.web.auth`: roles and what each may see;
- :mod:`~vervoer.web.tables`: the scenario's tables, uploads staged with a preview;
- :mod:`~vervoer.web.jobs`: planning, re-planning and comparing in a worker process;
- :mod:`~vervoer.web.app`: :func:`create_app`, security headers, rendering;
- :mod:`~vervoer.web.routes`: the pages and API routes, each checked on the server.
"""

from __future__ import annotations

from vervoer.web.app import create_app

__all__ = ["create_app"]
