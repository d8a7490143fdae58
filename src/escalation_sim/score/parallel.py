"""Calling one function on many arguments on the sweep executors (serial, the shared process pool, Dask).

The sweep executors run chunks of model runs; filter replications and likelihood evaluations are other work,
so this maps any picklable function over its arguments with the same pools, the same handling of a dead
worker and the same Dask client (`sweep.executors`: `shared_pool`, `pool_died`, `dask_client`), results in
argument order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import as_completed
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from ..sweep.executors import EXECUTORS, ExecutorError, dask_client, default_workers, pool_died, shared_pool


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
    workers = workers or default_workers()
    if executor == "process":
        pool = shared_pool(workers)
        try:
            futures = [pool.submit(fn, *args) for args in calls]
            for future in as_completed(futures):
                future.result()
                tick()
            return [f.result() for f in futures]
        except BrokenProcessPool as exc:
            raise pool_died(workers, exc) from None
    if executor == "dask":
        with dask_client(workers, scheduler) as client:
            futures = [client.submit(fn, *args, pure=False) for args in calls]
            return client.gather(futures)  # Dask shows progress on its own dashboard
    raise ExecutorError(f"unknown executor {executor!r}; expected one of: {', '.join(EXECUTORS)}")
