"""A Dask client for independent plans: on a given scheduler, or on a temporary local cluster.

The one place that connects to Dask (``distributed`` is imported here only, when asked
for): :func:`vervoer.routing.planner.plan_week` sends a week's days to it, and
:mod:`vervoer.sharing.evaluate` the coalitions and candidates of ``compare`` and ``study``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from vervoer.core.errors import VervoerError


class ClusterUnavailableError(VervoerError, RuntimeError):
    """No Dask cluster: ``distributed`` is not installed, or the scheduler is unreachable."""


@contextmanager
def dask_client(scheduler_address: str | None, workers: int | None = None) -> Iterator[Any]:
    """A :class:`distributed.Client` for the duration of the block.

    Parameters
    ----------
    scheduler_address
        A running scheduler, e.g. ``"tcp://10.0.0.5:8786"``; None starts a temporary
        ``LocalCluster`` (``workers`` or 2 worker processes, one thread each, its dashboard
        on localhost only) that is closed afterwards.
    workers
        Worker processes of the temporary cluster.

    Yields
    ------
    distributed.Client
    """
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - a dependency of vervoer
        msg = "a Dask cluster needs the `distributed` package (pip install 'dask[distributed]')"
        raise ClusterUnavailableError(msg) from exc

    cluster = None
    if scheduler_address is None:
        cluster = LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=workers or 2,
            threads_per_worker=1,
            processes=True,
            dashboard_address="127.0.0.1:0",  # HTTP server on localhost only, any port
        )
    try:
        try:
            client = Client(scheduler_address or cluster, set_as_default=False)  # type: ignore[no-untyped-call]
        except OSError as exc:  # no scheduler there (connection refused, timed out)
            msg = f"cannot reach the Dask scheduler at {scheduler_address}: {exc}"
            raise ClusterUnavailableError(msg) from exc
        with client:
            yield client
    finally:
        if cluster is not None:
            cluster.close()
