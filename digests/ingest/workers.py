"""Feed parsing in a worker process, away from the event loop and from its heap.

A worker thread is not enough for a large feed: parsing 10,000 entries makes millions of
short-lived objects, and the collections of Python's garbage collector they trigger stop every
thread, the event loop included, for 100-200 ms on a busy 2-core machine. In a separate process
that garbage never touches the bot's heap; only the compact result comes back. A parser that
crashes the worker (a segfault in a C extension, the memory limit) costs that one feed an
InputError, and the next feed gets a fresh worker.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

from digests.errors import InputError
from digests.i18n import message

logger = logging.getLogger(__name__)

T = TypeVar("T")

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None


def _executor() -> ProcessPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            # forkserver: workers start from a clean single-threaded process, never from a
            # fork of the bot with its database and network threads mid-flight.
            _pool = ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("forkserver")
            )
        return _pool


def _discard(pool: ProcessPoolExecutor) -> None:
    global _pool
    with _lock:
        if _pool is pool:
            _pool = None
    pool.shutdown(wait=False, cancel_futures=True)


@atexit.register
def shutdown_workers() -> None:
    """Stop the worker process (at exit; tests may call it too)."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


def _call(function: Callable[..., T], *args: object) -> tuple[T | None, tuple[str, str] | None]:
    """In the worker: the result, or an InputError as (subject, reason) (its message alone
    would not rebuild it on the way back)."""
    try:
        return function(*args), None
    except InputError as error:
        return None, (error.subject, error.reason)


async def in_worker(subject: str, function: Callable[..., T], *args: object) -> T:
    """Run a module-level `function(*args)` (picklable, like its arguments and result) in the
    parsing worker. Its InputErrors come back as they are; a crashed worker becomes an
    InputError naming `subject`."""
    pool = _executor()
    try:
        result, refused = await asyncio.get_running_loop().run_in_executor(
            pool, _call, function, *args
        )
    except BrokenProcessPool as error:
        logger.error("the parsing worker died on %s", subject)
        _discard(pool)
        raise InputError(subject, message("ingest_error.parser_crashed")) from error
    if refused is not None:
        raise InputError(*refused)
    return result  # type: ignore[return-value]
