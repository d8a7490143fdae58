"""Calling one function on many arguments on the sweep executors (serial, the shared process pool, Dask).

The sweep executors run chunks of model runs; filter replications and likelihood evaluations are other work,
so this maps any picklable function over its arguments with the same pools and the same local Dask setup
(`sweep.executors`), results in argument order.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import as_completed
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from ..sweep.executors import EXECUTORS, SCHEDULER_TIMEOUT, ExecutorError, default_workers, shared_pool


def map_calls(
    fn: Callable[..., Any],
    calls: Sequence[tuple[Any, ...]],
    executor: str = "serial",
    workers: int | None = None,
    scheduler: str | None = None,
    done: Callable[[], None] | None = None,
) -> list[Any]:
    """[fn(*args) for args in calls], run on the chosen executor; `done()` is called as each call finishes."""
    tick = done or (lambda: None)
    if executor == "serial" or len(calls) <= 1:
        out = []
        for args in calls:
            out.append(fn(*args))
            tick()
        return out
    if executor == "process":
        pool = shared_pool(workers or default_workers())
        try:
            futures = [pool.submit(fn, *args) for args in calls]
            for future in as_completed(futures):
                future.result()
                tick()
            return [f.result() for f in futures]
        except BrokenProcessPool as exc:
            raise ExecutorError(f"a worker process died ({exc}); rerun the same command to resume") from None
    if executor == "dask":
        return _dask(fn, calls, workers or default_workers(), scheduler)
    raise ExecutorError(f"unknown executor {executor!r}; expected one of: {', '.join(EXECUTORS)}")


def _dask(fn: Callable[..., Any], calls: Sequence[tuple[Any, ...]], workers: int, scheduler: str | None) -> list[Any]:
    from distributed import Client, LocalCluster

    cluster = None
    try:
        if scheduler is None:
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                                   dashboard_address=":0", silence_logs=logging.ERROR)  # fmt: skip
            client = Client(cluster)
        else:
            client = Client(scheduler, timeout=SCHEDULER_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as exc:
        if cluster is not None:
            cluster.close()
        raise ExecutorError(f"cannot reach the Dask scheduler at {scheduler or 'a local cluster'}: {exc}") from None
    try:
        futures = [client.submit(fn, *args, pure=False) for args in calls]
        return client.gather(futures)  # Dask shows progress on its own dashboard
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
