"""How long the event loop is kept from running its tasks (loop lag), measured by a task that
sleeps a short interval again and again and notes how late it wakes up."""

from __future__ import annotations

import asyncio
from types import TracebackType


class LoopLag:
    """`async with LoopLag() as lag: await work()`, then `lag.worst` (seconds): the longest
    time the loop was blocked while the work ran."""

    def __init__(self, interval: float = 0.005) -> None:
        self.interval = interval
        self.worst = 0.0
        self.samples = 0
        self._task: asyncio.Task[None] | None = None
        self._stop = False

    async def _watch(self) -> None:
        loop = asyncio.get_running_loop()
        while not self._stop:
            started = loop.time()
            await asyncio.sleep(self.interval)
            self.worst = max(self.worst, loop.time() - started - self.interval)
            self.samples += 1

    async def __aenter__(self) -> LoopLag:
        self._task = asyncio.create_task(self._watch())
        await asyncio.sleep(0)  # let the watcher start before the work does
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop = True
        assert self._task is not None
        await self._task
