"""A child process of a test, started and stopped with SIGKILL: no handler runs, nothing is
marked or closed. Shared by the tests that kill the bot and those that kill workers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from tests.conftest import REPO


def child_environment(overrides: Mapping[str, str], drop: Sequence[str] = ()) -> dict[str, str]:
    """This environment without Hindsight's own settings (and `drop`), plus `overrides`;
    the repository on PYTHONPATH."""
    prefixes = ("DISCORD_", "DATABASE_URL", "REMINDER_", "OUTBOX_", "WORKER_ID", "LEASE_", *drop)
    environment = {key: value for key, value in os.environ.items() if not key.startswith(prefixes)}
    environment.update(overrides)
    environment["PYTHONPATH"] = str(REPO)
    return environment


class ChildProcess:
    """`python -m MODULE ARGS…` in `workdir`, started again after each kill."""

    def __init__(
        self, module: str, args: Sequence[str], environment: Mapping[str, str], workdir: Path
    ) -> None:
        self._command = [sys.executable, "-m", module, *args]
        self._environment = dict(environment)
        self._workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        """Start (again); stderr is kept for `errors()`."""
        self.process = subprocess.Popen(
            self._command,
            cwd=self._workdir,
            env=self._environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self.starts += 1

    @property
    def running(self) -> bool:
        """Started and not ended."""
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL, and wait for the process to be gone."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def errors(self) -> str:
        """What the (ended) process wrote to stderr."""
        assert self.process is not None and self.process.stderr is not None
        if self.process.poll() is None:
            return "(still running)"
        return self.process.stderr.read().decode(errors="replace")
