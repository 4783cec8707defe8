"""A Hindsight worker in a process of its own, delivering through a transport that records
every send in a file: for tests that run several of them on one store and kill them with
SIGKILL at any moment.

    python -m tests.support.outbox_worker RECORD_FILE

Settings come from the environment only (DATABASE_URL, WORKER_ID, LEASE_SECONDS, …; no
`.env`). The worker does what the bot's scheduler does — recovers what it left in flight when
it last stopped, then sweeps reminders and drains the outbox, pass after pass — until killed.

The record file stands in for Discord: one line per message sent, appended with a single
`write` to a file opened with O_APPEND (whole lines, whatever the number of writers; a
SIGKILL cannot tear a line that `write` has returned from). A delivery flagged unconfirmed
first looks for its nonce in the file, as the Discord transport looks among a channel's recent
messages, and is not sent again when found.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

from digests.app import Services
from digests.reminders.outbox import Delivery
from digests.settings import Settings
from digests.store import postgres

# Seconds each send takes, like a round-trip to Discord: spreads the work over time, so a
# kill lands mid-sweep or mid-drain rather than between runs.
SEND_SECONDS = float(os.environ.get("HINDSIGHT_TEST_SEND_SECONDS", "0.002"))
# Rows a pass claims at most.
CLAIM_LIMIT = 50
# How the worker's PostgreSQL connections plan prepared statements, when a test run asks for
# another mode than the pool's (auto, force_custom_plan, force_generic_plan): the outcome must
# not depend on it.
PLAN_CACHE_MODE = os.environ.get("HINDSIGHT_TEST_PLAN_CACHE_MODE")


def sent_lines(path: Path) -> list[dict[str, object]]:
    """Every send the file records, in order. A last line without its newline is still being
    written by another process (a reader can see part of an append): not recorded yet."""
    if not path.exists():
        return []
    complete = path.read_text("utf-8").split("\n")[:-1]
    return [json.loads(line) for line in complete if line]


def sent_count(path: Path) -> int:
    """How many sends the file records, without reading them (cheap enough to poll)."""
    return path.read_bytes().count(b"\n") if path.exists() else 0


class RecordingFileTransport:
    """Delivers by appending one JSON line per message: its nonce, worker and outbox ids."""

    def __init__(self, path: Path, worker: str) -> None:
        self._path = path
        self._worker = worker
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    async def deliver(self, delivery: Delivery) -> None:
        """Send unless an unconfirmed delivery is found already sent."""
        nonce = delivery.nonce()
        if delivery.unconfirmed and any(line["nonce"] == nonce for line in sent_lines(self._path)):
            return
        await asyncio.sleep(SEND_SECONDS)
        line = json.dumps({"nonce": nonce, "worker": self._worker, "ids": delivery.ids})
        os.write(self._fd, (line + "\n").encode("utf-8"))


async def run(record_file: Path) -> None:
    """Recover, then sweep and deliver until the process is killed."""
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    if PLAN_CACHE_MODE:
        postgres.PLAN_CACHE_MODE = PLAN_CACHE_MODE
    async with await Services.open(settings) as services:
        transport = RecordingFileTransport(record_file, settings.worker_name)
        scheduler = services.scheduler(transport)
        await scheduler.sender.recover()
        print("started", flush=True)
        while True:
            await services.reminders.sweep(batch=100)
            await scheduler.sender.drain(limit=CLAIM_LIMIT)
            await asyncio.sleep(0.01)


if __name__ == "__main__":
    asyncio.run(run(Path(sys.argv[1])))
