"""A throwaway PostgreSQL server for the test suite: find (or install) the server binaries,
initialise a cluster in a temporary folder, start it on 127.0.0.1 on a free port, and stop and
delete it afterwards.

    python3 scripts/pg_server.py run -- COMMAND...   # COMMAND sees HINDSIGHT_TEST_POSTGRES_URL

`scripts/dev.py test` (and so `.ci/run`) runs the suite inside `throwaway_server()`. When no
PostgreSQL binaries exist and they cannot be installed (`apt-get install -y postgresql`, as
root), it says so and yields None: the PostgreSQL half of the suite is then skipped, with that
reason, never silently counted as run.

Only the standard library is used: this runs before the virtualenv exists.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ENV_URL = "HINDSIGHT_TEST_POSTGRES_URL"
# "skip": run the SQLite half only (the PostgreSQL tests are skipped, with the reason).
ENV_SWITCH = "HINDSIGHT_TEST_POSTGRES"
SUPERUSER = "hindsight_test"


def note(message: str) -> None:
    """A line for the person (or CI log) watching."""
    print(f"[pg_server] {message}", file=sys.stderr, flush=True)


def find_binaries() -> Path | None:
    """The folder holding initdb, pg_ctl and postgres: Debian's newest
    /usr/lib/postgresql/N/bin, else the one on PATH."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda folder: (
            int(Path(folder).parent.name) if Path(folder).parent.name.isdigit() else 0
        ),
        reverse=True,
    )
    for folder in candidates:
        if all((Path(folder) / name).exists() for name in ("initdb", "pg_ctl", "postgres")):
            return Path(folder)
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return Path(os.path.realpath(initdb)).parent
    return None


def install_binaries() -> Path | None:
    """Install Debian's postgresql package (root with apt-get only); the binaries' folder."""
    if shutil.which("apt-get") is None:
        note("no PostgreSQL binaries and no apt-get to install them")
        return None
    if os.geteuid() != 0:
        note("no PostgreSQL binaries; installing them needs root (apt-get install postgresql)")
        return None
    note("installing PostgreSQL: apt-get install -y postgresql")
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (
        ["apt-get", "update", "-q"],
        ["apt-get", "install", "-y", "-q", "--no-install-recommends", "postgresql"],
    ):
        if subprocess.run(command, env=environment).returncode != 0:
            note(f"{' '.join(command)} failed")
            return None
    return find_binaries()


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _ensure_server_user() -> None:
    """As root, the server runs as `postgres`: create that system user when it is missing."""
    if os.geteuid() != 0:
        return
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "postgres"], check=True)


def _stop_on_sigterm() -> None:
    """Turn SIGTERM (a CI timeout, `kill`) into SystemExit so the server is stopped too."""

    def handler(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    with contextlib.suppress(ValueError):  # not the main thread: leave it as it is
        signal.signal(signal.SIGTERM, handler)


def _as_server_user(command: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root: run them as `postgres` then."""
    if os.geteuid() != 0:
        return command
    runner = shutil.which("runuser")
    if runner:
        return [runner, "-u", "postgres", "--", *command]
    return ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(command)]


def _ctype_locale() -> str:
    """C.UTF-8 when the system has it: pg_trgm then treats Hangul as word characters, so the
    trigram indexes serve Korean substrings. Collation stays C (byte order, as SQLite sorts)."""
    try:
        listed = subprocess.run(["locale", "-a"], capture_output=True, text=True).stdout
    except OSError:
        return "C"
    names = {line.strip().lower() for line in listed.splitlines()}
    return "C.UTF-8" if {"c.utf8", "c.utf-8"} & names else "C"


@contextlib.contextmanager
def throwaway_server() -> Iterator[str | None]:
    """Start a PostgreSQL server for the tests and yield its admin URL (None when PostgreSQL is
    unavailable or switched off); stop it and delete its files on exit."""
    if os.environ.get(ENV_URL):
        note(f"using the server in {ENV_URL}")
        yield os.environ[ENV_URL]
        return
    if os.environ.get(ENV_SWITCH, "").lower() == "skip":
        note(f"{ENV_SWITCH}=skip: the PostgreSQL tests will be skipped")
        yield None
        return
    binaries = find_binaries() or install_binaries()
    if binaries is None:
        note("PostgreSQL is not available: only the SQLite half of the suite will run")
        yield None
        return
    _ensure_server_user()
    _stop_on_sigterm()
    folder = Path(tempfile.mkdtemp(prefix="hindsight-pg-"))
    data = folder / "data"
    log = folder / "server.log"
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
        folder.chmod(0o700)
    port = free_port()
    started = False
    try:
        initdb = [
            str(binaries / "initdb"),
            "-D",
            str(data),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--lc-collate=C",
            f"--lc-ctype={_ctype_locale()}",
            "--no-sync",
        ]
        subprocess.run(_as_server_user(initdb), check=True, stdout=subprocess.DEVNULL, cwd=folder)
        options = (
            f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
            " -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        start = [str(binaries / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-o", options]
        subprocess.run(
            _as_server_user([*start, "start"]), check=True, stdout=subprocess.DEVNULL, cwd=folder
        )
        started = True
        url = f"postgresql://{SUPERUSER}@127.0.0.1:{port}/postgres"
        note(f"PostgreSQL {binaries.parent.name} started on 127.0.0.1:{port} ({folder})")
        yield url
    except subprocess.CalledProcessError as error:
        note(f"could not start PostgreSQL ({error}); see {log}")
        if log.exists():
            sys.stderr.write(log.read_text(errors="replace")[-2000:])
        raise
    finally:
        if started:
            stop = [str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]
            subprocess.run(_as_server_user(stop), stdout=subprocess.DEVNULL, cwd=folder)
            time.sleep(0.1)
        shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] != "run" or (argv[1] == "--" and len(argv) < 3):
        print("usage: python3 scripts/pg_server.py run -- COMMAND...", file=sys.stderr)
        return 2
    command = argv[2:] if argv[1] == "--" else argv[1:]
    with throwaway_server() as url:
        environment = dict(os.environ)
        if url:
            environment[ENV_URL] = url
        return subprocess.run(command, env=environment).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
