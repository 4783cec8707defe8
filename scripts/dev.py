"""Set up Hindsight in a local virtualenv and run its demo or its test suite.

Usage (from the repository root, with any Python >= 3.11):

    python3 scripts/dev.py demo    # create .venv if needed, install, run the demo main job
    python3 scripts/dev.py test    # create .venv if needed, install, lint and run every test

`test` runs the suite on both stores: it starts a throwaway PostgreSQL server on 127.0.0.1
(`scripts/pg_server.py`; installed with apt-get when missing and run as root) for the tests that
also run on PostgreSQL, and stops it afterwards. Without PostgreSQL it says so and those tests are
skipped (HINDSIGHT_REQUIRE_POSTGRES=1, as in CI, makes that an error instead).

Only the standard library is used here, because this script runs before anything is installed.
The install step is skipped when pyproject.toml has not changed since the last install.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

import pg_server  # beside this script

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
STAMP = VENV / ".hindsight-install-stamp"


def venv_python() -> Path:
    """Return the interpreter inside the project's virtualenv."""
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def ensure_environment() -> Path:
    """Create the virtualenv and install the project with its dev extras when out of date."""
    # This script runs under whatever python3 the machine has, before anything is installed.
    if sys.version_info < (3, 11):  # noqa: UP036
        sys.exit(f"Hindsight needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    python = venv_python()
    if not python.exists():
        print(f"creating virtualenv in {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not STAMP.exists() or STAMP.read_text().strip() != wanted:
        print(
            "installing Hindsight and its dependencies (first run takes a few minutes)", flush=True
        )
        run([python, "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
        run([python, "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[dev]"])
        STAMP.write_text(wanted)
    return python


def run(command: list[object], env: dict[str, str] | None = None) -> None:
    """Run a command from the repository root, exiting with its status when it fails."""
    completed = subprocess.run([str(part) for part in command], cwd=ROOT, env=env)
    if completed.returncode != 0:
        sys.exit(completed.returncode)


def run_tests(python: Path, extra: list[str]) -> None:
    """The test suite, with a throwaway PostgreSQL server for the tests that run on both
    stores (stopped however the run ends)."""
    with pg_server.throwaway_server() as url:
        environment = dict(os.environ)
        if url:
            environment[pg_server.ENV_URL] = url
            print("tests run on SQLite and on PostgreSQL", flush=True)
        elif os.environ.get("HINDSIGHT_REQUIRE_POSTGRES") == "1":
            sys.exit("PostgreSQL is required (HINDSIGHT_REQUIRE_POSTGRES=1) but not available")
        else:
            print(
                "PostgreSQL is not available: the PostgreSQL tests are SKIPPED;"
                " only SQLite is tested",
                flush=True,
            )
        run([python, "-m", "pytest", *extra], env=environment)


def main(argv: list[str]) -> None:
    if not argv or argv[0] not in {"demo", "test"}:
        sys.exit("usage: python3 scripts/dev.py demo|test [extra arguments]")
    python = ensure_environment()
    task, extra = argv[0], argv[1:]
    if task == "demo":
        run([python, "-m", "digests", "demo", *extra])
    else:
        run([python, "-m", "ruff", "check", "."])
        run([python, "-m", "ruff", "format", "--check", "."])
        run_tests(python, extra)


if __name__ == "__main__":
    main(sys.argv[1:])
