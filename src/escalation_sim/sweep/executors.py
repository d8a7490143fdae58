"""Executors: serial, a local process pool, or a Dask cluster, all fed chunks through a bounded window.

At most `window` chunks are in flight at any time, so memory stays flat however many runs a sweep has. Results
come back as chunks finish (in any order); the runner makes the stored table independent of that order.
"""

from __future__ import annotations

import atexit
import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import TYPE_CHECKING, Literal

from .worker import BaseScenario, ChunkResult, RunTask, run_chunk

if TYPE_CHECKING:
    from distributed import Client

ExecutorName = Literal["serial", "process", "dask"]
SCHEDULER_TIMEOUT = "10s"  # to connect to a Dask scheduler
EXECUTORS: tuple[str, ...] = ("serial", "process", "dask")


class ExecutorError(Exception):
    """The executor could not be started or reached (bad scheduler address, broken pool)."""


def default_workers() -> int:
    """All the cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def execute(
    chunks: Iterable[list[RunTask]],
    base: BaseScenario,
    executor: ExecutorName = "process",
    workers: int | None = None,
    scheduler: str | None = None,
    trajectories: bool = False,
) -> Iterator[ChunkResult]:
    """Run chunks on the chosen executor and yield their results as they finish."""
    if executor == "serial":
        for tasks in chunks:
            yield run_chunk(tasks, base, trajectories)
    elif executor == "process":
        yield from _run_process(chunks, base, workers or default_workers(), trajectories)
    elif executor == "dask":
        yield from _run_dask(chunks, base, workers or default_workers(), scheduler, trajectories)
    else:
        raise ExecutorError(f"unknown executor {executor!r}; expected one of: {', '.join(EXECUTORS)}")


# --- process pool ----------------------------------------------------------------------------------------------

_POOLS: dict[int, ProcessPoolExecutor] = {}
_POOL_LOCK = threading.Lock()


def start_method() -> str:
    """'fork' where it is safe (no other threads yet: fastest start, nothing re-imported), else 'forkserver'.

    Forking a process that runs threads (a notebook kernel's, a web app's, Dask's) can deadlock the child;
    the forkserver forks workers from a clean single-threaded server that has imported the model once.
    """
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


def shared_pool(workers: int) -> ProcessPoolExecutor:
    """A process pool kept for reuse by later sweeps and distributions in this process (notebooks, apps).

    The start method is chosen when the pool is made; a live pool is reused whatever threads run since.
    """
    with _POOL_LOCK:
        pool = _POOLS.get(workers)
        if pool is None or getattr(pool, "_broken", False) or getattr(pool, "_shutdown_thread", False):
            method = start_method()
            context = multiprocessing.get_context(method)
            if method == "forkserver":
                context.set_forkserver_preload(["escalation_sim.sweep.worker"])
            pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=die_with_parent)
            pool.submit(_ready).result()  # start the workers now, before a progress bar's thread exists
            _POOLS[workers] = pool
        return pool


def _ready() -> None:
    """A no-op task: submitting it starts a pool's worker processes."""


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_parent() -> None:
    """Pool initializer: a worker ends when the process that started it ends (a SIGKILLed sweep leaves none),
    and leaves Ctrl-C to its parent (which commits what is done, then stops the pool).

    On Linux the kernel sends SIGKILL on the parent's death (prctl PR_SET_PDEATHSIG); elsewhere a daemon
    thread polls the parent's pid every second. Either way, a parent already gone (a race) ends it at once.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: no worker tracebacks
    parent = os.getppid()
    armed = False
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            armed = libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
        except (OSError, AttributeError):
            armed = False
    if not armed:

        def watch() -> None:
            while os.getppid() == parent:
                time.sleep(1.0)
            os._exit(1)

        threading.Thread(target=watch, name="die-with-parent", daemon=True).start()
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)


def prepare(executor: str, workers: int | None) -> None:
    """Start what an executor needs before other threads appear (so that forking stays safe)."""
    if executor == "process":
        shared_pool(workers or default_workers())


def shutdown_pools() -> None:
    """Stop the shared worker processes (they stop at exit anyway)."""
    with _POOL_LOCK:
        for pool in _POOLS.values():
            pool.shutdown(wait=True, cancel_futures=True)
        _POOLS.clear()


atexit.register(shutdown_pools)


def pool_died(workers: int, exc: BrokenProcessPool) -> ExecutorError:
    """Drop the shared pool whose worker died (the next call starts a fresh one) and say what to do."""
    with _POOL_LOCK:
        _POOLS.pop(workers, None)
    return ExecutorError(f"a worker process died ({exc}); rerun the same command to resume")


def _run_process(
    chunks: Iterable[list[RunTask]], base: BaseScenario, workers: int, trajectories: bool
) -> Iterator[ChunkResult]:
    pool = shared_pool(workers)
    window = 4 * workers
    pending: set[Future] = set()
    source = iter(chunks)
    try:
        while True:
            while len(pending) < window:
                tasks = next(source, None)
                if tasks is None:
                    break
                pending.add(pool.submit(run_chunk, tasks, base, trajectories))
            if not pending:
                return
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()
    except BrokenProcessPool as exc:
        raise pool_died(workers, exc) from None
    finally:  # stopped early (an error, Ctrl-C): drop what has not started
        for future in pending:
            future.cancel()


# --- Dask --------------------------------------------------------------------------------------------------------


@contextmanager
def dask_client(workers: int, scheduler: str | None) -> Iterator[Client]:
    """A Dask client on the scheduler at `scheduler`, or on a local cluster of `workers` single-threaded
    processes (loopback only, dashboard too); closed, with its cluster, on leaving."""
    import logging

    from distributed import Client, LocalCluster

    cluster = None
    try:
        if scheduler is None:
            cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address="127.0.0.1:0",
                silence_logs=logging.ERROR,
            )
            client = Client(cluster)
        else:
            client = Client(scheduler, timeout=SCHEDULER_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as exc:
        if cluster is not None:
            cluster.close()
        where = scheduler or "a local cluster"
        raise ExecutorError(f"cannot reach the Dask scheduler at {where}: {exc}") from None
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _run_dask(
    chunks: Iterable[list[RunTask]], base: BaseScenario, workers: int, scheduler: str | None, trajectories: bool
) -> Iterator[ChunkResult]:
    from distributed import as_completed

    with dask_client(workers, scheduler) as client:
        window = 4 * max(1, len(client.scheduler_info().get("workers", {})) or workers)
        base_future = client.scatter(base, broadcast=True, hash=False)
        source = iter(chunks)
        running = as_completed()
        in_flight = 0
        for tasks in source:
            running.add(client.submit(run_chunk, tasks, base_future, trajectories, pure=False))
            in_flight += 1
            if in_flight >= window:
                break
        for future in running:
            in_flight -= 1
            result = future.result()
            future.release()
            tasks = next(source, None)
            if tasks is not None:
                running.add(client.submit(run_chunk, tasks, base_future, trajectories, pure=False))
                in_flight += 1
            yield result
